"""Lambda functions on the local engine, for both Task resource forms.

``functions.LambdaFunctions`` is the integration: in-process callables (``inprocess``), a cloud
assembly's Python functions in worker processes (``workers``, ``assembly``), and a Lambda
endpoint for the rest (``endpoint``); ``results`` shapes Lambda's answers as Step Functions
records them; ``context`` is the handler's context object; ``base`` what they share.
"""

from __future__ import annotations

from .base import Backend, FunctionConfig, InvokeRequest, InvokeResult, error_result, timed_out
from .context import LambdaContext
from .endpoint import EndpointBackend, LambdaServiceError
from .functions import LambdaFunctions, split_function_name
from .inprocess import CallableBackend

__all__ = [
    "Backend",
    "CallableBackend",
    "EndpointBackend",
    "FunctionConfig",
    "InvokeRequest",
    "InvokeResult",
    "LambdaContext",
    "LambdaFunctions",
    "LambdaServiceError",
    "error_result",
    "split_function_name",
    "timed_out",
]
