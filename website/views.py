"""Site-wide views: article search and robots.txt."""

import re

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from wagtail.models import Locale

from articles.models import visible_articles

SEARCH_RESULTS_PER_PAGE = 10
MAX_QUERY_LENGTH = 200
# Unbalanced double quotes break SQLite's FTS syntax and NUL bytes PostgreSQL's
# text literals; neither means anything in a plain search, so they become spaces.
UNSEARCHABLE_CHARACTERS = re.compile(r'["\x00-\x1f\x7f]')


@require_GET
def search(request):
    """Full-text search over the articles in the reader's language."""
    query = UNSEARCHABLE_CHARACTERS.sub(" ", request.GET.get("q", "")).strip()[:MAX_QUERY_LENGTH]
    results = None
    if query:
        articles = visible_articles().filter(locale=Locale.get_active())
        results = articles.search(query)
        paginator = Paginator(results, SEARCH_RESULTS_PER_PAGE)
        try:
            results = paginator.page(request.GET.get("page", 1))
        except PageNotAnInteger:
            results = paginator.page(1)
        except EmptyPage:
            results = paginator.page(paginator.num_pages)
    return render(request, "website/search.html", {"search_query": query, "search_results": results})


@require_GET
def robots_txt(request):
    sitemap_url = request.build_absolute_uri(reverse("sitemap"))
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /documents/", "", f"Sitemap: {sitemap_url}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
