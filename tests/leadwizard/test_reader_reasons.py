"""The reader sees why each vendor fits, on the contact step, the success step and the longlist."""

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.utils import translation

from leadwizard.catalogue import lead_reader_matches, reader_matches
from leadwizard.leads import create_lead
from leadwizard.matching import answers_by_role, match_vendors, option_orders
from leadwizard.models import Lead
from leadwizard.wizard.forms import ContactForm
from tests.factories import QuestionnaireFactory, VendorFactory, locale, soup, translate_snippet

pytestmark = pytest.mark.django_db

ANSWERS = {
    "industry": "handel",
    "employees": 25,
    "uses": ["sales", "service"],
    "german_hq": "yes",
    "market": "b2b",
}
CONTACT = {"name": "Erika Mustermann", "company": "Muster GmbH", "email": "erika@muster.example"}
EXPLANATION_URL = "/so-funktioniert-die-auswahl/"


@pytest.fixture
def catalogue(site_tree):
    """Three vendors that match ANSWERS, each differently well, and one that does not."""
    questionnaire = QuestionnaireFactory()
    alpha = VendorFactory(
        questionnaire=questionnaire, name="Alpha CRM", industries=["handel"], uses=["sales", "service"]
    )
    # Meets "German HQ" but not "service": a met reason that comes after an unmet one in the criteria's order.
    beta = VendorFactory(
        questionnaire=questionnaire, name="Beta CRM", uses=["sales"], german_headquarters=True
    )
    gamma = VendorFactory(questionnaire=questionnaire, name="Gamma CRM", uses=["sales"])
    VendorFactory(questionnaire=questionnaire, name="Delta CRM", industries=["it"])
    return questionnaire, [alpha, beta, gamma]


def live_matches(questionnaire, vendors):
    definition = questionnaire.definition
    return match_vendors(
        answers_by_role(definition, ANSWERS),
        [vendor.to_profile() for vendor in vendors],
        option_orders=option_orders(definition),
    )


def saved_lead(questionnaire, vendors, language="de"):
    lead, _created = create_lead(
        questionnaire=questionnaire,
        answers=ANSWERS,
        contact={**CONTACT, "phone": "", "message": ""},
        matches=live_matches(questionnaire, vendors),
        locale=language,
        source_url="https://crm.example/magazin/ratgeber/",
    )
    mail.outbox.clear()
    return lead


# reader_matches / lead_reader_matches -------------------------------------------------------------


def test_reader_matches_are_best_first_with_reasons_in_words(catalogue):
    questionnaire, vendors = catalogue
    matches = live_matches(questionnaire, vendors)

    with translation.override("de"):
        rows = reader_matches(questionnaire.definition, matches, locale("de"))

    assert [row["name"] for row in rows] == [match.vendor.name for match in matches]
    assert [row["score"] for row in rows] == [match.score for match in matches]
    assert rows[0]["score"] >= rows[-1]["score"]
    assert all(set(row) == {"vendor", "name", "score", "reasons"} for row in rows)
    alpha = next(row for row in rows if row["name"] == "Alpha CRM")
    assert alpha["vendor"] == vendors[0]
    industry = next(reason for reason in alpha["reasons"] if reason["criterion"] == "industry")
    # The questionnaire's option label, not the key "handel".
    assert industry["values"] == ["Handel"] and industry["met"] is True
    beta = next(row for row in rows if row["name"] == "Beta CRM")
    unmet = [(reason["criterion"], reason["values"]) for reason in beta["reasons"] if not reason["met"]]
    assert unmet == [("uses", ["Kundenservice"])]


def test_reader_matches_show_the_vendors_in_the_readers_language(catalogue):
    questionnaire, vendors = catalogue
    english = translate_snippet(
        vendors[1], locale("en"), name="Beta CRM (EN)", short_description="For traders."
    )

    rows = reader_matches(questionnaire.definition, live_matches(questionnaire, vendors), locale("en"))

    beta = next(
        row for row in rows if row["vendor"] and row["vendor"].translation_key == english.translation_key
    )
    assert beta["vendor"] == english
    assert beta["name"] == "Beta CRM (EN)"
    # Untranslated vendors fall back to the source language rather than disappearing.
    assert {row["name"] for row in rows} == {"Alpha CRM", "Beta CRM (EN)", "Gamma CRM"}


