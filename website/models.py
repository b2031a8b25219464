"""The host site's own page types."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from articles.models import ArticleIndexPage, visible_articles
from articles.templatetags.articles_seo import first_paragraph, meta_summary
from leadwizard.wizard.block import LeadWizardBlock
from leadwizard.wizard.explanation import RankingExplanationBlock

LATEST_ARTICLES_COUNT = 6


class HomeBodyBlock(blocks.StreamBlock):
    """Blocks the home page can hold below its introduction."""

    heading = blocks.CharBlock(label=_("Heading"), icon="title", template="website/blocks/heading_block.html")
    paragraph = blocks.RichTextBlock(
        label=_("Paragraph"), features=["bold", "italic", "link", "ul"], icon="pilcrow"
    )
    lead_wizard = LeadWizardBlock()
    ranking_explanation = RankingExplanationBlock()


class HomePage(Page):
    """The portal's start page: a welcome, free content blocks and the newest articles."""

    intro = models.TextField(
        _("introduction"),
        blank=True,
        max_length=500,
        help_text=_("One or two sentences under the page title that say what the portal offers."),
    )
    body = StreamField(
        HomeBodyBlock(),
        verbose_name=_("body"),
        blank=True,
        help_text=_("Optional content between the introduction and the list of newest articles."),
    )

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["articles.ArticleIndexPage", "website.StandardPage"]

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["latest_articles"] = (
            visible_articles()
            .filter(locale_id=self.locale_id)
            .select_related("hero_image")
            .prefetch_related("hero_image__renditions")
            .defer_streamfields()
            .order_by("-date", "-first_published_at", "-pk")[:LATEST_ARTICLES_COUNT]
        )
        context["article_index"] = ArticleIndexPage.objects.live().public().child_of(self).first()
        return context

    def get_meta_description(self):
        """The editor's description, else the introduction, else the body's first paragraph."""
        if self.search_description:
            return self.search_description
        if self.intro:
            return meta_summary(self.intro)
        for block in self.body:
            if block.block_type == "paragraph":
                text = first_paragraph(block.value.source)
                if text:
                    return meta_summary(text)
        return ""


class StandardPage(Page):
    """A plain content page, e.g. the privacy policy or the imprint."""

    body = RichTextField(
        _("body"),
        features=["h2", "h3", "bold", "italic", "link", "ol", "ul"],
        help_text=_("The page's text."),
    )

    content_panels = Page.content_panels + [FieldPanel("body")]

    parent_page_types = ["website.HomePage", "website.StandardPage"]
    subpage_types = ["website.StandardPage"]

    class Meta:
        verbose_name = _("standard page")
        verbose_name_plural = _("standard pages")

    def get_meta_description(self):
        """The editor's description, else the body's first paragraph (a heading before it is skipped)."""
        return self.search_description or meta_summary(first_paragraph(self.body))
