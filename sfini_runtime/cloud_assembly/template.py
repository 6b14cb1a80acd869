"""A stack's CloudFormation template, read and checked to be shaped like one."""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sfini_runtime.cloud_assembly.errors import CloudAssemblyError, MalformedTemplate, json_type

__all__ = ["Template", "load_template"]

#: what reading a resource's properties raises when they have unexpected shapes
_SHAPE_ERRORS = (TypeError, KeyError, AttributeError, IndexError, ValueError)


@dataclasses.dataclass(frozen=True)
class Template:
    """A template whose ``Resources`` (each an object with object ``Properties``) are checked;
    ``Outputs`` and ``Parameters`` are checked when first used."""

    path: Path
    body: dict[str, Any]

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        """The resources, by logical id."""
        return self._section("Resources")

    @property
    def outputs(self) -> dict[str, Any]:
        """The outputs, by name (their values are not checked)."""
        return self._section("Outputs")

    @property
    def parameters(self) -> dict[str, Any]:
        """The parameters, by name (their specs are not checked)."""
        return self._section("Parameters")

    def properties(self, logical_id: str) -> dict[str, Any]:
        """The ``Properties`` of the resource ``logical_id`` ({} if none, or no such resource)."""
        return (self.resources.get(logical_id) or {}).get("Properties") or {}

    def resource_type(self, logical_id: str) -> str | None:
        """The ``Type`` of the resource ``logical_id`` (None if none, or not a string)."""
        kind = (self.resources.get(logical_id) or {}).get("Type")
        return kind if isinstance(kind, str) else None

    @contextlib.contextmanager
    def guard(self, logical_id: str) -> Iterator[None]:
        """Read the resource ``logical_id`` inside: a property of a shape the reading cannot
        handle (a ``TypeError``, ``KeyError``, ...) is a ``MalformedTemplate`` naming the file
        and the resource."""
        try:
            yield
        except CloudAssemblyError:
            raise
        except _SHAPE_ERRORS as error:
            problem = f"{type(error).__name__}: {error}"
            raise MalformedTemplate(
                f"{self.path}: resource {logical_id!r} is malformed ({problem})"
            ) from None

    def _section(self, section: str) -> dict[str, Any]:
        value = self.body.get(section)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise MalformedTemplate(
                f"{self.path} is not a CloudFormation template: {section!r} is a JSON "
                f"{json_type(value)}, not an object"
            )
        return value


def load_template(path: Path) -> Template:
    """The template in ``path``.

    Raises:
        MalformedTemplate: the file cannot be read, is not JSON, is not a template, or a
            resource (or its ``Properties``) is not an object; the message names the file
    """
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        problem = error.strerror or str(error)
        raise MalformedTemplate(f"cannot read the template {path}: {problem}") from None
    except ValueError as error:
        raise MalformedTemplate(f"the template {path} is not valid JSON: {error}") from None
    if not isinstance(body, dict):
        raise MalformedTemplate(
            f"{path} is not a CloudFormation template: it is a JSON {json_type(body)}, "
            "not an object"
        )
    template = Template(path, body)
    for logical_id, resource in template.resources.items():
        if not isinstance(resource, dict):
            raise MalformedTemplate(
                f"{path}: resource {logical_id!r} is a JSON {json_type(resource)}, not an object"
            )
        properties = resource.get("Properties")
        if properties is not None and not isinstance(properties, dict):
            raise MalformedTemplate(
                f"{path}: the Properties of {logical_id!r} are a JSON {json_type(properties)}, "
                "not an object"
            )
    return template
