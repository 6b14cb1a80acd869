"""Screenshots of the web view for the README: ``docs/images/ui-list.png`` and
``docs/images/ui-execution.png``.

Runs a local engine with a few executions (one still running, waiting for its activity),
serves the web view beside it and photographs both pages with a headless Chromium (Debian's
``chromium`` and ``chromedriver``, driven by Selenium). Run it from the repository root:

    .venv/bin/python tools/screenshots.py [--out docs/images]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

from sfini_runtime.local import LocalEngine
from sfini_runtime.session import AWSSession
from sfini_runtime.ui import start_ui

ROLE = "arn:aws:iam::123456789012:role/screenshots"
LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"

ORDER = {
    "Comment": "An order: checked, its items packed in parallel with the invoice, then approved",
    "StartAt": "Validate order",
    "States": {
        "Validate order": {"Type": "Task", "Resource": LAMBDA + "validate", "Next": "In stock?"},
        "In stock?": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.inStock", "BooleanEquals": False, "Next": "Out of stock"}],
            "Default": "Fulfil",
        },
        "Fulfil": {
            "Type": "Parallel",
            "Branches": [
                {
                    "StartAt": "Pack items",
                    "States": {
                        "Pack items": {
                            "Type": "Map",
                            "ItemsPath": "$.items",
                            "ItemProcessor": {
                                "StartAt": "Pick",
                                "States": {
                                    "Pick": {"Type": "Pass", "Next": "Box"},
                                    "Box": {"Type": "Pass", "End": True},
                                },
                            },
                            "End": True,
                        }
                    },
                },
                {
                    "StartAt": "Invoice",
                    "States": {
                        "Invoice": {
                            "Type": "Task",
                            "Resource": LAMBDA + "invoice",
                            "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1}],
                            "End": True,
                        }
                    },
                },
            ],
            "ResultPath": "$.fulfilment",
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Out of stock"}],
            "Next": "Approve",
        },
        "Approve": {"Type": "Task", "Resource": "ACTIVITY", "Next": "Shipped"},
        "Shipped": {"Type": "Succeed"},
        "Out of stock": {"Type": "Fail", "Error": "OutOfStock"},
    },
}

REPORT = {
    "StartAt": "Collect",
    "States": {
        "Collect": {"Type": "Wait", "Seconds": 2, "Next": "Publish"},
        "Publish": {"Type": "Succeed"},
    },
}


def _chromium(width: int, height: int) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if browser is None or driver is None:
        sys.exit("screenshots: needs chromium and chromedriver (./dev setup installs them)")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--disable-gpu", "--hide-scrollbars", f"--window-size={width},{height}",
                     "--force-device-scale-factor=1"):  # fmt: skip
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(executable_path=driver), options=options)


def _wait(condition: Any, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the page did not get there in time")
        time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/images", help="directory for the PNG files")
    out = Path(parser.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)
    invoices = {"calls": 0}

    def invoice(event: Any, context: Any) -> Any:
        invoices["calls"] += 1
        if invoices["calls"] % 2 == 1:
            raise ConnectionError("billing service busy")
        return {"invoice": f"INV-{invoices['calls']:04d}"}

    lambdas = {
        "validate": lambda event, context: {**event, "inStock": event.get("sku") != "none"},
        "invoice": invoice,
    }
    with LocalEngine(time_scale=0.02, lambdas=lambdas) as engine:
        sfn = engine.client()
        activity = sfn.create_activity(name="approve-order")["activityArn"]
        definition = json.dumps(ORDER).replace('"ACTIVITY"', json.dumps(activity))
        machine = sfn.create_state_machine(name="orders", definition=definition, roleArn=ROLE)
        machine_arn = machine["stateMachineArn"]
        other = sfn.create_state_machine(
            name="nightly-report",
            definition=json.dumps(REPORT),
            roleArn=ROLE,
        )["stateMachineArn"]

        def start(name: str, payload: Any, on: str = machine_arn) -> str:
            arn = sfn.start_execution(stateMachineArn=on, name=name, input=json.dumps(payload))
            return arn["executionArn"]

        def settle(arn: str) -> None:
            _wait(lambda: sfn.describe_execution(executionArn=arn)["status"] != "RUNNING")

        def approve(output: Any) -> None:
            task = sfn.get_activity_task(activityArn=activity)
            sfn.send_task_success(taskToken=task["taskToken"], output=json.dumps(output))

        items = [{"sku": "tea"}, {"sku": "cups"}, {"sku": "spoons"}]
        first = start("order-1001", {"sku": "tea", "items": items})
        approve({"approvedBy": "ana"})
        settle(first)
        settle(start("order-1002", {"sku": "none", "items": []}))
        settle(start("report-2026-12-03", {}, on=other))
        start("report-2026-12-04", {}, on=other)
        live = start("order-1003", {"sku": "cups", "items": items})
        _wait(lambda: any(
            e["type"] == "ActivityScheduled"
            for e in sfn.get_execution_history(executionArn=live, maxResults=1000)["events"]
        ))  # fmt: skip

        with start_ui(session=AWSSession(endpoint_url=engine.endpoint_url)) as view:
            driver = _chromium(1280, 760)
            try:
                driver.get(view.url)
                _wait(lambda: "order-1003" in driver.find_element("id", "executions").text)
                driver.save_screenshot(str(out / "ui-list.png"))
                driver.set_window_size(1280, 1400)
                driver.get(view.url + "execution/" + urllib.parse.quote(live, safe=""))
                status = "return document.querySelector(`g.state[data-state='Approve']`)?.dataset"
                status += ".status"
                _wait(lambda: driver.execute_script(status) == "running")
                driver.find_element("css selector", "g.state[data-state='Invoice']").click()
                _wait(lambda: driver.find_element("id", "state-name").text == "Invoice")
                driver.save_screenshot(str(out / "ui-execution.png"))
            finally:
                driver.quit()
        approve({"approvedBy": "screenshots"})
    for name in ("ui-list.png", "ui-execution.png"):
        print(out / name)


if __name__ == "__main__":
    main()
