"""What the articles plugin tells search engines on any host: structured data, descriptions, listing pages.

These run in the minimal test host too, whose base template has only the
``title`` and ``extra_head`` blocks: the plugin's JSON-LD and titles must not
depend on the demo site.
"""

import datetime
import json

import pytest

from articles.models import Author
from articles.templatetags.articles_seo import first_paragraph, meta_summary
from tests.factories import (
    ArticlePageFactory,
    AuthorFactory,
    ImageFactory,
    TopicFactory,
    soup,
    translate_page,
    translate_snippet,
)

# Google's Article documentation: what it requires and recommends, and what we promise besides.
GOOGLE_ARTICLE_PROPERTIES = {"headline", "image", "datePublished", "dateModified", "author", "publisher"}


def json_ld(response):
    """The JSON-LD objects of a rendered page, by their @type."""
    scripts = soup(response).find_all("script", type="application/ld+json")
    return {data["@type"]: data for data in (json.loads(script.string) for script in scripts)}


@pytest.mark.django_db
def test_article_json_ld_has_googles_required_and_recommended_properties(client, site_tree, settings):
    settings.ARTICLES_PUBLISHER_LOGO = "https://cdn.example/logo.png"
    article = ArticlePageFactory(
        parent=site_tree.index,
        slug="strukturiert",
        title="Strukturierte Daten",
        author=AuthorFactory(name="Jana Weber"),
        hero_image=ImageFactory(),
        date=None,
    )

    data = json_ld(client.get(article.url))["Article"]

    assert data.keys() >= GOOGLE_ARTICLE_PROPERTIES
    assert data["headline"] == "Strukturierte Daten"
    [image] = data["image"]
    assert image.startswith("http://")
    # Google wants the time and its zone, not only the day: a bare date is read as midnight UTC.
    published = datetime.datetime.fromisoformat(data["datePublished"])
    assert published.tzinfo is not None
    assert published == article.first_published_at
    modified = datetime.datetime.fromisoformat(data["dateModified"])
    assert modified.tzinfo is not None
    assert modified >= published
    assert data["author"]["name"] == "Jana Weber"
    # The author's page, the one the byline links to.
    assert data["author"]["url"] == "http://localhost/magazin/autor/jana-weber/"
    assert data["publisher"]["@type"] == "Organization"
    assert data["publisher"]["name"] == "CRM-Vergleich"
    assert data["publisher"]["logo"] == {"@type": "ImageObject", "url": "https://cdn.example/logo.png"}
    assert data["mainEntityOfPage"] == "http://localhost/magazin/strukturiert/"


@pytest.mark.django_db
def test_a_backdated_article_is_published_at_midnight_of_its_date(site_tree):
    article = ArticlePageFactory(parent=site_tree.index, date=datetime.date(2024, 6, 3))

    data = article.get_json_ld()

    # The editorial date wins over the (later) first publication, in the site's time zone.
    assert data["datePublished"] == "2024-06-03T00:00:00+02:00"
    assert datetime.datetime.fromisoformat(data["dateModified"]) == article.last_published_at


@pytest.mark.django_db
def test_author_without_a_page_has_no_url(site_tree, monkeypatch):
    article = ArticlePageFactory(parent=site_tree.index, author=AuthorFactory(name="Max Muster"))
    # As on a site whose magazine is not published in the article's language.
    monkeypatch.setattr(Author, "get_url", lambda self, request=None, locale=None: None)

    # An invented URL would send search engines to a 404.
    assert article.get_json_ld()["author"] == {
        "@type": "Person",
        "name": "Max Muster",
        "jobTitle": "Redakteurin",
    }


@pytest.mark.django_db
def test_publisher_logo_is_left_out_when_the_host_lacks_the_static_file(site_tree, settings):
    article = ArticlePageFactory(parent=site_tree.index)

    # The default names the demo site's icon, which this minimal host does not have.
    assert "logo" not in article.get_json_ld()["publisher"]

    settings.ARTICLES_PUBLISHER_LOGO = "wagtailadmin/images/default-user-avatar.png"
    logo = article.get_json_ld()["publisher"]["logo"]
    assert logo["url"] == "http://localhost/static/wagtailadmin/images/default-user-avatar.png"


@pytest.mark.django_db
def test_breadcrumb_list_on_an_article_in_both_languages(client, site_tree):
    article = ArticlePageFactory(parent=site_tree.index, slug="pfad", title="Der Pfad")
    english = translate_page(article, site_tree.en, title="The path")

    for page, expected in [
        (
            article,
            [
                ("Startseite", "http://localhost/"),
                ("Magazin", "http://localhost/magazin/"),
                ("Der Pfad", "http://localhost/magazin/pfad/"),
            ],
        ),
        (
            english,
            [
                ("Startseite", "http://localhost/en/"),
                ("Magazine", "http://localhost/en/magazin/"),
                ("The path", "http://localhost/en/magazin/pfad/"),
            ],
        ),
    ]:
        data = json_ld(client.get(page.url))["BreadcrumbList"]
        assert data["@context"] == "https://schema.org"
        items = data["itemListElement"]
        assert [item["@type"] for item in items] == ["ListItem"] * 3
        assert [item["position"] for item in items] == [1, 2, 3]
        assert [(item["name"], item["item"]) for item in items] == expected