def test_reader_matches_take_the_same_queries_for_many_vendors(catalogue, django_assert_num_queries):
    questionnaire, vendors = catalogue
    vendors += [VendorFactory(questionnaire=questionnaire, name=f"Weitere {n}") for n in range(12)]
    for vendor in vendors[3:9]:
        translate_snippet(vendor, locale("en"))
    matches = live_matches(questionnaire, vendors)
    definition, english = questionnaire.definition, locale("en")

    with django_assert_num_queries(2):
        rows = reader_matches(definition, matches, english)

    assert len(rows) == 15
    assert all(row["vendor"] is not None for row in rows)


def test_reader_matches_read_no_vendor_the_matching_read_already(catalogue, django_assert_num_queries):
    """The contact step passes the vendors it matched: a German reader's list takes no query, an English
    reader's one (the translations)."""
    questionnaire, vendors = catalogue
    english = translate_snippet(vendors[1], locale("en"), name="Beta CRM (EN)")
    matches = live_matches(questionnaire, vendors)
    loaded = {vendor.pk: vendor for vendor in vendors}
    definition, de, en = questionnaire.definition, locale("de"), locale("en")

    with django_assert_num_queries(0):
        german = reader_matches(definition, matches, de, loaded)
    assert german == reader_matches(definition, matches, de)
    with django_assert_num_queries(1):
        in_english = reader_matches(definition, matches, en, loaded)
    assert in_english == reader_matches(definition, matches, en)
    assert english in [row["vendor"] for row in in_english]


def test_reader_matches_keep_the_name_of_a_vendor_gone_since_matching(catalogue):
    questionnaire, vendors = catalogue
    matches = live_matches(questionnaire, vendors)
    vendors[2].delete()

    rows = reader_matches(questionnaire.definition, matches, locale("de"))

    gamma = next(row for row in rows if row["name"] == "Gamma CRM")
    assert gamma["vendor"] is None and gamma["reasons"]


def test_a_leads_stored_matches_take_the_same_shape(catalogue, django_assert_num_queries):
    questionnaire, vendors = catalogue
    lead = Lead.objects.select_related("questionnaire").get(pk=saved_lead(questionnaire, vendors).pk)
    vendors[2].delete()
    live = reader_matches(questionnaire.definition, live_matches(questionnaire, vendors[:2]), locale("de"))

    with django_assert_num_queries(2):  # the lead's locale and its vendors, which are in that locale already
        stored = lead_reader_matches(lead)

    assert [row["name"] for row in stored] == [match["vendor"] for match in lead.matches]
    gamma = next(row for row in stored if row["name"] == "Gamma CRM")
    assert gamma["vendor"] is None
    assert [row for row in stored if row["vendor"] is not None] == live


# Templates ---------------------------------------------------------------------------------------------


def render(template, **context):
    with translation.override("de"):
        return soup(render_to_string(f"leadwizard/steps/{template}.html", context))


def contact_context(questionnaire, rows, explanation_url=EXPLANATION_URL):
    return {
        "questionnaire": questionnaire,
        "form": ContactForm(prefix="leadwizard-contact"),
        "anchor": "leadwizard-test",
        "step_number": 4,
        "step_count": 4,
        "match_count": len(rows),
        "reader_matches": rows,
        "explanation_url": explanation_url,
    }


def reason_items(element):
    return [(item["data-criterion"], item["data-met"]) for item in element.select(".leadwizard-reasons > li")]


