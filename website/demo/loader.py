"""Builds the demo site: home page, magazine, authors, topics, articles and their translations.

The content comes from the data files in ``website/demo/data/`` (read and checked by
``datafiles``); this module only turns it into pages, snippets and images.

Idempotent: everything is looked up by a stable key (slug, title) first and only
created when missing, so running it twice leaves the same content. English
versions are made with wagtail-localize's own machinery (translation sources,
string translations, ``save_target``), exactly as an editor's "Translate" action
does, not by copying pages by hand.
"""

import io
import json
import uuid
from collections import defaultdict

from django.core.files.images import ImageFile
from django.db import transaction
from wagtail.images import get_image_model
from wagtail.models import Collection, Locale, Page, Site
from wagtail_localize.models import StringSegment, StringTranslation, Translation, TranslationSource
from wagtail_localize.segments import StringSegmentValue
from wagtail_localize.segments.extract import extract_segments

from articles.models import ArticleIndexPage, ArticlePage, Author, RelatedArticle, Topic
from leadwizard.models import Questionnaire, Vendor
from website.models import HomePage, StandardPage

from .datafiles import DATA_DIR, DemoDataError, article_files, load_content, read_toml
from .images import draw_hero, draw_logo, draw_portrait
from .leads import load_leads

DEMO_NAMESPACE = uuid.UUID("6b0d7f64-3f0e-4a41-9a51-6cf0c1d1e7a1")
IMAGE_TITLE_PREFIX = "Demo: "
# Keys of a vendor in the data that are not model fields (the logo is drawn from "logo").
VENDOR_DATA_ONLY = ("logo", "description_de", "description_en")


