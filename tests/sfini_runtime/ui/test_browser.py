"""The web view in a real browser (headless Chromium): the page loads, a running execution's
state changes colour, clicking a state shows its output, and the console stays free of
errors."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest

from benchmarks.ui import chain
from sfini_runtime.ui import UIHandle
from tests.sfini_runtime.ui import browser
from tests.sfini_runtime.ui.conftest import create_machine, run, wait_until_done
from tests.sfini_runtime.ui.definitions import NESTED

WHY_NOT = browser.missing()
pytestmark = [
    pytest.mark.browser,
    pytest.mark.engine,
    pytest.mark.skipif(WHY_NOT is not None, reason=str(WHY_NOT)),
]

WAIT_SECONDS = 15
SUCCEEDED_FILL = "rgb(220, 252, 231)"
RUNNING_FILL = "rgb(219, 234, 254)"


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    """One headless Chromium for the module."""
    chromium = browser.headless_chromium()
    try:
        yield chromium
    finally:
        chromium.quit()


def wait_for(driver: Any, condition: Any) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT_SECONDS, poll_frequency=0.05).until(condition)


def css(driver: Any, selector: str) -> Any:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, selector)


def page_of(view: UIHandle, execution_arn: str) -> str:
    return view.url + "execution/" + urllib.parse.quote(execution_arn, safe="")


def console_errors(driver: Any) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def fill_of(driver: Any, state: str) -> str:
    return driver.execute_script(
        "return getComputedStyle(document.querySelector("
        "`g.state[data-state='${arguments[0]}'] rect`)).fill",
        state,
    )


@pytest.fixture(scope="module")
def approval(sfn: Any) -> dict[str, str]:
    """An activity and a state machine waiting for it (the execution runs until answered)."""
    activity = sfn.create_activity(name="browser-approve")["activityArn"]
    machine = create_machine(
        sfn,
        "browser-approval",
        {
            "StartAt": "Prepare",
            "States": {
                "Prepare": {"Type": "Pass", "Result": {"order": 42}, "Next": "Approve"},
                "Approve": {"Type": "Task", "Resource": activity, "Next": "Done"},
                "Done": {"Type": "Succeed"},
            },
        },
    )
    return {"activity": activity, "machine": machine}


def test_the_list_loads_with_executions_and_filters_by_status(
    driver: Any, view: UIHandle, sfn: Any
) -> None:
    from selenium.webdriver.support.ui import Select

    machine = create_machine(sfn, "browser-nested", NESTED)
    good = run(sfn, machine, {"big": True, "items": [1, 2, 3]}, name="browser-good")
    failing = create_machine(
        sfn, "browser-fail", {"StartAt": "F", "States": {"F": {"Type": "Fail"}}}
    )
    bad = run(sfn, failing, name="browser-bad")
    assert wait_until_done(sfn, good) == "SUCCEEDED"
    assert wait_until_done(sfn, bad) == "FAILED"
    driver.get(view.url)
    wait_for(driver, lambda d: "browser-good" in css(d, "#executions").text)
    table = css(driver, "#executions").text
    assert "browser-bad" in table and "SUCCEEDED" in table and "FAILED" in table
    Select(css(driver, "#status-filter")).select_by_value("FAILED")
    wait_for(driver, lambda d: "browser-good" not in css(d, "#executions").text)
    assert "browser-bad" in css(driver, "#executions").text
    assert "status=FAILED" in driver.current_url
    assert console_errors(driver) == []


def test_a_running_state_changes_colour_and_a_click_shows_its_output(
    driver: Any, view: UIHandle, sfn: Any, approval: dict[str, str]
) -> None:
    arn = run(sfn, approval["machine"], name="browser-live")
    task = sfn.get_activity_task(activityArn=approval["activity"])
    driver.get(page_of(view, arn))
    approve = "g.state[data-state='Approve']"
    wait_for(driver, lambda d: css(d, approve).get_attribute("data-status") == "running")
    assert fill_of(driver, "Approve") == RUNNING_FILL
    assert css(driver, "g.state[data-state='Prepare']").get_attribute("data-status") == "succeeded"
    assert css(driver, "g.state[data-state='Done']").get_attribute("data-status") == "not reached"
    sfn.send_task_success(taskToken=task["taskToken"], output=json.dumps({"approved": "yes"}))
    wait_for(driver, lambda d: css(d, approve).get_attribute("data-status") == "succeeded")
    assert fill_of(driver, "Approve") == SUCCEEDED_FILL
    wait_for(driver, lambda d: "SUCCEEDED" in css(d, "#summary").text)
    css(driver, approve).click()
    wait_for(driver, lambda d: css(d, "#state-name").text == "Approve")
    assert json.loads(css(driver, "#state-output").text) == {"approved": "yes"}
    assert json.loads(css(driver, "#state-input").text) == {"order": 42}
    assert "ActivitySucceeded" in css(driver, "#events").text
    assert console_errors(driver) == []


def test_nested_branches_are_drawn_and_coloured(driver: Any, view: UIHandle, sfn: Any) -> None:
    machine = create_machine(sfn, "browser-nested", NESTED)
    arn = run(sfn, machine, {"big": True, "items": [1]}, name="browser-nested-run")
    assert wait_until_done(sfn, arn) == "SUCCEEDED"
    driver.get(page_of(view, arn))
    item = "g.state[data-state='Item']"
    wait_for(driver, lambda d: css(d, item).get_attribute("data-status") == "succeeded")
    statuses = driver.execute_script(
        "return Object.fromEntries([...document.querySelectorAll('g.state')]"
        ".map(g => [g.dataset.state, g.dataset.status]))"
    )
    assert statuses == {
        "Prepare": "succeeded",
        "Check": "succeeded",
        "Fan out": "succeeded",
        "Left": "succeeded",
        "Left again": "succeeded",
        "Each": "succeeded",
        "Item": "succeeded",
        "Done": "succeeded",
        "Broken": "not reached",
    }
    assert console_errors(driver) == []


def test_an_unknown_execution_says_so(
    driver: Any, view: UIHandle, approval: dict[str, str]
) -> None:
    missing = approval["machine"].replace(":stateMachine:", ":execution:") + ":nothing"
    driver.get(page_of(view, missing))
    assert css(driver, "h1").text == "Execution not found"
    assert missing in css(driver, "main").text
    # the browser reports the 404 itself; the console holds nothing else
    assert [entry for entry in console_errors(driver) if "404 (Not Found)" not in entry] == []


def test_a_machine_too_large_to_draw_shows_its_events(
    driver: Any, view: UIHandle, sfn: Any
) -> None:
    machine = create_machine(sfn, "browser-huge", chain(3000))
    arn = run(sfn, machine, {"skip": True}, name="browser-huge-run")
    assert wait_until_done(sfn, arn, timeout=60) == "SUCCEEDED"
    total = sum(
        len(page["events"])
        for page in sfn.get_paginator("get_execution_history").paginate(executionArn=arn)
    )
    driver.get(page_of(view, arn))
    wait_for(driver, lambda d: css(d, "#events-title").text == f"Events ({total})")
    assert "too large to draw" in css(driver, "#layout-error").text
    rows = "return document.querySelectorAll('#events tbody tr').length"
    assert driver.execute_script(rows) == 500  # the first page of events
    more = css(driver, "#more-events")
    assert more.text == f"Show 500 more of {total - 500} events"
    more.click()
    wait_for(driver, lambda d: d.execute_script(rows) == 1000)
    assert console_errors(driver) == []
