"""Lambda handlers for the payment-webhook pipeline.

Flow::

    provider --HTTPS--> receive_webhook (API Gateway)
                           |  verify signature, archive raw body to S3
                           v
                        SQS (webhook-events)
                           |
                           v
                        process_events (SQS batch, partial failures)
                           |  idempotent upsert into DynamoDB
                           v
                        DynamoDB (payments)

    EventBridge (daily) --> export_daily_report --> S3 (reports/yyyy/mm/dd.csv)

Each handler is small; shared helpers (clients, logging, retries) live at
module level so that they are initialised once per execution environment.
"""
from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import io
import json
import logging
import os
import random
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from functools import wraps
from typing import Any, Callable, Iterable, Iterator, TypeVar

import boto3
from boto3.dynamodb.conditions import Key
from botocore.config import Config
from botocore.exceptions import ClientError

# ---------------------------------------------------------------------------
# configuration & clients
# ---------------------------------------------------------------------------

REGION = os.environ.get("AWS_REGION", "us-east-1")
PAYMENTS_TABLE = os.environ.get("PAYMENTS_TABLE", "payments")
ARCHIVE_BUCKET = os.environ.get("ARCHIVE_BUCKET", "")
REPORTS_BUCKET = os.environ.get("REPORTS_BUCKET", "")
EVENTS_QUEUE_URL = os.environ.get("EVENTS_QUEUE_URL", "")
WEBHOOK_SECRET_PARAM = os.environ.get("WEBHOOK_SECRET_PARAM", "/payments/webhook-secret")
SIGNATURE_TOLERANCE_SECONDS = int(os.environ.get("SIGNATURE_TOLERANCE_SECONDS", "300"))
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")

_boto_config = Config(region_name=REGION, retries={"max_attempts": 5, "mode": "adaptive"}, connect_timeout=3, read_timeout=10)

dynamodb = boto3.resource("dynamodb", config=_boto_config)
s3 = boto3.client("s3", config=_boto_config)
sqs = boto3.client("sqs", config=_boto_config)
ssm = boto3.client("ssm", config=_boto_config)

logger = logging.getLogger("payments")
logger.setLevel(LOG_LEVEL)

_secret_cache: dict[str, tuple[float, str]] = {}

T = TypeVar("T")


# ---------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------


