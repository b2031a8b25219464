"""Article pages, the article index, and the author and topic snippets they use."""

import datetime
import logging
import re
import uuid
from urllib.parse import urlencode, urljoin

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import DEFAULT_DB_ALIAS, models
from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.db.models.functions import Length, Substr
from django.http import Http404, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    PageChooserPanel,
)
from wagtail.admin.widgets.slug import SlugInput
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.images.models import SourceImageIOError
from wagtail.models import Locale, Orderable, Page, PageViewRestriction, Site, TranslatableMixin
from wagtail.search import index

from .conf import app_settings
from .fields import ArticleBodyField
from .templatetags.articles_seo import META_DESCRIPTION_LENGTH, meta_summary

try:
    from wagtail_localize.fields import SynchronizedField, TranslatableField
except ImportError:  # wagtail-localize is optional: a single-language site translates nothing
    SynchronizedField = TranslatableField = None
from .localization import localize_objects, localize_pages
from .prepared import PreparedQuery

logger = logging.getLogger(__name__)


def image_url(image, spec, request=None):
    """The full URL of ``image``'s ``spec`` rendition, or None when its original file is missing.

    Structured data and share images name a URL; a lost original (a media volume
    not mounted, a file deleted by hand) must cost that URL, not the whole page,
    as Wagtail's ``{% image %}`` tag also renders on.
    """
    try:
        rendition = image.get_rendition(spec)
    except SourceImageIOError:
        logger.warning(
            "The original file of image %s is missing; its %s rendition is left out.", image.pk, spec
        )
        return None
    return request.build_absolute_uri(rendition.url) if request else rendition.full_url


# Slugs ---------------------------------------------------------------------------

# German readers expect umlauts spelled out in addresses ("für" → "fuer"), not dropped ("fur")
# as Django's slugify and Wagtail's admin do, nor kept ("f%C3%BCr" once shared or copied).
GERMAN_TRANSLITERATION = {
    "ä": "ae",
    "ö": "oe",
    "ü": "ue",
    "ß": "ss",
    "Ä": "Ae",
    "Ö": "Oe",
    "Ü": "Ue",
    "ẞ": "SS",
}
ASCII_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def german_slugify(value):
    """A lower-case ASCII slug with umlauts and ß spelled out: "Größe & Übersicht" → "groesse-uebersicht".

    Other accents lose their marks ("Café" → "cafe"), as in Django's ``slugify``.
    """
    value = str(value)
    for char, replacement in GERMAN_TRANSLITERATION.items():
        value = value.replace(char, replacement)
    return slugify(value)


def ascii_slug(slug):
    """``slug`` as it is when it is already an ASCII slug, else made one with ``german_slugify``.

    Valid slugs are never touched, so existing addresses stay; only slugs with umlauts
    (or other characters outside ASCII) change.
    """
    if not slug or ASCII_SLUG.fullmatch(slug):
        return slug
    return german_slugify(slug)


class GermanSlugInput(SlugInput):
    """The admin's slug field, spelling umlauts out while the editor types the title ("für" → "fuer").

    Wagtail's slug script drops the dots ("fur") or keeps the umlaut, depending on
    ``WAGTAIL_ALLOW_UNICODE_SLUGS``; its ``formatters`` run first, and ASCII-only
    slugs (whatever that setting says) match what the server keeps.
    """

    def __init__(self, attrs=None, **kwargs):
        attrs = {"data-w-slug-allow-unicode-value": "false", **(attrs or {})}
        kwargs.setdefault("formatters", list(GERMAN_TRANSLITERATION.items()))
        super().__init__(attrs=attrs, **kwargs)


class GermanSlugPageMixin:
    """Pages whose slugs never keep umlauts, however they were made (admin, import, API, code).

    A slug with characters outside ASCII is transliterated when the page is
    validated, which Wagtail does on every save of a live page, every draft and
    every publication. A published page whose slug changes this way gets a
    redirect from its old address by ``wagtail.contrib.redirects`` (Wagtail
    creates one whenever a live page's slug changes), so old links keep working.
    """

    # Wagtail's own promote panels, with the German slug field.
    promote_panels = [
        MultiFieldPanel(
            [
                FieldPanel("slug", widget=GermanSlugInput()),
                FieldPanel("seo_title"),
                FieldPanel("search_description"),
            ],
            _("For search engines"),
        ),
        MultiFieldPanel([FieldPanel("show_in_menus")], _("For site menus")),
    ]

    def _set_core_field_defaults(self):
        # Wagtail fills an empty slug from the title here (keeping umlauts); every path
        # to the database (full_clean, minimal_clean) passes through it.
        super()._set_core_field_defaults()
        self.slug = ascii_slug(self.slug)


def unique_snippet_slug(instance, base):
    """``base``, or ``base-2``, ``base-3``… when another snippet (not a translation of this one) has it."""
    taken = set(
        type(instance)
        .objects.filter(locale_id=instance.locale_id, slug__startswith=base)
        .exclude(translation_key=instance.translation_key)
        .values_list("slug", flat=True)
    )
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


