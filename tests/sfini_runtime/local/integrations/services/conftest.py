"""moto's server on loopback for the whole test session, and the variables that point the
engine's forwarded integrations at it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from moto.server import ThreadedMotoServer

from sfini_runtime.local import LocalEngine

REGION = "us-east-1"


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """The URL of a moto server started for these tests (a free loopback port)."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def endpoints(monkeypatch: pytest.MonkeyPatch, moto_server: str) -> str:
    """Every forwarded service goes to moto (``AWS_ENDPOINT_URL``), no per-service override."""
    for name in list(os.environ):
        if name.startswith("AWS_ENDPOINT_URL"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    return moto_server


@pytest.fixture(scope="module")
def local() -> Iterator[LocalEngine]:
    with LocalEngine(time_scale=0.01) as engine:
        yield engine


@pytest.fixture(scope="module")
def sfn(local: LocalEngine) -> Any:
    return local.client()


@pytest.fixture(scope="session")
def aws(moto_server: str) -> Any:
    """boto3 clients of moto's server: ``aws("sqs")``."""
    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )
    config = Config(retries={"total_max_attempts": 1}, s3={"addressing_style": "path"})

    def client(name: str) -> Any:
        return session.client(name, endpoint_url=moto_server, config=config)

    return client
