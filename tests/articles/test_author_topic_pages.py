"""Author and topic pages below the article index: routes, 404s, pagination, JSON-LD, links, sitemap."""

import json

import pytest
from django.test import RequestFactory

from articles.models import Author
from tests.factories import (
    ArticlePageFactory,
    AuthorFactory,
    ImageFactory,
    TopicFactory,
    locale,
    soup,
    translate_page,
    translate_snippet,
)


def json_ld(response):
    scripts = soup(response).find_all("script", type="application/ld+json")
    return {data["@type"]: data for data in (json.loads(script.string) for script in scripts)}


def listed(response):
    return [a.get_text() for a in soup(response).select(".article-list .teaser-card__title a")]


@pytest.fixture
def writer(site_tree):
    return AuthorFactory(name="Jürgen Weiß", role="Redakteur", photo=ImageFactory())


@pytest.mark.django_db
def test_author_slug_is_made_from_the_name_with_umlauts_spelled_out(writer):
    # Without a slug the author page would have no address.
    assert writer.slug == "juergen-weiss"
    namesake = AuthorFactory(name="Jürgen Weiß")
    assert namesake.slug == "juergen-weiss-2"


@pytest.mark.django_db
def test_author_page_lists_the_authors_articles_with_person_json_ld(client, site_tree, writer):
    own = ArticlePageFactory(parent=site_tree.index, title="Von Jürgen", author=writer)
    ArticlePageFactory(parent=site_tree.index, title="Von jemand anderem", author=AuthorFactory())

    assert writer.get_url() == "/magazin/autor/juergen-weiss/"
    response = client.get(writer.get_url())

    assert response.status_code == 200
    assert listed(response) == [own.title]
    html = soup(response)
    assert html.h1.get_text() == "Jürgen Weiß"
    # Its own title (not the magazine's), naming the author.
    assert "Jürgen Weiß" in html.title.get_text()
    person = json_ld(response)["Person"]
    assert person["name"] == "Jürgen Weiß"
    assert person["url"] == "http://localhost/magazin/autor/juergen-weiss/"
    assert person["jobTitle"] == "Redakteur"
    assert person["image"].startswith("http://")
    assert response.context["canonical_url"] == "http://localhost/magazin/autor/juergen-weiss/"
    assert "Jürgen Weiß, Redakteur" in response.context["meta_description"]


@pytest.mark.django_db
def test_unknown_author_and_topic_and_words_are_not_found(client, site_tree, writer):
    assert client.get("/magazin/autor/niemand/").status_code == 404
    assert client.get("/magazin/thema/nichts/").status_code == 404
    assert client.get("/magazin/irgendwas/juergen-weiss/").status_code == 404
    # The feeds keep their addresses next to the generic author/topic route.
    assert client.get("/magazin/feed/atom/").status_code == 200


@pytest.mark.django_db
def test_author_and_topic_pages_are_paginated_with_their_own_canonical(client, site_tree, writer, settings):
    settings.ARTICLES_PER_PAGE = 2
    topic = TopicFactory(name="Vertrieb", slug="vertrieb")
    for _n in range(5):
        ArticlePageFactory(parent=site_tree.index, author=writer, topics=[topic])

    for url in ("/magazin/autor/juergen-weiss/", "/magazin/thema/vertrieb/"):
        second = client.get(url, {"page": 2})
        assert len(listed(second)) == 2
        assert second.context["canonical_url"] == f"http://localhost{url}?page=2"
        assert "2" in soup(second).title.get_text()
        assert soup(second).select_one('a[rel="next"]')["href"] == "?page=3"
        assert len(listed(client.get(url, {"page": 3}))) == 1


