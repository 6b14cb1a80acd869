"""``ServiceForwarder``: optimised and AWS SDK integrations called through boto3 at the
endpoint the standard variables name, so that moto's server or any emulator serves them.

Each call runs on the integration I/O pool (never on the scheduler thread): it finds the
endpoint, builds the request from the Task's parameters with botocore's model, calls the
service once (botocore's own retries are off: Retry in the definition is the user's tool),
and answers with the result AWS's integration returns, or fails the Task with the error
name and cause AWS gives. Clients are kept per (service, endpoint, region, credentials).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from typing import Any

import boto3
from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

from sfini_runtime.local.integrations.responses import with_sdk_metadata
from sfini_runtime.local.interpreter.task_calls import TaskCall, service_error_prefix
from sfini_runtime.local.interpreter.task_resources import REQUEST_RESPONSE, WAIT_FOR_TASK_TOKEN

from .aws_sdk import sdk_operation
from .endpoints import GLOBAL_ENDPOINT_VARIABLE, endpoint_for, endpoint_variable, service_model
from .errors import (
    ParameterError,
    TaskFailure,
    optimised_failure,
    sdk_failure,
    unreachable_failure,
    validation_failure,
)
from .optimised import OPTIMISED_SERVICES, OptimisedService, not_recognised
from .shapes import build_request, shape_result

#: the credentials an emulator is given when the environment has none
DUMMY_CREDENTIAL = "testing"
#: AWS SDK integrations take request-response and .waitForTaskToken (no .sync)
_SDK_PATTERNS = frozenset({REQUEST_RESPONSE, WAIT_FOR_TASK_TOKEN})


class ServiceForwarder:
    """Forwards service integrations (other than Lambda and nested executions) to the
    endpoint ``AWS_ENDPOINT_URL_<SERVICE_ID>`` or ``AWS_ENDPOINT_URL`` names when the call is
    made. ``connect_timeout``/``read_timeout`` bound each HTTP request (seconds);
    ``environ`` replaces ``os.environ`` as the source of endpoints and credentials."""

    def __init__(
        self,
        *,
        region: str,
        account_id: str,
        connect_timeout: float = 5.0,
        read_timeout: float = 60.0,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.region = region
        self.account_id = account_id
        self._config = Config(
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            retries={"total_max_attempts": 1},
            max_pool_connections=64,
            s3={"addressing_style": "path"},
        )
        self._environ = environ
        self._clients: dict[tuple[str, str, str, str], Any] = {}
        self._lock = threading.Lock()

    # -- the Integration protocol -----------------------------------------------------------
    def invoke(self, call: TaskCall) -> None:
        """Check the resource, then call the service on the I/O pool."""
        resource = call.resource
        if resource.is_sdk:
            if resource.pattern not in _SDK_PATTERNS:
                self._fail(call, not_recognised(resource.arn))
                return
            call.run_in_thread(lambda: self._answer(call, self._call_sdk))
            return
        service = OPTIMISED_SERVICES.get(resource.service)
        if service is None:
            self._fail(call, self._not_forwarded(call))
            return
        if resource.action not in service.actions or resource.pattern not in service.patterns:
            self._fail(call, not_recognised(resource.arn))
            return
        call.run_in_thread(lambda: self._answer(call, lambda c: self._call_optimised(c, service)))

    # -- the two kinds ----------------------------------------------------------------------
    def _call_optimised(self, call: TaskCall, service: OptimisedService) -> Any:
        action = call.resource.action
        operation = service.operation(action)
        model = service_model(service.botocore_name)
        operation_model = model.operation_model(operation)
        endpoint = self._endpoint(call, model.service_id, service.prefix)
        prepare = service.prepare.get(action)
        try:
            request = build_request(
                call.parameters, operation_model.input_shape, service.actions[action]
            )
            if prepare is not None:
                request = prepare(request, call)
            response = self._request(call, service.botocore_name, endpoint, operation, request)
        except ParameterError as problem:
            raise validation_failure(
                problem,
                prefix=service.prefix,
                sdk=False,
                java_service=service.java_service,
                base_exception=service.base_exception,
            ) from None
        except ClientError as error:
            raise optimised_failure(
                error,
                prefix=service.prefix,
                java_service=service.java_service,
                base_exception=service.base_exception,
                service_model=model,
            ) from None
        except BotoCoreError as error:
            raise unreachable_failure(error, prefix=service.prefix, endpoint_url=endpoint) from None
        result = shape_result(response, operation_model.output_shape, sdk=False)
        check = service.check.get(action)
        if check is not None:
            result = check(result)
        request_id = response.get("ResponseMetadata", {}).get("RequestId")
        return with_sdk_metadata(result, request_id)

    def _call_sdk(self, call: TaskCall) -> Any:
        resource = call.resource
        operation = sdk_operation(resource.sdk_service, resource.action)
        if operation is None:
            raise not_recognised(resource.arn)
        prefix = operation.prefix
        endpoint = self._endpoint(call, operation.model.service_id, prefix)
        try:
            request = build_request(call.parameters, operation.input_shape)
            response = self._request(
                call, operation.botocore_name, endpoint, operation.operation, request
            )
        except ParameterError as problem:
            raise validation_failure(problem, prefix=prefix, sdk=True) from None
        except ClientError as error:
            raise sdk_failure(error, prefix=prefix, service_model=operation.model) from None
        except BotoCoreError as error:
            raise unreachable_failure(error, prefix=prefix, endpoint_url=endpoint) from None
        return shape_result(response, operation.output_shape, sdk=True)

    # -- plumbing ---------------------------------------------------------------------------
    @staticmethod
    def _answer(call: TaskCall, work: Any) -> None:
        try:
            result = work(call)
        except TaskFailure as failure:
            call.failed(failure.error, failure.cause)
            return
        call.returned(result)

    @staticmethod
    def _fail(call: TaskCall, failure: TaskFailure) -> None:
        call.failed(failure.error, failure.cause)

    @staticmethod
    def _not_forwarded(call: TaskCall) -> TaskFailure:
        resource = call.resource
        return TaskFailure(
            f"{service_error_prefix(resource)}.AWSException",
            f"The local engine does not forward the optimised integration {resource.arn}: "
            f"name the state '{call.state_name}' in a mock configuration (SFN_MOCK_CONFIG), "
            f"or call the service through arn:aws:states:::aws-sdk:{resource.service}:"
            f"{resource.action}.",
        )

    def _env(self) -> Mapping[str, str]:
        return os.environ if self._environ is None else self._environ

    def _endpoint(self, call: TaskCall, service_id: str, prefix: str) -> str:
        endpoint = endpoint_for(service_id, self._env())
        if endpoint is None:
            raise TaskFailure(
                f"{prefix}.AWSException",
                f"The local engine cannot call {call.resource.arn}: no endpoint is configured "
                f"for {service_id}. Set {endpoint_variable(service_id)} (or "
                f"{GLOBAL_ENDPOINT_VARIABLE}) to a service or emulator such as moto's server, "
                f"or name the state '{call.state_name}' in a mock configuration "
                "(SFN_MOCK_CONFIG).",
            )
        return endpoint

    def _request(
        self, call: TaskCall, botocore_name: str, endpoint: str, operation: str, request: dict
    ) -> dict[str, Any]:
        client = self._client(botocore_name, endpoint, call.region or self.region)
        try:
            return getattr(client, xform_name(operation))(**request)
        except ParamValidationError as error:  # what build_request's checks let through
            raise ParameterError(str(error.kwargs.get("report", error))) from None

    def _client(self, botocore_name: str, endpoint: str, region: str) -> Any:
        env = self._env()
        access_key = env.get("AWS_ACCESS_KEY_ID") or DUMMY_CREDENTIAL
        key = (botocore_name, endpoint, region, access_key)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                session = boto3.session.Session(
                    aws_access_key_id=access_key,
                    aws_secret_access_key=env.get("AWS_SECRET_ACCESS_KEY") or DUMMY_CREDENTIAL,
                    aws_session_token=env.get("AWS_SESSION_TOKEN") or None,
                    region_name=region,
                )
                client = session.client(botocore_name, endpoint_url=endpoint, config=self._config)
                self._clients[key] = client
            return client


__all__ = ["DUMMY_CREDENTIAL", "ServiceForwarder"]
