"""What JSONata states share: binding the variables a state assigns, and the Output/Assign of
Task, Parallel and Map (which read ``$states.result``) and of their catchers (which read
``$states.errorOutput``). The fields themselves are compiled by :mod:`.dataflow`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..failures import StatesError
from .dataflow import JsonataStateDataflow, StateExit

if TYPE_CHECKING:
    from ..execution import Frame
    from ..states.base import Catcher

__all__ = ["JsonataResultMixin", "exit_with"]


def exit_with(frame: Frame, state_exit: StateExit) -> Any:
    """Bind what the state assigns (if anything); the state's output."""
    if state_exit.assigned is not None:
        frame.assign(state_exit.assigned)
    return state_exit.output


class JsonataResultMixin:
    """Task, Parallel and Map in JSONata: Output (default ``$states.result``) and Assign read
    the result; a catcher's Output (default ``$states.errorOutput``) and Assign read the
    error output."""

    name: str
    jsonata: JsonataStateDataflow

    def result_output(self, frame: Frame, raw_input: Any, result: Any, context: Any) -> Any:
        return exit_with(frame, self.jsonata.finish(raw_input, context, frame.variables, result))

    def caught(
        self, frame: Frame, raw_input: Any, catcher: Catcher, err: StatesError, context: Any
    ) -> Any:
        from ..states.base import error_output, wrap_error

        try:
            state_exit = self.jsonata.catch(
                catcher.index, raw_input, context, error_output(err), frame.variables
            )
            return exit_with(frame, state_exit)
        except StatesError as exc:
            raise wrap_error(exc, self.name, frame.entered_id) from None
