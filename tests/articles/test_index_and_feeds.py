"""The magazine index: listing, order, pagination, topic filter; and its RSS and Atom feeds."""

import pytest

from tests.factories import (
    ArticlePageFactory,
    TopicFactory,
    day,
    parse_xml,
    restrict_page,
    soup,
    teaser_urls,
    translate_page,
    translate_snippet,
)

LISTING = "ul.article-list"
ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture
def magazine(site_tree):
    """Three German articles (one translated), a draft and a private article, out of date order."""
    middle = ArticlePageFactory(parent=site_tree.index, title="Mitte", date=day(20))
    newest = ArticlePageFactory(parent=site_tree.index, title="Neu", date=day(30))
    oldest = ArticlePageFactory(parent=site_tree.index, title="Alt", date=day(10))
    draft = ArticlePageFactory(parent=site_tree.index, title="Entwurf", date=day(40), live=False)
    private = ArticlePageFactory(parent=site_tree.index, title="Privat", date=day(41))
    restrict_page(private)
    middle_en = translate_page(middle, site_tree.en, title="Middle")
    return site_tree, [newest, middle, oldest], draft, private, middle_en


@pytest.mark.django_db
def test_index_lists_live_public_articles_newest_first(client, magazine):
    site_tree, articles, draft, private, middle_en = magazine

    response = client.get(site_tree.index.url)

    assert response.status_code == 200
    assert teaser_urls(response, LISTING) == [page.url for page in articles]
    assert draft.url not in response.content.decode()
    assert private.url not in response.content.decode()


@pytest.mark.django_db
def test_english_index_lists_only_english_articles(client, magazine):
    site_tree, articles, draft, private, middle_en = magazine
    # An English draft translation stays out of the list too.
    translate_page(articles[0], site_tree.en, live=False, title="New draft")

    response = client.get(site_tree.index_en.url)

    assert site_tree.index_en.url.startswith("/en/")
    assert teaser_urls(response, LISTING) == [middle_en.url]


@pytest.mark.django_db
def test_an_empty_index_renders(client, site_tree):
    response = client.get(site_tree.index_en.url)

    assert response.status_code == 200
    assert teaser_urls(response, LISTING) == []


@pytest.mark.django_db
def test_pagination(client, site_tree, settings):
    settings.ARTICLES_PER_PAGE = 2
    articles = [ArticlePageFactory(parent=site_tree.index, date=day(n)) for n in range(5)][::-1]

    first = client.get(site_tree.index.url)
    second = client.get(site_tree.index.url, {"page": 2})
    last = client.get(site_tree.index.url, {"page": 3})

    assert teaser_urls(first, LISTING) == [page.url for page in articles[:2]]
    assert teaser_urls(second, LISTING) == [page.url for page in articles[2:4]]
    assert teaser_urls(last, LISTING) == [articles[4].url]
    assert soup(first).select_one('.pagination a[rel="next"]')["href"] == "?page=2"
    assert soup(first).select_one('.pagination a[rel="prev"]') is None
    assert soup(second).select_one('.pagination a[rel="prev"]')["href"] == "?page=1"
    assert soup(last).select_one('.pagination a[rel="next"]') is None


@pytest.mark.django_db
def test_one_page_of_articles_has_no_pagination(client, site_tree, settings):
    settings.ARTICLES_PER_PAGE = 2
    ArticlePageFactory(parent=site_tree.index)
    ArticlePageFactory(parent=site_tree.index)

    assert soup(client.get(site_tree.index.url)).select_one(".pagination") is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("number", "expected_page"),
    [("abc", 1), ("", 1), ("1.5", 1), ("0", 3), ("-1", 3), ("999", 3), ("99999999999999999999999", 3)],
)
def test_bad_page_numbers_show_a_page_instead_of_an_error(client, site_tree, settings, number, expected_page):
    settings.ARTICLES_PER_PAGE = 2
    articles = [ArticlePageFactory(parent=site_tree.index, date=day(n)) for n in range(5)][::-1]
    pages = {1: articles[:2], 3: articles[4:]}

    response = client.get(site_tree.index.url, {"page": number})

    assert response.status_code == 200
    assert teaser_urls(response, LISTING) == [page.url for page in pages[expected_page]]


@pytest.fixture
def topics(site_tree):
    service = TopicFactory(name="Kundenservice", slug="kundenservice")
    sales = TopicFactory(name="Vertrieb", slug="vertrieb")
    translate_snippet(service, site_tree.en, name="Customer service")
    both = ArticlePageFactory(parent=site_tree.index, topics=[service, sales], date=day(3))
    service_only = ArticlePageFactory(parent=site_tree.index, topics=[service], date=day(1))
    sales_only = ArticlePageFactory(parent=site_tree.index, topics=[sales], date=day(2))
    return service, sales, both, service_only, sales_only


