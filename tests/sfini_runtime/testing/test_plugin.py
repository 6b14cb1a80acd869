"""The pytest plugin, as a user's test suite meets it (through ``pytester``)."""

from __future__ import annotations

import os
import re
import textwrap
from pathlib import Path

import pytest

# The inner runs (in-process) drop the modules they import when they end: imported here, the
# engine, boto3 and the definition model load once for all of them, not once per run.
import sfini_cdk  # noqa: F401
import sfini_runtime.execution
import sfini_runtime.local.service.local_engine
import sfini_runtime.registration
import sfini_runtime.testing.harness
import sfini_runtime.worker  # noqa: F401
from sfini_runtime.testing.plugin import HISTORY_SECTION

pytest_plugins = ["pytester"]
pytestmark = pytest.mark.engine

#: the inner runs' options: no cache, and no hypothesis (its plugin imports hypothesis, which
#: an inner run would import again each time, since pytester forgets what a run imported)
# -rN: no short summary (under CI=1 pytest prints it untruncated, repeating the messages)
QUIET = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest", "-rN")
ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "testing" / "test_ordering.py"

#: a workflow module the test files below import
WORKFLOW = textwrap.dedent(
    """
    import sfini_cdk as sfini

    shop = sfini.ActivityRegistration(prefix="plugin")


    @shop.activity("Reserve")
    def reserve(order):
        return {"reserved": order["qty"]}


    priced = sfini.Task("price", sfini.Lambda("pricing"), result_path="$.price")
    reserved = sfini.Task("reserve", reserve, result_path="$.stock")
    priced.goes_to(reserved)
    ordering = sfini.construct_state_machine("pluginOrdering", priced)
    """
)

CONFTEST = textwrap.dedent(
    """
    import pytest


    @pytest.fixture
    def sfini_lambdas():
        return {"pricing": lambda event, context: event["qty"] * 3}
    """
)


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    """A user's test directory with a workflow module and a conftest giving its Lambda."""
    pytester.makepyfile(workflow=WORKFLOW)
    pytester.makeconftest(CONFTEST)
    return pytester


def test_the_example_test_module_passes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_example_ordering=EXAMPLE.read_text(encoding="utf-8"))
    pytester.runpytest_inprocess(*QUIET).assert_outcomes(passed=3)


def test_a_wrong_path_fails_with_the_history(suite: pytest.Pytester) -> None:
    suite.makepyfile(
        test_paths="""
        from workflow import ordering


        def test_helper(sfini_run):
            sfini_run(ordering, {"qty": 2}).assert_path("price", "ship")


        def test_plain_assert(sfini_run):
            result = sfini_run(ordering, {"qty": 2})
            assert result.path == ["price", "ship"]
        """
    )
    outcome = suite.runpytest_inprocess(*QUIET)
    outcome.assert_outcomes(failed=2)
    text = outcome.stdout.str()
    # the helper's message, and the plain assert's explanation
    assert text.count("the path differs: step 2 is 'reserve', expected 'ship'") == 2
    # the helper's message quotes the history; the plain assert's report gets a section
    assert text.count("History (sfini 0.1.0 format):") == 1
    assert text.count(f"- {HISTORY_SECTION} -") == 1
    section = text.split(f"- {HISTORY_SECTION} -")[1]
    assert re.search(r"^pluginOrdering_\S+ \(SUCCEEDED\):$", section, re.M)
    for line in ("TaskStateEntered [2] @ ", "  name: reserve", "ActivitySucceeded [", "Output: "):
        assert text.count(line) >= 2, line
        assert line in section