@pytest.mark.django_db
def test_topic_page_has_its_own_title_description_and_canonical(client, site_tree):
    topic = TopicFactory(name="Vertrieb", slug="vertrieb")
    tagged = ArticlePageFactory(parent=site_tree.index, title="Mit Thema", topics=[topic])
    ArticlePageFactory(parent=site_tree.index, title="Ohne Thema")

    response = client.get(topic.get_url())

    assert topic.get_url() == "/magazin/thema/vertrieb/"
    assert listed(response) == [tagged.title]
    assert soup(response).h1.get_text() == "Magazin: Vertrieb"
    assert response.context["canonical_url"] == "http://localhost/magazin/thema/vertrieb/"
    assert "Vertrieb" in response.context["meta_description"]
    # The topic navigation links topic pages, and marks the current one.
    nav = soup(response).select_one("nav.topic-filter")
    assert nav.select_one('[aria-current="true"]').get_text() == "Vertrieb"


@pytest.mark.django_db
def test_the_old_topic_filter_redirects_permanently_to_the_topic_page(client, site_tree):
    topic = TopicFactory(name="Vertrieb", slug="vertrieb")
    ArticlePageFactory(parent=site_tree.index, topics=[topic])

    response = client.get("/magazin/", {"topic": "vertrieb", "page": "2"})

    assert response.status_code == 301
    assert response["Location"] == "/magazin/thema/vertrieb/?page=2"
    # An unknown topic in the old filter is ignored, as it always was.
    assert client.get("/magazin/", {"topic": "gibt-es-nicht"}).status_code == 200


@pytest.mark.django_db
def test_english_author_and_topic_pages_use_english_words_and_slugs(client, site_tree, writer):
    topic = TopicFactory(name="Kundenservice", slug="kundenservice")
    topic_en = translate_snippet(topic, site_tree.en, name="Customer service", slug="customer-service")
    writer_en = translate_snippet(writer, site_tree.en, role="Editor")
    article = ArticlePageFactory(parent=site_tree.index, author=writer, topics=[topic])
    english = translate_page(article, site_tree.en, title="In English", author=writer_en)

    assert writer_en.get_url() == "/en/magazin/author/juergen-weiss/"
    assert topic_en.get_url() == "/en/magazin/topic/customer-service/"
    # The German topic asked for its English page gets the English slug.
    assert topic.get_url(locale=site_tree.en) == "/en/magazin/topic/customer-service/"
    author_page = client.get(writer_en.get_url())
    assert listed(author_page) == [english.title]
    assert json_ld(author_page)["Person"]["jobTitle"] == "Editor"
    topic_page = client.get(topic_en.get_url())
    assert listed(topic_page) == [english.title]
    assert soup(topic_page).h1.get_text() == "Magazine: Customer service"

    # German words and slugs on the English index lead to the English address.
    moved = client.get("/en/magazin/thema/kundenservice/")
    assert (moved.status_code, moved["Location"]) == (301, "/en/magazin/topic/customer-service/")
    moved = client.get("/en/magazin/autor/juergen-weiss/")
    assert (moved.status_code, moved["Location"]) == (301, "/en/magazin/author/juergen-weiss/")


@pytest.mark.django_db
def test_article_links_its_author_and_topics_to_their_pages(client, site_tree, writer):
    topic = TopicFactory(name="Vertrieb", slug="vertrieb")
    other = ArticlePageFactory(parent=site_tree.index, title="Weiterlesen", author=writer, topics=[topic])
    article = ArticlePageFactory(parent=site_tree.index, author=writer, topics=[topic], related=[other])

    html = soup(client.get(article.url))

    byline = html.select_one(".article__byline a[rel=author]")
    assert (byline.get_text(), byline["href"]) == ("Jürgen Weiß", "/magazin/autor/juergen-weiss/")
    assert [(a.get_text(), a["href"]) for a in html.select(".article__topics a")] == [
        ("Vertrieb", "/magazin/thema/vertrieb/")
    ]
    # The "Lesen Sie weiter" teaser links them too.
    teaser = html.select_one(".related-articles .teaser-card")
    assert teaser.select_one(".teaser-card__author a")["href"] == "/magazin/autor/juergen-weiss/"
    assert [a["href"] for a in teaser.select(".teaser-card__topics a")] == ["/magazin/thema/vertrieb/"]


