"""Serving wizard requests on any Wagtail page that holds a LeadWizardBlock.

Wizard steps are POSTed to the page itself, so the wizard works on every page
type without JavaScript: the page is rendered again with the wizard at the next
step. With JavaScript the same POST asks for just the wizard's HTML
(``X-LeadWizard: fragment``) and swaps it in place.
"""

from django.http import HttpResponse, HttpResponseBadRequest
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from .flow import FIELD_BLOCK, Wizard
from .placement import find_wizard

PARAM_BLOCK = "leadwizard-block"


def wizard_block_id(request):
    if request.method == "POST":
        return request.POST.get(FIELD_BLOCK)
    if request.headers.get("X-LeadWizard") == "fragment":
        return request.GET.get(PARAM_BLOCK)
    return None


def serve_with_wizard(next_serve):
    """``on_serve_page`` hook: handle a wizard POST (or fragment GET) before the page renders."""

    def serve(page, request, serve_args, serve_kwargs):
        block_id = wizard_block_id(request)
        if block_id is None:
            return next_serve(page, request, serve_args, serve_kwargs)

        page = page.specific
        found = find_wizard(page, block_id)
        if found is None or found[1].get("questionnaire") is None:
            response = HttpResponseBadRequest(
                _("This form does not exist (any more). Please reload the page."),
                content_type="text/plain; charset=utf-8",
            )
            add_never_cache_headers(response)
            return response

        block, value = found
        wizard = Wizard(request, page, block_id, value)
        result = wizard.handle()
        if isinstance(result, HttpResponse):
            add_never_cache_headers(result)
            return result

        request.leadwizard_results = {block_id: result}
        if wizard.is_fragment_request():
            html = block.render(value, context={"request": request, "page": page})
            response = HttpResponse(html, status=wizard.status)
        else:
            response = next_serve(page, request, serve_args, serve_kwargs)
            response.status_code = wizard.status
        add_never_cache_headers(response)
        return response

    return serve
