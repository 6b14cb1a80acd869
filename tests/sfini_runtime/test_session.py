"""AWSSession: one configuration for every client; no STS with a custom endpoint."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from sfini_runtime import arns
from sfini_runtime.session import READ_TIMEOUT, AWSSession, default_session

UNREACHABLE = "http://127.0.0.1:9"


def _record_calls(boto_session: boto3.Session) -> list[str]:
    calls: list[str] = []
    boto_session.events.register(
        "before-call",
        lambda model, **_: calls.append(f"{model.service_model.service_name}.{model.name}"),
    )
    return calls


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for key in ("AWS_ENDPOINT_URL_SFN", "AWS_ENDPOINT_URL", "AWS_ACCOUNT_ID", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    return monkeypatch


def test_client_configuration(clean_env: pytest.MonkeyPatch) -> None:
    session = AWSSession(endpoint_url=UNREACHABLE, retry_mode="adaptive")
    config = session.sfn.meta.config
    assert session.sfn.meta.endpoint_url == UNREACHABLE
    assert config.read_timeout == READ_TIMEOUT >= 65
    assert config.retries["mode"] == "adaptive"
    assert config.retries["total_max_attempts"] == session.max_attempts == 5  # retries included
    assert config.inject_host_prefix is False
    assert session.sfn.meta.region_name == "eu-west-1"


def test_endpoint_comes_from_aws_endpoint_url_sfn(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("AWS_ENDPOINT_URL_SFN", UNREACHABLE)
    session = AWSSession()
    assert session.is_custom_endpoint
    assert session.sfn.meta.endpoint_url == UNREACHABLE


def test_aws_endpoint_without_custom_endpoint(clean_env: pytest.MonkeyPatch) -> None:
    session = AWSSession(region="eu-west-1")
    assert not session.is_custom_endpoint
    assert session.sfn.meta.endpoint_url == "https://states.eu-west-1.amazonaws.com"
    assert session.sfn.meta.config.inject_host_prefix is True


def test_custom_endpoint_account_from_configuration_calls_nothing(
    clean_env: pytest.MonkeyPatch,
) -> None:
    clean_env.setenv("AWS_ACCOUNT_ID", "111122223333")
    boto_session = boto3.Session()
    calls = _record_calls(boto_session)
    session = AWSSession(boto_session, endpoint_url=UNREACHABLE)
    assert session.account_id == "111122223333"
    assert (
        session.arn_for("activity", "act") == "arn:aws:states:eu-west-1:111122223333:activity:act"
    )
    assert calls == []


def test_custom_endpoint_account_from_the_endpoints_arns(
    engine: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sfini_runtime.local import LocalEngine

    with LocalEngine(time_scale=0.01, region="ap-southeast-2", account_id="444455556666") as other:
        other.client().create_activity(name="seen")
        monkeypatch.delenv("AWS_DEFAULT_REGION")
        monkeypatch.delenv("AWS_REGION")
        boto_session = boto3.Session()
        calls = _record_calls(boto_session)
        session = AWSSession(boto_session, endpoint_url=other.endpoint_url)
        assert session.account_id == "444455556666"
        assert session.region == "ap-southeast-2"
        assert all(call.startswith("stepfunctions.") for call in calls), calls


def test_custom_endpoint_with_nothing_to_go_by_uses_the_local_default(session: AWSSession) -> None:
    assert session.account_id == "123456789012"


def test_no_credentials_needed_for_a_custom_endpoint(
    engine: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    session = AWSSession()
    assert session.sfn.list_activities()["activities"] == []
    assert session.credentials is not None


def test_account_from_sts_without_custom_endpoint(clean_env: pytest.MonkeyPatch) -> None:
    with mock_aws():
        boto_session = boto3.Session()
        calls = _record_calls(boto_session)
        session = AWSSession(boto_session)
        assert session.account_id == "123456789012"
        assert session.account_id == "123456789012"  # asked once
        assert calls == ["sts.GetCallerIdentity"]


@pytest.mark.parametrize(
    ("region", "partition"),
    [
        ("us-east-1", "aws"),
        ("eu-central-2", "aws"),
        ("cn-north-1", "aws-cn"),
        ("cn-northwest-1", "aws-cn"),
        ("us-gov-west-1", "aws-us-gov"),
        ("us-iso-east-1", "aws-iso"),
        ("us-isob-east-1", "aws-iso-b"),
    ],
)
def test_partition(clean_env: pytest.MonkeyPatch, region: str, partition: str) -> None:
    clean_env.setenv("AWS_ACCOUNT_ID", "111122223333")
    session = AWSSession(region=region, endpoint_url=UNREACHABLE)
    assert session.partition == partition
    assert arns.partition_for_region(region) == partition
    assert (
        session.arn_for("stateMachine", "sm")
        == f"arn:{partition}:states:{region}:111122223333:stateMachine:sm"
    )


def test_default_session_follows_the_environment(clean_env: pytest.MonkeyPatch) -> None:
    first = default_session()
    assert default_session() is first
    clean_env.setenv("AWS_ENDPOINT_URL_SFN", UNREACHABLE)
    second = default_session()
    assert second is not first
    assert second.endpoint_url == UNREACHABLE
    explicit = AWSSession(endpoint_url=UNREACHABLE)
    assert default_session(explicit) is explicit


ARN_TABLE = [
    ("arn:aws:states:us-east-1:123456789012:activity:act", "activity", "act"),
    ("arn:aws:states:us-east-1:123456789012:stateMachine:sm", "stateMachine", "sm"),
    ("arn:aws-cn:states:cn-north-1:123456789012:execution:sm:run-1", "execution", "run-1"),
    ("arn:aws:iam::123456789012:role/sfiniGenerated", "role", "sfiniGenerated"),
]


@pytest.mark.parametrize(("arn", "kind", "name"), ARN_TABLE)
def test_parse_arn(arn: str, kind: str, name: str) -> None:
    parsed = arns.parse_arn(arn)
    assert (parsed.resource_type, parsed.name) == (kind, name)
    assert str(parsed) == arn


@pytest.mark.parametrize("text", ["", "arn:aws", "not:an:arn:at:all:x", "arn:aws:states:r:a:"])
def test_parse_arn_rejects(text: str) -> None:
    with pytest.raises(arns.InvalidArn):
        arns.parse_arn(text)


def test_execution_and_role_arns() -> None:
    machine = "arn:aws-us-gov:states:us-gov-west-1:1:stateMachine:sm"
    assert (
        arns.execution_arn(machine, "e") == "arn:aws-us-gov:states:us-gov-west-1:1:execution:sm:e"
    )
    assert arns.role_arn("r", "1", "aws-cn") == "arn:aws-cn:iam::1:role/r"


def test_named_profile_gives_the_region_and_credentials(
    clean_env: pytest.MonkeyPatch, tmp_path: object
) -> None:
    from pathlib import Path

    config = Path(str(tmp_path)) / "config"
    config.write_text(
        "[profile work]\nregion = ap-northeast-3\n"
        "aws_access_key_id = AKIDWORK\naws_secret_access_key = secret\n"
    )
    clean_env.setenv("AWS_CONFIG_FILE", str(config))
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION"):
        clean_env.delenv(key)
    session = AWSSession(profile="work", endpoint_url=UNREACHABLE)
    assert session.region == "ap-northeast-3"
    assert session.credentials.access_key == "AKIDWORK"
    assert session.sfn.meta.region_name == "ap-northeast-3"
    assert str(session) == "<access key: AKIDWORK, region: ap-northeast-3>"
