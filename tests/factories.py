"""Factories for the tests: locales, site tree, snippets, images and article pages."""

import datetime
import io
import json
import uuid
from types import SimpleNamespace

import factory
from django.core.files.images import ImageFile
from factory.django import DjangoModelFactory
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.models import Locale, Page, Site

from articles.models import ArticleIndexPage, ArticlePage, Author, RelatedArticle, Topic
from website.models import HomePage


def locale(code):
    return Locale.objects.get_or_create(language_code=code)[0]


def png_bytes(width=32, height=18, colour=(30, 90, 160)):
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


class ImageFactory(DjangoModelFactory):
    class Meta:
        model = get_image_model()

    title = factory.Sequence(lambda n: f"Bild {n}")
    description = factory.Sequence(lambda n: f"Beschreibung von Bild {n}")
    file = factory.LazyAttribute(lambda o: ImageFile(io.BytesIO(png_bytes()), name=f"{uuid.uuid4().hex}.png"))


class TopicFactory(DjangoModelFactory):
    class Meta:
        model = Topic

    name = factory.Sequence(lambda n: f"Thema {n}")
    slug = factory.Sequence(lambda n: f"thema-{n}")
    locale = factory.LazyFunction(lambda: locale("de"))


class AuthorFactory(DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Sequence(lambda n: f"Autorin {n}")
    role = "Redakteurin"
    locale = factory.LazyFunction(lambda: locale("de"))


def stream(*blocks):
    """Raw StreamField data from (type, value) pairs, with stable ids."""
    return json.dumps(
        [{"type": kind, "value": value, "id": str(uuid.uuid4())} for kind, value in blocks]
    )


class ArticlePageFactory(factory.Factory):
    """Builds an ArticlePage below ``parent`` (required) and publishes it unless ``live=False``."""

    class Meta:
        model = ArticlePage

    title = factory.Sequence(lambda n: f"Artikel {n}")
    slug = factory.Sequence(lambda n: f"artikel-{n}")
    teaser = factory.LazyAttribute(lambda o: f"Worum es in {o.title} geht.")
    date = factory.Sequence(lambda n: datetime.date(2026, 1, 1) + datetime.timedelta(days=n))
    body = factory.LazyFunction(lambda: stream(("paragraph", "<p>Ein Absatz.</p>")))

    @classmethod
    def _create(cls, model_class, parent=None, live=True, topics=(), related=(), **kwargs):
        if parent is None:
            raise ValueError("ArticlePageFactory needs a parent index page")
        page = model_class(**kwargs)
        parent.add_child(instance=page)
        if topics:
            page.topics.set(topics)
        if related:
            page.related_links.set([RelatedArticle(article=article) for article in related])
        revision = page.save_revision()
        if live:
            revision.publish()
        page.refresh_from_db()
        return page


def build_site():
    """German home and magazine as the default site, plus their English translations."""
    de, en = locale("de"), locale("en")
    root = Page.get_first_root_node()
    for old in root.get_children():
        old.delete()
    home = HomePage(title="Startseite", slug="home", intro="Willkommen.", locale=de)
    root.add_child(instance=home)
    home.save_revision().publish()
    Site.objects.all().delete()
    Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="CRM-Vergleich")

    index = ArticleIndexPage(title="Magazin", slug="magazin")
    home.add_child(instance=index)
    index.save_revision().publish()

    home_en = translate_page(home, en)
    index_en = translate_page(index, en, title="Magazine")
    return SimpleNamespace(de=de, en=en, root=root, home=home, index=index, home_en=home_en, index_en=index_en)


def translate_page(page, target_locale, live=True, **changes):
    """An English (or other) copy made with Wagtail's translation copy, published by default."""
    translated = page.specific.copy_for_translation(target_locale)
    for field, value in changes.items():
        setattr(translated, field, value)
    revision = translated.save_revision()
    if live:
        revision.publish()
    translated.refresh_from_db()
    return translated.specific
