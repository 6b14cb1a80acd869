"""Running a CDK app from the command line: bad input ends in one line, not a traceback.

``cdk synth`` runs the app as a program and shows what it prints. An invalid definition, two
activities with one name or a name AWS rejects are the user's input, not a bug: the message
(which names the state or resource) is the whole story, so ``synthesise`` prints it as one
``Error: ...`` line and exits with status 1. A failure inside aws-cdk-lib (a jsii error, which
carries the JavaScript stack) is shortened to its first line the same way; set
``SFINI_TRACEBACK=1`` to see the traceback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from sfini_cdk.errors import DuplicateActivity, InvalidDefinition

if TYPE_CHECKING:
    import aws_cdk as cdk
    from aws_cdk import cx_api

#: Errors that describe the user's input (definitions, names, options).
INPUT_ERRORS: tuple[type[Exception], ...] = (InvalidDefinition, DuplicateActivity)
TRACEBACK_SWITCH = "SFINI_TRACEBACK"


def error_line(error: BaseException) -> str:
    """``Error: <first line of the message>`` (the class name when there is no message)."""
    lines = str(error).strip().splitlines()
    first = lines[0].strip() if lines else type(error).__name__
    return f"Error: {first.removeprefix('Error: ')}"


def is_reported_in_one_line(error: BaseException) -> bool:
    """Whether ``error`` is bad input or aws-cdk-lib's (jsii raises ``JSIIError`` or
    ``RuntimeError`` from the ``JavaScriptError`` holding the JavaScript stack)."""
    from jsii.errors import JavaScriptError, JSIIError

    return isinstance(error, (*INPUT_ERRORS, JSIIError)) or isinstance(
        error.__cause__, JavaScriptError
    )


def synthesise(build: Callable[[], cdk.App]) -> cx_api.CloudAssembly:
    """Build the app with ``build`` and synthesise it.

    Errors of the input (``InvalidDefinition`` and its subclasses, ``DuplicateActivity``) and
    aws-cdk-lib's own errors (what jsii raises from a JavaScript error) raised while building
    or synthesising print one ``Error: ...`` line on stderr and exit with status 1.

    Args:
        build: makes the app (import the workflow modules inside it, so that their errors are
            caught too)

    Returns:
        the cloud assembly
    """
    try:
        return build().synth()
    except Exception as error:
        wanted = os.environ.get(TRACEBACK_SWITCH, "").strip() not in ("", "0")
        if wanted or not is_reported_in_one_line(error):
            raise
        print(error_line(error), file=sys.stderr)
        raise SystemExit(1) from None
