"""What runs against deployed (or local) Step Functions: workers, executions, the CLI, the local engine."""

from __future__ import annotations
