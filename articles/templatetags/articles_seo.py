"""Search engine helpers of the articles plugin: meta descriptions from rich or plain text.

A site's own page types may use them too (``{{ value|meta_summary }}`` in a
template, ``meta_summary(value)`` in Python); they import no model.
"""

import html
import re

from django import template
from django.utils.html import strip_tags

register = template.Library()

# Search engines show about 155 characters of a description before cutting it themselves.
META_DESCRIPTION_LENGTH = 155

_FIRST_PARAGRAPH = re.compile(r"<p(?:\s[^>]*)?>(.*?)</p>", re.IGNORECASE | re.DOTALL)
# Block-level ends become spaces, so that "<h2>Title</h2><p>Text" does not read "TitleText".
_BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|div|blockquote)>|<br\s*/?>", re.IGNORECASE)


def plain_text(value):
    """``value`` (HTML or plain text) as one line of text: no tags, entities decoded, spaces collapsed."""
    text = strip_tags(_BLOCK_END.sub(" ", str(value or "")))
    return " ".join(html.unescape(text).split())


def meta_summary(value, limit=META_DESCRIPTION_LENGTH):
    """Plain text of ``value`` cut at a word boundary to at most ``limit`` characters (with "…" when cut)."""
    text = plain_text(value)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut and not text[limit - 1].isspace():
        # Never half a word: drop the one that was cut through.
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:–-") + "…"


def first_paragraph(value):
    """The text of the first non-empty ``<p>`` of rich text; all of its text when it has no paragraph."""
    for match in _FIRST_PARAGRAPH.finditer(str(value or "")):
        text = plain_text(match.group(1))
        if text:
            return text
    return plain_text(value)


@register.filter(name="meta_summary")
def meta_summary_filter(value, limit=META_DESCRIPTION_LENGTH):
    """``{{ value|meta_summary }}``: a meta description from HTML or plain text (about 155 characters)."""
    return meta_summary(value, int(limit))
