"""Hostile definitions: named diagnostics, never an internal failure; the engine keeps serving."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.sfini_runtime.local.service.helpers import PASS_DEFINITION, create_machine

ACTIVITY = "arn:aws:states:us-east-1:123456789012:activity:x"
SUB = {"StartAt": "S", "States": {"S": {"Type": "Succeed"}}}


def _machine(state: dict[str, Any], language: str = "JSONPath") -> str:
    return json.dumps({"QueryLanguage": language, "StartAt": "X", "States": {"X": state}})


@pytest.mark.parametrize(
    ("state", "location", "message"),
    [
        (
            {"Type": "Pass", "End": True, "Catch": True},
            "/States/X",
            "Field 'Catch' is not supported by a Pass state",
        ),
        (
            {"Type": "Task", "Resource": ACTIVITY, "End": True, "Catch": 1.5},
            "/States/X/Catch",
            "The field 'Catch' must be an array",
        ),
        (
            {"Type": "Map", "ItemProcessor": 5, "End": True},
            "/States/X/ItemProcessor",
            "Expected an object",
        ),
        (
            {"Type": "Map", "ItemProcessor": {**SUB, "ProcessorConfig": 5}, "End": True},
            "/States/X/ItemProcessor/ProcessorConfig",
            "The field 'ProcessorConfig' must be an object",
        ),
        (
            {"Type": "Map", "ItemProcessor": SUB, "MaxConcurrency": "x", "End": True},
            "/States/X/MaxConcurrency",
            "The field 'MaxConcurrency' must be an integer >= 0",
        ),
        (
            {"Type": "Map", "ItemProcessor": SUB, "ToleratedFailureCount": -1, "End": True},
            "/States/X/ToleratedFailureCount",
            "The field 'ToleratedFailureCount' must be an integer >= 0",
        ),
        (
            {"Type": "Map", "ItemProcessor": SUB, "ToleratedFailurePercentage": 101, "End": True},
            "/States/X/ToleratedFailurePercentage",
            "The field 'ToleratedFailurePercentage' must be a number from 0 to 100",
        ),
        ({"Type": "Fail", "Error": 5}, "/States/X/Error", "The field 'Error' must be a string"),
        (
            {"Type": "Pass", "End": True, "Comment": 5},
            "/States/X/Comment",
            "The field 'Comment' must be a string",
        ),
        ({"Type": "Fail", "Cause": []}, "/States/X/Cause", "The field 'Cause' must be a string"),
        (
            {"Type": "Wait", "Seconds": 100_000_000, "End": True},
            "/States/X/Seconds",
            "The field 'Seconds' must be at most 99999999",
        ),
        (
            {"Type": "Wait", "Seconds": 10**40, "End": True},
            "/States/X/Seconds",
            "The field 'Seconds' must be at most 99999999",
        ),
    ],
)
def test_wrong_field_types_are_diagnosed(
    sfn: Any, state: dict[str, Any], location: str, message: str
) -> None:
    answer = sfn.validate_state_machine_definition(definition=_machine(state))
    assert answer["result"] == "FAIL"
    assert {"location": location, "message": message} in [
        {"location": d["location"], "message": d["message"]} for d in answer["diagnostics"]
    ]
    with pytest.raises(ClientError) as caught:
        create_machine(sfn, _machine(state))
    assert caught.value.response["Error"]["Code"] == "InvalidDefinition"


@pytest.mark.parametrize("language", ["JSONPath", "JSONata"])
@pytest.mark.parametrize(
    ("state", "field"),
    [
        ({"Type": "Pass", "End": True, "Choices": 5}, "Choices"),
        ({"Type": "Pass", "End": True, "Foo": 1}, "Foo"),
        ({"Type": "Succeed", "Result": 1}, "Result"),
        ({"Type": "Fail", "Seconds": 1}, "Seconds"),
        ({"Type": "Wait", "Seconds": 1, "End": True, "Resource": "x"}, "Resource"),
    ],
)
def test_a_field_the_state_type_does_not_have_is_named(
    sfn: Any, language: str, state: dict[str, Any], field: str
) -> None:
    # a scalar Choices on a Pass state once reached the variable scan (TypeError, HTTP 500)
    answer = sfn.validate_state_machine_definition(definition=_machine(state, language))
    message = f"Field '{field}' is not supported by a {state['Type']} state"
    assert {"location": "/States/X", "message": message} in [
        {"location": d["location"], "message": d["message"]} for d in answer["diagnostics"]
    ]


@pytest.mark.parametrize(
    "state",
    [
        {"Type": "Map", "ItemProcessor": SUB, "MaxConcurrency": 0, "End": True},
        {"Type": "Map", "ItemProcessor": SUB, "ToleratedFailurePercentage": 12.5, "End": True},
        {"Type": "Wait", "Seconds": 99_999_999, "End": True},
        {"Type": "Fail", "Error": "E", "Cause": "c"},
    ],
)
def test_limits_themselves_are_valid(sfn: Any, state: dict[str, Any]) -> None:
    answer = sfn.validate_state_machine_definition(definition=_machine(state))
    assert answer["result"] == "OK", answer["diagnostics"]


def test_jsonata_map_limits_may_be_expressions(sfn: Any) -> None:
    state = {"Type": "Map", "ItemProcessor": SUB, "MaxConcurrency": "{% 2 %}", "End": True}
    answer = sfn.validate_state_machine_definition(definition=_machine(state, "JSONata"))
    assert answer["result"] == "OK", answer["diagnostics"]


@pytest.mark.parametrize("field", ["Comment", "Version"])
def test_top_level_strings_must_be_strings(sfn: Any, field: str) -> None:
    definition = json.loads(PASS_DEFINITION)
    definition[field] = 5
    answer = sfn.validate_state_machine_definition(definition=json.dumps(definition))
    assert answer["result"] == "FAIL"
    assert answer["diagnostics"][0]["location"] == f"/{field}"
    assert answer["diagnostics"][0]["message"] == f"The field '{field}' must be a string"


def test_thousands_of_problems_make_one_readable_message(sfn: Any) -> None:
    states = {f"s{i}": {"Type": "Pass", "Next": f"missing{i}"} for i in range(5000)}
    definition = json.dumps({"StartAt": "s0", "States": states})
    with pytest.raises(ClientError) as caught:
        create_machine(sfn, definition)
    message = caught.value.response["Error"]["Message"]
    assert message.count("MISSING_TRANSITION_TARGET") == 10
    # 5,000 missing targets, 4,999 unreachable states, no terminal state: 10,000 problems
    assert message.endswith(", ... and 9990 more problems'")
    answer = sfn.validate_state_machine_definition(definition=definition, maxResults=100)
    assert (len(answer["diagnostics"]), answer["truncated"]) == (100, True)


def test_nesting_too_deep_to_parse_is_an_invalid_definition(sfn: Any) -> None:
    text = '{"StartAt":"S0","States":{"S0":{"Type":"Pass","End":true}}}'
    for depth in range(1, 3000):
        branch = f'{{"Type":"Parallel","End":true,"Branches":[{text}]}}'
        text = f'{{"StartAt":"S{depth}","States":{{"S{depth}":{branch}}}}}'
    with pytest.raises(ClientError) as caught:
        create_machine(sfn, text)
    assert caught.value.response["Error"]["Code"] == "InvalidDefinition"


def _wait_for_end(sfn: Any, execution_arn: str) -> dict[str, Any]:
    for _ in range(200):
        described = sfn.describe_execution(executionArn=execution_arn)
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.02)
    raise AssertionError(f"{execution_arn} still running")


@pytest.mark.parametrize(
    ("wait", "execution_input"),
    [
        ({"Timestamp": "9999-12-31T23:59:59Z"}, {}),
        ({"SecondsPath": "$.s"}, {"s": 10**40}),
        ({"Seconds": 99_999_999}, {}),
    ],
)
def test_a_wait_far_in_the_future_leaves_the_engine_serving(
    sfn: Any, wait: dict[str, Any], execution_input: dict[str, Any]
) -> None:
    definition = json.dumps(
        {"StartAt": "W", "States": {"W": {"Type": "Wait", "End": True, **wait}}}
    )
    waiting = sfn.start_execution(
        stateMachineArn=create_machine(sfn, definition), input=json.dumps(execution_input)
    )["executionArn"]
    quick = sfn.start_execution(stateMachineArn=create_machine(sfn, PASS_DEFINITION))
    assert _wait_for_end(sfn, quick["executionArn"])["status"] == "SUCCEEDED"
    assert sfn.describe_execution(executionArn=waiting)["status"] == "RUNNING"
    sfn.stop_execution(executionArn=waiting)
    assert _wait_for_end(sfn, waiting)["status"] == "ABORTED"
