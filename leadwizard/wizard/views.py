"""The address wizard steps are posted to: ``leadwizard:step``, one per page.

A view of its own rather than the page, so that the wizard can protect itself
against forged posts without Django's CSRF cookie (``forgery``): readers who
block cookies answer like everyone else. It answers with a redirect to the page
at the reader's new place, or with the wizard's HTML for the script.
"""

from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .flow import FIELD_BLOCK, FIELD_TOKEN, NOTICE_UNVERIFIED, Wizard
from .forgery import forgery_reason
from .pages import is_public_for, live_page
from .placement import find_wizard
from .serving import private, render_fragment, unknown_wizard_response


@csrf_exempt  # forgery_reason() checks instead, with or without the cookie
@require_POST
def wizard_step(request, page_id):
    page = live_page(page_id)
    if page is None:
        raise Http404
    if not is_public_for(page, request):
        return private(HttpResponseForbidden(_("This page is not public."), content_type="text/plain"))
    found = find_wizard(page, request.POST.get(FIELD_BLOCK))
    if found is None or found[1].get("questionnaire") is None:
        return unknown_wizard_response()

    block, value = found
    # The page's language, whatever address the form was posted to.
    with translation.override(page.locale.language_code):
        wizard = Wizard(request, page, request.POST[FIELD_BLOCK], value)
        result = refused(wizard) if forgery_reason(request) else wizard.handle()
        if isinstance(result, HttpResponse):
            return private(result, wizard)
        if not wizard.is_fragment_request():
            raise Http404  # only a post to the page itself renders without a redirect
        return render_fragment(block, value, page, request, wizard, result)


def refused(wizard):
    """A post that may come from another site changes nothing; the reader is shown their place again."""
    wizard.status = 403
    state, problem = wizard.load_state(wizard.request.POST.get(FIELD_TOKEN, ""))
    if problem:
        state = wizard.fresh_state()
    return wizard.respond(state, notice=NOTICE_UNVERIFIED)
