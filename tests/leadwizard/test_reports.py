"""Admin reports: leads and conversion per source page, and the wizard funnel."""

import csv
import datetime
import io
from dataclasses import dataclass, fields, replace

import pytest
from django.db import connection
from django.db.models import F, QuerySet
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from wagtail.models import Page
from wagtail.users.models import UserProfile

from leadwizard.models import FunnelCount, Lead, Questionnaire, Shortlist
from leadwizard.questionnaire import Definition, Question, Step
from leadwizard.reports import conversion_rows, funnel_days, funnel_rows, handover_weeks, nearest_rank
from leadwizard.wizard import funnel as funnel_counting
from tests.factories import (
    ArticlePageFactory,
    LeadFactory,
    QuestionnaireFactory,
    locale,
    soup,
    staff_user,
    translate_snippet,
)

pytestmark = pytest.mark.django_db

CONVERSION_URL = "leadwizard_admin:report_conversion"
FUNNEL_URL = "leadwizard_admin:report_funnel"
HANDOVER_URL = "leadwizard_admin:report_handover"


def days_ago(n):
    return timezone.localdate() - datetime.timedelta(days=n)


def at_noon(n):
    """An aware datetime at noon ``n`` days ago in the site's time zone."""
    return timezone.make_aware(datetime.datetime.combine(days_ago(n), datetime.time(12)))


def count(page, questionnaire, step, number, day=0, question=""):
    FunnelCount.objects.create(
        date=days_ago(day), page=page, questionnaire=questionnaire, step=step, question=question, count=number
    )


def csv_rows(response):
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


@pytest.fixture
def data(site_tree):
    """Two pages with the wizard, a page with a lead but no counted start, and a second questionnaire."""
    questionnaire = QuestionnaireFactory()  # steps: industry, size, needs
    other = QuestionnaireFactory(title="Andere Auswahl")
    ratgeber = ArticlePageFactory(parent=site_tree.index, title="CRM-Ratgeber", slug="crm-ratgeber")
    vergleich = ArticlePageFactory(parent=site_tree.index, title="CRM-Vergleich", slug="crm-vergleich")

    count(ratgeber, questionnaire, "industry", 10)
    count(ratgeber, questionnaire, "industry", 5, day=1)
    count(ratgeber, questionnaire, "size", 7)  # not a start
    count(ratgeber, questionnaire, "industry", 100, day=40)  # before the default range
    count(ratgeber, other, "industry", 50)  # another questionnaire
    count(vergleich, questionnaire, "industry", 4, day=3)

    for _ in range(3):
        LeadFactory(questionnaire=questionnaire, source_page=ratgeber, created_at=at_noon(0))
    LeadFactory(
        questionnaire=questionnaire, source_page=ratgeber, created_at=at_noon(2), status=Lead.Status.SPAM
    )
    LeadFactory(questionnaire=questionnaire, source_page=ratgeber, created_at=at_noon(40))
    LeadFactory(questionnaire=other, source_page=ratgeber, created_at=at_noon(1))
    LeadFactory(
        questionnaire=questionnaire,
        source_page=site_tree.home,
        created_at=at_noon(5),
        name="Erika Mustermann",
        email="erika@muster.example",
    )
    return questionnaire, other, ratgeber, vergleich, site_tree.home


# Conversion per source page --------------------------------------------------------------------


def test_conversion_rows_combine_funnel_counts_and_leads(data):
    questionnaire, _other, ratgeber, vergleich, home = data
    start, end = days_ago(29), days_ago(0)

    rows = conversion_rows(start, end, str(questionnaire.translation_key))

    by_page = {row.page_id: row for row in rows}
    assert set(by_page) == {ratgeber.pk, vergleich.pk, home.pk}
    assert (by_page[ratgeber.pk].starts, by_page[ratgeber.pk].leads) == (15, 3)
    assert by_page[ratgeber.pk].conversion == 20.0
    assert (by_page[vergleich.pk].starts, by_page[vergleich.pk].leads) == (4, 0)
    assert by_page[vergleich.pk].conversion == 0.0
    assert (by_page[home.pk].starts, by_page[home.pk].leads) == (0, 1)
    assert by_page[home.pk].conversion is None and by_page[home.pk].conversion_display == "–"
    assert by_page[ratgeber.pk].page_url == ratgeber.full_url
    assert rows[0].page_id == ratgeber.pk  # most leads first


