"""Definitions AWS Step Functions accepted pass our checks, and its recorded choice rules are
what our rule classes render.

The definitions come from the shared conformance corpus (executions recorded against AWS), read
in place from ``SFINI_CONFORMANCE_DIR`` (default: ``../shared/conformance`` beside the repository).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import sfini_cdk as sfini
from sfini_cdk import validation
from tests.conformance import case_files

CASES = case_files()


def _definitions() -> Iterator[tuple[str, dict[str, Any]]]:
    for path in CASES:
        yield path.stem, json.loads(path.read_text())["definition"]


def _choice_rules(machine: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for state in machine.get("States", {}).values():
        if state.get("Type") == "Choice":
            yield from state["Choices"]
        for branch in state.get("Branches", ()):
            yield from _choice_rules(branch)
        for key in ("ItemProcessor", "Iterator"):
            if key in state:
                yield from _choice_rules(state[key])


def rule_from_asl(rule: dict[str, Any]) -> sfini.ChoiceRule:
    """Build the sfini rule object for an ASL choice rule (the inverse of ``to_dict``)."""
    next_state = sfini.Succeed(rule["Next"]) if "Next" in rule else None
    assign = rule.get("Assign", sfini.DEFAULT)
    if "And" in rule or "Or" in rule:
        logical = sfini.And if "And" in rule else sfini.Or
        nested = [rule_from_asl(item) for item in rule[logical.operator]]
        return logical(nested, next_state, assign=assign)
    if "Not" in rule:
        return sfini.Not(rule_from_asl(rule["Not"]), next_state, assign=assign)
    if "Condition" in rule:
        output = rule.get("Output", sfini.DEFAULT)
        return sfini.Condition(rule["Condition"], next_state, output=output, assign=assign)
    [operator] = set(rule) - {"Variable", "Next", "Assign"}
    rule_class = getattr(sfini, operator)
    return rule_class(rule["Variable"], rule[operator], next_state, assign=assign)


def test_every_definition_aws_accepted_passes_validation():
    rejected = []
    for case, definition in _definitions():
        language = definition.get("QueryLanguage", "JSONPath")
        try:
            validation.validate_definition(definition, query_language=language, name=case)
        except sfini.InvalidDefinition as error:
            rejected.append(f"{case}: {type(error).__name__}: {error}")
    assert rejected == []
    assert len(CASES) > 400


def test_every_recorded_choice_rule_renders_identically():
    rules = [rule for _, definition in _definitions() for rule in _choice_rules(definition)]
    mismatched = [rule for rule in rules if rule_from_asl(rule).to_dict() != rule]
    assert mismatched == []
    operators = {key for rule in rules for key in rule} - {"Variable", "Next", "Assign"}
    assert len(rules) > 200
    assert len(operators) > 30  # the corpus exercises (nearly) every operator