@pytest.mark.django_db
def test_english_article_links_english_topic_pages(client, site_tree, writer):
    topic = TopicFactory(name="Vertrieb", slug="vertrieb")
    translate_snippet(topic, site_tree.en, name="Sales", slug="sales")
    article = ArticlePageFactory(parent=site_tree.index, author=writer, topics=[topic])
    # The English copy still points at the German topic and author: links follow the reader's language.
    english = translate_page(article, site_tree.en)

    html = soup(client.get(english.url))

    assert [(a.get_text(), a["href"]) for a in html.select(".article__topics a")] == [
        ("Sales", "/en/magazin/topic/sales/")
    ]
    assert html.select_one(".article__byline a")["href"] == "/en/magazin/author/juergen-weiss/"


@pytest.mark.django_db
def test_author_and_topic_pages_appear_in_the_sitemap_with_alternates(site_tree, writer):
    topic = TopicFactory(name="Vertrieb", slug="vertrieb")
    translate_snippet(topic, site_tree.en, name="Sales", slug="sales")
    article = ArticlePageFactory(parent=site_tree.index, author=writer, topics=[topic])
    translate_page(article, site_tree.en)
    ArticlePageFactory(parent=site_tree.index, author=AuthorFactory(name="Nur Entwurf"), live=False)
    request = RequestFactory().get("/sitemap.xml")

    entries = {entry["location"]: entry for entry in site_tree.index.get_sitemap_urls(request)}

    author_url = "http://localhost/magazin/autor/juergen-weiss/"
    topic_url = "http://localhost/magazin/thema/vertrieb/"
    assert {"http://localhost/magazin/", author_url, topic_url} <= set(entries)
    # Authors of drafts only get no entry: their page would be empty.
    assert not [url for url in entries if "nur-entwurf" in url]
    assert entries[author_url]["lastmod"] == article.last_published_at
    assert entries[topic_url]["alternates"] == [
        {"lang_code": "de", "location": topic_url},
        {"lang_code": "en", "location": "http://localhost/en/magazin/topic/sales/"},
        {"lang_code": "x-default", "location": topic_url},
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/magazin/autor/juergen-weiss/", "/magazin/thema/vertrieb/"])
def test_author_and_topic_pages_cost_the_same_queries_for_3_or_20_articles(
    client, site_tree, writer, settings, django_assert_max_num_queries, url
):
    settings.ARTICLES_PER_PAGE = 50
    topics = [TopicFactory(name="Vertrieb", slug="vertrieb"), TopicFactory()]

    def add(count):
        for _n in range(count):
            ArticlePageFactory(parent=site_tree.index, author=writer, topics=topics, hero_image=writer.photo)

    add(3)
    client.get(url)  # caches (site root paths, renditions) filled
    with django_assert_max_num_queries(100) as few:
        assert len(listed(client.get(url))) == 3
    # Counted now: the next request empties the connection's query log.
    few_count = len(few)
    add(17)
    client.get(url)
    # Teasers link their author and topics: looked up for all articles at once, not one by one.
    with django_assert_max_num_queries(few_count):
        assert len(listed(client.get(url))) == 20


@pytest.mark.django_db
def test_author_get_url_is_none_without_an_index_in_the_language(site_tree):
    french_author = AuthorFactory(name="Zoé")

    assert french_author.get_url(locale=locale("fr")) is None
    assert Author.objects.get(pk=french_author.pk).slug == "zoe"


def test_author_and_topic_pages_name_their_own_translations_for_the_language_links(client, site_tree):
    """The host's hreflang links and language switcher read ``language_alternates`` of these views."""
    from articles.models import ArticleIndexPage

    author = AuthorFactory(name="Lena Hoffmann")
    ArticlePageFactory(parent=site_tree.index, author=author)
    response = client.get(f"{site_tree.index.url}autor/{author.slug}/")
    alternates = {entry["code"]: entry["url"] for entry in response.context["language_alternates"]}
    english_index = ArticleIndexPage.for_locale(site_tree.en)
    assert alternates["de"] == f"{site_tree.index.url}autor/{author.slug}/"
    assert alternates["en"] == english_index.get_author_url(author, None)
