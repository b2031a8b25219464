"""Serving wizard requests on any Wagtail page that holds a LeadWizardBlock.

Steps are posted to ``views.wizard_step`` and redirected to the page at the
reader's new place, whose address names the block (``leadwizard-block``) and
carries the reader's state; the serve hook here renders such a page with the
wizard at that place, so the wizard works on every page type without
JavaScript. With JavaScript the same requests ask for just the wizard's HTML
(``X-LeadWizard: fragment``) and swap it in place.

A page cache may serve such an address from the page it stored for everyone
(``serve_place``): the block's HTML sits between two comments that name it
(``<!--leadwizard-block:ID-->`` … ``<!--/leadwizard-block:ID-->``), and only that
part is rendered for the reader, exactly as the serve hook would render it.
"""

from django.http import HttpResponse, HttpResponseBadRequest
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.html import escape
from django.utils.translation import gettext as _

from .flow import FIELD_BLOCK, PARAM_BLOCK, PARAM_DONE, PARAM_STATE, Wizard, done_block_id
from .pages import is_public_for, live_page
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


def place_marks(block_id):
    """The comments around a wizard block's HTML, as bytes: where ``serve_place`` puts the reader's wizard."""
    name = escape(block_id)
    return f"<!--leadwizard-block:{name}-->".encode(), f"<!--/leadwizard-block:{name}-->".encode()


def is_place_address(request):
    """Whether this GET is a reader's place in a wizard that ``serve_place`` may serve: a step or a confirmation."""
    return PARAM_BLOCK in request.GET or PARAM_DONE in request.GET


def serve_place(request, page_id, content):
    """A reader's wizard address (a GET) served from the HTML a page cache stored for everyone.

    ``content`` is the stored page (bytes, its per-request holes filled): the
    same page without the wizard's parameters, which holds every wizard at its
    first step. The wizard the address names is rendered for this reader and put
    in place of its part of the page, with the headers and status the serve
    hook gives (``private``). Returns None when the address must be served the
    usual way: the page is gone or not public, the block is not on it, or not in
    the stored HTML. A wizard answer that is a redirect is returned as it is.

    The stored HTML never holds a reader's place: the cache stores only pages
    served without wizard parameters, and every reader's part is rendered here
    per request.
    """
    # A confirmation's address names its block in its token only.
    block_id = request.GET.get(PARAM_BLOCK) or done_block_id(request.GET.get(PARAM_DONE))
    if not block_id:
        return None
    start, end = place_marks(block_id)
    begin = content.find(start)
    finish = content.find(end, begin + len(start)) if begin >= 0 else -1
    if finish < 0:
        return None
    page = live_page(page_id)
    if page is None or not is_public_for(page, request):
        return None
    found = find_wizard(page, block_id)
    if found is None or found[1].get("questionnaire") is None:
        return None
    block, value = found
    with translation.override(page.locale.language_code):
        wizard = Wizard(request, page, block_id, value)
        result = wizard.handle()
        if isinstance(result, HttpResponse):
            return private(result)
        request.leadwizard_results = {block_id: result}
        html = block.render(value, context={"request": request, "page": page})
    html = html.encode()
    # Only the marked part: whatever the block's template writes around it is in the stored page already.
    part_begin = html.find(start)
    part_end = html.find(end, part_begin + len(start)) if part_begin >= 0 else -1
    if part_end < 0:
        return None
    body = content[:begin] + html[part_begin : part_end + len(end)] + content[finish + len(end) :]
    return private(HttpResponse(body, status=wizard.status), wizard)
