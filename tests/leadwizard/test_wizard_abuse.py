"""Bad input and abuse: never a 500, never a partial lead, bots marked, floods slowed."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from leadwizard.models import Lead
from tests.factories import QuestionnaireFactory, VendorFactory, wizard_article
from tests.utils import TOKEN_RE, WizardRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def wizard(site_tree):
    questionnaire = QuestionnaireFactory()
    VendorFactory(questionnaire=questionnaire)
    page, block_id = wizard_article(site_tree.index, questionnaire, slug="ratgeber")
    return questionnaire, page, block_id


def finish_questions(run):
    run.answer(industry="handel")
    run.answer(employees="12")
    run.answer(uses=["sales"], german_hq="no", market="b2b")


@pytest.fixture
def quick(settings):
    settings.LEADWIZARD_MIN_SECONDS = 0


def test_honeypot_marks_spam_but_keeps_the_lead(client, wizard, quick):
    _q, page, block_id = wizard
    run = WizardRun(client, page, block_id)
    finish_questions(run)
    response = run.contact(website="https://spam.example")
    # The bot sees success and learns nothing.
    assert response.status_code == 200 and run.location and "leadwizard-done=" in run.location
    lead = Lead.objects.get()
    assert lead.status == Lead.Status.SPAM
    assert lead.spam_reasons == ["honeypot"]


def test_too_fast_marks_spam(client, wizard, settings):
    settings.LEADWIZARD_MIN_SECONDS = 3600
    _q, page, block_id = wizard
    run = WizardRun(client, page, block_id)
    finish_questions(run)
    run.contact()
    lead = Lead.objects.get()
    assert lead.status == Lead.Status.SPAM
    assert "too_fast" in lead.spam_reasons


def test_a_finished_request_above_the_submit_limit_is_kept_for_a_person_to_judge(
    client, wizard, quick, settings
):
    settings.LEADWIZARD_SUBMIT_RATE_LIMIT = (2, 3600)
    _q, page, block_id = wizard
    for _ in range(3):
        run = WizardRun(client, page, block_id)
        finish_questions(run)
        response = run.contact()
        # Every reader of a shared office address sees the normal confirmation.
        assert response.status_code == 200
        assert "Ihre Anfrage ist erfolgreich bei uns eingegangen" in run.html
    leads = list(Lead.objects.order_by("created_at", "pk"))
    assert len(leads) == 3
    assert [lead.status for lead in leads] == [Lead.Status.NEW, Lead.Status.NEW, Lead.Status.SPAM]
    assert leads[2].spam_reasons == ["rate_limit"]
    assert leads[2].spam_reason_labels == [str(Lead.SPAM_REASON_LABELS["rate_limit"])]
    # Another client is not affected.
    other = WizardRun(Client(REMOTE_ADDR="198.51.100.7"), page, block_id)
    finish_questions(other)
    other.contact(REMOTE_ADDR="198.51.100.7")
    assert Lead.objects.latest("created_at").status == Lead.Status.NEW


def test_step_rate_limit(client, wizard, settings):
    settings.LEADWIZARD_STEP_RATE_LIMIT = (3, 600)
    _q, page, block_id = wizard
    run = WizardRun(client, page, block_id)
    codes = [run.answer(industry="handel").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_step_rate_limit_ignores_forwarded_addresses_from_unknown_peers(wizard, settings):
    settings.LEADWIZARD_STEP_RATE_LIMIT = (3, 600)
    settings.LEADWIZARD_TRUSTED_PROXIES = ["10.0.0.1"]
    settings.LEADWIZARD_TRUST_X_FORWARDED_FOR = True  # left over from an older deployment: ignored
    _q, page, block_id = wizard
    # Straight to the app server, with a made-up X-Forwarded-For on every request.
    run = WizardRun(Client(REMOTE_ADDR="198.51.100.20"), page, block_id)
    codes = [
        run.post({"q-industry": "handel"}, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(4)
    ]
    assert codes == [200, 200, 200, 429]


def test_readers_behind_a_trusted_proxy_have_limits_of_their_own(wizard, settings):
    settings.LEADWIZARD_STEP_RATE_LIMIT = (3, 600)
    settings.LEADWIZARD_TRUSTED_PROXIES = ["10.0.0.1"]
    _q, page, block_id = wizard
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    run = WizardRun(proxy, page, block_id)
    # The reader varies the left-most entry; nginx appended the address it saw.
    codes = [
        run.post({"q-industry": "handel"}, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.1").status_code
        for n in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    other = WizardRun(proxy, page, block_id)
    assert other.post({"q-industry": "handel"}, HTTP_X_FORWARDED_FOR="203.0.113.2").status_code == 200


@pytest.mark.parametrize(
    "block_id",
    ["", "nope", "5f0e3c3a-9a4b-4c1e-8f53-2d1c7a6b9e10", "' OR 1=1 --"],
)
def test_unknown_wizard_block_is_a_400(client, wizard, block_id):
    _q, page, _block = wizard
    response = client.post(page.url, {"leadwizard-block": block_id, "q-industry": "handel"})
    assert response.status_code == 400
    assert "Bitte laden Sie die Seite neu" in response.content.decode()
    assert Lead.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "values", "message"),
    [
        ("q-industry", ["bäckerei"], "Bitte wählen Sie eine der angezeigten Optionen."),
        ("q-industry", ["handel", "it"], "Bitte geben Sie nur eine Antwort."),
        ("q-industry", ["x" * 100_000], "Bitte wählen Sie eine der angezeigten Optionen."),
    ],
)
def test_bad_answers_on_the_first_step(client, wizard, field, values, message):
    _q, page, block_id = wizard
    run = WizardRun(client, page, block_id)
    response = run.post({field: values})
    assert response.status_code == 200
    assert message in run.html
    assert "Schritt 1 von 4" in run.html


@pytest.mark.parametrize(
    ("employees", "message"),
    [
        ("-5", "Bitte geben Sie eine Zahl zwischen 1 und 100.000 ein."),
        ("0", "Bitte geben Sie eine Zahl zwischen 1 und 100.000 ein."),
        ("100001", "Bitte geben Sie eine Zahl zwischen 1 und 100.000 ein."),
        ("12,5", "Bitte geben Sie eine ganze Zahl ein"),
        ("9" * 40, "Bitte geben Sie eine ganze Zahl ein"),
        ("", "Bitte geben Sie eine Zahl ein."),
    ],
)
def test_bad_numbers(client, wizard, employees, message):
    _q, page, block_id = wizard
    run = WizardRun(client, page, block_id)
    run.answer(industry="handel")
    run.answer(employees=employees)
    assert message in run.html
    assert "Schritt 2 von 4" in run.html


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": "erika"}, "Bitte geben Sie eine gültige E-Mail-Adresse ein"),
        ({"phone": "call me"}, "Bitte geben Sie eine gültige Telefonnummer ein"),
        ({"name": ""}, "Bitte geben Sie Ihren Namen ein."),
        ({"name": "x" * 5000}, "höchstens 150 Zeichen"),
        ({"message": "x" * 5000}, "höchstens 2000 Zeichen"),
    ],
)
def test_bad_contact_details(client, wizard, quick, fields, message):
    _q, page, block_id = wizard
    run = WizardRun(client, page, block_id)
    finish_questions(run)
    response = run.contact(**fields)
    assert response.status_code == 200
    assert message in run.html
    assert Lead.objects.count() == 0


def test_malformed_tokens_restart(client, wizard):
    _q, page, block_id = wizard
    for token in ["x", "." * 5000, "eyJ9:abc:def", "\x00\x01"]:
        run = WizardRun(client, page, block_id)
        response = run.post({"q-employees": "5"}, token=token)
        assert response.status_code == 200
        assert "Ihre Auswahl war abgelaufen" in run.html


def test_unknown_action_counts_as_next(client, wizard):
    _q, page, block_id = wizard
    run = WizardRun(client, page, block_id)
    run.post({"q-industry": "handel"}, action="delete-everything")
    assert "Schritt 2 von 4" in run.html


def test_wizard_post_without_csrf_token_is_refused(wizard):
    _q, page, block_id = wizard
    client = Client(enforce_csrf_checks=True)
    response = client.post(page.url, {"leadwizard-block": block_id, "q-industry": "handel"})
    assert response.status_code == 403


field_names = st.sampled_from(
    [
        "leadwizard-block",
        "leadwizard-token",
        "leadwizard-action",
        "q-industry",
        "q-employees",
        "q-users",
        "q-uses",
        "q-german_hq",
        "q-market",
        "contact-name",
        "contact-company",
        "contact-email",
        "contact-phone",
        "contact-message",
        "contact-consent",
        "contact-website",
        "leadwizard-landing",
    ]
)
field_values = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        ["handel", "it", "sales", "yes", "no", "b2b", "next", "back", "submit", "restart", "on", "-1", "1e9"]
    ),
)


@hypothesis_settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    posts=st.lists(st.lists(st.tuples(field_names, field_values), max_size=12), min_size=1, max_size=5),
    keep_block=st.booleans(),
)
def test_random_posts_never_500_and_never_a_lead_without_consent(client, wizard, settings, posts, keep_block):
    settings.LEADWIZARD_MIN_SECONDS = 0
    settings.LEADWIZARD_STEP_RATE_LIMIT = (10_000, 600)
    settings.LEADWIZARD_SUBMIT_RATE_LIMIT = (10_000, 3600)
    _q, page, block_id = wizard
    run = WizardRun(client, page, block_id)
    leads_before = Lead.objects.count()
    consented = any(name == "contact-consent" for pairs in posts for name, _value in pairs)
    for pairs in posts:
        data = {}
        for name, value in pairs:
            data.setdefault(name, []).append(value)
        if keep_block:
            data["leadwizard-block"] = [block_id]
            if run.token and "leadwizard-token" not in data:
                data["leadwizard-token"] = [run.token]
        response = client.post(page.url, data)
        assert response.status_code in {200, 302, 400, 429}
        if response.status_code == 200:
            match = TOKEN_RE.search(response.content.decode())
            run.token = match.group(1) if match else run.token
    if not consented:
        assert Lead.objects.count() == leads_before
    for lead in Lead.objects.all():
        assert lead.consent_text and lead.consent_version and lead.consent_given_at
        assert lead.email and lead.name and lead.company