def test_engine_scope_function_or_session(suite: pytest.Pytester) -> None:
    suite.makepyfile(
        test_scope="""
        import pytest

        PORTS = []


        @pytest.mark.parametrize("n", [1, 2])
        def test_engine(sfini_engine, sfini_time_scale, n):
            PORTS.append(sfini_engine.port)
            assert sfini_engine.engine.time_scale == sfini_time_scale


        @pytest.mark.sfini(time_scale=0.5)
        def test_marked(sfini_engine):
            PORTS.append(sfini_engine.port)
            assert sfini_engine.engine.time_scale == 0.5


        @pytest.fixture(scope="module")
        def module_port(sfini_session_engine):  # a fixture of wider scope than a test
            return sfini_session_engine.port


        def test_ports(request, module_port):
            shared = request.config.getoption("sfini_engine_scope") == "session"
            first, second, marked = PORTS
            assert (first == second) is shared
            assert (module_port == first) is shared
            assert marked != first
        """
    )
    suite.runpytest_inprocess(*QUIET).assert_outcomes(passed=4)
    session = suite.runpytest_inprocess(*QUIET, "--sfini-engine-scope=session")
    session.assert_outcomes(passed=4)


def test_time_scale_and_timeout_settings(suite: pytest.Pytester) -> None:
    suite.makepyfile(
        test_settings="""
        import pytest
        import sfini_cdk as sfini
        from sfini_runtime.testing import RunTimeout

        pause = sfini.construct_state_machine("pluginPause", sfini.Wait("pause", 30))


        def test_scale(sfini_time_scale):
            assert sfini_time_scale == 0.01


        @pytest.mark.sfini(timeout=0.2)
        def test_timeout(sfini_run):
            with pytest.raises(RunTimeout, match="still running after 0.2 s"):
                sfini_run(pause)


        def test_fast_enough(sfini_run):
            sfini_run(pause).assert_succeeded()  # 30 s at 0.01: 0.3 s
        """
    )
    suite.makeini("[pytest]\nsfini_time_scale = 0.5\n")  # the command line wins
    outcome = suite.runpytest_inprocess(*QUIET, "--sfini-time-scale=0.01")
    outcome.assert_outcomes(passed=3)