def test_the_contact_step_lists_each_vendor_with_its_reasons_before_the_form(catalogue):
    questionnaire, vendors = catalogue
    with translation.override("de"):
        rows = reader_matches(questionnaire.definition, live_matches(questionnaire, vendors), locale("de"))

    html = render("contact_step", **contact_context(questionnaire, rows))

    details = html.select_one("details.leadwizard__why")
    assert details is not None and not details.has_attr("open")
    assert details.summary.get_text(strip=True)
    # Below the count, outside its status region (not read out at once), and before the form.
    assert details.find_parent(attrs={"role": "status"}) is None
    elements = html.find_all(True)
    assert (
        elements.index(html.select_one(".leadwizard__result"))
        < elements.index(details)
        < elements.index(html.select_one("form"))
    )
    items = details.select("ol.leadwizard__matches > li")
    assert [item.h4.get_text(strip=True) for item in items] == [row["name"] for row in rows]
    beta = items[[row["name"] for row in rows].index("Beta CRM")]
    assert beta["data-vendor-id"] == str(vendors[1].pk)
    # Met reasons first, though "German HQ" (met) comes after "uses" (partly unmet) in the criteria's order.
    assert reason_items(beta) == [
        ("industry", "true"),
        ("employees", "true"),
        ("market", "true"),
        ("uses", "true"),
        ("german_hq", "true"),
        ("uses", "false"),
    ]
    # The verdict is in words, not only in the colour or the mark (which screen readers skip).
    verdicts = {
        item["data-met"]: "".join(
            text
            for text in item.select_one(".leadwizard-reasons__verdict").find_all(string=True, recursive=False)
        ).strip(" :")
        for item in beta.select(".leadwizard-reasons > li")
    }
    assert verdicts["true"] and verdicts["false"] and verdicts["true"] != verdicts["false"]
    assert all(mark["aria-hidden"] == "true" for mark in beta.select(".leadwizard-reasons__mark"))
    assert "Kundenservice" in beta.select_one(".leadwizard-reasons__item--unmet").get_text()
    link = details.select_one("a[data-explanation-link]")
    assert link["href"] == EXPLANATION_URL
    assert not link.has_attr("data-leadwizard-link")  # a page of its own, not loaded into the wizard


def test_the_contact_step_without_matches_shows_only_the_link(catalogue):
    questionnaire, _vendors = catalogue

    html = render("contact_step", **contact_context(questionnaire, []))

    assert html.select_one("details") is None
    assert [a["href"] for a in html.select("a[data-explanation-link]")] == [EXPLANATION_URL]


def test_the_contact_step_has_no_link_when_no_explanation_is_published(catalogue):
    questionnaire, vendors = catalogue
    rows = reader_matches(questionnaire.definition, live_matches(questionnaire, vendors), locale("de"))

    html = render("contact_step", **contact_context(questionnaire, rows, explanation_url=""))

    assert html.select_one("details.leadwizard__why") is not None
    assert html.select("a[data-explanation-link]") == []
    assert html.select(".leadwizard__ranking-link") == []


@pytest.mark.parametrize("url", [EXPLANATION_URL, ""])
def test_the_success_step_links_to_the_explanation_when_published(catalogue, url):
    questionnaire, _vendors = catalogue

    html = render(
        "success_step",
        questionnaire=questionnaire,
        match_count=3,
        longlist_url="?leadwizard-view=longlist",
        restart_url="?",
        explanation_url=url,
    )

    assert [a["href"] for a in html.select("a[data-explanation-link]")] == ([url] if url else [])
    assert len(html.select("a[data-leadwizard-link]")) == 2  # the existing buttons stay


def test_the_longlist_shows_reasons_descriptions_and_deleted_vendors(catalogue):
    questionnaire, vendors = catalogue
    lead = saved_lead(questionnaire, vendors)
    vendors[2].delete()
    with translation.override("de"):
        rows = lead_reader_matches(lead)

    html = render(
        "longlist", reader_matches=rows, explanation_url=EXPLANATION_URL, success_url="?", restart_url="?"
    )

    items = html.select("ol.leadwizard__vendors > li")
    assert [item.h4.get_text(strip=True) for item in items] == [row["name"] for row in rows]
    by_name = {item.h4.get_text(strip=True): item for item in items}
    assert by_name["Alpha CRM"]["data-vendor-id"] == str(vendors[0].pk)
    assert by_name["Alpha CRM"].select_one(".leadwizard__vendor-description").get_text(strip=True) == (
        "Alpha CRM ist ein CRM für kleine Firmen."
    )
    gone = by_name["Gamma CRM"]
    assert not gone.has_attr("data-vendor-id") and gone.select_one(".leadwizard__vendor-description") is None
    assert ("industry", "true") in reason_items(gone)  # the stored reasons outlive the vendor
    assert ("uses", "false") in reason_items(by_name["Beta CRM"])
    assert [a["href"] for a in html.select("a[data-explanation-link]")] == [EXPLANATION_URL]


def test_the_longlist_without_matches_or_explanation(catalogue):
    html = render("longlist", reader_matches=[], explanation_url="", success_url="?", restart_url="?")

    assert html.select("ol.leadwizard__vendors") == []
    assert html.select("a[data-explanation-link]") == []
    assert html.select_one(".leadwizard__longlist p").get_text(strip=True)
