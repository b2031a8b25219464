"""The Content-Security-Policy in a real browser: no page the site or the admin shows breaks it.

Chromium enforces the policy the server sends; every violation fires a
``securitypolicyviolation`` event (recorded by an init script, in every frame)
and logs a console error. Both must stay empty on reader pages, in the wizard
with JavaScript, and in the admin as a superuser.
"""

import pytest
from playwright.sync_api import expect
from wagtail.models import Locale

from articles.models import ArticlePage
from tests.e2e.browser import DEMO_ANSWERS, WIZARD, fill_step, press_next

# Plain ORM between browser steps and in the views they reach, nothing that differs
# between SQLite and PostgreSQL: CI's PostgreSQL pass skips these (see .ci/run).
pytestmark = pytest.mark.orm_only

PASSWORD = "e2e-Passwort-123"
WIZARD_ARTICLE = "/magazin/crm-einfuehrung-im-mittelstand/"

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.__cspViolations.push(
        [event.violatedDirective, event.blockedURI, event.sourceFile + ":" + event.lineNumber, event.sample].join(" | ")
    );
});
"""


class ViolationLog:
    def __init__(self, page):
        self.page = page
        self.found = {}
        page.add_init_script(RECORD_VIOLATIONS)

    def collect(self, name):
        """Record what the current document (and its frames) reported since it loaded."""
        self.page.wait_for_load_state("networkidle")
        violations = []
        for frame in self.page.frames:
            try:
                violations += frame.evaluate("() => window.__cspViolations || []")
            except Exception as exc:  # noqa: BLE001 - a frame that went away has nothing to report
                violations.append(f"(frame {frame.url} not readable: {exc})")
        console = [text for text in self.page.console_errors if "Content Security Policy" in text]
        self.page.console_errors.clear()
        if violations or console:
            self.found[name] = violations + console

    def visit(self, url, name):
        response = self.page.goto(url)
        assert response.ok, f"{name}: {url} answered {response.status}"
        assert response.headers.get("content-security-policy"), f"{name}: no policy sent"
        self.collect(name)


def test_site_and_admin_meet_the_content_security_policy(demo, page, django_user_model):
    log = ViolationLog(page)
    base = demo.url

    log.visit(base + "/", "home")
    log.visit(base + "/en/", "English home")
    log.visit(base + WIZARD_ARTICLE, "article with wizard")
    fill_step(page, DEMO_ANSWERS[0])
    press_next(page)
    expect(page.locator(f"{WIZARD} progress")).to_have_attribute("value", "2")
    log.collect("wizard step 2 (swapped in by JavaScript)")

    django_user_model.objects.create_superuser("csp-admin", "csp@example.com", PASSWORD)
    log.visit(base + "/admin/login/", "admin login")
    page.locator('input[name="username"]').fill("csp-admin")
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('button[type="submit"]').click()
    expect(page).to_have_url(base + "/admin/")
    log.collect("admin dashboard")

    article = ArticlePage.objects.get(slug="crm-einfuehrung-im-mittelstand", locale__language_code="de")
    log.visit(base + f"/admin/pages/{article.pk}/edit/", "page editor")
    # The preview panel renders the article in an iframe and checks it with axe.
    page.get_by_role("button", name="Vorschau").first.click()
    expect(page.locator("iframe#w-preview-iframe")).to_be_visible()
    log.collect("page editor with preview")

    # wagtail-localize's translation editor (a React app) edits the English translation.
    english = article.get_translation(Locale.objects.get(language_code="en"))
    log.visit(base + f"/admin/pages/{english.pk}/edit/", "translation editor")
    expect(page.locator(".js-translation-editor .w-tabs").first).to_be_visible()
    log.collect("translation editor rendered")

    log.visit(base + "/admin/snippets/articles/author/", "author snippets")
    log.visit(base + "/admin/leadwizard/leads/", "leads listing")

    # Signed-in editors see Wagtail's userbar on reader pages, under the reader policy.
    log.visit(base + WIZARD_ARTICLE, "article with userbar")

    assert log.found == {}, "\n".join(f"{name}: {found}" for name, found in log.found.items())
