"""Rules only the local engine's compiler used to apply, now ``sfini_asl.checker``'s: the
definition model refuses these definitions when it constructs or renders them, with the
exception class of the problem's kind, naming the state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import sfini_cdk as sfini
from sfini_cdk.validation import validate_definition
from tests.sfini_cdk.conftest import fake_arn

JSONATA = "JSONata"


def build(start: sfini.State, query_language: str = sfini.DEFAULT) -> dict[str, Any]:
    """Construct a machine from ``start`` and render it (both check the definition)."""
    machine = sfini.construct_state_machine("m", start, query_language=query_language)
    return machine.to_dict(resources=fake_arn)


def _choice(rule: sfini.ChoiceRule) -> sfini.State:
    gate = sfini.Choice("gate")
    gate.add(rule)
    gate.set_default(sfini.Succeed("no"))
    return gate


def _asl_choice(rule: dict[str, Any]) -> dict[str, Any]:
    gate = {"Type": "Choice", "Choices": [{**rule, "Next": "yes"}], "Default": "yes"}
    return {"StartAt": "gate", "States": {"gate": gate, "yes": {"Type": "Succeed"}}}


def _map(**options: Any) -> sfini.State:
    return sfini.Map("each", sfini.Pass("item"), query_language=JSONATA, **options)


REFUSED: list[tuple[str, Callable[[], Any], type[Exception], str, str]] = [
    ("assign-twice", lambda: build(sfini.Pass("p", assign={"x": 1, "x.$": "$.a"})),
     sfini.InvalidField, "p", "Assign names variable 'x': the variable is assigned more than"),
    ("variable-final-line-break", lambda: build(sfini.Pass("p", assign={"x\n": 1})),
     sfini.InvalidField, "p", "Assign names variable 'x\\n'"),
    ("rule-reading-a-variable",  # as ASL: the rule objects check their operand's type
     lambda: validate_definition(_asl_choice({"Variable": "$count", "NumericEquals": "1"}),
                                 query_language="JSONPath"),
     sfini.InvalidChoiceRule, "gate", "Choices[0].NumericEquals: The value of 'NumericEquals'"),
    ("result-path-variable", lambda: build(sfini.Pass("p", result_path="$x")),
     sfini.InvalidPath, "p", "ResultPath '$x' must be a reference path into the state's data"),
    ("jsonata-items-object", lambda: build(_map(items={"a": [1]}), JSONATA), sfini.InvalidField,
     "each", "Items must be a JSON array or a '{% ... %}' expression"),
    ("expression-under-a-graph-key",
     lambda: build(sfini.Pass("p", output={"Branches": "{% 1 + %}"}), JSONATA),
     sfini.InvalidExpression, "p", "Output.Branches '{% 1 + %}' is not a valid JSONata"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("make", "error_class", "state_name", "message"),
    [row[1:] for row in REFUSED],
    ids=[row[0] for row in REFUSED],
)
def test_the_model_refuses_what_the_engine_refused(
    make: Callable[[], Any], error_class: type[Exception], state_name: str, message: str
) -> None:
    with pytest.raises(error_class) as raised:
        make()
    assert raised.value.state_name == state_name
    assert message in str(raised.value)


def test_a_choice_rule_reading_variables_renders() -> None:
    start = sfini.Pass("count", assign={"count": 1, "limit.$": "$.limit"})
    start.goes_to(_choice(sfini.NumericEqualsPath("$count", "$limit", sfini.Succeed("yes"))))
    rule = build(start)["States"]["gate"]["Choices"][0]
    assert rule == {"Variable": "$count", "NumericEqualsPath": "$limit", "Next": "yes"}
