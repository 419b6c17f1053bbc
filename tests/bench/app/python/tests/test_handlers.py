"""Tests for lambdas.handlers.

The module creates boto3 clients at import time, so the environment is set up
before importing it. Every test then swaps the module-level clients for small
in-memory fakes via ``monkeypatch``; nothing here talks to AWS.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

os.environ.setdefault("AWS_REGION", "us-east-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("PAYMENTS_TABLE", "payments-test")
os.environ.setdefault("ARCHIVE_BUCKET", "payments-archive-test")
os.environ.setdefault("REPORTS_BUCKET", "payments-reports-test")
os.environ.setdefault("EVENTS_QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/123456789012/webhook-events.fifo")

from botocore.exceptions import ClientError  # noqa: E402

from lambdas import handlers  # noqa: E402

SECRET = "whsec_test_0123456789"
NOW = 1_714_564_800  # 2024-05-01T12:00:00Z


# ---------------------------------------------------------------------------
# fakes
# ---------------------------------------------------------------------------


def client_error(code: str, status: int = 400, op: str = "Operation") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": code}, "ResponseMetadata": {"HTTPStatusCode": status}}, op)


@dataclass
class FakeS3:
    objects: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    fail_with: list[Exception] = field(default_factory=list)

    def put_object(self, **kwargs: Any) -> dict[str, Any]:
        if self.fail_with:
            raise self.fail_with.pop(0)
        self.objects[(kwargs["Bucket"], kwargs["Key"])] = kwargs
        return {"ETag": '"etag"'}


@dataclass
class FakeSQS:
    sent: list[dict[str, Any]] = field(default_factory=list)
    fail_with: list[Exception] = field(default_factory=list)

    def send_message(self, **kwargs: Any) -> dict[str, Any]:
        if self.fail_with:
            raise self.fail_with.pop(0)
        self.sent.append(kwargs)
        return {"MessageId": f"msg-{len(self.sent)}"}


@dataclass
class FakeSSM:
    value: str = SECRET
    calls: int = 0

    def get_parameter(self, Name: str, WithDecryption: bool) -> dict[str, Any]:  # noqa: N803 - boto3 casing
        self.calls += 1
        return {"Parameter": {"Name": Name, "Value": self.value}}


class FakeTable:
    """Just enough of a DynamoDB Table to exercise the handlers."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], dict[str, Any]] = {}
        self.update_errors: list[Exception] = []
        self.query_pages: list[dict[str, Any]] = []
        self.query_calls: list[dict[str, Any]] = []

    def update_item(self, **kwargs: Any) -> dict[str, Any]:
        if self.update_errors:
            raise self.update_errors.pop(0)
        key = (kwargs["Key"]["pk"], kwargs["Key"]["sk"])
        values = kwargs["ExpressionAttributeValues"]
        existing = self.items.get(key, {})
        if values[":event_id"] in existing.get("event_ids", set()):
            raise client_error("ConditionalCheckFailedException")
        if existing.get("status_rank", -1) > values[":rank"]:
            raise client_error("ConditionalCheckFailedException")
        existing.update(
            {
                "pk": key[0],
                "sk": key[1],
                "status": values[":status"],
                "amount_minor": values[":amount"],
                "currency": values[":currency"],
                "status_rank": values[":rank"],
                "event_ids": existing.get("event_ids", set()) | values[":event_set"],
            }
        )
        self.items[key] = existing
        return {}

    def query(self, **kwargs: Any) -> dict[str, Any]:
        self.query_calls.append(kwargs)
        return self.query_pages.pop(0) if self.query_pages else {"Items": []}


@pytest.fixture
def fake_s3(monkeypatch: pytest.MonkeyPatch) -> FakeS3:
    fake = FakeS3()
    monkeypatch.setattr(handlers, "s3", fake)
    return fake


@pytest.fixture
def fake_sqs(monkeypatch: pytest.MonkeyPatch) -> FakeSQS:
    fake = FakeSQS()
    monkeypatch.setattr(handlers, "sqs", fake)
    return fake


