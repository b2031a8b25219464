"""Benchmark the lead exports (CSV and XLSX) against Wagtail's own form-submission export.

Run from the project root:

    .venv/bin/python benchmarks/exports.py                      # 1,000,000 rows, temporary SQLite file
    .venv/bin/python benchmarks/exports.py --rows 100000
    .venv/bin/python benchmarks/exports.py --database-url postgres://postgres@127.0.0.1:5432/crmportal_bench

Uses a database of its own: by default a temporary SQLite file, or the
``--database-url`` given (a PostgreSQL database is created when missing). It is
migrated first; the benchmark's rows are deleted at the end (``--keep`` keeps them,
a temporary SQLite file is always removed).

Seeds N leads of a German questionnaire and its English translation (80/20) with
realistic answers, contact data, consent, UTM fields and seven top matches, and N
Wagtail ``FormSubmission`` rows of 15 fields each against the root page. On
PostgreSQL it then prepares the leads' CSV export fields in ``LANGUAGE_CODE``
(``prepare_export_rows``, as the task an export queues and ``prepare_lead_exports``
do; only what is missing or stale, so a ``--reuse`` run writes little) and changes
``--changed-share`` of the leads afterwards (1 %, a day's edits: the trigger deletes
their rows, and the export writes them itself), and runs ``VACUUM ANALYZE`` (what
autovacuum does soon after the seeding's updates). Then it times, each in a forked
child process:

- leads CSV: ``iter_csv`` over ``filter_leads({})``, into a null sink (what the
  admin streams, and what the background task writes to a file); on PostgreSQL it
  copies the prepared fields, and the preparation it queues is not run;
- unprepared CSV (PostgreSQL): the same with ``LEADWIZARD_EXPORT_PREPARED_ROWS``
  off, as the first export before any lead is prepared;
- leads XLSX: ``write_xlsx`` into a temporary file (what the background task does), with
  the writer ``LEADWIZARD_EXPORT_XLSX_WRITER`` chooses (the streaming writer by default);
- Wagtail CSV / XLSX: ``SpreadsheetExportMixin.stream_csv`` / ``write_xlsx`` of
  ``SubmissionsListView`` over the submissions, the XLSX into a BytesIO as
  Wagtail's view does.

Prints rows/s, time to the first byte and to the first data row of the CSVs, and
the peak memory: the child's peak resident set size (``ru_maxrss`` from
``wait4``) minus its size when it started. That counts everything the export
made the process hold (Python objects, database driver buffers, openpyxl's
buffers) and nothing of the seeding. ``--tracemalloc`` adds a second run per
export with tracemalloc on (slower) that reports the peak of Python allocations.
Finally the ratios against Wagtail and the targets; exit status 1 when one is missed.
"""

import argparse
import contextlib
import ctypes
import gc
import io
import json
import os
import random
import shutil
import sys
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SEED = 20250611
TAG = "benchmark-exports"
TARGETS = {
    # format: (minimum speed-up against Wagtail, maximum peak memory in MB at 1,000,000 rows); issue 15
    "csv": (10.0, 200),
    "xlsx": (5.0, 200),
}
TARGET_FIRST_BYTE = 0.5

