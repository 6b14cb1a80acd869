"""The pytest plugin for testing workflows (entry point ``sfini``, in ``pytest11``).

pytest loads it in every run where sfini-cdk is installed, so it is inert until a test asks for
one of its ``sfini_`` fixtures: loading it imports nothing but pytest (the engine, boto3 and
the workers are imported by the fixtures), starts nothing and changes no other test.
``-p no:sfini`` turns it off; ``-p sfini`` loads it where plugin autoloading is disabled.

Fixtures: ``sfini_engine`` (a running ``LocalEngine``, the test's environment pointed at it),
``sfini_session_engine`` (the one engine of the session), ``sfini_client`` (boto3),
``sfini_session`` (``AWSSession``), ``sfini_harness`` / ``sfini_run`` (run a state machine to
its end: an ``ExecutionResult``), ``sfini_workers`` (workers for a registration), and the three
a suite overrides to configure the engine: ``sfini_lambdas``, ``sfini_mock_config``,
``sfini_time_scale``. Settings (ini file, or the command line): ``sfini_engine_scope``
(``function``: an engine per test, or ``session``: one engine per time scale for the session),
``sfini_time_scale`` (default 0), ``sfini_timeout`` (seconds an execution may run, 60),
``sfini_mock_config`` (a mock configuration file); ``@pytest.mark.sfini(time_scale=...,
timeout=...)`` sets them for one test.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from sfini_runtime.testing.engines import (
    EngineSlot,
    SessionEngines,
    point_environment,
    swap_mocks,
)
from sfini_runtime.testing.settings import SETTINGS, add_options, marker_number, setting

if TYPE_CHECKING:
    from sfini_runtime.local import LocalEngine
    from sfini_runtime.session import AWSSession
    from sfini_runtime.testing.harness import Harness


# -- settings -------------------------------------------------------------------------------
def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "sfini(time_scale=None, timeout=None): the sfini engine's time scale and the "
        "execution timeout for this test",
    )
    for name in SETTINGS:
        setting(config, name)  # a bad value is a usage error now, not in each test


# -- failure reports ------------------------------------------------------------------------
#: the harness a test ran on, and how many results it held before the test
_RUNS = pytest.StashKey["tuple[Harness, int]"]()
#: the title of the report section quoting the histories of a failed test's executions
HISTORY_SECTION = "sfini: executions of this test (sfini 0.1.0 history format)"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """A test that failed after running executions gets their histories in its report (a
    failed ``WorkflowAssertionError`` quotes its own history already)."""
    report = yield
    runs = item.stash.get(_RUNS, None)
    if runs is None or call.when != "call" or not report.failed:
        return report
    from sfini_runtime.testing.errors import WorkflowAssertionError

    if call.excinfo is not None and isinstance(call.excinfo.value, WorkflowAssertionError):
        return report
    harness, before = runs
    results = harness.results[before:]
    if results:
        text = "\n\n".join(f"{r.execution.name} ({r.status}):\n{r.history}" for r in results)
        report.sections.append((HISTORY_SECTION, text))
    return report


def pytest_assertrepr_compare(
    config: pytest.Config, op: str, left: object, right: object
) -> list[str] | None:
    """``assert result.path == [...]``: say where the paths part (the report quotes the
    history)."""
    result = sys.modules.get("sfini_runtime.testing.result")
    if result is None or op != "==":  # no result was ever made: not ours
        return None
    if isinstance(left, result.StatePath):
        path, other = left, right
    elif isinstance(right, result.StatePath):
        path, other = right, left
    else:
        return None
    if not isinstance(other, (list, tuple)):
        return None
    return result.path_difference([str(name) for name in other], list(path)).splitlines()


@pytest.fixture(scope="session")
def _sfini_session_engines(request: pytest.FixtureRequest) -> Iterator[SessionEngines]:
    engines = SessionEngines(setting(request.config, "mock_config"))
    try:
        yield engines
    finally:
        engines.close()


@pytest.fixture
def sfini_time_scale(request: pytest.FixtureRequest) -> float:
    """The engine's time scale: ``@pytest.mark.sfini(time_scale=...)``, else
    ``--sfini-time-scale`` / ``sfini_time_scale`` (default 0: Waits take no time)."""
    marked = marker_number(request, "time_scale", allow_zero=True)
    return marked if marked is not None else setting(request.config, "time_scale")


@pytest.fixture
def sfini_lambdas() -> dict[str, Callable[[Any, Any], Any]]:
    """``{function name or ARN: handler(event, context)}`` the engine serves in-process.
    Override it (in a conftest or a test module) to give your functions; default: none."""
    return {}


@pytest.fixture
def sfini_mock_config(request: pytest.FixtureRequest) -> Any:
    """The engine's mock configuration (a file path, JSON text or a mapping in Step Functions
    Local's format), for executions started under a test case. Override it to give one;
    default: the ``sfini_mock_config`` ini file, else ``$SFN_MOCK_CONFIG``, else none."""
    return setting(request.config, "mock_config")


@pytest.fixture
def _sfini_slot(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    sfini_time_scale: float,
    sfini_lambdas: dict[str, Any],
    sfini_mock_config: Any,
) -> Iterator[EngineSlot]:
    config = request.config
    timeout = marker_number(request, "timeout", allow_zero=False) or setting(config, "timeout")
    if setting(config, "engine_scope") == "session":
        engines: SessionEngines = request.getfixturevalue("_sfini_session_engines")
        slot = engines.get(sfini_time_scale)
        if sfini_mock_config != slot.mock_config:
            swap_mocks(slot.engine, sfini_mock_config, monkeypatch)
        for name, handler in sfini_lambdas.items():
            slot.engine.register_lambda(name, handler)
        slot.harness.timeout = timeout
        point_environment(slot.engine, monkeypatch)
        request.node.stash[_RUNS] = (slot.harness, len(slot.harness.results))
        try:
            yield slot
        finally:
            del slot.harness.results[:]  # the session's harness keeps no test's results
        return
    slot = EngineSlot.start(sfini_time_scale, sfini_mock_config, sfini_lambdas)
    try:
        slot.harness.timeout = timeout
        point_environment(slot.engine, monkeypatch)
        request.node.stash[_RUNS] = (slot.harness, 0)
        yield slot
    finally:
        slot.close()


@pytest.fixture(scope="session")
def sfini_session_engine(
    _sfini_session_engines: SessionEngines, request: pytest.FixtureRequest
) -> LocalEngine:
    """The session's engine (at ``sfini_time_scale``), for session-scoped fixtures of your
    own; it does not point the environment at itself (``sfini_engine`` does, per test)."""
    return _sfini_session_engines.get(setting(request.config, "time_scale")).engine


@pytest.fixture
def sfini_engine(_sfini_slot: EngineSlot) -> LocalEngine:
    """The test's running ``LocalEngine`` (its own, or the session's with
    ``sfini_engine_scope = session``); the test's AWS environment points at it."""
    return _sfini_slot.engine


