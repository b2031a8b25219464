"""Querysets compiled once and run again with other values (articles.prepared)."""

import uuid

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page

from articles.models import ArticlePage
from articles.prepared import PreparedQuery, _numbered_parameters
from tests.factories import ArticlePageFactory
from tests.utils import prepared_statement_name


class CountingBuild:
    """A queryset builder that counts how often it is asked."""

    def __init__(self, build):
        self.build = build
        self.calls = 0

    def __call__(self, *values):
        self.calls += 1
        return self.build(*values)


def children(parent_path, depth, slug):
    return (
        ArticlePage.objects.filter(path__startswith=parent_path, depth=depth, slug=slug)
        .select_related("locale", "author")
        .order_by("pk")
    )


@pytest.mark.django_db
def test_a_prepared_query_is_built_once_and_finds_what_the_orm_finds(site_tree):
    first = ArticlePageFactory(parent=site_tree.index, slug="erster")
    second = ArticlePageFactory(parent=site_tree.index, slug="zweiter")
    index = site_tree.index
    build = CountingBuild(children)
    prepared = PreparedQuery(build, stand_ins=("standinpath", 987_654_321, "standinslug"))

    for article in (first, second, first):
        found = prepared(index.path, index.depth + 1, article.slug)
        assert found == list(children(index.path, index.depth + 1, article.slug)) == [article]
        # Related objects and fields come as select_related gives them: no query for them.
        with CaptureQueriesContext(connection) as queries:
            assert found[0].author == article.author
            assert found[0].locale.language_code == "de"
        assert len(queries) == 0
    assert prepared(index.path, index.depth + 1, "gibt-es-nicht") == []
    assert build.calls == 1


@pytest.mark.django_db
def test_a_prepared_pattern_escapes_the_value_as_the_orm_does(site_tree):
    article = ArticlePageFactory(parent=site_tree.index, slug="beitrag")
    index = site_tree.index
    prepared = PreparedQuery(children, stand_ins=("standinpath", 987_654_321, "standinslug"))

    assert prepared(index.path, index.depth + 1, "beitrag") == [article]
    # "_" and "%" are LIKE's wildcards: a path written with them must not match the index's.
    wildcard_path = "_" * len(index.path)
    assert prepared(wildcard_path, index.depth + 1, "beitrag") == []
    assert prepared("%", index.depth + 1, "beitrag") == []


@pytest.mark.django_db
def test_collections_are_compiled_once_per_length(site_tree):
    articles = [ArticlePageFactory(parent=site_tree.index) for _ in range(3)]
    keys = [article.translation_key for article in articles]
    build = CountingBuild(
        lambda wanted: ArticlePage.objects.filter(translation_key__in=wanted).order_by("pk")
    )
    prepared = PreparedQuery(
        build, stand_ins=(lambda count: [uuid.UUID(int=0xFEED_0000 + n) for n in range(count)],)
    )

    assert prepared(keys[:2]) == articles[:2]
    assert prepared(keys[1:]) == articles[1:]
    assert build.calls == 1
    assert prepared(keys) == articles
    assert prepared([keys[2]]) == [articles[2]]
    assert build.calls == 3
    # An empty list matches nothing: the ORM answers without SQL, so that shape is built each run.
    assert prepared([]) == []
    assert prepared([]) == []
    assert build.calls == 6


@pytest.mark.django_db
def test_a_stand_in_the_sql_does_not_carry_falls_back_to_the_orm(site_tree):
    article = ArticlePageFactory(parent=site_tree.index, slug="beitrag")
    # The builder ignores its second value: it cannot be swapped, so every run builds anew.
    build = CountingBuild(lambda slug, _unused: Page.objects.filter(slug=slug).order_by("pk"))
    prepared = PreparedQuery(build, stand_ins=("standinslug", 987_654_321))

    assert prepared("beitrag", 1) == [article.page_ptr]
    assert prepared("beitrag", 2) == [article.page_ptr]
    assert build.calls == 3  # the compile, then each run


# On PostgreSQL: prepared on the server, once per connection ------------------------------

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="statements are prepared on PostgreSQL servers only"
)


def _server_statements(on=connection):
    with on.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall()}