INDUSTRIES = [("handel", "Handel"), ("handwerk", "Handwerk"), ("it", "IT"), ("beratung", "Beratung")]
USES = [
    ("sales", "Vertrieb"),
    ("service", "Kundenservice"),
    ("marketing", "Marketing"),
    ("projects", "Projekte"),
]
INTEGRATIONS = [("outlook", "Outlook"), ("datev", "DATEV"), ("shopify", "Shopify"), ("teams", "Teams")]
INTRO = [("weeks", "Wenige Wochen"), ("month", "Ein Monat"), ("quarter", "Ein Quartal")]
MARKETS = [("b2b", "B2B"), ("b2c", "B2C"), ("both", "Beide")]
FIRST = ["Erika", "Max", "Jürgen", "Aylin", "Sophie", "Lukas", "Ömer", "Marie", "Jonas", "Lea"]
LAST = ["Mustermann", "Müller", "Schmidt", "Yılmaz", "Weber", "Schäfer", "Becker", "Hoffmann"]
COMPANY = ["GmbH", "AG", "KG", "e.K.", "GmbH & Co. KG", "UG (haftungsbeschränkt)"]
CRITERIA = ["industry", "employees", "users", "uses", "integrations", "intro_time", "german_hq", "market"]


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="Leads and form submissions to create.")
    parser.add_argument(
        "--database-url",
        default="",
        help="Database to use (default: a temporary SQLite file). PostgreSQL databases are created.",
    )
    parser.add_argument("--batch", type=int, default=5_000, help="bulk_create batch size.")
    parser.add_argument(
        "--chunk-size",
        type=int,
        default=None,
        help="Rows per query of the lead export (default: the export's own, as the admin's).",
    )
    parser.add_argument("--formats", nargs="+", choices=["csv", "xlsx"], default=["csv", "xlsx"])
    parser.add_argument("--skip-wagtail", action="store_true", help="Time only the lead exports.")
    parser.add_argument("--tracemalloc", action="store_true", help="Also report tracemalloc peaks.")
    parser.add_argument(
        "--changed-share",
        type=float,
        default=0.01,
        help=(
            "Share of the leads changed after their export fields were prepared, which the CSV export "
            "then writes itself (PostgreSQL). Default 0.01: a day's edits."
        ),
    )
    parser.add_argument(
        "--keep", action="store_true", help="Keep the rows (not for a temporary SQLite file)."
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="Time the rows kept by an earlier --keep run of the same --rows instead of seeding; keeps them.",
    )
    return parser.parse_args(argv)


def configure(args):
    """Point the settings at the benchmark database, then set up Django."""
    temp_dir = None
    url = args.database_url
    if not url:
        temp_dir = tempfile.mkdtemp(prefix="leadwizard-bench-")
        url = f"sqlite:///{temp_dir}/bench.sqlite3"
    os.environ["DATABASE_URL"] = url
    # DEBUG would keep every query (and bulk insert) in memory.
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "website.settings.dev")
    if url.startswith(("postgres://", "postgresql://")):
        create_postgres_database(url)

    import django

    django.setup()
    return url, temp_dir


def create_postgres_database(url):
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    connection = psycopg2.connect(maintenance)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    connection.close()


# Seeding --------------------------------------------------------------------------------


def _item(value, block_type="item"):
    return {"type": block_type, "id": str(uuid.uuid4()), "value": value}


def _question(key, label, kind, role="", options=(), required=True):
    return _item(
        {
            "key": key,
            "label": label,
            "kind": kind,
            "required": required,
            "role": role,
            "explanation_title": "",
            "explanation": "",
            "min_value": 1 if kind == "number" else None,
            "max_value": 100000 if kind == "number" else None,
            "options": [_item({"key": k, "label": v}) for k, v in options],
        }
    )


def questionnaire_steps(english=False):
    def t(de, en):
        return en if english else de

    steps = [
        ("industry", t("Branche", "Industry"), [
            _question("industry", t("In welcher Branche arbeiten Sie?", "Your industry?"), "single", "industry", INDUSTRIES),
        ]),
        ("size", t("Unternehmensgröße", "Company size"), [
            _question("employees", t("Wie viele Beschäftigte?", "How many employees?"), "number", "employees"),
            _question("users", t("Wie viele Nutzer?", "How many users?"), "number", "users", required=False),
        ]),
        ("needs", t("Anforderungen", "Needs"), [
            _question("uses", t("Wofür?", "What for?"), "multiple", "uses", USES),
            _question("integrations", t("Integrationen?", "Integrations?"), "multiple", "integrations", INTEGRATIONS),
            _question("intro_time", t("Einführungszeit?", "Introduction time?"), "single", "intro_time", INTRO),
            _question("german_hq", t("Sitz in Deutschland?", "Headquarters in Germany?"), "yes_no", "german_hq"),
            _question("market", t("B2B oder B2C?", "B2B or B2C?"), "one_of", "market", MARKETS),
        ]),
    ]  # fmt: skip
    return json.dumps(
        [
            _item({"key": key, "title": title, "intro": "", "questions": questions}, "step")
            for key, title, questions in steps
        ]
    )


