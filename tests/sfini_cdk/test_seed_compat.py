"""The sfini 0.1.0 examples (and more seed-style definitions) render the ASL sfini 0.1.0 did.

Each example module under ``examples/`` is executed a second time with only its import changed
to ``import sfini`` (the installed sfini 0.1.0), and both ``to_dict()`` outputs are compared.
"""

from __future__ import annotations

import datetime
import importlib
from pathlib import Path
from typing import Any

import pytest

import sfini_cdk
from tests.sfini_cdk.conftest import FakeSession

sfini_seed = pytest.importorskip("sfini")

EXAMPLES = ["first_sfini", "file_processing", "looping", "parallel", "error_handling", "cli"]
EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "examples"


def _use_fake_session(namespace: Any) -> None:
    for activity in namespace.activities.activities.values():
        activity.session = FakeSession()


def _seed_definition(source: str) -> dict[str, Any]:
    seed_source = source.replace("import sfini_cdk as sfini", "import sfini")
    assert seed_source != source
    namespace: dict[str, Any] = {"__name__": "seed_example"}
    exec(compile(seed_source, "seed_example", "exec"), namespace)
    activities = namespace["activities"]
    for activity in activities.activities.values():
        activity.session = FakeSession()
    return namespace["sm"].to_dict()


# Where we render differently on purpose (the README lists these): sfini 0.1.0 added
# HeartbeatSeconds = heartbeat + 5 = 25 to a Task with TimeoutSeconds 10, which the States
# Language forbids (HeartbeatSeconds must be smaller than TimeoutSeconds); we leave it out.
DELIBERATE_CHANGES = {
    "error_handling": [("raise", "HeartbeatSeconds", 25)],
}


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_asl_matches_sfini_0_1_0(render, name):
    module = importlib.import_module(f"examples.{name}")
    _use_fake_session(module)
    ours = render(module.sm, resources=sfini_cdk.default_resource_arn)
    seed = _seed_definition((EXAMPLES_DIR / f"{name}.py").read_text())
    for state_name, field, seed_value in DELIBERATE_CHANGES.get(name, []):
        assert seed["States"][state_name].pop(field) == seed_value
        assert field not in ours["States"][state_name]
    assert ours == seed
    assert callable(module.main)


SEED_STYLE = """
import datetime
import sfini_cdk as sfini

activities = sfini.ActivityRegistration(prefix="cmp")

@activities.activity("work", heartbeat=30)
def work(data):
    return data

@activities.smart_activity("smart")
def smart(a, b=1):
    return a + b

start = sfini.Pass("start", comment="begin", input_path="$.in", output_path=None,
                   result_path="$.seed", result={"k": [1, 2.5, None, True]})
task = sfini.Task("task", work, comment="c", input_path=None, output_path="$.o",
                  result_path=None, timeout=120)
task.retry_for(["States.Timeout", "States.TaskFailed"], interval=2, max_attempts=4,
               backoff_rate=2.0)
task.retry_for(["States.ALL"])
smart_task = sfini.Task("smartTask", smart)
gate = sfini.Choice("gate", comment="route", input_path="$.x", output_path="$.y")
wait_s = sfini.Wait("waitSeconds", 5)
wait_t = sfini.Wait("waitUntil", datetime.datetime(2030, 1, 2, tzinfo=datetime.timezone.utc))
wait_p = sfini.Wait("waitPath", "$.until", comment="w")
done = sfini.Succeed("done", comment="ok", input_path="$.a", output_path="$.b")
failed = sfini.Fail("failed", comment="bad", error="E", cause="because")
start.goes_to(task)
task.goes_to(gate)
task.catch(["MyError"], failed, result_path="$.err")
task.catch(["States.ALL"], done)
gate.add(sfini.And([sfini.NumericGreaterThan("$.n", 1), sfini.NumericLessThanEquals("$.n", 9.5)],
                   next_state=wait_s))
gate.add(sfini.Or([sfini.StringEquals("$.s", "a"), sfini.Not(sfini.BooleanEquals("$.b", False))],
                  next_state=wait_t))
gate.add(sfini.TimestampLessThan(
    "$.t", datetime.datetime(2031, 5, 6, 7, 8, 9, tzinfo=datetime.timezone.utc), wait_p))
gate.add(sfini.StringGreaterThanEquals("$.s", "m", smart_task))
gate.add(sfini.NumericEquals("$.n", 0, done))
gate.set_default(failed)
wait_s.goes_to(done)
wait_t.goes_to(done)
wait_p.goes_to(done)
smart_task.goes_to(done)
parallel = sfini.Parallel("parallel", comment="p", result_path="$.par")
parallel.add(sfini.construct_state_machine("branchA", sfini.Pass("branchPass")))
parallel.add(sfini.construct_state_machine("branchB", sfini.Succeed("branchDone"), comment="b"))
parallel.retry_for(["States.BranchFailed"], interval=1)
parallel.catch(["States.ALL"], failed)
parallel.goes_to(start)
sm = sfini.construct_state_machine("compare", parallel, comment="everything", timeout=3600)
"""


def test_seed_style_definition_with_every_seed_feature_matches(render):
    namespace: dict[str, Any] = {}
    exec(compile(SEED_STYLE, "ours", "exec"), namespace)
    for activity in namespace["activities"].activities.values():
        activity.session = FakeSession()
    ours = render(namespace["sm"], resources=sfini_cdk.default_resource_arn)
    seed = _seed_definition(SEED_STYLE)
    assert ours == seed
    assert ours["States"]["task"]["HeartbeatSeconds"] == 35
    assert len(ours["States"]) == 10
    assert isinstance(
        datetime.datetime.fromisoformat(ours["States"]["waitUntil"]["Timestamp"]), datetime.datetime
    )
