"""Executions on ``stateMachineArn#TestCase`` answered by a mock configuration, through boto3
over HTTP: the history AWS records for the real service, retries consuming invocations, Map
and Parallel around mocked states, activities, callbacks and jobs, and the errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sfini_runtime.local import LocalEngine

from .._helpers import ROLE_ARN, details, history, machine, run, types, wait_done

pytestmark = pytest.mark.engine

INVOKE_OK = {"StatusCode": 200, "Payload": {"body": "hello"}}
CONFIG = {
    "StateMachines": {
        "mock-lambda": {
            "TestCases": {
                "Happy": {"Invoke": "LambdaOk"},
                "Retry": {"Invoke": "LambdaRetry"},
                "Exhausted": {"Invoke": "LambdaOnce"},
                "Caught": {"Invoke": "LambdaThrow"},
            }
        },
        "mock-legacy": {"TestCases": {"Happy": {"Fn": "FunctionResult"}}},
        "mock-map": {"TestCases": {"Happy": {"Item": "PerItem"}}},
        "mock-parallel": {"TestCases": {"Happy": {"Left": "LeftAnswer", "Right": "RightAnswer"}}},
        "mock-activity": {"TestCases": {"Happy": {"Work": "ActivityOk"}, "Sad": {"Work": "Oops"}}},
        "mock-callback": {"TestCases": {"Happy": {"Send": "CallbackResult"}}},
        "mock-job": {"TestCases": {"Happy": {"Job": "JobResult"}}},
        "mock-hybrid": {"TestCases": {"Happy": {"Publish": "Published"}}},
        "mock-express": {"TestCases": {"Happy": {"Invoke": "LambdaOk"}, "Sad": {"Invoke": "Oops"}}},
        "mock-checked": {"TestCases": {"T": {"Missing": "Published"}}},
        "mock-updated": {"TestCases": {"T": {"A": "Published"}}},
    },
    "MockedResponses": {
        "LambdaOk": {"0": {"Return": INVOKE_OK}},
        "LambdaRetry": {
            "0": {"Throw": {"Error": "Lambda.ServiceException", "Cause": "try again"}},
            "1": {"Return": INVOKE_OK},
        },
        "LambdaOnce": {"0": {"Throw": {"Error": "Lambda.ServiceException", "Cause": "no"}}},
        "LambdaThrow": {"0": {"Throw": {"Error": "Lambda.TooManyRequestsException"}}},
        "FunctionResult": {"0": {"Return": {"from": "function"}}},
        "PerItem": {"0-1": {"Return": "early"}, "2": {"Return": "late"}},
        "LeftAnswer": {"0": {"Return": "left"}},
        "RightAnswer": {"0": {"Return": "right"}},
        "ActivityOk": {"0": {"Return": {"done": True}}},
        "Oops": {"0": {"Throw": {"Error": "Oops", "Cause": "it broke"}}},
        "CallbackResult": {"0": {"Return": {"approved": True}}},
        "JobResult": {"0": {"Return": {"Status": "SUCCEEDED", "Output": {"x": 1}}}},
        "Published": {"0": {"Return": {"MessageId": "m-1"}}},
    },
}
ACCOUNT = "123456789012"
ACTIVITY = f"arn:aws:states:us-east-1:{ACCOUNT}:activity:mock-never-created"
FUNCTION = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:mock-fn"


@pytest.fixture(scope="module")
def mock_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("mocks") / "MockConfigFile.json"
    path.write_text(json.dumps(CONFIG, indent=2))
    return path


@pytest.fixture(scope="module")
def sfn(mock_file: Path) -> Iterator[Any]:
    with LocalEngine(time_scale=0, mock_config=mock_file) as engine:
        yield engine.client()


def _invoke(**extra: Any) -> dict[str, Any]:
    return {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "mock-fn", "Payload.$": "$"},
        **extra,
    }


def _one_state(name: str, state: dict[str, Any]) -> dict[str, Any]:
    return {"StartAt": name, "States": {name: {**state, "End": True}}}


def _created(sfn: Any, name: str, definition: dict[str, Any], **kwargs: Any) -> str:
    try:
        return machine(sfn, definition, name=name, **kwargs)
    except ClientError as error:
        if error.response["Error"]["Code"] != "StateMachineAlreadyExists":
            raise
        arn = f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:{name}"
        sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(definition))
        return arn


def test_a_mocked_lambda_invoke_records_the_real_services_events(sfn: Any) -> None:
    arn = _created(sfn, "mock-lambda", _one_state("Invoke", _invoke()))
    started = sfn.start_execution(stateMachineArn=f"{arn}#Happy", input='{"a": 1}')
    assert started["executionArn"].startswith(
        f"arn:aws:states:us-east-1:{ACCOUNT}:execution:mock-lambda:"
    )
    assert "#" not in started["executionArn"]
    described = wait_done(sfn, started["executionArn"])
    assert described["stateMachineArn"] == arn
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == INVOKE_OK
    assert types(sfn, started["executionArn"]) == [
        "ExecutionStarted",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    [scheduled] = details(sfn, started["executionArn"], "TaskScheduled")
    assert scheduled["resourceType"] == "lambda" and scheduled["resource"] == "invoke"
    assert json.loads(scheduled["parameters"]) == {"FunctionName": "mock-fn", "Payload": {"a": 1}}
    [succeeded] = details(sfn, started["executionArn"], "TaskSucceeded")
    assert json.loads(succeeded["output"]) == INVOKE_OK
    assert succeeded["resource"] == "invoke"


def test_retry_consumes_a_throw_then_a_return(sfn: Any) -> None:
    retry = [{"ErrorEquals": ["Lambda.ServiceException"], "MaxAttempts": 2}]
    arn = _created(sfn, "mock-lambda", _one_state("Invoke", _invoke(Retry=retry)))
    described = run(sfn, f"{arn}#Retry")
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == INVOKE_OK
    execution = described["executionArn"]
    assert types(sfn, execution)[2:8] == [
        "TaskScheduled",
        "TaskStarted",
        "TaskFailed",
        "TaskScheduled",
        "TaskStarted",
        "TaskSucceeded",
    ]
    [failed] = details(sfn, execution, "TaskFailed")
    assert failed == {
        "resourceType": "lambda",
        "resource": "invoke",
        "error": "Lambda.ServiceException",
        "cause": "try again",
    }


def test_a_throw_is_caught_as_its_error(sfn: Any) -> None:
    catch = [{"ErrorEquals": ["Lambda.TooManyRequestsException"], "Next": "Fallback"}]
    definition = {
        "StartAt": "Invoke",
        "States": {
            "Invoke": _invoke(Catch=catch, End=True),
            "Fallback": {"Type": "Pass", "End": True},
        },
    }
    arn = _created(sfn, "mock-lambda", definition)
    described = run(sfn, f"{arn}#Caught")
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"Error": "Lambda.TooManyRequestsException"}
    [failed] = details(sfn, described["executionArn"], "TaskFailed")
    assert failed["error"] == "Lambda.TooManyRequestsException" and "cause" not in failed


def test_an_invocation_past_the_last_key_fails_the_execution(sfn: Any, mock_file: Path) -> None:
    """As the Step Functions Local guide says: a mocked Task needs an answer for every
    invocation. States.Runtime: neither Retry nor Catch (States.ALL) handles it."""
    definition = {
        "StartAt": "Invoke",
        "States": {
            "Invoke": _invoke(
                Retry=[{"ErrorEquals": ["States.ALL"], "MaxAttempts": 3}],
                Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Fallback"}],
                End=True,
            ),
            "Fallback": {"Type": "Pass", "End": True},
        },
    }
    arn = _created(sfn, "mock-lambda", definition)
    described = run(sfn, f"{arn}#Exhausted")
    assert described["status"] == "FAILED"
    assert described["error"] == "States.Runtime"
    assert described["cause"] == (
        "An error occurred while executing the state 'Invoke' (entered at the event id #2). "
        f"The mock configuration {mock_file} has no answer for invocation 1 of the state "
        "'Invoke' in test case 'Exhausted': MockedResponses.LambdaOnce has the invocation keys "
        '"0" (a mocked state needs an answer for every invocation, retries included).'
    )
    assert types(sfn, described["executionArn"]).count("TaskScheduled") == 2


def test_a_lambda_function_arn_resource_takes_the_return_as_the_functions_result(
    sfn: Any,
) -> None:
    arn = _created(sfn, "mock-legacy", _one_state("Fn", {"Type": "Task", "Resource": FUNCTION}))
    described = run(sfn, f"{arn}#Happy", {"in": 1})
    assert json.loads(described["output"]) == {"from": "function"}
    execution = described["executionArn"]
    assert types(sfn, execution)[2:5] == [
        "LambdaFunctionScheduled",
        "LambdaFunctionStarted",
        "LambdaFunctionSucceeded",
    ]
    [scheduled] = details(sfn, execution, "LambdaFunctionScheduled")
    assert scheduled["resource"] == FUNCTION and json.loads(scheduled["input"]) == {"in": 1}


def test_map_iterations_share_the_invocation_count(sfn: Any) -> None:
    item = {"Type": "Task", "Resource": "arn:aws:states:::sns:publish", "Parameters": {}}
    definition = _one_state(
        "Items",
        {
            "Type": "Map",
            "MaxConcurrency": 1,
            "ItemProcessor": {"StartAt": "Item", "States": {"Item": {**item, "End": True}}},
        },
    )
    arn = _created(sfn, "mock-map", definition)
    described = run(sfn, f"{arn}#Happy", [1, 2, 3])
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == ["early", "early", "late"]
    assert types(sfn, described["executionArn"]).count("TaskSucceeded") == 3


def test_parallel_branches_are_mocked_by_state_name(sfn: Any) -> None:
    def branch(name: str) -> dict[str, Any]:
        task = {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "Parameters": {}}
        return _one_state(name, task)

    definition = _one_state(
        "Both", {"Type": "Parallel", "Branches": [branch("Left"), branch("Right")]}
    )
    arn = _created(sfn, "mock-parallel", definition)
    described = run(sfn, f"{arn}#Happy")
    assert json.loads(described["output"]) == ["left", "right"]
    resources = {
        d["resourceType"] for d in details(sfn, described["executionArn"], "TaskSucceeded")
    }
    assert resources == {"sqs"}


def test_activities_can_be_mocked_without_a_worker_or_the_activity(sfn: Any) -> None:
    state = {"Type": "Task", "Resource": ACTIVITY, "TimeoutSeconds": 30}
    arn = _created(sfn, "mock-activity", _one_state("Work", state))
    happy = run(sfn, f"{arn}#Happy", {"job": 7})
    assert happy["status"] == "SUCCEEDED" and json.loads(happy["output"]) == {"done": True}
    assert types(sfn, happy["executionArn"])[2:5] == [
        "ActivityScheduled",
        "ActivityStarted",
        "ActivitySucceeded",
    ]
    [scheduled] = details(sfn, happy["executionArn"], "ActivityScheduled")
    assert scheduled["resource"] == ACTIVITY and scheduled["timeoutInSeconds"] == 30
    assert json.loads(scheduled["input"]) == {"job": 7}
    sad = run(sfn, f"{arn}#Sad")
    assert (sad["status"], sad["error"], sad["cause"]) == ("FAILED", "Oops", "it broke")
    assert details(sfn, sad["executionArn"], "ActivityFailed") == [
        {"error": "Oops", "cause": "it broke"}
    ]


def test_wait_for_task_token_takes_the_return_as_the_callbacks_result(sfn: Any) -> None:
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}},
    }
    arn = _created(sfn, "mock-callback", _one_state("Send", state))
    described = run(sfn, f"{arn}#Happy")
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"approved": True}
    execution = described["executionArn"]
    assert types(sfn, execution)[2:6] == [
        "TaskScheduled",
        "TaskStarted",
        "TaskSubmitted",
        "TaskSucceeded",
    ]
    [scheduled] = details(sfn, execution, "TaskScheduled")
    assert json.loads(scheduled["parameters"])["MessageBody"]["token"]  # a token was issued
    assert scheduled["resource"] == "sendMessage.waitForTaskToken"


def test_a_sync_job_is_submitted_then_succeeds_with_the_return(sfn: Any) -> None:
    child = machine(sfn, _one_state("P", {"Type": "Pass", "Result": "child ran"}))
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::states:startExecution.sync:2",
        "Parameters": {"StateMachineArn": child},
    }
    arn = _created(sfn, "mock-job", _one_state("Job", state))
    described = run(sfn, f"{arn}#Happy")
    assert json.loads(described["output"]) == {"Status": "SUCCEEDED", "Output": {"x": 1}}
    assert types(sfn, described["executionArn"])[2:6] == [
        "TaskScheduled",
        "TaskStarted",
        "TaskSubmitted",
        "TaskSucceeded",
    ]
    [submitted] = details(sfn, described["executionArn"], "TaskSubmitted")
    assert json.loads(submitted["output"]) == {"Status": "SUCCEEDED", "Output": {"x": 1}}
    # without a test case the same machine runs its child for real
    unmocked = run(sfn, arn)
    assert json.loads(unmocked["output"])["Output"] == "child ran"


def test_states_the_test_case_does_not_name_call_the_real_integration(sfn: Any) -> None:
    child = machine(sfn, _one_state("P", {"Type": "Pass", "Result": "child ran"}))
    definition = {
        "StartAt": "Publish",
        "States": {
            "Publish": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sns:publish",
                "Parameters": {"Message": "m"},
                "ResultPath": "$.published",
                "Next": "Real",
            },
            "Real": {
                "Type": "Task",
                "Resource": "arn:aws:states:::states:startExecution.sync:2",
                "Parameters": {"StateMachineArn": child},
                "ResultSelector": {"Output.$": "$.Output"},
                "ResultPath": "$.child",
                "End": True,
            },
        },
    }
    arn = _created(sfn, "mock-hybrid", definition)
    described = run(sfn, f"{arn}#Happy")
    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"]) == {
        "published": {"MessageId": "m-1"},
        "child": {"Output": "child ran"},
    }


def test_start_sync_execution_takes_a_test_case_and_reports_failure_details(sfn: Any) -> None:
    arn = _created(sfn, "mock-express", _one_state("Invoke", _invoke()), type="EXPRESS")
    happy = sfn.start_sync_execution(stateMachineArn=f"{arn}#Happy", input="{}")
    assert happy["status"] == "SUCCEEDED"
    assert json.loads(happy["output"]) == INVOKE_OK
    assert happy["stateMachineArn"] == arn and "#" not in happy["executionArn"]
    sad = sfn.start_sync_execution(stateMachineArn=f"{arn}#Sad", input="{}")
    assert (sad["status"], sad["error"], sad["cause"]) == ("FAILED", "Oops", "it broke")
    assert sad["outputDetails"] == {"included": True} and "output" not in sad


def _error(call: Any, **kwargs: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def test_an_unknown_test_case_is_a_validation_error(sfn: Any, mock_file: Path) -> None:
    arn = _created(sfn, "mock-lambda", _one_state("Invoke", _invoke()))
    assert _error(sfn.start_execution, stateMachineArn=f"{arn}#Nope") == (
        "ValidationException",
        f"Test case 'Nope' of state machine 'mock-lambda' is not in the mock configuration "
        f"{mock_file} (its test cases for that machine: 'Happy', 'Retry', 'Exhausted', 'Caught')",
    )
    assert _error(sfn.start_execution, stateMachineArn=f"{arn}#") == (
        "ValidationException",
        f"No test case after '#' in '{arn}#' (stateMachineArn#TestCaseName)",
    )
    other = machine(sfn, _one_state("P", {"Type": "Pass"}))
    code, _ = _error(sfn.start_sync_execution, stateMachineArn=f"{other}#Happy")
    assert code == "StateMachineTypeNotSupported"  # a STANDARD machine, whatever the test case
    code, message = _error(sfn.start_execution, stateMachineArn=f"{other}#Happy")
    assert code == "ValidationException" and "its test cases for that machine: none" in message
    missing = f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:absent"
    assert _error(sfn.start_execution, stateMachineArn=f"{missing}#Happy")[0] == (
        "StateMachineDoesNotExist"
    )


def test_a_test_case_naming_a_missing_state_fails_create_and_update(
    sfn: Any, mock_file: Path
) -> None:
    code, message = _error(
        sfn.create_state_machine,
        name="mock-checked",
        roleArn=ROLE_ARN,
        definition=json.dumps(_one_state("Present", {"Type": "Pass"})),
    )
    assert code == "ValidationException"
    assert message.startswith(f"{mock_file} line ")
    assert message.endswith(
        ": StateMachines.mock-checked.TestCases.T.Missing: test case 'T' names the state "
        "'Missing', which state machine 'mock-checked' does not have (its states: Present)"
    )
    nested = _one_state(
        "Outer",
        {"Type": "Parallel", "Branches": [_one_state("Missing", {"Type": "Pass"})]},
    )
    machine(sfn, nested, name="mock-checked")  # inside a branch counts
    arn = machine(sfn, _one_state("A", {"Type": "Pass"}), name="mock-updated")
    code, message = _error(
        sfn.update_state_machine,
        stateMachineArn=arn,
        definition=json.dumps(_one_state("B", {"Type": "Pass"})),
    )
    assert code == "ValidationException" and "names the state 'A'" in message
    described = sfn.describe_state_machine(stateMachineArn=arn)
    assert json.loads(described["definition"]) == _one_state("A", {"Type": "Pass"})


def test_a_test_case_without_a_mock_configuration_is_a_validation_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SFN_MOCK_CONFIG", raising=False)
    with LocalEngine(time_scale=0) as bare:
        client = bare.client()
        arn = machine(client, _one_state("P", {"Type": "Pass"}))
        code, message = _error(client.start_execution, stateMachineArn=f"{arn}#Happy")
    assert code == "ValidationException"
    assert message == (
        f"Test case 'Happy' requested ('{arn}#Happy'), but the local engine has no mock "
        "configuration (give one with SFN_MOCK_CONFIG=FILE or sfini local serve --mock-config "
        "FILE)"
    )


def test_sfn_mock_config_is_read_when_no_mock_config_is_given(
    monkeypatch: pytest.MonkeyPatch, mock_file: Path
) -> None:
    monkeypatch.setenv("SFN_MOCK_CONFIG", str(mock_file))
    with LocalEngine(time_scale=0) as engine:
        client = engine.client()
        arn = machine(client, _one_state("Invoke", _invoke()), name="mock-lambda")
        described = run(client, f"{arn}#Happy")
        assert len(history(client, described["executionArn"])) == 7
    assert json.loads(described["output"]) == INVOKE_OK