def make_questionnaires():
    from wagtail.models import Locale

    from leadwizard.models import Questionnaire

    de = Locale.objects.get_or_create(language_code="de")[0]
    en = Locale.objects.get_or_create(language_code="en")[0]
    german = Questionnaire.objects.create(
        title=f"{TAG} Fragebogen",
        steps=questionnaire_steps(),
        consent_text="<p>Ich willige ein.</p>",
        locale=de,
    )
    english = Questionnaire.objects.create(
        title=f"{TAG} questionnaire",
        steps=questionnaire_steps(english=True),
        consent_text="<p>I agree.</p>",
        locale=en,
        translation_key=german.translation_key,
    )
    return german, english


def _contact(rng, number):
    first, last = rng.choice(FIRST), rng.choice(LAST)
    name = f"{first} {last}"
    if number % 997 == 0:
        name = f'=HYPERLINK("http://evil.example/?{number}","{name}")'  # formula injection attempt
    company = f"{last} {rng.choice(('Software', 'Handel', 'Bau', 'Consulting'))} {rng.choice(COMPANY)}"
    email = f"{first.lower()}.{last.lower()}{number}@example.com"
    phone = f"+49 {rng.randint(30, 999)} {rng.randint(100000, 9999999)}"
    return name, company, email, phone


def make_leads(count, batch, german, english, start):
    from leadwizard.models import Lead

    rng = random.Random(SEED)
    consent_version = "a" * 64
    vendors = [f"Anbieter {n:03d}" for n in range(60)]
    created = 0
    while created < count:
        objects = []
        for number in range(created, min(count, created + batch)):
            questionnaire = english if number % 5 == 4 else german
            name, company, email, phone = _contact(rng, number)
            answers = {
                "industry": rng.choice(INDUSTRIES)[0],
                "employees": rng.randint(1, 5000),
                "users": rng.randint(1, 300),
                "uses": [k for k, _label in rng.sample(USES, rng.randint(1, 4))],
                "integrations": [k for k, _label in rng.sample(INTEGRATIONS, rng.randint(1, 3))],
                "intro_time": rng.choice(INTRO)[0],
                "german_hq": rng.choice(("yes", "no")),
                "market": rng.choice(MARKETS)[0],
            }
            matches = [
                {
                    "vendor_id": index,
                    "vendor": vendor,
                    "score": round(rng.random() * 100, 1),
                    "reasons": [
                        {"criterion": criterion, "met": rng.random() < 0.8, "keys": [], "points": 10}
                        for criterion in CRITERIA[:5]
                    ],
                }
                for index, vendor in enumerate(rng.sample(vendors, 7))
            ]
            when = start + timedelta(seconds=number * 7)
            objects.append(
                Lead(
                    questionnaire=questionnaire,
                    answers=answers,
                    answer_labels=[],
                    industry=answers["industry"],
                    employees=answers["employees"],
                    name=name,
                    company=company,
                    email=email,
                    phone=phone,
                    message="Bitte um Rückruf." if number % 3 else "",
                    consent_text="<p>Ich willige ein.</p>",
                    consent_version=consent_version,
                    consent_given_at=when,
                    source_url="https://crm-portal.example/magazin/crm-auswahl/",
                    locale="en" if questionnaire is english else "de",
                    landing_url="https://crm-portal.example/magazin/crm-auswahl/?utm_source=newsletter",
                    referrer="https://www.google.com/",
                    utm_source="newsletter",
                    utm_medium="email",
                    utm_campaign=TAG,
                    match_count=rng.randint(0, 40),
                    top_matches=matches,
                    marketing_consent=number % 4 == 0,
                    marketing_confirmed_at=when if number % 8 == 0 else None,
                )
            )
        Lead.objects.bulk_create(objects, batch_size=batch)
        created += len(objects)
    # created_at is auto_now_add: spread it out afterwards, like real submissions over time.
    return created


