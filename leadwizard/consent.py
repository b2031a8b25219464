"""Consent texts: what the reader saw, and a version that identifies it; how a withdrawn address is recognised."""

import hashlib
import re

from django.conf import settings
from django.utils.crypto import salted_hmac
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
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


def questionnaire_consent_html(questionnaire, field="consent_text"):
    """``render_consent_html`` of a questionnaire's consent field (safe HTML), expanded once per instance and language.

    The contact step shows the texts and the final submit stores them, and
    expanding the links of rich text costs queries each time. A process keeps its
    questionnaires briefly (``questionnaires.load``, ``LEADWIZARD_QUESTIONNAIRE_LOCAL_SECONDS``),
    and the text expanded for one goes with it: a link whose page moved shows
    its new address once the questionnaire is read again, as the rest of it does.
    """
    text = getattr(questionnaire, field) or ""
    expanded = questionnaire.__dict__.setdefault("_leadwizard_consent_html", {})
    key = (field, get_language(), text)
    if key not in expanded:
        # Editors' rich text with its links expanded, as Wagtail's |richtext filter marks it safe.
        expanded[key] = mark_safe(render_consent_html(text))  # noqa: S308
    return expanded[key]


def consent_version(html):
    """SHA-256 of the consent text shown, ignoring markup and whitespace differences.

    Two texts that read the same get the same version; any change of wording
    or link target (the URL is part of the text) gives a new one.
    """
    hrefs = " ".join(re.findall(r'href="([^"]*)"', html or ""))
    text = _WHITESPACE.sub(" ", strip_tags(html or "")).strip()
    return hashlib.sha256(f"{text}\n{hrefs}".encode()).hexdigest()


# Withdrawal of the marketing consent --------------------------------------------------------------

#: The audit-log action of a withdrawal; each lead of the address gets one entry (source, who, when).
LOG_MARKETING_WITHDRAWN = "leadwizard.lead.marketing_withdrawn"
#: Keeps these hashes apart from every other use of the secret key.
ADDRESS_HASH_SALT = "leadwizard.marketing.withdrawn-address"


def normalise_email(email):
    """The address as compared for withdrawals: no surrounding space, lower case ("" for none)."""
    return (email or "").strip().lower()


def address_hashes(email):
    """Keyed hashes of the normalised ``email``: with ``SECRET_KEY`` first, then each fallback key.

    A keyed hash (HMAC), not a plain one: a list of plain SHA-256 hashes of
    e-mail addresses can be reversed by hashing a list of known addresses.
    The fallbacks keep a withdrawal recognised while the secret key is rotated.
    Empty for an empty address (erased leads), which must never match.
    """
    address = normalise_email(email)
    if not address:
        return []
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [
        salted_hmac(ADDRESS_HASH_SALT, address, secret=secret, algorithm="sha256").hexdigest()
        for secret in secrets
    ]


def address_hash(email):
    """The keyed hash stored for ``email`` now ("" for an empty address)."""
    hashes = address_hashes(email)
    return hashes[0] if hashes else ""
