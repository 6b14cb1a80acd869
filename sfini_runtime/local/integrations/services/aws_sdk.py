"""AWS SDK integrations (``arn:aws:states:::aws-sdk:SERVICE:ACTION``): which botocore service
and operation they call, and the prefix of their error names.

Step Functions names a service by its Java SDK 2.x package (``dynamodb``, ``s3``, ``sfn``,
``eventbridge``, ``cloudwatchlogs``, ``acmpca``: mostly botocore's name without dashes), the
action in camelCase (``getItem``), and prefixes errors with the 2.x client's name
(``DynamoDb``, ``Sfn``, ``EventBridge``: the service id, each word capitalised).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from .endpoints import available_services, service_model
from .errors import java_v2_name

#: Step Functions service names whose botocore name differs other than by a dash
#: (``acmpca`` is ``acm-pca``, ``emrcontainers`` is ``emr-containers``: found by rule)
_BOTOCORE_NAMES = {
    "sfn": "stepfunctions",
    "eventbridge": "events",
    "cloudwatchevents": "events",
    "cloudwatchlogs": "logs",
    "cognitoidentityprovider": "cognito-idp",
    "configservice": "config",
    "costandusagereport": "cur",
    "costexplorer": "ce",
    "databasemigration": "dms",
    "directory": "ds",
    "elasticloadbalancing": "elb",
    "elasticloadbalancingv2": "elbv2",
    "elasticsearch": "es",
    "iotdataplane": "iot-data",
    "lexmodelbuilding": "lex-models",
    "lexruntime": "lex-runtime",
    "marketplacemetering": "meteringmarketplace",
    "migrationhub": "mgh",
}

_lock = threading.Lock()
_dashless: dict[str, str] | None = None


def botocore_name(sdk_service: str) -> str | None:
    """The botocore service an ``aws-sdk:SERVICE`` integration calls (None if none)."""
    global _dashless
    name = _BOTOCORE_NAMES.get(sdk_service, sdk_service)
    if service_model(name) is not None:
        return name
    with _lock:
        if _dashless is None:
            _dashless = {
                available.replace("-", ""): available for available in available_services()
            }
        return _dashless.get(sdk_service.replace("-", "").lower())


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


__all__ = ["SdkOperation", "botocore_name", "sdk_operation"]
