"""AWS naming rules for state machines, activities (prefix included), Map labels and variables."""

from __future__ import annotations

from typing import Any

import pytest

import sfini_cdk as sfini
from sfini_cdk import validation
from sfini_cdk.activity import ActivitySignatureUnavailable
from tests.sfini_cdk.conftest import fake_arn

#: Characters AWS forbids in names, one of each kind (whitespace, brackets, wildcards,
#: special and control characters).
FORBIDDEN = [*' \t\n\u00a0<>{}[]?*"#%\\^|~`$&,;:/', "\x00", "\x1f", "\x7f", "\x9f"]
ACCEPTED = ["a", "n" * 80, "My-machine_1.0", "ok+name!@(x)='", "état", "名前"]


def _machine(name: str) -> sfini.StateMachine:
    return sfini.construct_state_machine(name, sfini.Succeed("done"))


@pytest.mark.parametrize("name", ACCEPTED)
def test_accepted_state_machine_names_render(name: str, render) -> None:
    assert render(_machine(name))["StartAt"] == "done"
    assert validation.check_resource_name("state machine", name) == name


@pytest.mark.parametrize("character", FORBIDDEN, ids=[f"U+{ord(c):04X}" for c in FORBIDDEN])
def test_forbidden_character_in_state_machine_name_fails_at_render(character: str) -> None:
    name = f"bad{character}name"
    machine = _machine(name)  # a Parallel branch or Map processor may have any name
    with pytest.raises(sfini.InvalidName) as caught:
        machine.to_dict(resources=fake_arn)
    message = str(caught.value)
    assert message.startswith(f"state machine name {name!r} contains ")
    assert message.endswith("which AWS forbids in names")
    assert caught.value.state_name is None
    assert isinstance(caught.value, sfini.InvalidDefinition)


def test_state_machine_name_over_80_characters() -> None:
    with pytest.raises(sfini.InvalidName, match="is 81 characters long, more than 80"):
        _machine("m" * 81).to_dict(resources=fake_arn)


@pytest.mark.parametrize("name", ["", None, 5, b"bytes"])
def test_state_machine_name_must_be_a_non_empty_str_at_construction(name: Any) -> None:
    with pytest.raises(sfini.InvalidName, match="state machine name must be a non-empty str"):
        sfini.StateMachine(name, {"done": sfini.Succeed("done")}, "done")


def test_branch_names_are_not_aws_names(render) -> None:
    parallel = sfini.Parallel("p")
    parallel.add(_machine("print branch (no AWS name)"))
    definition = render(sfini.construct_state_machine("outer", parallel))
    assert definition["States"]["p"]["Branches"][0]["StartAt"] == "done"


def test_register_checks_the_name_before_calling_aws() -> None:
    session = object()  # any AWS call would fail on it
    with pytest.raises(sfini.InvalidName, match="'bad name' contains whitespace"):
        sfini.Activity("bad name", session=session).register()  # type: ignore[arg-type]
    with pytest.raises(sfini.InvalidName, match="'bad name' contains whitespace"):
        sfini.construct_state_machine("bad name", sfini.Succeed("done"), session=session).register()


def _add(a: int, b: int) -> int:
    return a + b


# (id, build the registration's activity, message)
ACTIVITY_CASES = [
    (
        "prefix-whitespace",
        lambda: sfini.ActivityRegistration(prefix="my app-"),
        "activity name prefix 'my app-' contains whitespace (' '), which AWS forbids",
    ),
    (
        "prefix-colon",
        lambda: sfini.ActivityRegistration(prefix="app:"),
        "activity name prefix 'app:' contains ':'",
    ),
    (
        "prefix-80",
        lambda: sfini.ActivityRegistration(prefix="p" * 80),
        "is 80 characters long: activity names (prefix included) have at most 80",
    ),
    ("prefix-not-str", lambda: sfini.ActivityRegistration(prefix=None), "must be a str"),
    (
        "decorated-name",
        lambda: sfini.ActivityRegistration(prefix="app-").activity("do work")(print),
        "activity name 'app-do work' contains whitespace",
    ),
    (
        "smart-decorated-too-long",
        lambda: sfini.ActivityRegistration(prefix="p" * 70).smart_activity("a" * 11)(_add),
        "is 81 characters long, more than 80",
    ),
    (
        "added-activity",
        lambda: sfini.ActivityRegistration().add_activity(sfini.Activity("x#y")),
        "activity name 'x#y' contains '#'",
    ),
]


