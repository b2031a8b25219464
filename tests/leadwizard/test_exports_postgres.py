"""The CSV export made a chunk at once (and on PostgreSQL partly by the database) is byte for byte
the per-row export: ``csv_line`` of every row of ``lead_rows``, whatever the data, in both
dialects and languages.

``test_csv_is_the_same_as_line_by_line`` runs on every database (on SQLite it checks the column
formatters alone); the PostgreSQL tests are skipped elsewhere. Run them with
``DATABASE_URL=postgres://... pytest tests/leadwizard -k export``.
"""

import datetime
import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from leadwizard.exports import BOM, columns_for, iter_csv, lead_rows
from leadwizard.exports.csv import DIALECTS, csv_line
from leadwizard.exports.database import MAX_VENDORS
from leadwizard.exports.rows import RowPlan
from leadwizard.models import Lead, LeadNote, StoredAnswerKey
from tests.factories import LeadFactory, QuestionnaireFactory

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the PostgreSQL way of the export"
)
UTC = datetime.UTC


def line_by_line(queryset, columns, dialect="excel_de", language=None):
    """The export as the per-row way writes it."""
    header = csv_line([header for _key, header in columns], dialect)
    rows = lead_rows(queryset, columns, language=language)
    return (BOM + header + "".join(csv_line(row, dialect) for row in rows)).encode()


def matches(*names):
    return [
        {"vendor": name, "score": 50, "reasons": [{"criterion": "industry", "met": True}]} for name in names
    ]


