"""Which endpoint a forwarded service call goes to, and botocore's model of that service.

The endpoint comes from the variables boto3 itself reads, looked up when the call is made:
``AWS_ENDPOINT_URL_<SERVICE_ID>`` (the service id in upper case, spaces as ``_``:
``AWS_ENDPOINT_URL_SQS``, ``AWS_ENDPOINT_URL_DYNAMODB``, ``AWS_ENDPOINT_URL_EVENTBRIDGE``),
then ``AWS_ENDPOINT_URL``. Without either the call is refused: the engine never lets boto3
fall back to AWS's own endpoints.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from typing import Any

import botocore.session
from botocore.exceptions import UnknownServiceError

#: boto3's variable for every service's endpoint
GLOBAL_ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL"

_session_lock = threading.Lock()
_session: Any = None
_models: dict[str, Any] = {}


def _botocore_session() -> Any:
    global _session
    if _session is None:
        _session = botocore.session.get_session()
    return _session


def service_model(botocore_name: str) -> Any:
    """botocore's ``ServiceModel`` of a service (loaded once; ``None`` if botocore has none)."""
    with _session_lock:
        if botocore_name not in _models:
            try:
                _models[botocore_name] = _botocore_session().get_service_model(botocore_name)
            except UnknownServiceError:
                _models[botocore_name] = None
        return _models[botocore_name]


def available_services() -> list[str]:
    """Every service botocore has a model of."""
    with _session_lock:
        return list(_botocore_session().get_available_services())


def endpoint_variable(service_id: str) -> str:
    """The service's own variable: ``AWS_ENDPOINT_URL_`` and its id (``SFN``, ``DYNAMODB``)."""
    return f"{GLOBAL_ENDPOINT_VARIABLE}_{service_id.replace(' ', '_').upper()}"


def endpoint_for(service_id: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The endpoint the variables name for ``service_id`` now (None when neither is set)."""
    env = os.environ if environ is None else environ
    return env.get(endpoint_variable(service_id)) or env.get(GLOBAL_ENDPOINT_VARIABLE) or None


__all__ = [
    "GLOBAL_ENDPOINT_VARIABLE",
    "available_services",
    "endpoint_for",
    "endpoint_variable",
    "service_model",
]