def test_client_workers_session_and_environment(
    suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    suite.makepyfile(
        test_by_hand="""
        import json
        import os

        from workflow import ordering, shop


        def test_by_hand(sfini_engine, sfini_client, sfini_workers, sfini_session):
            assert os.environ["AWS_ENDPOINT_URL_SFN"] == sfini_engine.endpoint_url
            assert sfini_session.endpoint_url == sfini_engine.endpoint_url
            (worker,) = sfini_workers(shop)
            ordering.register(allow_update=True)  # the default session: the environment's
            started = sfini_client.start_execution(
                stateMachineArn=ordering.arn, input=json.dumps({"qty": 1})
            )
            arn = started["executionArn"]
            while sfini_client.describe_execution(executionArn=arn)["status"] == "RUNNING":
                pass
            described = sfini_client.describe_execution(executionArn=arn)
            assert json.loads(described["output"])["stock"] == {"reserved": 1}
            assert worker.outcomes["succeeded"] == 1


        def test_environment_restored():
            assert os.environ["AWS_ENDPOINT_URL_SFN"] == "http://127.0.0.1:1"
        """
    )
    monkeypatch.setenv("AWS_ENDPOINT_URL_SFN", "http://127.0.0.1:1")
    suite.runpytest_inprocess(*QUIET).assert_outcomes(passed=2)
    assert os.environ["AWS_ENDPOINT_URL_SFN"] == "http://127.0.0.1:1"


def test_mock_config_per_test_and_from_the_ini_file(suite: pytest.Pytester) -> None:
    mocks = """{
        "StateMachines": {"pluginOrdering": {"TestCases": {"Free": {"price": "Zero"}}}},
        "MockedResponses": {"Zero": {"0": {"Return": 0}}}
    }"""
    (suite.path / "mocks").mkdir()
    (suite.path / "mocks" / "sfn.json").write_text(mocks, encoding="utf-8")
    suite.makepyfile(
        test_mocked="""
        import pytest
        from workflow import ordering

        PORTS = set()


        @pytest.fixture(autouse=True)
        def engine_port(sfini_engine):
            PORTS.add(sfini_engine.port)


        def test_from_the_ini_file(sfini_run):
            result = sfini_run(ordering, {"qty": 2}, test_case="Free")
            result.assert_succeeded({"qty": 2, "price": 0, "stock": {"reserved": 2}})


        class TestOverridden:
            @pytest.fixture
            def sfini_mock_config(self):
                return {
                    "StateMachines": {"pluginOrdering": {"TestCases": {"Dear": {"price": "Lot"}}}},
                    "MockedResponses": {"Lot": {"0": {"Return": 1000}}},
                }

            def test_overridden(self, sfini_run):
                result = sfini_run(ordering, {"qty": 2}, test_case="Dear")
                assert result.state("price").output["price"] == 1000


        def test_unmocked(sfini_run):
            assert sfini_run(ordering, {"qty": 2}).output["price"] == 6


        def test_the_ini_file_again(sfini_run):
            assert sfini_run(ordering, {"qty": 2}, test_case="Free").output["price"] == 0
            assert len(PORTS) == 1  # the ini file's scope: one engine
        """
    )
    # one engine for the session: the ini file's mocks, swapped for the class's, then back
    suite.makeini("[pytest]\nsfini_mock_config = mocks/sfn.json\nsfini_engine_scope = session\n")
    suite.runpytest_inprocess(*QUIET).assert_outcomes(passed=4)


@pytest.mark.parametrize(
    ("arguments", "ini", "message"),
    [
        (["--sfini-time-scale=fast"], "", "--sfini-time-scale: expected a number >= 0, not 'fast'"),
        (["--sfini-timeout=0"], "", "--sfini-timeout: expected a number > 0, not '0'"),
        ([], "sfini_engine_scope = module", "sfini_engine_scope: expected function or session"),
        ([], "sfini_time_scale = -1", "sfini_time_scale: expected a number >= 0, not '-1'"),
    ],
)
def test_a_bad_setting_is_a_usage_error(
    pytester: pytest.Pytester, arguments: list[str], ini: str, message: str
) -> None:
    pytester.makeini(f"[pytest]\n{ini}\n")
    pytester.makepyfile(test_nothing="def test_nothing():\n    pass\n")
    outcome = pytester.runpytest_inprocess(*QUIET, *arguments)
    assert outcome.ret == pytest.ExitCode.USAGE_ERROR
    assert message in outcome.stderr.str()


def test_a_bad_marker_value_fails_that_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_marked="""
        import pytest


        @pytest.mark.sfini(time_scale="slow")
        def test_marked(sfini_engine):
            pass
        """
    )
    outcome = pytester.runpytest_inprocess(*QUIET)
    outcome.assert_outcomes(errors=1)
    line = "@pytest.mark.sfini(time_scale=...): expected a number >= 0, not 'slow'"
    assert line in outcome.stdout.lines
    assert "Traceback" not in outcome.stdout.str()


def test_the_plugin_is_inert_until_a_fixture_is_asked_for(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_plain="""
        import sys


        def test_plain(request):
            assert request.config.pluginmanager.has_plugin("sfini")
            assert [m for m in sys.modules if m.startswith(("boto", "sfini_cdk"))] == []
            assert sorted(m for m in sys.modules if m.startswith("sfini_runtime.")) == [
                "sfini_runtime.testing",
                "sfini_runtime.testing.engines",
                "sfini_runtime.testing.plugin",
                "sfini_runtime.testing.settings",
            ]
        """
    )
    pytester.runpytest_subprocess(*QUIET).assert_outcomes(passed=1)
    off = pytester.runpytest_inprocess(*QUIET, "-p", "no:sfini", "--fixtures")
    assert "sfini_engine" not in off.stdout.str()
    on = pytester.runpytest_inprocess(*QUIET, "--fixtures")
    for name in ("sfini_engine", "sfini_session_engine", "sfini_run", "sfini_workers"):
        assert name in on.stdout.str()
