"""Tests of the checkout function, as real repositories have next to their infrastructure."""

import json
from typing import Any, Optional

from app.handler import make_handler, total


class MemoryStore:
    def __init__(self) -> None:
        self.carts: dict[str, dict[str, Any]] = {}

    def get(self, cart_id: str) -> Optional[dict[str, Any]]:
        return self.carts.get(cart_id)

    def put(self, cart: dict[str, Any]) -> None:
        self.carts[cart["cartId"]] = cart


def test_creates_and_reads_a_cart() -> None:
    store = MemoryStore()
    handler = make_handler(store, now=lambda: 1_700_000_000.0)
    items = [{"sku": "tee-blue-m", "quantity": 2, "unitPrice": 19.5}]
    created = handler(
        {"httpMethod": "POST", "body": json.dumps(items), "requestContext": {"identity": {"user": "c-42"}}},
        None,
    )
    assert created["statusCode"] == 201, f"POST answered {created['statusCode']}: {created['body']}"
    cart_id = json.loads(created["body"])["cartId"]
    read = handler({"httpMethod": "GET", "body": None, "pathParameters": {"cartId": cart_id}}, None)
    assert json.loads(read["body"])["total"] == 39
    assert total(store.carts[cart_id]) == 39


def test_refuses_unknown_methods() -> None:
    handler = make_handler(MemoryStore())
    response = handler({"httpMethod": "DELETE", "body": None}, None)
    assert response["statusCode"] == 405, f"DELETE answered {response['statusCode']}"
