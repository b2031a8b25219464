"""Regenerate the screenshots in docs/screenshots/ (run by ``make screenshots``).

Builds a throwaway SQLite database with the demo content in a temporary folder,
serves it with ``manage.py runserver`` on a free port, drives the CRM-Auswahl
wizard in Debian's Chromium (Playwright) and photographs the article, every
wizard step, the result, and the leads admin with its reports. The developer's
db.sqlite3 and media/ are never touched.
"""

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import wagtail

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

OUT = ROOT / "docs" / "screenshots"
HOST = "127.0.0.1"
ARTICLE = "/magazin/crm-einfuehrung-im-mittelstand/"
WIZARD = "[data-leadwizard]"
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 390, "height": 844}
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
# The wizard marks leads whose contact step comes sooner than LEADWIZARD_MIN_SECONDS (5)
# after the first answered step as spam.
MIN_SECONDS = 6
# The admin shows Gravatar pictures; offline, Wagtail's own default avatar stands in.
DEFAULT_AVATAR = Path(wagtail.__file__).parent / "admin/static/wagtailadmin/images/default-user-avatar.png"
MAX_HEIGHT = 4000

# Extra readers, so that the admin listing and the reports have some rows.
EXTRA_READERS = [
    {
        "answers": [
            {"industry": "beratung"},
            {"employees": "8", "users": "5"},
            {"uses": ["kontaktverwaltung", "projekte"]},
            {"integrations": ["email_kalender", "buchhaltung"]},
            {"intro_time": "asap"},
            {
                "time_tracking": "yes",
                "market": "b2b",
                "multi_branch": "no",
                "international": "no",
                "german_hq": "yes",
            },
        ],
        "contact": {"name": "Jonas Becker", "email": "j.becker@kanzlei-becker.example"},
        "company": "Kanzlei Becker & Partner",
    },
    {
        "answers": [
            {"industry": "handel"},
            {"employees": "120", "users": "35"},
            {"uses": ["marketing", "kundenservice", "reporting"]},
            {"integrations": ["onlineshop", "newsletter"]},
            {"intro_time": "months_3_6"},
            {
                "time_tracking": "no",
                "market": "b2c",
                "multi_branch": "yes",
                "international": "yes",
                "german_hq": "no",
            },
        ],
        "contact": {"name": "Aylin Demir", "email": "aylin.demir@shopwelt.example"},
        "company": "Shopwelt GmbH",
    },
    {
        "answers": [
            {"industry": "industrie"},
            {"employees": "450", "users": "60"},
            {"uses": ["vertrieb", "aussendienst"]},
            {"integrations": ["erp"]},
            {"intro_time": "months_6_plus"},
            {
                "time_tracking": "no",
                "market": "both",
                "multi_branch": "yes",
                "international": "yes",
                "german_hq": "yes",
            },
        ],
        "contact": {"name": "Thomas Krüger", "email": "t.krueger@maschinenbau-krueger.example"},
        "company": "Maschinenbau Krüger KG",
    },
]

# Give the leads some life in the admin: statuses, an assignee and a note.
LEAD_STATUS_SNIPPET = """
from django.contrib.auth import get_user_model
from leadwizard.models import Lead, LeadNote
admin = get_user_model().objects.get(username="admin")
updates = {
    "t.krueger@maschinenbau-krueger.example": dict(status=Lead.Status.IN_PROGRESS, assignee=admin),
    "aylin.demir@shopwelt.example": dict(status=Lead.Status.SHORTLIST_SENT, assignee=admin),
}
for email, values in updates.items():
    Lead.objects.filter(email=email).update(**values)
for lead in Lead.objects.filter(email="t.krueger@maschinenbau-krueger.example"):
    LeadNote.objects.create(lead=lead, author=admin, author_name="admin", text="Rückruf am Donnerstag vereinbart.")
print(Lead.objects.count(), Lead.objects.filter(status=Lead.Status.SPAM).count())
"""


class ScreenshotError(Exception):
    pass


def log(message):
    print(f"screenshots: {message}", flush=True)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def manage(env, *args):
    """Run ``manage.py`` with ``args``; raise with its output when it fails."""
    command = [sys.executable, str(ROOT / "manage.py"), *args]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode:
        raise ScreenshotError(
            f"`manage.py {' '.join(args[:2])}` failed (exit {result.returncode}):\n"
            f"{result.stdout[-3000:]}{result.stderr[-3000:]}"
        )
    return result.stdout


