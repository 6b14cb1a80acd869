"""StateMachine and construct_state_machine: graph walking, rendering, resources, delegation."""

from __future__ import annotations

import itertools
import json
import sys
import types
from typing import Any

import pytest

import sfini_cdk as sfini
from sfini_cdk.task_resource import ArnResource
from tests.sfini_cdk.conftest import FakeSession, fake_arn

ACTIVITY = sfini.Activity("worker", session=FakeSession())


def test_construct_follows_next_choice_default_and_catch_edges_with_loops(render):
    start = sfini.Pass("start")
    work = sfini.Task("work", ACTIVITY)
    check = sfini.Choice("check")
    again = sfini.Wait("again", 1)
    done = sfini.Succeed("done")
    failed = sfini.Fail("failed")
    start.goes_to(work)
    work.goes_to(check)
    work.catch(["States.ALL"], failed)
    check.add(sfini.NumericLessThan("$.n", 3, again))
    check.set_default(done)
    again.goes_to(work)  # loop back
    machine = sfini.construct_state_machine("loops", start, comment="c", timeout=300)
    assert list(machine.states) == ["start", "work", "check", "again", "done", "failed"]
    assert machine.start_state == "start"
    definition = render(machine)
    assert definition["Comment"] == "c"
    assert definition["TimeoutSeconds"] == 300
    assert definition["States"]["again"] == {"Type": "Wait", "Seconds": 1, "Next": "work"}
    assert "QueryLanguage" not in definition


def test_construct_walks_chains_longer_than_the_recursion_limit():
    import itertools
    import sys

    length = sys.getrecursionlimit() * 3
    states = [sfini.Pass(f"p{i}") for i in range(length)]
    for state, successor in itertools.pairwise(states):
        state.goes_to(successor)
    machine = sfini.construct_state_machine("long", states[0])
    assert list(machine.states) == [f"p{i}" for i in range(length)]
    definition = machine.to_dict()
    assert definition["States"][f"p{length - 2}"]["Next"] == f"p{length - 1}"
    assert definition["States"][f"p{length - 1}"]["End"] is True


def test_explicit_states_dict(render):
    end = sfini.Succeed("end")
    begin = sfini.Pass("begin")
    begin.goes_to(end)
    machine = sfini.StateMachine("m", {"begin": begin, "end": end}, "begin")
    assert machine.name == "m"
    assert machine.states == {"begin": begin, "end": end}
    assert sfini.is_given(machine.comment) is False
    assert sfini.is_given(machine.timeout) is False
    assert sfini.is_given(machine.query_language) is False
    assert render(machine) == {
        "StartAt": "begin",
        "States": {"begin": {"Type": "Pass", "Next": "end"}, "end": {"Type": "Succeed"}},
    }


def test_default_resolver_uses_session_arns_lazily():
    class CountingSession(FakeSession):
        reads = 0

        @property
        def account_id(self) -> str:  # type: ignore[override]
            CountingSession.reads += 1
            return "111122223333"

    session = CountingSession()
    activity = sfini.Activity("act", session=session)
    function = sfini.Lambda("fn", session=session)
    first = sfini.Task("first", activity)
    first.goes_to(sfini.Task("second", function))
    machine = sfini.construct_state_machine("m", first)
    assert CountingSession.reads == 0  # construction never computes ARNs
    definition = machine.to_dict()
    assert CountingSession.reads == 2
    assert definition["States"]["first"]["Resource"] == (
        "arn:aws:states:us-east-1:111122223333:activity:act"
    )
    assert definition["States"]["second"]["Resource"] == (
        "arn:aws:lambda:us-east-1:111122223333:function:fn"
    )


def test_arn_uses_partition():
    class China(FakeSession):
        partition = "aws-cn"
        region = "cn-north-1"

    assert sfini.Lambda("fn", session=China()).arn == (
        "arn:aws-cn:lambda:cn-north-1:123456789012:function:fn"
    )
    assert sfini.Activity("a", session=China()).arn == (
        "arn:aws-cn:states:cn-north-1:123456789012:activity:a"
    )


def test_custom_resolver_and_string_resources(render):
    cdk_like_function = types.SimpleNamespace(node_id="MyFunction")
    first = sfini.Task("first", cdk_like_function)
    first.goes_to(sfini.Task("second", "arn:aws:states:us-east-1:123456789012:activity:raw"))
    machine = sfini.construct_state_machine("m", first)

    def resolve(resource: object) -> str:
        if resource is cdk_like_function:
            return "arn:aws:lambda:us-east-1:123456789012:function:resolved"
        return sfini.default_resource_arn(resource)

    definition = render(machine, resources=resolve)
    assert definition["States"]["first"]["Resource"].endswith("function:resolved")
    assert definition["States"]["second"]["Resource"].endswith("activity:raw")


