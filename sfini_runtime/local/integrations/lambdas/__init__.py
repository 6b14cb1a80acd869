"""Lambda functions on the local engine, for both Task resource forms.

``functions.LambdaFunctions`` is the integration: in-process callables (``inprocess``), a cloud
assembly's Python functions (found by ``assembly``) in worker processes (``workers``; the process
is ``worker_main``, ``frames`` its pipe protocol), and a Lambda endpoint for the rest
(``endpoint``); ``results`` shapes Lambda's answers as Step Functions
records them; ``context`` is the handler's context object; ``base`` what they share.
"""

from __future__ import annotations

from .assembly import AssemblyFunction, FunctionCodeError, read_function
from .base import Backend, FunctionConfig, InvokeRequest, InvokeResult, error_result, timed_out
from .context import LambdaContext
from .endpoint import EndpointBackend, LambdaServiceError
from .functions import LambdaFunctions, split_function_name
from .inprocess import CallableBackend
from .workers import ProcessBackend, function_environment

__all__ = [
    "AssemblyFunction",
    "Backend",
    "CallableBackend",
    "EndpointBackend",
    "FunctionCodeError",
    "FunctionConfig",
    "InvokeRequest",
    "InvokeResult",
    "LambdaContext",
    "LambdaFunctions",
    "LambdaServiceError",
    "ProcessBackend",
    "error_result",
    "function_environment",
    "read_function",
    "split_function_name",
    "timed_out",
]