@pytest.mark.parametrize(
    ("make", "message"),
    [case[1:] for case in ACTIVITY_CASES],
    ids=[case[0] for case in ACTIVITY_CASES],
)
def test_activity_names_aws_rejects(make, message) -> None:
    with pytest.raises(sfini.InvalidName, match=message.replace("(", r"\(").replace(")", r"\)")):
        make()


def test_smart_activity_of_a_callable_without_a_signature_is_a_clear_error() -> None:
    # max has no signature Python can read (on 3.10 neither has print): its parameters cannot
    # be matched to task input fields
    registration = sfini.ActivityRegistration(prefix="app-")
    with pytest.raises(ActivitySignatureUnavailable, match="smart activity 'app-biggest': cannot"):
        registration.smart_activity("biggest")(max)
    assert "app-biggest" not in registration.activities
    assert registration.activity("biggest")(max).call_with([3, 5]) == 5  # the whole input


def test_accepted_activity_names_join_the_registration() -> None:
    registration = sfini.ActivityRegistration(prefix="app-v1.2_")

    @registration.activity("Resize")
    def resize(data: Any) -> Any:
        return data

    registration.add_activity(sfini.Activity("n" * 80))
    assert sorted(registration.activities) == ["app-v1.2_Resize", "n" * 80]


def _map(name: str, label: Any) -> sfini.Map:
    return sfini.Map(name, sfini.Succeed(f"{name}-item"), label=label)


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ("l" * 41, "Label is 41 characters long, more than 40"),
        ("my label", "Label contains whitespace (' '), which AWS forbids in labels"),
        ("a/b", "Label contains '/'"),
        ("", "Label must be a non-empty str"),
        (7, "Label must be a non-empty str, got 7"),
    ],
)
def test_map_label_rules(label: Any, message: str) -> None:
    with pytest.raises(sfini.InvalidField) as caught:
        sfini.construct_state_machine("m", _map("each", label))
    assert caught.value.state_name == "each"
    assert message in str(caught.value)


def test_map_labels_are_unique_across_the_machine() -> None:
    first, second = _map("first", "batch"), _map("second", "batch")
    first.goes_to(second)
    with pytest.raises(sfini.InvalidField, match="Map Label 'batch' is used by more than one Map"):
        sfini.construct_state_machine("m", first)


def test_accepted_label_renders(render) -> None:
    definition = render(sfini.construct_state_machine("m", _map("each", "l" * 40)))
    assert definition["States"]["each"]["Label"] == "l" * 40


@pytest.mark.parametrize(
    ("assign", "language", "message"),
    [
        ({"1st": 1}, "JSONPath", "Assign names variable '1st'"),
        ({"my-var": 1}, "JSONPath", "Assign names variable 'my-var'"),
        ({"states": 1}, "JSONPath", "'states' is reserved"),
        ({"v" * 81: 1}, "JSONPath", "at most 80 characters"),
        ({"bad name.$": "$.x"}, "JSONPath", "Assign names variable 'bad name'"),
        ({"states": "{% 1 %}"}, "JSONata", "'states' is reserved"),
    ],
)
def test_assign_variable_names(assign: dict[str, Any], language: str, message: str) -> None:
    with pytest.raises(sfini.InvalidField, match=message) as caught:
        sfini.construct_state_machine("m", sfini.Pass("t", assign=assign), query_language=language)
    assert caught.value.state_name == "t"


def test_assign_variable_names_in_choice_rules_and_catchers() -> None:
    task = sfini.Task("t", sfini.Activity("worker"))
    task.catch(["States.ALL"], sfini.Succeed("handled"), assign={"ok_name": 1, "bad-name": 2})
    with pytest.raises(sfini.InvalidField, match=r"Catch\[0\]\.Assign names variable 'bad-name'"):
        sfini.construct_state_machine("m", task)


@pytest.mark.parametrize("assign", [{"_x": 1, "x1": 2, "count.$": "$.n", "v" * 80: 3, "étape": 4}])
def test_accepted_variable_names(assign: dict[str, Any], render) -> None:
    definition = render(sfini.construct_state_machine("m", sfini.Pass("t", assign=assign)))
    assert definition["States"]["t"]["Assign"] == assign
