"""Full-text search over the articles, in the reader's language."""

import pytest

from tests.factories import (
    ArticlePageFactory,
    restrict_page,
    search_url,
    soup,
    stream,
    teaser_urls,
    translate_page,
)

RESULTS = "main"


@pytest.fixture
def articles(site_tree):
    by_title = ArticlePageFactory(parent=site_tree.index, title="Kalenderplanung im Vertrieb")
    by_teaser = ArticlePageFactory(parent=site_tree.index, teaser="Alles über den Quartalsabschluss.")
    by_body = ArticlePageFactory(
        parent=site_tree.index,
        body=stream(
            ("heading", {"text": "Zwischentitel", "level": "h2"}),
            ("paragraph", "<p>Ein Absatz über Blumenkohl und Kunden.</p>"),
        ),
    )
    return site_tree, by_title, by_teaser, by_body


def test_search_urls_are_localised():
    assert search_url("de") == "/suche/"
    assert search_url("en") == "/en/search/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "index"),
    [("Kalenderplanung", 1), ("Quartalsabschluss", 2), ("Blumenkohl", 3), ("Zwischentitel", 3)],
)
def test_search_finds_articles_by_title_teaser_and_body(client, articles, query, index):
    response = client.get(search_url("de"), {"q": query})

    assert response.status_code == 200
    assert teaser_urls(response, RESULTS) == [articles[index].url]
    assert soup(response).select_one("#search-page-q")["value"] == query


@pytest.mark.django_db
def test_search_without_a_match(client, articles):
    response = client.get(search_url("de"), {"q": "Raumfahrt"})

    assert response.status_code == 200
    assert teaser_urls(response, RESULTS) == []
    assert soup(response).select_one('[role="status"]') is not None


@pytest.mark.django_db
def test_search_only_in_the_readers_language(client, articles):
    site_tree, by_title, by_teaser, by_body = articles
    by_title_en = translate_page(by_title, site_tree.en)
    translate_page(by_teaser, site_tree.en, teaser="All about the quarterly close.")

    assert teaser_urls(client.get(search_url("de"), {"q": "Kalenderplanung"}), RESULTS) == [by_title.url]
    assert teaser_urls(client.get(search_url("en"), {"q": "Kalenderplanung"}), RESULTS) == [by_title_en.url]
    # The German teaser word is not in the English translation, the German article is not shown.
    assert teaser_urls(client.get(search_url("en"), {"q": "Quartalsabschluss"}), RESULTS) == []
    assert teaser_urls(client.get(search_url("de"), {"q": "Quartalsabschluss"}), RESULTS) == [by_teaser.url]


@pytest.mark.django_db
def test_search_does_not_find_unpublished_or_private_articles(client, site_tree):
    ArticlePageFactory(parent=site_tree.index, title="Geheimprojekt Entwurf", live=False)
    withdrawn = ArticlePageFactory(parent=site_tree.index, title="Geheimprojekt zurückgezogen")
    withdrawn.unpublish()
    restrict_page(ArticlePageFactory(parent=site_tree.index, title="Geheimprojekt privat"))
    visible = ArticlePageFactory(parent=site_tree.index, title="Geheimprojekt öffentlich")

    assert teaser_urls(client.get(search_url("de"), {"q": "Geheimprojekt"}), RESULTS) == [visible.url]


@pytest.mark.django_db
def test_search_does_not_find_unpublished_changes(client, site_tree):
    article = ArticlePageFactory(parent=site_tree.index, title="Veröffentlichter Titel")
    article.title = "Unveröffentlichter Geheimtitel"
    article.save_revision()

    assert teaser_urls(client.get(search_url("de"), {"q": "Geheimtitel"}), RESULTS) == []
    assert teaser_urls(client.get(search_url("de"), {"q": "Veröffentlichter"}), RESULTS) == [article.url]


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["", "   "])
def test_empty_query_shows_no_results_and_no_error(client, articles, query):
    response = client.get(search_url("de"), {"q": query})

    assert response.status_code == 200
    assert teaser_urls(response, RESULTS) == []
    assert soup(response).select_one('[role="status"]') is None
    assert client.get(search_url("de")).status_code == 200


@pytest.mark.django_db
def test_over_long_query_is_shortened_not_an_error(client, articles):
    response = client.get(search_url("de"), {"q": "Kalenderplanung " + "x" * 5000})

    assert response.status_code == 200
    assert len(soup(response).select_one("#search-page-q")["value"]) == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", ['"', 'Kalenderplanung"', "x" * 199 + '"', "(", "*", "NOT", "a\x00b", "-", "^"]
)
def test_query_syntax_characters_are_not_an_error(client, articles, query):
    response = client.get(search_url("de"), {"q": query})

    assert response.status_code == 200


@pytest.mark.django_db
def test_a_stray_quote_does_not_hide_the_results(client, articles):
    site_tree, by_title, by_teaser, by_body = articles

    assert teaser_urls(client.get(search_url("de"), {"q": '"Kalenderplanung'}), RESULTS) == [by_title.url]


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["abc", "0", "999"])
def test_bad_result_page_numbers_are_not_an_error(client, articles, number):
    response = client.get(search_url("de"), {"q": "Kalenderplanung", "page": number})

    assert response.status_code == 200
    assert teaser_urls(response, RESULTS) == [articles[1].url]


@pytest.mark.django_db
def test_search_results_are_paginated(client, site_tree):
    found = [ArticlePageFactory(parent=site_tree.index, title=f"Pipeline {n}") for n in range(12)]

    first = client.get(search_url("de"), {"q": "Pipeline"})
    second = client.get(search_url("de"), {"q": "Pipeline", "page": 2})

    assert len(teaser_urls(first, RESULTS)) == 10
    assert len(teaser_urls(second, RESULTS)) == 2
    assert set(teaser_urls(first, RESULTS) + teaser_urls(second, RESULTS)) <= {page.url for page in found}
    assert soup(first).select_one('.pagination a[rel="next"]')["href"] == "?page=2&q=Pipeline"
