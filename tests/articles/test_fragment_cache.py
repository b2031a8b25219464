"""Cached fragments of article pages: served again, invalidated on publish, never one reader's data, keyed."""

import pytest
from django.core.cache.backends.dummy import DummyCache
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from articles import fragment_cache
from articles.models import ArticlePage
from tests.factories import (
    ArticlePageFactory,
    AuthorFactory,
    QuestionnaireFactory,
    teaser_urls,
    wizard_article,
)
from tests.utils import CSRF_RE, WizardRun, sql_of

RELATED = ".related-articles"
STEP_TITLE = 'class="leadwizard__step-title"'


@pytest.fixture(autouse=True)
def empty_fragment_cache():
    # Tests roll their transactions back, so on-commit invalidation never runs between them.
    fragment_cache.get_cache().clear()
    fragment_cache.LOCAL.clear()
    yield
    fragment_cache.get_cache().clear()
    fragment_cache.LOCAL.clear()


@pytest.fixture
def article(site_tree):
    related = ArticlePageFactory(parent=site_tree.index, title="Was kostet ein CRM?")
    page, block_id = wizard_article(site_tree.index, QuestionnaireFactory(), related=[related])
    return page, block_id, related


def test_a_published_title_of_a_related_article_shows_in_the_teaser(
    article, client, django_capture_on_commit_callbacks
):
    page, _block_id, related = article
    assert ">Was kostet ein CRM?</a>" in client.get(page.url).content.decode()

    # Changed without publishing (no signal): the stored fragment is what readers get.
    ArticlePage.objects.filter(pk=related.pk).update(title="Unveröffentlicht")
    assert ">Was kostet ein CRM?</a>" in client.get(page.url).content.decode()

    related.refresh_from_db()
    related.title = "CRM-Kosten im Überblick"
    with django_capture_on_commit_callbacks(execute=True):
        related.save_revision().publish()
    html = client.get(page.url).content.decode()
    assert ">CRM-Kosten im Überblick</a>" in html
    assert ">Was kostet ein CRM?</a>" not in html


def test_unpublishing_a_related_article_removes_its_teaser(
    article, client, django_capture_on_commit_callbacks
):
    page, _block_id, related = article
    assert teaser_urls(client.get(page.url), RELATED) == [related.url]

    with django_capture_on_commit_callbacks(execute=True):
        related.unpublish()
    assert teaser_urls(client.get(page.url), RELATED) == []


def test_saving_an_author_invalidates_the_byline(site_tree, client, django_capture_on_commit_callbacks):
    author = AuthorFactory(name="Petra Schreiber")
    page = ArticlePageFactory(parent=site_tree.index, author=author)
    assert "Petra Schreiber" in client.get(page.url).content.decode()

    author.name = "Petra Schreiber-Lang"
    with django_capture_on_commit_callbacks(execute=True):
        author.save()
    assert "Petra Schreiber-Lang" in client.get(page.url).content.decode()


def test_a_stored_fragment_costs_no_teaser_or_body_queries(article, client):
    page, *_ = article
    with CaptureQueriesContext(connection) as queries:
        client.get(page.url)
    # Read now: the next request's start empties Django's query log.
    rendered = sql_of(queries.captured_queries)
    with CaptureQueriesContext(connection) as queries:
        client.get(page.url)
    served = sql_of(queries.captured_queries)
    assert any("articles_relatedarticle" in sql for sql in rendered)
    assert not any("articles_relatedarticle" in sql for sql in served)
    assert len(served) < len(rendered)


def test_fragments_hold_no_readers_data(article):
    page, block_id, _related = article
    first, second = Client(), Client()
    first_html = first.get(page.url).content.decode()
    second_html = second.get(page.url).content.decode()
    assert "\x00" not in first_html + second_html  # every hole was filled
    # Each reader gets their own CSRF token, although the article came from the cache.
    assert CSRF_RE.search(first_html).group(1) != CSRF_RE.search(second_html).group(1)

    # A reader further on sees their own step inside the cached article; a new reader the first step.
    run = WizardRun(Client(), page, block_id)
    run.start()
    run.answer(industry="handel")
    assert run.response.status_code == 200
    further = run.html
    fresh = Client().get(page.url).content.decode()
    assert STEP_TITLE in further and STEP_TITLE in fresh
    step_of = lambda html: html.split(STEP_TITLE, 1)[1].split("</h3>", 1)[0]  # noqa: E731
    assert step_of(further) != step_of(fresh)
    assert run.token not in fresh
    stored_fragments = [
        value for key, value in fragment_cache.get_cache()._cache.items() if "template.cache." in key
    ]
    assert stored_fragments
    for stored in stored_fragments:
        assert run.token.encode() not in stored
        assert b'csrfmiddlewaretoken" value="' not in stored.replace(b"\x00", b"")


