"""The block that puts the CRM-Auswahl wizard on any page, in any StreamField."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.snippets.blocks import SnippetChooserBlock

from . import questionnaires
from .placement import path_of


class QuestionnaireChooserBlock(SnippetChooserBlock):
    """Wagtail's snippet chooser, whose questionnaires a process keeps a while (``questionnaires.load``)."""

    def bulk_to_python(self, values):
        return questionnaires.load(self.model_class, values)

    def deconstruct(self):
        # Migrations name Wagtail's block, as for ChoiceBlock subclasses: nothing of this class is frozen in them.
        _path, args, kwargs = super().deconstruct()
        return "wagtail.snippets.blocks.SnippetChooserBlock", args, kwargs


class LeadWizardBlock(blocks.StructBlock):
    """The CRM-Auswahl wizard inside a page: readers answer, see matching vendors and leave contact details."""

    #: ``placement`` finds wizard blocks by this, however deeply they are nested.
    is_lead_wizard = True

    questionnaire = QuestionnaireChooserBlock(
        "leadwizard.Questionnaire",
        label=_("Questionnaire"),
        help_text=_("Readers see the version in their language when one exists."),
    )
    heading = blocks.CharBlock(
        label=_("Heading"),
        required=False,
        max_length=150,
        help_text=_("Optional; the questionnaire's title is used when empty."),
    )

    def get_context(self, value, parent_context=None):
        from django.middleware.csrf import get_token

        from .flow import Wizard

        context = super().get_context(value, parent_context=parent_context)
        request = context.get("request")
        page = context.get("page")
        # Nested blocks have no id of their own: their path on the page names them.
        block_id = path_of(request, page, value) or str(context.get("id") or "")
        if request is None or page is None or not block_id or value.get("questionnaire") is None:
            context["wizard_unavailable"] = True
            return context
        # The serve hook has handled this request's POST already; otherwise start fresh.
        handled = getattr(request, "leadwizard_results", {}).get(block_id)
        context.update(handled if handled is not None else Wizard(request, page, block_id, value).handle())
        context["csrf_token"] = get_token(request)
        return context

    class Meta:
        icon = "form"
        label = _("CRM selection wizard")
        template = "leadwizard/wizard_block.html"
        description = _("The multi-step questionnaire that finds matching CRM vendors and captures a lead")
