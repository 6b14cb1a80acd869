"""A cloud assembly's Python Lambda functions run in warm worker processes: found through
their asset metadata, S3 key or inline code, with the template's environment, memory and
time-out; other runtimes listed as not served; Lambda's errors for init failures, exits and
time-outs; no worker outlives the engine."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sfini_runtime.local import LocalEngine

from .._helpers import run, types

pytestmark = pytest.mark.engine

HASH = "a" * 64
ZIP_HASH = "b" * 64
INVOKE = "arn:aws:states:::lambda:invoke"

APP = """
import json, os, time
import boto3

calls = 0

def handler(event, context):
    global calls
    calls += 1
    return {
        "event": event,
        "pid": os.getpid(),
        "calls": calls,
        "cwd": os.getcwd(),
        "greeting": os.environ.get("GREETING"),
        "target": os.environ.get("TARGET"),
        "name": os.environ.get("AWS_LAMBDA_FUNCTION_NAME"),
        "memory_env": os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"),
        "sfn": os.environ.get("AWS_ENDPOINT_URL_SFN"),
        "function_name": context.function_name,
        "memory": context.memory_limit_in_mb,
        "request_id": context.aws_request_id,
        "remaining": context.get_remaining_time_in_millis(),
        "arn": context.invoked_function_arn,
    }

def slow(event, context):
    time.sleep(event.get("seconds", 30))
    return os.getpid()

def fails(event, context):
    raise KeyError("no such order")

def prints(event, context):
    import sys
    print("a print", "x" * 100_000)  # stdout is not the engine's pipe: nothing breaks
    sys.stdout.write("\\x00\\x00\\x00\\x05junk")
    return {"printed": True}

def exits(event, context):
    os._exit(3)

def unmarshallable(event, context):
    return {"when": object()}

def callback(event, context):
    sfn = boto3.client("stepfunctions")
    result = json.dumps({"by": context.function_name})
    sfn.send_task_success(taskToken=event["token"], output=result)
    return "sent"