@pytest.fixture
def odd_leads(db):
    """Leads with every kind of value the export has a way for, and the odd ones it must get right."""
    questionnaire = QuestionnaireFactory()
    users = get_user_model().objects
    nul = "\x00" if connection.vendor == "sqlite" else ""  # PostgreSQL text cannot hold NUL

    def lead(answers=None, created_at=None, **fields):
        if answers is not None:
            fields.update(answers=answers, answer_labels=[])
        return LeadFactory(questionnaire=questionnaire, created_at=created_at, **fields)

    # Plain leads first: in chunks of their own they take every fast way.
    for number in range(4):
        lead(top_matches=matches("Alpha CRM", "Beta CRM"), match_count=number)
    lead(
        name='=HYPERLINK("http://evil.example","Klick")',
        company="+49 Handel",
        email="-x@example.com",
        phone="@home",
        message='Tab\there, "quoted", comma,\r\nnew line\n' + nul,
        consent_version="\uff1dfull-width",
        source_url="\uff0bplus",
        locale="\uff0d",
        landing_url="\uff20at",
        referrer="\ttab first",
        utm_source="\rcr first",
        utm_medium="\nlf first",
        utm_campaign=" =not first",
        utm_term="'already",
        utm_content="Ümlaut – ☃ 😀 C:\\path\\",
        assignee=users.create_user("=admin", "a@example.com", "pw"),
        marketing_consent=True,
        marketing_confirmed_at=datetime.datetime(2025, 3, 30, 1, 0, tzinfo=UTC),  # summer time begins
        top_matches=matches("=evil", 'Quote "CRM"', "Back\\slash", "Comma, Space", 'Sep", "arated'),
        match_count=2**31 - 1,
    )
    lead(
        answers={
            "industry": "=cmd|' /C calc'!A0",
            "employees": -5,
            "users": 1.5,
            "uses": ["a", "b,c", 'q"uote', "back\\slash", "\uff1dx", "[bracket]", "x, y"],
            "german_hq": True,
            "market": None,
        },
        assignee=users.create_user("-user", "u@example.com", "pw"),
        created_at=datetime.datetime(
            2025, 10, 26, 0, 30, 0, 0, tzinfo=UTC
        ),  # no microseconds; ambiguous hour
        top_matches=matches(*(f"Anbieter {n}" for n in range(MAX_VENDORS))),
    )
    lead(
        answers={
            "industry": {"nested": [1, 2], "text": "ä"},
            "employees": 10**20,
            "users": 0.1,
            "uses": [1, "two", None, True, [3], {"k": "v"}],
            "german_hq": False,
            "market": "",
        },
        created_at=datetime.datetime(2025, 10, 26, 1, 30, tzinfo=UTC),  # the same local hour again
        top_matches=matches(*(f"Anbieter {n}" for n in range(MAX_VENDORS + 2))),
    )
    lead(answers={}, top_matches=[], created_at=datetime.datetime(2025, 6, 1, 23, 30, 5, 999999, tzinfo=UTC))
    lead(
        answers={"industry": ["x"], "employees": "25", "uses": [], "market": "b2b", "users": 1e-7},
        top_matches=[{"vendor": None}, {"score": 1}, {"vendor": 7}, "text", {"vendor": "Gamma"}],
        consent_given_at=datetime.datetime(1850, 6, 1, 12, 0, tzinfo=UTC),  # local mean time, +00:53:28
    )
    lead(
        answers=["not", "an", "object"],
        top_matches={"vendor": "Delta"},
        created_at=datetime.datetime(2100, 1, 1, 0, 0, 0, 1, tzinfo=UTC),
    )
    lead(answers={"uses": ["only", "strings"], "industry": "it", "employees": 0, "users": 3, "market": "b2c"})
    lead(top_matches=[[{"vendor": "Nested"}], {"vendor": "Epsilon"}])
    # Scores that PostgreSQL writes as Python does, and those it does not (exponents, seven digits, yes/no).
    for scores in (
        [87.25, 100.0, 0.5, -3.5, 123456, 12345.6, 0, None],
        [1234567, 0.00001],
        [99.9999999],
        [True],
    ):
        lead(top_matches=[{"vendor": f"Anbieter {score}", "score": score} for score in scores])
    lead(top_matches=[{"vendor": "Ohne Punktzahl"}, {"vendor": 'Ä "quoted"; =x', "score": 1.5}])
    # Matches whose names and scores do not pair up as two plain JSON arrays (VendorLists).
    lead(top_matches=[{"vendor": "Erster", "score": 1}, 5, {"vendor": "Dritter", "score": 2}])
    lead(top_matches=[{"vendor": "Liste", "score": [1, 2]}, {"vendor": "Ohne"}])
    lead(top_matches=[{"vendor": "Text", "score": "a, b"}, {"vendor": "Zahl", "score": 3}])
    lead(top_matches=[{"vendor": "Objekt", "score": {"x": 1}}, {"vendor": "", "score": 4}, {"vendor": ""}])
    lead(top_matches=[{"vendor": ["Liste"], "score": 1}, {"vendor": "Zwei, Worte", "score": "87"}])
    lead(top_matches=[{"score": 1}, {"vendor": "Nach", "score": 2}, {"vendor": "Ende"}])
    # Names holding the separators of the vendors' texts (VendorLists), which JSON text escapes.
    lead(top_matches=[{"vendor": "Mark\x1dinside", "score": 2}, {"vendor": "Item\x1esep\x1fvalue"}])
    for number in range(3):
        lead(top_matches=matches("Alpha CRM"), match_count=number, marketing_consent=bool(number % 2))
    # What marketers' tools must get as typed: phone numbers, addresses, number-like text,
    # the answer of a question since removed, scores with decimals, internal notes.
    contact = lead(
        name='Müller; Söhne, "GmbH"',
        phone="0301234567",
        email="-2+3@example.org",
        company="@SUM(A1)",
        message="=1+2\nzweite Zeile; mit, Trennern",
        utm_term="+4930123",
        utm_content="1,5",
        answers={
            "industry": "handel",
            "uses": ["sales", "unknown"],
            "german_hq": "no",
            "removed_question": "x",
        },
        top_matches=[{"vendor": "Alpha CRM", "score": 87.5}, {"vendor": "Beta", "score": "n/a"}],
        status=Lead.Status.IN_PROGRESS,
    )
    LeadNote.objects.create(lead=contact, author_name="Anna", text="=zurückrufen; bald")
    LeadNote.objects.create(lead=contact, text="ohne Autor")
    return Lead.objects.all()


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 7, 1000])
@pytest.mark.parametrize(("dialect", "language"), [("excel_de", "de"), ("rfc4180", "en"), ("excel_de", "en")])
def test_csv_is_the_same_as_line_by_line(odd_leads, chunk_size, dialect, language):
    columns = columns_for(odd_leads, language)
    expected = line_by_line(odd_leads, columns, dialect, language)
    exported = b"".join(
        iter_csv(odd_leads, columns, chunk_size=chunk_size, dialect=dialect, language=language)
    )
    assert exported == expected
    assert expected.count(b"\r\n") >= odd_leads.count() + 1
    assert "answers.removed_question" in dict(columns)  # removed from the questionnaire, still stored


