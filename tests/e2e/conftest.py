"""Browser fixtures: Debian's Chromium driven by Playwright against pytest-django's live server.

The live server runs in a thread of the test process against the suite's test
database; each test starts from the full demo content (load_demo once, then a
snapshot of it put back). On failure
a screenshot and the page HTML are saved under test-artifacts/e2e/.
"""

import io
import os
import re
import shutil
import threading
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.e2e.snapshot import DatabaseSnapshot

# Playwright's sync API runs an event loop in this thread; the ORM calls the
# tests make between browser steps are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
AXE_SCRIPT = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: install Debian's chromium package (make test does).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _save_artifacts(request, pages):
    report = getattr(request.node, "report_call", None)
    if report is None or not report.failed:
        return
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.nodeid)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    for number, page in enumerate(pages):
        try:
            page.screenshot(path=str(folder / f"page{number}.png"), full_page=True)
            (folder / f"page{number}.html").write_text(page.content(), encoding="utf-8")
        except Exception as exc:  # noqa: BLE001 - a closed page must not hide the real failure
            (folder / f"page{number}.error.txt").write_text(str(exc), encoding="utf-8")
    print(f"\nE2E artefacts (screenshot and HTML) saved in {folder}")


@pytest.fixture
def new_page(browser, request):
    """Factory for pages in fresh browser contexts (``javascript=False`` for a no-JS reader)."""
    contexts, pages = [], []

    def make(javascript=True, viewport=None, locale="de-DE"):
        context = browser.new_context(
            java_script_enabled=javascript,
            viewport=viewport or {"width": 1280, "height": 900},
            locale=locale,
            accept_downloads=True,
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.console_errors = []
        page.on(
            "console", lambda message: message.type == "error" and page.console_errors.append(message.text)
        )
        page.on("pageerror", lambda error: page.console_errors.append(str(error)))
        contexts.append(context)
        pages.append(page)
        return page

    yield make
    _save_artifacts(request, pages)
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture(scope="session")
def demo_snapshot():
    """The database right after the session's one ``load_demo`` (filled by the first ``demo``)."""
    return {}


class RequestsInFlight:
    """The live server's WSGI application, counting the requests it has not finished answering.

    Why: with SQLite in memory the live server's threads use the test's own
    database connection. A request still being answered when the test ends (an
    image rendition the browser asked for before it closed) held a table while
    the test's database was emptied: "database table is locked" at teardown.
    """

    def __init__(self, app):
        self.app = app
        self.count = 0
        self.changed = threading.Condition()

    def __call__(self, environ, start_response):
        with self.changed:
            self.count += 1
        try:
            return _Answer(self.app(environ, start_response), self.finished)
        except BaseException:
            self.finished()
            raise

    def finished(self):
        with self.changed:
            self.count -= 1
            self.changed.notify_all()

    def wait_until_idle(self, timeout=15):
        with self.changed:
            return self.changed.wait_for(lambda: self.count == 0, timeout)


class _Answer:
    """A WSGI response whose ``close()``, which the server calls when it is sent, also says it is finished."""

    def __init__(self, result, finished):
        self.result, self.finished = result, finished

    def __iter__(self):
        return iter(self.result)

    def close(self):
        try:
            close = getattr(self.result, "close", None)
            if close is not None:
                close()
        finally:
            self.finished()


@pytest.fixture
def demo(transactional_db, migration_data, live_server, settings, demo_snapshot):
    """The demo site (articles, translations, questionnaire, vendors) served by the live server.

    Loaded once per session, then put back from a snapshot before each test (snapshot.py).
    At the end it waits for the server to finish every request before the database is emptied.
    """
    settings.LEADWIZARD_MIN_SECONDS = 0
    server = live_server.thread.httpd
    if not isinstance(server.get_app(), RequestsInFlight):
        server.set_app(RequestsInFlight(server.get_app()))
    if "database" in demo_snapshot:
        demo_snapshot["database"].restore()
    else:
        host, port = live_server.url.split("//")[1].split(":")
        call_command("load_demo", hostname=host, port=int(port), no_leads=True, stdout=io.StringIO())
        demo_snapshot["database"] = DatabaseSnapshot()
    yield live_server
    server.get_app().wait_until_idle()


@pytest.fixture
def axe():
    return run_axe


@pytest.fixture
def axe_best_practices():
    """Like ``axe``, plus axe-core's best-practice rules (landmarks, heading order, region, ...)."""
    return lambda page, context=None: run_axe(page, context, best_practices=True)


WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def run_axe(page, context=None, best_practices=False):
    """Violations of the WCAG 2.0/2.1/2.2 A and AA rules on the current page (or inside ``context``).

    ``best_practices=True`` adds the rules axe-core tags ``best-practice``: not WCAG
    failures, but what search engines and screen-reader users trip over (duplicate
    landmarks, skipped heading levels, content outside landmarks).
    """
    if not AXE_SCRIPT.exists():
        pytest.fail(f"axe-core is missing at {AXE_SCRIPT}: run `npm ci --prefix tests/e2e` (make test does).")
    if not page.evaluate("() => Boolean(window.axe)"):
        # Evaluated rather than added as a <script> tag: the pages' CSP allows no inline scripts.
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    return page.evaluate(
        """async ([selector, tags]) => {
            const results = await axe.run(selector ? document.querySelector(selector) : document, {
                runOnly: {type: "tag", values: tags},
            });
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: " + n.failureSummary),
            }));
        }""",
        [context, WCAG_TAGS + (["best-practice"] if best_practices else [])],
    )
