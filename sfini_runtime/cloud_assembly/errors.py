"""The errors of reading a cloud assembly: one hierarchy, rooted at ``CloudAssemblyError``.

Every message names the file (and the artifact, resource or field) it is about.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "CloudAssemblyError",
    "MalformedManifest",
    "MalformedTemplate",
    "NotACloudAssembly",
    "StackNotFound",
    "UnresolvableValue",
    "UnsupportedIntrinsic",
    "json_type",
]


class CloudAssemblyError(ValueError):
    """A cloud assembly cannot be read, or a value in one of its templates cannot be resolved."""


class NotACloudAssembly(CloudAssemblyError):
    """A directory is missing or holds no cloud assembly (no ``manifest.json``)."""


class MalformedManifest(CloudAssemblyError):
    """A ``manifest.json`` cannot be read or is not shaped like a cloud assembly manifest."""


class MalformedTemplate(CloudAssemblyError):
    """A stack's template cannot be read, is not a CloudFormation template, or one of its
    resources is not shaped as its type needs."""


class StackNotFound(CloudAssemblyError):
    """No stack of the assembly has the name asked for."""


class UnsupportedIntrinsic(CloudAssemblyError):
    """A template uses an intrinsic function that cannot be evaluated outside CloudFormation
    (``Fn::ImportValue``, ``Fn::If``, ...)."""


class UnresolvableValue(CloudAssemblyError):
    """A value is only known once CloudFormation deploys the stack (a generated name, a
    parameter without a default)."""


def json_type(value: Any) -> str:
    """The JSON name of ``value``'s type (for messages)."""
    names = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), "number")