def spread_created_at(start):
    from django.db import connection

    from leadwizard.models import Lead

    table = Lead._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET created_at = consent_given_at WHERE utm_campaign = %s", [TAG])  # noqa: S608


SUBMISSION_FIELDS = [
    "name", "company", "email", "phone", "message", "industry", "employees", "users", "uses",
    "integrations", "intro_time", "german_hq", "market", "utm_source", "utm_campaign",
]  # fmt: skip


def make_submissions(count, batch, page, start):
    from wagtail.contrib.forms.models import FormSubmission

    rng = random.Random(SEED)
    created = 0
    while created < count:
        objects = []
        for number in range(created, min(count, created + batch)):
            name, company, email, phone = _contact(rng, number)
            data = {
                "name": name,
                "company": company,
                "email": email,
                "phone": phone,
                "message": "Bitte um Rückruf." if number % 3 else "",
                "industry": rng.choice(INDUSTRIES)[0],
                "employees": str(rng.randint(1, 5000)),
                "users": str(rng.randint(1, 300)),
                "uses": [k for k, _label in rng.sample(USES, rng.randint(1, 4))],
                "integrations": [k for k, _label in rng.sample(INTEGRATIONS, rng.randint(1, 3))],
                "intro_time": rng.choice(INTRO)[0],
                "german_hq": rng.choice(("yes", "no")),
                "market": rng.choice(MARKETS)[0],
                "utm_source": "newsletter",
                "utm_campaign": TAG,
            }
            objects.append(FormSubmission(page=page, form_data=data))
        FormSubmission.objects.bulk_create(objects, batch_size=batch)
        created += len(objects)
    return created


# Measuring ------------------------------------------------------------------------------


class NullSink:
    """Counts bytes written and forgets them."""

    def __init__(self):
        self.bytes = 0

    def write(self, data):
        self.bytes += len(data)
        return len(data)


