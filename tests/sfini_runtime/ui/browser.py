"""A headless Chromium driven by Selenium (Debian's ``chromium`` and ``chromedriver``)."""

from __future__ import annotations

import shutil
from typing import Any

#: where the browser and its driver are looked for, in order
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
DRIVERS = ("chromedriver",)


def _first(names: tuple[str, ...]) -> str | None:
    return next((path for path in map(shutil.which, names) if path), None)


def missing() -> str | None:
    """Why no browser can be driven here (None: one can)."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    if _first(BROWSERS) is None:
        return "no chromium here (./dev setup installs it with apt-get, as root)"
    if _first(DRIVERS) is None:
        return "no chromedriver here (./dev setup installs Debian's chromium-driver)"
    return None


def headless_chromium(width: int = 1400, height: int = 1000) -> Any:
    """A new headless Chromium (Selenium ``WebDriver``) that records the console."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(_first(BROWSERS))
    for argument in (
        "--headless=new",
        "--no-sandbox",  # as root in a container
        "--disable-dev-shm-usage",
        "--disable-gpu",
        f"--window-size={width},{height}",
        "--hide-scrollbars",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=_first(DRIVERS)), options=options)
