"""The "Read on" teasers under an article: editor's choice first, topic fill-up, locale, query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import RelatedArticle
from tests.factories import (
    ArticlePageFactory,
    QuestionnaireFactory,
    TopicFactory,
    day,
    restrict_page,
    teaser_urls,
    translate_page,
    wizard_body,
)

RELATED = ".related-articles"


@pytest.mark.django_db
def test_chosen_articles_keep_the_editors_order(site_tree, client):
    first, second, third = (ArticlePageFactory(parent=site_tree.index, date=day(n)) for n in (1, 3, 2))
    # Neither creation, id nor date order: the order the editor chose.
    article = ArticlePageFactory(parent=site_tree.index, related=[first, third, second])

    assert teaser_urls(client.get(article.url), RELATED) == [first.url, third.url, second.url]
    assert article.get_related_articles() == [first, third, second]


@pytest.mark.django_db
def test_more_than_three_chosen_articles_are_all_shown(site_tree, client):
    chosen = [ArticlePageFactory(parent=site_tree.index) for _ in range(5)]
    article = ArticlePageFactory(parent=site_tree.index, related=chosen)

    assert teaser_urls(client.get(article.url), RELATED) == [page.url for page in chosen]


@pytest.mark.django_db
def test_topic_fills_up_to_three_newest_first(site_tree, client):
    crm, other = TopicFactory(), TopicFactory()
    chosen = ArticlePageFactory(parent=site_tree.index, date=day(0))
    oldest = ArticlePageFactory(parent=site_tree.index, topics=[crm], date=day(1))
    newest = ArticlePageFactory(parent=site_tree.index, topics=[crm], date=day(9))
    middle = ArticlePageFactory(parent=site_tree.index, topics=[crm], date=day(5))
    ArticlePageFactory(parent=site_tree.index, topics=[other], date=day(20))
    article = ArticlePageFactory(parent=site_tree.index, topics=[crm], related=[chosen], date=day(2))

    assert teaser_urls(client.get(article.url), RELATED) == [chosen.url, newest.url, middle.url]
    assert oldest not in article.get_related_articles()


@pytest.mark.django_db
def test_fill_up_without_chosen_articles_and_without_duplicates(site_tree):
    crm = TopicFactory()
    ArticlePageFactory(parent=site_tree.index, topics=[crm], date=day(1))
    older = ArticlePageFactory(parent=site_tree.index, topics=[crm], date=day(2))
    newer = ArticlePageFactory(parent=site_tree.index, topics=[crm], date=day(3))
    newest = ArticlePageFactory(parent=site_tree.index, topics=[crm], date=day(4))
    unchosen = ArticlePageFactory(parent=site_tree.index, topics=[crm], date=day(0))
    chooses_newest = ArticlePageFactory(parent=site_tree.index, topics=[crm], related=[newest], date=day(0))

    assert unchosen.get_related_articles() == [newest, newer, older]
    assert chooses_newest.get_related_articles() == [newest, newer, older]


@pytest.mark.django_db
def test_no_topics_and_no_choice_means_no_related_section(site_tree, client):
    ArticlePageFactory(parent=site_tree.index)
    article = ArticlePageFactory(parent=site_tree.index)

    response = client.get(article.url)
    assert teaser_urls(response, RELATED) == []
    assert b'class="related-articles' not in response.content


@pytest.mark.django_db
def test_never_the_article_itself_nor_its_translation(site_tree, client):
    crm = TopicFactory()
    other = ArticlePageFactory(parent=site_tree.index, topics=[crm], date=day(1))
    other_en = translate_page(other, site_tree.en)
    article = ArticlePageFactory(parent=site_tree.index, topics=[crm], date=day(9))
    english = translate_page(article, site_tree.en)
    for page in (article, english):
        page.related_links.add(RelatedArticle(article=article))
        page.related_links.add(RelatedArticle(article=english))
        page.save_revision().publish()

    assert teaser_urls(client.get(article.url), RELATED) == [other.url]
    assert teaser_urls(client.get(english.url), RELATED) == [other_en.url]


@pytest.mark.django_db
def test_unpublished_and_private_articles_are_never_shown(site_tree, client):
    crm = TopicFactory()
    draft = ArticlePageFactory(parent=site_tree.index, topics=[crm], live=False, date=day(10))
    withdrawn = ArticlePageFactory(parent=site_tree.index, topics=[crm], date=day(11))
    withdrawn.unpublish()
    private = ArticlePageFactory(parent=site_tree.index, topics=[crm], date=day(12))
    restrict_page(private)
    visible = ArticlePageFactory(parent=site_tree.index, topics=[crm], date=day(1))
    article = ArticlePageFactory(
        parent=site_tree.index, topics=[crm], related=[draft, private, withdrawn], date=day(2)
    )

    urls = teaser_urls(client.get(article.url), RELATED)
    assert urls == [visible.url]


@pytest.mark.django_db
def test_english_readers_get_english_versions_with_german_fallback(site_tree, client):
    translated = ArticlePageFactory(parent=site_tree.index, title="Übersetzt")
    translated_en = translate_page(translated, site_tree.en, title="Translated")
    german_only = ArticlePageFactory(parent=site_tree.index, title="Nur deutsch")
    draft_translation = ArticlePageFactory(parent=site_tree.index, title="Entwurf übersetzt")
    translate_page(draft_translation, site_tree.en, live=False, title="Draft translation")
    article = ArticlePageFactory(parent=site_tree.index, related=[translated, german_only, draft_translation])
    english = translate_page(article, site_tree.en)

    assert teaser_urls(client.get(english.url), RELATED) == [
        translated_en.url,
        german_only.url,
        draft_translation.url,
    ]
    assert translated_en.url.startswith("/en/")
    assert teaser_urls(client.get(article.url), RELATED) == [
        translated.url,
        german_only.url,
        draft_translation.url,
    ]


@pytest.mark.django_db
def test_link_to_an_english_page_shows_the_german_version_to_german_readers(site_tree, client):
    target = ArticlePageFactory(parent=site_tree.index)
    target_en = translate_page(target, site_tree.en)
    article = ArticlePageFactory(parent=site_tree.index, related=[target_en])

    assert teaser_urls(client.get(article.url), RELATED) == [target.url]


@pytest.mark.django_db
def test_fill_up_only_in_the_readers_locale(site_tree, client):
    crm = TopicFactory()
    german_newest = ArticlePageFactory(parent=site_tree.index, topics=[crm], date=day(9))
    translated = ArticlePageFactory(parent=site_tree.index, topics=[crm], date=day(1))
    translated_en = translate_page(translated, site_tree.en)
    article = ArticlePageFactory(parent=site_tree.index, topics=[crm], date=day(5))
    english = translate_page(article, site_tree.en)

    assert teaser_urls(client.get(english.url), RELATED) == [translated_en.url]
    assert teaser_urls(client.get(article.url), RELATED) == [german_newest.url, translated.url]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("with_wizard", [False, True], ids=["plain", "with-wizard"])
def test_query_count_does_not_grow_with_the_number_of_related_articles(
    site_tree, client, language, with_wizard
):
    crm = TopicFactory()
    few = [ArticlePageFactory(parent=site_tree.index, topics=[crm]) for _ in range(3)]
    many = [ArticlePageFactory(parent=site_tree.index, topics=[crm]) for _ in range(30)]
    extra = {}
    if with_wizard:
        extra["body"] = wizard_body(QuestionnaireFactory())[0]
    pages = [
        ArticlePageFactory(parent=site_tree.index, topics=[crm], related=few, **extra),
        ArticlePageFactory(parent=site_tree.index, topics=[crm], related=many, **extra),
    ]
    if language == "en":
        # Half of the linked articles exist in English, the rest fall back to German.
        for linked in few[:2] + many[:15]:
            translate_page(linked, site_tree.en)
        pages = [translate_page(page, site_tree.en) for page in pages]

    counts = []
    for page in pages:
        assert client.get(page.url).status_code == 200  # warm-up: caches, renditions, site root paths
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page.url)
        assert response.status_code == 200
        counts.append(len(queries))

    assert len(teaser_urls(response, RELATED)) == 30
    assert ("data-leadwizard" in response.content.decode()) is with_wizard
    assert counts[0] == counts[1]