@postgresql_only
def test_postgresql_writes_fields_and_reads_ahead(odd_leads, monkeypatch):
    """The database writes the text, yes/no and number columns, and a thread reads the chunks."""
    threads = []
    start = threading.Thread.start

    def record_start(thread):
        threads.append(thread.name)
        start(thread)

    monkeypatch.setattr(threading.Thread, "start", record_start)
    columns = columns_for(odd_leads)
    with CaptureQueriesContext(connection) as queries:
        body = b"".join(iter_csv(odd_leads, columns, chunk_size=4))
    assert body == line_by_line(odd_leads, columns)
    chunk_queries = [q["sql"] for q in queries.captured_queries if q["sql"].endswith("LIMIT 4")]
    chunks = odd_leads.count() // 4
    assert len(chunk_queries) == chunks + 1  # the last one short or empty
    assert all("ascii(" in sql and "->" in sql for sql in chunk_queries)
    assert threads == ["lead-export-read-ahead"]
    plan = RowPlan(odd_leads, columns, csv=True, dialect=DIALECTS["excel_de"])
    # Status and consent state are words from a dict, notes read per chunk; the rest as before.
    assert {kind for kind, _where, _extra in plan.csv_columns} == {
        "answer_json", "datetime", "csv", "vendors", "notes", "words",
    }  # fmt: skip


@postgresql_only
def test_postgresql_export_inside_a_transaction_sees_its_changes(odd_leads):
    """The thread uses the caller's connection: uncommitted leads of the caller's transaction are in."""
    lead = Lead.objects.order_by("pk").first()
    Lead.objects.filter(pk=lead.pk).update(name="Changed in this transaction")
    body = b"".join(iter_csv(Lead.objects.filter(pk=lead.pk)))
    assert b'"Changed in this transaction"' in body


@postgresql_only
def test_stopping_a_postgresql_export_stops_its_thread(odd_leads):
    chunks = iter_csv(odd_leads, chunk_size=2)
    next(chunks)  # the header
    next(chunks)  # the first leads: the thread is reading ahead
    assert any(thread.name == "lead-export-read-ahead" for thread in threading.enumerate())
    chunks.close()
    assert not any(thread.name == "lead-export-read-ahead" for thread in threading.enumerate())
    assert Lead.objects.count() == odd_leads.count()  # the connection still works


@postgresql_only
def test_postgresql_export_of_nothing(db):
    QuestionnaireFactory()
    assert b"".join(iter_csv(Lead.objects.none())).count(b"\r\n") == 1
    assert b"".join(iter_csv(Lead.objects.filter(name="nobody"))).count(b"\r\n") == 1


def test_dates_are_local_time_with_the_offset_of_the_site(odd_leads, settings):
    """Whatever the time zone: whole-hour, half-hour and odd offsets, summer time and back."""
    columns = columns_for(odd_leads)
    for zone in ("Europe/Berlin", "Asia/Kolkata", "America/St_Johns", "UTC"):
        settings.TIME_ZONE = zone
        with timezone.override(zone):
            assert b"".join(iter_csv(odd_leads, columns, chunk_size=3)) == line_by_line(odd_leads, columns)


