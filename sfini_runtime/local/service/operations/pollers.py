"""How many GetActivityTask calls are waiting on each activity, bounded as AWS bounds them."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sfini_runtime.local.errors import ActivityWorkerLimitExceeded

#: AWS's quota: "1,000 pollers calling GetActivityTask per ARN"
MAX_POLLERS_PER_ACTIVITY = 1000


class Pollers:
    """The pollers of each activity; a poll past ``limit`` raises ActivityWorkerLimitExceeded."""

    def __init__(self, limit: int = MAX_POLLERS_PER_ACTIVITY) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}

    def count(self, activity_arn: str) -> int:
        """The calls polling ``activity_arn`` now."""
        with self._lock:
            return self._counts.get(activity_arn, 0)

    @contextmanager
    def polling(self, activity_arn: str) -> Iterator[None]:
        """Count one poller of ``activity_arn`` while the block runs."""
        with self._lock:
            count = self._counts.get(activity_arn, 0)
            if count >= self.limit:
                raise ActivityWorkerLimitExceeded(
                    "The maximum number of workers concurrently polling for activity tasks "
                    "has been reached."
                )
            self._counts[activity_arn] = count + 1
        try:
            yield
        finally:
            with self._lock:
                remaining = self._counts[activity_arn] - 1
                if remaining:
                    self._counts[activity_arn] = remaining
                else:
                    del self._counts[activity_arn]
