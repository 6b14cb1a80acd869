"""Where the recorded AWS conformance corpus lives (read in place, never copied here).

``cases/`` holds pure-ASL executions; ``cases-integrations/`` the mocked service integrations,
EXPRESS synchronous executions and TestState calls.

``$SFINI_CONFORMANCE_DIR`` wins; otherwise ``shared/conformance`` beside the checkout
(``../shared/conformance``), then ``/work/shared/conformance``. A missing corpus is an
error, not a skip: the tests that read it would otherwise pass without checking anything.
"""

from __future__ import annotations

import os
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]


def _find() -> Path:
    override = os.environ.get("SFINI_CONFORMANCE_DIR")
    if override:
        return Path(override)
    candidates = [REPOSITORY.parent / "shared" / "conformance", Path("/work/shared/conformance")]
    for candidate in candidates:
        if (candidate / "cases").is_dir():
            return candidate
    return candidates[0]


#: the corpus directory (holding ``run`` and ``cases/``)
CONFORMANCE_DIR = _find()


def case_files() -> list[Path]:
    """Every recorded case; raises FileNotFoundError naming where it looked when there are none."""
    cases = sorted((CONFORMANCE_DIR / "cases").glob("*.json"))
    if not cases:
        raise FileNotFoundError(
            f"no conformance corpus at {CONFORMANCE_DIR} (set SFINI_CONFORMANCE_DIR)"
        )
    return cases


def integration_case_files() -> list[Path]:
    """The cases of ``cases-integrations/`` (mocked integrations, express_sync, test_state);
    raises FileNotFoundError when there are none."""
    cases = sorted((CONFORMANCE_DIR / "cases-integrations").glob("*.json"))
    if not cases:
        raise FileNotFoundError(
            f"no cases-integrations/ in the conformance corpus at {CONFORMANCE_DIR} "
            "(set SFINI_CONFORMANCE_DIR)"
        )
    return cases
