"""Fixtures for the runtime's tests: a local engine with the environment pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sfini_runtime.session import AWSSession

ENGINE_ENV_KEYS = (
    "AWS_ENDPOINT_URL_SFN",
    "AWS_ENDPOINT_URL",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_ACCOUNT_ID",
    "AWS_PROFILE",
)


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """A local engine (timeouts scaled by 0.01) that boto3 reaches through the environment."""
    from sfini_runtime.local import LocalEngine

    for key in ENGINE_ENV_KEYS:
        monkeypatch.delenv(key, raising=False)
    with LocalEngine(time_scale=0.01) as running:
        for key, value in running.env().items():
            monkeypatch.setenv(key, value)
        yield running


@pytest.fixture
def session(engine: object) -> AWSSession:
    """An ``AWSSession`` for the engine (from the environment, as a user's would be)."""
    return AWSSession()
