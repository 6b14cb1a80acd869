"""Order processing: the flagship example, beyond sfini 0.1.0, deployable with ``cdk deploy``.

An order (``{"orderId", "currency", "express", "items": [{"sku", "quantity"}, ...]}``) goes
through one JSONata state machine, ``orderProcessing``:

1. ``ReceiveOrder`` (Pass) keeps the order's id, currency and delivery option in variables;
2. ``PriceItems`` (Map over the items) prices each line with the Python Lambda function
   ``orderPricing`` (``functions/pricing/pricing.py``, the function's code asset), retried on
   Lambda's transient errors, and assigns the lines and their subtotal; an item out of stock
   (``OutOfStock``) or unknown is caught and ends the run in the ``RejectOrder`` Fail state;
3. ``CheckDiscount`` (Choice) gives 10% off a subtotal of 100 or more (``NoDiscount`` else);
4. ``ReserveStock`` runs the activity ``ordersReserveStock`` on a sfini worker; the demo
   warehouse answers every first call with ``WarehouseBusy``, so its Retry is seen to work;
5. ``ShipOrder`` runs the nested state machine ``orderShipping`` (``startExecution.sync:2``)
   and the execution ends with the confirmed order.

The module is pure Python (no ``aws_cdk``): ``app.py`` deploys it as the stack
``SfiniOrderProcessing`` (the activity, both state machines and an ``aws_lambda.Function``
from the asset folder ``PRICING_ASSET``); ``lambdas`` runs the same handler in-process on a
``LocalEngine(lambdas=...)`` with no cloud assembly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sfini_cdk as sfini
from examples.order_processing.functions.pricing import pricing as pricing_code

#: the pricing function's code asset (``Code.from_asset``), handler ``pricing.handler``
PRICING_ASSET = Path(__file__).resolve().parent / "functions" / "pricing"
PRICING_HANDLER = "pricing.handler"

JSONATA = "JSONata"
#: errors Lambda answers when the service, not the function, fails: worth retrying
LAMBDA_TRANSIENT_ERRORS = [
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
]
#: a subtotal from which the order gets ``DISCOUNT_RATE`` off
DISCOUNT_FROM = 100
DISCOUNT_RATE = 0.1

# --- activities (run by a sfini worker) ---------------------------------------------------------

activities = sfini.ActivityRegistration(prefix="orders")


class WarehouseBusy(Exception):
    """The warehouse cannot take the reservation now; the Task retries it."""


@activities.activity("ReserveStock")
def reserve_stock(data: dict[str, Any]) -> dict[str, Any]:
    """Reserve the priced lines of an order. The demo warehouse is busy on every first attempt
    (``attempt`` is the Task's ``$states.context.State.RetryCount``), so the Retry shows."""
    if data["attempt"] == 0:
        raise WarehouseBusy("the warehouse is busy, try again")
    units = sum(int(line["quantity"]) for line in data["lines"])
    return {"reservationId": f"R-{data['orderId']}", "units": units}


# --- the Lambda function (deployed from PRICING_ASSET) ------------------------------------------

pricing = sfini.Lambda("orderPricing")

#: sfini Lambda name -> in-process handler (the asset's code), for ``LocalEngine(lambdas=...)``
lambdas = {pricing.name: pricing_code.handler}

# --- the nested state machine: shipping ----------------------------------------------------------

pack = sfini.Pass(
    "PackParcels",
    assign={"parcels": "{% $ceil($states.input.units / 5) %}"},
    output="{% $states.input %}",
)
label = sfini.Pass(
    "PrintLabel",
    output={
        "orderId": "{% $states.input.orderId %}",
        "parcels": "{% $parcels %}",
        "carrier": "{% $states.input.express ? 'express' : 'standard' %}",
        "trackingNumber": "{% 'TRK-' & $states.input.orderId & '-' & $string($parcels) %}",
    },
)
pack.goes_to(label)
shipping = sfini.construct_state_machine(
    "orderShipping",
    pack,
    comment="Pack an order's units in parcels of five and label them",
    query_language=JSONATA,
)

# --- the state machine to start: order processing ------------------------------------------------

receive = sfini.Pass(
    "ReceiveOrder",
    assign={
        "orderId": "{% $states.input.orderId %}",
        "currency": "{% $exists($states.input.currency) ? $states.input.currency : 'EUR' %}",
        "express": "{% $states.input.express = true %}",
    },
)

price_item = sfini.Task("PriceItem", pricing, timeout=30)
price_item.retry_for(LAMBDA_TRANSIENT_ERRORS, interval=1, max_attempts=3, backoff_rate=2)
price_items = sfini.Map(
    "PriceItems",
    price_item,
    items="{% $states.input.items %}",
    item_selector={
        "sku": "{% $states.context.Map.Item.Value.sku %}",
        "quantity": "{% $states.context.Map.Item.Value.quantity %}",
        "currency": "{% $currency %}",
    },
    max_concurrency=4,
    assign={
        "lines": "{% $states.result %}",
        "subtotal": "{% $round($sum($states.result.lineTotal), 2) %}",
    },
)
reject = sfini.Fail(
    "RejectOrder",
    error="OrderRejected",
    cause="{% 'order ' & $orderId & ': ' & $parse($states.input.Cause).errorMessage %}",
)
price_items.catch(["OutOfStock", "UnknownItem"], reject)

reserve = sfini.Task(
    "ReserveStock",
    reserve_stock,
    timeout=60,
    arguments={
        "orderId": "{% $orderId %}",
        "lines": "{% $lines %}",
        "attempt": "{% $states.context.State.RetryCount %}",
    },
    assign={"reservation": "{% $states.result.reservationId %}"},
)
reserve.retry_for(["WarehouseBusy"], interval=1, max_attempts=2)

check_discount = sfini.Choice("CheckDiscount")
check_discount.add(
    sfini.Condition(
        f"{{% $subtotal >= {DISCOUNT_FROM} %}}",
        reserve,
        assign={"discount": f"{{% $round($subtotal * {DISCOUNT_RATE}, 2) %}}"},
    )
)
no_discount = sfini.Pass("NoDiscount", assign={"discount": 0})
check_discount.set_default(no_discount)
no_discount.goes_to(reserve)

ship = sfini.Task(
    "ShipOrder",
    sfini.StateMachineResource(shipping),
    arguments={
        "Input": {
            "orderId": "{% $orderId %}",
            "units": "{% $states.input.units %}",
            "express": "{% $express %}",
        }
    },
    output={
        "orderId": "{% $orderId %}",
        "status": "CONFIRMED",
        "lines": "{% $lines %}",
        "subtotal": "{% $subtotal %}",
        "discount": "{% $discount %}",
        "total": "{% $round($subtotal - $discount, 2) %}",
        "currency": "{% $currency %}",
        "reservationId": "{% $reservation %}",
        "shipment": "{% $states.result.Output %}",
    },
)

receive.goes_to(price_items)
price_items.goes_to(check_discount)
reserve.goes_to(ship)

sm = sfini.construct_state_machine(
    "orderProcessing",
    receive,
    comment="Price an order's items, reserve them, ship them",
    query_language=JSONATA,
)

#: every state machine of the module, nested ones first
state_machines = [shipping, sm]

#: how the demo run ends
EXPECTED_STATUS = "SUCCEEDED"
#: the alias ``app.py`` gives both state machines (a version published with each deployment that
#: changes one); the main job starts the order through ``orderProcessing:live``
ALIAS = "live"


def example_input() -> dict[str, Any]:
    """The demo order (here and in the main job, ``python -m examples``): three lines in
    stock, a subtotal over 100, so it gets the discount."""
    return {
        "orderId": "A-1001",
        "currency": "EUR",
        "express": True,
        "items": [
            {"sku": "KB-101", "quantity": 1},
            {"sku": "MS-202", "quantity": 2},
            {"sku": "CB-303", "quantity": 3},
        ],
    }


def out_of_stock_input() -> dict[str, Any]:
    """An order with an item out of stock: ``PriceItems`` catches ``OutOfStock`` and the run
    ends in ``RejectOrder`` (``OrderRejected``)."""
    return {
        "orderId": "A-1002",
        "items": [{"sku": "KB-101", "quantity": 1}, {"sku": "MN-404", "quantity": 1}],
    }
