"""Load benchmark and fault runs of the lead wizard: no lead lost, every delivery delivered (issue 6).

Run from the project root:

    .venv/bin/python benchmarks/load.py                          # 16 readers for 30 s, no fault
    .venv/bin/python benchmarks/load.py --fault mail-down        # or webhook-failing, worker-killed,
    .venv/bin/python benchmarks/load.py --fault all              #    app-server-killed; all: one after another

It starts the production-like stack of ``scripts/prod_local.py`` (nginx with TLS on
127.0.0.1 in front of two gunicorn app servers on unix sockets, one ``db_worker``,
PostgreSQL, Redis) with a database of its own (``crmportal_bench_load``, demo
content loaded), a run directory and ports of its own, so that it never touches a
``make prod-local`` stack. Two
fake delivery targets run in this process (``benchmarks/fake_targets.py``): an SMTP
sink the stack sends its e-mails to and a webhook receiver, configured as the
only active ``Webhook``. Everything is on loopback, every request has a timeout,
the run lasts a fixed time, and the stack and the fakes are stopped at the end
(``--keep-stack`` / ``--reuse`` leave a stack running on purpose).

Simulated readers: ``--readers`` threads, each doing reader runs back to back
until the time is up: GET the wizard article, POST each question step with the
demo answers (``website/demo/data/demo_answers.toml``), POST the contact
step with a unique e-mail (``load-<run>-<thread>-<n>@bench.example``) and consent.
A run counts as a success when the final submit answers the 302 to
``?leadwizard-done=…`` (or, with ``--fragment``, 200 with the success fragment);
the reader then loads the success page, as a browser follows the redirect.
http.client with keep-alive inside a reader run; every reader run is a new
reader, with a new TLS connection.

Client addresses: the wizard rate-limits per client address (5 submits per hour
by default), and nginx overwrites ``X-Forwarded-For`` with the address of the
connection, as it must in production; a header set by the client would never
reach the app. So every reader run connects from an address of its own in
127.0.0.0/8 (Linux routes the whole block to the loopback interface), and the
app believes nginx's ``X-Forwarded-For`` because nginx is its trusted proxy on
the unix sockets (``LEADWIZARD_TRUSTED_PROXIES=unix``): rate limits apply per
reader exactly as for real readers. The first address is random per invocation,
so that repeated runs within the rate-limit window do not reuse a bucket.

Spam check: the stack runs with ``LEADWIZARD_MIN_SECONDS=0``. Simulated readers
do not think; with the real 5 s every lead would be marked as suspected spam,
and spam gets no confirmation e-mail, so a third of the deliveries would not be
exercised.

Retries: on a connection error, a timeout or 502/503/504, a reader repeats the
same request up to ``--retries`` times (a browser user pressing the button again).
For the final submit that is the same token, so the same submission key: that
is what makes "no lead lost, no duplicate" checkable. A submit that never got a
definite answer is reported as "unknown outcome": its lead may or may not exist.
``--double-submit`` (default 10 %) of the successful readers send the final
submit a second time, like a double click: it must answer "done" again and make
no second lead.

Deliveries run with ``LEADWIZARD_DELIVERY_BACKOFF_SECONDS=1`` (and 12 attempts
at most) so that a fault run finishes; the worker retries by itself (a deferred
task per failed attempt). After the run the script waits for the deliveries of
this run; deliveries that have no task left (a worker killed while running
one) are attempted by ``manage.py retry_deliveries``, which deploy/ runs every
minute (``crmportal-retry-deliveries.timer``), once their lease has expired
(``--lease-wait``). ``--no-cron`` judges a deployment without that timer: such
deliveries then make the delivery verdict "no".

Checks, per mode: successful submits against leads in the database (the same
e-mail addresses and submission keys, exactly), duplicates by e-mail and by
submission key, deliveries by kind and status, mails received by the sink
(sales notification and reader confirmation per lead), webhook calls (each lead
at least once with a valid signature; repeats after a lost answer are at-least-once
delivery and reported), and the figures: completed submissions/s, p50/p95 of
the final submit, p95 of the steps. Each mode ends with ``NO LEAD LOST: yes/no``
and ``ALL DELIVERIES SUCCEEDED: yes/no``; the exit status is 1 when one is "no".
"""

import argparse
import base64
import contextlib
import http.client
import json
import math
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

import prod_local  # noqa: E402
from fake_targets import SmtpSink, WebhookReceiver, port_is_free  # noqa: E402

from website.demo.datafiles import demo_answers  # noqa: E402 - plain data, no Django setup

DEMO_ANSWERS = demo_answers()

ARTICLE = "/magazin/crm-einfuehrung-im-mittelstand/"
RUN_DIR = ROOT / ".prod-local" / "bench-load"
DATABASE = "crmportal_bench_load"
HOST = "127.0.0.1"
MODES = ["none", "mail-down", "webhook-failing", "worker-killed", "app-server-killed"]
WEBHOOK_NAME = "bench-load"
EXPECTED_KINDS = ("sales_notification", "reader_confirmation", "webhook")
OPEN = ("pending", "retrying")
RETRY_STATUSES = {502, 503, 504}
TASK_PATH = "leadwizard.deliveries.tasks.deliver"

FIELD_RES = {
    name: re.compile(rf'name="{re.escape(name)}" value="([^"]*)"')
    for name in (
        "csrfmiddlewaretoken",
        "leadwizard-block",
        "leadwizard-token",
        "leadwizard-landing",
        "leadwizard-referrer",
    )
}
ERROR_MARK = "leadwizard__error"
# Steps are posted to the wizard's own address (the form's action), then shown at the page's.
ACTION_RE = re.compile(r'<form class="leadwizard__form" method="post" action="([^"#]*)')


def say(message=""):
    print(message, flush=True)


def percentile(values, p):
    if not values:
        return float("nan")
    ordered = sorted(values)  # nearest rank
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def table(headers, rows):
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *rows, strict=True)]
    line = "  ".join(f"{{:{'<' if i == 0 else '>'}{w}}}" for i, w in enumerate(widths))
    out = [line.format(*headers), line.format(*["-" * w for w in widths])]
    out += [line.format(*[str(x) for x in row]) for row in rows]
    return "\n".join("  " + row for row in out)


