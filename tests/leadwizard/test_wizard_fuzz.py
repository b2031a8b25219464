"""A bounded fuzz run of the wizard endpoint: a few hundred seeded requests from misbehaving readers.

Each reader mostly follows the wizard, as real readers and bots do, but every
request may carry odd values (NUL and control characters, very long text,
foreign digits, unknown options), a tampered, stale or foreign token, another
action, garbage in the source fields, the JavaScript fragment header, or be
sent twice. Afterwards:

- no request was answered with a 5xx;
- every lead belongs to a request that was answered with the confirmation;
- every confirmation belongs to exactly one lead (one lead per submission key).

The seed is fixed so that CI is repeatable; ``WIZARD_FUZZ_SEED`` picks another
one to explore, and a failure names the seed and the request that broke.
"""

import os
import random
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from django.test import Client

from leadwizard.models import Lead
from leadwizard.wizard.flow import PARAM_DONE, PARAM_STATE
from leadwizard.wizard.state import DONE_SALT, State
from tests.factories import QuestionnaireFactory, VendorFactory, wizard_article
from tests.utils import TOKEN_RE

pytestmark = pytest.mark.django_db

SEED = int(os.environ.get("WIZARD_FUZZ_SEED", "20261206"))
READERS = 40
SUCCESS_RE = "leadwizard-done"

ODD_TEXT = [
    "",
    " ",
    "\x00",
    "Müller\x00GmbH",
    "\x1b[31mrot\x1b[0m",
    "\u202eevil",
    "\U0001f600 Emoji GmbH",
    "x" * 5000,
    "<script>alert(1)</script>",
    '=HYPERLINK("http://x")',
    "١٢",
    "12.5",
    " 25 ",
    "-1",
    "1e9",
    "99999999999999999999",
]
STEP_ANSWERS = [
    {"q-industry": ["handel", "it", "handwerk"]},
    {"q-employees": ["1", "25", "250", "5000"]},
    {"q-uses": ["sales", "service"], "q-german_hq": ["yes", "no"], "q-market": ["b2b", "b2c"]},
]


STEP_KEYS = ["industry", "size", "needs"]


def position(place):
    """The index in STEP_ANSWERS of a state's place ("contact" is after the last step)."""
    if place == "contact":
        return len(STEP_KEYS)
    return STEP_KEYS.index(place) if place in STEP_KEYS else 0


def token_in(response):
    if response.status_code == 302:
        # Without JavaScript the reader's new place is an address carrying the token.
        return parse_qs(urlsplit(response["Location"]).query).get(PARAM_STATE, [None])[0]
    if response.status_code not in (200, 403, 429):
        return None
    match = TOKEN_RE.search(response.content.decode(errors="replace"))
    return match.group(1) if match else None


def submission_key(response):
    """The submission key a confirmation refers to: from the redirect, or from a fragment's links."""
    if response.status_code == 302 and PARAM_DONE in response["Location"]:
        location = response["Location"]
    elif response.status_code == 200 and SUCCESS_RE in response.content.decode(errors="replace"):
        html = response.content.decode(errors="replace")
        start = html.index(SUCCESS_RE)
        location = "?" + html[start : html.index('"', start)].replace("&amp;", "&")
    else:
        return None
    done = parse_qs(urlsplit(location).query).get(PARAM_DONE)
    if not done:
        return None
    return signing.loads(done[0], salt=DONE_SALT)["k"]