class DemoLoader:
    """Creates what is missing of the demo content; reports through ``log``."""

    def __init__(self, log=print, site_hostname="127.0.0.1", site_port=8000, leads=True):
        self.log = log
        self.with_leads = leads
        self.site_hostname = site_hostname
        self.site_port = site_port

    @transaction.atomic
    def run(self):
        # Read (and check) every data file before writing anything.
        self.content = load_content()
        self.slugs_en = english_slugs()
        self.de = Locale.objects.get_or_create(language_code="de")[0]
        self.en = Locale.objects.get_or_create(language_code="en")[0]
        self.topics = self.load_topics()
        self.authors = self.load_authors()
        self.home = self.load_home()
        self.privacy = self.load_privacy()
        self.questionnaire = self.load_questionnaire()
        self.vendors = self.load_vendors()
        self.add_home_wizard()
        self.index = self.load_index()
        self.articles = self.load_articles()
        self.translate_site()
        if self.with_leads:
            self.consultant = load_leads(self.questionnaire, {"de": self.de, "en": self.en}, log=self.log)
        return self

    # Snippets ---------------------------------------------------------------

    def load_topics(self):
        topics = {}
        for data in self.content.topics:
            topic = Topic.objects.filter(slug=data["slug"], locale=self.de).first()
            if topic is None:
                topic = Topic.objects.create(slug=data["slug"], name=data["de"], locale=self.de)
                self.log(f"Topic {topic.name}")
            english_slug = self.slugs_en["topics"].get(data["slug"], data["slug"])
            self.translate(topic, Topic(slug=english_slug, name=data["en"]))
            topics[data["slug"]] = topic
        return topics

    def load_authors(self):
        authors = {}
        for index, data in enumerate(self.content.authors):
            author = Author.objects.filter(name=data["name"], locale=self.de).first()
            if author is None:
                photo = self.image(
                    f"{data['name']}",
                    lambda i=index, d=data: draw_portrait(30 + i * 110, d["name"]),
                    description=data["name"],
                )
                author = Author.objects.create(
                    name=data["name"], role=data["role_de"], photo=photo, locale=self.de
                )
                self.log(f"Author {author.name}")
            self.translate(author, Author(name=author.name, role=data["role_en"], photo=author.photo))
            authors[data["key"]] = author
        return authors

    def image(self, name, draw, description=""):
        """A library image titled "Demo: <name>", drawn by ``draw()`` when missing."""
        image_model = get_image_model()
        title = f"{IMAGE_TITLE_PREFIX}{name}"
        image = image_model.objects.filter(title=title).first()
        if image is None:
            slug = uuid.uuid5(DEMO_NAMESPACE, name).hex[:12]
            file = ImageFile(io.BytesIO(draw()), name=f"demo-{slug}.png")
            image = image_model(
                title=title,
                file=file,
                description=description,
                collection=Collection.get_first_root_node(),
            )
            image.save()
        return image

    # Pages ------------------------------------------------------------------

    def load_home(self):
        home = HomePage.objects.filter(locale=self.de, depth=2).first()
        site = Site.objects.filter(is_default_site=True).first()
        if home is None:
            root = Page.get_first_root_node()
            data = self.content.home["de"]
            # Wagtail's installer leaves a "Welcome" page with the slug "home" as site root.
            for old in root.get_children().filter(slug="home").exclude(content_type__model="homepage"):
                if site and site.root_page_id == old.pk:
                    site.root_page = root
                    site.save()
                old.delete()
            home = HomePage(
                title=data["title"],
                slug="home",
                intro=data["intro"],
                locale=self.de,
                body=json.dumps(self.home_body(data["body"])),
            )
            root.add_child(instance=home)
            home.save_revision().publish()
            self.log(f"Home page {home.title}")
        if site is None:
            site = Site(is_default_site=True, root_page=home)
        site.root_page = home
        site.hostname = self.site_hostname
        site.port = self.site_port
        site.site_name = self.content.home["de"]["title"]
        site.save()
        return home

    def home_body(self, blocks, with_wizard=False):
        raw = [
            {"type": kind, "value": value, "id": str(uuid.uuid5(DEMO_NAMESPACE, f"home-{i}"))}
            for i, (kind, value) in enumerate(blocks)
        ]
        if with_wizard:
            raw.append(self.wizard_block("home"))
            raw.append(
                {
                    "type": "ranking_explanation",
                    "value": {"heading": "", "intro": "", "vendor_payment": "none", "payment_details": ""},
                    "id": str(uuid.uuid5(DEMO_NAMESPACE, "home-ranking")),
                }
            )
        return raw

    def wizard_block(self, name):
        return {
            "type": "lead_wizard",
            "value": {"questionnaire": self.questionnaire.pk, "heading": ""},
            "id": str(uuid.uuid5(DEMO_NAMESPACE, f"{name}-wizard")),
        }

    def add_home_wizard(self):
        if any(block.block_type == "lead_wizard" for block in self.home.body):
            return
        self.home.body = json.dumps(self.home_body(self.content.home["de"]["body"], with_wizard=True))
        self.home.save_revision().publish()

    def load_privacy(self):
        data = self.content.privacy
        page = StandardPage.objects.child_of(self.home).filter(slug=data["slug"]).first()
        if page is None:
            page = StandardPage(title=data["de"]["title"], slug=data["slug"], body=data["de"]["body"])
            self.home.add_child(instance=page)
            page.save_revision().publish()
            self.log(f"Page {page.title}")
        return page

    def load_questionnaire(self):
        data = self.content.questionnaire
        questionnaire = Questionnaire.objects.filter(title=data["de"]["title"], locale=self.de).first()
        if questionnaire is None:
            questionnaire = Questionnaire(locale=self.de)
            self.fill_questionnaire(questionnaire, data["de"])
            questionnaire.full_clean()
            questionnaire.save()
            self.log(f"Questionnaire {questionnaire.title}")
        twin = self.fill_questionnaire(Questionnaire(), data["en"])
        self.translate(questionnaire, twin)
        return questionnaire

    def fill_questionnaire(self, questionnaire, text):
        link = f'<a linktype="page" id="{self.privacy.pk}">{self.privacy.title}</a>'
        for name in (
            "title",
            "intro",
            "search_button_label",
            "results_text",
            "no_results_text",
            "contact_title",
            "contact_intro",
            "success_title",
            "success_text",
            "no_results_success_text",
        ):
            setattr(questionnaire, name, text[name])
        questionnaire.consent_text = text["consent_text"].replace("{privacy_link}", link)
        questionnaire.steps = json.dumps(
            [
                {
                    "type": "step",
                    "id": _uid("step", step["key"]),
                    "value": {
                        "key": step["key"],
                        "title": step["title"],
                        "intro": step["intro"],
                        **_condition(step, "step"),
                        "questions": [
                            {
                                "type": "item",
                                "id": _uid("question", question["key"]),
                                "value": {
                                    **{
                                        k: v for k, v in question.items() if k not in ("options", "condition")
                                    },
                                    **_condition(question, "question"),
                                    "options": [
                                        {
                                            "type": "item",
                                            "id": _uid("option", question["key"], option["key"]),
                                            "value": option,
                                        }
                                        for option in question["options"]
                                    ],
                                },
                            }
                            for question in step["questions"]
                        ],
                    },
                }
                for step in text["steps"]
            ]
        )
        return questionnaire

    def load_vendors(self):
        vendors = []
        for data in self.content.vendors:
            vendor = Vendor.objects.filter(name=data["name"], locale=self.de).first()
            if vendor is None:
                logo = self.image(
                    f"Logo {data['name']}",
                    lambda d=data: draw_logo(d["logo"]["hue"], d["logo"]["shape"]),
                    description=f"Logo {data['name']}",
                )
                vendor = Vendor(
                    questionnaire=self.questionnaire,
                    locale=self.de,
                    logo=logo,
                    short_description=data["description_de"],
                    **self.vendor_fields(data),
                )
                vendor.full_clean()
                vendor.save()
            self.translate(
                vendor, Vendor(questionnaire=vendor.questionnaire, short_description=data["description_en"])
            )
            vendors.append(vendor)
        self.log(f"{len(vendors)} vendors")
        return vendors

    @staticmethod
    def vendor_fields(data):
        """The model fields of a vendor from vendors.toml; an unknown key is a mistake in the file."""
        fields = {name: value for name, value in data.items() if name not in VENDOR_DATA_ONLY}
        unknown = set(fields) - {"name", "website", "active", *Vendor.ATTRIBUTE_FIELDS}
        if unknown:
            raise DemoDataError(f"vendors.toml: {data['name']} has unknown fields {sorted(unknown)}")
        return fields

    def load_index(self):
        index = ArticleIndexPage.objects.child_of(self.home).filter(slug=self.content.index["slug"]).first()
        if index is None:
            data = self.content.index["de"]
            index = ArticleIndexPage(
                title=data["title"], slug=self.content.index["slug"], intro=data["intro"]
            )
            self.home.add_child(instance=index)
            index.save_revision().publish()
            self.log(f"Index {index.title}")
        return index

    def load_articles(self):
        articles, created = {}, []
        for data in self.content.articles:
            page = ArticlePage.objects.child_of(self.index).filter(slug=data["slug"]).first()
            if page is None:
                page = ArticlePage(
                    title=data["de"]["title"],
                    slug=data["slug"],
                    teaser=data["de"]["teaser"],
                    live=False,
                    body="[]",
                )
                self.index.add_child(instance=page)
                created.append(data)
            articles[data["slug"]] = page

        # A second pass: links need every article to exist first.
        for data in created:
            page = articles[data["slug"]]
            self.fill_article(page, data, data["de"], articles)
            page.topics.set([self.topics[slug] for slug in data["topics"]])
            page.related_links.set([RelatedArticle(article=articles[slug]) for slug in data["related"]])
            page.save_revision().publish()
            self.log(f"Article {page.title}")
        return articles

    def fill_article(self, page, data, text, articles):
        """Set the fields of ``page`` (saved or not) from the language part ``text`` of ``data``."""
        page.title = text["title"]
        page.teaser = text["teaser"]
        page.lead_quote = text["lead_quote"]
        page.lead_quote_attribution = text["lead_quote_attribution"]
        page.date = data["date"]
        page.author = self.authors[data["author"]]
        page.hero_image = self.image(
            data["slug"],
            lambda: draw_hero(data["hero"]["hue"], data["hero"]["motif"], data["slug"]),
            description=data["de"]["hero_alt"],
        )
        page.hero_image_alt = text["hero_alt"]
        page.hero_image_caption = text["hero_caption"]
        page.body = json.dumps(self.article_body(data, text["body"], articles))
        return page

    def article_body(self, data, blocks, articles):
        slug = data["slug"]
        raw = []
        for i, (kind, value) in enumerate(blocks):
            if kind == "read_also":
                value = {"page": articles[value["slug"]].pk, "label": value["label"]}
            raw.append({"type": kind, "value": value, "id": str(uuid.uuid5(DEMO_NAMESPACE, f"{slug}-{i}"))})
        if data["wizard_position"] is not None:
            raw.insert(data["wizard_position"], self.wizard_block(slug))
        return raw

    # Translations -----------------------------------------------------------

    def translate_site(self):
        self.translate(
            self.home,
            HomePage(
                title=self.content.home["en"]["title"],
                slug="home",
                intro=self.content.home["en"]["intro"],
                body=json.dumps(self.home_body(self.content.home["en"]["body"], with_wizard=True)),
            ),
        )
        self.translate(
            self.privacy,
            StandardPage(
                title=self.content.privacy["en"]["title"],
                slug=self.slugs_en["privacy"] or self.content.privacy["slug"],
                body=self.content.privacy["en"]["body"],
            ),
        )
        self.translate(
            self.index,
            ArticleIndexPage(
                title=self.content.index["en"]["title"],
                slug=self.slugs_en["magazine"] or self.content.index["slug"],
                intro=self.content.index["en"]["intro"],
            ),
        )
        for data in self.content.articles:
            if data.get("en"):
                page = self.articles[data["slug"]]
                slug = self.slugs_en["articles"].get(data["slug"]) or page.slug
                twin = self.fill_article(ArticlePage(slug=slug), data, data["en"], self.articles)
                self.translate(page, twin)

    def keep_english_slug(self, translation, slug):
        """An English page or topic made before English slugs existed gets its English slug.

        So a database loaded by an older version ends up with the addresses a new one
        gets; Wagtail's redirects app keeps the old address of a published page working.
        """
        if not slug or translation.slug == slug:
            return
        if (
            isinstance(translation, Page)
            and translation.get_siblings(inclusive=False).filter(slug=slug).exists()
        ):
            return  # taken beside it (the English home page next to the German one): keep its own
        translation.slug = slug
        if isinstance(translation, Page):
            translation.save_revision().publish()
        else:
            translation.save()
        self.log(f"Gave {translation} its English slug")

    def translate(self, instance, twin):
        """Translate ``instance`` into English with wagtail-localize, using ``twin``'s texts.

        ``twin`` is an unsaved object with the same structure as ``instance`` but
        English values: both are split into segments the way wagtail-localize
        does it, and each German segment gets its English counterpart as a
        string translation before the translation is created. These are the
        steps of the admin's "Translate" action, except that pages are
        published right away instead of when the transaction commits: the
        demo is built in one transaction, and deferred publishes would write
        stale tree data over pages created after them.
        """
        if instance.has_translation(self.en):
            self.keep_english_slug(instance.get_translation(self.en), getattr(twin, "slug", ""))
            return
        source, _created = TranslationSource.get_or_create_from_instance(instance)
        Translation.objects.update_or_create(source=source, target_locale=self.en, defaults={"enabled": True})

        english = _string_map(instance, twin)
        for segment in StringSegment.objects.filter(source=source).select_related("string", "context"):
            text = english.get(segment.string.data)
            if text is not None and text != segment.string.data:
                StringTranslation.objects.update_or_create(
                    translation_of=segment.string,
                    locale=self.en,
                    context=segment.context,
                    defaults={"data": text},
                )
        is_page = isinstance(instance, Page)
        translated, _created = source.create_or_update_translation(
            self.en, publish=not is_page, fallback=True, copy_parent_pages=True
        )
        if is_page:
            translated.get_latest_revision().publish()
        self.log(f"Translated {instance} into English")


