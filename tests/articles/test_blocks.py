"""Rendering of the article body blocks, alone and inside the article page."""

import pytest
from django.utils import translation
from django.utils.translation import gettext

from tests.factories import (
    ArticlePageFactory,
    ImageFactory,
    render_block,
    soup,
    stream,
    translate_page,
)


@pytest.mark.parametrize(("level", "other"), [("h2", "h3"), ("h3", "h2")])
def test_heading_uses_the_chosen_level(level, other):
    html = render_block("heading", {"text": "Warum ein CRM?", "level": level})

    assert html.find(level).get_text() == "Warum ein CRM?"
    assert html.find(other) is None


def test_heading_text_is_escaped():
    html = render_block("heading", {"text": "<script>x</script>", "level": "h2"})

    assert html.find("script") is None
    assert html.find("h2").get_text() == "<script>x</script>"


@pytest.mark.django_db
def test_paragraph_renders_rich_text_with_page_links(site_tree):
    target = ArticlePageFactory(parent=site_tree.index)
    html = render_block(
        "paragraph",
        f'<p>Ein <b>fetter</b> Satz mit <a linktype="page" id="{target.pk}">Link</a>.</p>',
    )

    paragraph = html.select_one("div.rich-text p")
    assert paragraph.find("b").get_text() == "fetter"
    assert paragraph.find("a")["href"] == target.url
    assert "linktype" not in str(html)


def test_quote_with_attribution():
    html = render_block(
        "quote", {"text": "Erste Zeile\nzweite Zeile", "attribution": "Anna Schmidt, Vertrieb"}
    )

    figure = html.select_one("figure.quote")
    assert figure.select_one("blockquote p").get_text("|") == "Erste Zeile|zweite Zeile"
    assert figure.find("br") is not None
    assert figure.find("figcaption").get_text() == "Anna Schmidt, Vertrieb"


def test_quote_without_attribution_has_no_caption():
    html = render_block("quote", {"text": "Daten sind alles.", "attribution": ""})

    assert html.select_one("figure.quote blockquote").get_text(strip=True) == "Daten sind alles."
    assert html.find("figcaption") is None


@pytest.mark.django_db
def test_image_with_alt_text_and_caption():
    image = ImageFactory(description="Beschreibung aus der Bibliothek")
    html = render_block(
        "image",
        {
            "image": {"image": image.pk, "alt_text": "Ein Diagramm der Verkaufszahlen", "decorative": False},
            "caption": "Foto: Redaktion",
        },
    )

    img = html.select_one("figure.body-image img")
    assert img["alt"] == "Ein Diagramm der Verkaufszahlen"
    assert "width-400" in img["src"]  # the smallest width of the srcset (image_block.html)
    assert img["loading"] == "lazy"
    assert html.select_one("figure.body-image figcaption").get_text() == "Foto: Redaktion"


@pytest.mark.django_db
def test_decorative_image_has_empty_alt_and_no_caption():
    image = ImageFactory(description="Beschreibung aus der Bibliothek")
    html = render_block(
        "image", {"image": {"image": image.pk, "alt_text": "", "decorative": True}, "caption": ""}
    )

    img = html.select_one("figure.body-image img")
    assert img.has_attr("alt")
    assert img["alt"] == ""
    assert html.find("figcaption") is None


@pytest.mark.django_db
def test_read_also_with_the_default_label(site_tree):
    target = ArticlePageFactory(parent=site_tree.index, title="CRM einführen")
    html = render_block("read_also", {"page": target.pk, "label": ""})

    with translation.override("de"):
        expected = gettext("Read also") + ":"
    paragraph = html.select_one("p.read-also")
    assert paragraph.find("strong").get_text() == expected
    assert paragraph.find("a")["href"] == target.url
    assert paragraph.find("a").get_text() == "CRM einführen"


@pytest.mark.django_db
def test_read_also_with_a_custom_label(site_tree):
    target = ArticlePageFactory(parent=site_tree.index, title="CRM einführen")
    html = render_block("read_also", {"page": target.pk, "label": "Passend dazu"})

    paragraph = html.select_one("p.read-also")
    assert paragraph.find("strong").get_text() == "Passend dazu:"
    assert paragraph.find("a")["href"] == target.url