@pytest.fixture
def fake_ssm(monkeypatch: pytest.MonkeyPatch) -> FakeSSM:
    fake = FakeSSM()
    monkeypatch.setattr(handlers, "ssm", fake)
    monkeypatch.setattr(handlers, "_secret_cache", {})
    return fake


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> FakeTable:
    fake = FakeTable()
    monkeypatch.setattr(handlers, "_payments_table", lambda: fake)
    return fake


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(handlers.time, "sleep", lambda _s: None)
    monkeypatch.setattr(handlers.random, "uniform", lambda a, b: 0.0)


@pytest.fixture
def frozen_time(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(handlers.time, "time", lambda: float(NOW))
    return NOW


@pytest.fixture
def lambda_context() -> SimpleNamespace:
    return SimpleNamespace(aws_request_id="req-123", function_name="payments-webhook", get_remaining_time_in_millis=lambda: 30_000)


# ---------------------------------------------------------------------------
# builders
# ---------------------------------------------------------------------------


def make_payload(**overrides: Any) -> dict[str, Any]:
    payload = {
        "id": "evt_001",
        "type": "payment.succeeded",
        "created": NOW - 10,
        "data": {
            "id": "pay_abc",
            "merchant": "m_42",
            "amount": 12_50,
            "currency": "usd",
            "metadata": {"order_id": "o-1001"},
        },
    }
    data_overrides = overrides.pop("data", {})
    payload.update(overrides)
    payload["data"].update(data_overrides)
    return payload


def sign(body: bytes, timestamp: int = NOW, secret: str = SECRET) -> str:
    sig = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={sig}"


def api_event(body: bytes, signature: str | None, base64_encoded: bool = False) -> dict[str, Any]:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["X-Signature"] = signature
    return {
        "version": "2.0",
        "routeKey": "POST /webhooks/payments",
        "headers": headers,
        "body": base64.b64encode(body).decode() if base64_encoded else body.decode(),
        "isBase64Encoded": base64_encoded,
    }


def sqs_event(*bodies: str) -> dict[str, Any]:
    return {
        "Records": [
            {"messageId": f"m{i}", "receiptHandle": f"rh{i}", "body": b, "eventSource": "aws:sqs", "awsRegion": "us-east-1"}
            for i, b in enumerate(bodies)
        ]
    }


# ---------------------------------------------------------------------------
# signature handling
# ---------------------------------------------------------------------------


class TestSignature:
    def test_parse_header_with_multiple_signatures(self) -> None:
        ts, sigs = handlers.parse_signature_header("t=123, v1=aaa, v0=zzz, v1=bbb")
        assert ts == 123
        assert sigs == ["aaa", "bbb"]

    @pytest.mark.parametrize("header", ["", "v1=abc", "t=abc,v1=x", "t=123"])
    def test_parse_header_rejects_malformed(self, header: str) -> None:
        with pytest.raises(handlers.SignatureError):
            handlers.parse_signature_header(header)

    def test_verify_accepts_valid_signature(self) -> None:
        body = b'{"hello":"world"}'
        handlers.verify_signature(body, sign(body), SECRET, now=NOW)

    def test_verify_rejects_tampered_body(self) -> None:
        body = b'{"amount":100}'
        with pytest.raises(handlers.SignatureError, match="no matching signature"):
            handlers.verify_signature(b'{"amount":999}', sign(body), SECRET, now=NOW)

    def test_verify_rejects_old_timestamp(self) -> None:
        body = b"{}"
        with pytest.raises(handlers.SignatureError, match="tolerance"):
            handlers.verify_signature(body, sign(body, timestamp=NOW - 3600), SECRET, now=NOW)

    def test_secret_is_cached(self, fake_ssm: FakeSSM) -> None:
        assert handlers.get_webhook_secret(now=1000) == SECRET
        assert handlers.get_webhook_secret(now=1100) == SECRET
        assert fake_ssm.calls == 1
        handlers.get_webhook_secret(now=1000 + 301)
        assert fake_ssm.calls == 2


# ---------------------------------------------------------------------------
# PaymentEvent
# ---------------------------------------------------------------------------


class TestPaymentEvent:
    def test_from_payload_normalises_fields(self) -> None:
        ev = handlers.PaymentEvent.from_payload(make_payload())
        assert ev.currency == "USD"
        assert ev.amount_minor == 1250
        assert ev.status == "succeeded"
        assert ev.occurred_at == datetime.fromtimestamp(NOW - 10, tz=timezone.utc)
        assert ev.metadata == {"order_id": "o-1001"}

    @pytest.mark.parametrize(
        "overrides, message",
        [
            ({"type": "customer.created"}, "unsupported event type"),
            ({"data": {"amount": -5}}, "non-negative"),
            ({"data": {"currency": "us"}}, "invalid currency"),
            ({"data": {"amount": "lots"}}, "malformed event"),
        ],
    )
    def test_from_payload_rejects_invalid(self, overrides: dict[str, Any], message: str) -> None:
        with pytest.raises(handlers.PayloadError, match=message):
            handlers.PaymentEvent.from_payload(make_payload(**overrides))

    def test_missing_data_is_payload_error(self) -> None:
        with pytest.raises(handlers.PayloadError):
            handlers.PaymentEvent.from_payload({"id": "x", "type": "payment.failed", "created": NOW})

    def test_message_round_trip(self) -> None:
        ev = handlers.PaymentEvent.from_payload(make_payload())
        assert handlers.PaymentEvent.from_message(ev.to_message()) == ev


# ---------------------------------------------------------------------------
# retry decorator
# ---------------------------------------------------------------------------


class TestRetry:
    def test_retries_throttling_then_succeeds(self) -> None:
        calls = {"n": 0}

        @handlers.retry(attempts=3, sleep=lambda _: None)
        def flaky() -> str:
            calls["n"] += 1
            if calls["n"] < 3:
                raise client_error("ThrottlingException")
            return "done"

        assert flaky() == "done"
        assert calls["n"] == 3

    def test_does_not_retry_client_mistakes(self) -> None:
        calls = {"n": 0}

        @handlers.retry(attempts=5, sleep=lambda _: None)
        def bad() -> None:
            calls["n"] += 1
            raise client_error("ValidationException")

        with pytest.raises(ClientError):
            bad()
        assert calls["n"] == 1

    def test_gives_up_after_attempts(self) -> None:
        sleeps: list[float] = []

        @handlers.retry(attempts=3, sleep=sleeps.append)
        def down() -> None:
            raise client_error("InternalServerError", status=500)

        with pytest.raises(ClientError):
            down()
        assert len(sleeps) == 2

    @pytest.mark.parametrize(
        "exc, expected",
        [
            (handlers.TransientError("x"), True),
            (client_error("ProvisionedThroughputExceededException"), True),
            (client_error("Whatever", status=503), True),
            (client_error("AccessDeniedException", status=403), False),
            (ValueError("nope"), False),
        ],
    )
    def test_is_retryable(self, exc: Exception, expected: bool) -> None:
        assert handlers.is_retryable(exc) is expected


# ---------------------------------------------------------------------------
# receive_webhook
# ---------------------------------------------------------------------------


@pytest.mark.usefixtures("fake_ssm", "frozen_time")
class TestReceiveWebhook:
    def test_accepts_signed_event(self, fake_s3: FakeS3, fake_sqs: FakeSQS, lambda_context: SimpleNamespace) -> None:
        body = json.dumps(make_payload()).encode()
        res = handlers.receive_webhook(api_event(body, sign(body)), lambda_context)

        assert res["statusCode"] == 202
        assert json.loads(res["body"]) == {"received": True, "event_id": "evt_001"}

        [(bucket, key)] = fake_s3.objects.keys()
        assert bucket == "payments-archive-test"
        assert key.startswith("raw/") and key.endswith("/evt_001.json")
        assert fake_s3.objects[(bucket, key)]["Body"] == body

        [msg] = fake_sqs.sent
        assert msg["MessageGroupId"] == "pay_abc"
        assert msg["MessageDeduplicationId"] == "evt_001"
        assert json.loads(msg["MessageBody"])["currency"] == "USD"

    def test_accepts_base64_body(self, fake_s3: FakeS3, fake_sqs: FakeSQS, lambda_context: SimpleNamespace) -> None:
        body = json.dumps(make_payload()).encode()
        res = handlers.receive_webhook(api_event(body, sign(body), base64_encoded=True), lambda_context)
        assert res["statusCode"] == 202

    def test_missing_signature_is_401(self, fake_s3: FakeS3, fake_sqs: FakeSQS, lambda_context: SimpleNamespace) -> None:
        body = json.dumps(make_payload()).encode()
        res = handlers.receive_webhook(api_event(body, None), lambda_context)
        assert res["statusCode"] == 401
        assert json.loads(res["body"])["error"] == "invalid_signature"
        assert not fake_s3.objects and not fake_sqs.sent

    def test_invalid_json_is_422(self, fake_s3: FakeS3, fake_sqs: FakeSQS, lambda_context: SimpleNamespace) -> None:
        body = b"{not-json"
        res = handlers.receive_webhook(api_event(body, sign(body)), lambda_context)
        assert res["statusCode"] == 422

    def test_transient_s3_failure_is_retried(self, fake_s3: FakeS3, fake_sqs: FakeSQS, lambda_context: SimpleNamespace) -> None:
        fake_s3.fail_with = [client_error("SlowDown", status=503)]
        body = json.dumps(make_payload()).encode()
        res = handlers.receive_webhook(api_event(body, sign(body)), lambda_context)
        assert res["statusCode"] == 202
        assert len(fake_s3.objects) == 1

    def test_persistent_sqs_failure_returns_503(
        self, fake_s3: FakeS3, fake_sqs: FakeSQS, lambda_context: SimpleNamespace
    ) -> None:
        fake_sqs.fail_with = [client_error("AccessDenied", status=403)]
        body = json.dumps(make_payload()).encode()
        res = handlers.receive_webhook(api_event(body, sign(body)), lambda_context)
        assert res["statusCode"] == 503


# ---------------------------------------------------------------------------
# process_events
# ---------------------------------------------------------------------------


def message_for(**overrides: Any) -> str:
    return handlers.PaymentEvent.from_payload(make_payload(**overrides)).to_message()


class TestProcessEvents:
    def test_applies_new_events(self, table: FakeTable, lambda_context: SimpleNamespace) -> None:
        res = handlers.process_events(sqs_event(message_for()), lambda_context)
        assert res == {"batchItemFailures": []}
        item = table.items[("PAYMENT#pay_abc", "STATE")]
        assert item["status"] == "succeeded"
        assert item["event_ids"] == {"evt_001"}

    def test_duplicate_events_are_skipped(self, table: FakeTable, lambda_context: SimpleNamespace) -> None:
        msg = message_for()
        handlers.process_events(sqs_event(msg), lambda_context)
        res = handlers.process_events(sqs_event(msg), lambda_context)
        assert res == {"batchItemFailures": []}
        assert len(table.items) == 1

    def test_stale_status_does_not_overwrite(self, table: FakeTable, lambda_context: SimpleNamespace) -> None:
        handlers.process_events(sqs_event(message_for(id="evt_2", type="payment.refunded")), lambda_context)
        handlers.process_events(sqs_event(message_for(id="evt_1", type="payment.pending")), lambda_context)
        assert table.items[("PAYMENT#pay_abc", "STATE")]["status"] == "refunded"

    def test_undecodable_messages_are_dropped_not_retried(
        self, table: FakeTable, lambda_context: SimpleNamespace, caplog: pytest.LogCaptureFixture
    ) -> None:
        res = handlers.process_events(sqs_event("garbage", message_for()), lambda_context)
        assert res == {"batchItemFailures": []}
        assert "dropping permanently failing message" in caplog.text

    def test_throttled_writes_are_reported_as_failures(self, table: FakeTable, lambda_context: SimpleNamespace) -> None:
        table.update_errors = [client_error("ProvisionedThroughputExceededException")] * 4
        res = handlers.process_events(sqs_event(message_for(), message_for(id="evt_other", data={"id": "pay_xyz"})), lambda_context)
        assert res == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
        assert ("PAYMENT#pay_xyz", "STATE") in table.items


# ---------------------------------------------------------------------------
# export_daily_report
# ---------------------------------------------------------------------------


class TestExportDailyReport:
    @pytest.fixture
    def rows(self) -> list[dict[str, Any]]:
        return [
            {"pk": "PAYMENT#p1", "merchant_id": "m1", "status": "succeeded", "amount_minor": Decimal(1000), "currency": "USD", "updated_at": "2024-04-30T10:00:00+00:00"},
            {"pk": "PAYMENT#p2", "merchant_id": "m1", "status": "refunded", "amount_minor": Decimal(250), "currency": "USD", "updated_at": "2024-04-30T11:00:00+00:00"},
            {"pk": "PAYMENT#p3", "merchant_id": "m2", "status": "succeeded", "amount_minor": Decimal(999), "currency": "EUR", "updated_at": "2024-04-30T12:00:00+00:00"},
        ]

    def test_render_csv(self, rows: list[dict[str, Any]]) -> None:
        body, stats = handlers.render_csv(rows)
        lines = body.decode().splitlines()
        assert lines[0] == ",".join(handlers.REPORT_COLUMNS)
        assert lines[1].startswith("p1,m1,succeeded,1000,USD,")
        assert stats == {"rows": 3, "totals": {"USD": {"succeeded": 1000, "refunded": 250}, "EUR": {"succeeded": 999}}}

    def test_exports_previous_day_across_pages(
        self, table: FakeTable, fake_s3: FakeS3, rows: list[dict[str, Any]], lambda_context: SimpleNamespace
    ) -> None:
        table.query_pages = [
            {"Items": rows[:2], "LastEvaluatedKey": {"pk": "PAYMENT#p2", "sk": "STATE"}},
            {"Items": rows[2:]},
        ]
        res = handlers.export_daily_report({"time": "2024-05-01T00:05:00Z", "detail": {}}, lambda_context)

        assert res["key"] == "reports/2024/04/30/payments.csv"
        assert res["rows"] == 3
        assert len(table.query_calls) == 2
        assert "ExclusiveStartKey" in table.query_calls[1]

        csv_obj = fake_s3.objects[("payments-reports-test", "reports/2024/04/30/payments.csv")]
        assert csv_obj["ContentType"] == "text/csv"
        expected_md5 = base64.b64encode(hashlib.md5(csv_obj["Body"]).digest()).decode()  # noqa: S324
        assert csv_obj["ContentMD5"] == expected_md5

        summary = json.loads(fake_s3.objects[("payments-reports-test", "reports/2024/04/30/summary.json")]["Body"])
        assert summary["day"] == "2024-04-30"

    def test_explicit_day_override(self, table: FakeTable, fake_s3: FakeS3, lambda_context: SimpleNamespace) -> None:
        res = handlers.export_daily_report({"time": "2024-05-01T00:05:00Z", "detail": {"day": "2024-02-29"}}, lambda_context)
        assert res["key"] == "reports/2024/02/29/payments.csv"
        assert res["rows"] == 0

    def test_upload_failure_propagates(self, table: FakeTable, fake_s3: FakeS3, lambda_context: SimpleNamespace) -> None:
        fake_s3.fail_with = [client_error("AccessDenied", status=403)]
        with pytest.raises(ClientError):
            handlers.export_daily_report({"time": "2024-05-01T00:05:00Z"}, lambda_context)


def test_decimal_encoder_handles_decimals_and_dates() -> None:
    out = json.dumps({"a": Decimal("3"), "b": Decimal("1.5"), "d": date(2024, 1, 2)}, cls=handlers.DecimalEncoder)
    assert json.loads(out) == {"a": 3, "b": 1.5, "d": "2024-01-02"}