def test_conversion_rows_for_all_questionnaires_and_a_longer_range(data):
    _questionnaire, _other, ratgeber, _vergleich, _home = data
    rows = {row.page_id: row for row in conversion_rows(days_ago(60), days_ago(0))}
    # 10 + 5 + 100 + 50 starts; 3 + 1 (40 days ago) + 1 (other questionnaire) leads, spam left out.
    assert (rows[ratgeber.pk].starts, rows[ratgeber.pk].leads) == (165, 5)


def test_conversion_counts_starts_of_translated_questionnaires(data):
    questionnaire, _other, ratgeber, _vergleich, _home = data
    english = translate_snippet(questionnaire, locale("en"), title="Start your CRM selection")
    count(ratgeber, english, "industry", 5)
    LeadFactory(questionnaire=english, source_page=ratgeber, created_at=at_noon(0), locale="en")

    rows = {
        row.page_id: row
        for row in conversion_rows(days_ago(29), days_ago(0), str(questionnaire.translation_key))
    }

    assert (rows[ratgeber.pk].starts, rows[ratgeber.pk].leads) == (20, 4)


def test_conversion_report_page(client, data):
    questionnaire, _other, ratgeber, _vergleich, _home = data
    client.force_login(staff_user("marketing", "leadwizard.view_lead"))

    response = client.get(reverse(CONVERSION_URL), {"questionnaire": str(questionnaire.translation_key)})

    assert response.status_code == 200
    html = soup(response)
    cells = {
        row.select("td")[0].get_text(strip=True): [td.get_text(strip=True) for td in row.select("td")[1:]]
        for row in html.select("table tbody tr")
    }
    assert cells["CRM-Ratgeber"] == [ratgeber.full_url, "15", "3", "20.0 %"]
    assert cells["Startseite"][1:] == ["0", "1", "–"]
    text = html.get_text()
    assert "Erika" not in text and "erika@" not in text


def test_conversion_report_defaults_to_the_last_30_days(client, data):
    _questionnaire, _other, ratgeber, _vergleich, _home = data
    client.force_login(staff_user("marketing", "leadwizard.view_lead"))
    html = soup(client.get(reverse(CONVERSION_URL)))
    row = next(tr for tr in html.select("table tbody tr") if "CRM-Ratgeber" in tr.get_text())
    # All questionnaires: 10 + 5 + 50 starts, 3 + 1 leads.
    assert [td.get_text(strip=True) for td in row.select("td")[2:]] == ["65", "4", "6.2 %"]

    html = soup(
        client.get(
            reverse(CONVERSION_URL),
            {"date_from": days_ago(45).isoformat(), "date_to": days_ago(35).isoformat()},
        )
    )
    row = next(tr for tr in html.select("table tbody tr") if "CRM-Ratgeber" in tr.get_text())
    assert [td.get_text(strip=True) for td in row.select("td")[2:]] == ["100", "1", "1.0 %"]


def test_conversion_report_csv_export(client, data):
    questionnaire, _other, ratgeber, vergleich, home = data
    client.force_login(staff_user("marketing", "leadwizard.view_lead"))

    rows = csv_rows(
        client.get(
            reverse(CONVERSION_URL), {"questionnaire": str(questionnaire.translation_key), "export": "csv"}
        )
    )

    assert rows[0] == ["Source page", "URL", "Wizard starts", "Leads", "Conversion (%)"]
    assert rows[1:] == [
        ["CRM-Ratgeber", ratgeber.full_url, "15", "3", "20.0"],
        ["Startseite", home.full_url, "0", "1", ""],
        ["CRM-Vergleich", vergleich.full_url, "4", "0", "0.0"],
    ]


