"""The wizard works wherever an editor puts it in a StreamField: at the top, in a struct, a list or a nested stream.

Before, only a block at the top of a StreamField could be found again when its
form was sent, so a nested wizard rendered its first step and then answered
every step with HTTP 400. These run on the test host's plain page, whose body
nests the wizard in each of those ways (``tests/testapp/models.py``).
"""

import json
import re
import uuid

import pytest
from django.apps import apps
from django.test import RequestFactory

from leadwizard.models import Lead
from leadwizard.wizard.placement import wizard_placements
from leadwizard.wizard.serving import place_marks, serve_place
from tests.factories import QuestionnaireFactory, VendorFactory
from tests.utils import WizardRun

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not apps.is_installed("tests.testapp"), reason="needs the test host's plain page"),
]

TOP, SECTION, ITEM, COLUMN = (str(uuid.uuid4()) for _ in range(4))
LIST_ITEM, STREAM_ITEM = str(uuid.uuid4()), str(uuid.uuid4())


def nested_body(questionnaire):
    wizard = {"questionnaire": questionnaire.pk, "heading": ""}
    return json.dumps(
        [
            {"type": "lead_wizard", "id": TOP, "value": {**wizard, "heading": "Oben"}},
            {"type": "section", "id": SECTION, "value": {"title": "Abschnitt", "wizard": {**wizard, "heading": "Im Abschnitt"}}},
            {"type": "wizards", "id": ITEM, "value": [{"type": "item", "id": LIST_ITEM, "value": {**wizard, "heading": "In der Liste"}}]},
            {
                "type": "columns",
                "id": COLUMN,
                "value": {"content": [{"type": "wizard", "id": STREAM_ITEM, "value": {**wizard, "heading": "In der Spalte"}}]},
            },
        ]
    )  # fmt: skip


@pytest.fixture
def page(site_tree, settings):
    settings.LEADWIZARD_MIN_SECONDS = 0
    questionnaire = QuestionnaireFactory()
    VendorFactory(questionnaire=questionnaire)
    home = site_tree.home
    home.body = nested_body(questionnaire)
    home.save_revision().publish()
    home.refresh_from_db()
    return home


# Tokens carry the time they were signed: two renderings a second apart differ there.
TOKEN_VALUE_RE = re.compile(rb'(name="(?:csrfmiddlewaretoken|leadwizard-token)" value=")[^"]*(")')


STATE_RE = re.compile(rb"(leadwizard-state=)[^\"&]*")


def without_tokens(html):
    return STATE_RE.sub(rb"\1", TOKEN_VALUE_RE.sub(rb"\1\2", html))


PATHS = {
    "top": TOP,
    "struct": f"{SECTION}.wizard",
    "list": f"{ITEM}.{LIST_ITEM}",
    "stream in struct": f"{COLUMN}.content.{STREAM_ITEM}",
}


def test_every_placement_has_its_own_path(page):
    assert sorted(wizard_placements(page)) == sorted(PATHS.values())


def test_each_wizard_renders_with_its_path(client, page):
    html = client.get(page.url).content.decode()
    for path in PATHS.values():
        assert f'data-leadwizard-block="{path}"' in html
        assert f'name="leadwizard-block" value="{path}"' in html


@pytest.mark.parametrize("fragment", [False, True], ids=["without-js", "with-js"])
@pytest.mark.parametrize("placement", PATHS)
def test_a_nested_wizard_goes_all_the_way_to_a_lead(client, page, placement, fragment):
    run = WizardRun(client, page, PATHS[placement], fragment=fragment)
    assert run.answer(industry="handel").status_code == 200
    assert run.answer(employees="12").status_code == 200
    assert run.answer(uses=["sales"], german_hq="no", market="b2b").status_code == 200
    assert run.match_count == 1
    response = run.contact()
    assert response.status_code in (200, 302)
    lead = Lead.objects.get()
    assert lead.source_page_id == page.pk


def test_an_unknown_path_is_still_a_400(client, page):
    response = client.post(page.url, {"leadwizard-block": f"{SECTION}.nope", "q-industry": "handel"})
    assert response.status_code == 400


@pytest.mark.parametrize("placement", PATHS)
def test_a_page_cache_serves_a_readers_place_from_the_shared_page_as_the_serve_hook_renders_it(
    client, page, placement
):
    """``serve_place``: the page every reader shares, with only the named wizard at this reader's place."""
    shared = client.get(page.url).content
    run = WizardRun(client, page, PATHS[placement])
    run.answer(industry="handel")
    whole = client.get(run.location)
    request = RequestFactory().get(run.location)
    placed = serve_place(request, page.pk, shared)
    assert placed is not None and placed.status_code == whole.status_code == 200
    assert without_tokens(placed.content) == without_tokens(whole.content)
    assert "private" in placed["Cache-Control"]
    others = [path for path in PATHS.values() if path != PATHS[placement]]
    assert placed.content.count(b"Schritt 1 von") == len(others)


def test_a_page_cache_renders_the_page_itself_when_the_wizard_is_not_in_what_it_stored(client, page):
    shared = client.get(page.url).content
    start, end = place_marks(TOP)
    request = RequestFactory().get(page.url, {"leadwizard-block": TOP})
    assert serve_place(request, page.pk, shared) is not None
    assert (
        serve_place(request, page.pk, shared.replace(end, b"")) is None
    )  # not marked (a template of its own)
    assert serve_place(RequestFactory().get(page.url, {"leadwizard-block": "nope"}), page.pk, shared) is None
    assert serve_place(request, 987654, shared) is None  # no such page
    page.unpublish()
    assert serve_place(request, page.pk, shared) is None
