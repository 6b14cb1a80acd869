"""The CLI tests use the runtime's engine fixtures."""

from tests.sfini_runtime.conftest import engine, session

__all__ = ["engine", "session"]