def test_task_resources_in_definition_order_deduplicated_with_nesting():
    a, b, c = sfini.Activity("a"), sfini.Lambda("b"), sfini.Activity("c")
    child = sfini.construct_state_machine("child", sfini.Succeed("child-done"))
    nested = sfini.StateMachineResource(child)
    parallel = sfini.Parallel("p")
    parallel.add(sfini.construct_state_machine("b1", sfini.Task("pb", b)))
    parallel.add(sfini.construct_state_machine("b2", sfini.Task("pa", a)))
    mapped = sfini.Map("each", sfini.Task("mc", c))
    first = sfini.Task("first", a)
    first.goes_to(parallel)
    parallel.goes_to(mapped)
    mapped.goes_to(sfini.Task("run-child", nested))
    machine = sfini.construct_state_machine("m", first)
    assert machine.task_resources() == [a, b, c, nested]
    names = [state.name for state in machine.iter_states()]
    assert names == ["first", "p", "pb", "pa", "each", "mc", "run-child"]


@pytest.mark.parametrize(
    ("integration", "resource"),
    [
        ("sync:2", "arn:aws:states:::states:startExecution.sync:2"),
        ("sync", "arn:aws:states:::states:startExecution.sync"),
        ("waitForTaskToken", "arn:aws:states:::states:startExecution.waitForTaskToken"),
        (None, "arn:aws:states:::states:startExecution"),
    ],
)
def test_nested_state_machine_task(render, integration, resource):
    child = sfini.construct_state_machine("child", sfini.Succeed("done"), session=FakeSession())
    child_arn = "arn:aws:states:us-east-1:123456789012:stateMachine:child"
    registration = types.ModuleType("sfini_runtime.registration")
    registration.state_machine_arn = lambda machine, *, session: child_arn  # type: ignore[attr-defined]
    start = sfini.Task(
        "start",
        sfini.StateMachineResource(child, integration=integration, session=FakeSession()),
        parameters={"Input.$": "$"},
    )
    machine = sfini.construct_state_machine("parent", start)
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(sys.modules, "sfini_runtime.registration", registration)
        patch.setattr("sfini_runtime.registration", registration, raising=False)
        definition = render(machine, resources=sfini.default_resource_arn)
    assert definition["States"]["start"] == {
        "Type": "Task",
        "Resource": resource,
        "Parameters": {"StateMachineArn": child_arn, "Input.$": "$"},
        "End": True,
    }


def test_service_integration(render):
    send = sfini.ServiceIntegration("sqs", "sendMessage", session=FakeSession())
    assert send.arn == "arn:aws:states:::sqs:sendMessage"
    wait = sfini.ServiceIntegration(
        "sqs", "sendMessage", integration="waitForTaskToken", session=FakeSession()
    )
    assert wait.arn == "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
    task = sfini.Task("send", send, parameters={"QueueUrl": "q", "MessageBody.$": "$"})
    definition = render(
        sfini.construct_state_machine("m", task), resources=sfini.default_resource_arn
    )
    assert definition["States"]["send"]["Resource"] == "arn:aws:states:::sqs:sendMessage"
    with pytest.raises(ValueError, match="integration must be one of"):
        sfini.ServiceIntegration("sqs", "sendMessage", integration="async")


