"""Tests of the ingest function."""

from functions.ingest.ingest import rendition_sizes, requests_for

UPLOAD = {
    "eventName": "ObjectCreated:Put",
    "s3": {"bucket": {"name": "media-uploads-dev"}, "object": {"key": "incoming/summer+trip/beach.JPG", "size": 2048}},
}


def test_one_request_per_size() -> None:
    requests = requests_for(UPLOAD, rendition_sizes("320, 1280"))
    assert [r["width"] for r in requests] == [320, 1280]
    assert requests[0]["output"] == "renditions/summer trip/beach/320w.webp"


def test_text_files_get_no_renditions() -> None:
    record = {**UPLOAD, "s3": {**UPLOAD["s3"], "object": {"key": "incoming/notes.txt", "size": 10}}}
    assert requests_for(record, [320]) == []


def test_default_size() -> None:
    assert rendition_sizes(None) == [320]
