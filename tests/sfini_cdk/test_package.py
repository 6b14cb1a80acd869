"""The package surface: light import, re-exports, lazy runtime names."""

from __future__ import annotations

import subprocess
import sys
import types

import pytest

import sfini_cdk
import sfini_cdk.state


def test_import_does_not_load_aws_cdk_or_boto3():
    code = (
        "import sys, sfini_cdk; "
        "assert 'aws_cdk' not in sys.modules, 'aws_cdk'; "
        "assert 'boto3' not in sys.modules, 'boto3'; "
        "assert 'sfini_runtime' not in sys.modules, 'sfini_runtime'"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_issue_import_check_holds():
    code = "import sys, sfini_cdk; assert 'aws_cdk' not in sys.modules"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_runtime_names_resolve_to_the_real_runtime_without_loading_the_cdk():
    names = ["Worker", "WorkerCancel", "TaskExecution", "Execution", "AWSSession", "CLI"]
    code = (
        "import sys, sfini_cdk, sfini_runtime\n"
        f"for name in {names!r}:\n"
        "    assert getattr(sfini_cdk, name) is getattr(sfini_runtime, name), name\n"
        "    assert isinstance(getattr(sfini_cdk, name), type), name\n"
        "assert 'aws_cdk' not in sys.modules\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ok\n"


def test_every_public_name_is_exported():
    for name in sfini_cdk.__all__:
        assert getattr(sfini_cdk, name) is not None, name
    for name in sfini_cdk.state.__all__:
        assert getattr(sfini_cdk.state, name) is not None, name


@pytest.mark.parametrize(
    "name", ["Worker", "WorkerCancel", "TaskExecution", "Execution", "AWSSession", "CLI"]
)
def test_runtime_names_load_lazily_from_sfini_runtime(monkeypatch, name):
    marker = type(name, (), {})
    fake_runtime = types.ModuleType("sfini_runtime")
    setattr(fake_runtime, name, marker)
    monkeypatch.setitem(sys.modules, "sfini_runtime", fake_runtime)
    monkeypatch.delitem(sfini_cdk.__dict__, name, raising=False)
    assert getattr(sfini_cdk, name) is marker
    assert name in dir(sfini_cdk)
    sfini_cdk.__dict__.pop(name)  # not monkeypatch.delitem: its undo would put the marker back


def test_unknown_attribute():
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        sfini_cdk.Nope  # noqa: B018


def test_states_error_names():
    assert sfini_cdk.States.ALL == "States.ALL"
    assert sfini_cdk.States.HEARTBEAT_TIMEOUT == "States.HeartbeatTimeout"
    assert sfini_cdk.States.QUERY_EVALUATION_ERROR == "States.QueryEvaluationError"
    # the predefined error names of the Step Functions Developer Guide ("Error names")
    documented = {
        "States.ALL",
        "States.BranchFailed",
        "States.DataLimitExceeded",
        "States.ExceedToleratedFailureThreshold",
        "States.HeartbeatTimeout",
        "States.Http.Socket",
        "States.IntrinsicFailure",
        "States.ItemReaderFailed",
        "States.NoChoiceMatched",
        "States.ParameterPathFailure",
        "States.Permissions",
        "States.QueryEvaluationError",
        "States.ResultPathMatchFailure",
        "States.ResultWriterFailed",
        "States.Runtime",
        "States.TaskFailed",
        "States.Timeout",
    }
    assert documented == set(sfini_cdk.PREDEFINED_ERRORS)


def test_default_parameter_semantics():
    assert sfini_cdk.DefaultParameter() == sfini_cdk.DEFAULT
    assert not sfini_cdk.DEFAULT
    assert sfini_cdk.DEFAULT != None  # noqa: E711
    assert sfini_cdk.is_given(None)
    assert not sfini_cdk.is_given(sfini_cdk.DefaultParameter())
    assert repr(sfini_cdk.DEFAULT) == "DefaultParameter()"