def test_jsonata_machine(render):
    work = sfini.Task(
        "work",
        ACTIVITY,
        arguments={"n": "{% $states.input.n %}"},
        output="{% $states.result %}",
        assign={"count": "{% $states.input.n + 1 %}"},
        timeout="{% $states.input.timeout %}",
        heartbeat=10,
    )
    work.catch(
        ["States.ALL"],
        sfini.Fail("oops", error="{% 'E' %}", cause="{% $string(1) %}"),
        output={"e": "{% $states.errorOutput %}"},
        assign={"failed": True},
    )
    pause = sfini.Wait("pause", seconds="{% 1 + 1 %}", output={"x": 1})
    each = sfini.Map(
        "each",
        sfini.Pass("item", output="{% $states.input %}"),
        items="{% [1, 2, 3] %}",
        item_selector={"v": "{% $states.context.Map.Item.Value %}"},
        max_concurrency="{% 2 %}",
    )
    work.goes_to(pause)
    pause.goes_to(each)
    machine = sfini.construct_state_machine("m", work, query_language="JSONata")
    assert machine.query_language == "JSONata"
    definition = render(machine)
    assert definition["QueryLanguage"] == "JSONata"
    assert definition["States"]["work"] == {
        "Type": "Task",
        "Resource": fake_arn(ACTIVITY),
        "Arguments": {"n": "{% $states.input.n %}"},
        "Output": "{% $states.result %}",
        "Assign": {"count": "{% $states.input.n + 1 %}"},
        "TimeoutSeconds": "{% $states.input.timeout %}",
        "HeartbeatSeconds": 10,
        "Catch": [
            {
                "ErrorEquals": ["States.ALL"],
                "Next": "oops",
                "Output": {"e": "{% $states.errorOutput %}"},
                "Assign": {"failed": True},
            }
        ],
        "Next": "pause",
    }
    assert definition["States"]["pause"]["Seconds"] == "{% 1 + 1 %}"
    assert definition["States"]["each"]["Items"] == "{% [1, 2, 3] %}"
    assert definition["States"]["each"]["ItemProcessor"]["States"]["item"] == {
        "Type": "Pass",
        "Output": "{% $states.input %}",
        "End": True,
    }


def test_state_level_jsonata_in_jsonpath_machine(render):
    first = sfini.Pass("first", query_language="JSONata", output={"a": "{% 1 %}"})
    first.goes_to(sfini.Pass("second", result_path="$.b"))
    definition = render(sfini.construct_state_machine("m", first))
    assert definition["States"]["first"] == {
        "Type": "Pass",
        "QueryLanguage": "JSONata",
        "Output": {"a": "{% 1 %}"},
        "Next": "second",
    }


def test_branch_states_inherit_the_top_level_query_language(render):
    resource = sfini.StateMachineResource(
        "arn:aws:states:us-east-1:123456789012:stateMachine:y", session=FakeSession()
    )
    child = sfini.construct_state_machine("child", sfini.Task("inner", resource))
    parallel = sfini.Parallel("p")
    parallel.add(child)
    machine = sfini.construct_state_machine("m", parallel, query_language="JSONata")
    definition = render(machine, resources=sfini.default_resource_arn)
    inner = definition["States"]["p"]["Branches"][0]["States"]["inner"]
    assert inner["Arguments"] == {
        "StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:y"
    }
    jsonata_parallel = sfini.Parallel("q", query_language="JSONata")
    jsonata_parallel.add(sfini.construct_state_machine("c2", sfini.Pass("x", result_path="$.r")))
    rendered = render(sfini.construct_state_machine("m2", jsonata_parallel))
    assert rendered["States"]["q"]["Branches"][0]["States"]["x"]["ResultPath"] == "$.r"


def test_to_json():
    machine = sfini.construct_state_machine("m", sfini.Succeed("s"))
    text = machine.to_json(resources=fake_arn)
    assert json.loads(text) == {"StartAt": "s", "States": {"s": {"Type": "Succeed"}}}
    assert "\n    " in text
    assert machine.to_json(indent=None) == '{"StartAt": "s", "States": {"s": {"Type": "Succeed"}}}'


def _fake_registration(calls: list[tuple[Any, ...]]) -> types.ModuleType:
    module = types.ModuleType("sfini_runtime.registration")

    def record(name: str, result: Any = None):
        def function(*args: Any, **kwargs: Any) -> Any:
            calls.append((name, args, kwargs))
            return result

        return function

    for name, result in [
        ("register_activity", None),
        ("deregister_activity", None),
        ("is_activity_registered", True),
        ("register_activities", None),
        ("deregister_activities", None),
        ("register_state_machine", None),
        ("deregister_state_machine", None),
        ("is_state_machine_registered", False),
        ("start_execution", "execution"),
        ("list_executions", ["e1"]),
        ("state_machine_arn", "arn:sm"),
        ("default_role_arn", "arn:role"),
    ]:
        setattr(module, name, record(name, result))
    return module


