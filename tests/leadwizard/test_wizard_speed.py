"""A wizard step costs few queries: the page with its locale, the questionnaire, and one write for the funnel.

A step with JavaScript is what readers wait for between questions; before, it took
eleven queries (the page twice, its view restrictions twice, its locale, four
funnel writes, the site).
"""

import time

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import Page, Site

from leadwizard.models import FunnelCount
from leadwizard.wizard import pages, questionnaires
from tests.factories import QuestionnaireFactory, VendorFactory, restrict_page, wizard_article
from tests.utils import WizardRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def wizard(site_tree, settings):
    settings.LEADWIZARD_MIN_SECONDS = 0
    questionnaire = QuestionnaireFactory()
    VendorFactory(questionnaire=questionnaire, name="Alpha CRM", industries=["handel"], uses=["sales"])
    page, block_id = wizard_article(site_tree.index, questionnaire, title="CRM-Ratgeber", slug="crm-ratgeber")
    # One reader first: the page's type, the site's root paths and the content types are known from then on.
    WizardRun(Client(), page, block_id, fragment=True).answer(industry="handel")
    return questionnaire, page, block_id


def test_a_step_with_javascript_takes_three_queries(wizard, django_assert_num_queries):
    _questionnaire, page, block_id = wizard
    run = WizardRun(Client(), page, block_id, fragment=True)
    run.start()

    # The page with its locale and view restrictions, the questionnaire, the funnel's counts.
    with django_assert_num_queries(3):
        first = run.answer(industry="handel")
    with django_assert_num_queries(3):
        second = run.answer(employees="25", users="5")

    assert first.status_code == second.status_code == 200
    assert 'name="q-uses"' in run.html  # the third step, so both steps were taken


def test_a_step_counts_the_step_its_answers_and_the_next_step(wizard):
    questionnaire, page, block_id = wizard
    FunnelCount.objects.all().delete()
    run = WizardRun(Client(), page, block_id, fragment=True)

    run.answer(industry="handel")
    run.answer(employees="25", users="5")

    counts = FunnelCount.objects.filter(page=page, questionnaire=questionnaire)
    assert dict(counts.filter(question="").values_list("step", "count")) == {
        "industry": 1,
        "size": 1,
        "needs": 1,
    }
    assert dict(counts.filter(step="").values_list("question", "count")) == {
        "industry": 1,
        "employees": 1,
        "users": 1,
    }


def step_url(page):
    return reverse("leadwizard:step", kwargs={"page_id": page.pk})


def test_a_step_on_a_private_page_is_refused(wizard):
    _questionnaire, page, block_id = wizard
    restrict_page(page)

    response = Client().post(step_url(page), {"leadwizard-block": block_id, "q-industry": "handel"})

    assert response.status_code == 403
    assert response.content.decode() == "Diese Seite ist nicht öffentlich."


def test_a_step_below_a_private_page_is_refused(wizard):
    _questionnaire, page, block_id = wizard
    restrict_page(page.get_parent())

    response = Client().post(step_url(page), {"leadwizard-block": block_id, "q-industry": "handel"})

    assert response.status_code == 403


def test_a_step_on_an_alias_has_its_source_pages_restrictions(wizard, site_tree):
    _questionnaire, page, block_id = wizard
    alias = page.create_alias(update_slug="crm-ratgeber-kopie")
    restrict_page(page)  # on the source: an alias cannot have restrictions of its own

    refused = Client().post(step_url(alias), {"leadwizard-block": block_id, "q-industry": "handel"})
    page.get_view_restrictions().delete()
    answered = Client().post(step_url(alias), {"leadwizard-block": block_id, "q-industry": "handel"})

    assert refused.status_code == 403
    assert answered.status_code == 302


