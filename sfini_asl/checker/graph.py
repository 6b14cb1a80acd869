"""Rules of a graph (the machine, a Parallel branch, a Map processor): StartAt and States,
transition targets, a terminal state, every state reachable."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sfini_asl.spec import QUERY_LANGUAGES, TERMINAL_TYPES

from .context import Walk, array

#: checks one state: (walk, name, JSON, location)
StateCheck = Callable[[Walk, str, Any, str], None]


def check_graph(walk: Walk, doc: Any, where: str, check_state: StateCheck) -> None:
    """Check the graph ``doc`` at ``where`` ("" for the machine) and each of its states."""
    if not isinstance(doc, Mapping):
        walk.schema("Expected an object", where or "/")
        return
    if "QueryLanguage" in doc:
        # nested graphs (branches, item processors) inherit the machine's language
        if doc["QueryLanguage"] not in QUERY_LANGUAGES:
            walk.schema(
                'The field "QueryLanguage" should have one of these values: [JSONPath, JSONata]',
                f"{where}/QueryLanguage",
            )
        elif not where:
            walk.top_language = doc["QueryLanguage"]
    start_at = doc.get("StartAt")
    states = doc.get("States")
    if not isinstance(start_at, str):
        walk.schema("The field 'StartAt' is required and must be a string", where or "/")
    if not isinstance(states, Mapping) or not states:
        walk.schema("The field 'States' is required and must be a non-empty object", where or "/")
        return
    for name, spec in states.items():
        check_state(walk, name, spec, f"{where}/States/{name}")
    walk.state = None
    if isinstance(start_at, str) and start_at not in states:
        walk.problem(
            "MISSING_TRANSITION_TARGET", f"Missing 'Next' target: {start_at}", f"{where}/StartAt"
        )
    _transitions(walk, states, where, start_at)


def _targets(name: str, spec: Mapping[str, Any], where: str) -> list[tuple[str, str]]:
    outs: list[tuple[str, str]] = []
    if isinstance(spec.get("Next"), str):
        outs.append((spec["Next"], f"{where}/States/{name}/Next"))
    if isinstance(spec.get("Default"), str):
        outs.append((spec["Default"], f"{where}/States/{name}/Default"))
    for i, rule in enumerate(array(spec.get("Choices"))):
        if isinstance(rule, Mapping) and isinstance(rule.get("Next"), str):
            outs.append((rule["Next"], f"{where}/States/{name}/Choices/{i}/Next"))
    for i, catcher in enumerate(array(spec.get("Catch"))):
        if isinstance(catcher, Mapping) and isinstance(catcher.get("Next"), str):
            outs.append((catcher["Next"], f"{where}/States/{name}/Catch/{i}/Next"))
    return outs


def _transitions(walk: Walk, states: Mapping[str, Any], where: str, start_at: Any) -> None:
    targets: dict[str, list[str]] = {}
    for name, spec in states.items():
        if not isinstance(spec, Mapping):
            continue
        outs = _targets(name, spec, where)
        for target, location in outs:
            if target not in states:
                walk.problem(
                    "MISSING_TRANSITION_TARGET", f"Missing 'Next' target: {target}", location
                )
        targets[name] = [t for t, _ in outs]
    if not any(
        isinstance(s, Mapping) and (s.get("End") is True or s.get("Type") in TERMINAL_TYPES)
        for s in states.values()
    ):
        walk.problem("MISSING_END_STATE", "Workflow has no terminal state", f"{where}/States")
    if isinstance(start_at, str) and start_at in states:
        # AWS rejects a state nothing leads to (under the code MISSING_TRANSITION_TARGET)
        reached = {start_at}
        pending = [start_at]
        while pending:
            for target in targets.get(pending.pop(), ()):
                if target in states and target not in reached:
                    reached.add(target)
                    pending.append(target)
        for name in states:
            if name not in reached:
                walk.problem(
                    "MISSING_TRANSITION_TARGET",
                    f'State "{name}" is not reachable.',
                    f"{where}/States/{name}",
                )
