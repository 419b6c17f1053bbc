"""The links function's own code (plain Python, no Pulumi).

Validates the month and answers with where the report is. Signing is done by the S3 client in
production; tests pass a fake signer.
"""

import json
import os
import re
from typing import Any, Callable, Optional

Signer = Callable[[str, str, int], str]

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def report_key(month: str) -> Optional[str]:
    match = MONTH.match(month)
    return f"monthly/{match.group(1)}/{match.group(2)}/report.pdf" if match else None


def make_handler(sign: Signer, bucket: str, ttl: int):
    def handle(event: dict[str, Any], context: object) -> dict[str, Any]:
        month = (event.get("pathParameters") or {}).get("month", "")
        key = report_key(month)
        if key is None:
            return {"statusCode": 400, "body": json.dumps({"message": f"not a month: {month}"})}
        url = sign(bucket, key, ttl)
        return {"statusCode": 200, "body": json.dumps({"month": month, "url": url, "expiresIn": ttl})}

    return handle


def _unsigned_link(bucket: str, key: str, ttl: int) -> str:
    return f"https://{bucket}.s3.amazonaws.com/{key}"


handler = make_handler(
    _unsigned_link,
    os.environ.get("REPORTS_BUCKET", ""),
    int(os.environ.get("LINK_TTL_SECONDS", "900")),
)
