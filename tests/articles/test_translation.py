"""Translating articles with wagtail-localize: the admin actions, links in the reader's language, sync."""

import pytest
from django.urls import reverse
from wagtail_localize.models import (
    StringSegment,
    StringTranslation,
    Translation,
    TranslationSource,
)

from articles.models import ArticlePage, RelatedArticle
from tests.factories import ArticlePageFactory, stream


class Translator:
    """Drives wagtail-localize as an editor does; runs the on-commit publishing it relies on."""

    def __init__(self, admin_client, capture_on_commit):
        self.client = admin_client
        self.capture = capture_on_commit

    def submit(self, page, locale):
        """The admin "Translate" action."""
        with self.capture(execute=True):
            response = self.client.post(
                reverse("wagtail_localize:submit_page_translation", args=[page.pk]),
                {"locales": [locale.pk]},
            )
        assert response.status_code == 302, response.content[:500]
        return ArticlePage.objects.get(translation_key=page.translation_key, locale=locale)

    def enter_strings(self, page, locale, texts):
        """Enter translations for source strings, as in the translation editor, and publish."""
        source = TranslationSource.objects.get_for_instance(page)
        for segment in StringSegment.objects.filter(source=source).select_related("string", "context"):
            if segment.string.data in texts:
                StringTranslation.objects.update_or_create(
                    translation_of=segment.string,
                    locale=locale,
                    context=segment.context,
                    defaults={"data": texts[segment.string.data]},
                )
        with self.capture(execute=True):
            Translation.objects.get(source=source, target_locale=locale).save_target(publish=True)

    def sync(self, page):
        """The admin "Sync translated pages" action after the source changed."""
        source = TranslationSource.objects.get_for_instance(page)
        with self.capture(execute=True):
            response = self.client.post(
                reverse("wagtail_localize:update_translations", args=[source.pk]),
                {"publish_translations": "on"},
            )
        assert response.status_code == 302


@pytest.fixture
def translator(admin_client, django_capture_on_commit_callbacks):
    return Translator(admin_client, django_capture_on_commit_callbacks)


@pytest.fixture
def linked_articles(site_tree):
    translated = ArticlePageFactory(parent=site_tree.index, title="Übersetzter Artikel", slug="uebersetzt")
    german_only = ArticlePageFactory(parent=site_tree.index, title="Nur deutsch", slug="nur-deutsch")
    article = ArticlePageFactory(
        parent=site_tree.index,
        title="Quellartikel",
        slug="quelle",
        teaser="Ein deutscher Teaser.",
        body=stream(
            ("paragraph", "<p>Deutscher Absatz.</p>"),
            ("read_also", {"page": translated.pk, "label": ""}),
            ("read_also", {"page": german_only.pk, "label": ""}),
        ),
        related=[translated, german_only],
    )
    return site_tree, article, translated, german_only


@pytest.mark.django_db
def test_translate_action_creates_the_english_page(translator, admin_client, linked_articles):
    site_tree, article, *_ = linked_articles
    english = translator.submit(article, site_tree.en)
    assert english.get_parent().specific == site_tree.index_en
    translator.enter_strings(
        article,
        site_tree.en,
        {"Quellartikel": "Source article", "Ein deutscher Teaser.": "An English teaser."},
    )
    english.refresh_from_db()
    assert english.live
    assert english.title == "Source article"
    assert english.teaser == "An English teaser."
    assert english.url.startswith("/en/")
    assert admin_client.get(english.url).status_code == 200


@pytest.mark.django_db
def test_english_links_point_to_english_pages_with_german_fallback(translator, client, linked_articles):
    site_tree, article, translated, german_only = linked_articles
    translated_en = translator.submit(translated, site_tree.en)
    translator.enter_strings(translated, site_tree.en, {"Übersetzter Artikel": "Translated article"})
    english = translator.submit(article, site_tree.en)

    html = client.get(english.url).content.decode()
    translated_en.refresh_from_db()
    # "Read also" blocks and related teasers: English where translated, German source otherwise.
    assert html.count(f'href="{translated_en.url}"') >= 3
    assert f'href="{translated.url}"' not in html
    assert html.count(f'href="{german_only.url}"') >= 3
    assert "Translated article" in html

    german_html = client.get(article.url).content.decode()
    assert f'href="{translated.url}"' in german_html
    assert f'href="{translated_en.url}"' not in german_html


@pytest.mark.django_db
def test_sync_after_the_german_source_changes(translator, linked_articles):
    site_tree, article, translated, german_only = linked_articles
    english = translator.submit(article, site_tree.en)
    translator.enter_strings(article, site_tree.en, {"Quellartikel": "Source article"})

    newcomer = ArticlePageFactory(parent=site_tree.index, title="Neu", slug="neu")
    article.refresh_from_db()
    article.teaser = "Ein geänderter Teaser."
    article.related_links.add(RelatedArticle(article=newcomer))
    article.save_revision().publish()

    translator.sync(article)
    english.refresh_from_db()
    # Synchronised fields follow the source, translated strings are kept, new
    # strings show the source text until a translator gets to them.
    assert [link.article_id for link in english.related_links.all()] == [
        translated.pk,
        german_only.pk,
        newcomer.pk,
    ]
    assert english.title == "Source article"
    assert english.teaser == "Ein geänderter Teaser."
