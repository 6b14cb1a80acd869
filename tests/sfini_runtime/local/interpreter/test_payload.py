from __future__ import annotations

from typing import Any

import pytest

from sfini_asl.checker import check_definition
from sfini_runtime.local.interpreter.failures import StatesError
from sfini_runtime.local.interpreter.jsonpath.payload import compile_template, copy_json

INPUT = {
    "comment": "Example for Parameters.",
    "product": {
        "details": {"color": "blue", "size": "small", "material": "cotton"},
        "availability": "in stock",
        "sku": "2317",
        "cost": "$23",
    },
    "items": [{"id": 1}, {"id": 2}],
}
CONTEXT = {"Execution": {"Name": "run-1"}, "Map": {"Item": {"Index": 0, "Value": "v"}}}

# From the AWS docs' Parameters page, plus nesting, arrays, context and intrinsics.
TABLE: list[tuple[Any, Any]] = [
    (
        {
            "comment": "Selecting what I care about.",
            "MyDetails": {
                "size.$": "$.product.details.size",
                "exists.$": "$.product.availability",
                "StaticValue": "foo",
            },
        },
        {
            "comment": "Selecting what I care about.",
            "MyDetails": {"size": "small", "exists": "in stock", "StaticValue": "foo"},
        },
    ),
    ({"whole.$": "$"}, {"whole": INPUT}),
    ({"ids.$": "$.items[*].id"}, {"ids": [1, 2]}),
    ({"none.$": "$.items[?(@.id > 5)]"}, {"none": []}),
    (
        {"name.$": "$$.Execution.Name", "index.$": "$$.Map.Item.Index"},
        {"name": "run-1", "index": 0},
    ),
    ({"list": [{"a.$": "$.product.sku"}, "const", 3]}, {"list": [{"a": "2317"}, "const", 3]}),
    ({"f.$": "States.Format('sku {}', $.product.sku)"}, {"f": "sku 2317"}),
    ({"n.$": "States.ArrayLength($.items)"}, {"n": 2}),
    ({"k.$.x": 1}, {"k.$.x": 1}),
    ({"spaced.$": "  $.product.sku  "}, {"spaced": "2317"}),
    ("just a string", "just a string"),
    ([1, {"a": None}], [1, {"a": None}]),
    (None, None),
    ({}, {}),
]


@pytest.mark.parametrize(("template", "expected"), TABLE)
def test_render(template: Any, expected: Any) -> None:
    assert compile_template(template).render(INPUT, CONTEXT) == expected


def test_missing_path_raises_the_aws_runtime_error() -> None:
    template = compile_template({"outer": {"value.$": "$.no_such_jsonpath"}})
    with pytest.raises(StatesError) as raised:
        template.render({"int-literal": 0}, CONTEXT)
    assert raised.value.error == "States.Runtime"
    assert raised.value.cause == (
        "The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not be found "
        "in the input '{\"int-literal\":0}'"
    )
    assert raised.value.at_state("pass", 2).cause == (
        "An error occurred while executing the state 'pass' (entered at the event id #2). "
        "The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not be found "
        "in the input '{\"int-literal\":0}'"
    )


def test_missing_context_path_raises_the_aws_runtime_error() -> None:
    template = compile_template({"value.$": "$$.Execution.Input.no_such_jsonpath"})
    with pytest.raises(StatesError, match=r"could not be found in the input"):
        template.render({}, {"Execution": {"Input": {}}})


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ({"a.$": 3}, "must be a STRING"),
        ({"a.$": "no path"}, "valid JSONPath or a valid intrinsic function call"),
        ({"nested": {"b.$": "$.x["}}, "must be a valid JSONPath"),
        ({"c.$": "States.Nope()"}, "must be a valid intrinsic function call"),
        ({"l": [{"d.$": None}]}, "must be a STRING"),
        ({"v.$": "$var.x["}, "must be a valid JSONPath"),
    ],
)
def test_invalid_templates_are_the_checkers_to_refuse(template: Any, message: str) -> None:
    """A template is compiled only once ``check_definition`` passed it (same rule, one place)."""
    machine = {
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Parameters": template, "End": True}},
    }
    problems = check_definition(machine)
    assert any(
        p.location.startswith("/States/P/Parameters") and message in p.message for p in problems
    ), problems


def test_rendered_constants_are_fresh_copies() -> None:
    template = compile_template({"static": {"list": [1]}, "dyn.$": "$.product.sku"})
    first = template.render(INPUT, None)
    first["static"]["list"].append(2)
    assert template.render(INPUT, None)["static"] == {"list": [1]}
    constant = compile_template({"only": ["static"]})
    assert constant.constant
    constant.render(None, None)["only"].append("changed")
    assert constant.render(None, None) == {"only": ["static"]}


def test_copy_json_is_deep() -> None:
    value = {"a": [{"b": 1}], "c": "d"}
    copied = copy_json(value)
    assert copied == value
    assert copied["a"] is not value["a"]
    assert copied["a"][0] is not value["a"][0]
