"""The host refuses request bodies in other charsets than UTF-8 with a 400 in the reader's language.

Django answers 500 to some (``charset=base64`` on a multipart form fails in CSRF
checking, before any view) and turns umlauts into mojibake for others; the
host's ``RequestCharsetMiddleware`` answers 400 for every URL, the wizard's too.
"""

import pytest
from django.test import Client

from leadwizard.models import Lead
from tests.factories import QuestionnaireFactory, VendorFactory, wizard_article
from tests.utils import WizardRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def wizard(site_tree):
    questionnaire = QuestionnaireFactory()
    VendorFactory(questionnaire=questionnaire)
    return wizard_article(site_tree.index, questionnaire, slug="ratgeber")


@pytest.mark.parametrize("charset", ["latin-1", "utf-16", "base64", "no-such-charset"])
@pytest.mark.parametrize(
    "content_type, body",
    [
        ("application/x-www-form-urlencoded", b"leadwizard-block=x&contact-name=M%C3%BCller"),
        (
            "multipart/form-data; boundary=grenze",
            b'--grenze\r\nContent-Disposition: form-data; name="a"\r\n\r\nM\xc3\xbcller\r\n--grenze--\r\n',
        ),
    ],
)
def test_a_body_in_another_charset_is_refused_with_400(wizard, charset, content_type, body):
    page, _block_id = wizard
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    response = client.generic("POST", page.url, body, content_type=f"{content_type}; charset={charset}")
    assert response.status_code == 400
    assert "Zeichenkodierung" in response.content.decode()
    assert Lead.objects.count() == 0


def test_an_english_reader_is_told_in_english(site_tree):
    client = Client(raise_request_exception=False)
    response = client.generic(
        "POST", "/en/", b"a=1", content_type="application/x-www-form-urlencoded; charset=latin-1"
    )
    assert response.status_code == 400
    assert "character encoding" in response.content.decode()


@pytest.mark.parametrize("charset", ["utf-8", "UTF8", "utf_8", '"UTF-8"'])
def test_utf8_spelled_any_way_is_accepted(client, wizard, charset):
    page, block_id = wizard
    run = WizardRun(client, page, block_id)
    run.start()
    response = client.generic(
        "POST",
        page.url,
        f"leadwizard-block={block_id}&leadwizard-token={run.token}&q-industry=handel".encode(),
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
    )
    # Accepted: the step is stored and the reader is sent on to step 2.
    assert response.status_code == 302
    assert "leadwizard-state=" in response["Location"]


def test_a_request_django_cannot_parse_gets_the_german_400_page(site_tree, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    client = Client(raise_request_exception=False)
    response = client.post("/", {f"feld{number}": "x" for number in range(10)})
    assert response.status_code == 400
    assert "Anfrage nicht verstanden" in response.content.decode()
