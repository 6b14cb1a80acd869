"""State machine versions and aliases on the local engine, through boto3 as a client sees them.

Publish (and ``publish=True`` on Create/Update), List/Delete versions; Create/Describe/
Update/Delete/List aliases; StartExecution on a version or an alias (weighted routing with a
seeded ``Store.random``); what executions record; deletion rules; a durable engine keeping
versions and aliases across a restart.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sfini_runtime.local import LocalEngine

ROLE_ARN = "arn:aws:iam::123456789012:role/sfini-test"


def _pass(result: Any) -> str:
    return json.dumps(
        {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": result, "End": True}}}
    )


V1 = _pass("one")
V2 = _pass("two")


@pytest.fixture(scope="module")
def local() -> Iterator[LocalEngine]:
    with LocalEngine(time_scale=0.01) as engine:
        yield engine


@pytest.fixture(scope="module")
def sfn(local: LocalEngine) -> Any:
    return local.client()


def _machine(sfn: Any, definition: str = V1, **kwargs: Any) -> str:
    name = f"m-{uuid.uuid4().hex[:12]}"
    response = sfn.create_state_machine(
        name=name, definition=definition, roleArn=ROLE_ARN, **kwargs
    )
    return response["stateMachineArn"]


def _code(excinfo: pytest.ExceptionInfo[ClientError]) -> str:
    return excinfo.value.response["Error"]["Code"]


def _two_versions(sfn: Any) -> tuple[str, str, str]:
    """A machine with version 1 (V1) and version 2 (V2): (machine, v1, v2)."""
    arn = _machine(sfn, publish=True)
    v1 = f"{arn}:1"
    v2 = sfn.update_state_machine(stateMachineArn=arn, definition=V2, publish=True)[
        "stateMachineVersionArn"
    ]
    return arn, v1, v2


def _wait_done(sfn: Any, execution_arn: str) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        described = sfn.describe_execution(executionArn=execution_arn)
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.02)
    raise AssertionError(f"{execution_arn} did not end")


# -- versions ------------------------------------------------------------------------------


def test_create_with_publish_answers_version_1(sfn: Any) -> None:
    name = f"m-{uuid.uuid4().hex[:12]}"
    response = sfn.create_state_machine(
        name=name, definition=V1, roleArn=ROLE_ARN, publish=True, versionDescription="first"
    )
    assert response["stateMachineVersionArn"] == f"{response['stateMachineArn']}:1"
    described = sfn.describe_state_machine(stateMachineArn=response["stateMachineVersionArn"])
    assert described["stateMachineArn"] == response["stateMachineVersionArn"]
    assert described["description"] == "first"
    assert described["definition"] == V1


def test_create_without_publish_has_no_version(sfn: Any) -> None:
    response = sfn.create_state_machine(
        name=f"m-{uuid.uuid4().hex[:12]}", definition=V1, roleArn=ROLE_ARN
    )
    assert "stateMachineVersionArn" not in response
    versions = sfn.list_state_machine_versions(stateMachineArn=response["stateMachineArn"])
    assert versions["stateMachineVersions"] == []


def test_publish_numbers_versions_and_is_idempotent_per_revision(sfn: Any) -> None:
    arn = _machine(sfn)
    first = sfn.publish_state_machine_version(stateMachineArn=arn, description="d")
    assert first["stateMachineVersionArn"] == f"{arn}:1"
    again = sfn.publish_state_machine_version(stateMachineArn=arn, description="d")
    assert again["stateMachineVersionArn"] == f"{arn}:1"
    assert again["creationDate"] == first["creationDate"]
    with pytest.raises(ClientError) as excinfo:
        sfn.publish_state_machine_version(stateMachineArn=arn, description="other")
    assert _code(excinfo) == "ConflictException"
    revision = sfn.update_state_machine(stateMachineArn=arn, definition=V2)["revisionId"]
    second = sfn.publish_state_machine_version(stateMachineArn=arn, revisionId=revision)
    assert second["stateMachineVersionArn"] == f"{arn}:2"
    described = sfn.describe_state_machine(stateMachineArn=f"{arn}:2")
    assert described["revisionId"] == revision
    assert described["definition"] == V2
    assert "description" not in described
    # version 1 still describes the first definition
    assert sfn.describe_state_machine(stateMachineArn=f"{arn}:1")["definition"] == V1


def test_publish_with_a_stale_revision_id_is_a_conflict(sfn: Any) -> None:
    arn = _machine(sfn)
    old = sfn.update_state_machine(stateMachineArn=arn, definition=V2)["revisionId"]
    sfn.update_state_machine(stateMachineArn=arn, definition=V1)
    with pytest.raises(ClientError) as excinfo:
        sfn.publish_state_machine_version(stateMachineArn=arn, revisionId=old)
    assert _code(excinfo) == "ConflictException"
    assert sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"] == []


def test_publish_on_unknown_or_deleted_machine(sfn: Any, local: LocalEngine) -> None:
    unknown = local.service.arns.state_machine("never-created")
    with pytest.raises(ClientError) as excinfo:
        sfn.publish_state_machine_version(stateMachineArn=unknown)
    assert _code(excinfo) == "StateMachineDoesNotExist"
    with pytest.raises(ClientError) as excinfo:
        sfn.publish_state_machine_version(stateMachineArn=f"{unknown}:1")
    assert _code(excinfo) == "InvalidArn"


def test_version_numbers_are_never_reused(sfn: Any) -> None:
    arn, v1, v2 = _two_versions(sfn)
    sfn.delete_state_machine_version(stateMachineVersionArn=v2)
    sfn.update_state_machine(stateMachineArn=arn, definition=_pass("three"))
    v3 = sfn.publish_state_machine_version(stateMachineArn=arn)["stateMachineVersionArn"]
    assert v3 == f"{arn}:3"
    listed = sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"]
    assert [v["stateMachineVersionArn"] for v in listed] == [v3, v1]


def test_list_versions_newest_first_and_paginated(sfn: Any) -> None:
    arn = _machine(sfn)
    for index in range(5):
        sfn.update_state_machine(stateMachineArn=arn, definition=_pass(index))
        sfn.publish_state_machine_version(stateMachineArn=arn)
    seen: list[str] = []
    request: dict[str, Any] = {"stateMachineArn": arn, "maxResults": 2}
    while True:
        page = sfn.list_state_machine_versions(**request)
        assert len(page["stateMachineVersions"]) <= 2
        seen += [v["stateMachineVersionArn"] for v in page["stateMachineVersions"]]
        if "nextToken" not in page:
            break
        request["nextToken"] = page["nextToken"]
    assert seen == [f"{arn}:{n}" for n in (5, 4, 3, 2, 1)]


def test_version_quota(sfn: Any, local: LocalEngine) -> None:
    from sfini_runtime.local.service.operations import published

    arn = _machine(sfn, publish=True)
    machine = local.service.store.state_machines[arn]
    original = published.MAX_VERSIONS
    published.MAX_VERSIONS = 1
    try:
        sfn.update_state_machine(stateMachineArn=arn, definition=V2)
        with pytest.raises(ClientError) as excinfo:
            sfn.publish_state_machine_version(stateMachineArn=arn)
        assert _code(excinfo) == "ServiceQuotaExceededException"
        assert list(machine.versions) == [1]
    finally:
        published.MAX_VERSIONS = original


def test_list_versions_of_an_unknown_machine_is_empty(sfn: Any, local: LocalEngine) -> None:
    # AWS declares no "does not exist" error for ListStateMachineVersions
    unknown = local.service.arns.state_machine("never-created")
    assert sfn.list_state_machine_versions(stateMachineArn=unknown)["stateMachineVersions"] == []
    with pytest.raises(ClientError) as excinfo:
        sfn.list_state_machine_versions(stateMachineArn=f"{unknown}:1")
    assert _code(excinfo) == "InvalidArn"


def test_describe_unknown_version(sfn: Any) -> None:
    arn = _machine(sfn)
    with pytest.raises(ClientError) as excinfo:
        sfn.describe_state_machine(stateMachineArn=f"{arn}:7")
    assert _code(excinfo) == "StateMachineDoesNotExist"


def test_version_description_needs_publish(sfn: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        sfn.create_state_machine(
            name=f"m-{uuid.uuid4().hex[:12]}",
            definition=V1,
            roleArn=ROLE_ARN,
            versionDescription="x",
        )
    assert _code(excinfo) == "ValidationException"


def test_delete_version_rules(sfn: Any) -> None:
    arn, v1, v2 = _two_versions(sfn)
    alias = sfn.create_state_machine_alias(
        name="live", routingConfiguration=[{"stateMachineVersionArn": v1, "weight": 100}]
    )["stateMachineAliasArn"]
    with pytest.raises(ClientError) as excinfo:
        sfn.delete_state_machine_version(stateMachineVersionArn=v1)
    assert _code(excinfo) == "ConflictException"
    assert "live" in excinfo.value.response["Error"]["Message"]
    sfn.delete_state_machine_version(stateMachineVersionArn=v2)
    sfn.delete_state_machine_version(stateMachineVersionArn=v2)  # already gone: no error
    with pytest.raises(ClientError) as excinfo:
        sfn.delete_state_machine_version(stateMachineVersionArn=arn)
    assert _code(excinfo) == "InvalidArn"
    sfn.delete_state_machine_alias(stateMachineAliasArn=alias)
    sfn.delete_state_machine_version(stateMachineVersionArn=v1)
    assert sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"] == []


# -- aliases -------------------------------------------------------------------------------


def test_alias_lifecycle(sfn: Any) -> None:
    arn, v1, v2 = _two_versions(sfn)
    routing = [{"stateMachineVersionArn": v1, "weight": 100}]
    created = sfn.create_state_machine_alias(
        name="PROD", description="prod", routingConfiguration=routing
    )
    alias = created["stateMachineAliasArn"]
    assert alias == f"{arn}:PROD"
    again = sfn.create_state_machine_alias(
        name="PROD", description="prod", routingConfiguration=routing
    )
    assert again == {
        **again,
        "stateMachineAliasArn": alias,
        "creationDate": created["creationDate"],
    }
    described = sfn.describe_state_machine_alias(stateMachineAliasArn=alias)
    assert described["name"] == "PROD"
    assert described["description"] == "prod"
    assert described["routingConfiguration"] == routing
    split = [
        {"stateMachineVersionArn": v1, "weight": 30},
        {"stateMachineVersionArn": v2, "weight": 70},
    ]
    updated = sfn.update_state_machine_alias(stateMachineAliasArn=alias, routingConfiguration=split)
    described = sfn.describe_state_machine_alias(stateMachineAliasArn=alias)
    assert described["routingConfiguration"] == split
    assert described["updateDate"] == updated["updateDate"]
    assert described["description"] == "prod"
    listed = sfn.list_state_machine_aliases(stateMachineArn=arn)["stateMachineAliases"]
    assert [a["stateMachineAliasArn"] for a in listed] == [alias]
    by_version = sfn.list_state_machine_aliases(stateMachineArn=v2)["stateMachineAliases"]
    assert [a["stateMachineAliasArn"] for a in by_version] == [alias]
    sfn.delete_state_machine_alias(stateMachineAliasArn=alias)
    assert sfn.list_state_machine_aliases(stateMachineArn=arn)["stateMachineAliases"] == []
    with pytest.raises(ClientError) as excinfo:
        sfn.describe_state_machine_alias(stateMachineAliasArn=alias)
    assert _code(excinfo) == "ResourceNotFound"
    with pytest.raises(ClientError) as excinfo:
        sfn.delete_state_machine_alias(stateMachineAliasArn=alias)
    assert _code(excinfo) == "ResourceNotFound"


def test_alias_name_taken_with_other_routing_is_a_conflict(sfn: Any) -> None:
    _, v1, v2 = _two_versions(sfn)
    sfn.create_state_machine_alias(
        name="a", routingConfiguration=[{"stateMachineVersionArn": v1, "weight": 100}]
    )
    with pytest.raises(ClientError) as excinfo:
        sfn.create_state_machine_alias(
            name="a", routingConfiguration=[{"stateMachineVersionArn": v2, "weight": 100}]
        )
    assert _code(excinfo) == "ConflictException"


@pytest.mark.parametrize(
    ("routing", "code"),
    [
        (
            lambda v1, v2, other: [{"stateMachineVersionArn": v1, "weight": 60}],
            "ValidationException",
        ),
        (
            lambda v1, v2, other: [
                {"stateMachineVersionArn": v1, "weight": 50},
                {"stateMachineVersionArn": v1, "weight": 50},
            ],
            "ValidationException",
        ),
        (
            lambda v1, v2, other: [
                {"stateMachineVersionArn": v1, "weight": 50},
                {"stateMachineVersionArn": other, "weight": 50},
            ],
            "ValidationException",
        ),
        (
            lambda v1, v2, other: [{"stateMachineVersionArn": v1[:-1] + "9", "weight": 100}],
            "ResourceNotFound",
        ),
        (
            lambda v1, v2, other: [{"stateMachineVersionArn": v1[:-2], "weight": 100}],
            "InvalidArn",
        ),
    ],
    ids=["weights-not-100", "same-version-twice", "two-machines", "unknown-version", "unqualified"],
)
def test_bad_routing(sfn: Any, routing: Callable[..., Any], code: str) -> None:
    _, v1, v2 = _two_versions(sfn)
    _, other, _ = _two_versions(sfn)
    with pytest.raises(ClientError) as excinfo:
        sfn.create_state_machine_alias(name="x", routingConfiguration=routing(v1, v2, other))
    assert _code(excinfo) == code


def test_bad_alias_names(sfn: Any) -> None:
    _, v1, _ = _two_versions(sfn)
    for name in ("123", "has space"):
        with pytest.raises(ClientError) as excinfo:
            sfn.create_state_machine_alias(
                name=name, routingConfiguration=[{"stateMachineVersionArn": v1, "weight": 100}]
            )
        assert _code(excinfo) == "InvalidName"


def test_update_alias_needs_a_change_and_known_versions(sfn: Any) -> None:
    arn, v1, _ = _two_versions(sfn)
    alias = sfn.create_state_machine_alias(
        name="a", routingConfiguration=[{"stateMachineVersionArn": v1, "weight": 100}]
    )["stateMachineAliasArn"]
    with pytest.raises(ClientError) as excinfo:
        sfn.update_state_machine_alias(stateMachineAliasArn=alias)
    assert _code(excinfo) == "ValidationException"
    with pytest.raises(ClientError) as excinfo:
        sfn.update_state_machine_alias(
            stateMachineAliasArn=alias,
            routingConfiguration=[{"stateMachineVersionArn": f"{arn}:99", "weight": 100}],
        )
    assert _code(excinfo) == "ResourceNotFound"
    with pytest.raises(ClientError) as excinfo:
        sfn.update_state_machine_alias(stateMachineAliasArn=f"{arn}:nope", description="d")
    assert _code(excinfo) == "ResourceNotFound"


def test_list_aliases_of_unknown_machine(sfn: Any, local: LocalEngine) -> None:
    with pytest.raises(ClientError) as excinfo:
        sfn.list_state_machine_aliases(stateMachineArn=local.service.arns.state_machine("nope"))
    assert _code(excinfo) == "StateMachineDoesNotExist"


# -- executions ----------------------------------------------------------------------------


def test_start_on_a_version_runs_that_version_and_records_it(sfn: Any) -> None:
    arn, v1, _ = _two_versions(sfn)
    started = sfn.start_execution(stateMachineArn=v1)
    described = _wait_done(sfn, started["executionArn"])
    assert described["output"] == '"one"'
    assert described["stateMachineArn"] == arn
    assert described["stateMachineVersionArn"] == v1
    assert "stateMachineAliasArn" not in described
    history = sfn.get_execution_history(executionArn=started["executionArn"])["events"]
    details = history[0]["executionStartedEventDetails"]
    assert details["stateMachineVersionArn"] == v1
    assert "stateMachineAliasArn" not in details
    on_machine = sfn.start_execution(stateMachineArn=arn)
    plain = _wait_done(sfn, on_machine["executionArn"])
    assert plain["output"] == '"two"'
    assert "stateMachineVersionArn" not in plain
    for_execution = sfn.describe_state_machine_for_execution(executionArn=started["executionArn"])
    assert for_execution["definition"] == V1


def test_start_on_unknown_version_or_alias(sfn: Any) -> None:
    arn = _machine(sfn)
    for target in (f"{arn}:4", f"{arn}:missing"):
        with pytest.raises(ClientError) as excinfo:
            sfn.start_execution(stateMachineArn=target)
        assert _code(excinfo) == "StateMachineDoesNotExist"


def test_alias_routes_by_weight_and_records_both_arns(sfn: Any, local: LocalEngine) -> None:
    arn, v1, v2 = _two_versions(sfn)
    alias = sfn.create_state_machine_alias(
        name="canary",
        routingConfiguration=[
            {"stateMachineVersionArn": v1, "weight": 80},
            {"stateMachineVersionArn": v2, "weight": 20},
        ],
    )["stateMachineAliasArn"]
    local.service.store.random.seed(1234)
    starts = [sfn.start_execution(stateMachineArn=alias)["executionArn"] for _ in range(200)]
    described = [_wait_done(sfn, execution) for execution in starts]
    assert all(d["stateMachineAliasArn"] == alias for d in described)
    on_v2 = [d for d in described if d["stateMachineVersionArn"] == v2]
    on_v1 = [d for d in described if d["stateMachineVersionArn"] == v1]
    assert len(on_v1) + len(on_v2) == 200
    assert 20 <= len(on_v2) <= 60  # 20 % of 200 is 40
    assert all(d["output"] == '"two"' for d in on_v2)
    assert all(d["output"] == '"one"' for d in on_v1)
    details = sfn.get_execution_history(executionArn=starts[0])["events"][0][
        "executionStartedEventDetails"
    ]
    assert details["stateMachineAliasArn"] == alias
    assert details["stateMachineVersionArn"] in (v1, v2)
    # the same seed routes the same way
    local.service.store.random.seed(1234)
    again = [sfn.start_execution(stateMachineArn=alias)["executionArn"] for _ in range(20)]
    routed = [_wait_done(sfn, e)["stateMachineVersionArn"] for e in again]
    assert routed == [d["stateMachineVersionArn"] for d in described[:20]]
    # ListExecutions on the alias and on each version: only those executions
    listed_alias = sfn.list_executions(stateMachineArn=alias, maxResults=1000)["executions"]
    assert len(listed_alias) == 220
    assert all(e["stateMachineAliasArn"] == alias for e in listed_alias)
    listed_v2 = sfn.list_executions(stateMachineArn=v2, maxResults=1000)["executions"]
    assert {e["executionArn"] for e in listed_v2} >= {d["executionArn"] for d in on_v2}
    assert all(e["stateMachineVersionArn"] == v2 for e in listed_v2)
    assert all(e["stateMachineArn"] == arn for e in listed_v2)
    assert len(sfn.list_executions(stateMachineArn=arn, maxResults=1000)["executions"]) == 220


def test_list_executions_of_unknown_version(sfn: Any) -> None:
    arn = _machine(sfn)
    with pytest.raises(ClientError) as excinfo:
        sfn.list_executions(stateMachineArn=f"{arn}:3")
    assert _code(excinfo) == "ResourceNotFound"


def test_delete_state_machine_deletes_its_versions_and_aliases(sfn: Any) -> None:
    arn, v1, _ = _two_versions(sfn)
    alias = sfn.create_state_machine_alias(
        name="a", routingConfiguration=[{"stateMachineVersionArn": v1, "weight": 100}]
    )["stateMachineAliasArn"]
    sfn.delete_state_machine(stateMachineArn=arn)
    with pytest.raises(ClientError) as excinfo:
        sfn.describe_state_machine(stateMachineArn=v1)
    assert _code(excinfo) == "StateMachineDoesNotExist"
    with pytest.raises(ClientError) as excinfo:
        sfn.describe_state_machine_alias(stateMachineAliasArn=alias)
    assert _code(excinfo) == "ResourceNotFound"
    # a machine of the same name starts numbering again
    name = arn.rsplit(":", 1)[1]
    again = sfn.create_state_machine(name=name, definition=V1, roleArn=ROLE_ARN, publish=True)
    assert again["stateMachineVersionArn"] == f"{arn}:1"


# -- a durable engine ----------------------------------------------------------------------


@pytest.fixture
def engines(tmp_path: Path) -> Iterator[Callable[[], LocalEngine]]:
    """Start engines on one state directory, one after another; stopped at teardown."""
    started: list[LocalEngine] = []

    def start() -> LocalEngine:
        engine = LocalEngine(state_dir=tmp_path / "state", time_scale=0.01).start()
        started.append(engine)
        return engine

    yield start
    for engine in started:
        engine.stop()


def test_versions_aliases_and_executions_survive_a_restart(
    engines: Callable[[], LocalEngine],
) -> None:
    first = engines()
    sfn = first.client()
    arn, v1, v2 = _two_versions(sfn)
    sfn.publish_state_machine_version(stateMachineArn=arn)  # v2 again: idempotent
    sfn.update_state_machine(stateMachineArn=arn, definition=_pass("three"), publish=True)
    sfn.delete_state_machine_version(stateMachineVersionArn=f"{arn}:3")
    alias = sfn.create_state_machine_alias(
        name="live",
        description="d",
        routingConfiguration=[
            {"stateMachineVersionArn": v1, "weight": 50},
            {"stateMachineVersionArn": v2, "weight": 50},
        ],
    )["stateMachineAliasArn"]
    on_alias = sfn.start_execution(stateMachineArn=alias)["executionArn"]
    on_version = sfn.start_execution(stateMachineArn=v1)["executionArn"]
    before = {e: _wait_done(sfn, e) for e in (on_alias, on_version)}
    aliases_before = sfn.describe_state_machine_alias(stateMachineAliasArn=alias)
    first.stop()

    second = engines()
    sfn = second.client()
    listed = sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"]
    assert [v["stateMachineVersionArn"] for v in listed] == [v2, v1]
    assert sfn.describe_state_machine(stateMachineArn=v1)["definition"] == V1
    aliases_after = sfn.describe_state_machine_alias(stateMachineAliasArn=alias)
    aliases_before.pop("ResponseMetadata")
    aliases_after.pop("ResponseMetadata")
    assert aliases_after == aliases_before
    for execution, described in before.items():
        again = sfn.describe_execution(executionArn=execution)
        assert again.get("stateMachineVersionArn") == described.get("stateMachineVersionArn")
        assert again.get("stateMachineAliasArn") == described.get("stateMachineAliasArn")
    # numbering goes on after the deleted version 3
    sfn.update_state_machine(stateMachineArn=arn, definition=_pass("four"))
    v4 = sfn.publish_state_machine_version(stateMachineArn=arn)["stateMachineVersionArn"]
    assert v4 == f"{arn}:4"
    with pytest.raises(ClientError) as excinfo:
        sfn.delete_state_machine_version(stateMachineVersionArn=v1)
    assert _code(excinfo) == "ConflictException"
    sfn.delete_state_machine(stateMachineArn=arn)
    second.stop()

    third = engines()
    sfn = third.client()
    with pytest.raises(ClientError) as excinfo:
        sfn.describe_state_machine_alias(stateMachineAliasArn=alias)
    assert _code(excinfo) == "ResourceNotFound"
    with pytest.raises(ClientError) as excinfo:
        sfn.describe_state_machine(stateMachineArn=v1)
    assert _code(excinfo) == "StateMachineDoesNotExist"


def test_a_version_1_state_directory_is_migrated(
    engines: Callable[[], LocalEngine], tmp_path: Path
) -> None:
    from sfini_runtime.local.persistence import SCHEMA_VERSION
    from sfini_runtime.local.persistence.state_dir import DATABASE_NAME

    first = engines()
    sfn = first.client()
    arn = _machine(sfn)
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    _wait_done(sfn, execution)
    first.stop()
    # make it what a sfini of schema version 1 wrote
    with sqlite3.connect(tmp_path / "state" / DATABASE_NAME) as db:
        db.executescript(
            "DROP TABLE versions; DROP TABLE aliases;"
            "ALTER TABLE state_machines DROP COLUMN next_version;"
            "ALTER TABLE executions DROP COLUMN version_arn;"
            "ALTER TABLE executions DROP COLUMN alias_arn;"
            "UPDATE schema_version SET version = 1;"
        )
    db.close()

    second = engines()
    sfn = second.client()
    assert sfn.describe_execution(executionArn=execution)["status"] == "SUCCEEDED"
    version = sfn.publish_state_machine_version(stateMachineArn=arn)["stateMachineVersionArn"]
    assert version == f"{arn}:1"
    second.stop()
    with sqlite3.connect(tmp_path / "state" / DATABASE_NAME) as db:
        assert db.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
        assert db.execute("SELECT number FROM versions").fetchall() == [(1,)]
    db.close()


def test_versions_and_aliases_take_no_tags(sfn: Any) -> None:
    # AWS tags state machines and activities only
    _, v1, _ = _two_versions(sfn)
    alias = sfn.create_state_machine_alias(
        name="tagless", routingConfiguration=[{"stateMachineVersionArn": v1, "weight": 100}]
    )["stateMachineAliasArn"]
    for arn in (v1, alias):
        with pytest.raises(ClientError) as excinfo:
            sfn.tag_resource(resourceArn=arn, tags=[{"key": "k", "value": "v"}])
        assert _code(excinfo) == "InvalidArn"
