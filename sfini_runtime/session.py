"""The one place boto3 is configured: region, profile, endpoint, timeouts, retries.

With a Step Functions endpoint configured (``endpoint_url=`` or ``AWS_ENDPOINT_URL_SFN``, as for
the local engine), an ``AWSSession`` never calls STS or any other AWS service: the account and
region come from the configuration (``AWS_ACCOUNT_ID``, the region settings) or from the ARNs the
endpoint itself reports.
"""

from __future__ import annotations

import functools
import os
import threading
from typing import TYPE_CHECKING, Any

from sfini_runtime import arns

if TYPE_CHECKING:
    import boto3
    from botocore.client import BaseClient
    from botocore.config import Config
    from botocore.credentials import Credentials

__all__ = [
    "DEFAULT_LOCAL_ACCOUNT_ID",
    "DEFAULT_LOCAL_REGION",
    "READ_TIMEOUT",
    "AWSSession",
    "default_session",
]

#: Seconds a client waits for a response: above GetActivityTask's 60 s long poll.
READ_TIMEOUT = 70
#: Seconds a client waits to connect.
CONNECT_TIMEOUT = 10
#: Account reported for a custom endpoint that names none (moto, LocalStack use the same).
DEFAULT_LOCAL_ACCOUNT_ID = "123456789012"
#: Region used for a custom endpoint when none is configured anywhere.
DEFAULT_LOCAL_REGION = "us-east-1"

_ENDPOINT_ENV_VARS = ("AWS_ENDPOINT_URL_SFN", "AWS_ENDPOINT_URL")
_LOCAL_CREDENTIALS = {"aws_access_key_id": "sfini-local", "aws_secret_access_key": "sfini-local"}


