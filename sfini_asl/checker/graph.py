"""Rules of a graph (the machine, a Parallel branch, a Map processor): StartAt and States,
transition targets, a terminal state, every state reachable."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sfini_asl.diagnostics import Kind
from sfini_asl.spec import QUERY_LANGUAGES, TERMINAL_TYPES

from .context import OBJECT, Walk, array

#: checks one state: (walk, name, JSON, location, the graph as messages name it)
StateCheck = Callable[[Walk, str, Any, str, str], None]


def check_graph(
    walk: Walk, doc: Any, where: str, check_state: StateCheck, graph: str, owner: str | None
) -> None:
    """Check the graph ``doc`` at ``where`` ("" for the machine) and each of its states;
    ``graph`` names it in messages, ``owner`` is the state holding it (None for the machine),
    which its own problems are reported on."""
    walk.state = owner
    if not isinstance(doc, OBJECT):
        walk.schema("Expected an object", where or "/", detail=f"{graph} must be an object")
        return
    if "QueryLanguage" in doc:
        # nested graphs (branches, item processors) inherit the machine's language
        if doc["QueryLanguage"] not in QUERY_LANGUAGES:
            walk.schema(
                f"QueryLanguage must be one of {list(QUERY_LANGUAGES)}, got "
                f"{doc['QueryLanguage']!r}",
                f"{where}/QueryLanguage",
                kind=Kind.QUERY_LANGUAGE,
            )
        elif not where:
            walk.top_language = doc["QueryLanguage"]
    start_at = doc.get("StartAt")
    states = doc.get("States")
    if not isinstance(start_at, str):
        walk.schema(
            "The field 'StartAt' is required and must be a string",
            where or "/",
            kind=Kind.TARGET,
            detail=f"StartAt {start_at!r} is not a state of {graph}",
        )
    if not isinstance(states, OBJECT) or not states:
        walk.schema(
            "The field 'States' is required and must be a non-empty object",
            where or "/",
            kind=Kind.GRAPH,
            detail=f"{graph} has no states",
        )
        return
    if isinstance(start_at, str) and start_at not in states:
        walk.problem(
            "MISSING_TRANSITION_TARGET",
            f"Missing 'Next' target: {start_at}",
            f"{where}/StartAt",
            kind=Kind.TARGET,
            detail=f"StartAt {start_at!r} is not a state of {graph}",
        )
    for name, spec in states.items():
        check_state(walk, name, spec, f"{where}/States/{name}", graph)
    walk.state = owner
    _transitions(walk, states, where, start_at, graph, owner)


def _targets(spec: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(target, label, location within the state) of each transition of a state."""
    outs: list[tuple[str, str, str]] = []
    if isinstance(spec.get("Next"), str):
        outs.append((spec["Next"], "Next", "Next"))
    if isinstance(spec.get("Default"), str):
        outs.append((spec["Default"], "Default", "Default"))
    for field in ("Choices", "Catch"):
        if field in spec:
            for i, entry in enumerate(array(spec[field])):
                if isinstance(entry, OBJECT) and isinstance(entry.get("Next"), str):
                    outs.append((entry["Next"], f"{field}[{i}].Next", f"{field}/{i}/Next"))
    return outs


def _transitions(
    walk: Walk,
    states: Mapping[str, Any],
    where: str,
    start_at: Any,
    graph: str,
    owner: str | None,
) -> None:
    targets: dict[str, list[str]] = {}
    for name, spec in states.items():
        if not isinstance(spec, OBJECT):
            continue
        outs = _targets(spec)
        for target, label, location in outs:
            if target not in states:
                walk.state = name
                walk.problem(
                    "MISSING_TRANSITION_TARGET",
                    f"Missing 'Next' target: {target}",
                    f"{where}/States/{name}/{location}",
                    kind=Kind.TARGET,
                    detail=f"{label} target {target!r} is not a state of {graph}",
                )
        targets[name] = [t for t, _, _ in outs]
    walk.state = owner
    if not any(
        isinstance(s, OBJECT) and (s.get("End") is True or s.get("Type") in TERMINAL_TYPES)
        for s in states.values()
    ):
        walk.problem(
            "MISSING_END_STATE",
            "Workflow has no terminal state",
            f"{where}/States",
            kind=Kind.TERMINAL,
            detail=f"{graph} has no terminal state (End: true, Succeed or Fail): executions "
            "could never finish",
        )
    if isinstance(start_at, str) and start_at in states:
        # AWS rejects a state nothing leads to (under the code MISSING_TRANSITION_TARGET)
        reached = {start_at}
        pending = [start_at]
        while pending:
            for target in targets.get(pending.pop(), ()):
                if target in states and target not in reached:
                    reached.add(target)
                    pending.append(target)
        if len(reached) < len(states):
            for name in states:
                if name not in reached:
                    walk.state = name
                    walk.problem(
                        "MISSING_TRANSITION_TARGET",
                        f'State "{name}" is not reachable.',
                        f"{where}/States/{name}",
                        kind=Kind.UNREACHABLE,
                        detail=f"not reachable from StartAt {start_at!r} of {graph} (no Next, "
                        "Default, choice rule or Catch leads to it)",
                    )
            walk.state = owner
