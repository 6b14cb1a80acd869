"""``python -m sfini_runtime.cli``: the ``sfini`` command."""

from sfini_runtime.cli import main

main()