@pytest.fixture
def sfini_harness(_sfini_slot: EngineSlot) -> Harness:
    """The ``Harness`` running workflows on ``sfini_engine`` (workers kept per activity)."""
    return _sfini_slot.harness


@pytest.fixture
def sfini_run(sfini_harness: Harness) -> Callable[..., Any]:
    """``sfini_run(state_machine, execution_input=None, *, test_case=None, timeout=None)``:
    deploy it, run it to its end with workers for its activities, return the
    ``ExecutionResult``."""
    return sfini_harness.run


@pytest.fixture
def sfini_workers(sfini_harness: Harness) -> Callable[..., Any]:
    """``sfini_workers(*registrations_or_activities, concurrency=None)``: create the
    activities and run a worker for each (ended after the test, or the session); returns the
    ``Worker`` objects."""
    return sfini_harness.start_workers


@pytest.fixture
def sfini_session(sfini_harness: Harness) -> AWSSession:
    """An ``AWSSession`` for ``sfini_engine``."""
    return sfini_harness.session


@pytest.fixture
def sfini_client(sfini_engine: LocalEngine) -> Any:
    """A boto3 ``stepfunctions`` client for ``sfini_engine``."""
    return sfini_engine.client()


__all__ = [
    "HISTORY_SECTION",
    "pytest_addoption",
    "pytest_assertrepr_compare",
    "pytest_configure",
    "pytest_runtest_makereport",
    "sfini_client",
    "sfini_engine",
    "sfini_harness",
    "sfini_lambdas",
    "sfini_mock_config",
    "sfini_run",
    "sfini_session",
    "sfini_session_engine",
    "sfini_time_scale",
    "sfini_workers",
]
