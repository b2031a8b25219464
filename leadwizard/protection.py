"""Abuse protection for the public wizard: rate limits per client and spam indicators.

Clients are told apart by a keyed hash of their address that lives only in the
cache; no IP address is ever stored with a lead.
"""

import hashlib
import hmac
import time

from django.conf import settings
from django.core.cache import cache

from .forms import HONEYPOT_FIELD


def _setting(name, default):
    return getattr(settings, name, default)


def client_fingerprint(request):
    """A keyed, non-reversible identifier of the client for rate limiting."""
    address = request.META.get("REMOTE_ADDR", "")
    if _setting("LEADWIZARD_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            address = forwarded.split(",")[0].strip()
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()[:32]


def hit_rate_limit(request, bucket, limit, window):
    """Count one hit in ``bucket`` for this client; True when the client is over ``limit`` per ``window`` seconds.

    A fixed window per client in the cache (Redis when REDIS_URL is set, so all
    app servers share it).
    """
    now = int(time.time())
    key = f"leadwizard:rl:{bucket}:{client_fingerprint(request)}:{now // window}"
    if cache.add(key, 1, timeout=window + 5):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=window + 5)
            count = 1
    return count > limit


def step_limit():
    return _setting("LEADWIZARD_STEP_RATE_LIMIT", (120, 600))


def submit_limit():
    return _setting("LEADWIZARD_SUBMIT_RATE_LIMIT", (5, 3600))


def spam_indicators(form_data, started_at, now=None):
    """Reasons to suspect a bot: the honeypot is filled, or the wizard was finished implausibly fast."""
    reasons = []
    if (form_data.get(HONEYPOT_FIELD) or "").strip():
        reasons.append("honeypot")
    minimum = _setting("LEADWIZARD_MIN_SECONDS", 5)
    now = time.time() if now is None else now
    if started_at is None or now - started_at < minimum:
        reasons.append("too_fast")
    return reasons