def english_slugs():
    """The English pages' and topics' slugs (``slug`` in the files' English parts).

    Read here because ``datafiles`` hands the loader only the texts; the slug becomes
    the English string of the slug segment, so the English pages are
    ``/en/magazine/crm-selection-in-five-steps/`` rather than German addresses.
    """
    pages = read_toml(DATA_DIR / "pages.toml")
    return {
        "magazine": pages["magazine"]["en"].get("slug"),
        "privacy": pages["privacy"]["en"].get("slug"),
        "topics": {
            topic["slug"]: topic["slug_en"]
            for topic in read_toml(DATA_DIR / "topics.toml")["topics"]
            if topic.get("slug_en")
        },
        "articles": {
            path.stem: table["en"]["slug"]
            for path in article_files()
            if "slug" in (table := read_toml(path)).get("en", {})
        },
    }


def _uid(*parts):
    return str(uuid.uuid5(DEMO_NAMESPACE, "-".join(parts)))


def _condition(item, kind):
    """The ``condition`` of a step's or question's block value, when the data file gives one.

    Left out otherwise, so the stored steps of the demo stay as they were before conditions existed.
    """
    condition = item.get("condition")
    if not condition:
        return {}
    answer_keys = condition.get("answer_keys", [])
    return {
        "condition": {
            "question_key": condition.get("question_key", ""),
            "answer_keys": [
                {"type": "item", "id": _uid("condition", kind, item["key"], key), "value": key}
                for key in answer_keys
            ],
        }
    }


def _string_map(source, twin):
    """German string → English string, pairing the two objects' segments path by path."""
    by_path_de, by_path_en = defaultdict(list), defaultdict(list)
    for segment in extract_segments(source):
        if isinstance(segment, StringSegmentValue):
            by_path_de[segment.path].append(segment.string.data)
    for segment in extract_segments(twin):
        if isinstance(segment, StringSegmentValue):
            by_path_en[segment.path].append(segment.string.data)
    mapping = {}
    for path, german in by_path_de.items():
        english = by_path_en.get(path, [])
        if len(english) != len(german):
            raise ValueError(f"Demo translation of {source!r} does not match at {path}: {german} / {english}")
        mapping.update(zip(german, english, strict=True))
    return mapping
