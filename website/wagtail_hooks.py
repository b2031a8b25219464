"""Wagtail hooks of the host project."""

from wagtail import hooks

from .page_cache import mark_cacheable


@hooks.register("before_serve_page")
def allow_page_cache(page, request, serve_args, serve_kwargs):
    """Responses of Wagtail pages may go into the page cache (the middleware decides)."""
    mark_cacheable(request, page)