def test_conversion_report_xlsx_export(client, data):
    client.force_login(staff_user("marketing", "leadwizard.view_lead"))
    response = client.get(reverse(CONVERSION_URL), {"export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "leads-per-source-page" in response["Content-Disposition"]


# Funnel ----------------------------------------------------------------------------------------


@pytest.fixture
def funnel(site_tree):
    questionnaire = QuestionnaireFactory()
    first = ArticlePageFactory(parent=site_tree.index, title="Seite A", slug="seite-a")
    second = ArticlePageFactory(parent=site_tree.index, title="Seite B", slug="seite-b")
    for step, (on_first, on_second) in {
        "industry": (70, 30),
        "size": (40, 20),
        "needs": (30, 15),
        "contact": (20, 10),
        "success": (8, 4),
    }.items():
        count(first, questionnaire, step, on_first)
        count(second, questionnaire, step, on_second, day=2)
    count(first, questionnaire, "industry", 1000, day=31)  # before the default range
    return questionnaire


def test_funnel_rows_in_questionnaire_order_with_dropoff(funnel):
    rows = funnel_rows(str(funnel.translation_key), days_ago(29), days_ago(0))

    assert [row.step_key for row in rows] == ["industry", "size", "needs", "contact", "success"]
    assert [row.step_title for row in rows][:3] == ["Branche", "Unternehmensgröße", "Anforderungen"]
    assert [row.readers for row in rows] == [100, 60, 45, 30, 12]
    assert [row.dropoff for row in rows] == [None, 40, 15, 15, 18]
    assert [row.dropoff_percent for row in rows] == [None, 40.0, 25.0, 33.3, 60.0]
    assert [row.share_of_starts for row in rows] == [100.0, 60.0, 45.0, 30.0, 12.0]
    assert [row.bar_width for row in rows] == ["100.0", "60.0", "45.0", "30.0", "12.0"]


def test_funnel_report_page_has_a_table_and_hidden_bars(client, funnel):
    client.force_login(staff_user("marketing", "leadwizard.view_lead"))

    response = client.get(reverse(FUNNEL_URL))  # the only questionnaire is chosen by default

    assert response.status_code == 200
    html = soup(response)
    table = html.select_one("table.leadwizard-funnel-table")
    rows = {
        tr["data-step"]: [cell.get_text(strip=True) for cell in tr.select("th, td")]
        for tr in table.select("tbody tr")
    }
    assert rows["industry"] == ["1. Branche", "100", "100.0 %", "–", "–", ""]
    assert rows["size"] == ["2. Unternehmensgröße", "60", "60.0 %", "40", "40.0 %", ""]
    assert rows["success"][1:] == ["12", "12.0 %", "18", "60.0 %", ""]
    assert rows["contact"][0] == "4. Contact details"
    chart = html.select_one(".leadwizard-funnel")
    assert chart["aria-hidden"] == "true"
    widths = [bar["style"] for bar in chart.select(".leadwizard-funnel__bar")]
    assert len(widths) == 5 and "width: 100.0%" in widths[0] and "width: 12.0%" in widths[4]
    # The results (also loaded on their own when filters change) bring no script of their own.
    results = client.get(reverse("leadwizard_admin:report_funnel_results")).content.decode()
    assert "leadwizard-funnel-table" in results and "<script" not in results


def test_funnel_report_csv_export(client, funnel):
    client.force_login(staff_user("marketing", "leadwizard.view_lead"))

    rows = csv_rows(
        client.get(reverse(FUNNEL_URL), {"questionnaire": str(funnel.translation_key), "export": "csv"})
    )

    assert rows[0] == [
        "Position",
        "Step key",
        "Step",
        "Readers",
        "Drop-off",
        "Drop-off (%)",
        "Share of starts (%)",
        "Note",
    ]
    assert rows[1] == ["1", "industry", "Branche", "100", "", "", "100.0", ""]
    assert rows[5] == ["5", "success", "Request sent", "12", "18", "60.0", "12.0", ""]
    assert len(rows) == 6


def test_funnel_report_date_range(client, funnel):
    client.force_login(staff_user("marketing", "leadwizard.view_lead"))
    rows = csv_rows(
        client.get(
            reverse(FUNNEL_URL),
            {"date_from": days_ago(40).isoformat(), "date_to": days_ago(0).isoformat(), "export": "csv"},
        )
    )
    assert rows[1][3] == "1100"


def test_funnel_report_without_questionnaires(client, db):
    client.force_login(staff_user("marketing", "leadwizard.view_lead"))
    response = client.get(reverse(FUNNEL_URL))
    assert response.status_code == 200
    assert "There is no questionnaire yet." in response.content.decode()


# Permissions -----------------------------------------------------------------------------------


@pytest.mark.parametrize("url_name", [CONVERSION_URL, FUNNEL_URL, HANDOVER_URL])
@pytest.mark.parametrize("params", [{}, {"export": "csv"}], ids=["page", "csv"])
def test_reports_need_view_lead_permission(client, funnel, url_name, params):
    client.force_login(staff_user("redakteur", "leadwizard.change_questionnaire"))
    response = client.get(reverse(url_name), params)
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"] == reverse("wagtailadmin_home")


def test_reports_are_in_the_reports_menu_for_lead_viewers_only(client, funnel):
    client.force_login(staff_user("marketing", "leadwizard.view_lead"))
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse(CONVERSION_URL) in html and reverse(FUNNEL_URL) in html
    assert reverse("leadwizard_admin:privacy_access") not in html

    client.force_login(staff_user("redakteur", "leadwizard.change_questionnaire"))
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse(CONVERSION_URL) not in html


def test_funnel_report_with_an_invalid_date(client, funnel):
    client.force_login(staff_user("marketing", "leadwizard.view_lead"))
    response = client.get(reverse(FUNNEL_URL), {"date_from": "gestern"})
    assert response.status_code == 200
    assert "Choose a questionnaire and a valid date range" in response.content.decode()


# Counting once per reader, and what the funnel shows from it -------------------------------------


@pytest.fixture
def wizard_page(site_tree):
    return QuestionnaireFactory(), ArticlePageFactory(parent=site_tree.index, title="Seite", slug="seite")


def funnel_table(response, selector="table.leadwizard-funnel-table", attribute="data-step"):
    table = soup(response).select_one(selector)
    return {
        tr[attribute]: [cell.get_text(" ", strip=True) for cell in tr.select("th, td")]
        for tr in table.select(f"tbody tr[{attribute}]")
    }


def test_count_step_counts_into_the_readers_cohort_day(wizard_page):
    questionnaire, page = wizard_page
    started = days_ago(3)

    funnel_counting.count(page.pk, questionnaire.pk, started, steps=["size"])
    funnel_counting.count(page.pk, questionnaire.pk, started, steps=["size"])
    funnel_counting.count(page.pk, questionnaire.pk, steps=["size"])

    assert sorted(FunnelCount.objects.values_list("date", "step", "question", "count")) == [
        (started, "size", "", 2),
        (days_ago(0), "size", "", 1),
    ]


@pytest.fixture
def without_upsert(monkeypatch):
    """Count as on a database without INSERT … ON CONFLICT DO UPDATE: an update, then an insert."""
    monkeypatch.setattr(funnel_counting, "UPSERT_VENDORS", set())


def test_count_step_adds_to_a_row_another_request_created_meanwhile(wizard_page, monkeypatch, without_upsert):
    questionnaire, page = wizard_page
    count(page, questionnaire, "industry", 5)
    real_update = QuerySet.update
    calls = []

    def update_missing_the_row_once(queryset, **kwargs):
        # The first update runs before the other request's row exists: it finds nothing.
        calls.append(kwargs)
        return 0 if len(calls) == 1 else real_update(queryset, **kwargs)

    monkeypatch.setattr(QuerySet, "update", update_missing_the_row_once)

    funnel_counting.count(page.pk, questionnaire.pk, steps=["industry"])

    assert len(calls) == 2  # the insert hit the unique constraint and the retry added to the row
    assert FunnelCount.objects.get().count == 6


@pytest.mark.parametrize("upsert", [True, False], ids=["upsert", "update-then-insert"])
def test_count_answers_counts_each_question_once(wizard_page, django_assert_num_queries, monkeypatch, upsert):
    questionnaire, page = wizard_page
    started = days_ago(1)
    if not upsert:
        monkeypatch.setattr(funnel_counting, "UPSERT_VENDORS", set())

    funnel_counting.count(
        page.pk, questionnaire.pk, started, questions=["employees", "users", "employees", ""]
    )
    with django_assert_num_queries(1 if upsert else 2):
        funnel_counting.count(page.pk, questionnaire.pk, started, questions=["employees", "users"])
    funnel_counting.count(page.pk, questionnaire.pk, started, questions=["employees", "uses"])
    funnel_counting.count(page.pk, questionnaire.pk, started, questions=[])

    assert sorted(FunnelCount.objects.values_list("date", "step", "question", "count")) == [
        (started, "", "employees", 3),
        (started, "", "users", 2),
        (started, "", "uses", 1),
    ]


def test_count_answers_when_another_request_creates_a_row_first(wizard_page, monkeypatch, without_upsert):
    questionnaire, page = wizard_page
    count(page, questionnaire, "", 1, question="employees")
    real_values_list = QuerySet.values_list

    def other_request_inserts_after_the_lookup(queryset, *args, **kwargs):
        rows = list(real_values_list(queryset, *args, **kwargs))
        count(page, questionnaire, "", 4, question="users")
        return rows

    monkeypatch.setattr(QuerySet, "values_list", other_request_inserts_after_the_lookup)

    funnel_counting.count(page.pk, questionnaire.pk, questions=["employees", "users", "uses"])

    monkeypatch.undo()
    assert dict(FunnelCount.objects.values_list("question", "count")) == {
        "employees": 2,
        "users": 5,
        "uses": 1,
    }


def test_a_steps_counts_are_one_query_that_adds_to_rows_and_creates_the_missing_ones(
    wizard_page, django_assert_num_queries
):
    questionnaire, page = wizard_page
    started = days_ago(2)
    funnel_counting.count(page.pk, questionnaire.pk, started, steps=["industry"])
    funnel_counting.count(page.pk, questionnaire.pk, started, questions=["industry"])

    with django_assert_num_queries(1):
        funnel_counting.count(
            page.pk,
            questionnaire.pk,
            started,
            steps=["industry", "size", "size"],
            questions=["industry", "employees"],
        )

    assert sorted(FunnelCount.objects.values_list("date", "step", "question", "count")) == [
        (started, "", "employees", 1),
        (started, "", "industry", 2),
        (started, "industry", "", 2),
        (started, "size", "", 1),
    ]


@pytest.fixture
def answered(funnel):
    """The ``funnel`` fixture's readers, and how many of them answered each question."""
    page = Page.objects.get(slug="seite-a")
    for question, number in {"industry": 95, "employees": 60, "users": 15, "uses": 45, "market": 9}.items():
        count(page, funnel, "", number, question=question)
    count(page, funnel, "", 1000, day=31, question="industry")  # before the default range
    return funnel


def test_funnel_rows_give_each_questions_share_of_the_steps_readers(answered):
    rows = {
        row.step_key: row for row in funnel_rows(str(answered.translation_key), days_ago(29), days_ago(0))
    }

    size = rows["size"].questions
    assert [(q.key, q.answered, q.reached) for q in size] == [("employees", 60, 60), ("users", 15, 60)]
    assert [q.share for q in size] == [100.0, 25.0]
    assert [q.unanswered for q in size] == [0, 45]
    needs = rows["needs"].questions
    assert [(q.key, q.answered, q.share, q.unanswered) for q in needs] == [
        ("uses", 45, 100.0, 0),
        ("german_hq", 0, 0.0, 45),
        ("market", 9, 20.0, 36),
    ]
    assert rows["industry"].questions[0].share == 95.0
    assert rows["contact"].questions == [] and rows["success"].questions == []
    # Answer rows are not readers of a step.
    assert [row.readers for row in rows.values()] == [100, 60, 45, 30, 12]


def test_funnel_report_shows_answers_per_question(client, answered):
    client.force_login(staff_user("marketing", "leadwizard.view_lead"))

    response = client.get(reverse(FUNNEL_URL))

    table = soup(response).select_one("table.leadwizard-funnel-questions")
    assert table.caption.get_text(strip=True) == "Answers per question"
    assert [th["scope"] for th in table.select("thead th")] == ["col"] * 5
    size = table.select_one('tbody[data-step="size"]')
    assert size.select_one('th[scope="rowgroup"]').get_text(" ", strip=True) == (
        "2. Unternehmensgröße: 60 readers"
    )
    questions = funnel_table(response, "table.leadwizard-funnel-questions", "data-question")
    assert questions["users"] == ["Wie viele sollen das CRM nutzen?", "15", "25.0 %", "45", ""]
    assert questions["market"][1:4] == ["9", "20.0 %", "36"]


@dataclass(frozen=True)
class ConditionalStep(Step):
    condition: str = ""


@dataclass(frozen=True)
class ConditionalQuestion(Question):
    condition: str = ""


def with_conditions(monkeypatch, steps=(), questions=()):
    """Give the questionnaires' steps and questions named here a condition, as editors soon can."""
    original = Questionnaire.definition.func

    def definition(questionnaire):
        def copy(item, cls, keys):
            # Works whether or not the dataclasses have a ``condition`` of their own yet.
            values = {f.name: getattr(item, f.name) for f in fields(item) if f.name != "condition"}
            return cls(**values, condition="shown for some") if item.key in keys else item

        built = []
        for step in original(questionnaire).steps:
            step = copy(step, ConditionalStep, steps)
            built.append(
                replace(
                    step, questions=tuple(copy(q, ConditionalQuestion, questions) for q in step.questions)
                )
            )
        return Definition.build(built)

    monkeypatch.setattr(Questionnaire, "definition", property(definition))


def test_a_conditional_step_has_no_dropoff_and_the_next_compares_with_the_last_shown_to_all(
    funnel, monkeypatch
):
    with_conditions(monkeypatch, steps={"size"}, questions={"market"})
    FunnelCount.objects.filter(step="size").update(count=10)  # 20 of 100 readers, far below "needs"

    rows = funnel_rows(str(funnel.translation_key), days_ago(29), days_ago(0))

    size, needs, contact = rows[1], rows[2], rows[3]
    assert size.conditional and size.readers == 20
    assert (size.dropoff, size.dropoff_percent, size.share_of_starts) == (None, None, 20.0)
    assert size.note == gettext("Shown only for some readers, so it has no drop-off.")
    assert (needs.previous, needs.dropoff, needs.dropoff_percent) == (100, 55, 55.0)
    assert needs.note == gettext("Drop-off since step %(position)s, the last step shown to every reader.") % {
        "position": 1
    }
    assert (contact.previous, contact.dropoff, contact.note) == (45, 15, "")
    market = needs.questions[2]
    assert (market.share, market.unanswered, market.note) == (
        None,
        None,
        gettext("Shown only for some readers."),
    )


def test_funnel_report_page_marks_the_conditional_step(client, funnel, monkeypatch):
    with_conditions(monkeypatch, steps={"size"})
    client.force_login(staff_user("marketing", "leadwizard.view_lead"))

    rows = funnel_table(client.get(reverse(FUNNEL_URL)))

    assert rows["size"] == [
        "2. Unternehmensgröße",
        "60",
        "60.0 %",
        "–",
        "–",
        "Shown only for some readers, so it has no drop-off.",
    ]
    assert rows["needs"][3:] == [
        "55",
        "55.0 %",
        "Drop-off since step 1, the last step shown to every reader.",
    ]


def test_old_arrival_counts_show_a_dash_and_a_note_instead_of_a_negative_dropoff(client, funnel):
    # Before readers were counted once, going back to "industry" and forward again counted "size" twice.
    FunnelCount.objects.filter(step="size").update(count=F("count") * 2)  # 120 after 100 starts
    client.force_login(staff_user("marketing", "leadwizard.view_lead"))

    rows = {row.step_key: row for row in funnel_rows(str(funnel.translation_key), days_ago(29), days_ago(0))}
    assert rows["size"].readers == 120
    assert (rows["size"].dropoff, rows["size"].dropoff_percent) == (None, None)
    assert rows["needs"].dropoff == 75  # the next step still compares with the (old) count before it
    table = funnel_table(client.get(reverse(FUNNEL_URL)))

    assert table["size"][3:5] == ["–", "–"]
    assert table["size"][5].startswith("More readers than on the step before")
    assert not any(cell.startswith("-") for cells in table.values() for cell in cells)
    export = csv_rows(client.get(reverse(FUNNEL_URL), {"export": "csv"}))
    assert export[2][4:6] == ["", ""] and export[2][7].startswith("More readers")


def test_funnel_days_give_each_cohort_day(funnel):
    days = funnel_days(str(funnel.translation_key), days_ago(29), days_ago(0))

    assert [(d.day, d.started, d.contact, d.sent, d.conversion) for d in days] == [
        (days_ago(0), 70, 20, 8, 11.4),
        (days_ago(2), 30, 10, 4, 13.3),
    ]
    longer = funnel_days(str(funnel.translation_key), days_ago(40), days_ago(0))
    assert [(d.day, d.started, d.conversion) for d in longer][-1] == (days_ago(31), 1000, 0.0)


def test_funnel_report_has_a_table_per_day_in_the_admins_language(client, funnel):
    count(Page.objects.get(slug="seite-a"), funnel, "industry", 1234, day=5)
    user = staff_user("marketing", "leadwizard.view_lead")
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "de"
    profile.save()
    client.force_login(user)

    response = client.get(reverse(FUNNEL_URL))

    table = soup(response).select_one("table.leadwizard-funnel-days")
    assert table.caption is not None
    assert [th["scope"] for th in table.select("thead th")] == ["col"] * 5
    rows = funnel_table(response, "table.leadwizard-funnel-days", "data-day")
    assert list(rows) == [days_ago(0).isoformat(), days_ago(2).isoformat(), days_ago(5).isoformat()]
    assert rows[days_ago(0).isoformat()][1:] == ["70", "20", "8", "11,4 %"]
    assert rows[days_ago(5).isoformat()][1:] == ["1.234", "0", "0", "0,0 %"]
    assert funnel_table(response)["industry"][1] == "1.334"


def test_funnel_report_queries_do_not_grow_with_days_and_questions(
    client, funnel, django_assert_max_num_queries
):
    client.force_login(staff_user("marketing", "leadwizard.view_lead"))
    client.get(reverse(FUNNEL_URL))  # warm up what the admin caches per process
    with CaptureQueriesContext(connection) as few:
        client.get(reverse(FUNNEL_URL))

    page = Page.objects.get(slug="seite-a")
    for day in range(3, 28):
        for step in ("industry", "size", "needs", "contact", "success"):
            count(page, funnel, step, 5, day=day)
        for question in ("industry", "employees", "users", "uses", "german_hq", "market"):
            count(page, funnel, "", 3, day=day, question=question)
    with django_assert_max_num_queries(len(few)):
        response = client.get(reverse(FUNNEL_URL))

    assert len(few) <= 20
    assert len(funnel_table(response, "table.leadwizard-funnel-days", "data-day")) == 27
    assert len(funnel_table(response, "table.leadwizard-funnel-questions", "data-question")) == 6


# Lead to shortlist ------------------------------------------------------------------------------


def lead_with_wait(created, hours=None, consultant="Clara Berater", status=Lead.Status.NEW):
    lead = LeadFactory(status=status)
    Lead.objects.filter(pk=lead.pk).update(created_at=created)
    if hours is not None:
        sent = created + datetime.timedelta(hours=hours)
        Shortlist.objects.create(
            lead=lead, consultant_name=consultant, language="de", sent_at=sent, vendors=[]
        )
        # A later second shortlist does not count as the wait.
        Shortlist.objects.create(
            lead=lead, consultant_name=consultant, language="de", sent_at=sent + datetime.timedelta(days=3)
        )
    return lead


def test_nearest_rank_percentiles():
    assert nearest_rank([], 0.5) is None
    assert nearest_rank([4.0], 0.9) == 4.0
    assert nearest_rank([1, 2, 3, 4], 0.5) == 2
    assert nearest_rank(list(range(1, 11)), 0.9) == 9
    assert nearest_rank(list(range(1, 12)), 0.9) == 10


@pytest.fixture
def handover(site_tree):
    monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday() + 7)
    noon = timezone.make_aware(datetime.datetime.combine(monday, datetime.time(12)))
    for wait in (1, 2, 3, 4, 40):
        lead_with_wait(noon, wait)
    lead_with_wait(noon + datetime.timedelta(days=2), 10, consultant="David Beispiel")
    lead_with_wait(noon)  # still waiting
    lead_with_wait(noon, 1, status=Lead.Status.SPAM)  # left out
    lead_with_wait(noon + datetime.timedelta(days=7), 5, consultant="David Beispiel")  # the week after
    return monday


def test_handover_weeks_give_median_and_90th_percentile(handover):
    later, week = handover_weeks(handover - datetime.timedelta(days=1), timezone.localdate())
    year, number, _day = handover.isocalendar()
    assert week.week == f"{year}-W{number:02d}" and week.week_start == handover
    assert (week.leads, week.shortlisted, week.open) == (7, 6, 1)
    assert week.waiting_hours == [1, 2, 3, 4, 10, 40]
    assert (week.median_hours, week.p90_hours) == (3, 40)
    assert (later.leads, later.median_hours) == (1, 5)


def test_handover_report_page_and_export(client, handover):
    client.force_login(staff_user("marketing", "leadwizard.view_lead"))
    params = {"date_from": (handover - datetime.timedelta(days=1)).isoformat()}
    html = client.get(reverse(HANDOVER_URL), params).content.decode()
    assert "Median" in html
    consultants = html.split('id="leadwizard-consultants-title"', 1)[1]
    assert consultants.index("Clara Berater") < consultants.index("David Beispiel")
    rows = csv_rows(client.get(reverse(HANDOVER_URL), {**params, "export": "csv"}))
    assert rows[0][:2] == ["Week", "Leads"]
    assert rows[-1][1:] == ["7", "6", "1", "3.0", "40.0"]
