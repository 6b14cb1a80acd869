"""A click group whose commands are imported only when one runs or ``--help`` lists them."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

import click

__all__ = ["LazyCommandError", "LazyGroup"]

# click 8.4+ suggests close names ("Did you mean ...?") from the commands it was given.
_NoSuchCommand: Any = getattr(click.exceptions, "NoSuchCommand", None)


class LazyCommandError(TypeError):
    """A lazily loaded command's ``module:attribute`` is not a click command."""


class LazyGroup(click.Group):
    """A click group that imports a command's module the first time the command is asked for.

    Args:
        lazy_commands: command name -> ``"module:attribute"`` of its click command
        *args: ``click.Group``'s
        **kwargs: ``click.Group``'s
    """

    def __init__(
        self, *args: Any, lazy_commands: Mapping[str, str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command's name, loaded or not (nothing is imported)."""
        return sorted({*self.commands, *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command named ``cmd_name``, its module imported if it is not yet."""
        command = self.commands.get(cmd_name)
        if command is None and cmd_name in self.lazy_commands:
            command = self._load(cmd_name)
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as error:
            if _NoSuchCommand is None or not isinstance(error, _NoSuchCommand):
                raise
            # click suggested from the commands loaded so far: suggest from all of them
            raise _NoSuchCommand(
                error.command_name, possibilities=self.list_commands(ctx), ctx=ctx
            ) from None

    def _load(self, name: str) -> click.Command:
        module_name, _, attribute = self.lazy_commands[name].partition(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise LazyCommandError(f"{self.lazy_commands[name]} is not a click command")
        self.add_command(command, name)
        return command
