"""Lead exports: columns, CSV and XLSX, formula injection, streaming, background jobs, commands, audit log."""

import csv
import datetime
import functools
import io
import json
import os
import stat
import threading
import zoneinfo
from urllib.parse import urlencode

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.http import FileResponse, StreamingHttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from wagtail.models import ModelLogEntry

from leadwizard import exports
from leadwizard.admin import exports as export_views
from leadwizard.admin.exports import LeadIndexView
from leadwizard.admin.viewsets import lead_viewset
from leadwizard.audit import LOG_EXPORT
from leadwizard.conf import app_settings
from leadwizard.exports import (
    BOM,
    FORMULA_TRIGGERS,
    columns_for,
    export_columns,
    iter_csv,
    lead_rows,
    neutralise,
    prepared,
    write_xlsx,
)
from leadwizard.exports import csv as csv_export
from leadwizard.exports.columns import FIXED_KEYS
from leadwizard.exports.csv import csv_field, csv_fields, csv_line
from leadwizard.exports.database import MAX_VENDORS
from leadwizard.exports.formulas import WORD_JOINER
from leadwizard.exports.jobs import export_root, job_file
from leadwizard.exports.reading import read_ahead
from leadwizard.models import ExportJob, Lead, LeadNote, PreparedExportRow
from leadwizard.questionnaire import Definition, Option, Question, Step
from tests.factories import (
    LeadFactory,
    QuestionnaireFactory,
    default_steps,
    locale,
    staff_user,
    steps_json,
    translate_snippet,
)

TRIGGERS = ["=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20"]
ANSWER_KEYS = ["industry", "employees", "users", "uses", "german_hq", "market"]  # of default_steps()
# The questions with options get a machine column of their option keys too.
OPTION_KEY_COLUMNS = [
    "answer_keys.industry",
    "answer_keys.uses",
    "answer_keys.german_hq",
    "answer_keys.market",
]


def parse_csv(data, dialect="excel_de"):
    """The cells of an export's CSV, with the word joiner that keeps number-like text text taken off."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    assert text.startswith(BOM)
    delimiter = ";" if dialect == "excel_de" else ","
    return [
        [cell.removeprefix(WORD_JOINER) for cell in row]
        for row in csv.reader(io.StringIO(text[len(BOM) :], newline=""), delimiter=delimiter)
    ]


def export_url(format, **params):
    query = urlencode(params, doseq=True)
    return reverse("leadwizard_admin:export_leads", args=[format]) + (f"?{query}" if query else "")


def local_text(value):
    return timezone.localtime(value).isoformat(sep=" ", timespec="seconds") if value else ""


def expected_csv_row(lead, keys=ANSWER_KEYS, language="de"):
    """A lead as the CSV should show it, from the database, field by field: labels and words in ``language``."""
    questions = {q.key: q for step in lead.questionnaire.definition.steps for q in step.questions}
    answers, option_keys = [], []
    with translation.override(language):
        for key in keys:
            value = lead.answers.get(key)
            question = questions[key]
            if question.choices:
                answers.append(question.label_for(value) if value is not None else "")
                option_keys.append(", ".join(value) if isinstance(value, list) else value or "")
            else:
                answers.append("" if value is None else str(value))
        status = str(lead.get_status_display())
        yes_no = {True: translation.gettext("Yes"), False: translation.gettext("No")}
        consent_state = translation.pgettext(
            "marketing consent",
            "Withdrawn"
            if getattr(lead, "marketing_withdrawn_at", None)
            else "None"
            if not lead.marketing_consent
            else "Confirmed"
            if lead.marketing_confirmed_at
            else "Requested, not confirmed",
        )
    decimal = "," if language == "de" else "."
    fixed = [
        local_text(lead.created_at),
        status,
        lead.assignee.get_username() if lead.assignee else "",
        lead.name,
        lead.company,
        lead.email,
        lead.phone,
        lead.message,
        "",  # no notes
        local_text(lead.consent_given_at),
        lead.consent_version,
        yes_no[lead.marketing_consent],
        local_text(lead.marketing_confirmed_at),
        lead.source_url,
        lead.locale,
        lead.landing_url,
        lead.referrer,
        lead.utm_source,
        lead.utm_medium,
        lead.utm_campaign,
        lead.utm_term,
        lead.utm_content,
        str(lead.match_count),
        ", ".join(
            f"{match['vendor']} ({format(match['score'], 'g').replace('.', decimal)} %)"
            for match in lead.top_matches
        ),
        consent_state,
    ]
    return [neutralise(value).removeprefix(WORD_JOINER) for value in answers + option_keys + fixed]


@pytest.fixture(autouse=True)
def english_and_own_export_folder(settings, tmp_path):
    """Column headers in English (the msgids), and an export folder of the test's own."""
    settings.LEADWIZARD_EXPORT_ROOT = tmp_path / "exports"
    with translation.override("en"):
        yield


@pytest.fixture
def questionnaire(db):
    return QuestionnaireFactory()


@pytest.fixture
def leads(questionnaire):
    """Three leads: a plain one, one with formula-like and tricky text, one assigned and confirmed."""
    assignee = get_user_model().objects.create_user("vertrieb", "vertrieb@crm.example", "pw")
    plain = LeadFactory(questionnaire=questionnaire, name="Erika Muster", company="Muster GmbH")
    tricky = LeadFactory(
        questionnaire=questionnaire,
        name='=HYPERLINK("http://evil.example","Klick")',
        company="@SUM(A1:A9)",
        message='Bitte "zurückrufen",\nab 14 Uhr; danke – -Max',
        phone="+49 30 1234",
        status=Lead.Status.IN_PROGRESS,
        utm_campaign="-1+2",
        top_matches=[{"vendor": "Alpha CRM", "score": 90}, {"vendor": "Beta CRM", "score": 80}],
        match_count=2,
    )
    confirmed = LeadFactory(
        questionnaire=questionnaire,
        name="Jürgen Schäfer",
        company="Schäfer & Söhne KG",
        assignee=assignee,
        status=Lead.Status.WON,
        marketing_consent=True,
        marketing_confirmed_at=timezone.now(),
        answers={"industry": "it", "employees": 250, "uses": ["sales", "marketing"], "market": "both"},
        locale="en",
    )
    return [plain, tricky, confirmed]


