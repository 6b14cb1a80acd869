"""The exact ASL of every choice rule, and its value checks."""

from __future__ import annotations

import datetime

import pytest

import sfini_cdk as sfini
from sfini_cdk.state import choice

UTC = datetime.timezone.utc
AWARE = datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
NAIVE = datetime.datetime(2030, 1, 2, 3, 4, 5)
PLUS_TEN = datetime.timezone(datetime.timedelta(hours=10))

COMPARISONS = [
    (sfini.BooleanEquals, True, True),
    (sfini.NumericEquals, 3, 3),
    (sfini.NumericEquals, 2.5, 2.5),
    (sfini.NumericGreaterThan, 3, 3),
    (sfini.NumericGreaterThanEquals, 3, 3),
    (sfini.NumericLessThan, 3, 3),
    (sfini.NumericLessThanEquals, 3, 3),
    (sfini.StringEquals, "a", "a"),
    (sfini.StringGreaterThan, "a", "a"),
    (sfini.StringGreaterThanEquals, "a", "a"),
    (sfini.StringLessThan, "a", "a"),
    (sfini.StringLessThanEquals, "a", "a"),
    (sfini.StringMatches, "log-*.txt", "log-*.txt"),
    (sfini.TimestampEquals, AWARE, "2030-01-02T03:04:05+00:00"),
    (sfini.TimestampGreaterThan, AWARE, "2030-01-02T03:04:05+00:00"),
    (sfini.TimestampGreaterThanEquals, AWARE, "2030-01-02T03:04:05+00:00"),
    (sfini.TimestampLessThan, AWARE, "2030-01-02T03:04:05+00:00"),
    (sfini.TimestampLessThanEquals, AWARE, "2030-01-02T03:04:05+00:00"),
    (sfini.TimestampEquals, "2030-01-02T03:04:05Z", "2030-01-02T03:04:05Z"),
    (
        sfini.TimestampEquals,
        datetime.datetime(2030, 1, 2, tzinfo=PLUS_TEN),
        "2030-01-02T00:00:00+10:00",
    ),
    (sfini.IsPresent, True, True),
    (sfini.IsNull, False, False),
    (sfini.IsNumeric, True, True),
    (sfini.IsString, True, True),
    (sfini.IsBoolean, True, True),
    (sfini.IsTimestamp, True, True),
    *[
        (getattr(sfini, f"{kind}{op}Path"), "$.other", "$.other")
        for kind in ("Numeric", "String", "Timestamp")
        for op in ("Equals", "GreaterThan", "GreaterThanEquals", "LessThan", "LessThanEquals")
    ],
    (sfini.BooleanEqualsPath, "$.flag", "$.flag"),
]


@pytest.mark.parametrize(
    ("rule_class", "value", "rendered"),
    COMPARISONS,
    ids=[f"{case[0].__name__}-{index}" for index, case in enumerate(COMPARISONS)],
)
def test_comparison_asl(render, rule_class, value, rendered):
    target = sfini.Succeed("yes")
    rule = rule_class("$.v", value, target)
    expected = {"Variable": "$.v", rule_class.__name__: rendered, "Next": "yes"}
    assert rule.to_dict() == expected
    gate = sfini.Choice("gate")
    gate.add(rule)
    gate.set_default(sfini.Fail("no"))
    assert render(sfini.construct_state_machine("m", gate))["States"]["gate"]["Choices"] == [
        expected
    ]


@pytest.mark.parametrize(
    ("spelling", "operator"),
    [
        (sfini.TimestampGreaterThanOrEquals, "TimestampGreaterThanEquals"),
        (sfini.TimestampLessThanOrEquals, "TimestampLessThanEquals"),
    ],
)
def test_sfini_doc_spellings_render_the_asl_operator(spelling, operator):
    rule = spelling("$.t", AWARE, sfini.Succeed("s"))
    assert rule.to_dict() == {
        "Variable": "$.t",
        operator: "2030-01-02T03:04:05+00:00",
        "Next": "s",
    }


def test_type_tests_default_to_true():
    assert sfini.IsPresent("$.a").to_dict() == {"Variable": "$.a", "IsPresent": True}


