"""``sfini versions`` and ``sfini aliases`` on the local engine: publish, list, route, update,
delete, as lines or ``--json``; API refusals and bad routes are one error line."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner, Result

from sfini_runtime.cli import cli

ROLE = "arn:aws:iam::123456789012:role/versions"


def _run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def _machine(engine: Any, name: str = "versioned") -> str:
    sfn = engine.client()
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    return sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)[
        "stateMachineArn"
    ]


def _update(engine: Any, arn: str, result: str) -> None:
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": result, "End": True}}}
    engine.client().update_state_machine(stateMachineArn=arn, definition=json.dumps(definition))


def test_versions_are_published_listed_newest_first_and_deleted(engine: Any) -> None:
    arn = _machine(engine)
    first = _run("versions", "publish", "versioned", "--description", "first")
    assert first.exit_code == 0, first.output
    assert first.output.strip() == f"{arn}:1"
    # the same revision: the version it already is
    again = _run("versions", "publish", arn, "--description", "first")
    assert again.output.strip() == f"{arn}:1"
    _update(engine, arn, "two")
    second = _run("versions", "publish", "versioned", "--json")
    assert json.loads(second.output)["stateMachineVersionArn"] == f"{arn}:2"

    listed = _run("versions", "list", "versioned", "--json")
    assert [v["stateMachineVersionArn"] for v in json.loads(listed.output)] == [
        f"{arn}:2",
        f"{arn}:1",
    ]
    table = _run("versions", "list", "versioned")
    assert table.exit_code == 0 and f"{arn}:2" in table.output and "created" in table.output

    deleted = _run("versions", "delete", f"{arn}:1")
    assert deleted.exit_code == 0, deleted.output
    listed = _run("versions", "list", "versioned", "--json")
    assert [v["stateMachineVersionArn"] for v in json.loads(listed.output)] == [f"{arn}:2"]


def test_an_alias_routes_between_two_versions_and_is_updated_and_deleted(engine: Any) -> None:
    arn = _machine(engine)
    _run("versions", "publish", arn)
    _update(engine, arn, "two")
    _run("versions", "publish", arn)

    created = _run("aliases", "create", "versioned", "live", "--route", "1=90", "--route", "2=10")
    assert created.exit_code == 0, created.output
    alias = created.output.strip()
    assert alias == f"{arn}:live"
    listed = json.loads(_run("aliases", "list", "versioned", "--json").output)
    assert [(a["name"], [r["weight"] for r in a["routingConfiguration"]]) for a in listed] == [
        ("live", [90, 10])
    ]
    assert "1=90%, 2=10%" in _run("aliases", "list", "versioned").output

    refused = _run("versions", "delete", f"{arn}:2")  # the alias routes to it
    assert refused.exit_code == 1
    assert refused.output.startswith("Error: ") and len(refused.output.splitlines()) == 1

    updated = _run("aliases", "update", alias, "--route", f"{arn}:2=100")
    assert updated.exit_code == 0, updated.output
    listed = json.loads(_run("aliases", "list", arn, "--json").output)
    assert [r["stateMachineVersionArn"] for r in listed[0]["routingConfiguration"]] == [f"{arn}:2"]

    assert _run("aliases", "delete", alias).exit_code == 0
    assert json.loads(_run("aliases", "list", arn, "--json").output) == []
    assert _run("versions", "delete", f"{arn}:2").exit_code == 0  # no alias routes to it now


def test_bad_routes_and_missing_options_are_one_line(engine: Any) -> None:
    _machine(engine)
    for args, message in [
        (("aliases", "create", "versioned", "live"), "give at least one --route"),
        (("aliases", "create", "versioned", "live", "--route", "1:90"), "expected VERSION=WEIGHT"),
        (
            ("aliases", "update", "arn:aws:states:us-east-1:123456789012:stateMachine:v:live"),
            "give --route",
        ),
        (("versions", "list", "no such machine"), "is not a state machine name or ARN"),
    ]:
        result = _run(*args)
        assert result.exit_code != 0, args
        assert message in result.output, (args, result.output)
