"""CSV exports that copy each lead's fields written ahead (``exports.prepared``) give the same bytes
as exports that write every lead, and copy nothing that changed since: the lead, its
questionnaire's labels, its assignee or notes. PostgreSQL only, where rows are prepared.
"""

import json
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from leadwizard.exports import columns_for, iter_csv, reading, select_columns, streaming
from leadwizard.exports import prepared as prepared_module
from leadwizard.exports.prepared import PreparedCopy, _insert_rows, layout_of, prepare_export_rows
from leadwizard.models import Lead, LeadNote, PreparedExportRow, Questionnaire
from leadwizard.privacy import erase_lead
from tests.factories import LeadFactory, QuestionnaireFactory, default_steps, steps_json
from tests.leadwizard.test_exports_postgres import line_by_line, odd_leads  # noqa: F401 - a fixture

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="rows are prepared on PostgreSQL only"
)


def export(queryset, columns=None, **options):
    return b"".join(iter_csv(queryset, columns, **options))


def copied_and_written(monkeypatch):
    """Record, per export that copies, how many leads it copied and how many it wrote itself."""
    counts = []
    prepare_later = PreparedCopy.prepare_later

    def counting(self):
        written = len(self.written)
        counts.append((self._without_rows.count() - written, written))
        return prepare_later(self)

    monkeypatch.setattr(PreparedCopy, "prepare_later", counting)
    return counts


def totals(counts):
    return tuple(map(sum, zip(*counts, strict=True))) if counts else (0, 0)


@pytest.fixture
def no_preparation_after_exports(monkeypatch):
    """Exports queue no preparation, so that a test decides what is prepared."""
    monkeypatch.setattr(prepared_module, "enqueue_preparation", lambda language, lead_ids=None: None)


@pytest.mark.parametrize("chunk_size", [1, 3, 1000])
@pytest.mark.parametrize(("dialect", "language"), [("excel_de", "de"), ("rfc4180", "en")])
def test_copied_rows_give_the_bytes_of_an_export_that_writes_every_lead(
    odd_leads,  # noqa: F811
    monkeypatch,
    no_preparation_after_exports,
    chunk_size,
    dialect,
    language,
):
    columns = columns_for(odd_leads, language)
    expected = line_by_line(odd_leads, columns, dialect, language)
    assert prepare_export_rows(language) > 0
    counts = copied_and_written(monkeypatch)
    assert export(odd_leads, columns, chunk_size=chunk_size, dialect=dialect, language=language) == expected
    copied, written = totals(counts)
    assert copied == PreparedExportRow.objects.filter(language=language).count()
    assert copied + written == odd_leads.count()
    # Not kept: the answer of a removed question, answers that are no object, decimal answers.
    not_kept = Lead.objects.exclude(prepared_export_rows__language=language)
    assert not_kept.filter(answers__has_key="removed_question").exists()
    assert not_kept.filter(answers__users=1.5).exists()
    assert written == not_kept.count()


def test_an_export_copies_the_prepared_text(odd_leads, no_preparation_after_exports):  # noqa: F811
    """The fields come from the prepared row, not from the lead (which a test could not tell apart otherwise)."""
    prepare_export_rows("de")
    row = PreparedExportRow.objects.filter(language="de").order_by("lead_id").first()
    columns = columns_for(odd_leads, "de")
    index = layout_of([row.lead.questionnaire], "de").index("company")
    fields = row.text.split("\x1f")
    fields[index] = '"Copied Company"'
    PreparedExportRow.objects.filter(pk=row.pk).update(text="\x1f".join(fields))
    assert b'"Copied Company"' in export(odd_leads, columns)


def test_any_change_to_a_lead_deletes_its_rows_and_the_export_writes_it(
    odd_leads,  # noqa: F811
    monkeypatch,
    no_preparation_after_exports,
):
    prepare_export_rows("de")
    lead = Lead.objects.filter(prepared_export_rows__language="de").order_by("pk").first()
    Lead.objects.filter(pk=lead.pk).update(company="Neu GmbH", status=Lead.Status.WON)  # no save(), no signal
    assert not PreparedExportRow.objects.filter(lead=lead).exists()
    lead.refresh_from_db()
    lead.save()  # a save that changes nothing keeps the others' rows, and this one has none
    columns = columns_for(odd_leads)
    counts = copied_and_written(monkeypatch)
    body = export(odd_leads, columns)
    assert body == line_by_line(odd_leads, columns)
    assert b'"Neu GmbH"' in body
    assert totals(counts)[1] == Lead.objects.exclude(prepared_export_rows__language="de").count()