@pytest.mark.django_db
def test_breadcrumb_list_on_the_index_and_a_topic(client, site_tree):
    topic = TopicFactory(name="Vertrieb", slug="vertrieb")
    ArticlePageFactory(parent=site_tree.index, topics=[topic])

    plain = json_ld(client.get(site_tree.index.url))["BreadcrumbList"]["itemListElement"]
    filtered = json_ld(client.get(f"{site_tree.index.url}thema/vertrieb/"))["BreadcrumbList"]

    assert [item["item"] for item in plain] == ["http://localhost/", "http://localhost/magazin/"]
    assert filtered["itemListElement"][-1] == {
        "@type": "ListItem",
        "position": 3,
        "name": "Vertrieb",
        "item": "http://localhost/magazin/thema/vertrieb/",
    }


@pytest.fixture
def listing(site_tree, settings):
    """Two pages of German and English articles, one topic (named in both languages) on all of them."""
    settings.ARTICLES_PER_PAGE = 1
    topic = TopicFactory(name="Kundenservice", slug="kundenservice")
    translate_snippet(topic, site_tree.en, name="Customer service")
    for _n in range(2):
        translate_page(ArticlePageFactory(parent=site_tree.index, topics=[topic]), site_tree.en)
    return site_tree


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "path", "query", "title", "canonical"),
    [
        ("de", "", {}, "Magazin", "http://localhost/magazin/"),
        ("de", "", {"page": 1}, "Magazin", "http://localhost/magazin/"),
        ("de", "", {"page": 2}, "Magazin – Seite 2", "http://localhost/magazin/?page=2"),
        (
            "de",
            "thema/kundenservice/",
            {},
            "Magazin: Kundenservice",
            "http://localhost/magazin/thema/kundenservice/",
        ),
        (
            "de",
            "thema/kundenservice/",
            {"page": 2},
            "Magazin: Kundenservice – Seite 2",
            "http://localhost/magazin/thema/kundenservice/?page=2",
        ),
        ("en", "", {}, "Magazine", "http://localhost/en/magazin/"),
        ("en", "", {"page": 2}, "Magazine – page 2", "http://localhost/en/magazin/?page=2"),
        (
            "en",
            "topic/kundenservice/",
            {},
            "Magazine: Customer service",
            "http://localhost/en/magazin/topic/kundenservice/",
        ),
    ],
)
def test_each_listing_page_has_its_own_title_and_canonical_url(
    client, listing, language, path, query, title, canonical
):
    index = listing.index if language == "de" else listing.index_en

    response = client.get(index.url + path, query)

    # The plugin's own template fills the host's title block, here the minimal host's.
    assert soup(response).title.get_text() == title
    assert response.context["meta_title"] == title
    assert response.context["canonical_url"] == canonical


@pytest.mark.django_db
def test_listing_pages_have_distinct_descriptions(client, listing):
    topic_url = f"{listing.index.url}thema/kundenservice/"
    descriptions = [
        client.get(url, query).context["meta_description"]
        for url, query in [
            (listing.index.url, {}),
            (listing.index.url, {"page": 2}),
            (topic_url, {}),
            (topic_url, {"page": 2}),
        ]
    ]

    assert all(descriptions)
    assert len(set(descriptions)) == 4
    assert all(len(text) <= 155 for text in descriptions)


@pytest.mark.django_db
def test_a_page_beyond_the_end_names_the_last_page_canonical(client, listing):
    # The reader sees the last page; search engines are told so rather than given a page 99.
    assert client.get(listing.index.url, {"page": 99}).context["canonical_url"] == (
        "http://localhost/magazin/?page=2"
    )


@pytest.mark.django_db
def test_index_description_falls_back_to_the_intro_then_a_standard_sentence(site_tree):
    index = site_tree.index
    assert index.get_meta_description() == "Magazin: alle Artikel, die neuesten zuerst."

    index.intro = '<p>Ratgeber zur <b>CRM-Auswahl</b> &amp; <a href="/x/">mehr</a>.</p>'
    assert index.get_meta_description() == "Ratgeber zur CRM-Auswahl & mehr."

    index.search_description = "Vom Redakteur."
    assert index.get_meta_description() == "Vom Redakteur."


@pytest.mark.django_db
def test_article_description_is_the_teaser_cut_at_a_word(site_tree):
    teaser = "Wörter " * 40
    article = ArticlePageFactory(parent=site_tree.index, teaser=teaser.strip())

    description = article.get_meta_description()

    assert len(description) <= 155
    assert description.endswith("Wörter…")


def test_meta_summary_cuts_at_a_word_boundary_and_strips_markup():
    text = "<p>Eins zwei <em>drei</em></p><p>vier fünf</p>"
    assert meta_summary(text) == "Eins zwei drei vier fünf"
    assert meta_summary(text, 16) == "Eins zwei drei…"
    assert meta_summary("Kurz.", 16) == "Kurz."
    assert (
        first_paragraph("<h2>Verantwortlicher</h2><p></p><p>Die <b>Muster</b> GmbH.</p>")
        == "Die Muster GmbH."
    )