"""


def function(handler: str, *, code: dict[str, Any] | None = None, **properties: Any) -> Any:
    resource: dict[str, Any] = {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "Runtime": "python3.12",
            "Handler": handler,
            "Role": "arn:aws:iam::123456789012:role/fn",
            "Code": code
            or {
                "S3Bucket": {"Fn::Sub": "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}"},
                "S3Key": f"{HASH}.zip",
            },
            **properties,
        },
    }
    if code is None:
        resource["Metadata"] = {"aws:asset:path": f"asset.{HASH}", "aws:asset:property": "Code"}
    return resource


def invoke_machine(name: str, function_logical_id: str) -> Any:
    definition = {
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": INVOKE,
                "Parameters": {"FunctionName": "${Fn}", "Payload.$": "$"},
                "OutputPath": "$.Payload",
                "End": True,
            }
        },
    }
    return {
        "Type": "AWS::StepFunctions::StateMachine",
        "Properties": {
            "StateMachineName": name,
            "DefinitionString": json.dumps(definition),
            "DefinitionSubstitutions": {"Fn": {"Fn::GetAtt": [function_logical_id, "Arn"]}},
        },
    }


RESOURCES: dict[str, Any] = {
    "Greet": function(
        "app.handler",
        FunctionName="greet",
        Timeout=7,
        MemorySize=256,
        Environment={
            "Variables": {"GREETING": "hello", "TARGET": {"Ref": "Flow"}},
        },
    ),
    "Generated": function("app.handler"),
    "Slow": function("app.slow", FunctionName="slow", Timeout=1),
    "Fails": function("app.fails", FunctionName="fails"),
    "Exits": function("app.exits", FunctionName="exits"),
    "Unmarshallable": function("app.unmarshallable", FunctionName="unmarshallable"),
    "Callback": function("app.callback", FunctionName="callback", Timeout=30),
    "MissingModule": function("nowhere.handler", FunctionName="missing-module"),
    "Prints": function("app.prints", FunctionName="prints"),
    "SyntaxError": function("broken.handler", FunctionName="syntax-error"),
    "RaisesAtImport": function("raising.handler", FunctionName="raises-at-import"),
    "MissingHandler": function("app.nothing", FunctionName="missing-handler"),
    "BadHandler": function("app", FunctionName="bad-handler"),
    "Inline": function(
        "index.handler",
        FunctionName="inline",
        code={"ZipFile": "def handler(event, context):\n    return {'inline': event}\n"},
    ),
    "Zipped": function(
        "zipped.handler",
        FunctionName="zipped",
        code={"S3Bucket": "assets", "S3Key": f"{ZIP_HASH}.zip"},
    ),
    "Node": {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "FunctionName": "node",
            "Runtime": "nodejs20.x",
            "Handler": "index.handler",
            "Role": "arn:aws:iam::123456789012:role/fn",
            "Code": {"ZipFile": "exports.handler = async () => 1;"},
        },
    },
    "Elsewhere": function(
        "app.handler", FunctionName="elsewhere", code={"S3Bucket": "b", "S3Key": "k.zip"}
    ),
    "Flow": invoke_machine("flow", "Greet"),
    "GeneratedFlow": invoke_machine("generated-flow", "Generated"),
}


def write_assembly(root: Path) -> Path:
    import zipfile

    asset = root / f"asset.{HASH}"
    asset.mkdir(parents=True)
    (asset / "app.py").write_text(APP)
    (asset / "broken.py").write_text("def handler(event, context:\n    pass\n")
    (asset / "raising.py").write_text("raise RuntimeError('no database at import')\n")
    with zipfile.ZipFile(root / f"asset.{ZIP_HASH}.zip", "w") as archive:
        archive.writestr("zipped.py", "def handler(event, context):\n    return 'from a zip'\n")
    (root / "App.template.json").write_text(json.dumps({"Resources": RESOURCES}))
    manifest = {
        "version": "36.0.0",
        "artifacts": {
            "App": {
                "type": "aws:cloudformation:stack",
                "properties": {"templateFile": "App.template.json", "stackName": "App"},
            }
        },
    }
    (root / "manifest.json").write_text(json.dumps(manifest))
    return root


@pytest.fixture(scope="module")
def assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_assembly(tmp_path_factory.mktemp("assembly") / "cdk.out")


@pytest.fixture(scope="module")
def engine(assembly: Path) -> Iterator[LocalEngine]:
    with LocalEngine(cdk_out=assembly) as local:
        yield local


@pytest.fixture(scope="module")
def sfn(engine: LocalEngine) -> Any:
    return engine.client()


def arn(name: str) -> str:
    return f"arn:aws:lambda:us-east-1:123456789012:function:{name}"


def state_machine(sfn: Any, resource: str, name: str, **parameters: Any) -> str:
    state: dict[str, Any] = {"Type": "Task", "Resource": resource, "End": True}
    if parameters:
        state["Parameters"] = parameters
    return str(
        sfn.create_state_machine(
            name=name,
            roleArn="arn:aws:iam::123456789012:role/r",
            definition=json.dumps({"StartAt": "Call", "States": {"Call": state}}),
        )["stateMachineArn"]
    )


def output(described: dict[str, Any]) -> Any:
    assert described["status"] == "SUCCEEDED", described
    return json.loads(described["output"])


def failure(sfn: Any, described: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    assert described["status"] == "FAILED", described
    return described["error"], json.loads(described["cause"])


def test_template_functions_run_with_their_environment_memory_and_timeout(
    sfn: Any, engine: LocalEngine, assembly: Path
) -> None:
    flow = "arn:aws:states:us-east-1:123456789012:stateMachine:flow"
    first = output(run(sfn, flow, {"order": 1}))
    assert first["event"] == {"order": 1}
    assert first["greeting"] == "hello"
    assert first["target"] == flow  # a Ref in the template's environment, resolved
    assert first["name"] == first["function_name"] == "greet"
    assert first["memory"] == first["memory_env"] == "256"
    assert first["arn"] == arn("greet")
    assert 5_000 < first["remaining"] <= 7_000  # Timeout: 7
    assert first["sfn"] == engine.endpoint_url
    assert Path(first["cwd"]) == assembly / f"asset.{HASH}"
    assert first["pid"] != os.getpid()


def test_a_worker_stays_warm_between_invocations(sfn: Any) -> None:
    flow = "arn:aws:states:us-east-1:123456789012:stateMachine:flow"
    first = output(run(sfn, flow, {}))
    second = output(run(sfn, flow, {}))
    assert second["pid"] == first["pid"]
    assert second["calls"] == first["calls"] + 1
    assert second["request_id"] != first["request_id"]


def test_a_function_without_a_name_gets_stack_and_logical_id(sfn: Any) -> None:
    described = run(sfn, "arn:aws:states:us-east-1:123456789012:stateMachine:generated-flow")
    assert output(described)["function_name"] == "App-Generated"


def test_legacy_resource_form_and_inline_and_zipped_code(sfn: Any) -> None:
    inline = state_machine(sfn, arn("inline"), "inline-legacy")
    assert output(run(sfn, inline, {"x": 1})) == {"inline": {"x": 1}}
    assert types(sfn, run(sfn, inline, {})["executionArn"])[2:5] == [
        "LambdaFunctionScheduled",
        "LambdaFunctionStarted",
        "LambdaFunctionSucceeded",
    ]
    zipped = state_machine(sfn, arn("zipped"), "zipped-legacy")
    assert output(run(sfn, zipped, {})) == "from a zip"


def test_served_and_unserved_functions_are_listed(engine: LocalEngine) -> None:
    served = {config.name: config for config in engine.lambdas.served()}
    assert served["greet"].timeout_seconds == 7.0 and served["greet"].memory_mb == 256
    assert served["greet"].runtime == "python3.12" and served["greet"].handler == "app.handler"
    assert {"inline", "zipped", "App-Generated", "slow"} <= set(served)
    unserved = {name: reason for name, _arn, reason in engine.lambdas.unserved()}
    assert set(unserved) == {"node", "elsewhere"}
    assert "nodejs20.x is not Python" in unserved["node"]
    assert "not in the cloud assembly" in unserved["elsewhere"]
    lines = engine.lambdas.describe()
    assert "Lambda greet: served (python3.12 app.handler)" in lines
    assert any(line.startswith("Lambda node: not served: runtime nodejs20.x") for line in lines)


def test_an_unserved_function_fails_naming_why(sfn: Any) -> None:
    described = run(sfn, state_machine(sfn, INVOKE, "call-node", FunctionName="node"))
    assert described["status"] == "FAILED"
    assert described["error"] == "Lambda.ResourceNotFoundException"
    assert "nodejs20.x is not Python" in described["cause"]


def test_unhandled_exception_and_marshal_error(sfn: Any) -> None:
    error, cause = failure(sfn, run(sfn, state_machine(sfn, arn("fails"), "fails-legacy")))
    assert error == "KeyError"
    assert cause["errorType"] == "KeyError" and cause["errorMessage"] == "'no such order'"
    assert any("in fails" in line for line in cause["stackTrace"])
    error, cause = failure(
        sfn, run(sfn, state_machine(sfn, arn("unmarshallable"), "unmarshallable-legacy"))
    )
    assert error == "Runtime.MarshalError"
    assert cause["errorMessage"].startswith("Unable to marshal response:")


@pytest.mark.parametrize(
    ("name", "error_type", "message"),
    [
        (
            "missing-module",
            "Runtime.ImportModuleError",
            "Unable to import module 'nowhere': No module named 'nowhere'",
        ),
        ("missing-handler", "Runtime.HandlerNotFound", "Handler 'nothing' missing on module 'app'"),
        ("syntax-error", "Runtime.UserCodeSyntaxError", "Syntax error in module 'broken': "),
        ("raises-at-import", "RuntimeError", "no database at import"),
        (
            "bad-handler",
            "Runtime.MalformedHandlerName",
            "Bad handler 'app': not enough values to unpack (expected 2, got 1)",
        ),
    ],
)
def test_init_errors_as_lambda_reports_them(
    sfn: Any, name: str, error_type: str, message: str
) -> None:
    error, cause = failure(sfn, run(sfn, state_machine(sfn, arn(name), f"{name}-legacy")))
    assert error == error_type
    assert cause["errorType"] == error_type and cause["errorMessage"].startswith(message)


def test_printing_to_stdout_does_not_disturb_the_worker(sfn: Any) -> None:
    machine_arn = state_machine(sfn, arn("prints"), "prints-legacy")
    assert output(run(sfn, machine_arn)) == {"printed": True}
    assert output(run(sfn, machine_arn)) == {"printed": True}  # and it stays warm, usable


def test_a_worker_that_exits_is_an_exit_error_and_the_next_call_gets_a_fresh_one(
    sfn: Any,
) -> None:
    machine_arn = state_machine(sfn, INVOKE, "exits-invoke", FunctionName="exits")
    described = run(sfn, machine_arn)
    assert described["status"] == "FAILED"
    assert described["error"] == "Runtime.ExitError"
    cause = json.loads(described["cause"])
    assert cause["errorType"] == "Runtime.ExitError"
    assert cause["errorMessage"].endswith("Error: Runtime exited with error: exit status 3")
    assert run(sfn, machine_arn)["error"] == "Runtime.ExitError"  # a new worker, same end


def test_time_out_kills_the_worker_and_the_next_call_is_cold(sfn: Any) -> None:
    machine_arn = state_machine(sfn, arn("slow"), "slow-legacy")
    warm_pid = output(run(sfn, machine_arn, {"seconds": 0}))
    started = time.monotonic()
    described = run(sfn, machine_arn, {"seconds": 30})
    assert time.monotonic() - started < 10
    assert described["status"] == "FAILED"
    assert described["error"] == "Lambda.Unknown"
    assert "Task timed out after 1.00 seconds" in described["cause"]
    assert types(sfn, described["executionArn"])[-3:] == [
        "LambdaFunctionStarted",
        "LambdaFunctionFailed",
        "ExecutionFailed",
    ]
    with pytest.raises(ProcessLookupError):
        os.kill(warm_pid, 0)  # killed at its time-out
    fresh_pid = output(run(sfn, machine_arn, {"seconds": 0}))
    assert fresh_pid != warm_pid
    assert output(run(sfn, machine_arn, {"seconds": 0})) == fresh_pid  # warm again


def test_a_function_reaches_the_engine_through_its_sdk(sfn: Any) -> None:
    machine_arn = str(
        sfn.create_state_machine(
            name="callback-flow",
            roleArn="arn:aws:iam::123456789012:role/r",
            definition=json.dumps(
                {
                    "StartAt": "Call",
                    "States": {
                        "Call": {
                            "Type": "Task",
                            "Resource": f"{INVOKE}.waitForTaskToken",
                            "Parameters": {
                                "FunctionName": "callback",
                                "Payload": {"token.$": "$$.Task.Token"},
                            },
                            "End": True,
                        }
                    },
                }
            ),
        )["stateMachineArn"]
    )
    described = run(sfn, machine_arn)
    assert output(described) == {"by": "callback"}
    assert "TaskSubmitted" in types(sfn, described["executionArn"])


def test_no_worker_outlives_the_engine(assembly: Path) -> None:
    with LocalEngine(cdk_out=assembly) as local:
        client = local.client()
        flow = "arn:aws:states:us-east-1:123456789012:stateMachine:flow"
        pid = output(run(client, flow, {}))["pid"]
        os.kill(pid, 0)  # running, warm
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        raise AssertionError(f"worker {pid} still running after the engine stopped")