@pytest.mark.django_db
def test_topic_filter(client, site_tree, topics):
    service, sales, both, service_only, sales_only = topics

    # The old filter address leads to the topic's own page for good.
    response = client.get(site_tree.index.url, {"topic": "kundenservice"}, follow=True)
    assert response.redirect_chain == [(f"{site_tree.index.url}thema/kundenservice/", 301)]

    assert teaser_urls(response, LISTING) == [both.url, service_only.url]
    current = soup(response).select_one('.topic-filter [aria-current="true"]')
    assert current.get_text() == "Kundenservice"
    links = [a["href"] for a in soup(response).select(".topic-filter a")]
    assert f"{site_tree.index.url}thema/vertrieb/" in links
    assert site_tree.index.url in links  # back to all topics

    unfiltered = client.get(site_tree.index.url)
    assert teaser_urls(unfiltered, LISTING) == [both.url, sales_only.url, service_only.url]


@pytest.mark.django_db
def test_topic_filter_keeps_the_topic_when_paginating(client, site_tree, settings, topics):
    settings.ARTICLES_PER_PAGE = 1
    topic_page = f"{site_tree.index.url}thema/kundenservice/"
    response = client.get(topic_page)

    assert soup(response).select_one('.pagination a[rel="next"]')["href"] == "?page=2"
    second = client.get(topic_page, {"page": 2})
    assert teaser_urls(second, LISTING) == [topics[3].url]
    # An old filter address with a page number keeps the page.
    old = client.get(site_tree.index.url, {"topic": "kundenservice", "page": 2})
    assert old.status_code == 301 and old["Location"] == f"{topic_page}?page=2"


@pytest.mark.django_db
def test_topic_filter_on_the_english_index(client, site_tree, topics):
    service, sales, both, service_only, sales_only = topics
    both_en = translate_page(both, site_tree.en)
    sales_only_en = translate_page(sales_only, site_tree.en)

    response = client.get(site_tree.index_en.url, {"topic": "kundenservice"}, follow=True)
    assert response.redirect_chain[-1][1] == 301
    assert "/topic/" in response.redirect_chain[-1][0]

    assert teaser_urls(response, LISTING) == [both_en.url]
    html = soup(response)
    # Topics are named in English where translated, in German otherwise.
    assert html.select_one('.topic-filter [aria-current="true"]').get_text() == "Customer service"
    assert [a.get_text() for a in html.select(".topic-filter a")][1:] == ["Vertrieb"]
    assert teaser_urls(client.get(site_tree.index_en.url, {"topic": "vertrieb"}, follow=True), LISTING) == [
        both_en.url,
        sales_only_en.url,
    ]


@pytest.mark.django_db
def test_feed_links_in_the_head(client, site_tree):
    html = soup(client.get(site_tree.index_en.url))

    assert html.select_one('link[type="application/rss+xml"]')["href"] == f"{site_tree.index_en.url}feed/"
    assert (
        html.select_one('link[type="application/atom+xml"]')["href"] == f"{site_tree.index_en.url}feed/atom/"
    )


@pytest.mark.django_db
def test_rss_feed(client, magazine):
    site_tree, articles, draft, private, middle_en = magazine
    service = TopicFactory(name="Kundenservice")
    articles[0].topics.set([service])
    articles[0].save_revision().publish()

    response = client.get(f"{site_tree.index.url}feed/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = parse_xml(response).find("channel")
    assert channel.findtext("title") == "Magazin"
    assert channel.findtext("language") == "de"
    assert channel.findtext("link") == site_tree.index.full_url
    items = channel.findall("item")
    assert [item.findtext("link") for item in items] == [page.full_url for page in articles]
    assert [item.findtext("title") for item in items] == ["Neu", "Mitte", "Alt"]
    assert items[0].findtext("description") == articles[0].teaser
    assert [c.text for c in items[0].findall("category")] == ["Kundenservice"]
    assert items[0].findtext("pubDate") == "Fri, 31 Jan 2025 08:00:00 +0100"


@pytest.mark.django_db
def test_atom_feed_of_the_english_index(client, magazine):
    site_tree, articles, draft, private, middle_en = magazine
    service = TopicFactory(name="Kundenservice")
    translate_snippet(service, site_tree.en, name="Customer service")
    middle_en.topics.set([service])
    middle_en.save_revision().publish()

    response = client.get(f"{site_tree.index_en.url}feed/atom/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = parse_xml(response)
    assert feed.tag == f"{ATOM}feed"
    assert feed.get(XML_LANG) == "en"
    assert feed.findtext(f"{ATOM}title") == "Magazine"
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.find(f"{ATOM}link").get("href") for entry in entries] == [middle_en.full_url]
    assert entries[0].findtext(f"{ATOM}title") == "Middle"
    assert [c.get("term") for c in entries[0].findall(f"{ATOM}category")] == ["Customer service"]


@pytest.mark.django_db
def test_rss_feed_of_the_english_index_is_english(client, magazine):
    site_tree, articles, draft, private, middle_en = magazine

    channel = parse_xml(client.get(f"{site_tree.index_en.url}feed/")).find("channel")

    assert channel.findtext("language") == "en"
    assert [item.findtext("link") for item in channel.findall("item")] == [middle_en.full_url]


@pytest.mark.django_db
def test_atom_feed_of_the_german_index(client, magazine):
    site_tree, articles, draft, private, middle_en = magazine

    feed = parse_xml(client.get(f"{site_tree.index.url}feed/atom/"))

    assert feed.get(XML_LANG) == "de"
    links = [entry.find(f"{ATOM}link").get("href") for entry in feed.findall(f"{ATOM}entry")]
    assert links == [page.full_url for page in articles]