def test_an_erased_lead_keeps_no_prepared_copy(odd_leads, no_preparation_after_exports):  # noqa: F811
    prepare_export_rows("de")
    lead = Lead.objects.filter(prepared_export_rows__language="de", company="+49 Handel").get()
    erase_lead(lead)
    assert not PreparedExportRow.objects.filter(lead=lead).exists()
    assert not any("+49 Handel" in text for text in PreparedExportRow.objects.values_list("text", flat=True))
    other = PreparedExportRow.objects.order_by("pk").first().lead
    other.delete()
    assert not PreparedExportRow.objects.filter(lead_id=other.pk).exists()


def test_edited_labels_are_not_copied_until_prepared_again(db, monkeypatch, no_preparation_after_exports):
    questionnaire = QuestionnaireFactory()
    for industry in ("handel", "it"):
        LeadFactory(questionnaire=questionnaire, answers={"industry": industry, "uses": ["sales"]})
    leads = Lead.objects.all()
    assert prepare_export_rows("de") == 2
    steps = default_steps()
    steps[0][2][0]["options"][0]["value"]["label"] = "Einzelhandel"  # the option "handel"
    Questionnaire.objects.filter(pk=questionnaire.pk).update(steps=json.loads(steps_json(steps)))
    columns = columns_for(leads)
    counts = copied_and_written(monkeypatch)
    body = export(leads, columns)
    assert body == line_by_line(leads, columns)
    assert b'"Einzelhandel"' in body
    assert totals(counts) == (0, 2)
    assert prepare_export_rows("de") == 2  # both rows written again, with the new words
    counts.clear()
    assert export(leads, columns) == body
    assert totals(counts) == (2, 0)


def test_assignee_and_notes_are_read_with_every_export(db, monkeypatch, no_preparation_after_exports):
    lead = LeadFactory(questionnaire=QuestionnaireFactory())
    user = get_user_model().objects.create_user("anna", "anna@example.com", "pw")
    Lead.objects.filter(pk=lead.pk).update(assignee=user)
    prepare_export_rows("de")
    get_user_model().objects.filter(pk=user.pk).update(username="anna.neu")
    LeadNote.objects.create(lead=lead, author_name="Bert", text="=später anrufen")
    leads = Lead.objects.all()
    columns = columns_for(leads)
    counts = copied_and_written(monkeypatch)
    body = export(leads, columns)
    assert totals(counts) == (1, 0)
    assert body == line_by_line(leads, columns)
    assert b'"anna.neu"' in body and b"Bert: " in body


def test_chosen_columns_in_any_order_are_copied(odd_leads, monkeypatch, no_preparation_after_exports):  # noqa: F811
    prepare_export_rows("en")
    all_columns = columns_for(odd_leads, "en")
    keys = ["notes", "email", "answers.industry", "assignee", "answer_keys.uses", "answers.removed_question"]
    for chosen in (keys, keys[::-1], ["top_vendors"], ["assignee"]):
        columns = select_columns(all_columns, chosen)
        counts = copied_and_written(monkeypatch)
        assert export(odd_leads, columns, language="en", dialect="rfc4180") == line_by_line(
            odd_leads, columns, "rfc4180", "en"
        )
        assert totals(counts)[0] > 0


def test_a_lead_changed_while_its_row_is_written_keeps_none(db):
    lead = LeadFactory(questionnaire=QuestionnaireFactory())
    (xmin,) = Lead.objects.filter(pk=lead.pk).extra(select={"x": "xmin::text"}).values_list("x", flat=True)
    # Another transaction (here a savepoint's subtransaction, which has an id of its own) changes it.
    with transaction.atomic():
        Lead.objects.filter(pk=lead.pk).update(company="Changed after it was read")
    assert _insert_rows(connection, "de", [(lead.pk, xmin, "words", "stale")]) == 0
    (xmin,) = Lead.objects.filter(pk=lead.pk).extra(select={"x": "xmin::text"}).values_list("x", flat=True)
    assert _insert_rows(connection, "de", [(lead.pk, xmin, "words", "current")]) == 1


def test_an_export_queues_the_preparation_of_the_leads_it_wrote(db, monkeypatch):
    questionnaire = QuestionnaireFactory()
    LeadFactory.create_batch(3, questionnaire=questionnaire)
    leads = Lead.objects.all()
    first = export(leads)  # nothing prepared yet: written, then prepared (immediate tasks backend)
    assert PreparedExportRow.objects.filter(language="de").count() == 3
    LeadFactory(questionnaire=questionnaire)
    counts = copied_and_written(monkeypatch)
    second = export(leads)
    assert totals(counts) == (3, 1)
    assert second.startswith(first[: first.index(b"\r\n")])
    assert PreparedExportRow.objects.filter(language="de").count() == 4
    assert PreparedExportRow.objects.filter(language="en").count() == 0


