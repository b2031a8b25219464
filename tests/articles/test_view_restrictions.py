"""Private articles stay private while routing finds, in its one query, that public ones need no check.

Wagtail checks a page's view restrictions before serving it, with two queries (the
ancestors' alias sources, then the restrictions). The magazine's routing reads the
article together with whether any restriction may apply, so a public article is
served without them, and every other article still gets Wagtail's own check.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ArticlePageFactory, restrict_page

pytestmark = pytest.mark.django_db

ARTICLE_TEXT = "Nur für Eingeweihte"


def restriction_queries(client, url):
    """(response, queries that read view restrictions themselves, not as a subquery of another query)."""
    client.get(url)  # warm-up: Wagtail's site root paths
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    reads = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT "wagtailcore_pageviewrestriction"')
    ]
    return response, reads


def asks_for_password(response):
    html = response.content.decode()
    return response.status_code == 200 and 'name="password"' in html and ARTICLE_TEXT not in html


def article(site_tree, **kwargs):
    return ArticlePageFactory(parent=site_tree.index, teaser=ARTICLE_TEXT, **kwargs)


def test_a_public_article_is_served_without_reading_view_restrictions(site_tree, client):
    page = article(site_tree)

    response, reads = restriction_queries(client, page.url)

    assert response.status_code == 200 and ARTICLE_TEXT in response.content.decode()
    assert reads == []


def test_a_private_article_asks_for_its_password(site_tree, client):
    page = article(site_tree)
    restrict_page(page)

    response, reads = restriction_queries(client, page.url)

    assert asks_for_password(response)
    assert reads  # Wagtail's own check decided


def test_an_article_in_a_private_magazine_asks_for_the_password(site_tree, client):
    page = article(site_tree)
    restrict_page(site_tree.index)

    assert asks_for_password(client.get(page.url))


def test_an_alias_of_a_private_article_asks_for_the_password(site_tree, client):
    page = article(site_tree)
    alias = page.create_alias(update_slug="kopie")
    restrict_page(page)  # on the source: an alias has its source's restrictions

    assert asks_for_password(client.get(alias.url))
