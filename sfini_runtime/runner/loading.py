"""Loading a user's workflow objects from ``MODULE[:OBJECT]`` and sorting them by kind.

Objects are recognised by what they offer (no ``sfini_cdk`` import): an activity has
``call_with``; an activity registration has an ``activities`` mapping; a state machine has
``to_dict`` and ``start_state``.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import sys
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

__all__ = [
    "LoadError",
    "Loaded",
    "collect",
    "creation_order",
    "import_module",
    "load_object",
]


class LoadError(Exception):
    """``MODULE[:OBJECT]`` names nothing usable."""


@dataclasses.dataclass
class Loaded:
    """The workflow objects found: activities (by name), registrations and state machines."""

    activities: dict[str, Any] = dataclasses.field(default_factory=dict)
    registrations: list[Any] = dataclasses.field(default_factory=list)
    state_machines: list[Any] = dataclasses.field(default_factory=list)


def import_module(name: str) -> ModuleType:
    try:
        return _import(name)
    except SystemExit as exit_:  # a module meant to be run, not imported
        raise LoadError(
            f"importing {name!r} called sys.exit({exit_.code!r}): is it a script rather than "
            "a module defining activities or state machines?"
        ) from None


def _import(name: str) -> ModuleType:
    if name.endswith(".py") or "/" in name:
        path = Path(name)
        if not path.is_file():
            raise LoadError(f"no such file: {name}")
        spec = importlib.util.spec_from_file_location(path.stem, path)
        if spec is None or spec.loader is None:
            raise LoadError(f"cannot import {name}")
        module = importlib.util.module_from_spec(spec)
        sys.modules.setdefault(path.stem, module)
        spec.loader.exec_module(module)
        return module
    if "" not in sys.path and str(Path.cwd()) not in sys.path:
        sys.path.insert(0, str(Path.cwd()))
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name and name.startswith(error.name):
            raise LoadError(
                f"cannot import module {name!r}: no module named {error.name!r}"
            ) from None
        raise


def load_object(spec: str) -> Any:
    """The object ``MODULE:OBJECT`` names (``OBJECT`` may be dotted), or the module itself."""
    module_name, _, attribute = spec.partition(":")
    if not module_name:
        raise LoadError(f"expected MODULE[:OBJECT], got {spec!r}")
    value: Any = import_module(module_name)
    for part in filter(None, attribute.split(".")):
        try:
            value = getattr(value, part)
        except AttributeError:
            raise LoadError(f"{module_name!r} has no attribute {attribute!r}") from None
    return value


def is_activity(value: Any) -> bool:
    return callable(getattr(value, "call_with", None)) and isinstance(
        getattr(value, "name", None), str
    )


def is_registration(value: Any) -> bool:
    return isinstance(getattr(value, "activities", None), dict) and not is_activity(value)


def is_state_machine(value: Any) -> bool:
    return (
        callable(getattr(value, "to_dict", None))
        and hasattr(value, "start_state")
        and isinstance(getattr(value, "name", None), str)
    )


def collect(value: Any, found: Loaded | None = None) -> Loaded:
    """Sort ``value`` (an object, a list of them, or a module) into a ``Loaded``."""
    found = found or Loaded()
    if isinstance(value, ModuleType):
        for name in dir(value):
            member = getattr(value, name)
            if not name.startswith("_") and (
                is_activity(member) or is_registration(member) or is_state_machine(member)
            ):
                collect(member, found)
        return found
    if is_registration(value):
        if all(value is not r for r in found.registrations):
            found.registrations.append(value)
        for activity in value.activities.values():
            found.activities.setdefault(activity.name, activity)
    elif is_activity(value):
        found.activities.setdefault(value.name, value)
    elif is_state_machine(value):
        if all(value is not s for s in found.state_machines):
            found.state_machines.append(value)
    elif isinstance(value, (list, tuple, set)) or (
        isinstance(value, Iterable) and not isinstance(value, (str, bytes, dict))
    ):
        for item in value:
            collect(item, found)
    else:
        raise LoadError(
            f"{value!r} is not an activity, an activity registration, a state machine or a list"
        )
    return found


def creation_order(machines: Iterable[Any]) -> list[Any]:
    """``machines`` and the machines their Tasks start, each once, every machine after those it
    starts (a Task's target must exist first): the model's ``StateMachine.with_nested()`` (a
    machine-like object without it stands alone)."""
    ordered: list[Any] = []
    for top in machines:
        with_nested = getattr(top, "with_nested", None)
        family = with_nested() if callable(with_nested) else [top]
        ordered.extend(m for m in family if all(m is not o for o in ordered))
    return ordered
