"""A test of the handler, as real repositories have next to their infrastructure."""

import json
import os

from app.handler import handler


def test_orders_are_echoed() -> None:
    os.environ["TABLE_NAME"] = "orders"
    order = {"id": "o-1", "name": "first", "arn": "arn:aws:test"}
    response = handler({"body": json.dumps(order)}, None)
    body = json.loads(response["body"])
    assert body["id"] == order["id"], f"unexpected body {response['body']} for {order['name']}"
