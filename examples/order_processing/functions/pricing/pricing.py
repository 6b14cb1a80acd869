"""The order-processing example's pricing Lambda function (handler ``pricing.handler``).

Standard library only: this folder is the function's code asset, deployed as it is
(``Code.from_asset``, no bundling), and ``examples.order_processing`` imports it as the
in-process handler of the same function. It prices one order line from a small catalogue and
fails with ``OutOfStock`` when the warehouse holds fewer units than ordered, or ``UnknownItem``
(Step Functions names a Python function's error by its exception class).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

#: sku -> (description, unit price in cents, units in stock)
CATALOGUE: dict[str, tuple[str, int, int]] = {
    "KB-101": ("mechanical keyboard", 8900, 25),
    "MS-202": ("wireless mouse", 2450, 40),
    "CB-303": ("USB-C cable", 990, 200),
    "MN-404": ("27-inch monitor", 31900, 0),
}


class OutOfStock(Exception):
    """The warehouse holds fewer units of an item than the order asks for."""


class UnknownItem(Exception):
    """The order names an item the catalogue does not have."""


def _money(cents: int) -> float:
    return float((Decimal(cents) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Price one line: ``{"sku", "quantity", "currency"}`` -> the line with its prices.

    Raises:
        UnknownItem: ``sku`` is not in the catalogue
        OutOfStock: fewer than ``quantity`` units are in stock
    """
    sku, quantity = event["sku"], int(event["quantity"])
    if sku not in CATALOGUE:
        raise UnknownItem(f"no item {sku!r} in the catalogue")
    description, unit_cents, stock = CATALOGUE[sku]
    if quantity > stock:
        raise OutOfStock(f"{sku} ({description}): {quantity} ordered, {stock} in stock")
    return {
        "sku": sku,
        "description": description,
        "quantity": quantity,
        "unitPrice": _money(unit_cents),
        "lineTotal": _money(unit_cents * quantity),
        "currency": event.get("currency", "EUR"),
    }
