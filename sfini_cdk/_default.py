"""The "not given" sentinel, the JSON type alias, and the shared default AWS session."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from sfini_runtime.session import AWSSession

JSONable: TypeAlias = bool | str | int | float | list[Any] | dict[str, Any] | None


class DefaultParameter:
    """Marks an argument that was not given: the field is left out of the ASL.

    Distinct from ``None``, which is written as JSON null where ASL gives null a meaning
    (``InputPath``, ``OutputPath``, ``ResultPath``). All instances are equal and falsy.
    """

    def __bool__(self) -> bool:
        return False

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DefaultParameter)

    def __hash__(self) -> int:
        return hash(DefaultParameter)

    def __str__(self) -> str:
        return "<unspecified>"

    def __repr__(self) -> str:
        return "DefaultParameter()"


DEFAULT: Any = DefaultParameter()


def is_given(value: object) -> bool:
    """Whether ``value`` was given (is not the ``DefaultParameter`` sentinel)."""
    return not isinstance(value, DefaultParameter)


def default_session() -> AWSSession:
    """The runtime's shared default session, created on first use (no AWS call at import)."""
    from sfini_runtime.session import default_session as runtime_default_session

    return runtime_default_session()
