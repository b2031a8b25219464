"""Benchmark page serving behind gunicorn: the floor, our article cold and warm, and the static ceiling.

Run from the project root (PostgreSQL and Redis on 127.0.0.1, Debian's ``wrk``):

    .venv/bin/python benchmarks/pages.py
    .venv/bin/python benchmarks/pages.py --duration 20 --connections 16 --workers 2

Uses a database of its own (``--database-url``, created when missing), migrated
and filled with the demo content, and a Redis database of its own for the cache.
It adds one plain Wagtail ``StandardPage`` next to the article (same depth in the
page tree) whose rich-text body holds the same text as the article's body: the
floor, a Wagtail page with a comparable body and nothing of ours on it. Then, with production settings, one gunicorn on
127.0.0.1 at a time:

- page cache off: the plain page (floor), the article with its related teasers
  and the wizard (cold), and a static file through whitenoise (ceiling);
- page cache on (Redis): the article again (warm), and the static file again.

Each is loaded with ``wrk`` for ``--duration`` seconds after a warm-up and
prints requests/s and p50/p99 latency. Queries per request come from one request
of each through Django's test client in this process, with the same settings.
Then the ratios and whether the targets are met: uncached article at least 0.8x
the plain page, cached article at least 0.5x the static file. Exit status 1 when
one is missed.
"""

import argparse
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
ARTICLE = "/magazin/crm-einfuehrung-im-mittelstand/"
FLOOR_SLUG = "benchmark-schlichte-seite"
TARGETS = {"uncached article / plain page": 0.8, "cached article / static file": 0.5}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/crmportal_bench_pages")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/5")
    parser.add_argument("--port", type=int, default=8091)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="gunicorn workers")
    parser.add_argument("--duration", type=int, default=15, help="seconds of load per target")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of load before measuring")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    return parser.parse_args()


def environment(args, cache_enabled):
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="website.settings.production",
        SECRET_KEY=env.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DATABASE_URL=args.database_url,
        DATABASE_CONN_MAX_AGE="600",
        REDIS_URL=args.redis_url,
        SECURE_SSL_REDIRECT="0",
        PAGE_CACHE_ENABLED="1" if cache_enabled else "0",
        LOG_LEVEL="WARNING",
        LOG_FORMAT="text",
        PYTHONPATH=str(PROJECT_DIR),
    )
    return env


def manage(env, *command):
    subprocess.run([PYTHON, "manage.py", *command], cwd=PROJECT_DIR, env=env, check=True)


def django_shell(env, code):
    """What ``code`` prints, run by ``manage.py shell`` with ``env``'s settings."""
    return subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", code],
        cwd=PROJECT_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def ensure_database(url):
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username or "postgres", dbname="postgres"
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


FLOOR_SCRIPT = f"""
from wagtail.models import Page
from articles.models import ArticlePage
from website.models import StandardPage

article = ArticlePage.objects.get(url_path__endswith="{ARTICLE}", locale__language_code="de")
parts = []
for child in article.body:
    if child.block_type in ("paragraph", "heading", "quote"):
        parts.append(child.render())
body = "".join(str(part) for part in parts)
# A sibling of the article, so that Wagtail's routing walks the same depth for both.
parent = article.get_parent()
page = StandardPage.objects.child_of(parent).filter(slug="{FLOOR_SLUG}").first()
if page is None:
    page = StandardPage(title=article.title, slug="{FLOOR_SLUG}", body=body)
    parent.add_child(instance=page)
else:
    page.title, page.body = article.title, body
page.save_revision().publish()
print(page.url, len(body))
"""


def prepare(args):
    env = environment(args, cache_enabled=False)
    ensure_database(args.database_url)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    manage(env, "compile_catalogues")
    manage(env, "load_demo", "--hostname", "127.0.0.1", "--port", str(args.port))
    output = django_shell(env, FLOOR_SCRIPT).split()
    floor_url, body_chars = output[-2], int(output[-1])
    static_url = find_static_file(env)
    return floor_url, body_chars, static_url


def find_static_file(env):
    """The hashed name of the site's stylesheet, as pages link it."""
    code = "from django.templatetags.static import static; print(static('website/css/site.css'))"
    return django_shell(env, code).strip().splitlines()[-1]


