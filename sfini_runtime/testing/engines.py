"""The engines the plugin's fixtures hand out: one per test, or the session's (one per time
scale), each with the harness that runs workflows on it."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from sfini_runtime.local import LocalEngine
    from sfini_runtime.testing.harness import Harness

__all__ = ["EngineSlot", "SessionEngines", "point_environment", "swap_mocks"]

#: AWS settings a test's environment drops, so that nothing points past the engine
_DROPPED_ENVIRONMENT = ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_ACCOUNT_ID")


@dataclasses.dataclass
class EngineSlot:
    """A running engine, the harness running workflows on it, and the mocks it started with."""

    engine: LocalEngine
    harness: Harness
    mock_config: Any = None

    @classmethod
    def start(cls, time_scale: float, mock_config: Any, lambdas: Any = None) -> EngineSlot:
        """Start an engine for tests (``harness.new_engine``) and its harness."""
        from sfini_runtime.testing.harness import Harness, new_engine

        engine = new_engine(time_scale, lambdas=lambdas, mock_config=mock_config).start()
        return cls(engine, Harness(engine), mock_config)

    def close(self) -> None:
        """End the harness's workers, then stop the engine."""
        try:
            self.harness.close()
        finally:
            self.engine.stop()


class SessionEngines:
    """The session's engines: one per time scale, started when first asked for."""

    def __init__(self, mock_config: Any) -> None:
        self.mock_config = mock_config
        self.slots: dict[float, EngineSlot] = {}

    def get(self, time_scale: float) -> EngineSlot:
        """The engine of ``time_scale`` (started now if it is the first ask)."""
        if time_scale not in self.slots:
            self.slots[time_scale] = EngineSlot.start(time_scale, self.mock_config)
        return self.slots[time_scale]

    def close(self) -> None:
        """Close every engine (the first error is raised once all are closed)."""
        errors = []
        for slot in self.slots.values():
            try:
                slot.close()
            except Exception as error:
                errors.append(error)
        self.slots.clear()
        if errors:
            raise errors[0]


def swap_mocks(engine: LocalEngine, source: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Give a shared engine this test's mock configuration (the engine's own afterwards)."""
    from sfini_runtime.local.integrations.mocks import MockConfiguration

    mocks = MockConfiguration.load(source) if source is not None else None
    monkeypatch.setattr(engine, "mocks", mocks)
    monkeypatch.setattr(engine.integrations, "mocks", mocks)


def point_environment(engine: LocalEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the test's AWS environment at ``engine`` (restored after the test), so code that
    makes its own sessions and clients (``sm.register()``, ``Worker(...)``) reaches it."""
    for key in _DROPPED_ENVIRONMENT:
        monkeypatch.delenv(key, raising=False)
    for key, value in engine.env().items():
        monkeypatch.setenv(key, value)
