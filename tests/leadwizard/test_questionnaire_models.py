"""Questionnaire and vendor snippets: validation, translation keeps keys, the wizard on any page type."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from wagtail.blocks import StreamBlockValidationError
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail_localize.models import StringSegment, StringTranslation, Translation, TranslationSource
from wagtail_localize.operations import translate_object

from leadwizard.admin.forms import VendorAdminForm
from leadwizard.blocks import QuestionBlock, QuestionnaireStepsBlock
from leadwizard.models import Questionnaire, Vendor
from tests.factories import QuestionnaireFactory, VendorFactory, question, steps_json, wizard_body
from tests.utils import WizardRun, sent

pytestmark = pytest.mark.django_db


def keys(definition):
    return [(s.key, [(q.key, q.option_keys) for q in s.questions]) for s in definition.steps]


def test_translation_with_wagtail_localize_keeps_every_key(site_tree, django_capture_on_commit_callbacks):
    questionnaire = QuestionnaireFactory()
    with django_capture_on_commit_callbacks(execute=True):
        translate_object(questionnaire, [site_tree.en])
    source = TranslationSource.objects.get_for_instance(questionnaire)
    english_texts = {
        "Branche": "Industry",
        "In welcher Branche arbeiten Sie?": "Which industry are you in?",
        "Handel": "Retail",
        "Starten Sie Ihre CRM-Auswahl": "Start your CRM selection",
    }
    for segment in StringSegment.objects.filter(source=source).select_related("string", "context"):
        if segment.string.data in english_texts:
            StringTranslation.objects.create(
                translation_of=segment.string,
                locale=site_tree.en,
                context=segment.context,
                data=english_texts[segment.string.data],
            )
    # Keys are not even offered for translation.
    offered = set(StringSegment.objects.filter(source=source).values_list("string__data", flat=True))
    assert "handel" not in offered and "industry" not in offered and "employees" not in offered
    with django_capture_on_commit_callbacks(execute=True):
        Translation.objects.get(source=source, target_locale=site_tree.en).save_target()

    english = Questionnaire.objects.get(translation_key=questionnaire.translation_key, locale=site_tree.en)
    assert english.title == "Start your CRM selection"
    assert english.definition.steps[0].title == "Industry"
    assert english.definition.question("industry").choices[0].label == "Retail"
    assert keys(english.definition) == keys(questionnaire.definition)


def test_translation_with_changed_keys_is_rejected(site_tree):
    questionnaire = QuestionnaireFactory()
    english = questionnaire.copy_for_translation(site_tree.en)
    english.full_clean()  # same keys: fine
    raw = english.steps.raw_data
    raw[0]["value"]["questions"][0]["value"]["key"] = "branch"
    english.steps = json.dumps(list(raw))
    with pytest.raises(ValidationError) as error:
        english.full_clean()
    assert "steps" in error.value.message_dict
    # The source itself may change its structure (translations follow on sync).
    questionnaire.steps = english.steps
    questionnaire.full_clean()


@pytest.mark.parametrize(
    ("value", "field"),
    [
        (question("size", "Wie groß?", "single", options=[("a", "A")]), "options"),
        (question("size", "Wie groß?", "one_of", options=[("a", "A"), ("a", "B")]), "options"),
        (question("size", "Wie groß?", "number", min_value=10, max_value=1), "max_value"),
    ],
)
def test_question_block_validation(value, field):
    block = QuestionBlock()
    with pytest.raises(StructBlockValidationError) as error:
        block.clean(block.to_python(value))
    assert field in error.value.block_errors


@pytest.mark.parametrize("bad_key", ["Branche", "1st", "mit leerzeichen", "ä", ""])
def test_keys_must_be_machine_keys(bad_key):
    block = QuestionBlock()
    with pytest.raises(StructBlockValidationError) as error:
        block.clean(block.to_python(question(bad_key, "Frage", "yes_no")))
    assert "key" in error.value.block_errors


def test_question_keys_are_unique_across_steps():
    steps = [
        ("one", "Eins", [question("same", "Frage 1", "yes_no")]),
        ("two", "Zwei", [question("same", "Frage 2", "yes_no")]),
    ]
    block = QuestionnaireStepsBlock()
    with pytest.raises(StreamBlockValidationError):
        block.clean(block.to_python(json.loads(steps_json(steps))))


def test_vendor_cannot_refer_to_unknown_option_keys(site_tree):
    questionnaire = QuestionnaireFactory()
    vendor = VendorFactory.build(
        questionnaire=questionnaire, industries=["handel", "raumfahrt"], uses=["sales"]
    )
    with pytest.raises(ValidationError) as error:
        vendor.full_clean()
    assert "industries" in error.value.message_dict
    assert "raumfahrt" in error.value.message_dict["industries"][0]
    vendor.industries = ["handel"]
    vendor.intro_time = "gestern"
    with pytest.raises(ValidationError) as error:
        vendor.full_clean()
    assert "intro_time" in error.value.message_dict
    vendor.intro_time = ""
    vendor.employees_min, vendor.employees_max = 50, 10
    with pytest.raises(ValidationError) as error:
        vendor.full_clean()
    assert "employees_max" in error.value.message_dict
    vendor.employees_max = None
    vendor.full_clean()


def test_vendor_admin_form_offers_the_questionnaires_options(site_tree):
    questionnaire = QuestionnaireFactory()
    vendor = VendorFactory(questionnaire=questionnaire)
    form_class = Vendor.get_edit_handler().get_form_class()
    assert issubclass(form_class, VendorAdminForm)
    form = form_class(instance=vendor, for_user=None)
    assert [key for key, _label in form.fields["industries"].choices] == ["handel", "handwerk", "it"]
    assert [key for key, _label in form.fields["uses"].choices] == ["sales", "service", "marketing"]


def test_vendor_edit_in_the_admin_saves_checked_options(admin_client, site_tree):
    questionnaire = QuestionnaireFactory()
    vendor = VendorFactory(questionnaire=questionnaire)
    url = reverse("wagtailsnippets_leadwizard_vendor:edit", args=[vendor.pk])
    assert admin_client.get(url).status_code == 200
    data = {
        "questionnaire": questionnaire.pk,
        "name": vendor.name,
        "short_description": "Neu beschrieben.",
        "website": "",
        "active": "on",
        "industries": ["handel", "it"],
        "employees_min": 1,
        "employees_max": 80,
        "users_min": 1,
        "users_max": "",
        "uses": ["sales", "service"],
        "integrations": [],
        "intro_time": "",
        "market": "b2b",
        "languages": "de, en",
        "currencies": "eur, chf",
        "hosting": "de",
        "time_tracking": "on",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    vendor.refresh_from_db()
    assert vendor.industries == ["handel", "it"]
    assert vendor.uses == ["sales", "service"]
    assert vendor.languages == ["de", "en"]
    assert vendor.currencies == ["EUR", "CHF"]
    assert vendor.to_profile().values["international"] is True


def test_wizard_works_on_the_home_page_too(client, site_tree, settings):
    settings.LEADWIZARD_MIN_SECONDS = 0
    questionnaire = QuestionnaireFactory()
    VendorFactory(questionnaire=questionnaire)
    home = site_tree.home
    body, block_id = wizard_body(questionnaire, heading="Jetzt CRM finden")
    home.body = body
    home.save_revision().publish()
    html = client.get("/").content.decode()
    assert "Jetzt CRM finden" in html and 'name="q-industry"' in html
    run = WizardRun(client, home, block_id)
    run.answer(industry="handel")
    run.answer(employees="5")
    run.answer(uses=["sales"], german_hq="no", market="b2b")
    assert run.match_count == 1
    assert sent(run.contact())
    assert questionnaire.leads.get().source_page_id == home.pk


def test_questionnaire_and_vendor_snippets_in_the_admin(admin_client, site_tree):
    questionnaire = QuestionnaireFactory()
    VendorFactory(questionnaire=questionnaire, name="Sichtbar CRM")
    assert admin_client.get(reverse("wagtailsnippets_leadwizard_questionnaire:list")).status_code == 200
    html = admin_client.get(reverse("wagtailsnippets_leadwizard_vendor:list")).content.decode()
    assert "Sichtbar CRM" in html
    edit = admin_client.get(reverse("wagtailsnippets_leadwizard_questionnaire:edit", args=[questionnaire.pk]))
    assert edit.status_code == 200


def test_vendor_checkboxes_are_named_after_their_vendor(admin_client, site_tree):
    vendors = [VendorFactory(name=f"Anbieter {number}") for number in range(3)]
    html = admin_client.get(reverse("wagtailsnippets_leadwizard_vendor:list")).content.decode()
    for vendor in vendors:
        assert f'aria-label="{vendor.name} auswählen"' in html
        assert f'aria-describedby="snippet_{vendor.pk}_title"' in html
