"""The one formatter of every event class's details line (sfini 0.1.0's history format)."""

from __future__ import annotations

from typing import Any

__all__ = ["format_details"]


class _Attributes:
    """An object's attributes, looked up as ``str.format_map`` asks for them."""

    def __init__(self, owner: object) -> None:
        self.owner = owner

    def __getitem__(self, name: str) -> Any:
        try:
            return getattr(self.owner, name)
        except AttributeError:
            raise KeyError(name) from None


def format_details(event: Any) -> str:
    """``event``'s details as one line: its class's ``SUMMARY`` template filled in with its
    attributes ("" for a class with none)."""
    template: str = event.SUMMARY
    return template.format_map(_Attributes(event)) if template else ""