def wait_until_up(url, server, server_log, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise ScreenshotError(f"runserver exited with {server.returncode}:\n{tail(server_log)}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our own local server
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise ScreenshotError(f"runserver did not answer {url} within {timeout}s:\n{tail(server_log)}")


def tail(path, chars=3000):
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")[-chars:]
    except OSError:
        return ""


class Shooter:
    """Opens browser pages against the demo server and saves numbered screenshots."""

    def __init__(self, browser, base_url, out):
        self.browser = browser
        self.base_url = base_url
        self.out = out
        self.number = 0
        self.saved = []
        self.avatar = DEFAULT_AVATAR.read_bytes() if DEFAULT_AVATAR.exists() else None

    def route(self, route):
        """Serve only our own server: no request may leave the machine."""
        url = route.request.url
        if url.startswith(self.base_url + "/"):
            route.continue_()
        elif "gravatar.com/" in url and self.avatar:
            route.fulfill(status=200, content_type="image/png", body=self.avatar)
        else:
            route.abort()

    def new_page(self, viewport=DESKTOP, mobile=False):
        context = self.browser.new_context(
            viewport=viewport,
            locale="de-DE",
            timezone_id="Europe/Berlin",
            is_mobile=mobile,
            has_touch=mobile,
            device_scale_factor=1,
            reduced_motion="reduce",
        )
        context.set_default_timeout(20_000)
        context.route("**/*", self.route)
        page = context.new_page()
        page.problems = []
        page.on("pageerror", lambda error: page.problems.append(f"JavaScript error: {error}"))
        page.on(
            "response",
            lambda response: (
                response.status >= 400
                and response.url.startswith(self.base_url)
                and page.problems.append(f"HTTP {response.status} for {response.url}")
            ),
        )
        return page

    def goto(self, page, path):
        response = page.goto(self.base_url + path)
        if response is None or response.status != 200:
            status = response.status if response else "no response"
            raise ScreenshotError(f"GET {path} answered {status}")
        page.wait_for_load_state("networkidle")

    def check(self, page, name):
        if page.problems:
            raise ScreenshotError(f"{name}: the page had errors: {'; '.join(page.problems)}")
        text = page.locator("body").inner_text()
        for marker in ("Traceback", "Server Error", "Page not found", "Seite nicht gefunden", "Forbidden"):
            if marker in text:
                raise ScreenshotError(f"{name}: the page shows an error ({marker!r}) at {page.url}")

    def path(self, name):
        self.number += 1
        return self.out / f"{self.number:02d}-{name}.png"

    def done(self, path):
        self.saved.append(path)
        log(f"saved {path.name}")

    def save_page(self, page, name, full_page=False):
        """The viewport, or with ``full_page`` the whole page.

        The Wagtail admin scrolls inside <main> rather than the document; for a full
        page there the viewport grows to the height of <main>'s content.
        """
        path = self.path(name)
        self.check(page, path.name)
        viewport = page.viewport_size
        inner = page.evaluate(
            """() => {
                const main = document.querySelector("main");
                return main && main.scrollHeight > main.clientHeight + 1 ? main.scrollHeight : 0;
            }"""
        )
        if full_page and inner:
            page.set_viewport_size({"width": viewport["width"], "height": min(inner, MAX_HEIGHT)})
            page.wait_for_timeout(200)
        try:
            page.screenshot(path=str(path), full_page=full_page, animations="disabled")
        finally:
            if full_page and inner:
                page.set_viewport_size(viewport)
        self.done(path)

    def save_element(self, locator, name):
        """Just ``locator``'s box (the wizard), without focus rings from the last click or fill."""
        path = self.path(name)
        self.check(locator.page, path.name)
        locator.page.evaluate("() => document.activeElement && document.activeElement.blur()")
        locator.scroll_into_view_if_needed()
        locator.screenshot(path=str(path), animations="disabled")
        self.done(path)


def wait_for_step(page, number, total=7):
    from playwright.sync_api import expect

    expect(page.locator(f"{WIZARD} .leadwizard__progress-label")).to_have_text(
        f"Schritt {number} von {total}"
    )


def first_step(page, answers):
    """Answer step 1; returns when the wizard's clock started (spam check)."""
    from tests.e2e.browser import fill_step, press_next

    wait_for_step(page, 1)
    fill_step(page, answers)
    press_next(page)
    wait_for_step(page, 2)
    return time.monotonic()


def submit_contact(page, started):
    """Submit the contact step, not faster than the wizard's spam threshold."""
    remaining = MIN_SECONDS - (time.monotonic() - started)
    if remaining > 0:
        page.wait_for_timeout(remaining * 1000)
    page.locator(WIZARD).locator('button[value="submit"]').click()


def reader_journey(shooter):
    """The German reader: article, every wizard step, result, success and longlist."""
    from playwright.sync_api import expect

    from tests.e2e.browser import DEMO_ANSWERS, fill_contact, fill_step, press_next

    page = shooter.new_page()
    shooter.goto(page, ARTICLE)
    wizard = page.locator(WIZARD)
    expect(wizard).to_have_count(1)
    expect(wizard).to_contain_text("Starten Sie Ihre CRM-Auswahl")
    shooter.save_page(page, "article", full_page=True)

    wait_for_step(page, 1)
    fill_step(page, DEMO_ANSWERS[0])
    shooter.save_element(wizard, "wizard-step-1")
    press_next(page)
    wait_for_step(page, 2)
    started = time.monotonic()
    for number, answers in enumerate(DEMO_ANSWERS[1:], start=2):
        wait_for_step(page, number)
        fill_step(page, answers)
        shooter.save_element(wizard, f"wizard-step-{number}")
        press_next(page)

    wait_for_step(page, 7)
    expect(wizard.locator(".leadwizard__count")).to_contain_text(re.compile(r"\d+ Systeme? gefunden"))
    fill_contact(page)
    shooter.save_element(wizard, "wizard-contact")
    submit_contact(page, started)
    expect(wizard).to_contain_text("Ihre Anfrage ist erfolgreich bei uns eingegangen")
    shooter.save_element(wizard, "wizard-success")

    page.get_by_role("link", name="Longlist anzeigen").click()
    expect(wizard.locator(".leadwizard__vendor").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    shooter.save_element(wizard, "wizard-longlist")
    page.context.close()


def mobile_step(shooter):
    """A phone-sized reader on step 3 (multiple choice)."""
    from tests.e2e.browser import DEMO_ANSWERS, fill_step, press_next

    page = shooter.new_page(viewport=MOBILE, mobile=True)
    shooter.goto(page, ARTICLE)
    first_step(page, DEMO_ANSWERS[0])
    fill_step(page, DEMO_ANSWERS[1])
    press_next(page)
    wait_for_step(page, 3)
    fill_step(page, DEMO_ANSWERS[2])
    shooter.save_element(page.locator(WIZARD), "wizard-mobile")
    page.context.close()


def submit_extra_readers(shooter):
    """Further readers, so that the lead listing and the reports have several rows.

    All of them answer step 1 first, so that their waits for the spam threshold overlap.
    """
    from playwright.sync_api import expect

    from tests.e2e.browser import fill_contact, fill_step, press_next

    readers = []
    for reader in EXTRA_READERS:
        page = shooter.new_page()
        shooter.goto(page, ARTICLE)
        readers.append((page, reader, first_step(page, reader["answers"][0])))
    for page, reader, started in readers:
        for number, answers in enumerate(reader["answers"][1:], start=2):
            wait_for_step(page, number)
            fill_step(page, answers)
            press_next(page)
        wait_for_step(page, 7)
        fill_contact(page, **reader["contact"])
        page.locator(WIZARD).locator('input[name="contact-company"]').fill(reader["company"])
        submit_contact(page, started)
        expect(page.locator(WIZARD)).to_contain_text("Ihre Anfrage ist erfolgreich bei uns eingegangen")
        shooter.check(page, reader["contact"]["name"])
        page.context.close()


def admin_pages(shooter, password):
    from playwright.sync_api import expect

    page = shooter.new_page()
    # A collapsed sidebar leaves the lead table room for its columns; Wagtail keeps that choice in a cookie.
    page.context.add_cookies([{"name": "wagtail_sidebar_collapsed", "value": "1", "url": shooter.base_url}])
    shooter.goto(page, "/admin/login/")
    page.locator('input[name="username"]').fill("admin")
    page.locator('input[name="password"]').fill(password)
    page.locator('button[type="submit"]').click()
    expect(page).to_have_url(shooter.base_url + "/admin/")

    shooter.goto(page, "/admin/leadwizard/leads/")
    rows = page.locator("table.listing tbody tr")
    expect(rows).to_have_count(1 + len(EXTRA_READERS))
    shooter.save_page(page, "admin-leads")

    rows.filter(has_text="Erika Mustermann").locator('a[href*="/inspect/"]').first.click()
    expect(page).to_have_url(re.compile(r"/admin/leadwizard/leads/inspect/\d+/$"))
    page.wait_for_load_state("networkidle")
    expect(page.locator("main")).to_contain_text("Erika Mustermann")
    shooter.save_page(page, "admin-lead-inspect", full_page=True)

    for report in ("conversion", "funnel"):
        shooter.goto(page, f"/admin/leadwizard/reports/{report}/")
        expect(page.locator("main table").first).to_be_visible()
        shooter.save_page(page, f"admin-report-{report}", full_page=True)

    # The consultant's side: the queue, a shortlist with its preview, the lead's timeline after sending.
    shooter.goto(page, "/admin/leadwizard/consult/")
    queue = page.locator("table.listing tbody tr")
    expect(queue.first).to_be_visible()
    shooter.save_page(page, "consult-queue")
    queue.filter(has_text="Erika Mustermann").locator('a[href*="/shortlist/"]').click()
    page.locator('textarea[name="message"]').fill(
        "Guten Tag Frau Mustermann,\n\nvielen Dank für das Gespräch. Diese Anbieter empfehle ich Ihnen; "
        "mit den ersten dreien würde ich beginnen."
    )
    page.locator('button[value="preview"]').click()
    expect(page.locator("iframe[sandbox]")).to_be_visible()
    shooter.save_page(page, "consult-shortlist-preview", full_page=True)
    page.locator('button[value="send"]').click()
    expect(page).to_have_url(re.compile(r"/admin/leadwizard/leads/inspect/\d+/$"))
    page.wait_for_load_state("networkidle")
    expect(page.locator("#lead-timeline")).to_be_visible()
    shooter.save_page(page, "consult-lead-after-sending", full_page=True)
    page.context.close()


def shrink(path):
    """Quantise a screenshot to 256 colours: about a third of the size, text stays sharp."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(
            colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
    small.save(path, "PNG", optimize=True)


def set_lead_statuses(env):
    """Statuses and an assignee for some leads; fails when the wizard took any lead for spam."""
    total, spam = (int(n) for n in manage(env, "shell", "-c", LEAD_STATUS_SNIPPET).split()[-2:])
    if total != 1 + len(EXTRA_READERS) or spam:
        raise ScreenshotError(
            f"expected {1 + len(EXTRA_READERS)} leads, none spam; found {total}, {spam} spam"
        )
    log(f"{total} leads in the database")


def build_site(env, port):
    log("building the demo database in a temporary folder")
    manage(env, "migrate", "--noinput")
    manage(env, "compile_catalogues")
    # Without the sample leads: the leads are the readers this script sends through the wizard.
    manage(env, "load_demo", "--hostname", HOST, "--port", str(port), "--no-leads")
    if "Created the superuser" not in manage(env, "ensure_superuser"):
        raise ScreenshotError("could not create the superuser 'admin'")


def run(tmp):
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise ScreenshotError(f"Chromium is missing at {CHROMIUM}: run `make browser-tools`.")

    port = free_port()
    base_url = f"http://{HOST}:{port}"
    password = secrets.token_urlsafe(16)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "website.settings.dev",
        "DATABASE_URL": f"sqlite:///{tmp / 'screenshots.sqlite3'}",
        "MEDIA_ROOT": str(tmp / "media"),
        "LEADWIZARD_EXPORT_ROOT": str(tmp / "exports"),
        "WAGTAILADMIN_BASE_URL": base_url,
        "DJANGO_SUPERUSER_PASSWORD": password,
        "REDIS_URL": "",
        "PYTHONUNBUFFERED": "1",
    }
    build_site(env, port)
    # tests.e2e.browser (the wizard helpers) imports the leadwizard models.
    os.environ.update(env)
    import django

    django.setup()

    server_log = tmp / "runserver.log"
    log(f"serving the demo site on {base_url}")
    with open(server_log, "w", encoding="utf-8") as log_file:
        server = subprocess.Popen(  # noqa: S603 - our own manage.py
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "runserver",
                f"{HOST}:{port}",
                "--noreload",
                "--insecure",
            ],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(base_url + "/", server, server_log)
        staging = tmp / "screenshots"
        staging.mkdir()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    shooter = Shooter(browser, base_url, staging)
                    reader_journey(shooter)
                    mobile_step(shooter)
                    submit_extra_readers(shooter)
                    set_lead_statuses(env)
                    admin_pages(shooter, password)
                finally:
                    browser.close()
        except (PlaywrightError, AssertionError) as error:
            # AssertionError: a failed Playwright expect().
            raise ScreenshotError(
                f"browser step failed: {error}\n--- runserver log ---\n{tail(server_log)}"
            ) from error
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()

    # Replace the old screenshots only once every new one exists.
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.png"):
        old.unlink()
    for path in sorted(shooter.saved):
        shrink(path)
        shutil.move(str(path), OUT / path.name)
    return [OUT / path.name for path in sorted(shooter.saved)]


def main():
    try:
        with tempfile.TemporaryDirectory(prefix="crm-screenshots-") as tmp:
            saved = run(Path(tmp))
    except ScreenshotError as error:
        print(f"screenshots: FAILED: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("screenshots: interrupted", file=sys.stderr)
        return 130
    for path in saved:
        print(f"  {path.relative_to(ROOT)}  {path.stat().st_size // 1024} KiB")
    log(f"{len(saved)} screenshots in {OUT.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
