"""ARN parsing, name rules and pagination tokens (tables, no server)."""

from __future__ import annotations

import pytest

from sfini_runtime.arns import ArnFactory, activity_arn, parse_arn, parse_states_arn
from sfini_runtime.local.errors import InvalidArn, InvalidName, InvalidToken
from sfini_runtime.local.service.pagination import decode_token, encode_token, paginate
from sfini_runtime.local.service.validation import check_name

ARNS = ArnFactory("eu-west-1", "111122223333")


@pytest.mark.parametrize(
    ("arn", "kind", "name"),
    [
        (ARNS.activity("a"), "activity", "a"),
        (ARNS.state_machine("m"), "stateMachine", "m"),
        (ARNS.execution("m", "run"), "execution", "run"),
        ("arn:aws-cn:states:cn-north-1:111122223333:activity:x", "activity", "x"),
    ],
)
def test_parse_valid(arn: str, kind: str, name: str) -> None:
    parsed = parse_states_arn(arn, "activity", "stateMachine", "execution", "express")
    assert (parsed.resource_type, parsed.name) == (kind, name)


def test_express_execution_arns_carry_a_unique_suffix() -> None:
    first, second = ARNS.express_execution("m", "run"), ARNS.express_execution("m", "run")
    assert first != second
    assert parse_states_arn(first, "express").name == "run"


def test_the_engine_checks_the_arns_the_runtime_builds_and_parses() -> None:
    arn = ARNS.execution("m", "run")
    assert parse_states_arn(arn, "execution") == parse_arn(arn)
    assert ARNS.activity("a") == activity_arn("a", "eu-west-1", "111122223333")


@pytest.mark.parametrize(
    ("arn", "message"),
    [
        ("", "Invalid Arn: 'Invalid ARN prefix: '"),
        ("activity:a", "Invalid Arn: 'Invalid ARN prefix: activity:a'"),
        (
            "arn:aws:lambda:eu-west-1:111122223333:function:f",
            "Invalid Arn: 'Invalid ARN prefix: arn:aws:lambda:eu-west-1:111122223333:function:f'",
        ),
        ("arn:aws:states:eu-west-1:12:activity:a", "Invalid Arn: 'Invalid account id: 12'"),
        ("arn:aws:states:EU:111122223333:activity:a", "Invalid Arn: 'Invalid region: EU'"),
        (
            "arn:aws:states:eu-west-1:111122223333:stateMachine:m",
            "Invalid Arn: 'Resource type not valid in this context: stateMachine'",
        ),
        (
            "arn:aws:states:eu-west-1:111122223333:activity:a:b",
            "Invalid Arn: 'Invalid Arn resource id: activity:a:b'",
        ),
    ],
)
def test_parse_invalid(arn: str, message: str) -> None:
    with pytest.raises(InvalidArn) as caught:
        parse_states_arn(arn, "activity")
    assert caught.value.message == message


@pytest.mark.parametrize("name", ["a", "x" * 80, "with-dash_and.dot", "üñíçødé", "(parens)"])
def test_valid_names(name: str) -> None:
    check_name(name)


@pytest.mark.parametrize(
    "name",
    ["", "x" * 81, "a b", "a\tb", "a<b", "{x}", "[x]", "a?", "a*", 'a"b', "a#b", "a%b",
     "a\\b", "a^b", "a|b", "a~b", "a`b", "a$b", "a&b", "a,b", "a;b", "a:b", "a/b",
     "a\x00b", "a\x7fb", "a\x85b"],
)  # fmt: skip
def test_invalid_names(name: str) -> None:
    with pytest.raises(InvalidName) as caught:
        check_name(name)
    assert caught.value.message == f"Invalid Name: '{name}'"


def test_tokens_round_trip_and_refuse_tampering() -> None:
    token = encode_token("ListActivities", 7)
    assert decode_token(token, "ListActivities") == 7
    encoded, signature = token.rsplit(".", 1)
    for forged in (
        encoded + "." + "0" * len(signature),
        encode_token("ListStateMachines", 7),
        "not-a-token",
        token[:-1],
    ):
        with pytest.raises(InvalidToken):
            decode_token(forged, "ListActivities")


@pytest.mark.parametrize("descending", [False, True])
def test_paginate_walks_every_item_once(descending: bool) -> None:
    items = list(range(1, 12))
    if descending:
        items.reverse()
    seen: list[int] = []
    request: dict[str, object] = {"maxResults": 4}
    while True:
        page, token = paginate(items, lambda i: i, request, "numbers", descending=descending)
        seen += page
        if token is None:
            break
        request = {"maxResults": 4, "nextToken": token}
    assert seen == items


def test_max_results_zero_means_a_hundred() -> None:
    page, token = paginate(list(range(150)), lambda i: i, {"maxResults": 0}, "n")
    assert len(page) == 100 and token is not None