def test_logical_rules_nest_without_next(render):
    yes, no = sfini.Succeed("yes"), sfini.Fail("no")
    rule = sfini.And(
        [
            sfini.Not(sfini.StringEquals("$.type", "Private")),
            sfini.Or([sfini.NumericGreaterThan("$.value", 20), sfini.IsNull("$.value")]),
        ],
        yes,
    )
    expected = {
        "And": [
            {"Not": {"Variable": "$.type", "StringEquals": "Private"}},
            {
                "Or": [
                    {"Variable": "$.value", "NumericGreaterThan": 20},
                    {"Variable": "$.value", "IsNull": True},
                ]
            },
        ],
        "Next": "yes",
    }
    assert rule.to_dict() == expected
    gate = sfini.Choice("gate")
    gate.add(rule)
    gate.add(sfini.Not(sfini.IsPresent("$.value"), no))
    assert render(sfini.construct_state_machine("m", gate))["States"]["gate"]["Choices"] == [
        expected,
        {"Not": {"Variable": "$.value", "IsPresent": True}, "Next": "no"},
    ]


def test_condition_rule_asl(render):
    rule = sfini.Condition(
        "{% $states.input.n > 1 %}", sfini.Succeed("big"), output={"n": 1}, assign={"x": 2}
    )
    assert rule.to_dict() == {
        "Condition": "{% $states.input.n > 1 %}",
        "Next": "big",
        "Output": {"n": 1},
        "Assign": {"x": 2},
    }
    gate = sfini.Choice("gate")
    gate.add(rule)
    gate.set_default(sfini.Succeed("small"))
    machine = sfini.construct_state_machine("m", gate, query_language="JSONata")
    definition = render(machine)
    assert definition["QueryLanguage"] == "JSONata"
    assert definition["States"]["gate"]["Choices"] == [rule.to_dict()]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (sfini.NumericEquals("$.v", "3"), "must be a number"),
        (sfini.NumericEquals("$.v", True), "must be a number"),
        (sfini.BooleanEquals("$.v", 1), "must be a bool"),
        (sfini.StringEquals("$.v", 3), "must be a str"),
        (sfini.StringMatches("$.v", None), "must be a str"),
        (sfini.TimestampEquals("$.v", 3), "aware datetime"),
        (sfini.TimestampEquals("$.v", "yesterday"), "not an ISO 8601"),
        (sfini.IsPresent("$.v", "yes"), "must be a bool"),
        (sfini.NumericEqualsPath("$.v", 3), "JSONPath str"),
    ],
)
def test_comparison_value_of_wrong_type(rule, message):
    with pytest.raises(sfini.ComparisonTypeError, match=message) as caught:
        rule.to_dict()
    assert isinstance(caught.value, TypeError)  # sfini 0.1.0 raised TypeError


@pytest.mark.parametrize("value", [NAIVE, "2030-01-02T03:04:05"], ids=["datetime", "str"])
def test_naive_timestamps_are_rejected(value):
    with pytest.raises(sfini.NaiveDatetime, match="time zone"):
        sfini.TimestampLessThan("$.v", value).to_dict()


def test_wrong_type_names_the_choice_state():
    gate = sfini.Choice("gate")
    gate.add(sfini.NumericEquals("$.v", "3", sfini.Succeed("s")))
    with pytest.raises(sfini.ComparisonTypeError) as caught:
        sfini.construct_state_machine("m", gate)
    assert caught.value.state_name == "gate"
    assert str(caught.value).startswith("state 'gate': NumericEquals comparison value")


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (sfini.And([]), "at least one"),
        (sfini.Or([]), "at least one"),
        (sfini.Not(sfini.IsNull("$.a", True, sfini.Succeed("x"))), "nested choice rule"),
        (sfini.And([sfini.Condition("{% true %}")]), "cannot be nested"),
        (sfini.ChoiceRule(), "not a valid choice rule"),
        (choice.Comparison("$.a", 1), "not a valid choice rule"),
    ],
)
def test_malformed_rules(rule, message):
    with pytest.raises(sfini.InvalidChoiceRule, match=message):
        rule.to_dict()


def test_top_level_rule_needs_next_state():
    with pytest.raises(sfini.InvalidChoiceRule, match="must specify a next state"):
        sfini.Choice("gate").add(sfini.IsNull("$.a"))


