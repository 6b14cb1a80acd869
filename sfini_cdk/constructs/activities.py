"""The ``Activities`` construct: one ``AWS::StepFunctions::Activity`` per sfini activity."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import aws_cdk as cdk
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from sfini_cdk.activity import Activity, ActivityRegistration
from sfini_cdk.constructs import registry
from sfini_cdk.constructs.errors import DuplicateActivityName, UnknownActivity
from sfini_cdk.constructs.iam import worker_grant
from sfini_cdk.constructs.names import check_resource_name

# the key the runtime reads the activity's module from (``sfini local run cdk.out``)
from sfini_runtime.cloud_assembly.resolver import ACTIVITY_METADATA

if TYPE_CHECKING:
    from aws_cdk import aws_iam as iam
    from aws_cdk import aws_kms as kms


def worker_module(activity: Activity) -> str | None:
    """The importable module defining a sfini activity's function (``None`` for an activity
    without one, or one defined in a script run as ``__main__``)."""
    module = getattr(getattr(activity, "fn", None), "__module__", None)
    return module if isinstance(module, str) and module != "__main__" else None


def collect_activities(
    source: ActivityRegistration | Iterable[Activity],
) -> dict[str, Activity]:
    """The activities of a registration (or any iterable of activities), by name.

    Raises:
        DuplicateActivityName: two different activity objects share one name
    """
    if isinstance(source, ActivityRegistration):
        items: Iterable[Activity] = source.activities.values()
    else:
        items = source
    by_name: dict[str, Activity] = {}
    for activity in items:
        if not isinstance(activity, Activity):
            raise TypeError(f"expected sfini activities, got {type(activity).__name__}")
        name = check_resource_name("activity", activity.name)
        existing = by_name.setdefault(name, activity)
        if existing is not activity:
            raise DuplicateActivityName(
                f"two different activities are named {name!r} ({existing!r} and {activity!r}); "
                "AWS activity names are unique in an account and region"
            )
    return by_name


class Activities(Construct):
    """One Step Functions activity per activity of a sfini ``ActivityRegistration``.

    The physical name of each activity is its sfini name (prefix included), so workers find it
    by name. Task input can be encrypted with a customer-managed KMS key.

    Args:
        scope: parent construct
        id: construct id
        registration: the activities, as a registration or an iterable of ``Activity``
        encryption_key: customer-managed KMS key for the activities' task input, default: the
            AWS-owned key
        data_key_reuse: how long Step Functions reuses a data key (60 s to 15 min), with
            ``encryption_key`` only, default: AWS's (5 minutes)
        name_prefix: put before every activity's name to give its AWS name (e.g. ``"dev-"``,
            so copies of one registration can live in one account and region); the
            construct's methods still take the sfini names
        removal_policy: what CloudFormation does with the activities when they leave the stack,
            default: delete them

    Raises:
        DuplicateActivityName: two different activities share one name
        InvalidResourceName: an activity name AWS would reject
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        registration: ActivityRegistration | Iterable[Activity],
        *,
        encryption_key: kms.IKey | None = None,
        data_key_reuse: cdk.Duration | None = None,
        removal_policy: cdk.RemovalPolicy | None = None,
        name_prefix: str = "",
    ) -> None:
        activities = collect_activities(registration)
        for name, sfini_activity in activities.items():
            physical = check_resource_name("activity", name_prefix + name)
            registry.check_available(scope, "activity", physical, sfini_activity)
        super().__init__(scope, id)
        registry.share(self, scope)
        self.encryption_key = encryption_key
        self.name_prefix = name_prefix
        encryption = (
            sfn.CustomerManagedEncryptionConfiguration(encryption_key, data_key_reuse)
            if encryption_key is not None
            else None
        )
        self._sfini: dict[str, Activity] = activities
        self._cdk: dict[str, sfn.Activity] = {}
        # ARN tokens kept on the Python side: each read through jsii is a Node.js round trip.
        self._arns: dict[str, str] = {}
        for name in activities:
            physical = name_prefix + name
            activity = sfn.Activity(
                self, name, activity_name=physical, encryption_configuration=encryption
            )
            if removal_policy is not None:
                activity.apply_removal_policy(removal_policy)
            module = worker_module(activities[name])
            if module is not None:
                activity.node.default_child.add_metadata(  # type: ignore[union-attr]
                    ACTIVITY_METADATA, {"name": name, "module": module}
                )
            self._cdk[name] = activity
            self._arns[name] = activity.activity_arn
            registry.register(self, "activity", physical, activities[name], self._arns[name])

    @property
    def names(self) -> list[str]:
        """The (sfini) activity names, in registration order."""
        return list(self._sfini)

    def physical_name(self, activity: Activity | str) -> str:
        """The AWS name an activity is deployed under (``name_prefix`` + its sfini name)."""
        name = activity.name if isinstance(activity, Activity) else activity
        return self.name_prefix + self._known(name)

    @property
    def activities(self) -> dict[str, sfn.IActivity]:
        """The CDK activities, by sfini activity name."""
        return dict(self._cdk)

    def __contains__(self, activity: object) -> bool:
        name = activity.name if isinstance(activity, Activity) else activity
        return name in self._sfini

    def sfini_activity(self, name: str) -> Activity:
        """The sfini activity deployed under ``name``."""
        return self._sfini[self._known(name)]

    def activity(self, activity: Activity | str) -> sfn.IActivity:
        """The CDK activity deployed for a sfini activity (or activity name)."""
        name = activity.name if isinstance(activity, Activity) else activity
        return self._cdk[self._known(name)]

    def arn_of(self, activity: Activity | str) -> str:
        """The ARN (a deploy-time token) of a sfini activity or activity name."""
        name = activity.name if isinstance(activity, Activity) else activity
        return self._arns[self._known(name)]

    def grant_worker(self, grantee: iam.IGrantable, *activities: Activity | str) -> iam.Grant:
        """Let ``grantee`` work these activities (default: all of them), and nothing more.

        Grants ``states:GetActivityTask``, ``states:SendTaskSuccess``, ``states:SendTaskFailure``
        and ``states:SendTaskHeartbeat`` on exactly those activity ARNs; with a customer-managed
        key also ``kms:Decrypt`` on it for those activities (encryption context condition).
        """
        arns = [self.arn_of(a) for a in activities] if activities else list(self._arns.values())
        return worker_grant(grantee, arns, self.encryption_key)

    def _known(self, name: str) -> str:
        if name not in self._sfini:
            raise UnknownActivity(
                f"activity {name!r} is not one of this construct's activities "
                f"({', '.join(map(repr, self._sfini)) or 'none'})"
            )
        return name
