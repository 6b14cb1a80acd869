"""Reading a CDK cloud assembly (``cdk.out``): its stacks, their templates, and the values of
the templates' intrinsic functions.

``read_stacks`` lists the stacks of the manifest (nested assemblies and stages included) with
their names, artifact ids, construct paths, environments and template paths;
``Stack.template()`` / ``load_template`` read a template; ``Resolver`` evaluates its intrinsic
functions for a region and account. Everything that goes wrong is a ``CloudAssemblyError``
naming the file (and the artifact, resource or field).

Used by ``sfini_runtime.discovery`` (the ARNs a deployed assembly defines) and by the local
engine (``sfini_runtime.local.service.cdk_out``: creating an assembly's resources).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sfini_asl._lazy import lazy_exports

if TYPE_CHECKING:
    from sfini_runtime.cloud_assembly.errors import (
        CloudAssemblyError,
        MalformedManifest,
        MalformedTemplate,
        NotACloudAssembly,
        StackNotFound,
        UnresolvableValue,
        UnsupportedIntrinsic,
    )
    from sfini_runtime.cloud_assembly.manifest import Stack, read_stacks
    from sfini_runtime.cloud_assembly.resolver import (
        ACTIVITY_METADATA,
        ACTIVITY_TYPE,
        ALIAS_TYPE,
        FUNCTION_TYPE,
        NAME_PROPERTIES,
        STATE_MACHINE_TYPE,
        VERSION_TYPE,
        Resolver,
    )
    from sfini_runtime.cloud_assembly.template import Template, load_template

_ERRORS = "sfini_runtime.cloud_assembly.errors"
_RESOLVER = "sfini_runtime.cloud_assembly.resolver"
_EXPORTS = {
    "CloudAssemblyError": _ERRORS,
    "MalformedManifest": _ERRORS,
    "MalformedTemplate": _ERRORS,
    "NotACloudAssembly": _ERRORS,
    "StackNotFound": _ERRORS,
    "UnresolvableValue": _ERRORS,
    "UnsupportedIntrinsic": _ERRORS,
    "Stack": "sfini_runtime.cloud_assembly.manifest",
    "read_stacks": "sfini_runtime.cloud_assembly.manifest",
    "Template": "sfini_runtime.cloud_assembly.template",
    "load_template": "sfini_runtime.cloud_assembly.template",
    "ACTIVITY_METADATA": _RESOLVER,
    "ACTIVITY_TYPE": _RESOLVER,
    "ALIAS_TYPE": _RESOLVER,
    "VERSION_TYPE": _RESOLVER,
    "FUNCTION_TYPE": _RESOLVER,
    "NAME_PROPERTIES": _RESOLVER,
    "STATE_MACHINE_TYPE": _RESOLVER,
    "Resolver": _RESOLVER,
}

__all__ = [
    "ACTIVITY_METADATA",
    "ACTIVITY_TYPE",
    "ALIAS_TYPE",
    "FUNCTION_TYPE",
    "NAME_PROPERTIES",
    "STATE_MACHINE_TYPE",
    "VERSION_TYPE",
    "CloudAssemblyError",
    "MalformedManifest",
    "MalformedTemplate",
    "NotACloudAssembly",
    "Resolver",
    "Stack",
    "StackNotFound",
    "Template",
    "UnresolvableValue",
    "UnsupportedIntrinsic",
    "load_template",
    "read_stacks",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
