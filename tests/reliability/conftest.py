"""Fixtures of the reliability tests (every test here is marked ``reliability``).

- ``start_engine(time_scale=0.25, long_poll_seconds=2.0, extra=(), port=None)``: a new
  ``sfini local serve`` subprocess (``harness.EngineProcess``: ``url``, ``env()``, ``client()``,
  ``register(registration, *machines)``, ``kill()``, ``stop()``), stopped at teardown.
- ``engine_process``: one such engine with the defaults.
- ``start_worker(target, name, endpoint_url=None, concurrency=1, grace_period=30.0,
  extra=(), env=None)``: a ``sfini worker`` subprocess (``harness.WorkerProcess``) polling
  ``endpoint_url`` (default: the ``engine_process``'s), its log under ``tmp_path``; killed at
  teardown if still running.
- ``markers``: a directory the workflows' activities write their results to
  (``$SFINI_TEST_MARKERS`` in the workers ``start_worker`` starts).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.reliability.harness import EngineProcess, WorkerProcess


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.reliability)


@pytest.fixture
def start_engine(tmp_path: Path) -> Iterator[Callable[..., EngineProcess]]:
    """Start local engine processes (``EngineProcess`` options); stopped at teardown."""
    started: list[EngineProcess] = []

    def start(**options: Any) -> EngineProcess:
        options.setdefault("log_path", tmp_path / f"engine-{len(started)}.log")
        engine = EngineProcess(**options)
        started.append(engine)
        return engine.start()

    yield start
    for engine in started:
        engine.stop()


@pytest.fixture
def engine_process(start_engine: Callable[..., EngineProcess]) -> EngineProcess:
    """A local engine process (time scale 0.25, 2 s long polls)."""
    return start_engine()


@pytest.fixture
def markers(tmp_path: Path) -> Path:
    """The directory the workflows' activities record their results in."""
    path = tmp_path / "markers"
    path.mkdir()
    return path


@pytest.fixture
def start_worker(
    request: pytest.FixtureRequest, tmp_path: Path, markers: Path
) -> Iterator[Callable[..., WorkerProcess]]:
    """Start ``sfini worker`` processes; killed at teardown if still running."""
    started: list[WorkerProcess] = []

    def start(
        target: str, name: str, endpoint_url: str | None = None, **options: Any
    ) -> WorkerProcess:
        if endpoint_url is None:
            endpoint_url = request.getfixturevalue("engine_process").url
        env = {"SFINI_TEST_MARKERS": str(markers), **options.pop("env", {})}
        worker = WorkerProcess(
            target, name, endpoint_url, tmp_path / f"worker-{name}.log", env=env, **options
        )
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.kill()
