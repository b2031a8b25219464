"""JSON log lines: one object per line, request details without query strings or personal data."""

import json
import logging
import sys
from datetime import datetime

from django.test import RequestFactory

from website.logging import JsonFormatter


def record(name="website", level=logging.INFO, msg="Hallo %s", args=("Welt",), exc_info=None, **extra):
    item = logging.LogRecord(name, level, __file__, 10, msg, args, exc_info)
    for key, value in extra.items():
        setattr(item, key, value)
    return item


def formatted(item):
    line = JsonFormatter().format(item)
    assert "\n" not in line
    return json.loads(line)


def test_plain_record():
    entry = formatted(record())
    assert entry["level"] == "INFO"
    assert entry["logger"] == "website"
    assert entry["message"] == "Hallo Welt"
    assert datetime.fromisoformat(entry["time"]).utcoffset().total_seconds() == 0
    assert set(entry) == {"time", "level", "logger", "message"}


def test_django_request_record_has_method_path_and_status_without_query_or_body():
    request = RequestFactory().post(
        "/leadwizard/submit/?email=erika@muster.example",
        {"contact-email": "erika@muster.example", "contact-name": "Erika Mustermann"},
        REMOTE_ADDR="203.0.113.7",
    )
    entry = formatted(
        record(
            "django.request",
            logging.WARNING,
            "Bad Request: %s",
            (request.path,),
            request=request,
            status_code=400,
        )
    )
    assert entry["method"] == "POST"
    assert entry["path"] == "/leadwizard/submit/"
    assert entry["status"] == 400
    assert entry["message"] == "Bad Request: /leadwizard/submit/"
    line = json.dumps(entry)
    for personal in ("erika", "Mustermann", "203.0.113.7"):
        assert personal not in line


def test_runserver_access_line_loses_its_query_string():
    entry = formatted(
        record(
            "django.server",
            logging.INFO,
            '"%s" %s %s',
            ("GET /suche/?q=erika%40muster.example HTTP/1.1", "200", "5120"),
            request=object(),  # runserver passes its socket, not an HttpRequest
            status_code=200,
        )
    )
    assert entry["method"] == "GET"
    assert entry["path"] == "/suche/"
    assert entry["status"] == 200
    assert entry["message"] == "GET /suche/ 200"
    assert "erika" not in json.dumps(entry)


def test_exception_text_is_included():
    try:
        raise ValueError("kaputt")
    except ValueError:
        exc_info = sys.exc_info()
    entry = formatted(record(level=logging.ERROR, msg="Fehler", args=(), exc_info=exc_info))
    assert entry["message"] == "Fehler"
    assert entry["exception"].startswith("Traceback")
    assert "ValueError: kaputt" in entry["exception"]


def test_non_ascii_and_odd_arguments():
    entry = formatted(record(msg="Größe %s", args=(object,)))
    assert entry["message"].startswith("Größe <class")
