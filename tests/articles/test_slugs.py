"""Slugs spell umlauts out as German readers expect; translations get translated slugs."""

import json

import pytest
from wagtail.contrib.redirects.models import Redirect
from wagtail_localize.models import StringSegment, StringTranslation, TranslationSource

from articles.models import ArticlePage, GermanSlugInput, Topic, german_slugify
from tests.factories import ArticlePageFactory, TopicFactory


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("CRM für den Mittelstand", "crm-fuer-den-mittelstand"),
        ("Größe & Übersicht", "groesse-uebersicht"),
        ("ÄRGER mit Öl", "aerger-mit-oel"),
        ("Straße", "strasse"),
        ("Café crème", "cafe-creme"),
    ],
)
def test_german_slugify(text, slug):
    # Django's slugify drops the dots ("fur"); Wagtail keeps the umlaut ("f%C3%BCr" in links).
    assert german_slugify(text) == slug


def test_admin_slug_field_transliterates_while_typing():
    # Wagtail's slug script runs these replacements before its own, ASCII-only transliteration.
    attrs = GermanSlugInput().attrs
    assert attrs["data-w-slug-allow-unicode-value"] == "false"
    formatters = {
        pattern[0]: replacement for pattern, replacement in json.loads(attrs["data-w-slug-formatters-value"])
    }
    assert formatters["ü"] == "ue"
    assert formatters["Ö"] == "Oe"
    assert formatters["ß"] == "ss"


@pytest.mark.django_db
def test_article_created_in_the_admin_gets_a_transliterated_slug(admin_client, site_tree):
    url = f"/admin/pages/add/articles/articlepage/{site_tree.index.pk}/"
    assert "data-w-slug-formatters-value" in admin_client.get(url).content.decode()

    # The slug as the browser sends it without JavaScript, or with Wagtail's default (unicode) script.
    response = admin_client.post(
        url,
        {
            "title": "CRM für Einsteiger",
            "slug": "crm-für-einsteiger",
            "teaser": "Kurz.",
            "body-count": "0",
            "related_links-TOTAL_FORMS": "0",
            "related_links-INITIAL_FORMS": "0",
            "related_links-MIN_NUM_FORMS": "0",
            "related_links-MAX_NUM_FORMS": "1000",
            "comments-TOTAL_FORMS": "0",
            "comments-INITIAL_FORMS": "0",
            "comments-MIN_NUM_FORMS": "0",
            "comments-MAX_NUM_FORMS": "1000",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert ArticlePage.objects.get(title="CRM für Einsteiger").slug == "crm-fuer-einsteiger"


@pytest.mark.django_db
def test_a_page_without_slug_gets_one_from_the_title(site_tree):
    page = ArticlePage(title="Übersicht der Größen", teaser="Kurz.", body="[]")
    site_tree.index.add_child(instance=page)
    assert page.slug == "uebersicht-der-groessen"


@pytest.mark.django_db
def test_a_published_umlaut_slug_is_transliterated_and_the_old_address_redirects(
    client, site_tree, django_capture_on_commit_callbacks
):
    article = ArticlePageFactory(parent=site_tree.index, slug="alt")
    # An address from before this change, stored without validation.
    ArticlePage.objects.filter(pk=article.pk).update(
        slug="crm-für-alle", url_path=article.url_path.replace("alt", "crm-für-alle")
    )
    article = ArticlePage.objects.get(pk=article.pk)

    with django_capture_on_commit_callbacks(execute=True):
        article.save_revision().publish()

    article.refresh_from_db()
    assert article.slug == "crm-fuer-alle"
    assert Redirect.objects.filter(redirect_page=article).exists()
    old = client.get("/magazin/crm-f%C3%BCr-alle/")
    assert (old.status_code, old["Location"]) == (301, "/magazin/crm-fuer-alle/")


@pytest.mark.django_db
def test_translation_gets_the_translated_slug_segment(site_tree):
    article = ArticlePageFactory(parent=site_tree.index, title="CRM-Auswahl", slug="crm-auswahl")
    source, _created = TranslationSource.get_or_create_from_instance(article)
    # The slug is one of the strings translators translate, like the title.
    segment = StringSegment.objects.get(source=source, context__path="slug")
    StringTranslation.objects.create(
        translation_of=segment.string, locale=site_tree.en, context=segment.context, data="choosing-a-crm"
    )

    english, _created = source.create_or_update_translation(site_tree.en, fallback=True)

    assert english.slug == "choosing-a-crm"
    assert english.url == "/en/magazin/choosing-a-crm/"


@pytest.mark.django_db
def test_topic_slugs_are_translatable_and_made_ascii(site_tree):
    topic = TopicFactory(name="Größe", slug="größe")
    assert topic.slug == "groesse"
    source, _created = TranslationSource.get_or_create_from_instance(topic)
    segment = StringSegment.objects.get(source=source, context__path="slug")
    # A translator may type the slug like text: it still becomes a slug.
    StringTranslation.objects.create(
        translation_of=segment.string, locale=site_tree.en, context=segment.context, data="Company Size"
    )

    english, _created = source.create_or_update_translation(site_tree.en, fallback=True)

    assert Topic.objects.get(pk=english.pk).slug == "company-size"
