"""The constructor an event class's declared fields make, in sfini 0.1.0's argument order:
``timestamp, event_type, event_id``, the required fields, ``previous_event_id=None``, then the
optional fields with their defaults.

It is compiled from the declarations (as ``dataclasses`` does), so it is an ordinary function:
its signature, its ``TypeError`` messages and its speed are those of one written out by hand.
"""

from __future__ import annotations

import datetime
import keyword
from collections.abc import Callable, Sequence
from typing import Any

from sfini_runtime.execution.history.fields import Field

__all__ = ["InvalidFieldName", "declared_init"]


class InvalidFieldName(ValueError):
    """A declared field's name cannot be an argument's name."""


_BASE = ("timestamp", "event_type", "event_id", "previous_event_id")


def _check_names(fields: Sequence[Field]) -> None:
    seen = set(_BASE) | {"self"}
    for field in fields:
        if not field.name.isidentifier() or keyword.iskeyword(field.name):
            raise InvalidFieldName(f"{field.name!r} is not a Python identifier")
        if field.name in seen:
            raise InvalidFieldName(f"{field.name!r} is declared twice or is a base argument")
        seen.add(field.name)


def declared_init(
    qualname: str, module: str, fields: Sequence[Field], base_init: Callable[..., None]
) -> Callable[..., None]:
    """An ``__init__`` taking ``fields`` (every field, inherited ones first): it calls
    ``base_init(self, timestamp, event_type, event_id, previous_event_id)``, then sets each
    field's attribute, in declaration order."""
    _check_names(fields)
    required = [field.name for field in fields if field.required]
    optional = [field.name for field in fields if not field.required]
    arguments = ["self", *_BASE[:3], *required, "previous_event_id=None"]
    arguments += [f"{name}=_defaults[{name!r}]" for name in optional]
    body = [f"    _base_init(self, {', '.join(_BASE)})"]
    body += [f"    self.{field.name} = {field.name}" for field in fields]
    source = f"def __init__({', '.join(arguments)}):\n" + "\n".join(body) + "\n"
    namespace: dict[str, Any] = {
        "_base_init": base_init,
        "_defaults": {field.name: field.default for field in fields if not field.required},
    }
    exec(compile(source, f"<{qualname}.__init__>", "exec"), namespace)
    init: Callable[..., None] = namespace["__init__"]
    init.__qualname__ = f"{qualname}.__init__"
    init.__module__ = module
    init.__annotations__ = {
        "timestamp": datetime.datetime | None,
        "event_type": str,
        "event_id": int,
        **{field.name: field.type for field in fields if field.required},
        "previous_event_id": int | None,
        **{field.name: field.type for field in fields if not field.required},
        "return": None,
    }
    return init
