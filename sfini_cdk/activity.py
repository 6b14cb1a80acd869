"""Activities: Task work done by workers that poll Step Functions.

Activities are separate from state machines: a ``Task`` names one as its resource, and a worker
runs it. ``ActivityRegistration`` groups activities under a name prefix and turns functions into
activities with its ``activity``/``smart_activity`` decorators.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from sfini_cdk._default import JSONable, default_session
from sfini_cdk.errors import (
    ActivityInputNotObject,
    ActivitySignatureUnavailable,
    DuplicateActivity,
    InvalidName,
    MissingActivityInput,
)
from sfini_cdk.task_resource import TaskResource
from sfini_cdk.validation import MAX_NAME_LENGTH, check_resource_name, name_character_problem

if TYPE_CHECKING:
    from sfini_runtime.session import AWSSession

_ActivityT = TypeVar("_ActivityT", bound="CallableActivity")


class Activity(TaskResource):
    """A Step Functions activity (``Resource`` is the activity's ARN).

    Activity names are unique within a region and account: put your application's name and
    version in them (``ActivityRegistration``'s prefix makes this easy).

    AWS's naming rules (1 to 80 characters, no whitespace, brackets, wildcards, special or
    control characters) are checked when the activity joins an ``ActivityRegistration``, is
    registered, or is deployed by ``sfini_cdk.constructs``.

    Args:
        name: name of activity
        session: session to use for AWS communication
    """

    service = "activity"

    def register(self) -> None:
        """Create this activity in Step Functions.

        Raises:
            InvalidName: the activity's name is not one AWS accepts
        """
        from sfini_runtime import registration

        check_resource_name("activity", self.name)

        registration.register_activity(self, session=self.session)

    def deregister(self) -> None:
        """Delete this activity from Step Functions."""
        from sfini_runtime import registration

        registration.deregister_activity(self, session=self.session)

    def is_registered(self) -> bool:
        """Whether this activity exists in Step Functions."""
        from sfini_runtime import registration

        return registration.is_activity_registered(self, session=self.session)


class CallableActivity(Activity):
    """An activity implemented by a Python callable, passed the task input.

    Args:
        name: name of activity
        fn: function to run the activity: called with the task input
        heartbeat: seconds between heartbeats sent while the function runs
        session: session to use for AWS communication
    """

    def __init__(
        self,
        name: str,
        fn: Callable[..., Any],
        heartbeat: int = 20,
        *,
        session: AWSSession | None = None,
    ) -> None:
        super().__init__(name, session=session)
        self.fn = fn
        self.heartbeat = heartbeat

    def __call__(self, task_input: JSONable, *args: Any, **kwargs: Any) -> Any:
        return self.fn(task_input, *args, **kwargs)

    @classmethod
    def decorate(
        cls: type[_ActivityT],
        name: str,
        heartbeat: int = 20,
        *,
        session: AWSSession | None = None,
    ) -> Callable[[Callable[..., Any]], _ActivityT]:
        """Decorator making a function the implementation of a new activity.

        Args:
            name: name of activity
            heartbeat: seconds between heartbeats sent while the function runs
            session: session to use for AWS communication
        """

        def wrap(fn: Callable[..., Any]) -> _ActivityT:
            activity = cls(name, fn, heartbeat=heartbeat, session=session)
            return functools.update_wrapper(activity, fn)

        return wrap

    def call_with(self, task_input: JSONable) -> JSONable:
        """Run the function on a task's input.

        Returns:
            the function's return value (the task output)
        """
        return self.fn(task_input)


class SmartCallableActivity(CallableActivity):
    """An activity whose function's parameters are filled from the task input's fields.

    Fields that match a parameter name are passed to it (all fields if the function takes
    ``**kwargs``); other fields are ignored.

    Args:
        name: name of activity
        fn: function to run the activity
        heartbeat: seconds between heartbeats sent while the function runs
        session: session to use for AWS communication

    Attributes:
        sig: the function's signature
    """

    def __init__(
        self,
        name: str,
        fn: Callable[..., Any],
        heartbeat: int = 20,
        *,
        session: AWSSession | None = None,
    ) -> None:
        super().__init__(name, fn, heartbeat=heartbeat, session=session)
        try:
            self.sig = inspect.signature(fn)
        except (ValueError, TypeError) as error:
            raise ActivitySignatureUnavailable(
                f"smart activity {name!r}: cannot read the parameters of {fn!r} ({error}); "
                "wrap it in a function with named parameters, or use activity() to pass it "
                "the whole task input"
            ) from None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.fn(*args, **kwargs)

    def _kwargs_from(self, task_input: dict[str, JSONable]) -> dict[str, JSONable]:
        parameters = self.sig.parameters.values()
        if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
            return dict(task_input)
        by_name = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
        named = {p.name for p in parameters if p.kind in by_name}
        return {key: value for key, value in task_input.items() if key in named}

    def call_with(self, task_input: JSONable) -> JSONable:
        """Run the function with parameters taken from the task input's fields.

        Raises:
            ActivityInputNotObject: the task input is not a JSON object
            MissingActivityInput: the input lacks fields for required parameters
        """
        if not isinstance(task_input, dict):
            raise ActivityInputNotObject(
                f"activity {self.name!r} takes its parameters from a JSON object task input, "
                f"got {type(task_input).__name__}"
            )
        kwargs = self._kwargs_from(task_input)
        missing = [
            p.name
            for p in self.sig.parameters.values()
            if p.default is inspect.Parameter.empty
            and p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
            and p.name not in kwargs
        ]
        if missing:
            raise MissingActivityInput(self.name, missing)
        return self.fn(**kwargs)


class ActivityRegistration:
    """A group of activities sharing a name prefix, registered and deregistered together.

    Args:
        prefix: prefix of the activities' names
        session: session to use for AWS communication

    Attributes:
        activities: the group's activities, by full name (prefix included)

    Example:
        >>> activities = ActivityRegistration(prefix="foo")
        >>> @activities.activity(name="MyActivity")
        ... def fn(data):
        ...     print("hi")
        >>> print(fn.name)
        fooMyActivity
    """

    _activity_class = CallableActivity
    _smart_activity_class = SmartCallableActivity

    def __init__(self, prefix: str = "", *, session: AWSSession | None = None) -> None:
        if not isinstance(prefix, str):
            raise InvalidName(f"activity name prefix must be a str, got {prefix!r}")
        if len(prefix) >= MAX_NAME_LENGTH:
            raise InvalidName(
                f"activity name prefix {prefix!r} is {len(prefix)} characters long: activity "
                f"names (prefix included) have at most {MAX_NAME_LENGTH}"
            )
        problem = name_character_problem(prefix)
        if problem is not None:
            raise InvalidName(
                f"activity name prefix {prefix!r} contains {problem}, which AWS forbids in names"
            )
        self.prefix = prefix
        self._session = session
        self.activities: dict[str, Activity] = {}

    def __str__(self) -> str:
        return f"{self.prefix!r} activities"

    def __repr__(self) -> str:
        return f"ActivityRegistration(prefix={self.prefix!r})"

    @property
    def session(self) -> AWSSession:
        """The session these activities use (the shared default one unless given)."""
        if self._session is None:
            self._session = default_session()
        return self._session

    @session.setter
    def session(self, session: AWSSession | None) -> None:
        self._session = session

    def add_activity(self, activity: Activity) -> None:
        """Add an activity to the group.

        Raises:
            InvalidName: the activity's name is not one AWS accepts
            DuplicateActivity: an activity with that name is already in the group
        """
        check_resource_name("activity", activity.name)
        if activity.name in self.activities:
            raise DuplicateActivity(f"activity {activity.name!r} is already in the group")
        self.activities[activity.name] = activity

    def _decorator(
        self, activity_cls: type[_ActivityT], name: str | None, heartbeat: int
    ) -> Callable[[Callable[..., Any]], _ActivityT]:
        def wrap(fn: Callable[..., Any]) -> _ActivityT:
            suffix = fn.__name__ if name is None else name
            activity = activity_cls.decorate(
                self.prefix + suffix, heartbeat=heartbeat, session=self._session
            )(fn)
            self.add_activity(activity)
            return activity

        return wrap

    def activity(
        self, name: str | None = None, heartbeat: int = 20
    ) -> Callable[[Callable[..., Any]], CallableActivity]:
        """Decorator: the function becomes an activity of this group, called with the task
        input.

        Args:
            name: name of activity (after the prefix), default: the function's name
            heartbeat: seconds between heartbeats sent while the function runs
        """
        return self._decorator(self._activity_class, name, heartbeat)

    def smart_activity(
        self, name: str | None = None, heartbeat: int = 20
    ) -> Callable[[Callable[..., Any]], SmartCallableActivity]:
        """Decorator: the function becomes an activity of this group, its parameters filled
        from the task input's fields.

        Args:
            name: name of activity (after the prefix), default: the function's name
            heartbeat: seconds between heartbeats sent while the function runs
        """
        return self._decorator(self._smart_activity_class, name, heartbeat)

    def register(self) -> None:
        """Create the group's activities in Step Functions."""
        from sfini_runtime import registration

        registration.register_activities(self, session=self.session)

    def deregister(self) -> None:
        """Delete the group's activities from Step Functions."""
        from sfini_runtime import registration

        registration.deregister_activities(self, session=self.session)

    def is_registered(self) -> bool:
        """Whether every activity of the group exists in Step Functions."""
        from sfini_runtime import registration

        return all(
            registration.is_activity_registered(activity, session=activity.session)
            for activity in self.activities.values()
        )
