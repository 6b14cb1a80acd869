"""The engine's clock: every duration of an execution scaled by one ``time_scale``."""

from __future__ import annotations

__all__ = ["Clock"]


class Clock:
    """Scales Waits, retry intervals and time-outs by ``time_scale`` (0: no waiting, and
    time-outs are not armed at all)."""

    __slots__ = ("time_scale",)

    def __init__(self, time_scale: float = 1.0) -> None:
        if time_scale < 0:
            raise ValueError("time_scale must be >= 0")
        self.time_scale = float(time_scale)

    def sleep_seconds(self, seconds: float) -> float:
        """Real seconds a Wait or a retry interval of ``seconds`` takes."""
        return seconds * self.time_scale

    def timeout_delay(self, seconds: float) -> float | None:
        """Real seconds until a time-out of ``seconds`` fires; None: do not arm it (scale 0)."""
        if self.time_scale == 0:
            return None
        return seconds * self.time_scale
