"""Service integrations forwarded through boto3 to the endpoint the standard
``AWS_ENDPOINT_URL_<SERVICE_ID>`` / ``AWS_ENDPOINT_URL`` variables name (moto's server, an
emulator): the optimised integrations (``sqs:sendMessage``, ``sns:publish``,
``dynamodb:getItem/putItem/updateItem/deleteItem``, ``events:putEvents``) and the AWS SDK
integrations (``aws-sdk:SERVICE:ACTION``), with AWS's parameters, results and error names.
"""

from __future__ import annotations

from sfini_runtime.local.integrations.services.endpoints import endpoint_for, endpoint_variable
from sfini_runtime.local.integrations.services.errors import TaskFailure, java_v2_name
from sfini_runtime.local.integrations.services.forwarder import DUMMY_CREDENTIAL, ServiceForwarder
from sfini_runtime.local.integrations.services.optimised import (
    OPTIMISED_SERVICES,
    OptimisedService,
)

__all__ = [
    "DUMMY_CREDENTIAL",
    "OPTIMISED_SERVICES",
    "OptimisedService",
    "ServiceForwarder",
    "TaskFailure",
    "endpoint_for",
    "endpoint_variable",
    "java_v2_name",
]
