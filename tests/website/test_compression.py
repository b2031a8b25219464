"""HTML is gzip-compressed by Django itself, for deployments where gunicorn answers without nginx.

GZipMiddleware sits above the page cache (website/settings/base.py): the cache
stores plain HTML and fills each reader's CSRF token into it, and only then is
the response compressed, fresh or cached.
"""

import gzip

import pytest
from django.test import Client

from tests.factories import QuestionnaireFactory, VendorFactory, wizard_article
from tests.utils import CSRF_RE
from website import page_cache

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


@pytest.fixture
def wizard_page(site_tree):
    """An article with the wizard: its form carries a CSRF token, a hole in the cached HTML."""
    questionnaire = QuestionnaireFactory()
    VendorFactory(questionnaire=questionnaire, name="Alpha CRM", industries=["handel"], uses=["sales"])
    page, _block_id = wizard_article(
        site_tree.index, questionnaire, title="CRM-Ratgeber", slug="crm-ratgeber"
    )
    return page


def html_of(response):
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]  # a shared cache must not hand gzip to a client without it
    return gzip.decompress(response.content).decode()


def test_a_page_is_gzip_compressed_for_a_browser_that_accepts_it(wizard_page):
    response = Client().get(wizard_page.url, **GZIP)

    assert response.status_code == 200
    html = html_of(response)
    assert html.startswith("<!DOCTYPE html>")
    assert "CRM-Ratgeber" in html
    assert int(response["Content-Length"]) == len(response.content)


def test_a_client_without_gzip_gets_plain_html(wizard_page):
    response = Client().get(wizard_page.url)

    assert not response.has_header("Content-Encoding")
    assert response.content.decode().startswith("<!DOCTYPE html>")


def test_a_cached_page_is_compressed_with_the_readers_own_csrf_token(settings, wizard_page):
    settings.PAGE_CACHE_ENABLED = True
    first = Client().get(wizard_page.url, **GZIP)
    assert first[page_cache.HEADER] == "miss"
    html_of(first)

    reader = Client()
    reader.cookies[settings.CSRF_COOKIE_NAME] = "a" * 32  # a reader who has Django's cookie already
    second = reader.get(wizard_page.url, **GZIP)

    assert second[page_cache.HEADER] == "hit"
    html = html_of(second)
    # The hole was filled before compression: the reader's token, not the stored placeholder.
    assert "\x00pagecache:" not in html
    token = CSRF_RE.search(html).group(1)
    assert token
    assert token != CSRF_RE.search(html_of(first)).group(1)


def test_compressed_length_varies_between_responses_against_breach(wizard_page):
    # Django (since 4.2) adds 0-99 random bytes to each gzip header, so an attacker who
    # reflects guesses into a page cannot read a secret off the compressed length.
    lengths = {len(Client().get(wizard_page.url, **GZIP).content) for _ in range(6)}

    assert len(lengths) > 1