@pytest.fixture
def marketer(db):
    return staff_user("marketing", "leadwizard.view_lead", "leadwizard.export_lead")


# Pure functions -----------------------------------------------------------------------


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_neutralise_makes_every_trigger_inert(trigger):
    value = f"{trigger}cmd|' /C calc'!A0"
    assert neutralise(value) == "'" + value
    line = csv_line([value])
    assert line.startswith("\"'")
    assert next(csv.reader(io.StringIO(line, newline=""))) == ["'" + value]


def test_all_trigger_characters_are_covered():
    assert sorted(FORMULA_TRIGGERS) == sorted(TRIGGERS)


@pytest.mark.parametrize(
    "value", ["Erika", "", "a=b", "mail@example.com", " =1+1", "Tel. 1-2", 42, None, 1.5]
)
def test_neutralise_leaves_other_values_alone(value):
    assert neutralise(value) == value


def test_phone_numbers_and_addresses_stay_as_typed_without_an_apostrophe():
    # LibreOffice reads "+49 ..." and "-2+3@..." as text; a digits-only number would become
    # a number without its leading zero, so it gets the invisible word joiner.
    line = csv_line(["+49 30 1234", 7, None, "0301234567", "-2+3@example.org", "+4930123"], "rfc4180")
    assert (
        line == f'"+49 30 1234",7,,"{WORD_JOINER}0301234567","-2+3@example.org","{WORD_JOINER}+4930123"\r\n'
    )


@pytest.mark.parametrize("value", ["-2+3+cmd|' /C calc'!A0", "+SUM(1)", "@SUM(A1)", "-1+2 ", "+49 30 (1)!"])
def test_text_that_is_more_than_a_phone_number_or_address_gets_the_apostrophe(value):
    assert neutralise(value) == "'" + value


def test_dialects_differ_in_separator_and_decimal_comma():
    row = ["a;b,c", 1.5, 2]
    assert csv_line(row, "excel_de") == '"a;b,c";1,5;2\r\n'
    assert csv_line(row, "rfc4180") == '"a;b,c",1.5,2\r\n'


def test_csv_line_round_trips_through_the_csv_module():
    when = datetime.datetime(2025, 3, 30, 1, 30, tzinfo=datetime.UTC)
    row = ['Sie sagte "ja", dann\r\nnein', "Ümlaut – ☃", 0, None, 1.5, when, ""]
    line = csv_line(row, "rfc4180")
    assert line.endswith("\r\n")
    assert next(csv.reader(io.StringIO(line, newline=""))) == [
        'Sie sagte "ja", dann\r\nnein',
        "Ümlaut – ☃",
        "0",
        "",
        "1.5",
        "2025-03-30 01:30:00+00:00",
        "",
    ]


# A column of a chunk at once (csv_block's formatters) ---------------------------------------

# Text that tries the formatters' shortcuts: triggers, quotes, separators, JSON-looking text.
ODD_TEXT = st.text(
    alphabet=st.sampled_from([*TRIGGERS, '"', "'", ",", " ", "[", "]", "\\", "a", "ä", "0", "\x00"])
)
PLAIN_VALUES = st.one_of(
    ODD_TEXT,
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
    st.datetimes(timezones=st.just(datetime.UTC)),
)
JSON_VALUES = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), ODD_TEXT
    ),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(ODD_TEXT, children, max_size=3),
    max_leaves=8,
)


@given(st.lists(PLAIN_VALUES, min_size=1, max_size=12) | st.lists(ODD_TEXT, min_size=1, max_size=12))
def test_csv_fields_of_a_column_are_those_of_each_value(values):
    assert csv_fields(values) == [csv_field(value) for value in values]
    assert csv_fields(tuple(values)) == [csv_field(value) for value in values]


@given(st.lists(st.none() | JSON_VALUES, min_size=1, max_size=8))
def test_answers_as_json_texts_read_as_decoded(answers):
    """PostgreSQL's answers (JSON text, NULL for none) give what their decoded values give."""
    texts = [None if answer is None else json.dumps(answer, ensure_ascii=False) for answer in answers]
    decoded = [None if text is None else json.loads(text) for text in texts]
    dialect = csv_export.DIALECTS["excel_de"]
    assert csv_export._json_answer_fields(dialect, texts) == [
        csv_field(value) for value in csv_export._answer_texts(decoded)
    ]