def _rss_mb():
    # Current resident set size of this process (Linux).
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _backend_pid():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _database_cpu_seconds():
    """CPU seconds of this process's PostgreSQL backend so far, when it runs on this machine; else None."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    return _backend_cpu(_backend_pid())


def _backend_cpu(pid):
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class ReaderBackends:
    """CPU seconds of the other backends connected to the benchmark's database while an export runs.

    The lead exports read chunks on connections of their own
    (``iter_chunks_in_parallel``); they close them before the export ends, so a
    thread looks at the backends every 0.1 s and keeps each one's last CPU time.
    Only the benchmark's child connects to its database while it runs.
    """

    def __init__(self, own_pid):
        import psycopg2
        from django.db import connection

        self.own_pid = own_pid
        self.cpu = {}
        self.start = {}
        params = connection.get_connection_params()
        self.watcher = psycopg2.connect(**params)
        self.watcher.autocommit = True
        self.watcher_pid = self.watcher.get_backend_pid()
        self.stop = False
        self._look()
        self.start = dict(self.cpu)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _look(self):
        with self.watcher.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND backend_type = 'client backend' AND pid <> ALL(%s)",
                [[self.own_pid, self.watcher_pid]],
            )
            for (pid,) in cursor.fetchall():
                cpu = _backend_cpu(pid)
                if cpu is not None:
                    self.cpu[pid] = cpu

    def _run(self):
        while not self.stop:
            self._look()
            time.sleep(0.1)

    def finish(self):
        self.stop = True
        self.thread.join()
        self.watcher.close()
        return sum(cpu - self.start.get(pid, 0.0) for pid, cpu in self.cpu.items())


def _give_back_memory():
    """Free what the seeding left behind, so that the export's own memory shows in its peak."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def run_forked(function, use_tracemalloc=False):
    """Run ``function()`` in a forked child; return its result dict with seconds and peak memory."""
    from django.db import connections

    connections.close_all()
    _give_back_memory()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_fd)
        code = 0
        try:
            if use_tracemalloc:
                import tracemalloc

                tracemalloc.start()
            database_cpu = _database_cpu_seconds()  # also connects, before the clock starts
            readers = ReaderBackends(_backend_pid()) if database_cpu is not None else None
            start_rss = _rss_mb()
            began = time.perf_counter()
            result = function()
            result["seconds"] = time.perf_counter() - began
            result["start_rss_mb"] = start_rss
            if database_cpu is not None:
                result["database_cpu_seconds"] = _database_cpu_seconds() - database_cpu + readers.finish()
            if use_tracemalloc:
                result["tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
            connections.close_all()
        except BaseException as error:  # report any failure to the parent
            result = {"error": repr(error)}
            code = 1
        with os.fdopen(write_fd, "w") as pipe:
            json.dump(result, pipe)
        os._exit(code)
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        payload = pipe.read()
    _pid, _status, usage = os.wait4(pid, 0)
    result = json.loads(payload or '{"error": "no result"}')
    if "error" in result:
        raise RuntimeError(result["error"])
    # ru_maxrss is in kilobytes on Linux.
    result["peak_mb"] = usage.ru_maxrss / 1024 - result["start_rss_mb"]
    result["cpu_seconds"] = usage.ru_utime + usage.ru_stime
    return result


def lead_csv(chunk_size, prepared=True):
    """The admin's CSV; ``prepared=False``: as an export with nothing prepared (and the setting off) writes it."""
    from django.conf import settings

    from leadwizard.exports import columns_for, iter_csv
    from leadwizard.exports import prepared as prepared_rows
    from leadwizard.exports.filters import filter_leads

    settings.LEADWIZARD_EXPORT_PREPARED_ROWS = prepared
    # The preparation an export queues runs in the worker, not in the export's process.
    queued = []
    prepared_rows.enqueue_preparation = lambda language, lead_ids=None: queued.append(
        len(lead_ids) if lead_ids is not None else "all"
    )
    began = time.perf_counter()
    sink = NullSink()
    first_byte = first_row = None
    queryset = filter_leads({})
    columns = columns_for(queryset)
    for number, block in enumerate(iter_csv(queryset, columns, chunk_size=chunk_size)):
        if number == 0:
            first_byte = time.perf_counter() - began
        elif number == 1:
            first_row = time.perf_counter() - began
        sink.write(block)
    return {
        "bytes": sink.bytes,
        "first_byte": first_byte,
        "first_row": first_row,
        "columns": len(columns),
        "queued": queued,
    }


def prepare(args):
    """Prepare the leads' export fields as the worker and ``prepare_lead_exports`` do; then change a share.

    Returns a line about it, or None where fields are not prepared (not PostgreSQL).
    """
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from leadwizard.exports.prepared import prepare_export_rows, prepares
    from leadwizard.models import Lead, PreparedExportRow

    if not prepares(connection):
        return None
    began = time.perf_counter()
    written = prepare_export_rows(settings.LANGUAGE_CODE)
    seconds = time.perf_counter() - began
    rows = PreparedExportRow.objects.filter(language=settings.LANGUAGE_CODE).count()
    line = (
        f"Prepared the export fields of {written:,} leads in {seconds:.1f} s "
        f"({written / max(seconds, 1e-9):,.0f} leads/s); {rows:,} leads prepared in all"
    )
    ids = list(Lead.objects.filter(utm_campaign=TAG).order_by("pk").values_list("pk", flat=True))
    changed = random.Random(SEED).sample(ids, int(len(ids) * args.changed_share))
    for start in range(0, len(changed), 10_000):
        # As a marketer's bulk status change does: its leads' prepared fields are deleted by the trigger.
        Lead.objects.filter(pk__in=changed[start : start + 10_000]).update(
            status=Lead.Status.IN_PROGRESS, updated_at=timezone.now()
        )
    left = PreparedExportRow.objects.filter(language=settings.LANGUAGE_CODE, lead__utm_campaign=TAG).count()
    return line + f"; then {len(changed):,} leads changed ({args.changed_share:.1%}), {left:,} still prepared"


def lead_xlsx(chunk_size):
    from leadwizard.exports import columns_for, write_xlsx
    from leadwizard.exports.filters import filter_leads

    queryset = filter_leads({})
    columns = columns_for(queryset)
    with tempfile.TemporaryFile() as output:
        write_xlsx(queryset, output, columns, **({"chunk_size": chunk_size} if chunk_size else {}))
        return {"bytes": output.tell(), "columns": len(columns)}


def _wagtail_view(page):
    from wagtail.contrib.forms.views import SubmissionsListView

    view = SubmissionsListView()
    view.form_page = page
    # What the view sets for an export (form_page.get_data_fields() of a form with these fields).
    view.list_export = [*SUBMISSION_FIELDS, "submit_time"]
    view.export_headings = {field: field.replace("_", " ").capitalize() for field in view.list_export}
    return view


def _submissions(page):
    from wagtail.contrib.forms.models import FormSubmission

    # As SubmissionsListView exports: the page's submissions, oldest first.
    return FormSubmission.objects.filter(page=page).order_by("submit_time")


def wagtail_csv(page_id):
    from wagtail.models import Page

    page = Page.objects.get(pk=page_id)
    view = _wagtail_view(page)
    began = time.perf_counter()
    sink = NullSink()
    first_byte = first_row = None
    for number, line in enumerate(view.stream_csv(_submissions(page))):
        if number == 0:
            first_byte = time.perf_counter() - began
        elif number == 1:
            first_row = time.perf_counter() - began
        sink.write(line if isinstance(line, bytes) else line.encode())
    columns = len(view.list_export)
    return {"bytes": sink.bytes, "first_byte": first_byte, "first_row": first_row, "columns": columns}


def wagtail_xlsx(page_id):
    from wagtail.models import Page

    page = Page.objects.get(pk=page_id)
    view = _wagtail_view(page)
    output = io.BytesIO()  # as SpreadsheetExportMixin.write_xlsx_response does
    view.write_xlsx(_submissions(page), output)
    return {"bytes": output.tell(), "columns": len(view.list_export)}


# Main -----------------------------------------------------------------------------------


def cleanup(page_id):
    from django.db import connection
    from wagtail.contrib.forms.models import FormSubmission

    from leadwizard.models import Lead, Questionnaire

    with connection.cursor() as cursor:
        # Plain DELETEs: the ORM would load a million rows to look for cascades (there are none).
        cursor.execute(f"DELETE FROM {Lead._meta.db_table} WHERE utm_campaign = %s", [TAG])  # noqa: S608
        cursor.execute(
            f"DELETE FROM {FormSubmission._meta.db_table} WHERE page_id = %s AND CAST(form_data AS TEXT) LIKE %s",  # noqa: S608
            [page_id, f"%{TAG}%"],
        )
    Questionnaire.objects.filter(title__startswith=TAG).delete()


def kept_submissions(page_id):
    from wagtail.contrib.forms.models import FormSubmission

    return FormSubmission.objects.filter(page_id=page_id, form_data__utm_campaign=TAG).count()


def seed(args, page):
    from django.utils import timezone

    start = timezone.now() - timedelta(seconds=7 * args.rows + 3600)
    began = time.perf_counter()
    german, english = make_questionnaires()
    make_leads(args.rows, args.batch, german, english, start)
    spread_created_at(start)
    print(f"Created {args.rows:,} leads in {time.perf_counter() - began:.1f} s")
    if not args.skip_wagtail:
        began = time.perf_counter()
        make_submissions(args.rows, args.batch, page, start)
        print(f"Created {args.rows:,} form submissions in {time.perf_counter() - began:.1f} s")


def format_load():
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def describe(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}{parts.path}" if parts.hostname else url


def main(argv=None):
    args = parse_args(argv)
    url, temp_dir = configure(args)

    import openpyxl
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from wagtail.models import Page

    from leadwizard.models import Lead

    print(
        f"Database: {connection.vendor} ({describe(url)}); rows: {args.rows:,}; "
        f"chunk size: {args.chunk_size or 'the export default'}"
    )
    print(
        f"Python {sys.version.split()[0]}; openpyxl {openpyxl.__version__} "
        f"({'with' if openpyxl.LXML else 'without'} lxml); {os.cpu_count()} cores; "
        f"load average: {format_load()}"
    )
    began = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    print(f"Migrated in {time.perf_counter() - began:.1f} s")
    page = Page.get_first_root_node()
    kept = Lead.objects.filter(utm_campaign=TAG).count()
    if args.reuse:
        if kept != args.rows or (not args.skip_wagtail and kept_submissions(page.pk) != args.rows):
            sys.exit(f"--reuse: the database holds {kept:,} benchmark leads, not {args.rows:,}.")
        args.keep = True
    elif kept:
        sys.exit(
            "Rows of an earlier run are still there (--keep?); delete them, use --reuse or another database."
        )

    failures = []
    try:
        if args.reuse:
            print(f"Reusing {args.rows:,} leads and form submissions of an earlier run")
        else:
            seed(args, page)
        prepared = prepare(args) if "csv" in args.formats else None
        if prepared:
            print(prepared)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # What autovacuum does soon after the seeding's updates of every lead: without it
                # each export reads a million dead row versions besides the live ones.
                cursor.execute("VACUUM ANALYZE")

        jobs = []
        for fmt in args.formats:
            function = lead_csv if fmt == "csv" else lead_xlsx
            jobs.append((fmt, "leads", lambda f=function: f(args.chunk_size)))
            if fmt == "csv" and prepared:
                jobs.append(("csv", "unprepared", lambda: lead_csv(args.chunk_size, prepared=False)))
            if not args.skip_wagtail:
                function = wagtail_csv if fmt == "csv" else wagtail_xlsx
                jobs.append((fmt, "wagtail", lambda f=function: f(page.pk)))

        results = {}
        header = (
            f"{'export':<16} {'rows/s':>10} {'seconds':>8} {'cpu s':>7} {'db cpu s':>8} {'cells/s':>10} "
            f"{'MB out':>7} {'peak MB':>8} {'1st byte':>9} {'1st row':>8}"
        )
        if args.tracemalloc:
            header += f" {'tracemalloc MB':>15}"
        print()
        print(header)
        for fmt, who, function in jobs:
            result = run_forked(function)
            if args.tracemalloc:
                result["tracemalloc_peak_mb"] = run_forked(function, use_tracemalloc=True)[
                    "tracemalloc_peak_mb"
                ]
            results[fmt, who] = result
            rate = args.rows / result["seconds"]
            database_cpu = result.get("database_cpu_seconds")
            line = (
                f"{who + ' ' + fmt.upper():<16} {rate:>10,.0f} {result['seconds']:>8.1f} {result['cpu_seconds']:>7.1f} "
                + (f"{database_cpu:>8.1f} " if database_cpu is not None else f"{'':>8} ")
                + f"{rate * result['columns']:>10,.0f} {result['bytes'] / 2**20:>7.1f} {result['peak_mb']:>8.1f} "
                + (
                    f"{result['first_byte']:>8.3f}s {result['first_row']:>7.3f}s"
                    if fmt == "csv"
                    else f"{'':>9} {'':>8}"
                )
            )
            if args.tracemalloc:
                line += f" {result['tracemalloc_peak_mb']:>15.1f}"
            print(line, flush=True)

        print()
        print(f"Load average after the exports: {format_load()}")
        print(
            "cpu s: CPU time of the export process (all its threads); db cpu s: of its PostgreSQL backends\n"
            "(its connection's and those of the chunk readers, sampled every 0.1 s).\n"
            "peak MB: the export process's peak resident set size (ru_maxrss) minus its size at the start."
        )
        for fmt in args.formats:
            speedup, max_mb = TARGETS[fmt]
            ours = results[fmt, "leads"]
            if (fmt, "wagtail") in results:
                theirs = results[fmt, "wagtail"]
                ratio = theirs["seconds"] / ours["seconds"]
                cpu_ratio = theirs["cpu_seconds"] / ours["cpu_seconds"]
                cell_ratio = ratio * ours["columns"] / theirs["columns"]
                memory = theirs["peak_mb"] / max(ours["peak_mb"], 0.1)
                met = ratio >= speedup
                verdict = "MET" if met else f"NOT MET, {speedup / ratio:.2f}x short"
                work = ""
                if "database_cpu_seconds" in ours and "database_cpu_seconds" in theirs:
                    ours_total = ours["cpu_seconds"] + ours["database_cpu_seconds"]
                    theirs_total = theirs["cpu_seconds"] + theirs["database_cpu_seconds"]
                    work = f"; {theirs_total / ours_total:.1f}x in CPU time of process and database together"
                print(
                    f"{fmt.upper()}: {ratio:.1f}x faster than Wagtail in rows/s (target >= {speedup:g}x: "
                    f"{verdict}); {cpu_ratio:.1f}x in CPU time of the export process{work}; "
                    f"{cell_ratio:.1f}x in cells/s ({ours['columns']} vs {theirs['columns']} columns); "
                    f"Wagtail needs {memory:.1f}x the memory"
                )
                if not met:
                    failures.append(f"{fmt} speed")
                if (fmt, "unprepared") in results:
                    unprepared = results[fmt, "unprepared"]
                    print(
                        f"{fmt.upper()} with nothing prepared (the first export, or the setting off): "
                        f"{theirs['seconds'] / unprepared['seconds']:.1f}x faster than Wagtail in rows/s; "
                        f"the prepared export is {unprepared['seconds'] / ours['seconds']:.1f}x faster than it"
                    )
            scaled = args.rows < 1_000_000
            met = ours["peak_mb"] < max_mb
            print(
                f"{fmt.upper()}: peak {ours['peak_mb']:.1f} MB (target < {max_mb} MB at 1,000,000 rows: "
                f"{'MET' if met else 'NOT MET'}{', measured at fewer rows' if scaled else ''})"
            )
            if not met:
                failures.append(f"{fmt} memory")
            if fmt == "csv":
                met = ours["first_byte"] <= TARGET_FIRST_BYTE
                print(
                    f"CSV: first byte after {ours['first_byte']:.3f} s, first lead after {ours['first_row']:.3f} s "
                    f"(target <= {TARGET_FIRST_BYTE:g} s: {'MET' if met else 'NOT MET'})"
                )
                if not met:
                    failures.append("csv first byte")
        print(
            f"Export chunk size {args.chunk_size or 'the export default'}; background threshold {settings.LEADWIZARD_EXPORT_BACKGROUND_THRESHOLD:,}"
        )
    finally:
        if temp_dir:
            connection.close()
            shutil.rmtree(temp_dir, ignore_errors=True)
        elif not args.keep:
            cleanup(page.pk)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
