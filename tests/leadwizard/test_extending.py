"""The examples of docs/extending.md work as printed: a delivery channel, a kind of question, a criterion.

Each ``<!-- example: NAME -->`` code block of the guide is run as the module
``docs_examples.NAME``, and the settings name it by dotted path, as a site would.
"""

import re
import sys
import types
from pathlib import Path

import pytest

from leadwizard.criteria import role_choices
from leadwizard.matching import VendorProfile, match_vendors
from leadwizard.models import Delivery, Lead
from leadwizard.question_kinds import kind_choices
from leadwizard.wizard.explanation import weighted_criteria
from tests.factories import QuestionnaireFactory, VendorFactory, question, steps_json, wizard_article
from tests.utils import WebhookReceiver, WizardRun, sent

pytestmark = pytest.mark.django_db

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "extending.md"
EXAMPLE = re.compile(r"<!-- example: (\w+) -->\n```python\n(.*?)```", re.DOTALL)


def example(name):
    """The guide's example ``name`` as an imported module ``docs_examples.<name>``."""
    examples = dict(EXAMPLE.findall(GUIDE.read_text(encoding="utf-8")))
    package = sys.modules.setdefault("docs_examples", types.ModuleType("docs_examples"))
    module = types.ModuleType(f"docs_examples.{name}")
    exec(compile(examples[name], f"{GUIDE}:{name}", "exec"), module.__dict__)  # noqa: S102 - our own guide
    sys.modules[module.__name__] = module
    setattr(package, name, module)
    return module


@pytest.fixture(autouse=True)
def forget_examples():
    yield
    for name in [name for name in sys.modules if name.startswith("docs_examples")]:
        del sys.modules[name]


def test_every_example_of_the_guide_is_tested():
    assert sorted(dict(EXAMPLE.findall(GUIDE.read_text(encoding="utf-8")))) == [
        "channel",
        "criterion",
        "question_kind",
    ]


@pytest.fixture
def wizard(site_tree, settings):
    settings.LEADWIZARD_MIN_SECONDS = 0
    questionnaire = QuestionnaireFactory()
    VendorFactory(questionnaire=questionnaire)
    return wizard_article(site_tree.index, questionnaire, slug="ratgeber")


def finish(client, page, block_id, **contact):
    run = WizardRun(client, page, block_id)
    run.answer(industry="handel")
    run.answer(employees="12")
    run.answer(uses=["sales"], german_hq="no", market="b2b")
    return run.contact(**contact)


def test_the_chat_channel_of_the_guide_delivers_leads_and_spares_spam(
    client, wizard, settings, django_capture_on_commit_callbacks
):
    module = example("channel")
    chat = WebhookReceiver([503, 200])
    try:
        module.ChatChannel.url = chat.url  # the guide's URL is a placeholder
        settings.LEADWIZARD_DELIVERY_CHANNELS = [
            "leadwizard.deliveries.channels.email.SalesNotification",
            "docs_examples.channel.ChatChannel",
        ]
        page, block_id = wizard
        with django_capture_on_commit_callbacks(execute=True):  # the tasks are enqueued after the commit
            finish(client, page, block_id)
        delivery = Delivery.objects.get(kind="chat")
        assert delivery.status == Delivery.Status.RETRYING  # the chat answered 503 first
        assert "chat not reached" in delivery.last_error
        from leadwizard.deliveries.tasks import attempt_and_requeue

        assert attempt_and_requeue(delivery) is True
        assert chat.requests[-1]["body"].startswith(b'{"text": "New lead: Muster GmbH')

        Lead.objects.all().delete()
        client.cookies.clear()
        finish(client, page, block_id, website="https://spam.example")  # the honeypot: suspected spam
        assert not Delivery.objects.filter(kind="chat").exists()
    finally:
        chat.stop()


def test_the_postcode_question_of_the_guide_validates_and_stores(client, site_tree, settings):
    example("question_kind")
    settings.LEADWIZARD_MIN_SECONDS = 0
    settings.LEADWIZARD_QUESTION_KINDS = [
        "leadwizard.question_kinds.SingleChoice",
        "docs_examples.question_kind.Postcode",
    ]
    assert ("postcode", "German postcode") in [(key, str(label)) for key, label in kind_choices()]
    questionnaire = QuestionnaireFactory(
        steps=steps_json([("ort", "Ihr Standort", [question("plz", "Postleitzahl", "postcode")])])
    )
    page, block_id = wizard_article(site_tree.index, questionnaire, slug="plz")
    run = WizardRun(client, page, block_id)
    response = run.answer(plz="1011")
    assert "Please enter a postcode of five digits" in response.content.decode()
    run.answer(plz="10115")
    assert sent(run.contact())
    lead = Lead.objects.get()
    assert lead.answers == {"plz": "10115"}
    assert lead.answer_labels[0]["questions"][0]["answer"] == "10115"


def test_the_eu_hosting_criterion_of_the_guide_ranks_vendors(settings):
    example("criterion")
    settings.LEADWIZARD_CRITERIA = "docs_examples.criterion.criteria"
    assert "eu_hosting" in dict(role_choices())
    assert "eu_hosting" in [row["key"] for row in weighted_criteria()]
    in_eu = VendorProfile.of(VendorFactory.build(pk=1, name="EU CRM", hosting="eu"))
    elsewhere = VendorProfile.of(VendorFactory.build(pk=2, name="Anderswo CRM", hosting="other"))
    matches = match_vendors({"eu_hosting": "yes"}, [elsewhere, in_eu])
    assert [(match.vendor.name, match.score) for match in matches] == [
        ("EU CRM", 100.0),
        ("Anderswo CRM", 0.0),
    ]