class WebhookError(Exception):
    """Base class for errors that map to a specific HTTP response."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.details = details


class SignatureError(WebhookError):
    status_code = 401
    code = "invalid_signature"


class PayloadError(WebhookError):
    status_code = 422
    code = "invalid_payload"


class TransientError(Exception):
    """Raised for failures that are worth retrying (throttling, 5xx)."""


class PermanentEventError(Exception):
    """Raised for events that will never succeed; they are logged and dropped."""


RETRYABLE_CODES = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "TransactionConflictException",
}


def is_retryable(exc: BaseException) -> bool:
    if isinstance(exc, TransientError):
        return True
    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code", "")
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return code in RETRYABLE_CODES or status >= 500
    return False


def retry(attempts: int = 4, base_delay: float = 0.1, max_delay: float = 2.0, sleep: Callable[[float], None] = time.sleep):
    """Decorator: retry the wrapped call with full-jitter exponential backoff."""

    def decorator(fn: Callable[..., T]) -> Callable[..., T]:
        @wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> T:
            for attempt in range(1, attempts + 1):
                try:
                    return fn(*args, **kwargs)
                except Exception as exc:  # noqa: BLE001 - re-raised below
                    if attempt == attempts or not is_retryable(exc):
                        raise
                    delay = random.uniform(0, min(max_delay, base_delay * 2 ** (attempt - 1)))
                    logger.warning("retrying %s after %s (attempt %d, sleeping %.3fs)", fn.__name__, exc, attempt, delay)
                    sleep(delay)
            raise AssertionError("unreachable")

        return wrapper

    return decorator


# ---------------------------------------------------------------------------
# logging helper
# ---------------------------------------------------------------------------


def log_json(level: int, message: str, **fields: Any) -> None:
    payload = {"message": message, "level": logging.getLevelName(level), **fields}
    logger.log(level, json.dumps(payload, default=str))


class DecimalEncoder(json.JSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, Decimal):
            return int(o) if o == o.to_integral_value() else float(o)
        if isinstance(o, (datetime, date)):
            return o.isoformat()
        return super().default(o)


# ---------------------------------------------------------------------------
# domain
# ---------------------------------------------------------------------------

SUPPORTED_EVENTS = {
    "payment.succeeded": "succeeded",
    "payment.failed": "failed",
    "payment.refunded": "refunded",
    "payment.disputed": "disputed",
    "payment.pending": "pending",
}

STATUS_RANK = {"pending": 0, "failed": 1, "succeeded": 2, "disputed": 3, "refunded": 4}


@dataclass(frozen=True)
class PaymentEvent:
    event_id: str
    event_type: str
    payment_id: str
    merchant_id: str
    amount_minor: int
    currency: str
    occurred_at: datetime
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def status(self) -> str:
        return SUPPORTED_EVENTS[self.event_type]

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> "PaymentEvent":
        try:
            data = payload["data"]
            event_type = payload["type"]
            if event_type not in SUPPORTED_EVENTS:
                raise PayloadError(f"unsupported event type {event_type!r}")
            amount = int(data["amount"])
            if amount < 0:
                raise PayloadError("amount must be non-negative")
            currency = str(data["currency"]).upper()
            if len(currency) != 3 or not currency.isalpha():
                raise PayloadError(f"invalid currency {currency!r}")
            occurred = datetime.fromtimestamp(int(payload["created"]), tz=timezone.utc)
            return cls(
                event_id=str(payload["id"]),
                event_type=event_type,
                payment_id=str(data["id"]),
                merchant_id=str(data["merchant"]),
                amount_minor=amount,
                currency=currency,
                occurred_at=occurred,
                metadata={str(k): str(v) for k, v in (data.get("metadata") or {}).items()},
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise PayloadError(f"malformed event: {exc}") from exc

    def to_message(self) -> str:
        d = asdict(self)
        d["occurred_at"] = self.occurred_at.isoformat()
        return json.dumps(d, sort_keys=True)

    @classmethod
    def from_message(cls, body: str) -> "PaymentEvent":
        d = json.loads(body)
        d["occurred_at"] = datetime.fromisoformat(d["occurred_at"])
        return cls(**d)


# ---------------------------------------------------------------------------
# signature verification
# ---------------------------------------------------------------------------


def get_webhook_secret(now: float | None = None) -> str:
    """Fetch the signing secret from SSM, caching it for five minutes."""
    now = time.time() if now is None else now
    cached = _secret_cache.get(WEBHOOK_SECRET_PARAM)
    if cached and cached[0] > now:
        return cached[1]
    res = ssm.get_parameter(Name=WEBHOOK_SECRET_PARAM, WithDecryption=True)
    secret = res["Parameter"]["Value"]
    _secret_cache[WEBHOOK_SECRET_PARAM] = (now + 300, secret)
    return secret


def parse_signature_header(header: str) -> tuple[int, list[str]]:
    """Parses ``t=1700000000,v1=abc,v1=def`` into (timestamp, [signatures])."""
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        k, _, v = part.strip().partition("=")
        if k == "t" and v.isdigit():
            timestamp = int(v)
        elif k == "v1" and v:
            signatures.append(v)
    if timestamp is None or not signatures:
        raise SignatureError("malformed signature header")
    return timestamp, signatures


def verify_signature(body: bytes, header: str, secret: str, now: float | None = None) -> None:
    timestamp, signatures = parse_signature_header(header)
    now = time.time() if now is None else now
    if abs(now - timestamp) > SIGNATURE_TOLERANCE_SECONDS:
        raise SignatureError("signature timestamp outside tolerance", timestamp=timestamp)
    signed = f"{timestamp}.".encode() + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected, s) for s in signatures):
        raise SignatureError("no matching signature")


# ---------------------------------------------------------------------------
# handler: API Gateway webhook receiver
# ---------------------------------------------------------------------------


def _response(status: int, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json"},
        "body": json.dumps(body),
    }


@retry()
def _archive_raw(event_id: str, body: bytes, received_at: datetime) -> str:
    key = f"raw/{received_at:%Y/%m/%d}/{event_id}.json"
    s3.put_object(
        Bucket=ARCHIVE_BUCKET,
        Key=key,
        Body=body,
        ContentType="application/json",
        ServerSideEncryption="aws:kms",
        Metadata={"received-at": received_at.isoformat()},
    )
    return key


@retry()
def _enqueue(event: PaymentEvent) -> str:
    res = sqs.send_message(
        QueueUrl=EVENTS_QUEUE_URL,
        MessageBody=event.to_message(),
        MessageGroupId=event.payment_id,
        MessageDeduplicationId=event.event_id,
        MessageAttributes={"eventType": {"DataType": "String", "StringValue": event.event_type}},
    )
    return res["MessageId"]


def receive_webhook(event: dict[str, Any], context: Any) -> dict[str, Any]:
    request_id = getattr(context, "aws_request_id", str(uuid.uuid4()))
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    raw = event.get("body") or ""
    body = base64.b64decode(raw) if event.get("isBase64Encoded") else raw.encode("utf-8")

    try:
        signature = headers.get("x-signature")
        if not signature:
            raise SignatureError("missing x-signature header")
        verify_signature(body, signature, get_webhook_secret())
        try:
            payload = json.loads(body)
        except json.JSONDecodeError as exc:
            raise PayloadError("body is not valid JSON") from exc
        payment_event = PaymentEvent.from_payload(payload)
    except WebhookError as exc:
        log_json(logging.WARNING, "webhook rejected", code=exc.code, reason=str(exc), request_id=request_id)
        return _response(exc.status_code, {"error": exc.code, "message": str(exc)})

    received_at = datetime.now(timezone.utc)
    try:
        archive_key = _archive_raw(payment_event.event_id, body, received_at)
        message_id = _enqueue(payment_event)
    except ClientError as exc:
        # The provider retries on 5xx, so a transient AWS failure is safe to surface.
        log_json(logging.ERROR, "failed to accept webhook", error=str(exc), event_id=payment_event.event_id)
        return _response(503, {"error": "temporarily_unavailable"})

    log_json(
        logging.INFO,
        "webhook accepted",
        event_id=payment_event.event_id,
        type=payment_event.event_type,
        archive_key=archive_key,
        message_id=message_id,
        request_id=request_id,
    )
    return _response(202, {"received": True, "event_id": payment_event.event_id})


# ---------------------------------------------------------------------------
# handler: SQS consumer
# ---------------------------------------------------------------------------


def _payments_table():
    return dynamodb.Table(PAYMENTS_TABLE)


@retry()
def apply_event(ev: PaymentEvent) -> bool:
    """Idempotently apply an event. Returns False if it was a duplicate or stale."""
    table = _payments_table()
    try:
        table.update_item(
            Key={"pk": f"PAYMENT#{ev.payment_id}", "sk": "STATE"},
            UpdateExpression=(
                "SET #status = :status, amount_minor = :amount, currency = :currency, "
                "merchant_id = :merchant, updated_at = :ts, status_rank = :rank, "
                "gsi1pk = :gsi1pk, gsi1sk = :gsi1sk "
                "ADD event_ids :event_set"
            ),
            ConditionExpression=(
                "(attribute_not_exists(event_ids) OR NOT contains(event_ids, :event_id)) "
                "AND (attribute_not_exists(status_rank) OR status_rank <= :rank)"
            ),
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={
                ":status": ev.status,
                ":amount": ev.amount_minor,
                ":currency": ev.currency,
                ":merchant": ev.merchant_id,
                ":ts": ev.occurred_at.isoformat(),
                ":rank": STATUS_RANK[ev.status],
                ":gsi1pk": f"DAY#{ev.occurred_at:%Y-%m-%d}",
                ":gsi1sk": f"{ev.merchant_id}#{ev.payment_id}",
                ":event_set": {ev.event_id},
                ":event_id": ev.event_id,
            },
        )
        return True
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise


def process_events(event: dict[str, Any], context: Any) -> dict[str, Any]:
    failures: list[dict[str, str]] = []
    applied = skipped = dropped = 0
    for record in event.get("Records", []):
        message_id = record["messageId"]
        try:
            try:
                ev = PaymentEvent.from_message(record["body"])
            except (ValueError, TypeError, KeyError) as exc:
                raise PermanentEventError(f"undecodable message: {exc}") from exc
            if apply_event(ev):
                applied += 1
            else:
                skipped += 1
        except PermanentEventError as exc:
            dropped += 1
            log_json(logging.ERROR, "dropping permanently failing message", message_id=message_id, error=str(exc))
        except Exception as exc:  # noqa: BLE001 - reported back to SQS for redelivery
            log_json(logging.WARNING, "message failed, will be retried", message_id=message_id, error=repr(exc))
            failures.append({"itemIdentifier": message_id})

    log_json(logging.INFO, "batch processed", applied=applied, skipped=skipped, dropped=dropped, failed=len(failures))
    return {"batchItemFailures": failures}


# ---------------------------------------------------------------------------
# handler: daily report export
# ---------------------------------------------------------------------------

REPORT_COLUMNS = ["payment_id", "merchant_id", "status", "amount_minor", "currency", "updated_at"]


def iter_day(day: date) -> Iterator[dict[str, Any]]:
    table = _payments_table()
    kwargs: dict[str, Any] = {
        "IndexName": "byDay",
        "KeyConditionExpression": Key("gsi1pk").eq(f"DAY#{day:%Y-%m-%d}"),
    }
    while True:
        page = table.query(**kwargs)
        yield from page.get("Items", [])
        lek = page.get("LastEvaluatedKey")
        if not lek:
            return
        kwargs["ExclusiveStartKey"] = lek


def render_csv(rows: Iterable[dict[str, Any]]) -> tuple[bytes, dict[str, Any]]:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=REPORT_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    totals: dict[str, dict[str, int]] = {}
    count = 0
    for row in rows:
        pk = str(row.get("pk", ""))
        out = {**row, "payment_id": pk.removeprefix("PAYMENT#")}
        out["amount_minor"] = int(row.get("amount_minor", 0))
        writer.writerow(out)
        count += 1
        cur = totals.setdefault(str(row.get("currency", "???")), {})
        status = str(row.get("status", "unknown"))
        cur[status] = cur.get(status, 0) + out["amount_minor"]
    return buf.getvalue().encode("utf-8"), {"rows": count, "totals": totals}


def export_daily_report(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """EventBridge scheduled handler. Exports the *previous* UTC day by default."""
    when = event.get("time")
    ref = datetime.fromisoformat(when.replace("Z", "+00:00")) if when else datetime.now(timezone.utc)
    day = date.fromisoformat(event["detail"]["day"]) if event.get("detail", {}).get("day") else (ref - timedelta(days=1)).date()

    body, stats = render_csv(iter_day(day))
    key = f"reports/{day:%Y/%m/%d}/payments.csv"
    digest = base64.b64encode(hashlib.md5(body).digest()).decode()  # noqa: S324 - integrity check, not security

    try:
        s3.put_object(
            Bucket=REPORTS_BUCKET,
            Key=key,
            Body=body,
            ContentType="text/csv",
            ContentMD5=digest,
            Metadata={"rows": str(stats["rows"])},
        )
        s3.put_object(
            Bucket=REPORTS_BUCKET,
            Key=f"reports/{day:%Y/%m/%d}/summary.json",
            Body=json.dumps({"day": day.isoformat(), **stats}, cls=DecimalEncoder, indent=2).encode(),
            ContentType="application/json",
        )
    except ClientError as exc:
        log_json(logging.ERROR, "report upload failed", day=day.isoformat(), error=str(exc))
        raise

    log_json(logging.INFO, "daily report exported", day=day.isoformat(), key=key, rows=stats["rows"])
    return {"bucket": REPORTS_BUCKET, "key": key, **stats}