@postgresql_only
def test_vendor_lists_are_cut_apart_a_column_at_once_and_odd_leads_read_again(odd_leads, monkeypatch):
    """Plain names and scores become words without a query or a step per lead; any other lead is read again."""
    columns = [("top_vendors", "Top")]
    plan = RowPlan(odd_leads, columns, csv=True, dialect=DIALECTS["excel_de"])
    pks, texts = zip(*plan.queryset.order_by("pk").values_list("pk", "_top_vendors"), strict=True)
    expected = [row[0] for row in lead_rows(odd_leads, columns)]
    plain = [index for index, text in enumerate(texts) if plan._plain_vendor_row(text) is not None]
    assert 3 < len(plain) < len(texts) - 5  # both kinds among the odd leads

    # The column of plain leads is not gone through lead by lead.
    monkeypatch.setattr(plan, "_plain_vendor_row", lambda text: pytest.fail("read lead by lead"))
    with CaptureQueriesContext(connection) as queries:
        column = plan.vendor_column([pks[i] for i in plain], [texts[i] for i in plain])
    assert column == [expected[i] for i in plain]
    assert not queries.captured_queries
    monkeypatch.undo()

    with CaptureQueriesContext(connection) as queries:
        assert plan.vendor_column(pks, texts) == expected
    assert len(queries.captured_queries) == 1  # the odd ones, at once


@postgresql_only
def test_columns_of_removed_questions_come_from_the_kept_keys_however_the_answers_were_written(db):
    """The database keeps every stored key; the export asks per unasked key whether one of its leads has it."""
    questionnaire = QuestionnaireFactory()
    written = LeadFactory(questionnaire=questionnaire, answers={"industry": "it", "budget": "low"})
    Lead.objects.bulk_create(
        [LeadFactory.build(questionnaire=questionnaire, answers={"industry": "it", "region": "nord"})]
    )
    other = LeadFactory(questionnaire=questionnaire, answers={"industry": "it"})
    Lead.objects.filter(pk=other.pk).update(answers={"industry": "it", "legacy": "ja"})
    assert {"industry", "budget", "region", "legacy"} <= set(
        StoredAnswerKey.objects.values_list("key", flat=True)
    )

    asked = {f"answers.{q.key}" for step in questionnaire.definition.steps for q in step.questions}

    def removed(queryset):
        return {key for key, _header in columns_for(queryset) if key.startswith("answers.")} - asked

    assert removed(Lead.objects.all()) == {"answers.budget", "answers.region", "answers.legacy"}
    assert removed(Lead.objects.filter(pk=written.pk)) == {"answers.budget"}  # only the export's leads
    Lead.objects.filter(pk=other.pk).update(answers={"industry": "it"})  # a key whose leads are gone
    assert removed(Lead.objects.all()) == {"answers.budget", "answers.region"}


@postgresql_only
def test_the_first_byte_asks_the_answers_index_not_every_lead(db):
    """Before the header, no query reads every lead: a removed key is looked up in the answers' index."""
    questionnaire = QuestionnaireFactory()
    Lead.objects.bulk_create(
        [LeadFactory.build(questionnaire=questionnaire, answers={"industry": "it"}) for _ in range(2000)]
    )
    LeadFactory(questionnaire=questionnaire, answers={"industry": "it", "budget": "low"})
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE leadwizard_lead")
    with CaptureQueriesContext(connection) as queries:
        header = next(iter_csv(Lead.objects.all()))
    assert b"budget" in header
    assert not [q["sql"] for q in queries.captured_queries if "jsonb_object_keys" in q["sql"]]
    (lookup,) = [q["sql"] for q in queries.captured_queries if "?" in q["sql"] and "LIMIT 1" in q["sql"]][:1]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + lookup)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "leadwizard_lead_answers_gin" in plan, plan
