"""Article pages, the article index, and the author and topic snippets they use."""

from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    PageChooserPanel,
)
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page, TranslatableMixin
from wagtail.search import index

from .conf import app_settings
from .fields import ArticleBodyField

try:
    from wagtail_localize.fields import SynchronizedField, TranslatableField
except ImportError:  # wagtail-localize is optional: a single-language site translates nothing
    SynchronizedField = TranslatableField = None
from .localization import localize_objects, localize_pages


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

    panels = [FieldPanel("name"), FieldPanel("role"), FieldPanel("photo")]

    # A person's name is the same in every language; only the role is translated.
    translatable_fields = (
        [
            SynchronizedField("name"),
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

    def __str__(self):
        return self.name


class Topic(TranslatableMixin, models.Model):
    """A subject area; articles sharing a topic are suggested as related reading."""

    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(
        _("slug"),
        max_length=80,
        allow_unicode=False,
        help_text=_("Used in filter links such as ?topic=kundenservice. Stays the same in every language."),
    )

    panels = [FieldPanel("name"), FieldPanel("slug")]

    # The slug stays the same in every language, so filter links work across locales.
    translatable_fields = [TranslatableField("name"), SynchronizedField("slug")] if TranslatableField else []

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "locale"], name="articles_topic_unique_slug_per_locale"),
        ]

    def __str__(self):
        return self.name


def visible_articles():
    """Article pages a reader may see: live and without view restrictions."""
    # Teaser cards show each article's language: fetch the locale with the page.
    return ArticlePage.objects.live().public().select_related("locale")


class ArticleIndexPage(RoutablePageMixin, Page):
    """The magazine: lists the articles below it, newest first, with topic filter and feeds."""

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

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["articles_base_template"] = app_settings.BASE_TEMPLATE
        articles = self.get_articles()
        topic_slug = request.GET.get("topic", "").strip()
        current_topic = None
        topics = self.get_topics()
        if topic_slug:
            current_topic = next((t for t in topics if t.slug == topic_slug), None)
        if current_topic is not None:
            # Unknown slugs are ignored: the reader sees all articles, not an empty page.
            articles = articles.filter(topics__slug=topic_slug).distinct()
        paginator = Paginator(articles, app_settings.PER_PAGE)
        try:
            page_obj = paginator.page(request.GET.get("page", 1))
        except PageNotAnInteger:
            page_obj = paginator.page(1)
        except EmptyPage:
            page_obj = paginator.page(paginator.num_pages)
        context.update(
            articles=page_obj,
            paginator=paginator,
            topics=topics,
            current_topic=current_topic,
            topic_slug=topic_slug if current_topic else "",
        )
        return context

    @path("feed/", name="rss")
    def rss_feed(self, request):
        from .feeds import ArticleRssFeed

        return ArticleRssFeed(self)(request)

    @path("feed/atom/", name="atom")
    def atom_feed(self, request):
        from .feeds import ArticleAtomFeed

        return ArticleAtomFeed(self)(request)


class ArticlePage(Page):
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

    def get_json_ld(self, request=None):
        """Structured data (schema.org ``Article``) for search engines."""
        data = {
            "@context": "https://schema.org",
            "@type": "Article",
            "headline": self.title,
            "description": self.teaser,
            "datePublished": self.display_date.isoformat(),
            "dateModified": (self.last_published_at or timezone.now()).isoformat(),
            "inLanguage": self.locale.language_code,
            "mainEntityOfPage": self.get_full_url(request),
        }
        if self.author:
            data["author"] = {"@type": "Person", "name": self.author.name}
            if self.author.role:
                data["author"]["jobTitle"] = self.author.role
        if self.hero_image:
            rendition = self.hero_image.get_rendition("fill-1200x630")
            data["image"] = [request.build_absolute_uri(rendition.url) if request else rendition.full_url]
        return data

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["articles_base_template"] = app_settings.BASE_TEMPLATE
        # One set of visible articles for both: Wagtail's public() reads the view restrictions each time.
        visible = visible_articles().defer_streamfields()
        context["related_articles"] = self.get_related_articles(visible=visible)
        context["read_also_targets"] = self.get_read_also_targets(visible=visible)
        context["json_ld"] = self.get_json_ld(request)
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
