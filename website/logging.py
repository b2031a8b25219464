"""JSON log lines for production: one object per line, ready for a log collector.

Used by ``LOGGING`` when ``LOG_FORMAT=json`` (the production default). Each line
holds the time (ISO 8601, UTC), level, logger name and message, the request's
method, path and status for ``django.request`` and ``django.server`` records,
and the exception's traceback when there is one.

Personal data stays out: only the path of a request is logged, never its query
string (search terms, e-mail confirmation tokens, click ids), body, cookies, user
or client address.
"""

import json
import logging
from datetime import UTC, datetime

# runserver's access lines carry the whole request line, query string included.
_REQUEST_LINE_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"}


def _without_query(path):
    return path.split("?", 1)[0].split("#", 1)[0]


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object on one line."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
        }
        message = record.getMessage()
        request_fields = self._request_fields(record)
        if record.name == "django.server" and "path" in request_fields:
            # The formatted message repeats the request line with its query string.
            message = (
                f"{request_fields['method']} {request_fields['path']} {request_fields.get('status', '')}"
            )
            message = message.strip()
        entry["message"] = message
        entry.update(request_fields)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)

    def _request_fields(self, record):
        fields = {}
        request = getattr(record, "request", None)
        # django.request passes the HttpRequest; runserver passes its socket instead.
        method = getattr(request, "method", None)
        path = getattr(request, "path", None)
        if isinstance(method, str) and isinstance(path, str):
            fields["method"] = method
            fields["path"] = _without_query(path)
        elif record.name == "django.server" and record.args and isinstance(record.args, tuple):
            parts = str(record.args[0]).split()
            if len(parts) >= 2 and parts[0] in _REQUEST_LINE_METHODS:
                fields["method"] = parts[0]
                fields["path"] = _without_query(parts[1])
        status = getattr(record, "status_code", None)
        if isinstance(status, int):
            fields["status"] = status
        return fields