class Gunicorn:
    def __init__(self, args, env):
        self.url = f"http://127.0.0.1:{args.port}"
        self.process = subprocess.Popen(
            [
                str(Path(PYTHON).with_name("gunicorn")),
                "website.wsgi:application",
                "--bind",
                f"127.0.0.1:{args.port}",
                "--workers",
                str(args.workers),
                "--log-level",
                "warning",
            ],
            cwd=PROJECT_DIR,
            env=env,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/robots.txt", timeout=2).read()  # noqa: S310 - loopback
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit("gunicorn did not start")

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


LATENCY_RE = re.compile(r"^\s*(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def load(args, url):
    """(requests/s, p50 ms, p99 ms, non-2xx count) for ``url`` under wrk."""
    base = ["wrk", f"-t{args.threads}", f"-c{args.connections}", "--latency"]
    subprocess.run([*base, f"-d{args.warmup}s", url], check=True, capture_output=True)
    output = subprocess.run(
        [*base, f"-d{args.duration}s", url], check=True, capture_output=True, text=True
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = {p: float(v) * UNIT[u] for p, v, u in LATENCY_RE.findall(output)}
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return rate, latency.get("50"), latency.get("99"), int(errors.group(1)) if errors else 0


def count_queries(env, urls):
    """Queries of the second request to each URL (the first warms Wagtail's caches), in a child process."""
    code = f"""
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
for url in {urls!r}:
    client = Client(HTTP_HOST="127.0.0.1")
    assert client.get(url).status_code == 200, url
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    print("QUERIES", url, len(queries))
"""
    counts = {}
    for line in django_shell(env, code).splitlines():
        if line.startswith("QUERIES "):
            _marker, url, count = line.split()
            counts[url] = int(count)
    return counts


def flush_redis(url):
    import redis

    redis.Redis.from_url(url).flushdb()


def main():
    args = parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")
    print(f"Preparing {args.database_url} (migrate, collectstatic, demo content, plain page) ...", flush=True)
    floor_url, body_chars, static_url = prepare(args)
    print(f"plain page {floor_url} ({body_chars} characters of body), static file {static_url}")

    rows = []
    for cache_enabled, targets in (
        (
            False,
            [
                ("plain Wagtail page (floor)", floor_url),
                ("article, cache off", ARTICLE),
                ("static file", static_url),
            ],
        ),
        (True, [("article, cache on", ARTICLE), ("static file, again", static_url)]),
    ):
        env = environment(args, cache_enabled)
        flush_redis(args.redis_url)
        queries = count_queries(env, [url for _label, url in targets if not url.startswith("/static/")])
        flush_redis(args.redis_url)
        server = Gunicorn(args, env)
        try:
            for label, url in targets:
                rate, p50, p99, errors = load(args, server.url + url)
                rows.append((label, rate, p50, p99, queries.get(url, 0), errors))
        finally:
            server.stop()

    print()
    print(
        f"gunicorn {args.workers} sync workers on 127.0.0.1, wrk {args.threads} threads × "
        f"{args.connections} connections, {args.duration} s each (after {args.warmup} s warm-up), "
        f"{os.cpu_count()} CPU cores shared by server and load"
    )
    print(f"{'target':<30} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'queries':>8} {'errors':>7}")
    for label, rate, p50, p99, queries, errors in rows:
        print(f"{label:<30} {rate:>9.1f} {p50:>8.2f} {p99:>8.2f} {queries:>8} {errors:>7}")
    by_label = {row[0]: row[1] for row in rows}
    ratios = {
        "uncached article / plain page": by_label["article, cache off"]
        / by_label["plain Wagtail page (floor)"],
        "cached article / static file": by_label["article, cache on"] / by_label["static file, again"],
    }
    print()
    missed = False
    for name, ratio in ratios.items():
        met = ratio >= TARGETS[name]
        missed |= not met
        print(f"{name:<32} {ratio:5.2f}x  (target at least {TARGETS[name]}x: {'MET' if met else 'NOT MET'})")
    errors = sum(row[5] for row in rows)
    if errors:
        print(f"{errors} responses were not 2xx/3xx")
    return 1 if missed or errors else 0


if __name__ == "__main__":
    sys.exit(main())
