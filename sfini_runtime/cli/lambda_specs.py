"""``--lambda NAME=MODULE:FUNCTION`` and ``--lambda-endpoint URL`` of ``sfini local serve``."""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Callable, Iterable
from typing import Any

from sfini_runtime.runner.loading import LoadError, load_object

__all__ = ["LambdaSpecError", "lambda_endpoint", "lambda_handlers"]

#: boto3's own variable for a Lambda endpoint
LAMBDA_ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL_LAMBDA"


class LambdaSpecError(ValueError):
    """A ``--lambda`` or ``--lambda-endpoint`` value that cannot be used."""


def lambda_handlers(specs: Iterable[str]) -> dict[str, Callable[[Any, Any], Any]]:
    """``{function name: handler}`` from ``NAME=MODULE:FUNCTION`` specs (the current
    directory is importable); a malformed spec, a duplicate name, or a module or attribute
    that does not exist or is not callable raises :class:`LambdaSpecError`."""
    from sfini_runtime.local.integrations.lambdas import split_function_name

    handlers: dict[str, Callable[[Any, Any], Any]] = {}
    for spec in specs:
        name, equals, target = spec.partition("=")
        module, colon, function = target.partition(":")
        if not equals or not colon or not name or not module or not function:
            raise LambdaSpecError(f"--lambda {spec!r}: expected NAME=MODULE:FUNCTION")
        try:
            function_name, _ = split_function_name(name)
        except ValueError:
            raise LambdaSpecError(
                f"--lambda {spec!r}: {name!r} is not a Lambda function name or ARN"
            ) from None
        if function_name in handlers:
            raise LambdaSpecError(f"--lambda {spec!r}: function {function_name!r} given twice")
        try:
            handler = load_object(target)
        except LoadError as error:
            raise LambdaSpecError(f"--lambda {spec!r}: {error}") from None
        if not callable(handler):
            raise LambdaSpecError(
                f"--lambda {spec!r}: {target} is not callable (a {type(handler).__name__})"
            )
        handlers[function_name] = handler
    return handlers


def lambda_endpoint(url: str | None) -> str | None:
    """The Lambda endpoint to use: ``url``, else ``$AWS_ENDPOINT_URL_LAMBDA``, else None;
    one that is not an http(s) URL with a host raises :class:`LambdaSpecError`."""
    source = "--lambda-endpoint"
    if not url:
        url, source = os.environ.get(LAMBDA_ENDPOINT_VARIABLE) or None, LAMBDA_ENDPOINT_VARIABLE
    if url is None:
        return None
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise LambdaSpecError(f"{source} {url!r} is not an http:// or https:// URL")
    return url