def test_an_export_that_cannot_queue_the_preparation_still_finishes(db, monkeypatch):
    LeadFactory(questionnaire=QuestionnaireFactory())

    def refuse(language):
        raise RuntimeError("no tasks backend")

    monkeypatch.setattr(prepared_module, "prepare_export_rows_task", SimpleNamespace(enqueue=refuse))
    assert export(Lead.objects.all()).count(b"\r\n") == 2
    assert not PreparedExportRow.objects.exists()


def test_switched_off_nothing_is_prepared_or_copied(odd_leads, settings, monkeypatch):  # noqa: F811
    prepare_export_rows("de")
    settings.LEADWIZARD_EXPORT_PREPARED_ROWS = False
    counts = copied_and_written(monkeypatch)
    columns = columns_for(odd_leads)
    PreparedExportRow.objects.update(text="")  # would break any copy
    assert export(odd_leads, columns) == line_by_line(odd_leads, columns)
    assert counts == []
    assert prepare_export_rows("en") == 0


def test_the_command_prepares_what_is_missing(db, capsys):
    questionnaire = QuestionnaireFactory()
    LeadFactory.create_batch(2, questionnaire=questionnaire)
    LeadFactory(questionnaire=None)  # its questionnaire deleted: never prepared
    call_command("prepare_lead_exports", language=["de", "en"])
    assert capsys.readouterr().out.splitlines()[0].startswith("de: 2 leads prepared in ")
    assert PreparedExportRow.objects.filter(language="en").count() == 2
    call_command("prepare_lead_exports")
    assert capsys.readouterr().out.startswith("de: 0 leads prepared")


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_readers_copy_bytes_beside_the_leads(
    odd_leads,  # noqa: F811
    monkeypatch,
    no_preparation_after_exports,
):
    """As in a request: chunks read in parallel, text as bytes, each chunk's rows bounded by its ids."""
    prepare_export_rows("de")
    changed = Lead.objects.filter(prepared_export_rows__language="de").order_by("pk")[2]
    Lead.objects.filter(pk=changed.pk).update(name='Geändert; "neu"')
    LeadNote.objects.create(lead=Lead.objects.order_by("pk").first(), author_name="Bea", text="Anruf")
    calls = []
    parallel = streaming.iter_chunks_in_parallel
    monkeypatch.setattr(
        streaming, "iter_chunks_in_parallel", lambda *a, **k: calls.append(k) or parallel(*a, **k)
    )
    # A value holding the placeholder of the joined lines (stored past Lead.save, which removes
    # control characters) keeps its lead from being prepared.
    odd = LeadFactory(questionnaire=changed.questionnaire)
    Lead.objects.filter(pk=odd.pk).update(top_matches=[{"vendor": "Nur\x1eTrenner", "score": 1}])
    prepare_export_rows("de", lead_ids=[odd.pk])
    assert not PreparedExportRow.objects.filter(lead=odd).exists()
    # Without the lead that answered a removed question, the columns are those of the prepared rows.
    leads = odd_leads.exclude(answers__has_key="removed_question")
    columns = columns_for(leads)
    expected = line_by_line(leads, columns)
    counts = copied_and_written(monkeypatch)
    for chunk_size in (1, 3):
        assert export(leads, columns, chunk_size=chunk_size) == expected
    with CaptureQueriesContext(connection) as queries:
        assert export(leads, columns, chunk_size=1000) == expected
    # One chunk: the notes of the leads the process writes or completes are asked once.
    assert sum("leadwizard_leadnote" in query["sql"] for query in queries.captured_queries) == 1
    # Each chunk read as one row: its copied lines joined by PostgreSQL, the others' details beside them.
    assert [(call["text_as_bytes"], call["wrap"] is not None) for call in calls] == [(True, True)] * 3
    copied, written = totals(counts)
    assert copied == 3 * PreparedExportRow.objects.filter(language="de").count()
    assert written == 3 * leads.exclude(prepared_export_rows__language="de").count() > 0
    assert '"Geändert; ""neu"""'.encode() in expected and b"Bea: Anruf" in expected
    # With it, each lead's fields are picked from its row, as a transaction's export does.
    calls.clear()
    monkeypatch.setattr(
        reading, "iter_chunks_in_parallel", lambda *a, **k: calls.append(k) or parallel(*a, **k)
    )
    columns = columns_for(odd_leads)
    assert export(odd_leads, columns, chunk_size=4) == line_by_line(odd_leads, columns)
    assert [(call["text_as_bytes"], call.get("wrap")) for call in calls] == [(True, None)]
    assert export(Lead.objects.none()).count(b"\r\n") == 1
