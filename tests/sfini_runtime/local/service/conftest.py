"""One engine per test module, reached through real boto3 clients."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.config import Config

from sfini_runtime.local import LocalEngine


@pytest.fixture(scope="module")
def local() -> Iterator[LocalEngine]:
    with LocalEngine(time_scale=1.0, activity_poll_seconds=60.0) as engine:
        yield engine


@pytest.fixture(scope="module")
def sfn(local: LocalEngine) -> Any:
    return local.client()


@pytest.fixture(scope="module")
def raw_sfn(local: LocalEngine) -> Any:
    """A client that sends requests boto3 would refuse (to test the server's validation)."""
    return local.client(config=Config(parameter_validation=False, retries={"max_attempts": 1}))