class AWSSession:
    """AWS session: configured clients, region, account and partition.

    Args:
        session: boto3 session to use, default: a new one (with ``profile`` and ``region``)
        endpoint_url: Step Functions endpoint, default: ``AWS_ENDPOINT_URL_SFN`` (or
            ``AWS_ENDPOINT_URL``) if set, else AWS's
        region: region, default: the session's configured region
        profile: named profile for a new boto3 session
        retry_mode: botocore retry mode, ``standard`` or ``adaptive``
        max_attempts: attempts per API call, retries included
    """

    def __init__(
        self,
        session: boto3.Session | None = None,
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        profile: str | None = None,
        retry_mode: str = "standard",
        max_attempts: int = 5,
    ) -> None:
        if session is None:
            import boto3

            session = boto3.Session(profile_name=profile, region_name=region)
        self.session = session
        self.endpoint_url = endpoint_url or _endpoint_from_environment()
        self._region = region
        self.retry_mode = retry_mode
        self.max_attempts = max_attempts
        self._lock = threading.Lock()
        self._clients: dict[str, BaseClient] = {}
        self._account_id: str | None = None
        self._probed: tuple[str, str] | None = None

    def __str__(self) -> str:
        credentials = self.credentials
        key = credentials.access_key if credentials is not None else None
        return f"<access key: {key}, region: {self.region}>"

    def __repr__(self) -> str:
        endpoint = f", endpoint_url={self.endpoint_url!r}" if self.endpoint_url else ""
        return f"AWSSession(region={self._configured_region()!r}{endpoint})"

    @property
    def is_custom_endpoint(self) -> bool:
        """Whether Step Functions calls go to a configured endpoint (e.g. the local engine)."""
        return self.endpoint_url is not None

    @functools.cached_property
    def credentials(self) -> Credentials | None:
        """AWS session credentials (placeholders for a custom endpoint that needs none)."""
        credentials = self.session.get_credentials()
        if credentials is None and self.is_custom_endpoint:
            from botocore.credentials import Credentials

            return Credentials(
                _LOCAL_CREDENTIALS["aws_access_key_id"],
                _LOCAL_CREDENTIALS["aws_secret_access_key"],
            )
        return credentials

    @property
    def region(self) -> str:
        """Session AWS region."""
        configured = self._configured_region()
        if configured:
            return configured
        if self.is_custom_endpoint:
            probed = self._probe_endpoint()
            return probed[0] if probed else DEFAULT_LOCAL_REGION
        from botocore.exceptions import NoRegionError

        raise NoRegionError()

    @property
    def partition(self) -> str:
        """The region's AWS partition (``aws``, ``aws-cn``, ``aws-us-gov``, ...)."""
        region = self.region
        try:
            partition = self.session.get_partition_for_region(region)
        except Exception:  # botocore does not know the region (e.g. a local one)
            partition = None
        return partition or arns.partition_for_region(region)

    @property
    def account_id(self) -> str:
        """Session's account's account ID (no STS call with a custom endpoint)."""
        with self._lock:
            if self._account_id is not None:
                return self._account_id
        if self.is_custom_endpoint:
            account = os.environ.get("AWS_ACCOUNT_ID")
            if not account:
                probed = self._probe_endpoint()
                account = probed[1] if probed else DEFAULT_LOCAL_ACCOUNT_ID
        else:
            account = self.client("sts").get_caller_identity()["Account"]
        with self._lock:
            self._account_id = account
        return account

    @property
    def sfn(self) -> BaseClient:
        """Step Functions client (shared, thread-safe)."""
        return self.client("stepfunctions")

    def client(self, service: str) -> BaseClient:
        """A shared client for ``service``, configured once here."""
        with self._lock:
            client = self._clients.get(service)
        if client is None:
            client = self.new_client(service)
            with self._lock:
                client = self._clients.setdefault(service, client)
        return client

    def new_client(self, service: str, *, max_pool_connections: int = 50) -> BaseClient:
        """A new client of its own for ``service`` (e.g. a worker's long-poll client)."""
        kwargs: dict[str, Any] = {
            "region_name": self._configured_region()
            or (DEFAULT_LOCAL_REGION if self.endpoint_url else None),
            "config": self.client_config(service, max_pool_connections=max_pool_connections),
        }
        if self._is_states(service) and self.endpoint_url:
            kwargs["endpoint_url"] = self.endpoint_url
            if self.session.get_credentials() is None:
                kwargs.update(_LOCAL_CREDENTIALS)
        return self.session.client(service, **kwargs)

    def client_config(
        self, service: str = "stepfunctions", *, max_pool_connections: int = 50
    ) -> Config:
        """The botocore configuration every client gets."""
        from botocore.config import Config

        options: dict[str, Any] = {
            "read_timeout": READ_TIMEOUT,
            "connect_timeout": CONNECT_TIMEOUT,
            "retries": {"mode": self.retry_mode, "total_max_attempts": self.max_attempts},
            "max_pool_connections": max_pool_connections,
        }
        if self._is_states(service) and self.endpoint_url:
            # StartSyncExecution/TestState go to a ``sync-`` host prefix, unresolvable locally.
            options["inject_host_prefix"] = False
        return Config(**options)

    def arn_for(self, kind: str, name: str) -> str:
        """The ARN of the Step Functions ``activity`` or ``stateMachine`` named ``name``."""
        build = {"activity": arns.activity_arn, "stateMachine": arns.state_machine_arn}[kind]
        return build(name, self.region, self.account_id, self.partition)

    @staticmethod
    def _is_states(service: str) -> bool:
        return service in ("stepfunctions", "states", "sfn")

    def _configured_region(self) -> str | None:
        return self._region or self.session.region_name

    def _probe_endpoint(self) -> tuple[str, str] | None:
        """(region, account) from the first ARN the custom endpoint lists, if any."""
        if self._probed is not None:
            return self._probed
        client = self.sfn
        for operation, key, arn_key in (
            ("list_state_machines", "stateMachines", "stateMachineArn"),
            ("list_activities", "activities", "activityArn"),
        ):
            items = getattr(client, operation)(maxResults=1).get(key, [])
            if items:
                parsed = arns.parse_arn(items[0][arn_key])
                self._probed = (parsed.region, parsed.account)
                return self._probed
        return None


def _endpoint_from_environment() -> str | None:
    for name in _ENDPOINT_ENV_VARS:
        value = os.environ.get(name)
        if value:
            return value
    return None


_ENVIRONMENT_KEYS = (
    *_ENDPOINT_ENV_VARS,
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_PROFILE",
    "AWS_ACCOUNT_ID",
    "AWS_ACCESS_KEY_ID",
)
_defaults: dict[tuple[str | None, ...], AWSSession] = {}
_default_lock = threading.Lock()


def default_session(session: AWSSession | None = None) -> AWSSession:
    """``session`` if given, else a shared default ``AWSSession`` for the current environment.

    The default is remade when the AWS environment variables change (e.g. a test points
    ``AWS_ENDPOINT_URL_SFN`` at a local engine).
    """
    if session is not None:
        return session
    key = tuple(os.environ.get(name) for name in _ENVIRONMENT_KEYS)
    with _default_lock:
        default = _defaults.get(key)
        if default is None:
            default = _defaults[key] = AWSSession()
        return default
