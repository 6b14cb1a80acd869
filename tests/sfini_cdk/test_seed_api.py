"""sfini 0.1.0's definition API, read from the installed seed: every name, class relation and
signature (parameter names, order and defaults) is there in sfini_cdk."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest

import sfini_cdk

seed = pytest.importorskip("sfini")
seed_state = pytest.importorskip("sfini.state")
seed_choice = pytest.importorskip("sfini.state.choice")
seed_activity = pytest.importorskip("sfini.activity")
seed_task_resource = pytest.importorskip("sfini.task_resource")
seed_state_machine = pytest.importorskip("sfini.state_machine")

DEFINITION_MODULES = [
    seed_state,
    seed_choice,
    seed_activity,
    seed_task_resource,
    seed_state_machine,
]
#: Seed methods that talk to AWS keep their names; their signatures are checked too.
SEED_NAMES = sorted(
    {
        name
        for module in DEFINITION_MODULES
        for name, value in vars(module).items()
        if not name.startswith("_")
        and getattr(value, "__module__", "").startswith("sfini")
        and (isinstance(value, type) or inspect.isfunction(value))
    }
)


def test_the_seed_definition_api_is_read() -> None:
    # a guard that the discovery below finds what the issue lists
    for name in ("Task", "CanCatch", "TimestampLessThanEquals", "ActivityRegistration", "Lambda"):
        assert name in SEED_NAMES
    assert "construct_state_machine" in SEED_NAMES
    assert len(SEED_NAMES) >= 40


def _seed_object(name: str) -> Any:
    for module in DEFINITION_MODULES:
        if name in vars(module):
            return vars(module)[name]
    raise AssertionError(name)


@pytest.mark.parametrize("name", SEED_NAMES)
def test_every_seed_name_is_exported(name: str) -> None:
    ours = getattr(sfini_cdk, name)
    assert isinstance(ours, type) == isinstance(_seed_object(name), type)


SEED_CLASSES = [name for name in SEED_NAMES if isinstance(_seed_object(name), type)]


@pytest.mark.parametrize("name", SEED_CLASSES)
def test_class_relations_match_the_seed(name: str) -> None:
    seed_class, our_class = _seed_object(name), getattr(sfini_cdk, name)
    for other in SEED_CLASSES:
        if issubclass(seed_class, _seed_object(other)):
            assert issubclass(our_class, getattr(sfini_cdk, other)), f"{name} is a {other}"


def _is_seed_default(value: Any) -> bool:
    return type(value).__name__ == "DefaultParameter"


def _compare_signatures(seed_callable: Callable[..., Any], ours: Callable[..., Any]) -> None:
    seed_signature, our_signature = inspect.signature(seed_callable), inspect.signature(ours)
    our_kinds = {p.kind for p in our_signature.parameters.values()}
    if inspect.Parameter.VAR_POSITIONAL in our_kinds:
        return  # a mix-in passing everything on: the concrete classes are compared
    positional = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.POSITIONAL_ONLY)
    seed_positional = [p for p in seed_signature.parameters.values() if p.kind in positional]
    our_positional = [p for p in our_signature.parameters.values() if p.kind in positional]
    assert [p.name for p in our_positional[: len(seed_positional)]] == [
        p.name for p in seed_positional
    ]
    for seed_parameter, our_parameter in zip(seed_positional, our_positional, strict=False):
        if seed_parameter.default is inspect.Parameter.empty:
            continue  # required in the seed; ours may make it optional (Wait's until)
        if _is_seed_default(seed_parameter.default):
            assert our_parameter.default is sfini_cdk.DEFAULT, our_parameter.name
        else:
            assert our_parameter.default == seed_parameter.default, our_parameter.name
    # parameters the seed does not have come after its own and are optional
    for extra in our_positional[len(seed_positional) :]:
        assert extra.default is not inspect.Parameter.empty, extra.name
    for seed_parameter in seed_signature.parameters.values():
        if seed_parameter.kind is inspect.Parameter.KEYWORD_ONLY:
            assert seed_parameter.name in our_signature.parameters


@pytest.mark.parametrize("name", SEED_NAMES)
def test_signatures_match_the_seed(name: str) -> None:
    seed_object, ours = _seed_object(name), getattr(sfini_cdk, name)
    if not isinstance(seed_object, type):
        _compare_signatures(seed_object, ours)
        return
    if "__init__" in vars(seed_object):
        _compare_signatures(seed_object.__init__, ours.__init__)
    for method_name, method in vars(seed_object).items():
        if method_name.startswith("_") or not inspect.isfunction(method):
            continue
        assert hasattr(ours, method_name), f"{name}.{method_name}"
        _compare_signatures(method, getattr(ours, method_name))


def test_add_to_collects_every_reachable_state_once_and_refuses_a_different_namesake() -> None:
    start, middle, end = (
        sfini_cdk.Pass("start"),
        sfini_cdk.Task("middle", "arn:x"),
        sfini_cdk.Succeed("end"),
    )
    start.goes_to(middle)
    middle.goes_to(start)  # a loop
    middle.catch(["States.ALL"], end)
    states: dict[str, sfini_cdk.State] = {}
    start.add_to(states)
    assert states == {"start": start, "middle": middle, "end": end}
    start.add_to(states)  # adding again changes nothing
    assert list(states) == ["start", "middle", "end"]
    with pytest.raises(sfini_cdk.DuplicateStateName, match="two different states are named 'end'"):
        sfini_cdk.Succeed("end").add_to(states)


def test_remove_next_makes_the_state_terminal() -> None:
    first = sfini_cdk.Pass("first")
    first.goes_to(sfini_cdk.Succeed("second"))
    assert first.to_dict()["Next"] == "second"
    first.remove_next()
    assert first.to_dict() == {"Type": "Pass", "End": True}


def test_wait_until_by_keyword_as_in_the_seed() -> None:
    assert sfini_cdk.Wait("w", until=5).to_dict() == {"Type": "Wait", "Seconds": 5, "End": True}
    assert sfini_cdk.Wait("w", until="$.at").to_dict()["TimestampPath"] == "$.at"
