"""The ingest function's own code: plain Python, no Pulumi.

It turns S3 "object created" notifications into rendition requests.
"""

import json
import os
import re
from typing import Any, Optional
from urllib.parse import unquote_plus

IMAGE_TYPES = (".jpg", ".jpeg", ".png", ".webp", ".heic")


def rendition_sizes(setting: Optional[str]) -> list[int]:
    sizes = []
    for part in (setting or "320").split(","):
        part = part.strip()
        if part.isdigit() and int(part) > 0:
            sizes.append(int(part))
    return sizes


def requests_for(record: dict[str, Any], sizes: list[int]) -> list[dict[str, Any]]:
    key = unquote_plus(record["s3"]["object"]["key"])
    if not record["eventName"].startswith("ObjectCreated") or not key.lower().endswith(IMAGE_TYPES):
        return []
    name = re.sub(r"\.[^.]+$", "", re.sub(r"^incoming/", "", key))
    bucket = record["s3"]["bucket"]["name"]
    return [
        {"source": f"s3://{bucket}/{key}", "key": key, "width": width, "output": f"renditions/{name}/{width}w.webp"}
        for width in sizes
    ]


def handler(event: dict[str, Any], context: object) -> dict[str, int]:
    sizes = rendition_sizes(os.environ.get("RENDITION_SIZES"))
    requests = [r for record in event.get("Records", []) for r in requests_for(record, sizes)]
    for request in requests:
        print(json.dumps({"bucket": os.environ.get("RENDITIONS_BUCKET"), **request}))
    return {"requested": len(requests)}
