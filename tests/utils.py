"""Test helpers that are not factories: driving the wizard like a browser does."""

import re

TOKEN_RE = re.compile(r'name="leadwizard-token" value="([^"]*)"')
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)"')
COUNT_RE = re.compile(r'data-match-count="(\d+)"')


class WizardRun:
    """Posts the wizard's steps to a page through the Django test client, carrying the token along.

    ``fragment=True`` sends requests the way the JavaScript enhancement does.
    """

    def __init__(self, client, page, block_id, fragment=False):
        self.client = client
        self.page = page
        self.block_id = block_id
        self.fragment = fragment
        self.token = ""
        self.response = None

    @property
    def url(self):
        return self.page.url

    @property
    def html(self):
        return self.response.content.decode()

    def headers(self):
        return {"HTTP_X_LEADWIZARD": "fragment"} if self.fragment else {}

    def search(self, pattern):
        """``pattern`` in this run's wizard: a page may hold several, each with its own token and count."""
        html = self.html
        start = html.find(f'data-leadwizard-block="{self.block_id}"')
        return pattern.search(html, max(start, 0))

    def start(self):
        """Load the page like a reader: the first step's form carries a token too."""
        self.response = self.client.get(self.url)
        match = self.search(TOKEN_RE)
        self.token = match.group(1) if match else ""
        return self.response

    def post(self, data=None, action="next", token=None, **extra):
        if self.response is None and token is None:
            self.start()
        payload = {"leadwizard-block": self.block_id, "leadwizard-action": action}
        token = self.token if token is None else token
        if token:
            payload["leadwizard-token"] = token
        csrf = CSRF_RE.search(self.html) if self.response is not None else None
        if csrf:
            # Like a browser, send the CSRF token of the form on the page (clients may enforce it).
            payload["csrfmiddlewaretoken"] = csrf.group(1)
        payload.update(data or {})
        self.response = self.client.post(self.url, payload, **self.headers(), **extra)
        match = self.search(TOKEN_RE) if self.response.status_code == 200 else None
        if match:
            self.token = match.group(1)
        return self.response

    def answer(self, **answers):
        """Answer the current question step: ``industry="handel"``, ``uses=["sales", "service"]``."""
        return self.post({f"q-{key}": value for key, value in answers.items()})

    def contact(self, consent=True, token=None, **fields):
        data = {
            "contact-name": "Erika Mustermann",
            "contact-company": "Muster GmbH",
            "contact-email": "erika@muster.example",
            "contact-phone": "+49 30 1234567",
            "contact-message": "",
        }
        data.update({f"contact-{key}": value for key, value in fields.items()})
        if consent:
            data["contact-consent"] = "on"
        return self.post(data, action="submit", token=token)

    @property
    def match_count(self):
        match = self.search(COUNT_RE)
        return int(match.group(1)) if match else None


def submit_lead(client, page, block_id, capture=None, **contact):
    """Run the wizard to the end like a reader; with ``capture`` the after-commit work runs too."""
    run = WizardRun(client, page, block_id)
    run.answer(industry="handel")
    run.answer(employees="25")
    run.answer(uses=["sales", "service"], german_hq="yes", market="b2b")
    if capture is None:
        return run.contact(**contact)
    with capture(execute=True):
        return run.contact(**contact)
