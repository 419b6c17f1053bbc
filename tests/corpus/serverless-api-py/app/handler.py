"""The Lambda function's own code: plain Python, no Pulumi.

json.dumps and f-strings over ordinary values here are correct and must stay as they are.
"""

import json
import os


def handler(event: dict, context: object) -> dict:
    order = json.loads(event.get("body") or "{}")
    region = os.environ.get("AWS_REGION", "us-east-1")
    table = os.environ["TABLE_NAME"]
    print(f"order {order.get('id')} ({order.get('name')}) in {region} for {table}")
    item = {"id": order.get("id"), "name": order.get("name"), "arn": order.get("arn")}
    return {"statusCode": 200, "body": json.dumps(item)}
