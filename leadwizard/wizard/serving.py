"""Serving wizard requests on any Wagtail page that holds a LeadWizardBlock.

Wizard steps are POSTed to the page itself, so the wizard works on every page
type without JavaScript: the page is rendered again with the wizard at the next
step. With JavaScript the same POST asks for just the wizard's HTML
(``X-LeadWizard: fragment``) and swaps it in place.
"""

from django.http import HttpResponse, HttpResponseBadRequest
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from wagtail.fields import StreamField

from .blocks import LeadWizardBlock
from .wizard import FIELD_BLOCK, Wizard

PARAM_BLOCK = "leadwizard-block"


def find_wizard_block(page, block_id):
    """The top-level LeadWizardBlock with ``block_id`` in any StreamField of ``page``, or None."""
    for model_field in page._meta.get_fields():
        if isinstance(model_field, StreamField):
            for child in getattr(page, model_field.name):
                if child.id == block_id and isinstance(child.block, LeadWizardBlock):
                    return child
    return None


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
        child = find_wizard_block(page, block_id)
        if child is None or child.value.get("questionnaire") is None:
            response = HttpResponseBadRequest(
                _("This form does not exist (any more). Please reload the page."),
                content_type="text/plain; charset=utf-8",
            )
            add_never_cache_headers(response)
            return response

        wizard = Wizard(request, page, block_id, child.value)
        result = wizard.handle()
        if isinstance(result, HttpResponse):
            add_never_cache_headers(result)
            return result

        request.leadwizard_results = {block_id: result}
        if wizard.is_fragment_request():
            html = child.render(context={"request": request, "page": page})
            response = HttpResponse(html, status=wizard.status)
        else:
            response = next_serve(page, request, serve_args, serve_kwargs)
            response.status_code = wizard.status
        add_never_cache_headers(response)
        return response

    return serve
