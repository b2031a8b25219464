"""Absolute links in e-mails: to the public site the lead came from, and signed links that name a lead."""

import re
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import translation


def site_root_url(lead):
    """The public site the lead came from (scheme and host), for links in e-mails."""
    parts = urlsplit(lead.source_url or "")
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")


def absolute_links(markup, root):
    """``markup`` with site-relative ``href`` and ``src`` made absolute under ``root``."""
    return re.sub(r'(href|src)="/(?!/)', lambda m: f'{m.group(1)}="{root}/', markup)


def lead_token(lead, salt):
    """A signed token naming the lead by its submission key; ``salt`` keeps one link's token out of another's."""
    return signing.dumps(lead.submission_key.hex, salt=salt)


def lead_link(lead, view_name, salt):
    """The absolute link to ``view_name`` with the lead's token, in the lead's language."""
    with translation.override(lead.locale or settings.LANGUAGE_CODE):
        path = reverse(view_name, args=[lead_token(lead, salt)])
    return f"{site_root_url(lead)}{path}"


def submission_key_from_token(token, salt, max_age):
    """``(submission key, "ok")``, or ``(None, "expired" | "invalid")`` for a token that is not (any more) good."""
    try:
        return uuid.UUID(hex=signing.loads(token, salt=salt, max_age=max_age)), "ok"
    except signing.SignatureExpired:
        return None, "expired"
    except (signing.BadSignature, TypeError, ValueError, AttributeError):
        return None, "invalid"
