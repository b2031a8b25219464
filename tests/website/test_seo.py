"""Search engine and sharing metadata, sitemap, robots.txt and the language switcher."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.models import Site

from tests.factories import (
    ArticlePageFactory,
    AuthorFactory,
    ImageFactory,
    alternates,
    day,
    language_switcher,
    meta,
    parse_xml,
    restrict_page,
    soup,
    translate_page,
)

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.mark.django_db
def test_title_uses_the_seo_title_else_the_title_and_the_site_name(client, site_tree):
    Site.objects.update(site_name="CRM-Portal Test")
    plain = ArticlePageFactory(parent=site_tree.index, title="CRM für Handwerker")
    tuned = ArticlePageFactory(
        parent=site_tree.index, title="Kurz", seo_title="Das beste CRM für Handwerker 2026"
    )

    assert soup(client.get(plain.url)).title.get_text() == "CRM für Handwerker | CRM-Portal Test"
    html = soup(client.get(tuned.url))
    assert html.title.get_text() == "Das beste CRM für Handwerker 2026 | CRM-Portal Test"
    assert meta(html, "og:title") == ["Das beste CRM für Handwerker 2026"]
    assert meta(html, "og:site_name") == ["CRM-Portal Test"]


@pytest.mark.django_db
def test_meta_description_is_the_search_description_else_the_teaser(client, site_tree):
    teaser_only = ArticlePageFactory(parent=site_tree.index, teaser="Der Teaser des Artikels.")
    described = ArticlePageFactory(
        parent=site_tree.index, teaser="Der Teaser.", search_description="Die Beschreibung für Suchmaschinen."
    )

    html = soup(client.get(teaser_only.url))
    assert meta(html, name="description") == ["Der Teaser des Artikels."]
    assert meta(html, "og:description") == ["Der Teaser des Artikels."]

    html = soup(client.get(described.url))
    assert meta(html, name="description") == ["Die Beschreibung für Suchmaschinen."]
    assert meta(html, "og:description") == ["Die Beschreibung für Suchmaschinen."]


@pytest.mark.django_db
def test_canonical_and_hreflang_for_a_translated_article(client, site_tree):
    article = ArticlePageFactory(parent=site_tree.index, slug="crm-auswahl")
    english = translate_page(article, site_tree.en, title="Choosing a CRM")
    expected = {
        "de": "http://localhost/magazin/crm-auswahl/",
        "en": "http://localhost/en/magazin/crm-auswahl/",
        "x-default": "http://localhost/magazin/crm-auswahl/",
    }

    german_html = soup(client.get(article.url))
    english_html = soup(client.get(english.url))

    assert german_html.find("link", rel="canonical")["href"] == "http://localhost/magazin/crm-auswahl/"
    assert english_html.find("link", rel="canonical")["href"] == "http://localhost/en/magazin/crm-auswahl/"
    assert alternates(german_html) == expected
    assert alternates(english_html) == expected
    assert english_html.html["lang"] == "en"
    assert german_html.html["lang"] == "de"


@pytest.mark.django_db
@pytest.mark.parametrize("translation_state", ["missing", "draft", "private"])
def test_no_hreflang_for_a_missing_translation(client, site_tree, translation_state):
    article = ArticlePageFactory(parent=site_tree.index, slug="nur-deutsch")
    if translation_state == "draft":
        translate_page(article, site_tree.en, live=False)
    elif translation_state == "private":
        restrict_page(translate_page(article, site_tree.en))

    html = soup(client.get(article.url))

    assert alternates(html) == {
        "de": "http://localhost/magazin/nur-deutsch/",
        "x-default": "http://localhost/magazin/nur-deutsch/",
    }


@pytest.mark.django_db
def test_opengraph_tags(client, site_tree):
    image = ImageFactory(description="Ein Team am Whiteboard")
    article = ArticlePageFactory(
        parent=site_tree.index, slug="og", title="Open Graph", hero_image=image, date=day(3)
    )
    english = translate_page(article, site_tree.en)

    html = soup(client.get(article.url))
    assert meta(html, "og:type") == ["article"]
    assert meta(html, "og:title") == ["Open Graph"]
    assert meta(html, "og:url") == ["http://localhost/magazin/og/"]
    assert meta(html, "og:locale") == ["de_DE"]
    assert meta(html, "og:site_name") == ["CRM-Vergleich"]
    assert meta(html, "og:image:alt") == ["Ein Team am Whiteboard"]
    assert meta(html, "article:published_time") == ["2025-01-04"]
    [og_image] = meta(html, "og:image")
    assert og_image.startswith("http")
    assert image.get_rendition("fill-1200x630").url in og_image

    english_html = soup(client.get(english.url))
    assert meta(english_html, "og:locale") == ["en_GB"]
    assert meta(english_html, "og:url") == ["http://localhost/en/magazin/og/"]


@pytest.mark.django_db
def test_no_image_tags_without_a_hero_image(client, site_tree):
    article = ArticlePageFactory(parent=site_tree.index)

    html = soup(client.get(article.url))

    assert meta(html, "og:image") == []
    assert meta(html, "og:image:alt") == []
    assert "image" not in json.loads(html.find("script", type="application/ld+json").string)


@pytest.mark.django_db
def test_home_and_index_are_websites_not_articles(client, site_tree):
    for page in (site_tree.home, site_tree.index):
        assert meta(soup(client.get(page.url)), "og:type") == ["website"]


@pytest.mark.django_db
def test_json_ld_article(client, site_tree):
    image = ImageFactory(description="Ein Büro")
    author = AuthorFactory(name="Jana Weber", role="Redakteurin für CRM-Software")
    article = ArticlePageFactory(
        parent=site_tree.index,
        slug="json-ld",
        title="Strukturierte Daten",
        teaser="Was Suchmaschinen lesen.",
        author=author,
        hero_image=image,
        date=datetime.date(2025, 3, 14),
    )
    english = translate_page(article, site_tree.en, title="Structured data")

    data = json.loads(soup(client.get(article.url)).find("script", type="application/ld+json").string)

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Article"
    assert data["headline"] == "Strukturierte Daten"
    assert data["description"] == "Was Suchmaschinen lesen."
    # A full date and time with its zone, as Google asks; the article's day in Berlin.
    published = datetime.datetime.fromisoformat(data["datePublished"])
    assert published.tzinfo is not None and published.date() == datetime.date(2025, 3, 14)
    assert datetime.datetime.fromisoformat(data["dateModified"]) >= published
    assert data["author"] == {
        "@type": "Person",
        "name": "Jana Weber",
        "jobTitle": "Redakteurin für CRM-Software",
        "url": "http://localhost/magazin/autor/jana-weber/",
    }
    assert data["inLanguage"] == "de"
    assert data["mainEntityOfPage"] == "http://localhost/magazin/json-ld/"
    [image_url] = data["image"]
    assert image_url.startswith("http")
    assert image.get_rendition("fill-1200x630").url in image_url

    english_data = json.loads(soup(client.get(english.url)).find("script", type="application/ld+json").string)
    assert english_data["headline"] == "Structured data"
    assert english_data["inLanguage"] == "en"
    assert english_data["mainEntityOfPage"] == "http://localhost/en/magazin/json-ld/"


@pytest.mark.django_db
def test_json_ld_survives_markup_in_the_title(client, site_tree):
    title = 'Vorsicht </script><script>alert("x")</script> & Co'
    article = ArticlePageFactory(parent=site_tree.index, title=title, teaser="<b>fett</b>")

    html = soup(client.get(article.url))

    # The Article, then its BreadcrumbList: both survive the markup.
    scripts = html.find_all("script")
    assert [json.loads(script.string)["@type"] for script in scripts] == ["Article", "BreadcrumbList"]
    data = json.loads(scripts[0].string)
    assert data["headline"] == title
    assert data["description"] == "<b>fett</b>"


@pytest.mark.django_db
def test_sitemap_lists_live_pages_in_both_languages(client, site_tree):
    article = ArticlePageFactory(parent=site_tree.index, slug="live")
    translate_page(article, site_tree.en)
    ArticlePageFactory(parent=site_tree.index, slug="entwurf", live=False)
    german_only = ArticlePageFactory(parent=site_tree.index, slug="nur-deutsch")
    translate_page(german_only, site_tree.en, live=False)
    restrict_page(ArticlePageFactory(parent=site_tree.index, slug="privat"))

    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    urlset = parse_xml(response)
    locations = sorted(url.findtext(f"{SITEMAP}loc") for url in urlset.findall(f"{SITEMAP}url"))
    assert locations == sorted(
        [
            "http://localhost/",
            "http://localhost/magazin/",
            "http://localhost/magazin/live/",
            "http://localhost/magazin/nur-deutsch/",
            "http://localhost/en/",
            "http://localhost/en/magazin/",
            "http://localhost/en/magazin/live/",
        ]
    )
    lastmods = {
        url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod")
        for url in urlset.findall(f"{SITEMAP}url")
    }
    article.refresh_from_db()
    assert (
        lastmods["http://localhost/magazin/live/"]
        == timezone.localdate(article.last_published_at).isoformat()
    )


@pytest.mark.django_db
def test_robots_txt_names_the_sitemap(client, site_tree):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines


@pytest.mark.django_db
def test_language_switcher_links_to_the_translation(client, site_tree):
    article = ArticlePageFactory(parent=site_tree.index, slug="beide")
    english = translate_page(article, site_tree.en)

    assert language_switcher(client.get(article.url)) == ({"en": "/en/magazin/beide/"}, ["de"])
    assert language_switcher(client.get(english.url)) == ({"de": "/magazin/beide/"}, ["en"])


@pytest.mark.django_db
@pytest.mark.parametrize("translation_state", ["missing", "draft"])
def test_language_switcher_falls_back_to_the_home_page(client, site_tree, translation_state):
    article = ArticlePageFactory(parent=site_tree.index, slug="einsprachig")
    if translation_state == "draft":
        translate_page(article, site_tree.en, live=False)

    assert language_switcher(client.get(article.url)) == ({"en": "/en/"}, ["de"])


@pytest.mark.django_db
def test_language_switcher_from_an_english_only_page_to_the_german_home(client, site_tree):
    article = ArticlePageFactory(parent=site_tree.index, slug="zurueckgezogen")
    english = translate_page(article, site_tree.en)
    article.unpublish()

    assert language_switcher(client.get(english.url)) == ({"de": "/"}, ["en"])


@pytest.mark.django_db
def test_language_switcher_on_the_search_page(client, site_tree):
    with translation.override("de"):
        german_search = reverse("search")
    with translation.override("en"):
        english_search = reverse("search")

    assert language_switcher(client.get(german_search)) == ({"en": english_search}, ["de"])
    assert language_switcher(client.get(english_search)) == ({"de": german_search}, ["en"])