def test_aws_methods_delegate_to_sfini_runtime_registration(monkeypatch):
    calls: list[tuple[Any, ...]] = []
    monkeypatch.setitem(sys.modules, "sfini_runtime.registration", _fake_registration(calls))
    import sfini_runtime

    monkeypatch.setattr(
        sfini_runtime, "registration", sys.modules["sfini_runtime.registration"], raising=False
    )
    session = FakeSession()
    activities = sfini.ActivityRegistration(prefix="p", session=session)

    @activities.activity()
    def act(data):
        return data

    machine = sfini.construct_state_machine("m", sfini.Task("t", act), session=session)
    activities.register()
    activities.deregister()
    assert activities.is_registered() is True
    act.register()
    act.deregister()
    assert act.is_registered() is True
    machine.register(role_arn="arn:r", allow_update=True)
    machine.deregister()
    assert machine.is_registered() is False
    assert machine.start_execution({"a": 1}) == "execution"
    assert machine.list_executions("RUNNING") == ["e1"]
    assert machine.arn == "arn:sm"
    assert machine.default_role_arn == "arn:role"
    assert calls == [
        ("register_activities", (activities,), {"session": session}),
        ("deregister_activities", (activities,), {"session": session}),
        ("is_activity_registered", (act,), {"session": session}),
        ("register_activity", (act,), {"session": session}),
        ("deregister_activity", (act,), {"session": session}),
        ("is_activity_registered", (act,), {"session": session}),
        (
            "register_state_machine",
            (machine,),
            {"role_arn": "arn:r", "allow_update": True, "session": session},
        ),
        ("deregister_state_machine", (machine,), {"session": session}),
        ("is_state_machine_registered", (machine,), {"session": session}),
        ("start_execution", (machine, {"a": 1}), {"session": session}),
        ("list_executions", (machine, "RUNNING"), {"session": session}),
        ("state_machine_arn", (machine,), {"session": session}),
        ("default_role_arn", (machine,), {"session": session}),
    ]


def test_default_session_is_created_lazily_and_shared(monkeypatch):
    created: list[object] = []
    fake = types.ModuleType("sfini_runtime.session")

    def default_session(session: object = None) -> object:
        if not created:
            created.append(FakeSession())
        return created[0]

    fake.default_session = default_session  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sfini_runtime.session", fake)
    activities = sfini.ActivityRegistration(prefix="p")

    @activities.activity()
    def act(data):
        return data

    machine = sfini.construct_state_machine("m", sfini.Task("t", act))
    assert created == []
    assert machine.session is activities.session is act.session is created[0]


def test_the_default_resolver_renders_registered_arn_resources_by_their_arn():
    machine = sfini.construct_state_machine("m", sfini.Succeed("done"))
    assert isinstance(machine, ArnResource)  # sfini_cdk.state_machine registers StateMachine

    class Named:
        arn = "arn:aws:states:us-east-1:123456789012:stateMachine:other"

    with pytest.raises(sfini.UnsupportedTaskResource, match=r"Named"):
        sfini.default_resource_arn(Named())
    ArnResource.register(Named)
    assert sfini.default_resource_arn(Named()) == Named.arn


def _starting(name: str, *targets: sfini.StateMachine) -> sfini.StateMachine:
    """A machine whose Tasks start ``targets`` in turn (nothing if none)."""
    if not targets:
        return sfini.construct_state_machine(
            name, sfini.Pass(f"{name}-only"), session=FakeSession()
        )
    tasks = [
        sfini.Task(f"{name}-{i}", sfini.StateMachineResource(t, session=FakeSession()))
        for i, t in enumerate(targets)
    ]
    for task, after in itertools.pairwise(tasks):
        task.goes_to(after)
    return sfini.construct_state_machine(name, tasks[0], session=FakeSession())


def test_nested_first_orders_every_machine_after_the_ones_it_starts_each_once():
    leaf = _starting("leaf")
    middle = _starting("middle", leaf)
    top = _starting("top", middle, leaf)
    other = _starting("other", leaf)

    assert [m.name for m in top.nested_state_machines()] == ["middle", "leaf"]
    assert [m.name for m in top.with_nested()] == ["leaf", "middle", "top"]
    ordered = sfini.state_machine.nested_first([top, other, middle])
    assert [m.name for m in ordered] == ["leaf", "middle", "top", "other"]


def test_nested_first_ends_on_machines_that_start_each_other():
    first = _starting("first")
    second = _starting("second", first)
    # a cycle (first starts second, which starts first) cannot be created on AWS in one go,
    # but ordering must still end, each machine once
    first.states["first-only"] = sfini.Task(
        "first-only", sfini.StateMachineResource(second, session=FakeSession())
    )
    assert sorted(m.name for m in first.with_nested()) == ["first", "second"]
