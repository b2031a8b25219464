"""What the demo site's head and sitemap tell search engines: titles, descriptions, canonicals, cards, hreflang."""

import json

import pytest
from wagtail.models import Page, Site

from articles.models import ArticleIndexPage, ArticlePage
from tests.factories import (
    ArticlePageFactory,
    AuthorFactory,
    ImageFactory,
    TopicFactory,
    meta,
    parse_xml,
    soup,
    translate_page,
    translate_snippet,
)
from website.models import HomePage, StandardPage

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def canonical(html):
    return html.find("link", rel="canonical")["href"]


def privacy_pages(site_tree):
    """The privacy policy in German and English; its text starts with a heading, as such pages do."""
    german = StandardPage(
        title="Datenschutz",
        slug="datenschutz",
        body="<h2>1. Verantwortlicher</h2><p>Verantwortlich für diese Website ist die Muster GmbH, Berlin.</p>",
    )
    site_tree.home.add_child(instance=german)
    german.save_revision().publish()
    english = translate_page(
        german,
        site_tree.en,
        title="Privacy",
        body="<h2>1. Controller</h2><p>This website is run by Muster GmbH, Berlin.</p>",
    )
    return german, english


@pytest.mark.django_db
def test_every_page_type_offers_the_seo_title_and_description(site_tree):
    # Editors decide on both in the promote tab; a page type that hid them would leave only the fallbacks.
    for model in (HomePage, StandardPage, ArticleIndexPage, ArticlePage):
        fields = model.get_edit_handler().get_form_class().base_fields
        assert {"seo_title", "search_description"} <= fields.keys(), model


@pytest.mark.django_db
def test_home_title_is_the_site_name_once(client, site_tree):
    Site.objects.update(site_name="CRM-Vergleich")
    Page.objects.filter(pk__in=[site_tree.home.pk, site_tree.home_en.pk]).update(title="CRM-Vergleich")

    for home in (site_tree.home, site_tree.home_en):
        html = soup(client.get(home.url))
        # The validators found "CRM-Vergleich | CRM-Vergleich".
        assert html.title.get_text() == "CRM-Vergleich"
        assert meta(html, "og:title") == ["CRM-Vergleich"]


@pytest.mark.django_db
def test_home_title_is_its_seo_title_without_the_site_name(client, site_tree):
    site_tree.home.seo_title = "CRM-Software vergleichen"
    site_tree.home.save_revision().publish()

    assert soup(client.get(site_tree.home.url)).title.get_text() == "CRM-Software vergleichen"


@pytest.mark.django_db
def test_other_pages_are_titled_page_then_site(client, site_tree):
    german, english = privacy_pages(site_tree)

    assert soup(client.get(german.url)).title.get_text() == "Datenschutz | CRM-Vergleich"
    assert soup(client.get(english.url)).title.get_text() == "Privacy | CRM-Vergleich"
    assert soup(client.get(site_tree.index_en.url)).title.get_text() == "Magazine | CRM-Vergleich"


@pytest.mark.django_db
def test_meta_descriptions_are_filled_and_distinct_in_both_languages(client, site_tree):
    for home, intro in (
        (site_tree.home, "Finden Sie das passende CRM."),
        (site_tree.home_en, "Find your CRM."),
    ):
        home.intro = intro
        home.save_revision().publish()
    german_privacy, english_privacy = privacy_pages(site_tree)
    article = ArticlePageFactory(parent=site_tree.index, teaser="Worauf es bei der CRM-Auswahl ankommt.")
    english_article = translate_page(article, site_tree.en, teaser="What matters when choosing a CRM.")

    descriptions = {}
    for name, page in [
        ("home", site_tree.home),
        ("home_en", site_tree.home_en),
        ("index", site_tree.index),
        ("index_en", site_tree.index_en),
        ("privacy", german_privacy),
        ("privacy_en", english_privacy),
        ("article", article),
        ("article_en", english_article),
    ]:
        html = soup(client.get(page.url))
        [descriptions[name]] = meta(html, name="description")
        assert meta(html, "og:description") == [descriptions[name]], name

    assert all(descriptions.values()), descriptions
    assert len(set(descriptions.values())) == len(descriptions), descriptions
    assert descriptions["home"] == "Finden Sie das passende CRM."
    # The privacy page's heading is not a description; its first paragraph is.
    assert descriptions["privacy"] == "Verantwortlich für diese Website ist die Muster GmbH, Berlin."
    assert descriptions["privacy_en"] == "This website is run by Muster GmbH, Berlin."
    assert descriptions["article_en"] == "What matters when choosing a CRM."


@pytest.mark.django_db
def test_a_long_home_introduction_is_cut_at_a_word(client, site_tree):
    site_tree.home.intro = "Vergleichen Sie CRM-Systeme für kleine und mittlere Unternehmen. " * 5
    site_tree.home.save_revision().publish()

    [description] = meta(soup(client.get(site_tree.home.url)), name="description")

    assert len(description) <= 155
    assert description.endswith("…")
    assert site_tree.home.intro.startswith(description[:-1])
    assert site_tree.home.intro[len(description) - 1] == " "


