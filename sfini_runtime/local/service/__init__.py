"""The Step Functions-compatible HTTP API in front of the interpreter.

``protocol`` (AWS JSON 1.0), ``validation`` (requests against botocore's service model),
``pagination``, ``store`` (resources), ``operations`` (one handler per API operation),
``service`` (dispatch), ``server`` (HTTP/1.1), ``connections`` (time-outs, the connection
cap), ``local_engine`` (``LocalEngine``, ``serve``), ``cdk_out`` (pre-creating a cloud
assembly's resources). ARNs are built and parsed by ``sfini_runtime.arns``.
"""

from __future__ import annotations

from sfini_runtime.local.service.connections import ConnectionLimits
from sfini_runtime.local.service.local_engine import LocalEngine, serve
from sfini_runtime.local.service.server import StepFunctionsHTTPServer
from sfini_runtime.local.service.service import StepFunctionsService

__all__ = [
    "ConnectionLimits",
    "LocalEngine",
    "StepFunctionsHTTPServer",
    "StepFunctionsService",
    "serve",
]
