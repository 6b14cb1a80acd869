"""``LambdaFunctions``: the engine's Lambda service, for both Task resource forms.

A function is found the way Lambda resolves ``FunctionName``: a name, a full or partial ARN,
with or without a qualifier (every qualifier runs the same code here). Functions served in this
process (callables, a cloud assembly's Python functions in worker processes) come first; the
others go to the Lambda endpoint when there is one, else fail as Lambda's
``ResourceNotFoundException``. Region and account in an ARN are not compared: one engine is
one account and region.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sfini_runtime.local.interpreter.task_calls import TaskCall
from sfini_runtime.local.interpreter.task_resources import LAMBDA_FUNCTION

from .base import (
    DEFAULT_MEMORY_MB,
    DEFAULT_TIMEOUT_SECONDS,
    Backend,
    FunctionConfig,
    InvokeRequest,
    InvokeResult,
    timed_out,
)
from .endpoint import EndpointBackend, LambdaServiceError
from .inprocess import CallableBackend
from .results import function_failure, invoke_response, payload_value, service_failure

log = logging.getLogger(__name__)

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
# name | partial ARN (ACCOUNT:function:NAME) | full ARN, each with an optional :QUALIFIER
_FUNCTION_NAME = re.compile(
    r"^(?:arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:|\d{12}:function:)?"
    r"(?P<name>[A-Za-z0-9_-]{1,140})(?::(?P<qualifier>\$LATEST|[A-Za-z0-9_-]{1,128}))?$"
)
#: seconds a backend that times functions out itself gets beyond the time-out before ours fires
_BACKSTOP_SECONDS = 2.0
INVOCATION_TYPES = ("RequestResponse", "Event", "DryRun")


def split_function_name(reference: str) -> tuple[str, str | None]:
    """(name, qualifier) of a FunctionName; raises ValueError when it is none."""
    match = _FUNCTION_NAME.match(reference) if isinstance(reference, str) else None
    if match is None:
        raise ValueError(reference)
    return match["name"], match["qualifier"]


@dataclass
class _Served:
    config: FunctionConfig
    backend: Backend
    reserved_concurrency: int | None = None
    running: int = 0


class LambdaFunctions:
    """The Lambda functions an engine runs: in-process callables (:meth:`register`), a cloud
    assembly's functions (:meth:`add`), and a Lambda endpoint for the rest."""

    def __init__(self, *, region: str, account_id: str, endpoint_url: str | None = None) -> None:
        self.region = region
        self.account_id = account_id
        self.endpoint_url = endpoint_url
        self.endpoint = EndpointBackend(endpoint_url, region) if endpoint_url else None
        self._served: dict[str, _Served] = {}
        self._unserved: dict[str, tuple[str, str]] = {}
        self._lock = threading.Lock()

    # -- what is served ---------------------------------------------------------------------
    def arn(self, name: str) -> str:
        """The ARN of a function of this engine's account and region."""
        return f"arn:aws:lambda:{self.region}:{self.account_id}:function:{name}"

    def register(
        self,
        name_or_arn: str,
        handler: Callable[[Any, Any], Any],
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        memory_mb: int = DEFAULT_MEMORY_MB,
        environment: dict[str, str] | None = None,
        reserved_concurrency: int | None = None,
    ) -> FunctionConfig:
        """Serve ``name_or_arn`` with ``handler(event, context)`` (also while running).
        ``reserved_concurrency`` caps invocations at once (more: TooManyRequestsException)."""
        try:
            name, _ = split_function_name(name_or_arn)
        except ValueError:
            raise ValueError(f"not a Lambda function name or ARN: {name_or_arn!r}") from None
        config = FunctionConfig(
            name=name,
            arn=self.arn(name),
            timeout_seconds=float(timeout),
            memory_mb=memory_mb,
            environment=dict(environment or {}),
        )
        self.add(config, CallableBackend(handler), reserved_concurrency=reserved_concurrency)
        return config

    def add(
        self, config: FunctionConfig, backend: Backend, *, reserved_concurrency: int | None = None
    ) -> None:
        """Serve the function ``config`` with ``backend`` (replacing one of that name)."""
        with self._lock:
            previous = self._served.get(config.name)
            self._served[config.name] = _Served(config, backend, reserved_concurrency)
            self._unserved.pop(config.name, None)
        if previous is not None and previous.backend is not backend:
            previous.backend.close()

    def not_served(self, name: str, arn: str, reason: str) -> None:
        """Record a function that exists (in a cloud assembly) but cannot run here."""
        with self._lock:
            if name not in self._served:
                self._unserved[name] = (arn, reason)

    def served(self) -> list[FunctionConfig]:
        """The functions this engine runs itself."""
        with self._lock:
            return [entry.config for entry in self._served.values()]

    def unserved(self) -> list[tuple[str, str, str]]:
        """(name, ARN, reason) of the known functions it cannot run."""
        with self._lock:
            return [(name, arn, reason) for name, (arn, reason) in self._unserved.items()]

    def describe(self) -> list[str]:
        """One line per known function (served here, or not and why) and the endpoint."""
        lines = []
        for config in self.served():
            how = f"{config.runtime} {config.handler}" if config.runtime else "in-process"
            lines.append(f"Lambda {config.name}: served ({how})")
        for name, _arn, reason in self.unserved():
            lines.append(f"Lambda {name}: not served: {reason}")
        if self.endpoint_url:
            lines.append(f"other Lambda functions: invoked at {self.endpoint_url}")
        return lines

    def close(self) -> None:
        """Stop every backend (worker processes, the endpoint's client)."""
        with self._lock:
            entries = list(self._served.values())
        for entry in entries:
            try:
                entry.backend.close()
            except Exception:  # one backend failing to close must not keep the others
                log.exception("closing the Lambda function %s failed", entry.config.name)
        if self.endpoint is not None:
            self.endpoint.close()

    # -- the integration --------------------------------------------------------------------
    def invoke(self, call: TaskCall) -> None:
        """Run a Task's invocation (both resource forms)."""
        resource = call.resource
        legacy = resource.kind == LAMBDA_FUNCTION
        options: dict[str, Any] = {}
        if legacy:
            reference: Any = resource.arn
            payload_value_: Any = call.parameters
        else:
            parameters = call.parameters if isinstance(call.parameters, dict) else {}
            reference = parameters.get("FunctionName")
            payload_value_ = parameters.get("Payload", {})
            for key in ("InvocationType", "Qualifier", "ClientContext", "LogType"):
                if key in parameters:
                    options[key] = parameters[key]
            problem = _check_parameters(call.parameters, reference, options)
            if problem is not None:
                call.failed(
                    *service_failure(LambdaServiceError("InvalidParameterValueException", problem))
                )
                return
        try:
            name, qualifier = split_function_name(reference)
        except ValueError:
            message = (
                f"1 validation error detected: Value '{reference}' at 'functionName' failed to "
                "satisfy constraint: Member must satisfy regular expression pattern: "
                "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?"
                "(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?"
            )
            call.failed(*service_failure(LambdaServiceError("ValidationException", message)))
            return
        qualifier = options.get("Qualifier") or qualifier
        payload = _encode(payload_value_).encode()
        with self._lock:
            entry = self._served.get(name)
        if entry is None:
            self._invoke_elsewhere(call, name, qualifier, payload, options, legacy)
            return
        self._invoke_served(call, entry, qualifier, payload, options, legacy)

    def _invoke_served(
        self,
        call: TaskCall,
        entry: _Served,
        qualifier: str | None,
        payload: bytes,
        options: dict[str, Any],
        legacy: bool,
    ) -> None:
        config = entry.config
        request_id = str(uuid.uuid4())
        with self._lock:
            limit = entry.reserved_concurrency
            if limit is not None and entry.running >= limit:
                throttled = True
            else:
                throttled = False
                entry.running += 1
        if throttled:
            call.failed(
                *service_failure(
                    LambdaServiceError("TooManyRequestsException", "Rate Exceeded.", 429)
                )
            )
            return
        invocation_type = options.get("InvocationType", "RequestResponse")
        invoked_arn = config.arn + (f":{qualifier}" if qualifier else "")
        version = qualifier if qualifier and qualifier.isdigit() else config.version
        request = InvokeRequest(
            payload=payload,
            request_id=request_id,
            invoked_arn=invoked_arn,
            deadline_ms=time.time() * 1000 + config.timeout_seconds * 1000,
            client_context=options.get("ClientContext"),
        )
        done = threading.Lock()  # the first answer (result or our time-out) wins
        answered = [False]

        def finish(result: InvokeResult) -> None:
            with done:
                if answered[0]:
                    return
                answered[0] = True
            with self._lock:
                entry.running -= 1
            if invocation_type == "Event":
                result = InvokeResult(b"", None, 202, version)
            elif invocation_type == "DryRun":
                result = InvokeResult(b"", None, 204, version)
            elif result.executed_version != version and result.function_error is None:
                result = InvokeResult(
                    result.payload, None, result.status_code, version, result.log_result
                )
            self._answer(call, result, request_id, legacy)

        def work() -> None:
            if invocation_type == "DryRun":
                finish(InvokeResult(b"", None, 204, version))
                return
            try:
                result = entry.backend.invoke(config, request)
            except LambdaServiceError as exc:
                with done:
                    if answered[0]:
                        return
                    answered[0] = True
                with self._lock:
                    entry.running -= 1
                call.failed(*service_failure(exc))
                return
            finish(result)

        backstop = getattr(entry.backend, "enforces_timeout", False)
        delay = config.timeout_seconds + (_BACKSTOP_SECONDS if backstop else 0.0)
        scheduler = call.host.scheduler
        timer = scheduler.call_later(
            delay, scheduler.defer, finish, timed_out(request_id, config.timeout_seconds)
        )
        call.on_cancel(timer.cancel)
        if invocation_type == "Event":
            # asynchronous: Lambda accepts at once and the function runs on its own
            call.run_in_thread(work)
            finish(InvokeResult(b"", None, 202, version))
            return
        call.run_in_thread(work)

    def _invoke_elsewhere(
        self,
        call: TaskCall,
        name: str,
        qualifier: str | None,
        payload: bytes,
        options: dict[str, Any],
        legacy: bool,
    ) -> None:
        endpoint = self.endpoint
        if endpoint is None:
            with self._lock:
                unserved = self._unserved.get(name)
            arn = self.arn(name) + (f":{qualifier}" if qualifier else "")
            message = f"Function not found: {arn}"
            if unserved is not None:
                message += f" (the local engine cannot run it: {unserved[1]})"
            else:
                message += (
                    " (the local engine serves no such function: register a handler, load a "
                    "cloud assembly that defines it, or set AWS_ENDPOINT_URL_LAMBDA)"
                )
            call.failed(
                *service_failure(LambdaServiceError("ResourceNotFoundException", message, 404))
            )
            return
        request_id = str(uuid.uuid4())

        def work() -> None:
            try:
                result = endpoint.invoke_function(
                    self.arn(name),
                    payload,
                    invocation_type=options.get("InvocationType", "RequestResponse"),
                    qualifier=qualifier,
                    client_context=options.get("ClientContext"),
                    log_type=options.get("LogType"),
                )
            except LambdaServiceError as exc:
                call.failed(*service_failure(exc))
                return
            self._answer(call, result, request_id, legacy)

        call.run_in_thread(work)

    @staticmethod
    def _answer(call: TaskCall, result: InvokeResult, request_id: str, legacy: bool) -> None:
        if result.function_error:
            call.failed(*function_failure(result))
        elif legacy:
            call.returned(payload_value(result) if result.payload else None)
        else:
            call.returned(invoke_response(result, request_id))


def _check_parameters(parameters: Any, reference: Any, options: dict[str, Any]) -> str | None:
    """What Lambda would refuse in a ``lambda:invoke`` Task's parameters (None: fine)."""
    if not isinstance(parameters, dict):
        return "The Parameters of a lambda:invoke Task must be an object"
    if reference is None:
        return "FunctionName is required"
    if not isinstance(reference, str):
        return "FunctionName must be a string"
    invocation_type = options.get("InvocationType")
    if invocation_type is not None and invocation_type not in INVOCATION_TYPES:
        return (
            f"1 validation error detected: Value '{invocation_type}' at 'invocationType' failed "
            "to satisfy constraint: Member must satisfy enum value set: [Event, "
            "RequestResponse, DryRun]"
        )
    context = options.get("ClientContext")
    if context is not None:
        try:
            base64.b64decode(context, validate=True)
        except (TypeError, ValueError):
            return "Client context must be a valid Base64-encoded JSON object."
    return None


__all__ = ["INVOCATION_TYPES", "LambdaFunctions", "split_function_name"]