@pytest.fixture
def listing(site_tree, settings):
    """Two pages of articles in both languages, all about one topic (named in both languages)."""
    settings.ARTICLES_PER_PAGE = 1
    topic = TopicFactory(name="Kundenservice", slug="kundenservice")
    translate_snippet(topic, site_tree.en, name="Customer service")
    for _n in range(2):
        translate_page(ArticlePageFactory(parent=site_tree.index, topics=[topic]), site_tree.en)
    return site_tree


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "path", "query", "title", "url"),
    [
        ("de", "", {}, "Magazin | CRM-Vergleich", "http://localhost/magazin/"),
        ("de", "", {"page": 2}, "Magazin – Seite 2 | CRM-Vergleich", "http://localhost/magazin/?page=2"),
        (
            "de",
            "thema/kundenservice/",
            {},
            "Magazin: Kundenservice | CRM-Vergleich",
            "http://localhost/magazin/thema/kundenservice/",
        ),
        ("en", "", {}, "Magazine | CRM-Vergleich", "http://localhost/en/magazin/"),
        ("en", "", {"page": 2}, "Magazine – page 2 | CRM-Vergleich", "http://localhost/en/magazin/?page=2"),
        (
            "en",
            "topic/kundenservice/",
            {},
            "Magazine: Customer service | CRM-Vergleich",
            "http://localhost/en/magazin/topic/kundenservice/",
        ),
    ],
)
def test_each_index_page_has_its_own_canonical_title_and_description(
    client, listing, language, path, query, title, url
):
    index = listing.index if language == "de" else listing.index_en

    html = soup(client.get(index.url + path, query))
    first_page = soup(client.get(index.url))

    assert html.title.get_text() == title
    # Self-referencing: pointing page 2 or a topic at page 1 would hide their articles from search engines.
    assert canonical(html) == url
    assert meta(html, "og:url") == [url]
    [description] = meta(html, name="description")
    assert description
    if path or query:
        assert description != meta(first_page, name="description")[0]
    # Google ignores rel=prev/next; the head does not carry them.
    assert html.head.find("link", rel=["prev", "next"]) is None


@pytest.mark.django_db
def test_page_one_has_no_page_parameter(client, listing):
    assert canonical(soup(client.get(listing.index.url, {"page": 1}))) == "http://localhost/magazin/"


@pytest.mark.django_db
def test_sitemap_lists_each_translation_both_ways(client, site_tree):
    article = ArticlePageFactory(parent=site_tree.index, slug="beide")
    translate_page(article, site_tree.en)
    ArticlePageFactory(parent=site_tree.index, slug="nur-deutsch")

    urlset = parse_xml(client.get("/sitemap.xml"))
    alternates = {
        url.findtext(f"{SITEMAP}loc"): {
            link.get("hreflang"): link.get("href")
            for link in url.findall(f"{XHTML}link")
            if link.get("rel") == "alternate"
        }
        for url in urlset.findall(f"{SITEMAP}url")
    }

    both = {
        "de": "http://localhost/magazin/beide/",
        "en": "http://localhost/en/magazin/beide/",
        "x-default": "http://localhost/magazin/beide/",
    }
    # The German entry names the English page and the English entry the German one.
    assert alternates["http://localhost/magazin/beide/"] == both
    assert alternates["http://localhost/en/magazin/beide/"] == both
    assert alternates["http://localhost/en/"] == {
        "de": "http://localhost/",
        "en": "http://localhost/en/",
        "x-default": "http://localhost/",
    }
    assert alternates["http://localhost/magazin/nur-deutsch/"] == {
        "de": "http://localhost/magazin/nur-deutsch/",
        "x-default": "http://localhost/magazin/nur-deutsch/",
    }


@pytest.mark.django_db
def test_sitemap_and_head_name_the_same_alternates(client, site_tree):
    article = ArticlePageFactory(parent=site_tree.index, slug="gleich")
    english = translate_page(article, site_tree.en)

    head = {
        link["hreflang"]: link["href"]
        for link in soup(client.get(english.url)).find_all("link", rel="alternate", hreflang=True)
    }
    urlset = parse_xml(client.get("/sitemap.xml"))
    [entry] = [
        url for url in urlset.findall(f"{SITEMAP}url") if url.findtext(f"{SITEMAP}loc") == english.full_url
    ]

    assert {link.get("hreflang"): link.get("href") for link in entry.findall(f"{XHTML}link")} == head


@pytest.mark.django_db
def test_twitter_card_and_og_image(client, site_tree):
    image = ImageFactory(description="Ein Team am Whiteboard")
    with_image = ArticlePageFactory(parent=site_tree.index, hero_image=image)
    without_image = ArticlePageFactory(parent=site_tree.index)

    html = soup(client.get(with_image.url))
    assert meta(html, name="twitter:card") == ["summary_large_image"]
    [og_image] = meta(html, "og:image")
    assert og_image.startswith("http://")
    assert image.get_rendition("fill-1200x630").url in og_image

    for page in (without_image, site_tree.home, site_tree.index_en):
        html = soup(client.get(page.url))
        assert meta(html, name="twitter:card") == ["summary"]
        assert meta(html, "og:image") == []


@pytest.mark.django_db
def test_article_json_ld_on_the_demo_site(client, site_tree):
    article = ArticlePageFactory(
        parent=site_tree.index, slug="daten", author=AuthorFactory(name="Jana Weber")
    )

    scripts = soup(client.get(article.url)).find_all("script", type="application/ld+json")
    data = {item["@type"]: item for item in (json.loads(script.string) for script in scripts)}

    # The demo's icon is the default publisher logo, at an address search engines can fetch.
    assert data["Article"]["publisher"] == {
        "@type": "Organization",
        "name": "CRM-Vergleich",
        "url": "http://localhost/",
        "logo": {"@type": "ImageObject", "url": "http://localhost/static/website/favicon.svg"},
    }
    assert [item["name"] for item in data["BreadcrumbList"]["itemListElement"]] == [
        "Startseite",
        "Magazin",
        article.title,
    ]