class Author(TranslatableMixin, models.Model):
    """A person who writes for the magazine; shown in the article byline."""

    name = models.CharField(_("name"), max_length=120)
    role = models.CharField(
        _("role"),
        max_length=120,
        blank=True,
        help_text=_("Shown under the name, e.g. 'Redakteurin für CRM-Software'."),
    )
    photo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("A square portrait works best."),
    )

    slug = models.SlugField(
        _("slug"),
        max_length=120,
        blank=True,
        allow_unicode=False,
        help_text=_(
            "The end of the author page's address, e.g. …/autor/lena-hoffmann/. "
            "Leave empty to make it from the name."
        ),
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("slug", widget=GermanSlugInput()),
        FieldPanel("role"),
        FieldPanel("photo"),
    ]

    # A person's name (and so the address of their page) is the same in every language;
    # only the role is translated.
    translatable_fields = (
        [
            SynchronizedField("name"),
            SynchronizedField("slug"),
            TranslatableField("role"),
            SynchronizedField("photo"),
        ]
        if TranslatableField
        else []
    )

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("author")
        verbose_name_plural = _("authors")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "locale"], name="articles_author_unique_slug_per_locale"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.fill_slug()
        return super().save(*args, **kwargs)

    def full_clean(self, *args, **kwargs):
        # Before the field is validated: a slug typed like text ("Lena Hoffmann") is made a slug.
        self.fill_slug()
        super().full_clean(*args, **kwargs)

    def fill_slug(self):
        """An ASCII slug: the editor's (umlauts spelled out), else one made from the name."""
        self.slug = ascii_slug(self.slug) or unique_snippet_slug(self, german_slugify(self.name) or "autor")

    def get_url(self, request=None, locale=None):
        """The address of the author's page, e.g. ``/magazin/autor/lena-hoffmann/``; None without one.

        The page lists the author's articles below the article index of ``locale``
        (default: the author's own), the first live one in the page tree. Relative
        like ``Page.get_url`` when the site is the only one, else absolute.
        """
        index = ArticleIndexPage.for_locale(locale or self.locale)
        return index.get_author_url(self, request) if index else None

    def get_json_ld(self, request=None, url=None):
        """Structured data (schema.org ``Person``): name, page ``url`` (full), role, portrait."""
        data = {"@context": "https://schema.org", "@type": "Person", "name": self.name}
        if url:
            data["url"] = url
        if self.role:
            data["jobTitle"] = self.role
        photo_url = image_url(self.photo, "fill-400x400", request) if self.photo else None
        if photo_url:
            data["image"] = photo_url
        return data


class Topic(TranslatableMixin, models.Model):
    """A subject area; articles sharing a topic are suggested as related reading."""

    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(
        _("slug"),
        max_length=80,
        allow_unicode=False,
        help_text=_(
            "The end of the topic page's address, e.g. …/thema/kundenservice/. "
            "Translate it with the name, so readers of each language see their own words."
        ),
    )

    panels = [FieldPanel("name"), FieldPanel("slug", widget=GermanSlugInput())]

    # The slug is part of the topic page's address: translated like the name, so English
    # readers get /en/magazine/topic/customer-service/. Old addresses with the German slug
    # are redirected (ArticleIndexPage.listing_route).
    translatable_fields = [TranslatableField("name"), TranslatableField("slug")] if TranslatableField else []

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "locale"], name="articles_topic_unique_slug_per_locale"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.slug = ascii_slug(self.slug)
        return super().save(*args, **kwargs)

    def full_clean(self, *args, **kwargs):
        # Before the field is validated: a translated slug typed like text ("Customer service"),
        # or with umlauts, is made an ASCII slug.
        self.slug = ascii_slug(self.slug)
        super().full_clean(*args, **kwargs)

    def get_url(self, request=None, locale=None):
        """The address of the topic's page, e.g. ``/magazin/thema/kundenservice/``; None without one.

        Below the article index of ``locale`` (default: the topic's own), with the
        slug of the topic's translation there. Relative like ``Page.get_url`` when
        the site is the only one.
        """
        index = ArticleIndexPage.for_locale(locale or self.locale)
        if index is None:
            return None
        [topic] = localize_objects([self], index.locale)
        return index.get_topic_url(topic, request)


def _page_query(request):
    """``?page=N`` of the request, for redirects that keep the reader's page of a listing."""
    number = request.GET.get("page", "")
    return f"?{urlencode({'page': number})}" if number.isdigit() and int(number) > 1 else ""


def attach_article_links(articles, request=None, index=None):
    """Give each article ``author_page_url`` and ``topic_links`` ([(topic, URL)]), for bylines and teasers.

    Topics are named in the article's language and link to their page below the
    article's index; ``author_page_url`` is None without an author. A fixed number
    of queries for any number of articles (none for an index's own articles, given
    as ``index``, but their topics). Returns the articles as a list.
    """
    articles = list(articles)
    if not articles:
        return articles
    steplen = ArticleIndexPage.steplen
    parent_paths = {article.path[:-steplen] for article in articles}
    indexes = {index.path: index} if index is not None else {}
    missing = parent_paths - set(indexes)
    if missing:
        indexes.update(
            (found.path, found)
            for found in ArticleIndexPage.objects.filter(path__in=missing).select_related("locale")
        )

    without_author = {
        article.author_id
        for article in articles
        if article.author_id and not ArticlePage.author.is_cached(article)
    }
    authors = Author.objects.in_bulk(without_author) if without_author else {}

    topics_of = {}
    for row in ArticlePage.topics.through.objects.filter(
        articlepage_id__in=[article.pk for article in articles]
    ).select_related("topic"):
        topics_of.setdefault(row.articlepage_id, []).append(row.topic)
    localized = {}
    for locale_id in {article.locale_id for article in articles}:
        used = [
            topic
            for article in articles
            if article.locale_id == locale_id
            for topic in topics_of.get(article.pk, [])
        ]
        if used:
            unique = list({topic.pk: topic for topic in used}.values())
            for source, translated in zip(
                unique, localize_objects(unique, Locale(pk=locale_id)), strict=True
            ):
                localized[(locale_id, source.pk)] = translated

    for article in articles:
        if article.author_id in authors:
            article.author = authors[article.author_id]
        parent = indexes.get(article.path[:-steplen])
        article.author_page_url = (
            parent.get_author_url(article.author, request) if parent is not None and article.author else None
        )
        names = sorted(
            (localized[(article.locale_id, topic.pk)] for topic in topics_of.get(article.pk, [])),
            key=lambda topic: topic.name.lower(),
        )
        article.topic_links = [
            (topic, parent.get_topic_url(topic, request) if parent is not None else None) for topic in names
        ]
    return articles


