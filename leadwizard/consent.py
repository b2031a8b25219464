"""Consent texts: what the reader saw, and a version that identifies it."""

import hashlib
import re

from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from wagtail.rich_text import expand_db_html

_WHITESPACE = re.compile(r"\s+")

# The optional marketing consent has its own text, translated like the rest of the UI;
# a lead stores the text shown in the reader's language and its version.
MARKETING_CONSENT_TEXT = _(
    "Yes, I would like to receive occasional news about choosing a CRM by e-mail. "
    "I can withdraw this consent at any time."
)


def render_consent_html(rich_text):
    """The consent text as the reader sees it: stored rich text with links expanded to URLs."""
    return expand_db_html(rich_text or "")


def consent_version(html):
    """SHA-256 of the consent text shown, ignoring markup and whitespace differences.

    Two texts that read the same get the same version; any change of wording
    or link target (the URL is part of the text) gives a new one.
    """
    hrefs = " ".join(re.findall(r'href="([^"]*)"', html or ""))
    text = _WHITESPACE.sub(" ", strip_tags(html or "")).strip()
    return hashlib.sha256(f"{text}\n{hrefs}".encode()).hexdigest()
