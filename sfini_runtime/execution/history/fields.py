"""What an event class declares: the fields it reads from its details."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

__all__ = ["NOT_GIVEN", "REQUIRED", "Field"]


class _NotGiven:
    """A value the event did not carry (``None`` would mean JSON null)."""

    _instance: ClassVar[_NotGiven | None] = None

    def __new__(cls) -> _NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


class _Required:
    """The default of a field its constructor requires."""

    def __repr__(self) -> str:
        return "REQUIRED"


NOT_GIVEN: Any = _NotGiven()

#: A field without a default: a positional argument, before ``previous_event_id``.
REQUIRED: Any = _Required()


def _json_or_raw(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


@dataclass(frozen=True)
class Field:
    """One attribute of an event, read from the event's details.

    Args:
        name: the attribute, and the constructor's argument
        key: the key of the value in the event's ``...EventDetails``
        type: the value's type (the constructor's annotation)
        default: the constructor's default; ``REQUIRED`` for none
        json_text: the value is JSON text, decoded (kept as it is if it is not JSON)
    """

    name: str
    key: str
    type: Any = None
    default: Any = None
    json_text: bool = False

    @property
    def required(self) -> bool:
        """Whether the constructor requires the field (positionally, before the optional ones)."""
        return self.default is REQUIRED

    def read(self, details: Mapping[str, Any]) -> Any:
        """The field's value in ``details``; if absent, the default (``None`` if required)."""
        if self.key not in details:
            return None if self.default is REQUIRED else self.default
        value = details[self.key]
        return _json_or_raw(value) if self.json_text else value
