"""AWS SDK integrations (``arn:aws:states:::aws-sdk:SERVICE:ACTION``): which botocore service
and operation they call, and the prefix of their error names.

Step Functions names a service by its Java SDK 2.x package (the service id in lower case
without spaces: ``dynamodb``, ``s3``, ``sfn``, ``eventbridge``, ``cloudwatchlogs``), the
action in camelCase (``getItem``), and prefixes errors with the 2.x client's name
(``DynamoDb``, ``Sfn``, ``EventBridge``: the service id, each word capitalised).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from .endpoints import available_services, service_model
from .errors import java_v2_name

#: Step Functions service names whose botocore name differs (the rest are looked up by
#: service id the first time they are used)
_BOTOCORE_NAMES = {
    "sfn": "stepfunctions",
    "eventbridge": "events",
    "cloudwatchevents": "events",
    "cloudwatchlogs": "logs",
    "cognitoidentityprovider": "cognito-idp",
    "costexplorer": "ce",
    "elasticloadbalancingv2": "elbv2",
    "elasticloadbalancing": "elb",
}

_lock = threading.Lock()
_by_service_id: dict[str, str] | None = None


def _package_name(service_id: str) -> str:
    return service_id.replace(" ", "").replace("-", "").lower()


def botocore_name(sdk_service: str) -> str | None:
    """The botocore service an ``aws-sdk:SERVICE`` integration calls (None if none)."""
    global _by_service_id
    name = _BOTOCORE_NAMES.get(sdk_service, sdk_service)
    model = service_model(name)
    if model is not None and _package_name(model.service_id) == _package_name(sdk_service):
        return name
    with _lock:
        if _by_service_id is None:
            # rare: read every model's id once (a second or two) to find the service
            index: dict[str, str] = {}
            for candidate in available_services():
                found = service_model(candidate)
                if found is not None:
                    index.setdefault(_package_name(found.service_id), candidate)
            _by_service_id = index
        return _by_service_id.get(_package_name(sdk_service)) or (name if model else None)


@dataclass(frozen=True)
class SdkOperation:
    """What one ``aws-sdk:SERVICE:ACTION`` calls."""

    botocore_name: str
    operation: str
    prefix: str
    model: Any

    @property
    def input_shape(self) -> Any:
        return self.model.operation_model(self.operation).input_shape

    @property
    def output_shape(self) -> Any:
        return self.model.operation_model(self.operation).output_shape


def error_prefix(sdk_service: str) -> str:
    """The prefix of an SDK integration's errors, even for a service botocore lacks."""
    name = botocore_name(sdk_service)
    model = service_model(name) if name else None
    return java_v2_name(model.service_id) if model else sdk_service[:1].upper() + sdk_service[1:]


def sdk_operation(sdk_service: str, action: str) -> SdkOperation | None:
    """The operation ``aws-sdk:<sdk_service>:<action>`` calls (None if there is none)."""
    name = botocore_name(sdk_service)
    if name is None:
        return None
    model = service_model(name)
    wanted = action[:1].upper() + action[1:]
    operations = model.operation_names
    if wanted not in operations:
        matches = [op for op in operations if op.lower() == action.lower()]
        if not matches:
            return None
        wanted = matches[0]
    return SdkOperation(name, wanted, java_v2_name(model.service_id), model)


__all__ = ["SdkOperation", "botocore_name", "error_prefix", "sdk_operation"]