def token_key(token):
    """The submission key inside a wizard state token (signed, not encrypted), or ""."""
    try:
        payload = token.split(":", 1)[0]
        compressed = payload.startswith(".")
        raw = base64.urlsafe_b64decode(payload.lstrip(".") + "=" * (-len(payload.lstrip(".")) % 4))
        data = json.loads(zlib.decompress(raw) if compressed else raw)
        key = data.get("key") or ""
    except (ValueError, zlib.error, AttributeError):
        return ""
    # Lead.submission_key is a UUID; the token has it as 32 hex digits.
    return f"{key[:8]}-{key[8:12]}-{key[12:16]}-{key[16:20]}-{key[20:]}" if len(key) == 32 else key


# --------------------------------------------------------------------------- the stack


def extra_env(args):
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": HOST,
        "EMAIL_PORT": str(args.smtp_port),
        "EMAIL_TIMEOUT": "5",
        # nginx reaches the app servers over unix sockets: the one peer whose X-Forwarded-For counts.
        "LEADWIZARD_TRUSTED_PROXIES": "unix",
        "LEADWIZARD_MIN_SECONDS": "0",
        "LEADWIZARD_DELIVERY_BACKOFF_SECONDS": "1",
        "LEADWIZARD_DELIVERY_MAX_ATTEMPTS": "12",
        "LEADWIZARD_WEBHOOK_TIMEOUT": "5",
        # The webhook receiver is on loopback, which webhooks may only call when allowed.
        "LEADWIZARD_WEBHOOK_ALLOWED_HOSTS": HOST,
        # A short lease, so that a delivery held by a killed worker is retried within the run.
        "LEADWIZARD_DELIVERY_LEASE_SECONDS": "30",
        # Page cache and rate-limit keys apart from any other stack on the same Redis database.
        "CACHE_KEY_PREFIX": "crmportal-bench-load",
        "LOG_LEVEL": "WARNING",
    }


def start_bench_stack(args):
    """prod_local's ``start_stack`` with our ports, database and extra environment; (stack, owned)."""
    config = prod_local.Config(
        app_servers=args.app_servers,
        https_port=args.https_port,
        http_port=0,
        workers=args.gunicorn_workers,
        database=args.database,
        run_dir=RUN_DIR,
    )
    running = prod_local.attach(RUN_DIR)
    if running and any(running.status().values()):
        if not args.reuse:
            raise prod_local.StackError(
                f"a bench stack is already running ({running.base_url}); pass --reuse, or stop it: "
                f".venv/bin/python benchmarks/load.py --stop-stack"
            )
        # The processes were started by an earlier --keep-stack run with the same settings;
        # this env is what restarts (worker, app servers) and manage.py get.
        running.env.update(extra_env(args))
        say(f"reusing the bench stack at {running.base_url}")
        return running, False
    if not port_is_free(args.https_port):
        raise prod_local.StackError(f"port {args.https_port} is already in use")
    for sub in ("logs", "run", "media", "staticfiles"):
        (RUN_DIR / sub).mkdir(parents=True, exist_ok=True)
    prod_local.nginx_binary()
    prod_local.ensure_postgres()
    prod_local.ensure_redis()
    prod_local.ensure_database(args.database)
    env = {**prod_local.build_env(config), **extra_env(args)}
    if not args.skip_setup:
        prod_local.setup(env, config, log=lambda message: say(f"setup: {message}"))
    stack = prod_local.Stack(config, env)
    try:
        for index in range(args.app_servers):
            stack.start_app_server(index, wait=False)
        for index in range(args.app_servers):
            stack.wait_app_server(index)
        stack.start_worker()
        stack.start_nginx()
        stack.wait_healthy()
    except BaseException:
        stack.stop()
        raise
    return stack, True


def configure_webhook(stack, url, secret):
    """Make the receiver the only active webhook of the bench database."""
    code = (
        "from leadwizard.models import Webhook\n"
        f"Webhook.objects.exclude(name={WEBHOOK_NAME!r}).update(active=False)\n"
        f"Webhook.objects.update_or_create(name={WEBHOOK_NAME!r}, "
        f"defaults={{'url': {url!r}, 'secret': {secret!r}, 'active': True}})\n"
        "Webhook.questionnaires.through.objects.filter(webhook__name="
        f"{WEBHOOK_NAME!r}).delete()\n"
    )
    stack.manage("shell", "-c", code)


def ensure_running(stack):
    """Bring back what a previous fault mode killed."""
    for index in range(stack.app_servers):
        if not stack.is_alive(stack.app_server_name(index)):
            say(f"restarting {stack.app_server_name(index)}")
            stack.start_app_server(index)
    if not stack.is_alive("worker"):
        say("restarting the task worker")
        stack.start_worker()
    stack.wait_healthy()


# --------------------------------------------------------------------------- database


class Db:
    def __init__(self, database):
        import psycopg2

        self.conn = psycopg2.connect(
            host=prod_local.PG_HOST, port=prod_local.PG_PORT, user=prod_local.PG_USER, dbname=database
        )
        self.conn.autocommit = True

    def rows(self, sql, params=()):
        with self.conn.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def leads(self, pattern):
        return self.rows(
            "SELECT id, email, submission_key::text, status FROM leadwizard_lead WHERE email LIKE %s",
            (pattern,),
        )

    def deliveries(self, pattern):
        return self.rows(
            "SELECT d.id, d.lead_id, l.email, d.kind, d.status, d.attempts, d.next_attempt_at, "
            "d.last_error FROM leadwizard_delivery d JOIN leadwizard_lead l ON l.id = d.lead_id "
            "WHERE l.email LIKE %s",
            (pattern,),
        )

    def open_tasks(self):
        """Delivery id -> statuses of its READY / RUNNING tasks, with the RUNNING ones' start times."""
        tasks = defaultdict(list)
        for status, args_kwargs, started_at in self.rows(
            "SELECT status, args_kwargs, started_at FROM django_tasks_database_dbtaskresult "
            "WHERE task_path = %s AND status IN ('READY', 'RUNNING')",
            (TASK_PATH,),
        ):
            with contextlib.suppress(KeyError, IndexError, TypeError):
                tasks[int(args_kwargs["args"][0])].append((status, started_at))
        return tasks

    def now(self):
        return self.rows("SELECT now()")[0][0]

    def close(self):
        self.conn.close()


