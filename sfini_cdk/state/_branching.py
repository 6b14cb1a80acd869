"""States that run nested state machines: Parallel (branches) and Map (an item processor)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sfini_cdk._default import DEFAULT, JSONable
from sfini_cdk.errors import EmptyBranches, InvalidField
from sfini_cdk.state._base import (
    CanCatch,
    CanRetry,
    HasArguments,
    HasAssign,
    HasNext,
    HasOutput,
    HasParameters,
    HasResultPath,
    HasResultSelector,
    ResourceResolver,
    State,
    put,
)

if TYPE_CHECKING:
    from sfini_cdk.state_machine import StateMachine


def _nested_dict(
    machine: StateMachine, resources: ResourceResolver | None, state_name: str
) -> dict[str, JSONable]:
    """A branch or processor's ASL; nesting deeper than Python can render is a definition error."""
    try:
        return machine.branch_dict(resources=resources)
    except RecursionError:
        raise InvalidField(
            "Parallel/Map states are nested too deeply to render (hundreds of levels)",
            state_name=state_name,
        ) from None


class Parallel(
    HasAssign,
    HasOutput,
    HasResultSelector,
    HasArguments,
    HasParameters,
    HasResultPath,
    HasNext,
    CanRetry,
    CanCatch,
    State,
):
    """Run state machines (branches) in parallel; the result is the list of their outputs.

    Args:
        name: name of state
        comment: state description
        input_path: state input filter JSONPath, ``None`` for empty input
        output_path: state output filter JSONPath, ``None`` for discarded output
        result_path: result location JSONPath, ``None`` for discarded result
        parameters: branches' input template (JSONPath ``Parameters``)
        arguments: branches' input (JSONata ``Arguments``)
        result_selector: result template (JSONPath ``ResultSelector``)
        query_language: ``"JSONPath"`` or ``"JSONata"``, default: the state machine's
        output: state output (JSONata)
        assign: variables to assign

    Attributes:
        branches (list[StateMachine]): state machines to run in parallel (they need not be
            registered with AWS Step Functions)
        next: next state to execute
        retriers: retry policies
        catchers: error handlers
    """

    def __init__(
        self,
        name: str,
        comment: str = DEFAULT,
        input_path: str | None = DEFAULT,
        output_path: str | None = DEFAULT,
        result_path: str | None = DEFAULT,
        *,
        parameters: JSONable = DEFAULT,
        arguments: JSONable = DEFAULT,
        result_selector: JSONable = DEFAULT,
        query_language: str = DEFAULT,
        output: JSONable = DEFAULT,
        assign: dict[str, JSONable] = DEFAULT,
    ) -> None:
        super().__init__(
            name,
            comment,
            input_path,
            output_path,
            result_path=result_path,
            parameters=parameters,
            arguments=arguments,
            result_selector=result_selector,
            query_language=query_language,
            output=output,
            assign=assign,
        )
        self.branches: list[StateMachine] = []

    def add(self, state_machine: StateMachine) -> None:
        """Add a branch: it runs on this state's input; its output is at its index in the
        result (branches are in the order added)."""
        self.branches.append(state_machine)

    def to_dict(self, *, resources: ResourceResolver | None = None) -> dict[str, JSONable]:
        if not self.branches:
            raise EmptyBranches("Parallel state has no branches", state_name=self.name)
        defn = super().to_dict(resources=resources)
        defn["Branches"] = [_nested_dict(branch, resources, self.name) for branch in self.branches]
        return defn


