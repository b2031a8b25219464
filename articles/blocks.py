"""StreamField blocks for the article body."""

import copy

from django.apps import apps
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageBlock

from .prepared import PreparedQuery

PARAGRAPH_FEATURES = ["bold", "italic", "link", "ol", "ul"]


class HeadingBlock(blocks.StructBlock):
    """A subheading that structures the article; level 2 or 3 keeps the outline valid."""

    text = blocks.CharBlock(
        label=_("Text"), max_length=120, help_text=_("Short subheading, ideally under 60 characters.")
    )
    level = blocks.ChoiceBlock(
        label=_("Level"),
        choices=[("h2", _("Heading level 2")), ("h3", _("Heading level 3"))],
        default="h2",
        help_text=_("Use level 2 for sections and level 3 for parts of a section."),
    )

    class Meta:
        icon = "title"
        label = _("Heading")
        template = "articles/blocks/heading_block.html"
        description = _("A subheading (level 2 or 3)")
        preview_value = {"text": "Warum ein CRM?", "level": "h2"}


class QuoteBlock(blocks.StructBlock):
    """A pull quote with an optional source."""

    text = blocks.TextBlock(label=_("Quote"), help_text=_("The quoted words, without quotation marks."))
    attribution = blocks.CharBlock(
        label=_("Attribution"),
        required=False,
        max_length=200,
        help_text=_("Who said it, e.g. 'Anna Schmidt, Vertriebsleiterin'."),
    )

    class Meta:
        icon = "openquote"
        label = _("Quote")
        template = "articles/blocks/quote_block.html"
        description = _("A highlighted quotation with its source")
        preview_value = {"text": "Ein CRM ist so gut wie seine Daten.", "attribution": "Redaktion"}


class CaptionedImageBlock(blocks.StructBlock):
    """An image from the library with alt text and an optional visible caption."""

    image = ImageBlock(label=_("Image"))
    caption = blocks.CharBlock(
        label=_("Caption"),
        required=False,
        max_length=250,
        help_text=_("Shown below the image; credit the photographer here if needed."),
    )

    class Meta:
        icon = "image"
        label = _("Image")
        template = "articles/blocks/image_block.html"
        description = _("An image with alt text and caption")


_PAGES_BY_ID = {}  # page model -> PreparedQuery; kept apart from the blocks, which Wagtail copies


def _pages_by_id(model):
    if model not in _PAGES_BY_ID:
        _PAGES_BY_ID[model] = PreparedQuery(
            lambda wanted: model.objects.filter(pk__in=wanted),
            stand_ins=(lambda count: [917_364_000 + number for number in range(count)],),
        )
    return _PAGES_BY_ID[model]


class PreparedPageChooserBlock(blocks.PageChooserBlock):
    """Wagtail's page chooser, whose pages are read with a query compiled once per process.

    Every article with a "Lesen Sie auch" link reads its targets while its body is
    converted; building and compiling that query for the specific page type cost
    more than running it (``articles.prepared``). Anything but a list of page ids
    is converted as Wagtail does.
    """

    def bulk_to_python(self, values):
        ids = [value for value in values if value is not None]
        if not ids or any(type(value) is not int for value in ids):
            return super().bulk_to_python(values)
        found = {page.pk: page for page in _pages_by_id(self.model_class)(sorted(set(ids)))}
        result, seen = [], set()
        for value in values:
            page = found.get(value)
            if page is not None and value in seen:
                page = copy.copy(page)  # a distinct object for each occurrence, as Wagtail's
            result.append(page)
            seen.add(value)
        return result


class ReadAlsoBlock(blocks.StructBlock):
    """An inline pointer to another article ("Lesen Sie auch: …")."""

    page = PreparedPageChooserBlock(
        label=_("Article"),
        page_type="articles.ArticlePage",
        help_text=_("Readers see the version of this article in their own language when one exists."),
    )
    label = blocks.CharBlock(
        label=_("Label"),
        required=False,
        max_length=60,
        help_text=_("Leave empty for the standard text 'Read also'."),
    )

    class Meta:
        icon = "link"
        label = _("Read also")
        template = "articles/blocks/read_also_block.html"
        description = _("A 'Read also' link to another article")


def plugin_blocks():
    """Blocks of other installed plugins that an article may hold: the CRM-Auswahl wizard and its explanation."""
    if not apps.is_installed("leadwizard"):
        return []
    from leadwizard.wizard.block import LeadWizardBlock
    from leadwizard.wizard.explanation import RankingExplanationBlock

    return [("lead_wizard", LeadWizardBlock()), ("ranking_explanation", RankingExplanationBlock())]


class ArticleBodyBlock(blocks.StreamBlock):
    """The blocks an article body is written with, plus those of installed plugins (``plugin_blocks``)."""

    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        label=_("Paragraph"),
        features=PARAGRAPH_FEATURES,
        template="articles/blocks/paragraph_block.html",
        icon="pilcrow",
        description=_("Running text with links and lists"),
    )
    quote = QuoteBlock()
    image = CaptionedImageBlock()
    read_also = ReadAlsoBlock()

    def __init__(self, local_blocks=None, **kwargs):
        super().__init__([*plugin_blocks(), *(local_blocks or ())], **kwargs)
