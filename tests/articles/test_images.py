"""Article images: responsive WebP renditions, and only the images below the fold load lazily.

The first teaser image of the index and an article's hero image are what a
phone paints largest first (Largest Contentful Paint): a lazy one waits for
layout before it even starts loading. The rest are lazy so they cost nothing
until the reader scrolls. Each image comes as WebP in the widths it is
shown at, with a JPEG for browsers that do not know WebP: the PNG originals were
several times larger than what is displayed.
"""

import io
import json

import pytest
from django.core.files.images import ImageFile
from PIL import Image as PILImage

from tests.factories import ArticlePageFactory, ImageFactory, day, png_bytes, soup


def hero(name):
    # As large as the demo's illustrations, so that every width of the srcset exists.
    return ImageFactory(file=ImageFile(io.BytesIO(png_bytes(1600, 900)), name=f"{name}.png"))


@pytest.fixture
def illustrated_magazine(site_tree):
    """Three articles with hero images, newest first."""
    articles = [
        ArticlePageFactory(parent=site_tree.index, title=title, date=day(30 - n), hero_image=hero(title))
        for n, title in enumerate(["Neu", "Mitte", "Alt"])
    ]
    return site_tree, articles


def srcset_widths(element):
    return [candidate.split()[-1] for candidate in element["srcset"].split(", ")]


@pytest.mark.django_db
def test_only_the_first_teaser_image_of_the_index_loads_at_once(client, illustrated_magazine):
    site_tree, articles = illustrated_magazine

    images = soup(client.get(site_tree.index.url)).select("ul.article-list img")

    assert len(images) == 3
    first, *later = images
    assert not first.has_attr("loading")
    assert first["fetchpriority"] == "high"
    for image in later:
        assert image["loading"] == "lazy"
        assert not image.has_attr("fetchpriority")


@pytest.mark.django_db
def test_teaser_images_come_as_webp_in_the_displayed_widths(client, illustrated_magazine):
    site_tree, articles = illustrated_magazine

    picture = soup(client.get(site_tree.index.url)).select_one("ul.article-list picture")

    sources = {source["type"]: source for source in picture.select("source")}
    assert list(sources) == ["image/webp"]
    for source in sources.values():
        # 224 CSS px beside the teaser on wide screens, up to 608 px on phones.
        assert srcset_widths(source) == ["320w", "480w", "640w"]
        assert source["sizes"] == "(min-width: 40rem) 14rem, calc(100vw - 2rem)"
    fallback = picture.select_one("img")
    assert fallback["src"].endswith(".jpg")
    assert (fallback["width"], fallback["height"]) == ("320", "180")  # reserves the space: no layout shift


@pytest.mark.django_db
def test_the_article_hero_is_responsive_and_not_lazy(client, illustrated_magazine):
    site_tree, articles = illustrated_magazine

    figure = soup(client.get(articles[0].url)).select_one("figure.article__hero")

    image = figure.select_one("picture img")
    assert not image.has_attr("loading")
    assert image["fetchpriority"] == "high"
    assert [source["type"] for source in figure.select("source")] == ["image/webp"]
    assert srcset_widths(figure.select_one('source[type="image/webp"]')) == ["400w", "800w", "1200w"]


@pytest.mark.django_db
def test_renditions_are_really_webp_files(client, illustrated_magazine):
    site_tree, articles = illustrated_magazine
    client.get(site_tree.index.url)  # renders, and so creates, the renditions

    image = articles[0].hero_image
    formats = {}
    for rendition in image.renditions.all():
        with rendition.file.open("rb") as file:
            # Wagtail orders the operations of a spec itself: compare them as a set.
            formats[frozenset(rendition.filter_spec.split("|"))] = PILImage.open(
                io.BytesIO(file.read())
            ).format

    for width in ("fill-320x180", "fill-480x270", "fill-640x360"):
        assert formats[frozenset({width, "format-webp"})] == "WEBP"
        assert formats[frozenset({width, "format-jpeg"})] == "JPEG"


@pytest.mark.django_db
def test_an_article_whose_original_image_file_is_lost_still_renders(client, site_tree, caplog):
    """A media volume not mounted or a file deleted by hand costs the image, not the page."""
    image = hero("Verloren")
    article = ArticlePageFactory(parent=site_tree.index, title="Verloren", hero_image=image)
    image.file.storage.delete(image.file.name)

    response = client.get(article.url)

    assert response.status_code == 200
    data = next(
        item
        for item in (
            json.loads(script.string)
            for script in soup(response).select('script[type="application/ld+json"]')
        )
        if item.get("@type") == "Article"
    )
    assert "image" not in data
    assert "Verloren" in response.content.decode()
    assert "original file of image" in caplog.text
