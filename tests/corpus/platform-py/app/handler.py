"""The checkout function's own code: plain Python, no Pulumi.

It talks to DynamoDB through a small store interface so the tests run without AWS.
json.dumps and f-strings over ordinary values here are correct and must stay as they are.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any, Callable, Optional, Protocol

CART_LIFETIME_SECONDS = 7 * 24 * 3600


class CartStore(Protocol):
    def get(self, cart_id: str) -> Optional[dict[str, Any]]: ...

    def put(self, cart: dict[str, Any]) -> None: ...


def total(cart: dict[str, Any]) -> float:
    return sum(item["quantity"] * item["unitPrice"] for item in cart["items"])


def respond(status_code: int, body: Any) -> dict[str, Any]:
    return {
        "statusCode": status_code,
        "headers": {"content-type": "application/json"},
        "body": json.dumps(body),
    }


def make_handler(store: CartStore, now: Callable[[], float] = time.time):
    def handle(event: dict[str, Any], context: object) -> dict[str, Any]:
        identity = (event.get("requestContext") or {}).get("identity") or {}
        customer_id = identity.get("user") or "anonymous"
        cart_id = (event.get("pathParameters") or {}).get("cartId")
        method = event.get("httpMethod")
        if method == "POST":
            cart = {
                "cartId": f"{customer_id}-{int(now() * 1000):x}",
                "customerId": customer_id,
                "items": json.loads(event.get("body") or "[]"),
                "expiresAt": int(now()) + CART_LIFETIME_SECONDS,
            }
            store.put(cart)
            return respond(201, {**cart, "total": total(cart)})
        if method in ("GET", "PUT"):
            cart = store.get(cart_id) if cart_id else None
            if cart is None:
                return respond(404, {"message": f"no cart {cart_id}"})
            if method == "PUT":
                cart = {**cart, "items": json.loads(event.get("body") or "[]")}
                store.put(cart)
            return respond(200, {**cart, "total": total(cart)})
        return respond(405, {"message": f"{method} is not supported"})

    return handle


class DynamoCartStore:
    """Reads and writes carts in the table named by CARTS_TABLE (set by the infrastructure)."""

    def __init__(self, table: str, region: str) -> None:
        self.table = table
        self.region = region

    def get(self, cart_id: str) -> Optional[dict[str, Any]]:
        print(json.dumps({"op": "get", "table": self.table, "region": self.region, "cartId": cart_id}))
        return None

    def put(self, cart: dict[str, Any]) -> None:
        print(json.dumps({"op": "put", "table": self.table, "region": self.region, "cartId": cart["cartId"]}))


handler = make_handler(
    DynamoCartStore(os.environ.get("CARTS_TABLE", "carts"), os.environ.get("AWS_REGION", "us-east-1"))
)
