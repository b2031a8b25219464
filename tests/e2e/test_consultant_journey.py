"""A consultant in a real browser: from the queue to a sent shortlist, and the reader's results page."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect
from wagtail.models import Locale

from leadwizard.groups import MARKETING_GROUP_NAME
from leadwizard.models import Lead, Questionnaire, Shortlist
from tests.e2e.test_staff_journeys import log_in, make_user
from website.demo.leads import load_leads

# Plain ORM between browser steps and in the views they reach, nothing that differs
# between SQLite and PostgreSQL: CI's PostgreSQL pass skips these (see .ci/run).
pytestmark = pytest.mark.orm_only


def test_consultant_picks_reorders_previews_and_sends_the_reader_sees_the_shortlist(
    demo, page, django_user_model, axe
):
    questionnaire = Questionnaire.objects.get(locale__language_code="de")
    load_leads(
        questionnaire, {code: Locale.objects.get(language_code=code) for code in ("de", "en")}, log=str
    )
    consultant = make_user(django_user_model, "berater-ben", MARKETING_GROUP_NAME)
    lead = Lead.objects.get(name="Jana Schreiner")
    mail.outbox.clear()

    log_in(page, demo.url, consultant.username)
    page.goto(demo.url + "/admin/leadwizard/consult/")
    rows = page.locator("table.listing tbody tr")
    # Oldest first: the shortlist already sent is not waiting.
    expect(rows.first).to_contain_text("Jana Schreiner")
    expect(page.locator("table.listing")).not_to_contain_text("Miriam Kolb")
    rows.first.get_by_role("link", name=re.compile("Shortlist zusammenstellen")).click()

    checkboxes = page.locator('input[type="checkbox"][name^="pick_"]')
    expect(checkboxes).to_have_count(lead.match_count)
    expect(page.locator('input[type="checkbox"][name^="pick_"]:checked')).to_have_count(7)
    names = [match["vendor"] for match in lead.matches]
    ids = [match["vendor_id"] for match in lead.matches]
    # The third match goes to the top; the seventh is swapped for the eighth.
    page.locator(f'input[name="position_{ids[2]}"]').fill("1")
    page.locator(f'input[name="position_{ids[0]}"]').fill("3")
    page.get_by_label(re.compile(f"^{re.escape(names[6])} auf die Shortlist")).uncheck()
    page.get_by_label(re.compile(f"^{re.escape(names[7])} auf die Shortlist")).check()
    page.get_by_label("Persönliche Nachricht").fill(
        "Guten Tag Frau Schreiner,\n\nhier ist meine Auswahl für Sie."
    )

    page.get_by_role("button", name="Vorschau der E-Mail").click()
    # The HTML part in a sandboxed frame (an opaque origin, so read from its srcdoc).
    frame = page.locator("iframe[sandbox]")
    expect(frame).to_be_visible()
    preview = frame.get_attribute("srcdoc")
    assert preview.index(names[2]) < preview.index(names[1]) < preview.index(names[0])
    assert "hier ist meine Auswahl für Sie." in preview
    expect(page.locator("pre")).to_contain_text("hier ist meine Auswahl für Sie.")
    assert not Shortlist.objects.filter(lead=lead).exists() and mail.outbox == []

    page.get_by_role("button", name="Shortlist senden").click()
    expect(page.locator(".messages")).to_contain_text("Shortlist an jana.schreiner@example.com verschickt")

    (message,) = mail.outbox
    order = [names[2], names[1], names[0], names[3], names[4], names[5], names[7]]
    for part in (message.body, message.alternatives[0][0]):
        positions = [part.index(name) for name in order]
        assert positions == sorted(positions), part
        assert names[6] not in part
        assert "Warum er zu Ihnen passt: Branche (Handwerk und Bau)" in part
    lead.refresh_from_db()
    assert lead.status == Lead.Status.SHORTLIST_SENT

    # The reader follows the link in the mail and finds the shortlist with the message.
    results = re.search(r"https?://\S+/ergebnisse/\S+/|https?://\S+/results/\S+/", message.body).group(0)
    page.goto(demo.url + results[results.index("/", 8) :])
    expect(page.locator("h1")).to_have_text("Ihre CRM-Auswahl")
    shortlist = page.locator("#results-shortlist").locator("xpath=..")
    expect(shortlist.locator("ol > li").first).to_contain_text(names[2])
    expect(shortlist).to_contain_text("hier ist meine Auswahl für Sie.")
    expect(page.get_by_role("link", name="Wie wir die Anbieter ordnen")).to_be_visible()
    assert axe(page) == []
    page.set_viewport_size({"width": 320, "height": 640})
    page.wait_for_function("() => document.documentElement.clientWidth <= 320")
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"the results page is {widths[0]}px wide on a {widths[1]}px phone"