def test_rule_str():
    rule = sfini.And([sfini.IsNull("$.a"), sfini.NumericEquals("$.b", 1)], sfini.Succeed("s"))
    assert str(rule) == "('$.a' IsNull True) And ('$.b' NumericEquals 1) -> s [Succeed]"


def _operator_classes() -> list[type[sfini.Comparison]]:
    found = []
    for name in sfini.__all__:
        value = getattr(sfini, name)
        if isinstance(value, type) and issubclass(value, sfini.Comparison) and value.operator:
            found.append(value)
    return found


OPERATOR_CLASSES = _operator_classes()
#: (operator family, a value of the wrong type, what the message says is expected)
WRONG_BY_FAMILY = [
    (choice._BooleanRule, 1, "must be a bool"),
    (choice._NumericRule, "3", "must be a number"),
    (choice._NumericRule, True, "must be a number"),
    (choice._NumericRule, float("nan"), "must be a finite number"),
    (choice._NumericRule, float("inf"), "must be a finite number"),
    (choice._StringRule, 3, "must be a str"),
    (choice._TimestampRule, 1_700_000_000, "must be an aware datetime.datetime or an ISO 8601"),
    (choice._TimestampRule, "yesterday", "is not an ISO 8601 timestamp"),
    (choice._TimestampRule, "2030-01-02t03:04:05z", "is not an ISO 8601 timestamp"),
    (choice._PathRule, 3, "must be a JSONPath str"),
]
WRONG_TYPE_CASES = [
    (rule_class, value, expected)
    for rule_class in OPERATOR_CLASSES
    for family, value, expected in WRONG_BY_FAMILY
    if issubclass(rule_class, family)
]


def test_every_operator_class_is_exported_and_has_a_wrong_type_case():
    operators = {rule_class.operator for rule_class in OPERATOR_CLASSES}
    kinds = ("Numeric", "String", "Timestamp")
    comparisons = ("Equals", "GreaterThan", "GreaterThanEquals", "LessThan", "LessThanEquals")
    expected = {
        "BooleanEquals",
        "BooleanEqualsPath",
        "StringMatches",
        *(f"Is{kind}" for kind in ("Present", "Null", "Numeric", "String", "Boolean", "Timestamp")),
        *(f"{kind}{op}" for kind in kinds for op in comparisons),
        *(f"{kind}{op}Path" for kind in kinds for op in comparisons),
    }
    assert operators == expected  # every comparison operator AWS documents, no more
    assert {case[0] for case in WRONG_TYPE_CASES} == set(OPERATOR_CLASSES)


@pytest.mark.parametrize(
    ("rule_class", "value", "expected"),
    WRONG_TYPE_CASES,
    ids=[f"{case[0].__name__}-{type(case[1]).__name__}" for case in WRONG_TYPE_CASES],
)
def test_wrong_comparison_value_is_rejected_naming_the_choice_state(rule_class, value, expected):
    gate = sfini.Choice("gate")
    gate.add(rule_class("$.v", value, sfini.Succeed("s")))
    with pytest.raises(sfini.ComparisonTypeError) as caught:
        sfini.construct_state_machine("m", gate)
    assert isinstance(caught.value, TypeError)
    assert caught.value.state_name == "gate"
    message = str(caught.value)
    assert message.startswith(f"state 'gate': {rule_class.__name__} comparison value")
    assert expected in message
    assert repr(value) in message


TIMESTAMP_CLASSES = [c for c in OPERATOR_CLASSES if issubclass(c, choice._TimestampRule)]


