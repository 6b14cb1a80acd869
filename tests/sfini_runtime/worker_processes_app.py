"""The activity and worker factories the worker-process tests run (each child imports it)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import sfini_cdk as sfini

TARGET = "tests.sfini_runtime.worker_processes_app:activities"

activities = sfini.ActivityRegistration(prefix="procs-")


@activities.activity("work")
def work(data: dict[str, Any]) -> dict[str, Any]:
    """Sleep ``data["sleep"]`` seconds; with ``hang_once`` (a file path), the first attempt
    writes its process id there and hangs (until the test kills it)."""
    marker = data.get("hang_once")
    if marker is not None and not Path(marker).exists():
        Path(marker).write_text(str(os.getpid()))
        time.sleep(60)
    time.sleep(data.get("sleep", 0))
    return {"pid": os.getpid()}


more_activities = sfini.ActivityRegistration(prefix="procs-")


@more_activities.activity("other")
def other(data: Any) -> Any:
    """A second activity, for a target with two (``both``)."""
    return data


both = [work, other]


def broken_factory(name: str) -> list[Any]:
    """A factory that fails in the child, as an import error or a bad configuration would."""
    raise RuntimeError(f"no workers for {name}: the configuration is broken")