def test_keys_differ_by_language_site_host_and_generation(article):
    page, *_ = article
    request = RequestFactory().get(page.url)
    context = {"request": request, "page": page}
    with translation.override("de"):
        german = fragment_cache.scope(context)
    with translation.override("en"):
        english = fragment_cache.scope(context)
    assert german != english
    other_host = fragment_cache.scope(
        {"request": RequestFactory(HTTP_HOST="localhost").get(page.url), "page": page}
    )
    assert other_host != fragment_cache.scope({"request": RequestFactory().get(page.url), "page": page})

    before = fragment_cache.current_generation()
    fragment_cache.invalidate_all()
    assert fragment_cache.current_generation() != before


def test_fragments_of_the_previous_release_are_not_used(article, client, settings):
    page, _block_id, related = article
    settings.ARTICLES_FRAGMENT_CACHE_RELEASE = "release-1"
    assert ">Was kostet ein CRM?</a>" in client.get(page.url).content.decode()
    # Changed without publishing (no signal): only a fragment rendered anew shows it.
    ArticlePage.objects.filter(pk=related.pk).update(title="Neu gerendert")
    assert ">Was kostet ein CRM?</a>" in client.get(page.url).content.decode()

    settings.ARTICLES_FRAGMENT_CACHE_RELEASE = "release-2"
    assert ">Neu gerendert</a>" in client.get(page.url).content.decode()


def test_the_code_fingerprint_follows_contents_not_file_times(settings, tmp_path):
    from articles.invalidation import code_fingerprint

    settings.BASE_DIR = tmp_path
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    catalogue = tmp_path / "locale" / "de" / "LC_MESSAGES" / "django.po"
    catalogue.parent.mkdir(parents=True)
    catalogue.write_text('msgid "Read on"\nmsgstr "Lesen Sie weiter"\n')
    first = code_fingerprint()

    catalogue.write_text('msgid "Read on"\nmsgstr "Lesen Sie weiter"\n')  # rewritten, same content
    assert code_fingerprint() == first

    catalogue.write_text('msgid "Read on"\nmsgstr "Weiterlesen"\n')
    changed = code_fingerprint()
    assert changed != first

    (catalogue.parent / "django.mo").write_bytes(b"\x00")
    assert code_fingerprint() not in (first, changed)


def test_previews_are_never_cached(article):
    page, *_ = article
    response = page.make_preview_request(preview_mode=page.default_preview_mode)
    assert b"Was kostet ein CRM?" in response.content
    assert not any(
        key.split(":")[-1].startswith("template.cache.") for key in fragment_cache.get_cache()._cache
    )


def test_a_per_reader_block_is_found_inside_other_blocks():
    from wagtail import blocks

    from leadwizard.wizard.block import LeadWizardBlock

    class Column(blocks.StructBlock):
        wizard = LeadWizardBlock()

    assert fragment_cache.renders_per_reader(LeadWizardBlock())
    assert fragment_cache.renders_per_reader(blocks.ListBlock(Column()))
    assert not fragment_cache.renders_per_reader(blocks.StructBlock([("text", blocks.CharBlock())]))


def test_each_process_keeps_the_fragments_it_used_last(article, client, settings, monkeypatch):
    """A second reader's article asks the shared cache for the generation only; after a change the
    fragments are rendered anew, and with fragment caching off nothing is kept."""
    page, *_ = article
    shared = fragment_cache.get_cache()
    asked = []
    get = type(shared).get
    monkeypatch.setattr(
        type(shared), "get", lambda self, key, *a, **k: asked.append(key) or get(self, key, *a, **k)
    )
    first = client.get(page.url).content.decode()
    asked.clear()
    assert client.get(page.url).content.decode().count("Was kostet ein CRM?") == first.count(
        "Was kostet ein CRM?"
    )
    assert [key for key in asked if "template.cache." in key] == []
    assert fragment_cache.GENERATION_KEY in " ".join(asked)

    fragment_cache.invalidate_all()
    asked.clear()
    client.get(page.url)
    assert [key for key in asked if "template.cache." in key]  # a new generation: asked again

    settings.ARTICLES_FRAGMENT_LOCAL_ENTRIES = 0
    fragment_cache.LOCAL.clear()
    client.get(page.url)
    assert fragment_cache.LOCAL.get_count() == 0

    settings.ARTICLES_FRAGMENT_LOCAL_ENTRIES = 128
    monkeypatch.setattr(fragment_cache, "get_cache", lambda: DummyCache("dummy", {}))
    client.get(page.url)
    assert fragment_cache.LOCAL.get_count() == 0  # fragment caching off: nothing kept either
