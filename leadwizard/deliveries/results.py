"""The reader's results page: a signed, expiring link in their e-mails to their longlist and shortlist.

The link carries the lead's submission key, signed; nothing in it can be
guessed or changed into another reader's. The page shows the vendors that
matched with the reasons per vendor, a link to the published ranking
explanation and, once the consultant has sent it, the shortlist and message.
"""

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ..catalogue import localized_matches
from ..conf import app_settings
from ..models import Lead
from .links import lead_link, submission_key_from_token

RESULTS_SALT = "leadwizard.results"
RESULTS_TEMPLATE = "leadwizard/results.html"


def results_url(lead):
    """The absolute link to the lead's results page, in the lead's language."""
    return lead_link(lead, "leadwizard:results", RESULTS_SALT)


def lead_for_results_token(token):
    """The lead a results link belongs to and the state to show: (lead, "ok" | "expired" | "invalid")."""
    key, state = submission_key_from_token(token, RESULTS_SALT, app_settings.RESULTS_MAX_AGE)
    if key is None:
        return None, state
    lead = (
        Lead.objects.filter(submission_key=key, erased_at__isnull=True)
        .select_related("questionnaire")
        .first()
    )
    return (lead, "ok") if lead else (None, "invalid")


def sent_shortlist(lead):
    """The latest shortlist whose e-mail went out, as the reader got it; None before one was sent."""
    shortlist = lead.shortlists.filter(sent_at__isnull=False).order_by("-sent_at", "-pk").first()
    return {"shortlist": shortlist, "vendors": shortlist.vendors} if shortlist else None


@never_cache
@require_GET
def results_page(request, token):
    lead, state = lead_for_results_token(token)
    if lead is None:
        return render(request, RESULTS_TEMPLATE, {"state": state}, status=410 if state == "expired" else 404)
    response = render(
        request,
        RESULTS_TEMPLATE,
        {
            "state": state,
            "lead": lead,
            "longlist": localized_matches(lead),
            "sent": sent_shortlist(lead),
            "explanation_url": app_settings.RANKING_EXPLANATION_URL,
        },
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
