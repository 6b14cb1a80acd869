"""Amazon States Language: the middle of sfini's data flow, as JSON in and JSON out.

Python objects (``sfini_cdk``) render to ASL; ASL goes to CloudFormation (``sfini_cdk.constructs``),
to the local engine (``sfini_runtime.local``) and to AWS. This package is what both sides read ASL
with: JSONPath (``jsonpath``), intrinsic functions (``intrinsics``), Choice Rules
(``choice_rules``), timestamps (``timestamps``), the specification as data (``spec``), and one
checker written as rules (``checker``: ``check_definition(asl)`` returns the diagnostics
ValidateStateMachineDefinition would). It imports neither side.
"""

from __future__ import annotations

from sfini_asl._lazy import lazy_exports

_EXPORTS = {
    "Diagnostic": "sfini_asl.diagnostics",
    "check_definition": "sfini_asl.checker",
    "CompiledPath": "sfini_asl.jsonpath",
    "PathNotFound": "sfini_asl.jsonpath",
    "PathSyntaxError": "sfini_asl.jsonpath",
    "compile_path": "sfini_asl.jsonpath",
    "IntrinsicSyntaxError": "sfini_asl.intrinsics",
    "parse_intrinsic": "sfini_asl.intrinsics",
    "TimestampFormatError": "sfini_asl.timestamps",
    "is_timestamp": "sfini_asl.timestamps",
    "parse_timestamp": "sfini_asl.timestamps",
}

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