def _covering_restrictions():
    """View restrictions on the outer query's page or one of its ancestors."""
    return PageViewRestriction.objects.filter(page__path=Substr(OuterRef("path"), 1, Length("page__path")))


def without_view_restrictions(queryset):
    """``queryset`` without the pages a view restriction covers (on the page or an ancestor).

    The same pages as Wagtail's ``public()``, in the same query: ``public()`` first
    reads every restriction, one query more each time a page uses it.
    """
    return queryset.exclude(Exists(_covering_restrictions()))


def view_restrictions_may_apply():
    """Whether a view restriction may apply to the outer query's page, as an expression.

    False when no restriction is on the page or an ancestor and none of them is an
    alias (an alias has its source page's restrictions, which Wagtail's
    ``get_view_restrictions`` reads); True where Wagtail's own check must be asked.
    """
    aliased = Page.objects.filter(path=Substr(OuterRef("path"), 1, Length("path")), alias_of__isnull=False)
    return Exists(_covering_restrictions()) | Exists(aliased)


def visible_articles(in_one_query=False):
    """Article pages a reader may see: live and without view restrictions.

    ``in_one_query``: with the restrictions checked inside the query
    (``without_view_restrictions``) rather than read first, for pages that count
    their queries; search backends only understand Wagtail's ``public()``.
    """
    articles = ArticlePage.objects.live()
    articles = without_view_restrictions(articles) if in_one_query else articles.public()
    # Teaser cards show each article's language: fetch the locale with the page.
    return articles.select_related("locale")


def absolute_url(page, url, request=None):
    """``url`` made absolute on the site's root URL, as Wagtail makes the page's own (canonical) URL."""
    site = (Site.find_for_request(request) if request is not None else None) or page.get_site()
    return urljoin(site.root_url + "/", url) if site else url


def breadcrumb_json_ld(page, request=None, extra=(), ancestors=None):
    """Structured data (schema.org ``BreadcrumbList``): the site's home down to ``page``, then ``extra``.

    ``extra`` holds (name, URL) pairs below the page, e.g. an index's topic. Pages
    above the site's home (the tree's root) have no address and are left out.
    ``ancestors``: those pages with ``page``, top first, when the caller has them
    already (routing walked them); otherwise they are read from the database.
    """
    if ancestors is None:
        ancestors = page.get_ancestors(inclusive=True).filter(depth__gt=1)
    trail = []
    for ancestor in ancestors:
        url = ancestor.get_full_url(request)
        if url:
            trail.append((ancestor.title, url))
    trail.extend(extra)
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": url}
            for position, (name, url) in enumerate(trail, start=1)
        ],
    }