def test_a_page_is_read_as_its_own_type_whatever_was_remembered(wizard):
    _questionnaire, page, block_id = wizard
    # As if the id had belonged to a page of another type before (SQLite gives ids of deleted rows again).
    pages._PAGE_TYPES[page.pk] = ContentType.objects.get_for_model(Page).pk

    response = Client().post(step_url(page), {"leadwizard-block": block_id, "q-industry": "handel"})

    assert response.status_code == 302
    assert pages._PAGE_TYPES[page.pk] == page.content_type_id


def test_a_step_for_a_page_that_is_gone_is_not_found(wizard):
    _questionnaire, page, block_id = wizard
    url = step_url(page)
    page.unpublish()

    assert Client().post(url, {"leadwizard-block": block_id}).status_code == 404


def test_with_several_sites_the_step_leads_to_the_page_as_wagtail_links_it(wizard, site_tree):
    _questionnaire, page, block_id = wizard
    other_root = Page.get_first_root_node().add_child(
        instance=Page(title="Andere Seite", slug="andere-seite")
    )
    Site.objects.create(hostname="andere.example", port=80, root_page=other_root)
    Site.clear_site_root_paths_cache()

    response = Client().post(step_url(page), {"leadwizard-block": block_id, "q-industry": "handel"})

    assert response.status_code == 302
    assert response["Location"].startswith(page.relative_url(Site.objects.get(is_default_site=True)) + "?")


def keeping(settings, setting, module):
    """A process that keeps what ``module`` keeps for 30 s, starting with nothing kept."""
    setattr(settings, setting, 30)
    module.forget_all()
    yield settings
    module.forget_all()


@pytest.fixture
def kept_questionnaires(settings):
    yield from keeping(settings, "LEADWIZARD_QUESTIONNAIRE_LOCAL_SECONDS", questionnaires)


def test_a_process_keeps_the_questionnaire_a_while(wizard, kept_questionnaires, django_assert_num_queries):
    """With LEADWIZARD_QUESTIONNAIRE_LOCAL_SECONDS a step reads the page and writes the funnel only."""
    _questionnaire, page, block_id = wizard
    run = WizardRun(Client(), page, block_id, fragment=True)
    run.answer(industry="handel")  # reads the questionnaire once
    with django_assert_num_queries(2):
        run.answer(employees="25", users="5")
    assert 'name="q-uses"' in run.html


def test_a_kept_questionnaire_is_read_again_after_an_edit_or_when_it_is_old(
    wizard, kept_questionnaires, monkeypatch
):
    questionnaire, page, block_id = wizard
    run = WizardRun(Client(), page, block_id, fragment=True)
    run.answer(industry="handel")
    assert "CRM-Ratgeber" in Client().get(page.url).content.decode()

    # Saved through this process: every kept questionnaire is forgotten at once.
    questionnaire.title = "Ihr neues CRM"
    questionnaire.save()
    html = Client().get(page.url).content.decode()
    assert "Ihr neues CRM" in html

    # Changed elsewhere (no signal here): shown once the kept copy is older than the setting.
    type(questionnaire).objects.filter(pk=questionnaire.pk).update(title="Anderswo geändert")
    assert "Anderswo geändert" not in Client().get(page.url).content.decode()
    later = time.monotonic() + 31
    monkeypatch.setattr(questionnaires.time, "monotonic", lambda: later)
    assert "Anderswo geändert" in Client().get(page.url).content.decode()


def test_without_the_setting_every_request_reads_the_questionnaire(wizard, django_assert_num_queries):
    _questionnaire, page, block_id = wizard
    run = WizardRun(Client(), page, block_id, fragment=True)
    run.answer(industry="handel")
    with django_assert_num_queries(3):
        run.answer(employees="25", users="5")


@pytest.fixture
def kept_pages(settings):
    yield from keeping(settings, "LEADWIZARD_PAGE_LOCAL_SECONDS", pages)