class Map(
    HasAssign,
    HasOutput,
    HasResultSelector,
    HasParameters,
    HasResultPath,
    HasNext,
    CanRetry,
    CanCatch,
    State,
):
    """Run a state machine (the item processor) for each item of an array, inline.

    Args:
        name: name of state
        processor: the item processor: a ``StateMachine``, or its start ``State`` (the
            processor is then built with ``construct_state_machine``)
        comment: state description
        input_path: state input filter JSONPath, ``None`` for empty input
        output_path: state output filter JSONPath, ``None`` for discarded output
        result_path: result location JSONPath, ``None`` for discarded result
        items_path: reference path of the items array (JSONPath ``ItemsPath``)
        items: the items, an array or ``{% %}`` expression (JSONata ``Items``)
        item_selector: each item's input template (``ItemSelector``)
        parameters: legacy name of ``ItemSelector`` (``Parameters``)
        result_selector: result template (JSONPath ``ResultSelector``)
        max_concurrency: most iterations at once, 0 for no limit (``MaxConcurrency``)
        max_concurrency_path: reference path of it (``MaxConcurrencyPath``)
        tolerated_failure_count: failed items allowed (``ToleratedFailureCount``)
        tolerated_failure_count_path: reference path of it (``ToleratedFailureCountPath``)
        tolerated_failure_percentage: percentage of failed items allowed
            (``ToleratedFailurePercentage``)
        tolerated_failure_percentage_path: reference path of it
            (``ToleratedFailurePercentagePath``)
        label: label of the Map run (``Label``)
        query_language: ``"JSONPath"`` or ``"JSONata"``, default: the state machine's
        output: state output (JSONata)
        assign: variables to assign

    Attributes:
        processor (StateMachine): the item processor (rendered as ``ItemProcessor`` with
            ``ProcessorConfig.Mode`` ``INLINE``)
    """

    MODE = "INLINE"

    def __init__(
        self,
        name: str,
        processor: StateMachine | State,
        comment: str = DEFAULT,
        input_path: str | None = DEFAULT,
        output_path: str | None = DEFAULT,
        result_path: str | None = DEFAULT,
        *,
        items_path: str | None = DEFAULT,
        items: JSONable = DEFAULT,
        item_selector: JSONable = DEFAULT,
        parameters: JSONable = DEFAULT,
        result_selector: JSONable = DEFAULT,
        max_concurrency: int | str = DEFAULT,
        max_concurrency_path: str = DEFAULT,
        tolerated_failure_count: int | str = DEFAULT,
        tolerated_failure_count_path: str = DEFAULT,
        tolerated_failure_percentage: float | str = DEFAULT,
        tolerated_failure_percentage_path: str = DEFAULT,
        label: str = DEFAULT,
        query_language: str = DEFAULT,
        output: JSONable = DEFAULT,
        assign: dict[str, JSONable] = DEFAULT,
    ) -> None:
        super().__init__(
            name,
            comment,
            input_path,
            output_path,
            result_path=result_path,
            parameters=parameters,
            result_selector=result_selector,
            query_language=query_language,
            output=output,
            assign=assign,
        )
        if isinstance(processor, State):
            from sfini_cdk.state_machine import construct_state_machine

            processor = construct_state_machine(f"{name}Processor", processor)
        self.processor = processor
        self.items_path = items_path
        self.items = items
        self.item_selector = item_selector
        self.max_concurrency = max_concurrency
        self.max_concurrency_path = max_concurrency_path
        self.tolerated_failure_count = tolerated_failure_count
        self.tolerated_failure_count_path = tolerated_failure_count_path
        self.tolerated_failure_percentage = tolerated_failure_percentage
        self.tolerated_failure_percentage_path = tolerated_failure_percentage_path
        self.label = label

    @property
    def branches(self) -> list[StateMachine]:
        """The nested state machines: the item processor."""
        return [self.processor]

    def to_dict(self, *, resources: ResourceResolver | None = None) -> dict[str, JSONable]:
        from sfini_cdk.state_machine import StateMachine

        if not isinstance(self.processor, StateMachine):
            raise InvalidField(
                f"Map processor must be a StateMachine or a State, got "
                f"{type(self.processor).__name__}",
                state_name=self.name,
            )
        defn: dict[str, Any] = super().to_dict(resources=resources)
        processor = _nested_dict(self.processor, resources, self.name)
        defn["ItemProcessor"] = {"ProcessorConfig": {"Mode": self.MODE}, **processor}
        put(defn, "ItemsPath", self.items_path)
        put(defn, "Items", self.items)
        put(defn, "ItemSelector", self.item_selector)
        put(defn, "MaxConcurrency", self.max_concurrency)
        put(defn, "MaxConcurrencyPath", self.max_concurrency_path)
        put(defn, "ToleratedFailureCount", self.tolerated_failure_count)
        put(defn, "ToleratedFailureCountPath", self.tolerated_failure_count_path)
        put(defn, "ToleratedFailurePercentage", self.tolerated_failure_percentage)
        put(defn, "ToleratedFailurePercentagePath", self.tolerated_failure_percentage_path)
        put(defn, "Label", self.label)
        return defn