@postgresql_only
@pytest.mark.django_db
def test_on_postgresql_the_statement_is_prepared_once_and_executed_by_name(site_tree):
    first = ArticlePageFactory(parent=site_tree.index, slug="erster")
    second = ArticlePageFactory(parent=site_tree.index, slug="zweiter")
    index = site_tree.index
    prepared = PreparedQuery(children, stand_ins=("standinpath", 987_654_321, "standinslug"))

    with CaptureQueriesContext(connection) as queries:
        for article in (first, second, first):
            found = prepared(index.path, index.depth + 1, article.slug)
            assert found == [article]
            assert found[0].locale.language_code == "de"  # select_related's columns, by position
    # Prepared without a query of the request (as Django sets a connection up), then run by name.
    assert [query["sql"].split()[0] for query in queries] == ["EXECUTE"] * 3
    name = prepared_statement_name(queries[0]["sql"])
    assert name in _server_statements()


@postgresql_only
@pytest.mark.django_db
def test_a_new_connection_prepares_the_statement_again(site_tree):
    # The committed site tree: a second connection sees it, not what this test's transaction adds.
    home = site_tree.home
    prepared = PreparedQuery(
        lambda slug: Page.objects.filter(slug=slug).order_by("pk"), stand_ins=("standinslug",)
    )
    assert prepared(home.slug) == [home.page_ptr]

    # A new session, as after CONN_MAX_AGE or a broken connection: it has no statement yet.
    first = connections["default"]
    second = connections.create_connection("default")
    connections["default"] = second
    try:
        assert not _server_statements(second)
        with CaptureQueriesContext(second) as queries:
            assert prepared(home.slug) == [home.page_ptr]
            assert prepared(home.slug) == [home.page_ptr]
        assert [query["sql"].split()[0] for query in queries] == ["EXECUTE", "EXECUTE"]
        assert prepared_statement_name(queries[0]["sql"]) in _server_statements(second)
    finally:
        connections["default"] = first
        second.close()


@postgresql_only
@pytest.mark.django_db
@pytest.mark.parametrize("switch", ["setting", "pooler"])
def test_nothing_is_prepared_when_switched_off_or_behind_a_transaction_pooler(site_tree, settings, switch):
    article = ArticlePageFactory(parent=site_tree.index, slug="beitrag")
    index = site_tree.index
    prepared = PreparedQuery(children, stand_ins=("standinpath", 987_654_321, "standinslug"))
    with CaptureQueriesContext(connection) as queries:
        assert prepared(index.path, index.depth + 1, "beitrag") == [article]
    assert queries[0]["sql"].startswith("EXECUTE ")

    # Read on every run: a statement already prepared is no longer used.
    if switch == "setting":
        settings.ARTICLES_SERVER_PREPARED_QUERIES = False
    else:
        connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = True
    try:
        with CaptureQueriesContext(connection) as queries:
            assert prepared(index.path, index.depth + 1, "beitrag") == [article]
            assert prepared(index.path, index.depth + 1, "beitrag") == [article]
    finally:
        connection.settings_dict.pop("DISABLE_SERVER_SIDE_CURSORS", None)
    assert [query["sql"].split()[0] for query in queries] == ["SELECT", "SELECT"]


@postgresql_only
@pytest.mark.django_db
def test_a_statement_the_server_refuses_runs_as_plain_sql_and_the_transaction_goes_on(site_tree):
    article = ArticlePageFactory(parent=site_tree.index, slug="beitrag")
    # PostgreSQL cannot tell the type of a parameter that is only compared with NULL.
    prepared = PreparedQuery(
        lambda slug: Page.objects.filter(slug=slug).extra(
            where=["%s::text IS NOT NULL", "%s IS NOT NULL"], params=[slug, slug]
        ),
        stand_ins=("standinslug",),
    )

    assert prepared("beitrag") == [article.page_ptr]
    assert prepared("beitrag") == [article.page_ptr]
    # The refusal was rolled back to its savepoint: the test's transaction still works.
    assert Page.objects.filter(pk=article.pk).exists()
    with CaptureQueriesContext(connection) as queries:
        prepared("beitrag")
    assert [query["sql"].split()[0] for query in queries] == ["SELECT"]


def test_placeholders_are_numbered_and_escaped_percent_signs_kept():
    assert (
        _numbered_parameters("SELECT '100%%' WHERE a = %s AND b LIKE %s")
        == "SELECT '100%' WHERE a = $1 AND b LIKE $2"
    )