def test_a_process_keeps_the_page_of_a_step_a_while(
    wizard, kept_pages, kept_questionnaires, django_assert_num_queries
):
    """With LEADWIZARD_PAGE_LOCAL_SECONDS as well, a step only writes the funnel."""
    _questionnaire, page, block_id = wizard
    run = WizardRun(Client(), page, block_id, fragment=True)
    run.answer(industry="handel")  # reads the page and the questionnaire once
    with django_assert_num_queries(1):
        run.answer(employees="25", users="5")
    assert 'name="q-uses"' in run.html


def _unpublish(page):
    page.unpublish()


def _restrict(page):
    restrict_page(page)


def _restrict_parent(page):
    restrict_page(page.get_parent())


def _delete(page):
    page.delete()


@pytest.mark.parametrize(
    ("change", "status"),
    [(_unpublish, 404), (_restrict, 403), (_restrict_parent, 403), (_delete, 404)],
)
def test_a_kept_page_is_forgotten_when_it_changes_through_this_process(wizard, kept_pages, change, status):
    _questionnaire, page, block_id = wizard
    url = step_url(page)
    assert Client().post(url, {"leadwizard-block": block_id, "q-industry": "handel"}).status_code == 302

    change(page)

    assert Client().post(url, {"leadwizard-block": block_id, "q-industry": "handel"}).status_code == status


def test_a_kept_page_is_read_again_when_it_is_old(wizard, kept_pages, monkeypatch):
    _questionnaire, page, block_id = wizard
    url = step_url(page)
    assert Client().post(url, {"leadwizard-block": block_id, "q-industry": "handel"}).status_code == 302

    # Unpublished by another app server: no signal reaches this process.
    Page.objects.filter(pk=page.pk).update(live=False)
    assert Client().post(url, {"leadwizard-block": block_id, "q-industry": "handel"}).status_code == 302
    later = time.monotonic() + 31
    monkeypatch.setattr(pages.time, "monotonic", lambda: later)
    assert Client().post(url, {"leadwizard-block": block_id, "q-industry": "handel"}).status_code == 404


def _to_contact_step(page, block_id):
    run = WizardRun(Client(), page, block_id, fragment=True)
    run.answer(industry="handel")
    run.answer(employees="25", users="5")
    with CaptureQueriesContext(connection) as queries:
        run.answer(uses=["sales"], german_hq="yes", market="b2b")
    assert 'name="contact-email"' in run.html
    return run, [query["sql"] for query in queries.captured_queries]


def test_a_kept_questionnaire_keeps_its_vendors_until_one_is_saved(wizard, kept_questionnaires):
    questionnaire, page, block_id = wizard
    first, first_queries = _to_contact_step(page, block_id)
    second, second_queries = _to_contact_step(page, block_id)

    assert any("leadwizard_vendor" in sql for sql in first_queries)
    assert not any("leadwizard_vendor" in sql for sql in second_queries)
    assert "Alpha CRM" in second.html

    VendorFactory(questionnaire=questionnaire, name="Beta CRM", industries=["handel"], uses=["sales"])
    third, third_queries = _to_contact_step(page, block_id)

    assert any("leadwizard_vendor" in sql for sql in third_queries)
    assert "Beta CRM" in third.html and first.match_count == 1 and third.match_count == 2


def test_a_process_keeps_a_bounded_number_of_pages(wizard, kept_pages, monkeypatch):
    _questionnaire, page, block_id = wizard
    monkeypatch.setattr(pages._kept, "max_entries", 2)
    now = time.monotonic()
    # Two pages read long ago fill the process's place for pages.
    pages._kept.keep({-1: page, -2: page}, 30, now - 60)
    assert pages.live_page(page.pk) is not None
    assert set(pages._kept._entries) == {page.pk}  # the old ones made room

    pages.forget_all()
    pages._kept.keep({-3: page, -4: page}, 30, time.monotonic())
    assert pages.live_page(page.pk) is not None
    assert set(pages._kept._entries) == {page.pk}  # full of fresh pages: all are dropped rather than grow
