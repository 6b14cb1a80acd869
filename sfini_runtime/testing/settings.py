"""The plugin's settings: command-line options, ini values and the ``sfini`` marker, read and
checked (a bad value stops pytest with one line, or fails the marked test with one)."""

from __future__ import annotations

import math
from typing import Any

import pytest

__all__ = ["SCOPES", "SETTINGS", "add_options", "marker_number", "setting"]

#: the engine scopes ``sfini_engine_scope`` takes
SCOPES = ("function", "session")
_DEFAULTS = {"time_scale": "0", "engine_scope": "function", "timeout": "60", "mock_config": ""}
#: every setting's name (``sfini_NAME`` in the ini file)
SETTINGS = tuple(_DEFAULTS)


def add_options(parser: pytest.Parser) -> None:
    """The command-line options and ini settings of the plugin."""
    group = parser.getgroup("sfini", "sfini-cdk: testing workflows on a local engine")
    group.addoption(
        "--sfini-engine-scope",
        choices=SCOPES,
        default=None,
        help="an engine per test (function) or one for the session (ini: sfini_engine_scope)",
    )
    group.addoption(
        "--sfini-time-scale",
        default=None,
        metavar="SCALE",
        help="multiplies Waits, retry intervals and time-outs; 0: none take time "
        "(ini: sfini_time_scale, default 0)",
    )
    group.addoption(
        "--sfini-timeout",
        default=None,
        metavar="SECONDS",
        help="how long an execution may run before the test fails (ini: sfini_timeout, 60)",
    )
    parser.addini("sfini_engine_scope", "sfini engine per test (function) or per session")
    parser.addini("sfini_time_scale", "sfini engine time scale (0: Waits take no time)")
    parser.addini("sfini_timeout", "seconds an execution may run in a sfini test")
    parser.addini("sfini_mock_config", "mock configuration file for sfini engines")


def setting(config: pytest.Config, name: str) -> Any:
    """Setting ``name`` (``engine_scope``, ``time_scale``, ``timeout``, ``mock_config``): the
    command line's, else the ini file's, else the default; a bad value is a usage error."""
    option = config.getoption(f"sfini_{name}", None) if name != "mock_config" else None
    text = option if option is not None else config.getini(f"sfini_{name}")
    text = str(text).strip() if text else _DEFAULTS[name]
    source = f"--sfini-{name.replace('_', '-')}" if option is not None else f"sfini_{name}"
    if name == "engine_scope":
        if text not in SCOPES:
            raise pytest.UsageError(f"{source}: expected function or session, not {text!r}")
        return text
    if name == "mock_config":
        if not text:
            return None
        base = config.inipath.parent if config.inipath is not None else config.rootpath
        return str(base / text)
    try:
        return _number(text, allow_zero=name == "time_scale")
    except ValueError as error:
        raise pytest.UsageError(f"{source}: {error}") from None


def _number(value: Any, *, allow_zero: bool) -> float:
    """``value`` as a finite number, >= 0 (``allow_zero``) or > 0; else ValueError."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or number < 0 or (number == 0 and not allow_zero):
        least = "a number >= 0" if allow_zero else "a number > 0"
        raise ValueError(f"expected {least}, not {value!r}")
    return number


def marker_number(request: pytest.FixtureRequest, key: str, *, allow_zero: bool) -> float | None:
    """The test's ``@pytest.mark.sfini(key=...)`` (None without one); a bad value fails the
    test with one line."""
    marker = request.node.get_closest_marker("sfini")
    if marker is None or key not in marker.kwargs:
        return None
    try:
        return _number(marker.kwargs[key], allow_zero=allow_zero)
    except ValueError as error:
        pytest.fail(f"@pytest.mark.sfini({key}=...): {error}", pytrace=False)
