"""An article with the wizard and "Lesen Sie weiter" teasers on the demo site: a fixed, small number of queries.

Issue 15: with every cache of ours off (page cache and fragment caches) at most
14 queries for a German article, however many articles are linked; with the
fragment caches on, the fragments spare the teasers' and the body's queries.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import fragment_cache
from tests.factories import (
    ArticlePageFactory,
    ImageFactory,
    QuestionnaireFactory,
    TopicFactory,
    teaser_urls,
    translate_page,
    wizard_article,
)
from tests.utils import sql_of

MAX_QUERIES = 14
RELATED = ".related-articles"


@pytest.fixture
def caches_off(settings):
    settings.PAGE_CACHE_ENABLED = False
    settings.CACHES = {
        **settings.CACHES,
        "template_fragments": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }
    return settings


@pytest.fixture
def fragments_on(settings):
    settings.PAGE_CACHE_ENABLED = False
    fragment_cache.get_cache().clear()
    fragment_cache.LOCAL.clear()
    yield settings
    fragment_cache.get_cache().clear()
    fragment_cache.LOCAL.clear()


def articles_with(site_tree, counts):
    """One wizard article per count, each linking that many articles (and a "Read also" block's worth of topics)."""
    questionnaire = QuestionnaireFactory()
    crm = TopicFactory()
    pages = []
    for count in counts:
        linked = [ArticlePageFactory(parent=site_tree.index, topics=[crm]) for _ in range(count)]
        page, _block_id = wizard_article(site_tree.index, questionnaire, topics=[crm], related=linked)
        pages.append(page)
    return pages


def queries_of(client, url):
    assert client.get(url).status_code == 200  # warm-up: Wagtail's site root paths, renditions
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


# English pages that fall back to German links cost up to three more: the German articles' index
# (their author and topic addresses), the topics' and the questionnaire's English versions.
@pytest.mark.parametrize(("language", "max_queries"), [("de", MAX_QUERIES), ("en", MAX_QUERIES + 3)])
def test_a_fixed_number_of_queries_with_every_cache_off_whatever_the_number_of_links(
    caches_off, site_tree, client, language, max_queries, django_assert_max_num_queries
):
    pages = articles_with(site_tree, [3, 12])
    if language == "en":
        # Some linked articles exist in English, the others fall back to German.
        pages = [translate_page(page, site_tree.en) for page in pages]

    counts = []
    for page, linked in zip(pages, [3, 12], strict=True):
        client.get(page.url)  # warm-up: Wagtail's site root paths, renditions
        with django_assert_max_num_queries(max_queries):
            response = client.get(page.url)
        assert len(teaser_urls(response, RELATED)) == linked
        assert "data-leadwizard" in response.content.decode()
        counts.append(queries_of(client, page.url)[0])
    assert counts[0] == counts[1]


def test_stored_fragments_spare_the_teasers_queries(fragments_on, site_tree, client):
    [page] = articles_with(site_tree, [5])
    teasers = ("articles_relatedarticle", "articles_articlepage_topics")
    with CaptureQueriesContext(connection) as queries:
        client.get(page.url)
    # Read now: the next request's start empties Django's query log.
    rendered = sql_of(queries.captured_queries)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page.url)
    served = sql_of(queries.captured_queries)

    assert len(teaser_urls(response, RELATED)) == 5
    assert "data-leadwizard" in response.content.decode()
    assert any(table in sql for sql in rendered for table in teasers)
    assert not any(table in sql for sql in served for table in teasers)
    assert len(served) < len(rendered)


def test_the_share_image_of_a_cached_article_takes_no_rendition_lookup(
    site_tree, client, monkeypatch, fragments_on
):
    """Wagtail's ``{% image %}`` writes the rendition to its cache on every call: the og:image is a fragment."""
    from wagtail.images import get_image_model

    page = ArticlePageFactory(parent=site_tree.index, hero_image=ImageFactory())
    first = client.get(page.url).content.decode()
    assert 'property="og:image"' in first
    rendition_cache = get_image_model().get_rendition_model().cache_backend
    used = []
    for name in ("get", "get_many", "set", "set_many"):
        method = getattr(type(rendition_cache), name)
        monkeypatch.setattr(
            type(rendition_cache),
            name,
            lambda self, key, *a, _name=name, _method=method, **k: (
                used.append((_name, key)) or _method(self, key, *a, **k)
            ),
        )
    second = client.get(page.url).content.decode()
    assert [call for call in used if "rendition" in str(call[1])] == []
    assert second.count('property="og:image"') == 1
