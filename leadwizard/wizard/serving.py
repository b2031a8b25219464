"""Serving wizard requests on any Wagtail page that holds a LeadWizardBlock.

Steps are posted to ``views.wizard_step`` and redirected to the page at the
reader's new place, whose address names the block (``leadwizard-block``) and
carries the reader's state; the serve hook here renders such a page with the
wizard at that place, so the wizard works on every page type without
JavaScript. With JavaScript the same requests ask for just the wizard's HTML
(``X-LeadWizard: fragment``) and swap it in place.
"""

from django.http import HttpResponse, HttpResponseBadRequest
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _

from .flow import FIELD_BLOCK, PARAM_BLOCK, PARAM_DONE, PARAM_STATE, Wizard
from .placement import find_wizard


def wizard_block_id(request):
    if request.method == "POST":
        return request.POST.get(FIELD_BLOCK)
    return request.GET.get(PARAM_BLOCK)


def is_wizard_address(request):
    """Whether this GET shows one reader's own place or confirmation: never cached, never shared."""
    return any(name in request.GET for name in (PARAM_BLOCK, PARAM_STATE, PARAM_DONE))


def unknown_wizard_response():
    response = HttpResponseBadRequest(
        _("This form does not exist (any more). Please reload the page."),
        content_type="text/plain; charset=utf-8",
    )
    add_never_cache_headers(response)
    return response


def private(response, wizard=None):
    """Headers of a response that belongs to one reader: no shared cache keeps it."""
    add_never_cache_headers(response)
    patch_cache_control(response, private=True)
    if wizard is not None and wizard.retry_after:
        response["Retry-After"] = str(wizard.retry_after)
    return response


def render_fragment(block, value, page, request, wizard, result):
    """Just the wizard's HTML at the place ``result`` describes, as the script swaps it in."""
    request.leadwizard_results = {wizard.block_id: result}
    html = block.render(value, context={"request": request, "page": page})
    return private(HttpResponse(html, status=wizard.status), wizard)


def serve_with_wizard(next_serve):
    """``on_serve_page`` hook: a wizard step posted to the page, or the page at a reader's place."""

    def serve(page, request, serve_args, serve_kwargs):
        block_id = wizard_block_id(request)
        if block_id is None:
            response = next_serve(page, request, serve_args, serve_kwargs)
            return private(response) if is_wizard_address(request) else response

        page = page.specific
        found = find_wizard(page, block_id)
        if found is None or found[1].get("questionnaire") is None:
            return unknown_wizard_response()

        block, value = found
        wizard = Wizard(request, page, block_id, value)
        result = wizard.handle()
        if isinstance(result, HttpResponse):
            return private(result)
        if wizard.is_fragment_request():
            return render_fragment(block, value, page, request, wizard, result)
        request.leadwizard_results = {block_id: result}
        response = next_serve(page, request, serve_args, serve_kwargs)
        response.status_code = wizard.status
        return private(response, wizard)

    return serve
