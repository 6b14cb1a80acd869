"""TestState on the local engine, through boto3: inspection levels, mocks and their field
validation, Retry/Catch outcomes, a whole machine and ``stateName``, the context object, and
AWS's refusals (the conformance corpus's ``test_state`` category holds the AWS recordings)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sfini_runtime.local import LocalEngine

ROLE = "arn:aws:iam::123456789012:role/test-state"
LAMBDA_TASK = {
    "Type": "Task",
    "Resource": "arn:aws:states:::lambda:invoke",
    "Parameters": {"FunctionName": "double", "Payload.$": "$"},
    "ResultSelector": {"doubled.$": "$.Payload.value"},
    "ResultPath": "$.result",
    "End": True,
}


def _double(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"value": event["value"] * 2}


def _refuse(event: dict[str, Any], context: Any) -> dict[str, Any]:
    raise ValueError("no, thanks")


@pytest.fixture(scope="module")
def sfn() -> Iterator[Any]:
    with LocalEngine(time_scale=0.01, lambdas={"double": _double, "refuse": _refuse}) as engine:
        yield engine.client()


def _test(sfn: Any, definition: dict[str, Any], **request: Any) -> dict[str, Any]:
    response = sfn.test_state(definition=json.dumps(definition), **request)
    response.pop("ResponseMetadata")
    return response


def _error(sfn: Any, definition: dict[str, Any] | str, **request: Any) -> tuple[str, str]:
    text = definition if isinstance(definition, str) else json.dumps(definition)
    with pytest.raises(ClientError) as info:
        sfn.test_state(definition=text, **request)
    error = info.value.response["Error"]
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return error["Code"], error["Message"]


def _data(response: dict[str, Any]) -> dict[str, Any]:
    """inspectionData with its JSON text read."""
    return {
        key: json.loads(value) if isinstance(value, str) else value
        for key, value in response["inspectionData"].items()
    }


# -- inspection levels ------------------------------------------------------------------------
PASS_STATE = {
    "Type": "Pass",
    "InputPath": "$.data",
    "Parameters": {"fixed": 1, "taken.$": "$.value"},
    "ResultPath": "$.data.out",
    "OutputPath": "$.data",
    "Next": "After",
}
PASS_INPUT = json.dumps({"data": {"value": "v"}, "other": 2})


def test_info_level_answers_the_output_and_next_state_without_inspection_data(sfn: Any) -> None:
    response = _test(sfn, PASS_STATE, input=PASS_INPUT, inspectionLevel="INFO")
    assert response == {
        "status": "SUCCEEDED",
        "output": json.dumps({"value": "v", "out": {"fixed": 1, "taken": "v"}}).replace(" ", ""),
        "nextState": "After",
    }


@pytest.mark.parametrize("level", ["DEBUG", "TRACE"])
def test_debug_and_trace_report_each_data_flow_step(sfn: Any, level: str) -> None:
    response = _test(sfn, PASS_STATE, input=PASS_INPUT, inspectionLevel=level)
    assert response["status"] == "SUCCEEDED"
    assert json.loads(response["output"]) == {"value": "v", "out": {"fixed": 1, "taken": "v"}}
    assert _data(response) == {
        "input": {"data": {"value": "v"}, "other": 2},
        "afterInputPath": {"value": "v"},
        "afterParameters": {"fixed": 1, "taken": "v"},
        "afterResultSelector": {"fixed": 1, "taken": "v"},
        "afterResultPath": {"data": {"value": "v", "out": {"fixed": 1, "taken": "v"}}, "other": 2},
    }


def test_no_input_is_an_empty_object(sfn: Any) -> None:
    response = _test(sfn, {"Type": "Succeed"}, inspectionLevel="DEBUG")
    assert response["output"] == "{}"
    assert _data(response) == {"input": {}, "afterInputPath": {}}


def test_choice_names_the_next_state(sfn: Any) -> None:
    choice = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big"}],
        "Default": "Small",
    }
    assert _test(sfn, choice, input='{"n": 11}')["nextState"] == "Big"
    assert _test(sfn, choice, input='{"n": 1}')["nextState"] == "Small"


def test_fail_state_fails_with_its_error_and_cause(sfn: Any) -> None:
    response = _test(sfn, {"Type": "Fail", "Error": "Broken", "Cause": "because"})
    assert response == {"status": "FAILED", "error": "Broken", "cause": "because"}


def test_variables_are_readable_and_assignments_are_reported(sfn: Any) -> None:
    state = {
        "Type": "Pass",
        "QueryLanguage": "JSONata",
        "Output": "{% $greeting & ' ' & $states.input.name %}",
        "Assign": {"seen": "{% $states.input.name %}"},
        "End": True,
    }
    response = _test(
        sfn,
        state,
        input='{"name": "Ada"}',
        variables='{"greeting": "Hello"}',
        inspectionLevel="DEBUG",
    )
    assert json.loads(response["output"]) == "Hello Ada"
    assert _data(response)["variables"] == {"greeting": "Hello", "seen": "Ada"}


# -- mocks and Task states ----------------------------------------------------------------------
def test_mocked_task_result_goes_through_result_selector_and_result_path(sfn: Any) -> None:
    response = _test(
        sfn,
        LAMBDA_TASK,
        input='{"value": 4}',
        inspectionLevel="TRACE",
        mock={"result": json.dumps({"Payload": {"value": 100}})},
    )
    assert json.loads(response["output"]) == {"value": 4, "result": {"doubled": 100}}
    data = _data(response)
    assert data["afterParameters"] == {"FunctionName": "double", "Payload": {"value": 4}}
    assert data["result"] == {"Payload": {"value": 100}}
    assert data["afterResultSelector"] == {"doubled": 100}


def test_unmocked_task_calls_its_integration_as_an_execution_would(sfn: Any) -> None:
    response = _test(sfn, LAMBDA_TASK, input='{"value": 4}', inspectionLevel="DEBUG")
    assert response["status"] == "SUCCEEDED"
    assert json.loads(response["output"]) == {"value": 4, "result": {"doubled": 8}}
    assert _data(response)["result"]["Payload"] == {"value": 8}


def test_unmocked_task_failure_is_the_functions_error(sfn: Any) -> None:
    task = {**LAMBDA_TASK, "Parameters": {"FunctionName": "refuse", "Payload.$": "$"}}
    response = _test(sfn, task, input='{"value": 4}')
    assert response["status"] == "FAILED"
    assert response["error"] == "ValueError"
    assert "no, thanks" in response["cause"]


def test_mocked_error_is_failed_without_retry_or_catch(sfn: Any) -> None:
    response = _test(sfn, LAMBDA_TASK, mock={"errorOutput": {"error": "Oops", "cause": "why"}})
    assert response == {"status": "FAILED", "error": "Oops", "cause": "why"}


RETRY_CATCH_TASK = {
    **LAMBDA_TASK,
    "Retry": [
        {"ErrorEquals": ["Other"], "MaxAttempts": 1},
        {"ErrorEquals": ["Oops"], "IntervalSeconds": 2, "BackoffRate": 3, "MaxAttempts": 3},
    ],
    "Catch": [
        {"ErrorEquals": ["Nope"], "Next": "First"},
        {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Handler"},
    ],
}
OOPS = {"errorOutput": {"error": "Oops", "cause": "why"}}


@pytest.mark.parametrize(("retry_count", "backoff"), [(0, 2), (1, 6), (2, 18)])
def test_an_error_a_retrier_would_retry_is_retriable(
    sfn: Any, retry_count: int, backoff: int
) -> None:
    response = _test(
        sfn,
        RETRY_CATCH_TASK,
        inspectionLevel="DEBUG",
        mock=OOPS,
        stateConfiguration={"retrierRetryCount": retry_count},
    )
    assert response["status"] == "RETRIABLE"
    assert (response["error"], response["cause"]) == ("Oops", "why")
    assert response["inspectionData"]["errorDetails"] == {
        "retryIndex": 1,
        "retryBackoffIntervalSeconds": backoff,
    }
    assert "output" not in response


def test_an_error_retried_out_is_caught(sfn: Any) -> None:
    response = _test(
        sfn,
        RETRY_CATCH_TASK,
        input='{"value": 1}',
        inspectionLevel="DEBUG",
        mock=OOPS,
        stateConfiguration={"retrierRetryCount": 3},
    )
    assert response["status"] == "CAUGHT_ERROR"
    assert response["nextState"] == "Handler"
    assert response["inspectionData"]["errorDetails"] == {"catchIndex": 1}
    assert json.loads(response["output"]) == {
        "value": 1,
        "error": {"Error": "Oops", "Cause": "why"},
    }


# -- field validation of mocked results -----------------------------------------------------------
START_EXECUTION = {
    "Type": "Task",
    "Resource": "arn:aws:states:::states:startExecution",
    "Parameters": {"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:x"},
    "End": True,
}


@pytest.mark.parametrize(
    ("mode", "result", "problem"),
    [
        ("STRICT", {"ExecutionArn": "arn"}, "Field 'StartDate' is required"),
        ("STRICT", {"ExecutionArn": "arn", "StartDate": 12}, "Field 'StartDate' must be a string"),
        ("PRESENT", {"StartDate": False}, "Field 'StartDate' must be a string"),
        ("PRESENT", {"ExecutionArn": ["a"]}, "Field 'ExecutionArn' must be a string"),
    ],
)
def test_mocked_results_that_break_the_api_model_are_refused(
    sfn: Any, mode: str, result: dict[str, Any], problem: str
) -> None:
    mock = {"result": json.dumps(result), "fieldValidationMode": mode}
    code, message = _error(sfn, START_EXECUTION, mock=mock)
    assert code == "ValidationException"
    assert message == f"Mock result schema validation error: {problem}"


@pytest.mark.parametrize(
    ("mode", "result"),
    [
        ("PRESENT", {"ExecutionArn": "arn"}),  # the required StartDate: not checked
        ("STRICT", {"ExecutionArn": "a", "StartDate": "2025-01-01T00:00:00Z", "Extra": 1}),
        ("NONE", {"StartDate": True}),
    ],
)
def test_mocked_results_the_mode_accepts_are_the_result(
    sfn: Any, mode: str, result: dict[str, Any]
) -> None:
    mock = {"result": json.dumps(result), "fieldValidationMode": mode}
    response = _test(sfn, START_EXECUTION, mock=mock)
    assert response["status"] == "SUCCEEDED"
    assert json.loads(response["output"]) == result


def test_sdk_integration_results_are_checked_against_the_sdk_model(sfn: Any) -> None:
    task = {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject", "End": True}
    code, message = _error(sfn, task, mock={"result": '{"StorageClass": "Papyrus"}'})
    assert (code, message) == (
        "ValidationException",
        "Mock result schema validation error: Field 'StorageClass' is not an expected value",
    )


# -- Map and Parallel ---------------------------------------------------------------------------
MAP_STATE = {
    "Type": "Map",
    "ItemsPath": "$.items",
    "ItemProcessor": {"StartAt": "Work", "States": {"Work": {"Type": "Pass", "End": True}}},
    "ToleratedFailureCount": 1,
    "MaxConcurrency": 2,
    "Catch": [{"ErrorEquals": ["States.ExceedToleratedFailureThreshold"], "Next": "Handle"}],
    "End": True,
}


def test_map_reports_its_items_and_limits_and_takes_the_mocked_results(sfn: Any) -> None:
    response = _test(
        sfn,
        MAP_STATE,
        input='{"items": [1, 2, 3]}',
        inspectionLevel="DEBUG",
        mock={"result": "[10, 20, 30]"},
        stateConfiguration={"mapIterationFailureCount": 1},
    )
    assert response["status"] == "SUCCEEDED"
    assert json.loads(response["output"]) == [10, 20, 30]
    data = _data(response)
    assert data["afterItemsPath"] == [1, 2, 3]
    assert (data["maxConcurrency"], data["toleratedFailureCount"]) == (2, 1)


def test_map_iterations_failing_beyond_the_tolerance_exceed_its_threshold(sfn: Any) -> None:
    response = _test(
        sfn,
        MAP_STATE,
        input='{"items": [1, 2, 3]}',
        mock={"result": "[10, 20, 30]"},
        stateConfiguration={"mapIterationFailureCount": 2},
    )
    assert response["status"] == "CAUGHT_ERROR"
    assert response["error"] == "States.ExceedToleratedFailureThreshold"
    assert response["nextState"] == "Handle"


def test_parallel_takes_one_mocked_result_per_branch(sfn: Any) -> None:
    branches = [{"StartAt": name, "States": {name: {"Type": "Pass", "End": True}}} for name in "AB"]
    parallel = {"Type": "Parallel", "Branches": branches, "ResultPath": "$.r", "End": True}
    response = _test(sfn, parallel, input='{"a": 1}', mock={"result": '["x", "y"]'})
    assert json.loads(response["output"]) == {"a": 1, "r": ["x", "y"]}
    code, message = _error(sfn, parallel, mock={"result": '["x"]'})
    assert code == "ValidationException"
    assert "same number of items as number of Parallel branches" in message
    code, message = _error(sfn, parallel)
    assert code == "InvalidDefinition"
    assert message.startswith("TestState API does not support Map or Parallel states")


# -- a whole machine, the context object -----------------------------------------------------------
MACHINE = {
    "StartAt": "First",
    "States": {
        "First": {"Type": "Pass", "Result": "one", "Next": "Loop"},
        "Loop": {
            "Type": "Map",
            "ItemProcessor": {
                "StartAt": "Inner",
                "States": {"Inner": {"Type": "Pass", "Parameters": {"in.$": "$"}, "End": True}},
            },
            "End": True,
        },
    },
}


def test_state_name_picks_a_state_of_a_machine_even_a_nested_one(sfn: Any) -> None:
    first = _test(sfn, MACHINE, stateName="First")
    assert (first["output"], first["nextState"]) == ('"one"', "Loop")
    inner = _test(sfn, MACHINE, stateName="Inner", input='"item"')
    assert json.loads(inner["output"]) == {"in": "item"}
    assert "nextState" not in inner
    assert _error(sfn, MACHINE, stateName="Missing") == (
        "ValidationException",
        "State not found in definition",
    )


def test_without_a_context_the_state_sees_an_express_execution_of_its_own(sfn: Any) -> None:
    state = {"Type": "Pass", "Parameters": {"ctx.$": "$$"}, "End": True}
    context = json.loads(_test(sfn, state, input='{"a": 1}', roleArn=ROLE)["output"])["ctx"]
    execution = context["Execution"]
    assert execution["Id"].startswith("arn:aws:states:us-east-1:123456789012:express:")
    assert execution["Id"].endswith(f":{execution['Name']}")
    assert (execution["Input"], execution["RoleArn"]) == ({"a": 1}, ROLE)
    assert context["State"]["Name"] == "StateName"
    assert context["StateMachine"]["Id"].startswith("arn:aws:states:us-east-1:123456789012:")


def test_a_given_context_is_the_context_object(sfn: Any) -> None:
    given = {"Execution": {"Name": "mine"}, "Task": {"Token": "token-1"}}
    state = {"Type": "Pass", "Parameters": {"ctx.$": "$$"}, "End": True}
    output = _test(sfn, state, context=json.dumps(given))["output"]
    assert json.loads(output)["ctx"] == given


@pytest.mark.parametrize(
    ("context", "message"),
    [
        ({"Execution": {"Id": 1}}, "Execution.Id must be a string"),
        ({"Map": {}}, "'Map' field is not supported when mocking a Context object"),
    ],
)
def test_invalid_contexts_are_refused(sfn: Any, context: dict[str, Any], message: str) -> None:
    code, text = _error(sfn, {"Type": "Succeed"}, context=json.dumps(context))
    assert (code, text) == ("ValidationException", f"Invalid Context object provided: {message}")


# -- refusals --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("definition", "request_fields", "expected"),
    [
        (
            {"Type": "Pass", "End": True},
            {"mock": {"result": "{}"}},
            ("ValidationException", "State type 'Pass' is not supported when a mock is specified"),
        ),
        (
            LAMBDA_TASK,
            {"mock": {"result": "{}"}, "revealSecrets": True},
            (
                "ValidationException",
                "TestState does not support RevealSecrets when a mock is specified.",
            ),
        ),
        (
            MAP_STATE,
            {"stateConfiguration": {"mapIterationFailureCount": 1}},
            (
                "ValidationException",
                "TestState does not support MapIterationFailureCount when a mock is not specified.",
            ),
        ),
    ],
)
def test_combinations_aws_refuses(
    sfn: Any, definition: dict[str, Any], request_fields: dict[str, Any], expected: tuple
) -> None:
    assert _error(sfn, definition, **request_fields) == expected


def test_invalid_definitions_are_invalid_definition_errors(sfn: Any) -> None:
    code, message = _error(sfn, {"Type": "Nonsense", "End": True})
    assert code == "InvalidDefinition"
    assert "Type" in message
    assert _error(sfn, "{not json")[0] == "InvalidDefinition"


def test_invalid_input_is_refused(sfn: Any) -> None:
    code, _ = _error(sfn, {"Type": "Succeed"}, input="{nope")
    assert code == "InvalidExecutionInput"


def test_unmocked_activities_and_callback_patterns_are_refused(sfn: Any) -> None:
    for resource in (
        "arn:aws:states:us-east-1:123456789012:activity:work",
        "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "arn:aws:states:::states:startExecution.sync:2",
    ):
        code, message = _error(sfn, {"Type": "Task", "Resource": resource, "End": True})
        assert code == "InvalidDefinition"
        assert "unless a mock is specified" in message


def test_mocked_callback_task_reads_the_token_of_its_context(sfn: Any) -> None:
    task = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}},
        "End": True,
    }
    response = _test(
        sfn,
        task,
        inspectionLevel="DEBUG",
        context='{"Task": {"Token": "tok"}}',
        mock={"result": '{"answer": 42}'},
    )
    assert _data(response)["afterParameters"]["MessageBody"] == {"token": "tok"}
    assert json.loads(response["output"]) == {"answer": 42}


def test_jsonata_task_reports_its_arguments_and_result(sfn: Any) -> None:
    task = {
        "Type": "Task",
        "QueryLanguage": "JSONata",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Arguments": {"FunctionName": "double", "Payload": {"value": "{% $states.input.n %}"}},
        "Output": "{% $states.result.Payload.value %}",
        "End": True,
    }
    response = _test(sfn, task, input='{"n": 21}', inspectionLevel="DEBUG")
    assert json.loads(response["output"]) == 42
    data = _data(response)
    assert data["afterArguments"] == {"FunctionName": "double", "Payload": {"value": 21}}
    assert data["result"]["Payload"] == {"value": 42}


def test_wait_hands_its_input_on_without_waiting(sfn: Any) -> None:
    wait = {"Type": "Wait", "Seconds": 3600, "OutputPath": "$.keep", "Next": "Later"}
    response = _test(sfn, wait, input='{"keep": 1, "drop": 2}', inspectionLevel="DEBUG")
    assert (response["output"], response["nextState"]) == ("1", "Later")
    bad = {"Type": "Wait", "SecondsPath": "$.s", "End": True}
    failed = _test(sfn, bad, input='{"s": "soon"}')
    assert (failed["status"], failed["error"]) == ("FAILED", "States.Runtime")


def test_jsonata_map_limits_and_a_failure_percentage(sfn: Any) -> None:
    map_state = {
        "Type": "Map",
        "QueryLanguage": "JSONata",
        "Items": "{% $states.input.items %}",
        "ItemProcessor": {"StartAt": "W", "States": {"W": {"Type": "Pass", "End": True}}},
        "MaxConcurrency": "{% $states.input.limit %}",
        "ToleratedFailurePercentage": 50,
        "End": True,
    }
    request = {
        "input": '{"items": [1, 2, 3, 4], "limit": 3}',
        "inspectionLevel": "DEBUG",
        "mock": {"result": "[1, 2, 3, 4]"},
    }
    within = _test(sfn, map_state, stateConfiguration={"mapIterationFailureCount": 2}, **request)
    assert within["status"] == "SUCCEEDED"
    assert _data(within)["maxConcurrency"] == 3
    assert _data(within)["toleratedFailurePercentage"] == 50.0
    beyond = _test(sfn, map_state, stateConfiguration={"mapIterationFailureCount": 3}, **request)
    assert (beyond["status"], beyond["error"]) == (
        "FAILED",
        "States.ExceedToleratedFailureThreshold",
    )


def test_map_items_that_are_no_array_fail_the_state(sfn: Any) -> None:
    response = _test(sfn, MAP_STATE, input='{"items": 3}', mock={"result": "[]"})
    assert response["status"] == "FAILED"
    assert response["error"] == "States.Runtime"
    assert response["cause"] == 'Reference path "$.items" must point to array.'


def test_unmocked_task_reads_the_variables_of_the_request(sfn: Any) -> None:
    task = {**LAMBDA_TASK, "Parameters": {"FunctionName": "double", "Payload": {"value.$": "$n"}}}
    response = _test(sfn, task, input="{}", variables='{"n": 5}')
    assert json.loads(response["output"]) == {"result": {"doubled": 10}}
