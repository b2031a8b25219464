"""Test helpers that are not factories: driving the wizard like a browser does, and an HTTP receiver."""

import os
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import standardwebhooks

# A test receiver's shared secret, in the Standard Webhooks form: whsec_ and the base64 of 32 bytes.
WEBHOOK_SECRET = "whsec_Z2VoZWltZXMtd2ViaG9vay1zZWNyZXQtMzItYnl0ZXM="  # noqa: S105
TOKEN_RE = re.compile(r'name="leadwizard-token" value="([^"]*)"')
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)"')
COUNT_RE = re.compile(r'data-match-count="(\d+)"')
ACTION_RE = re.compile(r'<form class="leadwizard__form" method="post" action="([^"#]*)')


def sent(response):
    """Whether a post without JavaScript ended on the confirmation (the request is in)."""
    return any("leadwizard-done=" in url for url, _status in getattr(response, "redirect_chain", []))


class WizardRun:
    """Posts the wizard's steps through the Django test client like a browser, carrying the token along.

    Each step goes to the form's action and, without JavaScript, follows the
    redirect to the reader's new place (``redirects`` holds where it went).
    ``fragment=True`` sends requests the way the JavaScript enhancement does.
    """

    def __init__(self, client, page, block_id, fragment=False):
        self.client = client
        self.page = page
        self.block_id = block_id
        self.fragment = fragment
        self.token = ""
        self.response = None
        self.action = None
        self.redirects = []

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
        self.read_form()
        return self.response

    @property
    def location(self):
        """Where the last post without JavaScript was redirected to (the reader's new address)."""
        return self.redirects[-1][0] if self.redirects else None

    def read_form(self):
        match = self.search(TOKEN_RE)
        self.token = match.group(1) if match else ""
        action = self.search(ACTION_RE)
        if action:
            self.action = action.group(1)

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
        follow = extra.pop("follow", not self.fragment)
        self.response = self.client.post(
            self.action or self.url, payload, follow=follow, **self.headers(), **extra
        )
        self.redirects = getattr(self.response, "redirect_chain", [])
        if self.response.status_code in (200, 403, 429) and self.search(TOKEN_RE):
            self.read_form()
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


class WebhookReceiver:
    """An HTTP server in a thread that answers POSTs with the given statuses in turn (the last one repeats).

    Each request is recorded with ``signature_valid`` (and ``verification_error``):
    whether the ``standardwebhooks`` library accepts it with ``secret`` (whsec_ form).

    ``reply`` and ``reason`` replace the body and the status line's reason of a
    failure; ``tls`` (a server-side SSLContext) makes it an HTTPS server, and
    ``server_names`` then lists the names clients asked for (SNI).
    """

    def __init__(self, statuses, secret=WEBHOOK_SECRET, reply=b"kaputt", reason=None, tls=None):
        self.statuses = list(statuses)
        self.secret = secret
        self.requests = []
        self.server_names = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                # Checked as a receiver does: by the Standard Webhooks reference library, which also
                # refuses a timestamp more than five minutes off.
                try:
                    standardwebhooks.Webhook(receiver.secret).verify(body, dict(self.headers))
                    verification_error = ""
                except standardwebhooks.WebhookVerificationError as exc:
                    verification_error = str(exc)
                receiver.requests.append(
                    {
                        "path": self.path,
                        "headers": self.headers,  # case-insensitive, like every HTTP server
                        "body": body,
                        "signature_valid": not verification_error,
                        "verification_error": verification_error,
                    }
                )
                status = receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                self.send_response(status, reason if status >= 300 else None)
                if 300 <= status < 400:
                    self.send_header("Location", f"{receiver.url}elsewhere/")
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else reply)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls is not None:
            tls.sni_callback = lambda _sock, name, _context: self.server_names.append(name)
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        # A short poll: shutdown() waits up to one poll interval (half a second by default).
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    @property
    def port(self):
        return self.server.server_address[1]

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def sql_of(captured_queries):
    """The SQL of captured queries, where an ``EXECUTE`` of a statement prepared on the server
    (``articles.prepared``, PostgreSQL) stands, the statement's own text: so that a test can see
    which tables a query reads whether or not it was prepared."""
    from django.db import connection

    texts = [query["sql"] for query in captured_queries]
    names = {prepared_statement_name(sql) for sql in texts if sql.startswith("EXECUTE ")}
    if not names:
        return texts
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, statement FROM pg_prepared_statements WHERE name = ANY(%s)", [list(names)]
        )
        statements = dict(cursor.fetchall())
    return [statements[prepared_statement_name(sql)] if sql.startswith("EXECUTE ") else sql for sql in texts]


def prepared_statement_name(sql):
    """``articles_prepared_3`` of ``EXECUTE articles_prepared_3(...)``."""
    return sql.split()[1].split("(")[0]


def only_in_the_sqlite_pass(reason):
    """Skip the marked tests when the suite runs against a database server (CI's PostgreSQL pass):
    for tests that never use the test database, which would repeat the same work there."""
    url = os.environ.get("DATABASE_URL", "").strip()
    return pytest.mark.skipif(bool(url) and not url.startswith("sqlite"), reason=reason)