@pytest.mark.parametrize("rule_class", TIMESTAMP_CLASSES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("value", [NAIVE, "2030-01-02T03:04:05"], ids=["datetime", "str"])
def test_naive_timestamp_is_rejected_naming_the_choice_state(rule_class, value):
    gate = sfini.Choice("gate")
    gate.add(sfini.Not(rule_class("$.v", value), sfini.Succeed("s")))
    with pytest.raises(sfini.NaiveDatetime) as caught:
        sfini.construct_state_machine("m", gate)
    assert caught.value.state_name == "gate"
    assert str(caught.value).startswith(f"state 'gate': {rule_class.__name__} comparison")
    assert "time zone" in str(caught.value)


def test_nanosecond_timestamps_are_kept_as_written(render):
    rule = sfini.TimestampGreaterThan("$.t", "2016-03-05T21:29:29.243167252Z", sfini.Succeed("s"))
    gate = sfini.Choice("gate")
    gate.add(rule)
    choices = render(sfini.construct_state_machine("m", gate))["States"]["gate"]["Choices"]
    assert choices[0]["TimestampGreaterThan"] == "2016-03-05T21:29:29.243167252Z"


def test_aws_documentation_choice_state_example(render):
    """The Choice state example of the AWS Step Functions Developer Guide (Choice workflow
    state: "Choice state example"), built with sfini rules."""
    public, zero = sfini.Pass("Public"), sfini.Pass("ValueIsZero")
    twenties, recent = sfini.Pass("ValueInTwenties"), sfini.Pass("RecordEvent")
    default = sfini.Fail("DefaultState", cause="No Matches!")
    next_state = sfini.Succeed("NextState")
    for state in (public, zero, twenties, recent):
        state.goes_to(next_state)
    gate = sfini.Choice("ChoiceStateX")
    gate.add(sfini.Not(sfini.StringEquals("$.type", "Private"), public))
    gate.add(sfini.NumericEquals("$.value", 0, zero))
    gate.add(
        sfini.And(
            [
                sfini.NumericGreaterThanEquals("$.value", 20),
                sfini.NumericLessThan("$.value", 30),
            ],
            twenties,
        )
    )
    gate.add(
        sfini.And(
            [
                sfini.IsPresent("$.value", True),
                sfini.IsNumeric("$.value", True),
                sfini.TimestampGreaterThan("$.timestamp", "2016-08-18T17:33:00Z"),
            ],
            recent,
        )
    )
    gate.set_default(default)
    states = render(sfini.construct_state_machine("m", gate))["States"]
    assert states["ChoiceStateX"] == {
        "Type": "Choice",
        "Choices": [
            {"Not": {"Variable": "$.type", "StringEquals": "Private"}, "Next": "Public"},
            {"Variable": "$.value", "NumericEquals": 0, "Next": "ValueIsZero"},
            {
                "And": [
                    {"Variable": "$.value", "NumericGreaterThanEquals": 20},
                    {"Variable": "$.value", "NumericLessThan": 30},
                ],
                "Next": "ValueInTwenties",
            },
            {
                "And": [
                    {"Variable": "$.value", "IsPresent": True},
                    {"Variable": "$.value", "IsNumeric": True},
                    {"Variable": "$.timestamp", "TimestampGreaterThan": "2016-08-18T17:33:00Z"},
                ],
                "Next": "RecordEvent",
            },
        ],
        "Default": "DefaultState",
    }
    assert states["DefaultState"] == {"Type": "Fail", "Cause": "No Matches!"}


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        # the per-operator examples of the same guide page (JSONPath choice rules)
        (sfini.NumericEquals("$.foo", 1), {"Variable": "$.foo", "NumericEquals": 1}),
        (
            sfini.StringEquals("$.foo", "MyString"),
            {"Variable": "$.foo", "StringEquals": "MyString"},
        ),
        (
            sfini.StringGreaterThan("$.foo", "MyStringABC"),
            {"Variable": "$.foo", "StringGreaterThan": "MyStringABC"},
        ),
        (
            sfini.StringMatches("$.foo", "log-*.txt"),
            {"Variable": "$.foo", "StringMatches": "log-*.txt"},
        ),
        (
            sfini.NumericGreaterThanPath("$.foo", "$.bar"),
            {"Variable": "$.foo", "NumericGreaterThanPath": "$.bar"},
        ),
        (
            sfini.Condition("{% $foo = 1 %}"),
            {"Condition": "{% $foo = 1 %}"},
        ),
    ],
    ids=lambda value: next(iter(value)) if isinstance(value, dict) else None,
)
def test_aws_documentation_rule_examples(rule, expected):
    target = sfini.Succeed("FirstMatchState")
    rule.next_state = target
    assert rule.to_dict() == {**expected, "Next": "FirstMatchState"}