@hypothesis_settings(max_examples=300)
@given(
    st.lists(
        st.none()
        | st.datetimes(
            min_value=datetime.datetime(1800, 1, 1),
            max_value=datetime.datetime(2200, 1, 1),
            timezones=st.just(datetime.UTC),
        ),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from(["Europe/Berlin", "Asia/Kolkata", "America/St_Johns", "Australia/Lord_Howe", "UTC"]),
)
def test_dates_from_the_database_are_the_local_iso_text(moments, zone_name):
    """As PostgreSQL (UTC, "+00") and SQLite (UTC, no offset) give them; every offset and change of it."""
    zone = zoneinfo.ZoneInfo(zone_name)
    expected = [local_text_in(moment, zone) for moment in moments]
    for texts in (
        [None if moment is None else postgresql_text(moment) for moment in moments],
        [None if moment is None else moment.replace(tzinfo=None).isoformat(sep=" ") for moment in moments],
    ):
        dates = csv_export.LocalTimeTexts(zone)
        assert dates.column(texts) == expected
        assert dates.column(texts) == expected  # from the memo
        assert [csv_export.LocalTimeTexts(zone)(text) for text in texts] == expected


def postgresql_text(moment):
    text = moment.strftime("%Y-%m-%d %H:%M:%S")
    return text + (f".{moment.microsecond:06d}".rstrip("0") if moment.microsecond else "") + "+00"


def local_text_in(moment, zone):
    return (
        "" if moment is None else '"' + moment.astimezone(zone).isoformat(sep=" ", timespec="seconds") + '"'
    )


def test_dates_around_the_change_to_and_from_summer_time():
    zone = zoneinfo.ZoneInfo("Europe/Berlin")
    moments = [
        datetime.datetime(2025, 3, 30, 0, 59, 59, 999999, tzinfo=datetime.UTC),
        datetime.datetime(2025, 3, 30, 1, 0, tzinfo=datetime.UTC),
        datetime.datetime(2025, 10, 26, 0, 30, tzinfo=datetime.UTC),
        datetime.datetime(2025, 10, 26, 1, 30, tzinfo=datetime.UTC),
        datetime.datetime(2025, 12, 31, 23, 30, tzinfo=datetime.UTC),
    ]
    assert csv_export.LocalTimeTexts(zone).column([postgresql_text(moment) for moment in moments]) == [
        '"2025-03-30 01:59:59+01:00"',
        '"2025-03-30 03:00:00+02:00"',
        '"2025-10-26 02:30:00+02:00"',
        '"2025-10-26 02:30:00+01:00"',
        '"2026-01-01 00:30:00+01:00"',
    ]


def test_read_ahead_keeps_order_passes_errors_and_stops_its_thread():
    assert list(read_ahead(iter(range(5)))) == [0, 1, 2, 3, 4]

    def broken():
        yield 1
        raise ValueError("database gone")

    items = read_ahead(broken())
    assert next(items) == 1
    with pytest.raises(ValueError, match="database gone"):
        next(items)

    made = []

    def endless():
        while True:
            made.append(len(made))
            yield made[-1]

    before = threading.active_count()
    items = read_ahead(endless())
    assert [next(items), next(items)] == [0, 1]
    items.close()
    assert threading.active_count() == before
    assert len(made) <= 4  # at most two ahead


def _definition(*questions):
    return Definition.build(
        [Step("step", "Schritt", "", tuple(Question(k, label, "single") for k, label in questions))]
    )


def test_columns_are_question_keys_in_order_then_the_fixed_columns():
    definition = Definition.build(
        [
            Step(
                "one", "Eins", "", (Question("industry", "Branche", "single", options=(Option("it", "IT"),)),)
            ),
            Step(
                "two",
                "Zwei",
                "",
                (Question("employees", "Beschäftigte", "number"), Question("uses", "Nutzung", "multiple")),
            ),
        ]
    )
    columns = export_columns([definition])
    assert [key for key, _header in columns] == [
        "answers.industry",
        "answers.employees",
        "answers.uses",
        "answer_keys.industry",  # the machine column of the question with options
        *FIXED_KEYS,
    ]
    assert [header for _key, header in columns][:3] == ["Branche", "Beschäftigte", "Nutzung"]
    assert list(FIXED_KEYS) == [
        "created_at", "status", "assignee", "name", "company", "email", "phone", "message",
        "notes", "consent_given_at", "consent_version", "marketing_consent", "marketing_confirmed_at",
        "source_url", "locale", "landing_url", "referrer", "utm_source", "utm_medium",
        "utm_campaign", "utm_term", "utm_content", "match_count", "top_vendors", "marketing_state",
    ]  # fmt: skip


def test_columns_are_the_union_with_the_source_language_first():
    german = _definition(("industry", "Branche"), ("size", "Größe"))
    english = _definition(("industry", "Industry"), ("size", "Size"), ("budget", "Budget"))
    keys_and_headers = export_columns([german, english])[:3]
    assert keys_and_headers == [
        ("answers.industry", "Branche"),
        ("answers.size", "Größe"),
        ("answers.budget", "Budget"),
    ]


# Rows, CSV and XLSX from the database ---------------------------------------------------


def test_german_and_english_leads_share_columns(questionnaire):
    english = translate_snippet(questionnaire, locale("en"), title="Start your CRM selection")
    german_lead = LeadFactory(questionnaire=questionnaire, answers={"industry": "handel", "employees": 5})
    english_lead = LeadFactory(questionnaire=english, locale="en", answers={"industry": "it", "employees": 9})

    columns = columns_for(Lead.objects.all())
    keys = [key for key, _header in columns]
    assert keys == [f"answers.{key}" for key in ANSWER_KEYS] + OPTION_KEY_COLUMNS + list(FIXED_KEYS)
    assert columns[0][1] == "In welcher Branche arbeiten Sie?"  # the German source's label
    rows = {row[keys.index("email")]: row for row in lead_rows(Lead.objects.all(), columns)}
    industry_key = keys.index("answer_keys.industry")
    assert rows[german_lead.email][:2] == ["Handel", 5]
    assert rows[english_lead.email][:2] == ["IT", 9]  # the labels of the German translation
    assert [rows[german_lead.email][industry_key], rows[english_lead.email][industry_key]] == ["handel", "it"]


def test_csv_parses_back_to_the_database_rows(leads):
    rows = parse_csv(b"".join(iter_csv(Lead.objects.all())))
    header, body = rows[0], rows[1:]
    assert header[:2] == ["In welcher Branche arbeiten Sie?", "Wie viele Beschäftigte hat Ihr Unternehmen?"]
    assert len(header) == len(ANSWER_KEYS) + len(OPTION_KEY_COLUMNS) + len(FIXED_KEYS)
    assert body == [expected_csv_row(lead) for lead in Lead.objects.order_by("pk")]
    tricky = body[1]
    assert tricky[header.index("Name")] == '\'=HYPERLINK("http://evil.example","Klick")'
    assert tricky[header.index("Telefon")] == "+49 30 1234"  # dialable: no apostrophe
    assert tricky[header.index("Status")] == "In Bearbeitung"
    assert tricky[header.index("Top-Anbieter")] == "Alpha CRM (90 %), Beta CRM (80 %)"


def test_csv_has_a_bom_and_yields_the_header_before_reading_leads(leads):
    chunks = iter_csv(Lead.objects.all(), columns_for(Lead.objects.all()))
    with CaptureQueriesContext(connection) as queries:
        first = next(chunks)
    assert first.startswith(BOM.encode())
    assert first.count(b"\r\n") == 1
    assert not any("leadwizard_lead" in query["sql"] for query in queries.captured_queries)


def test_xlsx_has_text_cells_for_phone_and_formula_like_values_and_real_dates(leads):
    output = io.BytesIO()
    write_xlsx(Lead.objects.all(), output, language="en")
    sheet = openpyxl.load_workbook(io.BytesIO(output.getvalue())).active
    rows = list(sheet.iter_rows())
    header = [cell.value for cell in rows[0]]
    assert len(rows) == 4
    assert not any(cell.data_type == "f" for row in rows for cell in row)

    by_name = {row[header.index("Name")].value: row for row in rows[1:]}
    tricky = by_name['=HYPERLINK("http://evil.example","Klick")']
    for column, value in (
        ("Name", '=HYPERLINK("http://evil.example","Klick")'),
        ("Company", "@SUM(A1:A9)"),
        ("Phone", "+49 30 1234"),
        ("utm_campaign", "-1+2"),
    ):
        cell = tricky[header.index(column)]
        assert (cell.value, cell.data_type, cell.number_format) == (value, "s", "@")
    assert tricky[header.index("Message")].value.startswith('Bitte "zurückrufen",\nab 14 Uhr')

    lead = leads[0]
    plain = by_name["Erika Muster"]
    created = plain[header.index("Created")]
    assert created.is_date and created.value.tzinfo is None
    assert abs(created.value - timezone.localtime(lead.created_at).replace(tzinfo=None)) < datetime.timedelta(
        milliseconds=1
    )
    phone = plain[header.index("Phone")]
    assert (phone.value, phone.data_type, phone.number_format) == ("+49 30 1234567", "s", "@")
    assert plain[header.index("Wie viele Beschäftigte hat Ihr Unternehmen?")].value == 25
    assert plain[header.index("Matching vendors")].value == 0
    assert plain[header.index("Marketing consent requested")].value == "No"


def test_xlsx_drops_characters_a_workbook_cannot_hold(questionnaire):
    LeadFactory(questionnaire=questionnaire, message="Zeile\x0bmit\x01Steuerzeichen")
    output = io.BytesIO()
    write_xlsx(Lead.objects.all(), output, language="en")
    sheet = openpyxl.load_workbook(io.BytesIO(output.getvalue())).active
    header = [cell.value for cell in sheet[1]]
    assert sheet.cell(row=2, column=header.index("Message") + 1).value == "ZeilemitSteuerzeichen"


def test_rows_are_read_in_chunks(questionnaire):
    for _ in range(5):
        LeadFactory(questionnaire=questionnaire)
    columns = columns_for(Lead.objects.all())
    with CaptureQueriesContext(connection) as queries:
        rows = list(lead_rows(Lead.objects.all(), columns, chunk_size=2))
    # The chunks' queries; the export's labels are read once besides.
    lead_queries = [
        q["sql"]
        for q in queries.captured_queries
        if 'FROM "leadwizard_lead"' in q["sql"] and "LIMIT" in q["sql"]
    ]
    assert len(rows) == 5
    assert len(lead_queries) == 3  # 2 + 2 + 1, each with a LIMIT
    assert all("LIMIT 2" in sql and "OFFSET" not in sql for sql in lead_queries)
    email = [key for key, _header in columns].index("email")
    assert [row[email] for row in rows] == list(Lead.objects.order_by("pk").values_list("email", flat=True))


def test_vendor_names_beyond_what_the_database_picks_out_are_read_in_full(questionnaire):
    many = [{"vendor": f"Anbieter {n}", "score": n} for n in range(MAX_VENDORS + 3)]
    LeadFactory(questionnaire=questionnaire, top_matches=many)
    LeadFactory(questionnaire=questionnaire, top_matches=[{"score": 1}, {"vendor": "Nur einer"}])
    LeadFactory(questionnaire=questionnaire, top_matches=[], answers={})
    columns = columns_for(Lead.objects.all())
    rows = list(lead_rows(Lead.objects.all(), columns))
    index = [key for key, _header in columns].index("top_vendors")
    assert [row[index] for row in rows] == [
        ", ".join(f"Anbieter {n} ({n} %)" for n in range(MAX_VENDORS + 3)),
        "Nur einer",
        "",
    ]
    assert rows[2][: len(ANSWER_KEYS)] == [None] * len(ANSWER_KEYS)


def test_leads_without_a_questionnaire_still_export(questionnaire):
    lead = LeadFactory(questionnaire=questionnaire)
    lead.questionnaire = None
    lead.save()
    rows = parse_csv(b"".join(iter_csv(Lead.objects.all())))
    assert rows[1][rows[0].index("E-Mail")] == lead.email


# Admin export ---------------------------------------------------------------------------


def test_admin_csv_export_streams_in_chunks(client, marketer, leads, monkeypatch):
    monkeypatch.setattr(export_views, "iter_csv", functools.partial(exports.iter_csv, chunk_size=2))
    queued = []  # the preparation of the leads' fields (PostgreSQL) is queued, not run in this response
    monkeypatch.setattr(
        prepared, "enqueue_preparation", lambda language, lead_ids=None: queued.append(language)
    )
    client.force_login(marketer)
    response = client.get(export_url("csv"))
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="leads-')
    assert "no-store" in response["Cache-Control"]
    with CaptureQueriesContext(connection) as queries:
        body = b"".join(response.streaming_content)
    # The chunks' queries (LIMIT); the questionnaires for the answers' labels are read once besides.
    chunk_queries = [
        q for q in queries.captured_queries if 'FROM "leadwizard_lead"' in q["sql"] and "LIMIT" in q["sql"]
    ]
    assert len(chunk_queries) == 2  # 3 leads, 2 at a time
    assert queued == (["de"] if connection.vendor == "postgresql" else [])
    rows = parse_csv(body)
    assert rows[0][len(ANSWER_KEYS) + len(OPTION_KEY_COLUMNS)] == "Erstellt"  # LANGUAGE_CODE by default
    assert rows[1:] == [expected_csv_row(lead) for lead in Lead.objects.order_by("pk")]


def test_admin_export_follows_filters_and_search(client, marketer, questionnaire):
    old = timezone.now() - datetime.timedelta(days=30)
    wanted = LeadFactory(questionnaire=questionnaire, company="Muster Bau", status="won")
    LeadFactory(questionnaire=questionnaire, company="Muster Bau", status="new")  # other status
    LeadFactory(questionnaire=questionnaire, company="Andere AG", status="won")  # no match for the search
    LeadFactory(questionnaire=questionnaire, company="Alt Bau", status="won", created_at=old)  # too old
    LeadFactory(questionnaire=questionnaire, company="Englisch Bau", status="won", locale="en")
    since = (timezone.localdate() - datetime.timedelta(days=7)).isoformat()
    client.force_login(marketer)

    response = client.get(
        export_url("csv", status=["won", "lost"], q="bau", created_at_from=since, locale="de")
    )
    rows = parse_csv(b"".join(response.streaming_content))
    assert [row[rows[0].index("E-Mail")] for row in rows[1:]] == [wanted.email]

    response = client.get(export_url("xlsx", status="won", q="BAU", created_at_from=since, locale="de"))
    assert isinstance(response, FileResponse)
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [cell.value for cell in sheet[1]]
    assert [row[header.index("E-Mail")] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        wanted.email
    ]


def test_admin_export_leaves_out_paging_and_ordering(client, marketer, leads):
    client.force_login(marketer)
    response = client.get(export_url("csv", p=2, ordering="name"))
    assert len(parse_csv(b"".join(response.streaming_content))) == 4


def test_invalid_filters_export_nothing(client, marketer, leads):
    client.force_login(marketer)
    response = client.get(export_url("csv", created_at_from="gestern"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("leadwizard_leads:index"))
    assert not ExportJob.objects.exists()


def test_export_needs_the_permission(client, leads):
    client.force_login(staff_user("redaktion", "leadwizard.view_lead"))
    assert client.get(export_url("csv")).status_code == 403
    assert client.get(export_url("xlsx")).status_code == 403
    assert not ExportJob.objects.exists()


def test_anonymous_export_goes_to_the_login(client, leads):
    response = client.get(export_url("csv"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))


def test_unknown_format_is_not_found(client, marketer):
    client.force_login(marketer)
    assert client.get("/admin/leadwizard/exports/pdf/").status_code == 404


# Background export ----------------------------------------------------------------------


@pytest.fixture
def background(settings):
    settings.LEADWIZARD_EXPORT_BACKGROUND_THRESHOLD = 2
    return settings


def run_background_export(client, user, format="csv", **params):
    client.force_login(user)
    response = client.get(export_url(format, **params))
    job = ExportJob.objects.latest("pk")
    assert response.status_code == 302
    assert response["Location"] == reverse("leadwizard_admin:export_progress", args=[job.pk])
    return job


def test_large_export_runs_in_the_background_with_progress_page_and_download(
    client, marketer, leads, background
):
    job = run_background_export(client, marketer, status=["new", "in_progress", "won"])
    job.refresh_from_db()
    assert (job.status, job.rows_total, job.rows_done, job.user) == ("done", 3, 3, marketer)
    assert job.filters == {"status": ["new", "in_progress", "won"]}
    assert job.expires_at - job.finished_at == datetime.timedelta(hours=app_settings.EXPORT_EXPIRY_HOURS)

    path = job_file(job)
    assert path.parent == export_root()
    assert background.MEDIA_ROOT.resolve() not in path.parents
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600

    page = client.get(reverse("leadwizard_admin:export_progress", args=[job.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    download = reverse("leadwizard_admin:export_download", args=[job.pk])
    assert f'href="{download}"' in html
    assert '<progress id="leadwizard-export-progress"' in html and 'value="100"' in html
    assert 'role="status"' in html and 'aria-live="polite"' in html
    assert 'http-equiv="refresh"' not in html  # finished: no more reloads

    response = client.get(download)
    assert isinstance(response, FileResponse)
    assert response["Content-Disposition"].startswith('attachment; filename="leads-')
    assert "no-store" in response["Cache-Control"]
    rows = parse_csv(b"".join(response.streaming_content))
    assert rows[1:] == [expected_csv_row(lead) for lead in Lead.objects.order_by("pk")]


def test_background_xlsx_export(client, marketer, leads, background):
    job = run_background_export(client, marketer, "xlsx")
    response = client.get(reverse("leadwizard_admin:export_download", args=[job.pk]))
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.max_row == 4


def test_progress_page_of_a_running_export_refreshes_without_inline_script(client, marketer):
    job = ExportJob.objects.create(
        user=marketer, format="csv", status="running", rows_total=200, rows_done=50
    )
    client.force_login(marketer)
    html = client.get(reverse("leadwizard_admin:export_progress", args=[job.pk])).content.decode()
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in html
    assert 'value="25"' in html
    assert "50 of 200 leads written (25 %)." in html
    assert "/static/leadwizard/export_progress.js" in html
    section = html[html.index("data-leadwizard-export") : html.index("Back to the leads")]
    assert "<script" not in section
    assert reverse("leadwizard_admin:export_download", args=[job.pk]) not in html

    state = client.get(reverse("leadwizard_admin:export_status", args=[job.pk])).json()
    assert state["status"] == "running" and state["percent"] == 25 and not state["finished"]
    assert state["download_url"] == ""


def test_xlsx_may_go_to_the_background_sooner(client, marketer, leads, settings):
    settings.LEADWIZARD_EXPORT_XLSX_BACKGROUND_THRESHOLD = 2
    client.force_login(marketer)
    assert isinstance(client.get(export_url("csv")), StreamingHttpResponse)
    response = client.get(export_url("xlsx"))
    assert response.status_code == 302
    assert ExportJob.objects.latest("pk").status == "done"


def test_direct_export_record_says_no_file_was_kept(client, marketer, leads):
    client.force_login(marketer)
    b"".join(client.get(export_url("csv")).streaming_content)
    job = ExportJob.objects.get()
    assert (job.status, job.rows_total, job.file_name, job.expires_at) == ("done", 3, "", None)
    html = client.get(reverse("leadwizard_admin:export_progress", args=[job.pk])).content.decode()
    assert "This export was downloaded at once; no file was kept." in html
    assert client.get(reverse("leadwizard_admin:export_download", args=[job.pk])).status_code == 410


def test_export_that_cannot_be_queued_is_marked_failed(client, marketer, leads, background, monkeypatch):
    class Unavailable:
        def enqueue(self, *args, **kwargs):
            raise ConnectionError("broker down")

    monkeypatch.setattr(export_views, "run_export_job", Unavailable())
    job = run_background_export(client, marketer)
    job.refresh_from_db()
    assert job.status == "failed"


def test_failed_background_export_is_marked_and_leaves_no_file(
    client, marketer, leads, background, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("leadwizard.exports.jobs.write_export", broken)
    job = run_background_export(client, marketer)
    job.refresh_from_db()
    assert job.status == "failed" and "disk full" in job.error and not job.file_name
    assert not [path for path in export_root().iterdir() if f"leads-{job.pk}-" in path.name]
    html = client.get(reverse("leadwizard_admin:export_progress", args=[job.pk])).content.decode()
    assert "The export failed." in html


def test_download_refused_to_others_without_permission_and_anonymous(client, marketer, leads, background):
    job = run_background_export(client, marketer)
    download = reverse("leadwizard_admin:export_download", args=[job.pk])
    progress = reverse("leadwizard_admin:export_progress", args=[job.pk])

    client.force_login(staff_user("kollegin", "leadwizard.view_lead", "leadwizard.export_lead"))
    assert client.get(download).status_code == 403  # may export, but not the owner
    assert client.get(progress).status_code == 403
    assert client.get(reverse("leadwizard_admin:export_status", args=[job.pk])).status_code == 403

    marketer.user_permissions.remove(Permission.objects.get(codename="export_lead"))
    client.force_login(get_user_model().objects.get(pk=marketer.pk))
    assert client.get(download).status_code == 403  # the owner, but no longer allowed to export

    client.force_login(staff_user("admin", superuser=True))
    assert client.get(download).status_code == 200

    client.logout()
    response = client.get(download)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))


def test_expired_download_is_refused_and_purged(client, marketer, leads, background):
    job = run_background_export(client, marketer)
    path = job_file(job)
    fresh = run_background_export(client, marketer, "xlsx")
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))

    assert client.get(reverse("leadwizard_admin:export_download", args=[job.pk])).status_code == 410
    assert (
        "has expired"
        in client.get(reverse("leadwizard_admin:export_progress", args=[job.pk])).content.decode()
    )

    root = export_root()
    orphan = root / "leads-999-0123456789abcdef.csv"
    orphan.write_text("old")
    old = (timezone.now() - datetime.timedelta(hours=app_settings.EXPORT_EXPIRY_HOURS + 1)).timestamp()
    os.utime(orphan, (old, old))
    unrelated = root / "notes.txt"
    unrelated.write_text("not an export")
    os.utime(unrelated, (old, old))

    out = io.StringIO()
    call_command("purge_exports", stdout=out)
    assert "Deleted 1 expired export file(s) and 1 leftover file(s)." in out.getvalue()
    assert not path.exists() and not orphan.exists()
    assert unrelated.exists()
    assert job_file(fresh).exists()
    job.refresh_from_db()
    assert job.file_name == ""
    assert client.get(reverse("leadwizard_admin:export_download", args=[job.pk])).status_code == 410
    unrelated.unlink()


def test_purge_exports_dry_run_deletes_nothing(client, marketer, leads, background):
    job = run_background_export(client, marketer)
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    out = io.StringIO()
    call_command("purge_exports", "--dry-run", stdout=out)
    assert "Would delete 1 expired export file(s)" in out.getvalue()
    assert job_file(job).exists()


def test_export_root_must_not_be_public(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LEADWIZARD_EXPORT_ROOT = tmp_path / "media" / "exports"
    with pytest.raises(ImproperlyConfigured):
        export_root()


# Command ----------------------------------------------------------------------------------


def test_export_leads_command_writes_the_same_rows_as_the_admin(client, marketer, questionnaire, tmp_path):
    english = translate_snippet(questionnaire, locale("en"))
    for status in ("new", "won", "won", "spam"):
        LeadFactory(questionnaire=questionnaire, status=status, phone="+49 89 555")
    LeadFactory(questionnaire=english, status="won", locale="en")
    LeadFactory(
        questionnaire=questionnaire, status="won", created_at=timezone.now() - datetime.timedelta(days=40)
    )
    since = (timezone.localdate() - datetime.timedelta(days=7)).isoformat()
    today = timezone.localdate().isoformat()

    client.force_login(marketer)
    admin_csv = parse_csv(
        b"".join(
            client.get(
                export_url(
                    "csv",
                    created_at_from=since,
                    created_at_to=today,
                    status=["won", "new"],
                    questionnaire=questionnaire.pk,
                    locale="de",
                )
            ).streaming_content
        )
    )
    output = tmp_path / "leads.csv"
    err = io.StringIO()
    call_command(
        "export_leads",
        "--format=csv",
        f"--output={output}",
        "--user=marketing",
        f"--from={since}",
        f"--to={today}",
        "--status=won",
        "--status=new",
        f"--questionnaire={questionnaire.pk}",
        "--locale=de",
        stdout=io.StringIO(),
        stderr=err,
    )
    command_csv = parse_csv(output.read_bytes())
    assert len(command_csv) == 4  # header + new + 2 won
    assert command_csv == admin_csv
    assert "\r" in err.getvalue() and "100 % (3 of 3)" in err.getvalue()
    assert stat.S_IMODE(os.stat(output).st_mode) == 0o600

    xlsx = tmp_path / "leads.xlsx"
    call_command(
        "export_leads", "--format=xlsx", f"--output={xlsx}", "--user=marketing", "--status=won", "--no-progress",
        stdout=io.StringIO(), stderr=(err := io.StringIO()),
    )  # fmt: skip
    assert err.getvalue() == ""
    sheet = openpyxl.load_workbook(xlsx).active
    admin_xlsx = client.get(export_url("xlsx", status="won"))
    admin_sheet = openpyxl.load_workbook(io.BytesIO(b"".join(admin_xlsx.streaming_content))).active
    assert list(sheet.values) == list(admin_sheet.values)
    assert sheet.max_row == 5


def test_export_leads_command_refuses_bad_input(marketer, tmp_path):
    output = str(tmp_path / "x.csv")
    with pytest.raises(CommandError, match="No user"):
        call_command("export_leads", "--format=csv", f"--output={output}", "--user=niemand")
    staff_user("redaktion", "leadwizard.view_lead")
    with pytest.raises(CommandError, match="may not export"):
        call_command("export_leads", "--format=csv", f"--output={output}", "--user=redaktion")
    with pytest.raises(CommandError, match="Not a date"):
        call_command(
            "export_leads", "--format=csv", f"--output={output}", "--user=marketing", "--from=2025-13-01"
        )


# Audit log --------------------------------------------------------------------------------


def test_every_export_writes_one_audit_log_entry(client, marketer, leads, settings, tmp_path):
    client.force_login(marketer)
    b"".join(client.get(export_url("csv", status="won")).streaming_content)
    b"".join(client.get(export_url("xlsx")).streaming_content)
    settings.LEADWIZARD_EXPORT_BACKGROUND_THRESHOLD = 2
    client.get(export_url("csv"))
    call_command(
        "export_leads", "--format=csv", f"--output={tmp_path / 'x.csv'}", "--user=marketing", "--no-progress",
        stdout=io.StringIO(),
    )  # fmt: skip

    entries = ModelLogEntry.objects.filter(action=LOG_EXPORT).order_by("pk")
    assert entries.count() == 4
    jobs = list(ExportJob.objects.order_by("pk"))
    assert [entry.object_id for entry in entries] == [str(job.pk) for job in jobs]
    assert {entry.content_type for entry in entries} == {ContentType.objects.get_for_model(ExportJob)}
    assert {entry.user for entry in entries} == {marketer}
    assert [(e.data["format"], e.data["rows"], e.data["how"]) for e in entries] == [
        ("csv", 1, "direct"),
        ("xlsx", 3, "direct"),
        ("csv", 3, "background"),
        ("csv", 3, "command"),
    ]
    assert entries[0].data["filters"] == {"status": ["won"]}
    # Wagtail's site history lists them.
    client.force_login(staff_user("admin", superuser=True))
    history = client.get(reverse("wagtailadmin_reports:site_history"))
    assert history.status_code == 200
    assert "Leads exported" in history.content.decode()


# Listing buttons --------------------------------------------------------------------------


def listing_view(user, **params):
    viewset = lead_viewset
    view_func = viewset.construct_view(LeadIndexView, **viewset.get_index_view_kwargs())
    request = RequestFactory().get(reverse("leadwizard_leads:index"), params)
    request.user = user
    view = view_func.view_class(**view_func.view_initkwargs)
    view.setup(request)
    return view, request


def test_listing_export_buttons_carry_filters_and_search(marketer):
    view, _request = listing_view(marketer, status="won", q="Muster", p="3", ordering="name")
    urls = {str(button.label): button.url for button in view.header_more_buttons}
    assert (
        urls["Export CSV"] == reverse("leadwizard_admin:export_leads", args=["csv"]) + "?status=won&q=Muster"
    )
    assert (
        urls["Export XLSX"]
        == reverse("leadwizard_admin:export_leads", args=["xlsx"]) + "?status=won&q=Muster"
    )


def test_listing_export_buttons_need_the_permission(db):
    view, _request = listing_view(staff_user("redaktion", "leadwizard.view_lead"))
    export_path = reverse("leadwizard_admin:export_leads", args=["csv"]).rsplit("csv", 1)[0]
    assert not [button for button in view.header_more_buttons if export_path in (button.url or "")]


def test_listing_spreadsheet_parameter_leads_to_the_export(marketer):
    view, request = listing_view(marketer, status="won", export="xlsx")
    response = view.get(request)
    assert response.status_code == 302
    assert response["Location"] == reverse("leadwizard_admin:export_leads", args=["xlsx"]) + "?status=won"


def test_leads_listing_shows_the_export_buttons(client, marketer, leads):
    assert issubclass(lead_viewset.index_view_class, LeadIndexView)
    client.force_login(marketer)
    html = client.get(reverse("leadwizard_leads:index") + "?status=won").content.decode()
    assert reverse("leadwizard_admin:export_leads", args=["csv"]) + "?status=won" in html


def test_search_text_is_not_kept_after_an_export(client, marketer, questionnaire):
    """A search can be a person's name or e-mail: neither the job nor the audit log keeps it."""
    LeadFactory(questionnaire=questionnaire, name="Suchbare Person")
    client.force_login(marketer)
    response = client.get(reverse("leadwizard_admin:export_leads", args=["csv"]), {"q": "Suchbare"})
    assert b"".join(response.streaming_content).count(b"Suchbare Person") == 1
    job = ExportJob.objects.latest("pk")
    assert job.filters.get("q") == "[search]"
    entry = ModelLogEntry.objects.get(action=LOG_EXPORT, object_id=str(job.pk))
    assert "Suchbare" not in json.dumps(entry.data)


# Language, removed questions, notes, consent state ---------------------------------------


def test_export_in_english_has_english_words_and_the_english_translations_labels(questionnaire):
    steps = default_steps()
    steps[0][2][0]["options"][0]["value"]["label"] = "Retail"  # the option "handel"
    translate_snippet(questionnaire, locale("en"), steps=steps_json(steps))
    LeadFactory(questionnaire=questionnaire, status=Lead.Status.IN_PROGRESS, marketing_consent=True)
    leads = Lead.objects.all()
    for language, words in (
        ("en", ["Retail", "In progress", "Yes", "yes"]),
        ("de", ["Handel", "In Bearbeitung", "Ja", "yes"]),
    ):
        columns = columns_for(leads, language)
        keys = [key for key, _header in columns]
        (row,) = lead_rows(leads, columns, language=language)
        # The German source's answer label, status and yes/no in words; the option key stays.
        assert [
            row[keys.index("answers.industry")],
            row[keys.index("status")],
            row[keys.index("marketing_consent")],
            row[keys.index("answer_keys.german_hq")],
        ] == words
    assert dict(columns_for(leads, "de"))["answer_keys.industry"].startswith("In welcher Branche")


def test_answers_of_a_removed_question_keep_their_column_headed_by_the_stored_label(questionnaire):
    lead = LeadFactory(
        questionnaire=questionnaire,
        answers={"industry": "it", "budget": ["low", "mid"]},
        answer_labels=[{"key": "s", "questions": [{"key": "budget", "question": "Ihr Budget?"}]}],
    )
    LeadFactory(questionnaire=questionnaire, answers={"industry": "it"})  # never asked
    columns = columns_for(Lead.objects.all())
    assert ("answers.budget", "Ihr Budget?") in columns
    rows = parse_csv(b"".join(iter_csv(Lead.objects.all(), columns)))
    budget = rows[0].index("Ihr Budget?")
    assert [row[budget] for row in rows[1:]] == ["low, mid", ""]  # as stored
    assert rows[1][rows[0].index("E-Mail")] == lead.email


def test_internal_notes_are_one_column_oldest_first_with_time_and_author(questionnaire, settings):
    lead = LeadFactory(questionnaire=questionnaire)
    first = LeadNote.objects.create(lead=lead, author_name="Anna", text="Angerufen")
    LeadNote.objects.create(lead=lead, text="=Rückruf; morgen")
    LeadNote.objects.filter(pk=first.pk).update(created_at=timezone.now() - datetime.timedelta(days=1))
    columns = columns_for(Lead.objects.all())
    (row,) = lead_rows(Lead.objects.all(), columns)
    notes = row[[key for key, _header in columns].index("notes")].split("\n")
    first.refresh_from_db()
    assert notes[0] == f"{timezone.localtime(first.created_at):%Y-%m-%d %H:%M} Anna: Angerufen"
    assert notes[1].endswith(": =Rückruf; morgen")


def test_marketing_consent_state_in_words(questionnaire):
    LeadFactory(questionnaire=questionnaire, marketing_consent=False)
    LeadFactory(questionnaire=questionnaire, marketing_consent=True)
    LeadFactory(questionnaire=questionnaire, marketing_consent=True, marketing_confirmed_at=timezone.now())
    LeadFactory(  # a withdrawal wins over the confirmation
        questionnaire=questionnaire,
        marketing_consent=True,
        marketing_confirmed_at=timezone.now(),
        marketing_withdrawn_at=timezone.now(),
    )
    columns = columns_for(Lead.objects.all(), "en")
    assert columns[-1][0] == "marketing_state"
    states = [row[-1] for row in lead_rows(Lead.objects.all(), columns, language="en")]
    assert states == ["None", "Requested, not confirmed", "Confirmed", "Withdrawn"]


def test_export_leads_command_takes_dialect_and_language(marketer, questionnaire, tmp_path):
    LeadFactory(questionnaire=questionnaire, phone="0301234567")
    output = tmp_path / "leads.csv"
    call_command(
        "export_leads", "--format=csv", f"--output={output}", "--user=marketing", "--no-progress",
        "--dialect=rfc4180", "--language=en", stdout=io.StringIO(),
    )  # fmt: skip
    rows = parse_csv(output.read_bytes(), "rfc4180")
    assert rows[1][rows[0].index("Phone")] == "0301234567"
    assert rows[1][rows[0].index("Status")] == "New"


def test_prepare_lead_exports_says_when_nothing_is_prepared(db, settings, capsys):
    """Only PostgreSQL keeps export fields written ahead; elsewhere, or switched off, the command says so."""
    LeadFactory(questionnaire=QuestionnaireFactory())
    if connection.vendor == "postgresql":
        settings.LEADWIZARD_EXPORT_PREPARED_ROWS = False
    call_command("prepare_lead_exports", language=["de"])
    assert capsys.readouterr().out.startswith("Nothing to do: export fields are prepared on PostgreSQL")
    assert not PreparedExportRow.objects.exists()
