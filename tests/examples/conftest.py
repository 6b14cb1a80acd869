"""Run the seed's examples on a local engine: point the environment at it, and make the
examples' objects (module-level, made once) take the current default session."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import ModuleType

import pytest

ENV_KEYS = (
    "AWS_ENDPOINT_URL_SFN",
    "AWS_ENDPOINT_URL",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_ACCOUNT_ID",
    "AWS_PROFILE",
)


def reset_sessions(module: ModuleType) -> None:
    """Forget the sessions the example's objects cached (they were made for another engine)."""
    registration = module.activities
    registration.session = None
    for activity in registration.activities.values():
        activity.session = None
    for machine in [module.sm, *getattr(module, "nested_machines", [])]:
        machine.session = None


@pytest.fixture
def on_engine(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[float], object]]:
    """``on_engine(time_scale)`` starts a local engine that the environment points at."""
    from sfini_runtime.local import LocalEngine

    engines: list[LocalEngine] = []

    def start(time_scale: float) -> LocalEngine:
        for key in ENV_KEYS:
            monkeypatch.delenv(key, raising=False)
        # Short long polls: a worker stopped by a signal waits for its poll in flight, at most
        # this long here (60 s, as on AWS, by default).
        engine = LocalEngine(time_scale=time_scale, activity_poll_seconds=3.0).start()
        engines.append(engine)
        for key, value in engine.env().items():
            monkeypatch.setenv(key, value)
        return engine

    yield start
    for engine in engines:
        engine.stop()
