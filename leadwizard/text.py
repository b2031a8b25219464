"""Reader-supplied text made safe to store: no NUL bytes, no control characters, bounded length.

PostgreSQL refuses a NUL character in text and in ``jsonb`` (SQLite stores it),
so one ``%00`` in a UTM parameter used to make every attempt to save a lead
fail. Other control characters are harmless to the database but end up in
mails, spreadsheets and webhook payloads. Everything a reader sends passes
through here before it is stored; ``Lead.save`` applies it once more to every
text and JSON field, so no other way in (a command, an API) can bring one back.
"""

import re

# C0 controls, DEL and C1 controls. Tab, line feed and carriage return are kept in
# multi-line text only.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"[\t\n\r]+")
# Lone surrogates cannot be encoded as UTF-8; Python produces them from some inputs.
_SURROGATES = re.compile(r"[\ud800-\udfff]")


def clean_text(value, limit=None):
    """``value`` as a string without control characters (line breaks and tabs kept), cut to ``limit``."""
    if value is None:
        return ""
    text = _SURROGATES.sub("\ufffd", _CONTROL.sub("", str(value)))
    return text[:limit] if limit is not None else text


def clean_line(value, limit=None):
    """Like ``clean_text``, for one-line values (URLs, UTM parameters, headers): line breaks become spaces."""
    text = _LINE_BREAKS.sub(" ", clean_text(value)).strip()
    return text[:limit] if limit is not None else text


def clean_data(value):
    """JSON-ready data with every string (keys too) cleaned; PostgreSQL's jsonb refuses ``\\u0000``."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {
            clean_text(key) if isinstance(key, str) else key: clean_data(item) for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [clean_data(item) for item in value]
    return value


def has_control_characters(value):
    """True when ``value`` holds a character ``clean_text`` would remove."""
    return bool(_CONTROL.search(value or "") or _SURROGATES.search(value or ""))
