"""The test host's pages: a plain page any block can go on, with the wizard at the top and nested."""

from django.apps import apps
from wagtail import blocks
from wagtail.fields import StreamField
from wagtail.models import Page


def _wizard_blocks():
    if not apps.is_installed("leadwizard"):
        return []
    from leadwizard.wizard.block import LeadWizardBlock

    return [
        ("lead_wizard", LeadWizardBlock()),
        # Nested as sites do: inside a section, in a list, and in a stream inside a struct; struct
        # templates render their children with {% include_block %}, which passes the page's context on.
        (
            "section",
            blocks.StructBlock(
                [("title", blocks.CharBlock(required=False)), ("wizard", LeadWizardBlock())],
                template="testapp/blocks/section.html",
            ),
        ),
        ("wizards", blocks.ListBlock(LeadWizardBlock())),
        (
            "columns",
            blocks.StructBlock(
                [("content", blocks.StreamBlock([("wizard", LeadWizardBlock())], required=False))],
                template="testapp/blocks/columns.html",
            ),
        ),
    ]


class PlainPage(Page):
    """A page with a body; it may sit anywhere and hold anything, like the home page of a new site."""

    body = StreamField(
        [("text", blocks.RichTextBlock()), *_wizard_blocks()],
        blank=True,
    )

    content_panels = [*Page.content_panels, "body"]

    class Meta:
        verbose_name = "plain page"