@pytest.mark.django_db
def test_read_also_to_an_unpublished_page_renders_nothing(site_tree):
    target = ArticlePageFactory(parent=site_tree.index, live=False)

    assert str(render_block("read_also", {"page": target.pk, "label": "Passend dazu"})).strip() == ""


@pytest.mark.django_db
def test_read_also_uses_the_targets_resolved_for_the_page(site_tree):
    target = ArticlePageFactory(parent=site_tree.index)
    target_en = translate_page(target, site_tree.en, title="English target")
    html = render_block(
        "read_also", {"page": target.pk, "label": ""}, context={"read_also_targets": {target.pk: target_en}}
    )

    assert html.select_one("p.read-also a")["href"] == target_en.url
    # A page left out of the resolved targets (unpublished, private) is not linked.
    assert (
        str(
            render_block("read_also", {"page": target.pk, "label": ""}, context={"read_also_targets": {}})
        ).strip()
        == ""
    )


@pytest.mark.django_db
def test_article_page_renders_every_block_in_order(site_tree, client):
    image = ImageFactory()
    target = ArticlePageFactory(parent=site_tree.index, title="Ziel")
    hidden = ArticlePageFactory(parent=site_tree.index, title="Unveröffentlicht", live=False)
    article = ArticlePageFactory(
        parent=site_tree.index,
        body=stream(
            ("heading", {"text": "Abschnitt", "level": "h2"}),
            ("paragraph", "<p>Ein Absatz im Text.</p>"),
            ("heading", {"text": "Unterabschnitt", "level": "h3"}),
            ("quote", {"text": "Zitat", "attribution": "Quelle"}),
            (
                "image",
                {
                    "image": {"image": image.pk, "alt_text": "Alternativtext", "decorative": False},
                    "caption": "Bildunterschrift",
                },
            ),
            ("read_also", {"page": target.pk, "label": "Mehr dazu"}),
            ("read_also", {"page": hidden.pk, "label": "Versteckt"}),
        ),
    )

    body = soup(client.get(article.url)).select_one(".article__body")
    elements = [
        element.name + "." + ".".join(element.get("class", [])) for element in body.find_all(recursive=False)
    ]
    assert elements == ["h2.", "div.rich-text", "h3.", "figure.quote", "figure.body-image", "p.read-also"]
    assert body.find("h2").get_text() == "Abschnitt"
    assert body.find("h3").get_text() == "Unterabschnitt"
    assert body.select_one("div.rich-text").get_text(strip=True) == "Ein Absatz im Text."
    assert body.select_one("figure.body-image img")["alt"] == "Alternativtext"
    assert body.select_one("p.read-also a")["href"] == target.url
    assert "Versteckt" not in str(body)
    assert hidden.url not in str(body)


@pytest.mark.django_db
def test_read_also_pages_are_read_as_wagtails_chooser_reads_them(site_tree):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from articles.blocks import _PAGES_BY_ID, ReadAlsoBlock
    from articles.models import ArticlePage

    first, second = (ArticlePageFactory(parent=site_tree.index) for _ in range(2))
    chooser = ReadAlsoBlock().child_blocks["page"]
    values = [second.pk, None, first.pk, second.pk, 987_654]  # a repeat, a gap and a deleted page

    with CaptureQueriesContext(connection) as queries:
        pages = chooser.bulk_to_python(values)
    assert len(queries) == 1
    assert [page and page.pk for page in pages] == [second.pk, None, first.pk, second.pk, None]
    assert all(type(page) is ArticlePage for page in pages if page is not None)
    assert pages[0] is not pages[3]  # each occurrence its own object, as Wagtail's chooser gives
    assert chooser.bulk_to_python([first.pk]) == [first]
    assert chooser.bulk_to_python([]) == []
    # The query is compiled once per number of pages and kept apart from the (copied) blocks.
    compiled = _PAGES_BY_ID[ArticlePage]._compiled
    assert {(3,), (1,)} <= {shape for _using, shape in compiled}
