"""The ``sfini`` command line (click), and sfini 0.1.0's programmatic ``CLI``."""

from __future__ import annotations

from typing import Any

__all__ = ["CLI", "cli", "main"]


def main(args: list[str] | None = None) -> None:
    """Run the ``sfini`` command."""
    from sfini_runtime.cli.app import main as run

    run(args)


def __getattr__(name: str) -> Any:
    if name == "cli":
        from sfini_runtime.cli.app import cli

        return cli
    if name == "CLI":
        from sfini_runtime.cli.legacy import CLI

        return CLI
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
