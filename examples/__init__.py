"""The example workflows: sfini 0.1.0's five examples and its CLI example, and what the CDK app
(``app.py``) and the main job (``python -m examples``) need to know of them."""

from __future__ import annotations

#: the examples the main job runs, in the order it reports them
RUN = (
    "first_sfini",
    "looping",
    "parallel",
    "error_handling",
    "file_processing",
    "order_processing",
)


def stack_id(example: str) -> str:
    """The stack id (and name) of an example module: ``first_sfini`` -> ``SfiniFirstSfini``
    (a dotted module path by its last part)."""
    return "Sfini" + "".join(part.capitalize() for part in example.rsplit(".", 1)[-1].split("_"))