# --------------------------------------------------------------------------- readers


class Stats:
    """What all readers saw; appended to under one lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latency = defaultdict(list)  # kind -> seconds per request (the answered attempt)
        self.submit_latency = []  # first attempt to final answer, retries included
        self.statuses = defaultdict(Counter)  # kind -> status (or exception name) -> count
        self.retries = Counter()  # kind -> repeated requests
        self.successes = {}  # e-mail -> submission key
        self.unknown = {}  # e-mail -> submission key: no definite answer to the submit
        self.failed = Counter()  # reason -> reader runs that ended without a lead
        self.runs = 0
        self.submits_retried = 0
        self.repeats = Counter()  # answered "done" (True) or not (False) to a repeated submit
        self.samples = {}  # reason -> a snippet of the first answer
        self.first_success = self.last_success = None

    def add(self, kind, status, seconds=None):
        with self.lock:
            self.statuses[kind][status] += 1
            if seconds is not None:
                self.latency[kind].append(seconds)

    def fail(self, reason, sample=""):
        with self.lock:
            self.failed[reason] += 1
            self.samples.setdefault(reason, sample[:300])


class Client:
    """One reader's browser: cookies, and one keep-alive TLS connection from its own loopback address."""

    def __init__(self, bench, source):
        self.bench = bench
        self.source = source
        self.cookies = {}
        self.conn = None

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method, path, data=None, extra=None):
        bench = self.bench
        if self.conn is None:
            self.conn = http.client.HTTPSConnection(
                HOST,
                bench.port,
                context=bench.ssl_context,
                timeout=bench.args.timeout,
                source_address=(self.source, 0),
            )
        headers = {"User-Agent": "bench-load/1.0", "Accept-Encoding": "identity", **(extra or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            # Django checks Origin (or Referer) of HTTPS POSTs.
            headers["Origin"] = bench.origin
            headers["Referer"] = bench.origin + ARTICLE
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            content = response.read()
        except BaseException:
            self.close()
            raise
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.will_close:
            self.close()
        return response.status, response.headers, content.decode("utf-8", "replace")

    def retrying(self, kind, method, path, data=None, extra=None):
        """The request, repeated on connection errors and 502/503/504 like a user retrying.

        Returns (status, headers, text, uncertain, seconds): ``uncertain`` when an
        attempt may have reached the app without an answer; ``seconds`` from the
        first attempt to the final answer. status is None when no attempt got one.
        """
        bench, uncertain, started = self.bench, False, time.monotonic()
        for attempt in range(bench.args.retries + 1):
            if attempt:
                with bench.stats.lock:
                    bench.stats.retries[kind] += 1
                time.sleep(min(0.25 * 2 ** (attempt - 1), 2.0))
            sent = time.monotonic()
            try:
                status, headers, text = self.request(method, path, data, extra)
            except (OSError, http.client.HTTPException) as exc:
                bench.stats.add(kind, type(exc).__name__)
                uncertain = True
                continue
            bench.stats.add(kind, status, time.monotonic() - sent)
            if status in RETRY_STATUSES:
                uncertain = True
                continue
            return status, headers, text, uncertain, time.monotonic() - started
        return None, None, "", uncertain, time.monotonic() - started


def form_fields(text):
    return {name: unescape(m.group(1)) for name, regex in FIELD_RES.items() if (m := regex.search(text))}


def form_action(text):
    match = ACTION_RE.search(text)
    return unescape(match.group(1)) if match else ARTICLE


def local_path(location):
    return urlsplit(location)._replace(scheme="", netloc="", fragment="").geturl()


class Reader(threading.Thread):
    def __init__(self, bench, index):
        super().__init__(name=f"reader-{index}", daemon=True)
        self.bench = bench
        self.index = index

    def run(self):
        bench, n = self.bench, 0
        while time.monotonic() < bench.deadline and not bench.halt.is_set():
            n += 1
            with bench.stats.lock:
                bench.stats.runs += 1
            client = Client(bench, bench.next_address())
            try:
                self.one_run(client, f"load-{bench.run_id}-{self.index}-{n}@bench.example")
            except Exception as exc:  # a bug here must not silently stop a reader
                bench.stats.fail(f"reader error {type(exc).__name__}", repr(exc))
            finally:
                client.close()

    def one_run(self, client, address):
        bench, stats = self.bench, self.bench.stats
        fragment = {"X-LeadWizard": "fragment"} if bench.args.fragment else {}
        status, _, text, _, _ = client.retrying("page", "GET", ARTICLE)
        if status != 200:
            return stats.fail(f"article answered {status}", text)
        fields = form_fields(text)
        if "leadwizard-token" not in fields or "csrfmiddlewaretoken" not in fields:
            return stats.fail("no wizard form in the article", text)
        for number, answers in enumerate(DEMO_ANSWERS, start=1):
            bench.think()
            if bench.halt.is_set():
                return stats.fail("stopped")
            data = {**fields, "leadwizard-action": "next"}
            data.update({f"q-{key}": value for key, value in answers.items()})
            status, headers, text, _, _ = client.retrying("step", "POST", form_action(text), data, fragment)
            if status == 302 and not fragment:
                # Post/redirect/get, as the browser does: the next step is at an address of its own.
                status, _, text, _, _ = client.retrying("step page", "GET", local_path(headers["Location"]))
            if status != 200:
                return stats.fail(f"step {number} answered {status}", text)
            if ERROR_MARK in text:
                return stats.fail(f"step {number} was not accepted", text)
            # Landing page and referrer go with the first step only; the rest comes from the new form.
            fields = {
                k: v for k, v in fields.items() if k not in ("leadwizard-landing", "leadwizard-referrer")
            }
            fields.update(form_fields(text))
        if 'name="contact-email"' not in text:
            return stats.fail("no contact step after the questions", text)
        key = token_key(fields.get("leadwizard-token", ""))
        data = {
            **fields,
            "leadwizard-action": "submit",
            "contact-name": f"Leser {self.index}",
            "contact-company": "Bench GmbH",
            "contact-email": address,
            "contact-phone": "+49 30 1234567",
            "contact-message": "",
            "contact-website": "",
            "contact-consent": "on",
        }
        bench.think()
        with bench.lock:
            bench.submitting += 1
        try:
            submit_to = form_action(text)
            status, headers, text, uncertain, seconds = client.retrying(
                "submit", "POST", submit_to, data, fragment
            )
        finally:
            with bench.lock:
                bench.submitting -= 1
        with stats.lock:
            if uncertain:
                stats.submits_retried += 1
        location = headers.get("Location", "") if headers else ""
        done = (status == 302 and "leadwizard-done=" in location) or (
            bench.args.fragment and status == 200 and "leadwizard-done=" in text
        )
        if done:
            now = time.monotonic()
            with stats.lock:
                stats.successes[address] = key
                stats.submit_latency.append(seconds)
                stats.first_success = stats.first_success or now
                stats.last_success = now
            if random.random() < bench.args.double_submit:
                # A double click: the same submit again must answer "done" and make no second lead.
                again, headers, text, _, _ = client.retrying(
                    "repeat submit", "POST", submit_to, data, fragment
                )
                location = headers.get("Location", "") if headers else ""
                repeated_ok = (again == 302 and "leadwizard-done=" in location) or (
                    bench.args.fragment and again == 200 and "leadwizard-done=" in text
                )
                with stats.lock:
                    stats.repeats[repeated_ok] += 1
            if status == 302:
                # The browser follows the redirect to the success message.
                path = urlsplit(location)._replace(scheme="", netloc="", fragment="").geturl()
                status, _, _, _, _ = client.retrying("done page", "GET", path)
            return None
        if uncertain:
            with stats.lock:
                stats.unknown[address] = key
            return None
        return stats.fail(f"submit answered {status}", text)


class Bench:
    """One mode's run: readers, their addresses and counters."""

    def __init__(self, args, stack, run_id, duration, first_address):
        self.args = args
        self.run_id = run_id
        self.port = args.https_port
        self.origin = f"https://{HOST}:{args.https_port}"
        self.ssl_context = stack.ssl_context()
        self.stats = Stats()
        self.halt = threading.Event()
        self.duration = duration
        self.deadline = time.monotonic() + duration
        self._address = first_address
        self.lock = threading.Lock()
        self.submitting = 0  # final submits in flight

    def next_address(self):
        with self.lock:
            self._address += 1
            n = self._address
        return f"127.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"

    def think(self):
        """The pause of a person reading the next question or typing (``--pause``), if any."""
        shortest, longest = self.args.pause
        if longest > 0:
            self.halt.wait(random.uniform(shortest, longest))


# --------------------------------------------------------------------------- one mode


@dataclass
class Outcome:
    mode: str
    lead_ok: bool
    deliveries_ok: bool
    figures: dict = field(default_factory=dict)


def kill_worker_mid_task(stack, db):
    """SIGKILL the worker while it runs a delivery task (waits up to 5 s for one); says what it hit."""
    sql = (
        "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE task_path = %s "
        "AND status = 'RUNNING' AND started_at > now() - interval '2 seconds'"
    )
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not db.rows(sql, (TASK_PATH,))[0][0]:
        time.sleep(0.002)
    stack.kill_worker()
    left = db.rows(sql.replace("2 seconds", "30 seconds"), (TASK_PATH,))[0][0]
    return f"{left} delivery task(s) left in RUNNING"


def kill_app_server_mid_submit(stack, bench):
    """SIGKILL app server 0 while final submits are in flight (waits up to 5 s for three)."""
    deadline = time.monotonic() + 5
    # Three in flight: with round robin over two servers, likely one of them on server 0.
    while time.monotonic() < deadline and bench.submitting < 3:
        time.sleep(0.002)
    in_flight = bench.submitting
    stack.kill_app_server(0)
    return f"{in_flight} final submit(s) in flight (on either server)"


def fault_plan(mode, stack, sink, hook, db, bench, args, duration):
    """(seconds after the start, description, action) of the faults to inject; an action may return a remark."""
    at = duration * args.fault_at
    if mode == "mail-down":
        return [
            (0, "SMTP sink stopped (connection refused)", sink.stop),
            (at, "SMTP sink started", sink.start),
        ]
    if mode == "webhook-failing":

        def fail():
            hook.failing = True

        def heal():
            hook.failing = False

        return [(0, "webhook receiver answers 500", fail), (at, "webhook receiver answers 200", heal)]
    if mode == "worker-killed":
        return [
            (at, "task worker killed (SIGKILL) mid-task", lambda: kill_worker_mid_task(stack, db)),
            (at + args.worker_down, "task worker started", stack.start_worker),
        ]
    if mode == "app-server-killed":
        name = stack.app_server_name(0)
        return [
            (
                at,
                f"{name} killed (SIGKILL to master and workers)",
                lambda: kill_app_server_mid_submit(stack, bench),
            )
        ]
    return []


def wait_for_deliveries(db, pattern, stack, args, log):
    """Poll until no delivery of the run is open; recover orphans with retry_deliveries.

    Returns (notes, orphans): orphans is the number of deliveries the worker would
    never have attempted again by itself.
    """
    notes, orphans = [], []
    started = time.monotonic()
    deadline = started + args.delivery_timeout
    orphan_polls = 0
    while True:
        open_rows = [row for row in db.deliveries(pattern) if row[4] in OPEN]
        if not open_rows:
            notes.append(f"all deliveries finished {time.monotonic() - started:.0f} s after the run")
            return notes, 0
        tasks = db.open_tasks()
        now = db.now()
        # An open delivery without a READY task and without a RUNNING one started lately
        # will not be attempted by the worker again: only retry_deliveries picks it up.
        orphans = [
            row
            for row in open_rows
            if not any(
                s == "READY" or (s == "RUNNING" and (now - t).total_seconds() < 30) for s, t in tasks[row[0]]
            )
        ]
        orphan_polls = orphan_polls + 1 if orphans and len(orphans) == len(open_rows) else 0
        if time.monotonic() > deadline or orphan_polls >= 5:
            break
        time.sleep(1)

    if not orphans:
        notes.append(f"{len(open_rows)} deliveries still open after {args.delivery_timeout:.0f} s")
        return notes, len(orphans)
    running = sum(1 for row in orphans if any(s == "RUNNING" for s, _ in tasks[row[0]]))
    leased = [row for row in orphans if row[6] is not None and row[6] > now]
    notes.append(
        f"{len(orphans)} open deliveries have no task left "
        f"({running} with a task stuck in RUNNING since its worker died, "
        f"{len(orphans) - running} with none); {len(leased)} of them are leased "
        "(next_attempt_at in the future: LEADWIZARD_DELIVERY_LEASE_SECONDS)"
    )
    for row in orphans[:5]:
        notes.append(
            f"  delivery {row[0]} lead {row[1]} {row[3]} {row[4]} attempts {row[5]} next_attempt_at {row[6]:%H:%M:%S}"
            if row[6]
            else f"  delivery {row[0]} lead {row[1]} {row[3]} {row[4]} attempts {row[5]} next_attempt_at -"
        )
    if args.lease_wait <= 0:
        notes.append("recovery skipped (--lease-wait 0)")
        return notes, len(orphans)
    wait = max([0.0] + [(row[6] - now).total_seconds() + 1 for row in leased])
    if wait > args.lease_wait:
        notes.append(
            f"lease ends in {wait:.0f} s, more than --lease-wait {args.lease_wait:.0f} s: no recovery"
        )
        return notes, len(orphans)
    log(
        f"waiting {wait:.0f} s for the lease to expire, then manage.py retry_deliveries (the cron safety net)"
    )
    time.sleep(wait)
    result = stack.manage("retry_deliveries", check=False)
    notes.append(f"manage.py retry_deliveries after {wait:.0f} s: {(result.stdout + result.stderr).strip()}")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if not [row for row in db.deliveries(pattern) if row[4] in OPEN]:
            notes.append("all deliveries finished after the recovery")
            break
        time.sleep(1)
    return notes, len(orphans)


def warm_up(args, stack, db, run_id, first_address):
    """Readers complete wizards without pause for ``--warmup`` seconds before the measured run; True if no lead was lost.

    A gunicorn worker's first requests import the code of the final submit and
    fill its per-process memos: with ten workers and about ninety submits in a
    minute, those first submits were half of the slowest twentieth. Nothing of
    the warm-up is measured, but its leads are checked as the run's are (their
    e-mails are "load-<run>w-...", outside the measured run's pattern, and so
    are their mails and webhook calls); their deliveries are the background work
    any site has while readers come.
    """
    quiet = argparse.Namespace(**{**vars(args), "pause": [0.0, 0.0]})
    bench = Bench(quiet, stack, run_id + "w", args.warmup, first_address)
    readers = [Reader(bench, i) for i in range(args.readers)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join(timeout=args.warmup + args.timeout * (args.retries + 2) * 2)
    bench.halt.set()
    for reader in readers:
        reader.join(timeout=args.timeout + 5)
    leads = {row[1] for row in db.leads(f"load-{run_id}w-%")}
    lost = sorted(set(bench.stats.successes) - leads)
    say(f"  warm-up: {len(bench.stats.successes)} wizards completed in {args.warmup:.0f} s without pause, "
        f"not measured; successful submits without a lead: {len(lost)}")  # fmt: skip
    for email in lost[:5]:
        say(f"  LOST: {email}")
    return not lost


def run_mode(mode, stack, sink, hook, db, args, first_address):
    duration = args.duration or (30.0 if mode == "none" else 40.0)
    run_id = secrets.token_hex(3)
    pattern = f"load-{run_id}-%"
    say()
    say(
        f"=== {mode}: {args.readers} readers for {duration:.0f} s against {stack.base_url} (run {run_id}) ==="
    )
    ensure_running(stack)
    sink.start()
    hook.failing = False
    warm_leads_ok = warm_up(args, stack, db, run_id, first_address + (1 << 15)) if args.warmup > 0 else True
    mails_before, calls_before = len(sink.snapshot()), len(hook.snapshot())

    bench = Bench(args, stack, run_id, duration, first_address)
    plan = fault_plan(mode, stack, sink, hook, db, bench, args, duration)
    start = time.monotonic()

    def log(message):
        say(f"  t={time.monotonic() - start:5.1f}s  {message}")

    # Faults at t=0 are in place before the first reader starts.
    while plan and plan[0][0] <= 0:
        _, what, action = plan.pop(0)
        remark = action()
        log(f"{what}: {remark}" if isinstance(remark, str) else what)
    readers = [Reader(bench, i) for i in range(args.readers)]
    for reader in readers:
        reader.start()
    for at, what, action in plan:
        time.sleep(max(0.0, start + at - time.monotonic()))
        remark = action()
        log(f"{what}: {remark}" if isinstance(remark, str) else what)
    hard_stop = start + duration + args.timeout * (args.retries + 2) * 2
    for reader in readers:
        reader.join(timeout=max(0.1, hard_stop - time.monotonic()))
    if any(reader.is_alive() for reader in readers):
        bench.halt.set()
        log("readers did not finish in time; stopped")
        for reader in readers:
            reader.join(timeout=args.timeout + 5)
    elapsed = time.monotonic() - start
    log(f"load finished ({bench.stats.runs} reader runs)")

    # Faults that outlast the run end now, so that every delivery can arrive.
    sink.start()
    hook.failing = False
    if not stack.is_alive("worker"):
        stack.start_worker()
    notes, orphans = wait_for_deliveries(db, pattern, stack, args, log)
    outcome = report(
        mode, bench, db, pattern, sink, hook, mails_before, calls_before, elapsed, notes, orphans
    )
    if not warm_leads_ok:
        say("NO LEAD LOST: no (leads of the warm-up are missing)")
        outcome.lead_ok = False
    return outcome


def report(mode, bench, db, pattern, sink, hook, mails_before, calls_before, elapsed, notes, orphans):
    stats = bench.stats
    leads = db.leads(pattern)
    deliveries = db.deliveries(pattern)
    # Only what concerns this run's leads: retries of an earlier run may arrive meanwhile.
    prefix = pattern.rstrip("%")
    mails = [
        m
        for m in sink.snapshot()[mails_before:]
        if any(r.startswith(prefix) for r in m.rcpt_to) or m.header("Reply-To").lower().startswith(prefix)
    ]
    calls = [c for c in hook.snapshot()[calls_before:] if c.email.startswith(prefix)]

    success_emails = set(stats.successes)
    lead_emails = Counter(row[1] for row in leads)
    lead_keys = Counter(row[2] for row in leads)
    key_of = {row[1]: row[2] for row in leads}
    lead_ids = {row[0]: row[1] for row in leads}
    missing = sorted(success_emails - set(lead_emails))
    extra = sorted(set(lead_emails) - success_emails)
    extra_unknown = [e for e in extra if e in stats.unknown]
    extra_other = [e for e in extra if e not in stats.unknown]
    dup_email = sum(c - 1 for c in lead_emails.values() if c > 1)
    dup_key = sum(c - 1 for c in lead_keys.values() if c > 1)
    key_mismatch = [e for e, k in stats.successes.items() if k and e in key_of and key_of[e] != k]
    spam = sum(1 for row in leads if row[3] == "spam")

    throughput = len(success_emails) / elapsed if elapsed else 0.0
    steps = stats.latency["step"]
    say()
    say(f"Readers: {stats.runs} runs, {len(success_emails)} successful submits, {len(stats.unknown)} unknown outcome, "
        f"{sum(stats.failed.values())} failed/abandoned; {elapsed:.1f} s")  # fmt: skip
    for reason, count in stats.failed.most_common():
        sample = " ".join(stats.samples.get(reason, "").split())[:160]
        say(f"  {count} x {reason}" + (f"  [{sample}]" if sample else ""))
    rows = []
    for kind in ("page", "step", "step page", "submit", "repeat submit", "done page"):
        values = stats.latency[kind]
        codes = ", ".join(f"{k}: {v}" for k, v in sorted(stats.statuses[kind].items(), key=str))
        rows.append(
            [
                kind,
                len(values),
                f"{statistics.median(values) * 1000:.0f}" if values else "-",
                f"{percentile(values, 95) * 1000:.0f}" if values else "-",
                stats.retries[kind],
                codes,
            ]
        )
    say(table(["request", "answered", "p50 ms", "p95 ms", "retries", "statuses"], rows))
    p50 = statistics.median(stats.submit_latency) * 1000 if stats.submit_latency else float("nan")
    p95 = percentile(stats.submit_latency, 95) * 1000
    say(f"Throughput: {throughput:.2f} completed submissions/s; final submit (retries included) "
        f"p50 {p50:.0f} ms, p95 {p95:.0f} ms; steps p95 {percentile(steps, 95) * 1000:.0f} ms; "
        f"submits that needed a retry: {stats.submits_retried}")  # fmt: skip
    say(
        f"Repeated submits (double clicks): {stats.repeats[True]} answered done, {stats.repeats[False]} did not"
    )

    exact = not missing and not extra
    say()
    say(table(
        ["check", "value"],
        [
            ["successful submits", len(success_emails)],
            ["leads in the database (this run)", len(leads)],
            ["submits with unknown outcome", len(stats.unknown)],
            ["  of which have a lead", len(extra_unknown)],
            ["successful submits without a lead (LOST)", len(missing)],
            ["leads without a successful or unknown submit", len(extra_other)],
            ["e-mail sets equal exactly", "yes" if exact else "no"],
            ["submission keys read from the readers' tokens", sum(1 for k in stats.successes.values() if k)],
            ["submission keys match the readers' tokens", "yes" if not key_mismatch else f"no ({len(key_mismatch)})"],
            ["duplicate leads by e-mail", dup_email],
            ["duplicate leads by submission key", dup_key],
            ["leads marked as spam", spam],
        ],
    ))  # fmt: skip
    for e in missing[:5]:
        say(f"  LOST: {e}")
    lead_ok = (
        not missing
        and not extra_other
        and not dup_email
        and not dup_key
        and not key_mismatch
        and not stats.repeats[False]
    )

    # Deliveries -------------------------------------------------------------------
    by_lead = defaultdict(Counter)
    status_table = defaultdict(Counter)
    attempts = Counter()
    for _id, lead_id, _email, kind, status, tries, _next, _error in deliveries:
        by_lead[lead_id][kind] += 1
        status_table[kind][status] += 1
        attempts[kind] += tries
    statuses = ["succeeded", "pending", "retrying", "gave_up"]
    say()
    say(table(
        ["delivery", *statuses, "attempts"],
        [[kind, *[status_table[kind][s] for s in statuses], attempts[kind]] for kind in sorted(status_table)],
    ))  # fmt: skip
    incomplete = [lid for lid in lead_ids if any(by_lead[lid][kind] != 1 for kind in EXPECTED_KINDS)]
    not_succeeded = [row for row in deliveries if row[4] != "succeeded"]
    for row in not_succeeded[:5]:
        say(f"  delivery {row[0]} ({row[3]}, lead {row[1]}): {row[4]}, {row[5]} attempts, {row[7][:120]}")

    confirmations, sales = Counter(), Counter()
    for mail in mails:
        reply_to = mail.header("Reply-To").strip().lower()
        for rcpt in mail.rcpt_to:
            if rcpt in lead_emails:
                confirmations[rcpt] += 1
        if reply_to in lead_emails and reply_to not in mail.rcpt_to:
            sales[reply_to] += 1
    ok_calls = [c for c in calls if c.status == 200]
    per_key = Counter(c.submission_key for c in ok_calls)
    bad_signatures = sum(1 for c in calls if not c.signature_ok)
    mails_ok = all(sales[e] >= 1 and confirmations[e] >= 1 for e in lead_emails)
    hooks_ok = all(per_key[row[2]] >= 1 for row in leads) and not bad_signatures
    say(table(
        ["target", "value"],
        [
            ["mails received for the leads of this run", len(mails)],
            ["sales notifications: leads with >= 1", f"{sum(1 for e in lead_emails if sales[e])} / {len(lead_emails)}"],
            ["sales notifications: repeats", sum(max(0, sales[e] - 1) for e in lead_emails)],
            ["reader confirmations: leads with >= 1", f"{sum(1 for e in lead_emails if confirmations[e])} / {len(lead_emails)}"],
            ["reader confirmations: repeats", sum(max(0, confirmations[e] - 1) for e in lead_emails)],
            ["webhook calls answered 200 / 500", f"{len(ok_calls)} / {sum(1 for c in calls if c.status == 500)}"],
            ["webhook: leads received >= 1", f"{sum(1 for row in leads if per_key[row[2]])} / {len(leads)}"],
            ["webhook: repeats of a received lead", sum(max(0, n - 1) for n in per_key.values())],
            ["webhook: bad signatures", bad_signatures],
            ["leads without their 3 deliveries", len(incomplete)],
        ],
    ))  # fmt: skip
    for note in notes:
        say(f"  {note}")
    deliveries_ok = not not_succeeded and not incomplete and mails_ok and hooks_ok
    verdict = "yes" if deliveries_ok else "no"
    if deliveries_ok and orphans and bench.args.no_cron:
        # Without the retry_deliveries timer a worker's lost task is never attempted again.
        deliveries_ok = False
        verdict = f"no ({orphans} only after manage.py retry_deliveries, which --no-cron leaves out)"
    say(f"NO LEAD LOST: {'yes' if lead_ok else 'no'}")
    say(f"ALL DELIVERIES SUCCEEDED: {verdict}")
    return Outcome(
        mode,
        lead_ok,
        deliveries_ok,
        {
            "submits": len(success_emails),
            "leads": len(leads),
            "per_s": throughput,
            "p50": p50,
            "p95": p95,
            "steps_p95": percentile(steps, 95) * 1000,
            "retried": stats.submits_retried,
            "unknown": len(stats.unknown),
        },
    )


# --------------------------------------------------------------------------- targets

SUBMIT_P95_TARGET_MS = 150.0
THROUGHPUT_TARGET = 3.0
THROUGHPUT_LINE = re.compile(r"Throughput: ([0-9.]+) completed submissions/s")


def baseline_throughput(args):
    """Completed wizards/s of an older commit, by its own ``benchmarks/load.py`` on its own stack.

    The commit is exported (``git archive``, no checkout of this tree) into
    ``.prod-local/baseline-<rev>/`` and run with this virtualenv, the same readers
    and duration, a database of its own and the same ports, after this run's
    stack has stopped: one invocation, one machine, one load.
    """
    rev = subprocess.run(
        ["git", "rev-parse", "--short", args.compare_commit],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    tree = ROOT / ".prod-local" / f"baseline-{rev}"
    if not (tree / "benchmarks" / "load.py").exists():
        tree.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", rev], cwd=ROOT, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    command = [sys.executable, "benchmarks/load.py", "--readers", str(args.readers)]
    command += ["--duration", str(args.duration or 30.0), "--database", f"{args.database}_baseline"]
    command += ["--double-submit", str(args.double_submit)] + (["--fragment"] if args.fragment else [])
    say()
    say(f"=== baseline: commit {rev}'s own load benchmark ({' '.join(command[1:])}) ===")
    process = subprocess.run(command, cwd=tree, capture_output=True, text=True)
    output = process.stdout + process.stderr
    for line in output.splitlines():
        if line.startswith(("Throughput:", "Readers:", "NO LEAD LOST", "error")) or "|" in line[:3]:
            say(f"  {rev}: {line}")
    found = THROUGHPUT_LINE.search(output)
    if not found:
        say(f"  {rev}: no throughput line (exit status {process.returncode}); its last lines:")
        for line in output.splitlines()[-15:]:
            say(f"    {line}")
        return rev, None
    return rev, float(found.group(1))


def report_targets(args, outcomes, baseline):
    """The issue's targets for the final submit and the throughput, each MET or NOT MET; False if one is missed."""
    met = True
    none = next((o for o in outcomes if o.mode == "none"), None)
    if none is None:
        return met
    say()
    if args.pause[1] > 0:
        p95 = none.figures["p95"]
        ok = p95 < SUBMIT_P95_TARGET_MS
        met &= ok
        say(f"TARGET final submit p95 < {SUBMIT_P95_TARGET_MS:.0f} ms with {args.readers} readers pausing "
            f"{args.pause[0]:g}-{args.pause[1]:g} s: {p95:.0f} ms, {'MET' if ok else 'NOT MET'}")  # fmt: skip
    if baseline is not None:
        rev, theirs = baseline
        ours = none.figures["per_s"]
        if theirs:
            ratio = ours / theirs
            ok = ratio >= THROUGHPUT_TARGET
            say(f"TARGET completed wizards/s without pause >= {THROUGHPUT_TARGET:g}x commit {rev}: "
                f"{ours:.2f} / {theirs:.2f} = {ratio:.2f}x, {'MET' if ok else 'NOT MET'}")  # fmt: skip
        else:
            ok = False
            say(
                f"TARGET completed wizards/s >= {THROUGHPUT_TARGET:g}x commit {rev}: no baseline figure, NOT MET"
            )
        met &= ok
    return met


# --------------------------------------------------------------------------- main


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fault", choices=[*MODES, "all"], default="none")
    parser.add_argument("--readers", type=int, default=16, help="concurrent simulated readers (default 16)")
    parser.add_argument(
        "--duration", type=float, default=None, help="seconds of load per mode (default 30, fault modes 40)"
    )
    parser.add_argument(
        "--fault-at", type=float, default=0.5, help="fraction of the run when the fault changes"
    )
    parser.add_argument("--worker-down", type=float, default=5.0, help="seconds the killed worker stays down")
    parser.add_argument(
        "--double-submit",
        type=float,
        default=0.1,
        help="fraction of successful readers who send the final submit twice (default 0.1)",
    )
    parser.add_argument(
        "--fragment", action="store_true", help="send X-LeadWizard: fragment like the JS does"
    )
    parser.add_argument(
        "--retries", type=int, default=4, help="repeats of a request after 502/503/504 or errors"
    )
    parser.add_argument("--timeout", type=float, default=40.0, help="seconds per request")
    parser.add_argument(
        "--pause",
        type=float,
        nargs=2,
        default=[0.0, 0.0],
        metavar=("MIN", "MAX"),
        help="seconds a reader pauses before each step and the final submit, drawn evenly (default: none)",
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=None,
        help="seconds of wizards without pause before each measured run, not measured "
        "(default 10 with --pause, else 0: the throughput is compared with an old commit's run, which has none)",
    )
    parser.add_argument(
        "--compare-commit",
        metavar="REV",
        help="afterwards, run REV's own load benchmark on the same stack layout (no pause) and print the "
        "ratio of completed wizards per second",
    )
    parser.add_argument(
        "--delivery-timeout", type=float, default=120.0, help="seconds to wait for deliveries"
    )
    parser.add_argument(
        "--lease-wait",
        type=float,
        default=60.0,
        help="longest wait for a dead worker's lease before retry_deliveries; 0: no recovery",
    )
    parser.add_argument(
        "--no-cron",
        action="store_true",
        help="judge a deployment without the retry_deliveries timer: deliveries it rescues count as failed",
    )
    parser.add_argument(
        "--gunicorn-workers", type=int, default=None, help="per app server (default: gunicorn.conf)"
    )
    parser.add_argument("--app-servers", type=int, default=2, help="gunicorn app servers (unix sockets)")
    parser.add_argument("--https-port", type=int, default=18443)
    parser.add_argument("--smtp-port", type=int, default=18025)
    parser.add_argument("--webhook-port", type=int, default=18026)
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument("--skip-setup", action="store_true", help="no migrate/collectstatic/load_demo")
    parser.add_argument("--reuse", action="store_true", help="use a bench stack left running by --keep-stack")
    parser.add_argument("--keep-stack", action="store_true", help="leave the stack running at the end")
    parser.add_argument("--stop-stack", action="store_true", help="only stop a bench stack left running")
    args = parser.parse_args(argv)
    if args.pause[0] < 0 or args.pause[1] < args.pause[0]:
        parser.error("--pause needs 0 <= MIN <= MAX")
    if args.warmup is None:
        args.warmup = 10.0 if args.pause[1] > 0 else 0.0
    if args.compare_commit and (args.pause[1] > 0 or args.fault != "none"):
        parser.error("--compare-commit compares runs without pause and without fault")
    if args.app_servers < 2 and args.fault in ("app-server-killed", "all"):
        parser.error("app-server-killed needs two app servers")
    return args


def main(argv=None):
    args = parse_args(argv)
    if args.stop_stack:
        say("stopped" if prod_local.stop_stack(RUN_DIR) else "no bench stack recorded")
        return 0

    def terminate(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    for port in (args.smtp_port, args.webhook_port):
        if not port_is_free(port):
            say(f"port {port} is in use; pass --smtp-port / --webhook-port")
            return 1
    secret = secrets.token_urlsafe(24)
    sink = SmtpSink(args.smtp_port).start()
    hook = WebhookReceiver(secret, args.webhook_port).start()
    stack = db = None
    owned = False
    outcomes = []
    try:
        started = time.monotonic()
        stack, owned = start_bench_stack(args)
        say(f"stack up in {time.monotonic() - started:.0f} s: {stack.base_url}, app servers on "
            f"{', '.join(str(path) for path in stack.app_sockets)}, "
            f"database {args.database}; SMTP sink :{sink.port}, webhook {hook.url}")  # fmt: skip
        configure_webhook(stack, hook.url, secret)
        db = Db(args.database)
        # Readers of one invocation take consecutive addresses from a random point of 127.0.0.0/8.
        address = random.randrange(1 << 16, (1 << 24) - (1 << 18))
        for mode in MODES if args.fault == "all" else [args.fault]:
            outcomes.append(run_mode(mode, stack, sink, hook, db, args, address))
            address += 1 << 16
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    except prod_local.StackError as exc:
        say(f"error: {exc}")
        return 1
    finally:
        if db is not None:
            db.close()
        sink.stop()
        hook.stop()
        if stack is not None and owned and not args.keep_stack:
            stack.stop()
            say("stack stopped")

    if len(outcomes) > 1:
        say()
        say(table(
            ["mode", "submits", "leads", "subm/s", "p50 ms", "p95 ms", "steps p95", "retried", "unknown", "no lead lost", "deliveries"],
            [
                [o.mode, o.figures["submits"], o.figures["leads"], f"{o.figures['per_s']:.2f}",
                 f"{o.figures['p50']:.0f}", f"{o.figures['p95']:.0f}", f"{o.figures['steps_p95']:.0f}",
                 o.figures["retried"], o.figures["unknown"], "yes" if o.lead_ok else "no",
                 "yes" if o.deliveries_ok else "no"]
                for o in outcomes
            ],
        ))  # fmt: skip
    baseline = baseline_throughput(args) if args.compare_commit and outcomes else None
    targets_met = report_targets(args, outcomes, baseline)
    return 0 if outcomes and targets_met and all(o.lead_ok and o.deliveries_ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