class ArticleIndexPage(RoutablePageMixin, GermanSlugPageMixin, Page):
    """The magazine: lists the articles below it, newest first; author and topic pages; feeds."""

    intro = RichTextField(
        _("introduction"),
        blank=True,
        features=["bold", "italic", "link"],
        help_text=_("A short text above the list of articles."),
    )

    content_panels = Page.content_panels + [FieldPanel("intro")]

    subpage_types = ["articles.ArticlePage"]

    search_fields = Page.search_fields + [index.SearchField("intro")]

    class Meta:
        verbose_name = _("article index page")
        verbose_name_plural = _("article index pages")

    def route(self, request, path_components):
        # An article's address: the article with its locale, author and hero image in one
        # query, where Wagtail's routing takes two (the page, then its specific type) and the
        # article's template then one for each; whether a view restriction may apply is found
        # in the same query, where Wagtail's check before serving takes two more (ArticlePage.
        # get_view_restrictions). Author, topic and feed routes keep precedence.
        if len(path_components) == 1 and self.live:
            try:
                self.resolve_subpage(f"/{path_components[0]}/")
            except Http404:
                found = _ROUTED_ARTICLE(
                    self.path, self.depth + 1, path_components[0], using=self._state.db or DEFAULT_DB_ALIAS
                )
                article = found[0] if found else None
                if article is not None and article.specific_class is ArticlePage:
                    article._cached_parent_obj = (
                        self  # as Wagtail's routing does: get_parent() needs no query
                    )
                    return article.route(request, [])
        return super().route(request, path_components)

    def get_articles(self):
        """Live, public articles directly below this index, newest first."""
        return (
            visible_articles()
            .child_of(self)
            .select_related("author", "hero_image")
            .prefetch_related("hero_image__renditions")
            .defer_streamfields()
            .order_by("-date", "-first_published_at", "-pk")
        )

    def get_topics(self):
        """Topics used by this index's articles, named in the index's language."""
        used = Topic.objects.filter(
            pk__in=ArticlePage.topics.through.objects.filter(
                articlepage__in=ArticlePage.objects.child_of(self).live().public()
            ).values("topic_id")
        )
        topics = localize_objects(used, self.locale)
        return sorted(topics, key=lambda topic: topic.name.lower())

    def get_context(self, request, *args, author=None, topic=None, **kwargs):
        """The listing: all articles, or an ``author``'s or a ``topic``'s (their pages' routes pass them)."""
        context = super().get_context(request, *args, **kwargs)
        context["articles_base_template"] = app_settings.BASE_TEMPLATE
        articles = self.get_articles()
        if author is not None:
            # English articles may still name the German author: match every translation.
            articles = articles.filter(author__translation_key=author.translation_key)
        if topic is not None:
            articles = articles.filter(
                pk__in=ArticlePage.topics.through.objects.filter(
                    topic__translation_key=topic.translation_key
                ).values("articlepage_id")
            )
        topics = self.get_topics()
        for each in topics:
            each.page_url = self.get_topic_url(each, request)
        paginator = Paginator(articles, app_settings.PER_PAGE)
        try:
            page_obj = paginator.page(request.GET.get("page", 1))
        except PageNotAnInteger:
            page_obj = paginator.page(1)
        except EmptyPage:
            page_obj = paginator.page(paginator.num_pages)
        # Teasers link their author and topics: looked up for the whole page at once.
        page_obj.object_list = attach_article_links(page_obj.object_list, request, index=self)
        context.update(
            articles=page_obj,
            paginator=paginator,
            topics=topics,
            current_topic=topic,
            current_author=author,
        )
        # Each page of the listing, each author and each topic is a page of its own for search engines.
        if author is not None:
            context.update(self.get_author_metadata(request, author, page_obj.number))
        else:
            context.update(self.get_listing_metadata(request, page_obj.number, topic))
        return context

    # Author and topic pages ---------------------------------------------------------

    @classmethod
    def for_locale(cls, locale):
        """The first live, public article index in ``locale`` (a Locale or its id), or None."""
        locale_id = getattr(locale, "pk", locale)
        return (
            cls.objects.live()
            .public()
            .filter(locale_id=locale_id)
            .select_related("locale")
            .order_by("path")
            .first()
        )

    def url_words(self):
        """The words before the slug in author and topic addresses, in this index's language."""
        return app_settings.url_words(self.locale.language_code)

    def get_author_url(self, author, request=None):
        """The address of ``author``'s page below this index, e.g. ``/magazin/autor/lena-hoffmann/``."""
        return self._listing_url("author", author.slug, request)

    def get_topic_url(self, topic, request=None):
        """The address of ``topic``'s page below this index; pass the topic in this index's language."""
        return self._listing_url("topic", topic.slug, request)

    def _listing_url(self, kind, slug, request):
        # The index's own address once per request: bylines and teasers ask for several.
        known = self.__dict__.get("_articles_own_url")
        if known is not None and known[0] is request:
            url = known[1]
        else:
            url = self.get_url(request)
            self._articles_own_url = (request, url)
        if url is None:
            return None
        return url + self.reverse_subpage("listing", args=(self.url_words()[kind], slug))

    def find_snippet(self, model, slug):
        """The author or topic with ``slug``, in this index's language where it has a translation.

        A slug of another language (the German topic slug on the English index) finds
        the same topic: the route then redirects to its address in this language.
        """
        found = list(model.objects.filter(slug=slug))
        if not found:
            return None
        own = [item for item in found if item.locale_id == self.locale_id]
        if own:
            return own[0]
        [localized] = localize_objects(found[:1], self.locale)
        return localized

    def serve(self, request, view=None, args=None, kwargs=None):
        if view in (None, self.index_route) and request.GET.get("topic"):
            # The topic filter (?topic=…) became topic pages: old links and search results move there.
            topic = self.find_snippet(Topic, request.GET["topic"].strip())
            if topic is not None:
                return HttpResponsePermanentRedirect(
                    self.get_topic_url(topic, request) + _page_query(request)
                )
        return super().serve(request, view, args, kwargs)

    def get_author_metadata(self, request, author, page_number=1):
        """``meta_title``, ``meta_description``, ``canonical_url``, breadcrumbs and ``person_json_ld``
        of one page of an author's articles."""
        url = absolute_url(self, self.get_author_url(author, request), request)
        title = _("Articles by %(name)s") % {"name": author.name}
        if author.role:
            description = _("%(name)s, %(role)s: all articles in %(magazine)s, newest first.") % {
                "name": author.name,
                "role": author.role,
                "magazine": self.title,
            }
        else:
            description = _("%(name)s: all articles in %(magazine)s, newest first.") % {
                "name": author.name,
                "magazine": self.title,
            }
        canonical = url
        if page_number > 1:
            title = _("%(title)s – page %(number)s") % {"title": title, "number": page_number}
            suffix = _("Page %(number)s.") % {"number": page_number}
            description = f"{meta_summary(description, META_DESCRIPTION_LENGTH - len(suffix) - 1)} {suffix}"
            canonical = f"{url}?{urlencode({'page': page_number})}"
        return {
            "meta_title": title,
            "meta_description": description,
            "canonical_url": canonical,
            "breadcrumb_json_ld": breadcrumb_json_ld(self, request, [(author.name, url)]),
            "person_json_ld": author.get_json_ld(request, url=url),
        }

    # Search engines: each listing page has its own title, description and canonical URL.

    def get_meta_description(self):
        """The description search engines show: the editor's, else the introduction, else a standard sentence."""
        return (
            self.search_description
            or meta_summary(self.intro)
            or _("%(title)s: all articles, newest first.") % {"title": self.title}
        )

    def get_listing_url(self, request=None, topic=None, page_number=1):
        """Full URL of one page of the listing, all articles or one topic's; page 1 without ``?page=1``."""
        query = {}
        if page_number > 1:
            query["page"] = page_number
        # A topic's listing has its own address (…/thema/<slug>/), not ?topic=.
        url = (
            absolute_url(self, self.get_topic_url(topic, request), request)
            if topic is not None
            else self.get_full_url(request)
        )
        # The same order as the pagination links, so each listing page has exactly one address.
        return f"{url}?{urlencode(query)}" if query else url

    def get_listing_metadata(self, request, page_number=1, topic=None):
        """``meta_title``, ``meta_description``, ``canonical_url`` and ``breadcrumb_json_ld`` of one listing page.

        Page 2 and a topic's listing are not page 1 of all articles: a canonical URL
        pointing there would hide them from search engines, and one title for all
        would make them look like duplicates.
        """
        title = self.seo_title or self.title
        description = self.get_meta_description()
        if topic is not None:
            title = _("%(title)s: %(topic)s") % {"title": title, "topic": topic.name}
            description = _("%(title)s: articles about %(topic)s, newest first.") % {
                "title": self.title,
                "topic": topic.name,
            }
        if page_number > 1:
            title = _("%(title)s – page %(number)s") % {"title": title, "number": page_number}
            suffix = _("Page %(number)s.") % {"number": page_number}
            description = f"{meta_summary(description, META_DESCRIPTION_LENGTH - len(suffix) - 1)} {suffix}"
        extra = [(topic.name, self.get_listing_url(request, topic))] if topic is not None else []
        return {
            "meta_title": title,
            "meta_description": description,
            "canonical_url": self.get_listing_url(request, topic, page_number),
            "breadcrumb_json_ld": breadcrumb_json_ld(self, request, extra),
        }

    @path("feed/", name="rss")
    def rss_feed(self, request):
        from .feeds import ArticleRssFeed

        return ArticleRssFeed(self)(request)

    @path("feed/atom/", name="atom")
    def atom_feed(self, request):
        from .feeds import ArticleAtomFeed

        return ArticleAtomFeed(self)(request)

    # After the feeds, so that feed/atom/ stays the feed.
    @path("<str:word>/<slug:slug>/", name="listing")
    def listing_route(self, request, word, slug):
        """An author's page (``autor/<slug>/``) or a topic's (``thema/<slug>/``), paginated like the index.

        Unknown slugs are not found (404). The other language's word or slug
        (``/en/magazine/autor/…``, a German topic slug on the English index)
        redirects permanently to this language's address.
        """
        kinds = {word: kind for kind, word in self.url_words().items()}
        kind = kinds.get(word)
        if kind is None:
            kind = next(
                (
                    kind
                    for words in app_settings.URL_WORDS.values()
                    for kind, other in words.items()
                    if other == word
                ),
                None,
            )
            if kind is None:
                raise Http404
        item = self.find_snippet(Author if kind == "author" else Topic, slug)
        if item is None:
            raise Http404
        if kinds.get(word) != kind or item.slug != slug:
            return HttpResponsePermanentRedirect(
                self._listing_url(kind, item.slug, request) + _page_query(request)
            )
        alternates = self.listing_alternates(item, request)
        if kind == "author":
            return self.render(
                request,
                author=item,
                template="articles/author_page.html",
                context_overrides={"language_alternates": alternates},
            )
        return self.render(request, topic=item, context_overrides={"language_alternates": alternates})

    def listing_alternates(self, item, request):
        """The same author's or topic's page in every language that has an article index.

        In the context as ``language_alternates`` (the keys of the host's language links):
        the host's hreflang links and language switcher otherwise only know the index
        page, whose translations are the other languages' indexes, not this page's.
        """
        locales = {locale.language_code: locale for locale in Locale.objects.all()}
        alternates = []
        for code, _name in settings.LANGUAGES:
            locale = locales.get(code)
            url = item.get_url(request, locale=locale) if locale is not None else None
            if url is None:
                continue
            alternates.append(
                {
                    "code": code,
                    "name": get_language_info(code)["name_local"],
                    "url": url,
                    "full_url": request.build_absolute_uri(url),
                    "exists": True,
                    "default": code == settings.LANGUAGE_CODE,
                    "current": code == self.locale.language_code,
                }
            )
        return alternates

    def get_listing_sitemap_urls(self, request=None):
        """Sitemap entries of the author and topic pages that list articles, like Wagtail's own.

        Each has ``location``, ``lastmod`` (its newest article) and ``alternates``: the
        same author's or topic's page in the other languages (``lang_code``,
        ``location``), ``x-default`` for the default language, as a sitemap's hreflang.
        """
        indexes = list(
            ArticleIndexPage.objects.filter(translation_key=self.translation_key)
            .live()
            .public()
            .select_related("locale")
        )
        pages = {index.locale.language_code: index._listing_pages(request) for index in indexes}
        own = pages.get(self.locale.language_code, {})
        order = [code for code, _name in settings.LANGUAGES if code in pages]
        order += [code for code in pages if code not in order]
        entries = []
        for key, (location, lastmod) in own.items():
            alternates = [
                {"lang_code": code, "location": pages[code][key][0]} for code in order if key in pages[code]
            ]
            default = pages.get(settings.LANGUAGE_CODE, {}).get(key)
            if default:
                alternates.append({"lang_code": "x-default", "location": default[0]})
            entries.append({"location": location, "lastmod": lastmod, "alternates": alternates})
        return entries

    def _listing_pages(self, request=None):
        """{(kind, translation key): (full URL, newest article's publication)} of this index's
        authors and topics with live articles. Three queries, however many there are."""
        visible = visible_articles().child_of(self)
        found = {}
        authors = (
            visible.exclude(author=None)
            .values("author__translation_key", "author__slug")
            .annotate(lastmod=Max("last_published_at"))
        )
        for row in authors:
            key = ("author", row["author__translation_key"])
            url = self._listing_url("author", row["author__slug"], request)
            if url and (key not in found or row["lastmod"] > found[key][1]):
                found[key] = (absolute_url(self, url, request), row["lastmod"])
        used = list(
            ArticlePage.topics.through.objects.filter(articlepage__in=visible)
            .values("topic__translation_key", "topic__slug")
            .annotate(lastmod=Max("articlepage__last_published_at"))
        )
        own_slugs = dict(
            Topic.objects.filter(
                translation_key__in={row["topic__translation_key"] for row in used}, locale_id=self.locale_id
            ).values_list("translation_key", "slug")
        )
        for row in used:
            key = ("topic", row["topic__translation_key"])
            url = self._listing_url("topic", own_slugs.get(key[1], row["topic__slug"]), request)
            if url and (key not in found or row["lastmod"] > found[key][1]):
                found[key] = (absolute_url(self, url, request), row["lastmod"])
        return found

    def get_sitemap_urls(self, request=None):
        return super().get_sitemap_urls(request) + self.get_listing_sitemap_urls(request)


