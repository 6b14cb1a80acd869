"""The flagship order-processing example: the definition it renders (a JSONata Map with
variables, a Lambda Task, an activity Task, a nested ``.sync:2`` execution, Retry, Catch, a
Choice), and its runs in-process (``LocalEngine(lambdas=...)``, a sfini worker): the demo
order succeeds, an order with an item out of stock ends in the Catch's Fail state."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

import examples.order_processing as orders
from examples.order_processing.functions.pricing import pricing
from sfini_cdk.state_machine import StateMachine

pytestmark = pytest.mark.engine

#: the demo order's confirmed output: 89.00 + 2 * 24.50 + 3 * 9.90 = 167.70, 10% off
EXPECTED_LINES = [
    {"sku": "KB-101", "description": "mechanical keyboard", "quantity": 1, "unitPrice": 89.0,
     "lineTotal": 89.0, "currency": "EUR"},
    {"sku": "MS-202", "description": "wireless mouse", "quantity": 2, "unitPrice": 24.5,
     "lineTotal": 49.0, "currency": "EUR"},
    {"sku": "CB-303", "description": "USB-C cable", "quantity": 3, "unitPrice": 9.9,
     "lineTotal": 29.7, "currency": "EUR"},
]  # fmt: skip
EXPECTED_OUTPUT = {
    "orderId": "A-1001",
    "status": "CONFIRMED",
    "lines": EXPECTED_LINES,
    "subtotal": 167.7,
    "discount": 16.77,
    "total": 150.93,
    "currency": "EUR",
    "reservationId": "R-A-1001",
    "shipment": {
        "orderId": "A-1001",
        "parcels": 2,
        "carrier": "express",
        "trackingNumber": "TRK-A-1001-2",
    },
}


def _render(machine: StateMachine) -> dict[str, Any]:
    """The definition with each Task resource as ``<kind>:<name>``."""

    def resolve(resource: object) -> str:
        return f"{type(resource).__name__}:{getattr(resource, 'name', resource)}"

    return machine.to_dict(resources=resolve)


# --- the definition -----------------------------------------------------------------------------


def test_importing_the_module_does_not_import_the_cdk() -> None:
    # Other tests of the session may have imported aws_cdk; a fresh interpreter tells.
    code = "import sys, examples.order_processing; print('aws_cdk' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_module_attributes_the_main_job_uses() -> None:
    assert orders.state_machines == [orders.shipping, orders.sm]
    assert orders.sm.name == "orderProcessing" and orders.shipping.name == "orderShipping"
    assert set(orders.activities.activities) == {"ordersReserveStock"}
    assert orders.EXPECTED_STATUS == "SUCCEEDED"
    assert orders.lambdas == {"orderPricing": pricing.handler}
    assert (orders.PRICING_ASSET / "pricing.py").is_file()
    assert json.loads(json.dumps(orders.example_input())) == orders.example_input()


def test_the_map_prices_each_item_with_jsonata_and_variables() -> None:
    definition = _render(orders.sm)
    assert definition["QueryLanguage"] == "JSONata"
    receive = definition["States"]["ReceiveOrder"]
    assert set(receive["Assign"]) == {"orderId", "currency", "express"}
    price_items = definition["States"]["PriceItems"]
    assert price_items["Type"] == "Map"
    assert price_items["Items"] == "{% $states.input.items %}"
    assert price_items["ItemSelector"]["currency"] == "{% $currency %}"  # a variable read
    assert set(price_items["Assign"]) == {"lines", "subtotal"}
    (task,) = price_items["ItemProcessor"]["States"].values()
    assert task["Type"] == "Task" and task["Resource"] == "Lambda:orderPricing"
    assert "Lambda.ServiceException" in task["Retry"][0]["ErrorEquals"]


def test_catch_choice_activity_and_nested_execution() -> None:
    states = _render(orders.sm)["States"]
    (catcher,) = states["PriceItems"]["Catch"]
    assert catcher == {"ErrorEquals": ["OutOfStock", "UnknownItem"], "Next": "RejectOrder"}
    assert states["RejectOrder"]["Type"] == "Fail"
    assert states["RejectOrder"]["Error"] == "OrderRejected"
    choice = states["CheckDiscount"]
    assert choice["Type"] == "Choice" and choice["Default"] == "NoDiscount"
    assert choice["Choices"][0]["Next"] == "ReserveStock"
    assert "discount" in choice["Choices"][0]["Assign"]
    reserve = states["ReserveStock"]
    assert reserve["Resource"] == "CallableActivity:ordersReserveStock"
    assert reserve["Retry"][0]["ErrorEquals"] == ["WarehouseBusy"]
    assert "$reservation" not in json.dumps(reserve) and "reservation" in reserve["Assign"]
    ship = states["ShipOrder"]
    assert ship["Resource"] == "StateMachineResource:states:startExecution"
    assert ship["Arguments"]["StateMachineArn"] == "StateMachine:orderShipping"
    assert ship["End"] is True


def test_the_nested_machine_runs_with_the_sync_2_integration() -> None:
    (resource,) = [r for r in orders.sm.task_resources() if hasattr(r, "state_machine")]
    assert resource.state_machine is orders.shipping
    arn = "arn:aws:states:us-east-1:123456789012:stateMachine:orderShipping"

    def resolve(r: Any) -> str:
        if r is orders.shipping:
            return arn
        integration = getattr(r, "integration", None)
        return f"arn:aws:states:::{r.name}.{integration}" if integration else "arn:other"

    definition = orders.sm.to_dict(resources=resolve)
    ship = definition["States"]["ShipOrder"]
    assert ship["Resource"].endswith(":states:::states:startExecution.sync:2")
    assert ship["Arguments"]["StateMachineArn"] == arn


def test_the_pricing_handler_prices_a_line_and_refuses_what_is_not_in_stock() -> None:
    line = pricing.handler({"sku": "MS-202", "quantity": 2, "currency": "EUR"}, None)
    assert line["lineTotal"] == 49.0 and line["unitPrice"] == 24.5
    with pytest.raises(pricing.OutOfStock, match="MN-404"):
        pricing.handler({"sku": "MN-404", "quantity": 1}, None)
    with pytest.raises(pricing.UnknownItem):
        pricing.handler({"sku": "XX-000", "quantity": 1}, None)


# --- in-process runs ----------------------------------------------------------------------------


def run_order(session: Any, machine_arn: str, activities: dict[str, Any], order: Any) -> Any:
    """Run one order with a sfini worker per activity; return (description, history events)."""
    from sfini_runtime.worker import Worker

    workers = [Worker(a, session=session, arn=arn) for arn, a in activities.items()]
    for worker in workers:
        worker.start()
    try:
        client = session.sfn
        started = client.start_execution(stateMachineArn=machine_arn, input=json.dumps(order))
        deadline = time.monotonic() + 60
        while True:
            described = client.describe_execution(executionArn=started["executionArn"])
            if described["status"] != "RUNNING" or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        events = client.get_execution_history(
            executionArn=started["executionArn"], maxResults=1000
        )["events"]
        return described, events
    finally:
        for worker in workers:
            worker.end()
        for worker in workers:
            worker.join()


def assert_confirmed(described: Any, events: list[dict[str, Any]]) -> None:
    """The demo order's run: confirmed, having priced 3 lines (Lambda), retried the
    reservation once (activity), and shipped it in a nested execution."""
    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"]) == EXPECTED_OUTPUT
    kinds = [e["type"] for e in events]
    assert kinds.count("MapIterationSucceeded") == 3
    assert kinds.count("LambdaFunctionSucceeded") == 3
    assert kinds.count("ActivityFailed") == 1  # WarehouseBusy, then the Retry
    assert kinds.count("ActivitySucceeded") == 1
    assert "TaskSucceeded" in kinds  # the nested execution, as startExecution.sync:2 reports it
    submitted = [e for e in events if e["type"] == "TaskSubmitted"]
    assert any(e["taskSubmittedEventDetails"]["resource"] == "startExecution.sync:2"
               for e in submitted)  # fmt: skip


def assert_rejected(described: Any, events: list[dict[str, Any]]) -> None:
    """The out-of-stock order's run: the Map's Catch leads to the RejectOrder Fail state."""
    assert described["status"] == "FAILED", described
    assert described["error"] == "OrderRejected"
    assert described["cause"] == "order A-1002: MN-404 (27-inch monitor): 1 ordered, 0 in stock"
    kinds = [e["type"] for e in events]
    assert "LambdaFunctionFailed" in kinds and "MapStateFailed" in kinds
    entered = [
        e["stateEnteredEventDetails"]["name"] for e in events if e["type"].endswith("StateEntered")
    ]
    assert entered[-1] == "RejectOrder" and "ReserveStock" not in entered


@pytest.fixture(scope="module")
def in_process() -> Iterator[tuple[Any, str, dict[str, Any]]]:
    """The module deployed directly onto an engine serving its Lambda handlers in-process."""
    from sfini_runtime.local import LocalEngine
    from sfini_runtime.runner import engine_session
    from sfini_runtime.runner.workflow import workflow_from_module

    engine = LocalEngine(time_scale=1.0, activity_poll_seconds=1.0, lambdas=orders.lambdas)
    with engine, engine_session(engine) as session:
        workflow = workflow_from_module(orders, session)
        yield session, workflow.state_machine_arn, workflow.activities


def test_in_process_the_demo_order_is_confirmed(in_process: Any) -> None:
    session, machine_arn, activities = in_process
    assert machine_arn.endswith(":stateMachine:orderProcessing")
    assert [a.name for a in activities.values()] == ["ordersReserveStock"]
    assert_confirmed(*run_order(session, machine_arn, activities, orders.example_input()))


def test_in_process_an_item_out_of_stock_takes_the_catch_path(in_process: Any) -> None:
    session, machine_arn, activities = in_process
    assert_rejected(*run_order(session, machine_arn, activities, orders.out_of_stock_input()))
