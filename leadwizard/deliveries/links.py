"""Absolute links in e-mails: to the public site the lead came from."""

import re
from urllib.parse import urlsplit

from django.conf import settings


def site_root_url(lead):
    """The public site the lead came from (scheme and host), for links in e-mails."""
    parts = urlsplit(lead.source_url or "")
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")


def absolute_links(markup, root):
    """``markup`` with site-relative ``href`` and ``src`` made absolute under ``root``."""
    return re.sub(r'(href|src)="/(?!/)', lambda m: f'{m.group(1)}="{root}/', markup)