class ArticlePage(GermanSlugPageMixin, Page):
    """An editorial article: teaser, lead quote, hero image, structured body and related reading."""

    teaser = models.TextField(
        _("teaser"),
        max_length=300,
        help_text=_(
            "One or two plain sentences that make readers want to read on. "
            "Used in listings, teaser cards, feeds and as the default meta description."
        ),
    )
    lead_quote = models.TextField(
        _("lead quote"),
        blank=True,
        max_length=400,
        help_text=_("Optional quotation shown prominently at the top of the article."),
    )
    lead_quote_attribution = models.CharField(
        _("lead quote attribution"),
        blank=True,
        max_length=200,
        help_text=_("Who said the lead quote, e.g. 'Jana Weber, Geschäftsführerin'."),
    )
    date = models.DateField(
        _("publication date"),
        null=True,
        blank=True,
        help_text=_("Leave empty to use the date of first publication. Change it to backdate an article."),
    )
    author = models.ForeignKey(
        Author,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
        help_text=_("Shown in the byline."),
    )
    topics = ParentalManyToManyField(
        Topic,
        verbose_name=_("topics"),
        blank=True,
        related_name="articles",
        help_text=_("Articles that share a topic are suggested as related reading."),
    )
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("hero image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Wide image at the top of the article, at least 1600 pixels wide."),
    )
    hero_image_alt = models.CharField(
        _("hero image alt text"),
        max_length=250,
        blank=True,
        help_text=_(
            "Describe what the image shows for readers who cannot see it. "
            "Leave empty to use the image's own description."
        ),
    )
    hero_image_caption = models.CharField(
        _("hero image caption"),
        max_length=250,
        blank=True,
        help_text=_("Optional visible caption or photo credit."),
    )
    body = ArticleBodyField(
        verbose_name=_("body"),
        help_text=_("The article text: paragraphs, subheadings, quotes, images and 'Read also' links."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("teaser"),
        MultiFieldPanel(
            [FieldPanel("lead_quote"), FieldPanel("lead_quote_attribution")],
            heading=_("Lead quote"),
        ),
        FieldRowPanel([FieldPanel("date"), FieldPanel("author")], heading=_("Byline")),
        FieldPanel("topics"),
        MultiFieldPanel(
            [
                FieldPanel("hero_image"),
                FieldPanel("hero_image_alt"),
                FieldPanel("hero_image_caption"),
            ],
            heading=_("Hero image"),
        ),
        FieldPanel("body"),
        InlinePanel(
            "related_links",
            heading=_("Related articles"),
            label=_("Related article"),
            help_text=_(
                "Chosen in this order. With fewer than three, the newest articles "
                "sharing a topic fill the remaining places."
            ),
        ),
    ]

    parent_page_types = ["articles.ArticleIndexPage"]
    subpage_types = []

    search_fields = Page.search_fields + [
        index.SearchField("teaser", boost=1.5),
        index.SearchField("body"),
        index.FilterField("date"),
        index.RelatedFields("author", [index.SearchField("name")]),
    ]

    class Meta:
        verbose_name = _("article page")
        verbose_name_plural = _("article pages")

    def save(self, *args, **kwargs):
        # The publication date defaults to the first publication; Wagtail sets
        # first_published_at just before saving the page it publishes.
        if self.date is None and self.first_published_at is not None:
            self.date = timezone.localdate(self.first_published_at)
        return super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.hero_image and not (self.hero_image_alt or self.hero_image.description):
            raise ValidationError(
                {
                    "hero_image_alt": _(
                        "Describe the hero image: this image has no description in the library."
                    )
                }
            )

    @property
    def display_date(self):
        """The date readers see: the editorial date, else the first publication, else today (preview)."""
        if self.date:
            return self.date
        if self.first_published_at:
            return timezone.localdate(self.first_published_at)
        return timezone.localdate()

    @property
    def hero_alt_text(self):
        if not self.hero_image:
            return ""
        return self.hero_image_alt or self.hero_image.description or ""

    @cached_property
    def localized_topics(self):
        """The article's topics named in the article's language."""
        return localize_objects(self.topics.all(), self.locale)

    def get_related_articles(self, locale=None, visible=None):
        """The teasers under the article, in ``locale`` (default: the article's own).

        Editor-chosen articles come first, in their order; with fewer than
        ``ARTICLES_RELATED_COUNT`` the newest visible articles that share a
        topic fill the gap. Never this article (in any language), never
        unpublished or private pages. Costs the same queries for 3 or 30 links.
        """
        locale = locale or self.locale
        wanted = app_settings.RELATED_COUNT
        if visible is None:
            visible = visible_articles().defer_streamfields()

        chosen = [link.article for link in self.related_links.all().select_related("article")]
        chosen = [page for page in chosen if page.translation_key != self.translation_key]
        related = localize_pages(chosen, locale, visible)

        if len(related) < wanted:
            topic_keys = [topic.translation_key for topic in self.topics.all()]
            if topic_keys:
                exclude_keys = {self.translation_key} | {page.translation_key for page in related}
                fill = (
                    visible.filter(locale=locale, topics__translation_key__in=topic_keys)
                    .exclude(translation_key__in=exclude_keys)
                    .order_by("-date", "-first_published_at", "-pk")
                    .distinct()
                )
                related.extend(fill[: wanted - len(related)])
        return related

    def get_read_also_targets(self, locale=None, visible=None):
        """Map each "Read also" block's chosen page id to the page readers of ``locale`` should see."""
        locale = locale or self.locale
        chosen = [
            block.value["page"]
            for block in self.body
            if block.block_type == "read_also" and block.value["page"] is not None
        ]
        if not chosen:
            return {}
        if visible is None:
            visible = visible_articles().defer_streamfields()
        resolved = {page.translation_key: page for page in localize_pages(chosen, locale, visible)}
        return {
            page.pk: resolved[page.translation_key] for page in chosen if page.translation_key in resolved
        }

    # Search engines and sharing.

    def get_meta_description(self):
        """The description search engines show: the editor's, else the teaser (about 155 characters)."""
        return self.search_description or meta_summary(self.teaser)

    def get_meta_image(self):
        """The image shared with the page (Open Graph, X/Twitter card): the hero image."""
        return self.hero_image

    def get_published_datetime(self):
        """When the article appeared, with time and time zone.

        The first publication when it fell on the editorial date; for a backdated
        article (or a preview) midnight of its date in the site's time zone.
        """
        date = self.display_date
        if self.first_published_at and timezone.localdate(self.first_published_at) == date:
            return timezone.localtime(self.first_published_at)
        return timezone.make_aware(datetime.datetime.combine(date, datetime.time()))

    def get_author_url(self, request=None):
        """Full URL of the author's page in the article's language (``/magazin/autor/<slug>/``); None without one.

        The byline's link when the page has it (``attach_article_links``: below the
        article's own index), so both name the same page and no query is needed.
        """
        if self.author is None:
            return None
        url = getattr(self, "author_page_url", None) or self.author.get_url(request, locale=self.locale)
        return absolute_url(self, url, request) if url else None

    def get_publisher_json_ld(self, request=None):
        """The site as the article's publisher (schema.org ``Organization``) with its logo."""
        site = Site.find_for_request(request) if request is not None else self.get_site()
        publisher = {
            "@type": "Organization",
            "name": (site.site_name if site else "") or getattr(settings, "WAGTAIL_SITE_NAME", ""),
        }
        if site is not None:
            publisher["url"] = site.root_url + "/"
        logo = app_settings.PUBLISHER_LOGO
        if logo and not logo.startswith(("http://", "https://")):
            # A path the site's static files lack would be a broken logo: better none.
            logo = static(logo) if finders.find(logo) else None
        if logo:
            publisher["logo"] = {"@type": "ImageObject", "url": absolute_url(self, logo, request)}
        return publisher

    def get_json_ld(self, request=None):
        """Structured data (schema.org ``Article``) with what Google requires and recommends."""
        published = self.get_published_datetime()
        modified = (
            timezone.localtime(self.last_published_at) if self.last_published_at else timezone.localtime()
        )
        data = {
            "@context": "https://schema.org",
            "@type": "Article",
            "headline": self.title,
            "description": self.teaser,
            "datePublished": published.isoformat(),
            # Never before the publication, also for articles dated ahead.
            "dateModified": max(modified, published).isoformat(),
            "inLanguage": self.locale.language_code,
            "mainEntityOfPage": self.get_full_url(request),
            "publisher": self.get_publisher_json_ld(request),
        }
        if self.author:
            data["author"] = {"@type": "Person", "name": self.author.name}
            if self.author.role:
                data["author"]["jobTitle"] = self.author.role
            author_url = self.get_author_url(request)
            if author_url:
                data["author"]["url"] = author_url
        hero_url = image_url(self.hero_image, "fill-1200x630", request) if self.hero_image else None
        if hero_url:
            data["image"] = [hero_url]
        return data

    def get_view_restrictions(self):
        # Routing found in its query that none can apply (ArticleIndexPage.route): Wagtail's check
        # before serving then needs no queries of its own.
        if self.__dict__.get("view_restrictions_may_apply") is False:
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["articles_base_template"] = app_settings.BASE_TEMPLATE
        # Teasers, "Read also" targets, byline links and structured data: looked up in bulk
        # when the template first asks, so that cached fragments cost no query.
        context.update(ArticleReading(self, request).context())
        return context

    def get_sitemap_urls(self, request=None):
        urls = super().get_sitemap_urls(request)
        for entry in urls:
            entry["lastmod"] = self.last_published_at or self.latest_revision_created_at
        return urls


class RelatedArticle(Orderable):
    """One editor-chosen "Lesen Sie weiter" teaser below an article."""

    page = ParentalKey(ArticlePage, on_delete=models.CASCADE, related_name="related_links")
    article = models.ForeignKey(
        ArticlePage,
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Readers see the version in their own language when one exists."),
    )

    panels = [PageChooserPanel("article", "articles.ArticlePage")]

    class Meta(Orderable.Meta):
        verbose_name = _("related article")
        verbose_name_plural = _("related articles")

    def __str__(self):
        return str(self.article)


def _routed_article(parent_path, depth, slug):
    """The article ``slug`` below the index at ``parent_path``, as ``ArticleIndexPage.route`` reads it."""
    return (
        ArticlePage.objects.filter(path__startswith=parent_path, depth=depth, slug=slug)
        .select_related("locale", "author", "hero_image")
        .annotate(view_restrictions_may_apply=view_restrictions_may_apply())
        .order_by("pk")[:1]
    )


_ROUTED_ARTICLE = PreparedQuery(_routed_article, stand_ins=("articlesindexpath", 917_364_252, "articlesslug"))


def _visible_linked():
    """Visible articles as teasers and "Read also" links show them (with author, without bodies)."""
    return visible_articles(in_one_query=True).defer_streamfields().select_related("author")


def _linked_articles(page_id, translation_key, read_also_keys):
    """The visible articles an article links to: its "Read on" choices (found by a subquery, in the
    editor's order as ``link_order``, ``link_id``, ``link_article``) and its "Read also" targets, in
    every language (``ArticleReading._resolve_links`` picks)."""
    links = (
        RelatedArticle.objects.filter(page_id=page_id)
        .exclude(article__translation_key=translation_key)
        .order_by("sort_order", "pk")
    )
    same_key = links.filter(article__translation_key=OuterRef("translation_key"))
    return (
        _visible_linked()
        .filter(
            Q(translation_key__in=links.values("article__translation_key"))
            | Q(translation_key__in=read_also_keys)
        )
        .annotate(
            link_order=Subquery(same_key.values("sort_order")[:1]),
            link_article=Subquery(same_key.values("article_id")[:1]),
            link_id=Subquery(same_key.values("pk")[:1]),
        )
    )


# Compiled once per process and number of "Read also" targets (articles.prepared).
_LINKED_ARTICLES = PreparedQuery(
    _linked_articles,
    stand_ins=(
        -917_364_251,
        uuid.UUID("5a9f0c1e-0000-4000-8000-00000000a71c"),
        lambda count: [uuid.UUID(int=0x5A9F0C1E_0000_4000_8000_000000000000 + n) for n in range(count)],
    ),
)


# What an article page shows beside its own fields ------------------------------------


class ArticleReading:
    """What an article page shows beside its own fields, found when the template asks and in bulk.

    The "Lesen Sie weiter" teasers, the "Read also" targets, the byline's author and
    topic links and the structured data are looked up in a fixed number of queries
    for any number of links. Each is a callable in the template context, so a
    template fragment served from the fragment cache (``articles.fragment_cache``)
    costs none of them. One instance per request; each part is computed once.
    """

    def __init__(self, page, request):
        self.page = page
        self.request = request

    def context(self):
        """The template context entries, as callables the template calls when it renders them."""
        return {
            "article_links": self.article_links,
            "related_articles": self.related_articles,
            "read_also_targets": self.read_also_targets,
            "json_ld": self.json_ld,
            "breadcrumb_json_ld": self.breadcrumb_json_ld,
        }

    # What the template calls --------------------------------------------------------

    def article_links(self):
        """The page itself with ``author_page_url`` and ``topic_links`` for its byline."""
        return self._linked["page"]

    def related_articles(self):
        return self._linked["related"]

    def read_also_targets(self):
        return self._linked["read_also"]

    def json_ld(self):
        self._linked  # noqa: B018 - the author's page URL comes from the byline's links
        return self.page.get_json_ld(self.request)

    def breadcrumb_json_ld(self):
        return breadcrumb_json_ld(self.page, self.request, ancestors=self._ancestors())

    # Lookups -------------------------------------------------------------------------

    def _parent(self):
        """The article's index; known without a query when the article was routed to through it."""
        page = self.page
        parent = getattr(page, "_cached_parent_obj", None)
        if parent is None:
            return None
        if parent.locale_id == page.locale_id:
            # The index's words (autor/thema) are in its language: the article's, already loaded.
            parent.locale = page.locale
        return parent

    def _ancestors(self):
        """The page and its ancestors below the tree's root, top first, from routing's cached parents;
        None when one is missing (``breadcrumb_json_ld`` then asks the database)."""
        trail, current = [], self.page
        while current is not None and current.depth > 1:
            trail.append(current)
            if current.depth == 2:
                return trail[::-1]
            current = getattr(current, "_cached_parent_obj", None)
        return None

    @cached_property
    def _linked(self):
        page = self.page
        related, read_also = self._resolve_links()
        parent = self._parent()
        index = parent if isinstance(parent, ArticleIndexPage) else None
        attach_article_links([page, *related], self.request, index=index)
        return {"page": page, "related": related, "read_also": read_also}

    def _resolve_links(self):
        """(teasers, {"Read also" page id: target}): every linked article in the reader's language in one
        query, the editor's "Read on" choices found by a subquery; one more to fill up by topic."""
        page, locale = self.page, self.page.locale
        if getattr(self.request, "is_preview", False) or page.pk is None:
            # A preview's choices and topics exist only in the form: the model's own lookups read them.
            visible = _visible_linked()
            return page.get_related_articles(visible=visible), page.get_read_also_targets(visible=visible)

        wanted = app_settings.RELATED_COUNT
        read_also_pages = [
            block.value["page"]
            for block in page.body
            if block.block_type == "read_also" and block.value["page"] is not None
        ]
        candidates = _LINKED_ARTICLES(
            page.pk,
            page.translation_key,
            sorted({target.translation_key for target in read_also_pages}),
            using=page._state.db or DEFAULT_DB_ALIAS,
        )
        # In the editor's order (links saved without one, e.g. by code, come last as in the admin).
        chosen = sorted(
            {
                (c.link_order, c.link_id, c.link_article, c.translation_key)
                for c in candidates
                if c.link_article is not None
            },
            key=lambda link: (link[0] is None, link[0] or 0, link[1]),
        )

        in_locale = {c.translation_key: c for c in candidates if c.locale_id == locale.pk}
        by_id = {c.pk: c for c in candidates}
        related, seen = [], set()
        for _order, _link, pk, key in chosen:
            resolved = in_locale.get(key) or by_id.get(pk)
            if resolved is None or resolved.translation_key in seen:
                continue
            seen.add(resolved.translation_key)
            related.append(resolved)
        if len(related) < wanted:
            related.extend(
                self._fill(_visible_linked(), locale, {page.translation_key, *seen}, wanted - len(related))
            )

        read_also = {}
        for target in read_also_pages:
            resolved = in_locale.get(target.translation_key) or by_id.get(target.pk)
            if resolved is not None:
                read_also[target.pk] = resolved
        return related, read_also

    def _fill(self, visible, locale, exclude_keys, count):
        """The newest visible articles in ``locale`` sharing a topic with the page."""
        topic_keys = ArticlePage.topics.through.objects.filter(articlepage_id=self.page.pk).values(
            "topic__translation_key"
        )
        return list(
            visible.filter(locale=locale, topics__translation_key__in=topic_keys)
            .exclude(translation_key__in=exclude_keys)
            .order_by("-date", "-first_published_at", "-pk")
            .distinct()[:count]
        )
