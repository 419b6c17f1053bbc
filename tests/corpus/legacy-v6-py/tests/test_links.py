"""Tests of the links function."""

import json

from lambda_src.links import make_handler, report_key


def test_report_key() -> None:
    assert report_key("2024-03") == "monthly/2024/03/report.pdf"
    assert report_key("2024-13") is None


def test_answers_with_a_signed_link() -> None:
    handler = make_handler(lambda bucket, key, ttl: f"https://signed/{bucket}/{key}?ttl={ttl}", "reports-test", 60)
    ok = handler({"pathParameters": {"month": "2024-01"}}, None)
    assert ok["statusCode"] == 200
    assert json.loads(ok["body"])["url"] == "https://signed/reports-test/monthly/2024/01/report.pdf?ttl=60"
    bad = handler({"pathParameters": {"month": "last"}}, None)
    assert bad["statusCode"] == 400, f"unexpected answer {bad['body']}"