class Reader:
    def __init__(self, rng, page, block_id, number):
        self.rng = rng
        self.page = page
        self.block_id = block_id
        self.client = Client(REMOTE_ADDR=f"203.0.113.{number % 250 + 1}", raise_request_exception=False)
        self.token = ""
        self.tokens = []
        self.step = 0
        self.fragment = rng.random() < 0.3

    def odd(self):
        return self.rng.choice(ODD_TEXT)

    def maybe(self, probability):
        return self.rng.random() < probability

    def payload(self, foreign_tokens):
        rng = self.rng
        data = {"leadwizard-block": self.block_id, "leadwizard-action": "next"}
        token = self.token
        if self.maybe(0.08) and token:
            token = token[:-3] + "abc"  # tampered
        elif self.maybe(0.05) and self.tokens:
            token = rng.choice(self.tokens)  # stale: an earlier step (Back button, replay)
        elif self.maybe(0.04) and foreign_tokens:
            token = rng.choice(foreign_tokens)  # another reader's
        elif self.maybe(0.03):
            token = ""
        if token:
            data["leadwizard-token"] = token
        if self.maybe(0.08):
            data["leadwizard-action"] = rng.choice(["back", "restart", "submit", "jump", self.odd()])
        if self.step < len(STEP_ANSWERS):
            for name, values in STEP_ANSWERS[self.step].items():
                if self.maybe(0.15):
                    data[name] = self.odd()
                elif not self.maybe(0.05):
                    data[name] = rng.choice(values)
        else:
            data["leadwizard-action"] = data["leadwizard-action"] if self.maybe(0.1) else "submit"
            contact = {
                "contact-name": "Erika Mustermann",
                "contact-company": "Muster GmbH",
                "contact-email": f"leser{rng.randrange(10**6)}@muster.example",
                "contact-phone": rng.choice(["", "+49 30 1234567"]),
                "contact-message": "",
            }
            for name in contact:
                if self.maybe(0.12):
                    contact[name] = self.odd()
            data.update(contact)
            if not self.maybe(0.08):
                data["contact-consent"] = "on"
            if self.maybe(0.05):
                data["contact-website"] = self.odd() or "https://spam.example"
        if self.maybe(0.2):
            data["leadwizard-landing"] = "/ratgeber/?utm_source=" + self.odd()[:300]
        if self.maybe(0.2):
            data["leadwizard-referrer"] = self.odd()
        if self.maybe(0.05):
            data[self.odd()[:40] or "unknown"] = self.odd()
        return data

    def post(self, data):
        headers = {"HTTP_X_LEADWIZARD": "fragment"} if self.fragment else {}
        # Mostly to the wizard's own address, as its forms do; sometimes to the page (sites without it).
        url = self.page.url if self.maybe(0.2) else f"/leadwizard/step/{self.page.pk}/"
        return self.client.post(url, data, **headers)


def test_fuzzed_wizard_requests_never_fail_and_never_lose_or_double_a_lead(site_tree, settings):
    settings.LEADWIZARD_MIN_SECONDS = 0
    settings.LEADWIZARD_STEP_RATE_LIMIT = (100_000, 600)
    settings.LEADWIZARD_SUBMIT_RATE_LIMIT = (100_000, 3600)
    questionnaire = QuestionnaireFactory()
    VendorFactory(questionnaire=questionnaire)
    page, block_id = wizard_article(site_tree.index, questionnaire, slug="ratgeber")

    rng = random.Random(SEED)
    confirmed_keys = set()
    foreign_tokens = []
    requests = 0
    for number in range(READERS):
        reader = Reader(rng, page, block_id, number)
        start = reader.client.get(page.url)
        reader.token = token_in(start) or ""
        for _ in range(rng.randint(3, 9)):
            data = reader.payload(foreign_tokens)
            repeats = 2 if reader.maybe(0.1) else 1  # a double click
            for _ in range(repeats):
                response = reader.post(data)
                requests += 1
                assert response.status_code < 500, (SEED, number, data, response.content[:500])
                key = submission_key(response)
                if key:
                    confirmed_keys.add(key)
            token = token_in(response)
            if token:
                reader.tokens.append(reader.token)
                foreign_tokens.append(token)
                reader.token = token
                reader.step = position(State.loads(token).place)
            if key:
                break

    stored_keys = [str(key) for key in Lead.objects.values_list("submission_key", flat=True)]
    print(f"fuzz: {requests} requests, {len(confirmed_keys)} leads")
    assert requests >= 200
    assert len(stored_keys) == len(set(stored_keys))  # one lead per submission key
    assert set(stored_keys) == confirmed_keys, SEED  # no lead without a confirmation, and the reverse
    assert len(confirmed_keys) >= 5, "the run should reach the end of the wizard several times"
