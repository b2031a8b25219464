"""Fake delivery targets on loopback for ``benchmarks/load.py``: an SMTP sink and a webhook receiver.

Both record what they receive and can be taken down and brought back on the same
port, so that a fault run can make the mail server or the webhook target fail
for a while and then check that every delivery arrived once it was back.

- ``SmtpSink``: enough SMTP for Django's SMTP backend (EHLO/HELO, MAIL, RCPT,
  DATA, RSET, NOOP, QUIT). ``stop()`` closes the listening socket, so senders get
  "connection refused", as with a mail server that is down.
- ``WebhookReceiver``: answers POSTs with 200, or 500 in ``failing`` mode; checks
  the HMAC signature (``leadwizard.deliveries.channels.webhook.sign``) against the secret it was
  given and records the lead of each call.

Python 3.11 has no ``smtpd``; ``aiosmtpd`` is not a dependency of the project,
hence the small hand-written server.
"""

import contextlib
import email
import email.policy
import hashlib
import hmac
import json
import socket
import socketserver
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOST = "127.0.0.1"
# A sender that stalls must not keep a handler thread forever.
SOCKET_TIMEOUT = 30
MAX_MESSAGE_BYTES = 10 * 1024 * 1024


@dataclass
class Mail:
    mail_from: str
    rcpt_to: list
    data: bytes
    received: float = field(default_factory=time.time)

    @property
    def message(self):
        return email.message_from_bytes(self.data, policy=email.policy.default)

    def header(self, name):
        value = self.message.get(name)
        return str(value) if value is not None else ""


def _address(argument):
    """The address of ``FROM:<a@b> SIZE=…`` / ``TO:<a@b>``, lower-cased."""
    _, _, rest = argument.partition(":")
    rest = rest.strip()
    if rest.startswith("<"):
        rest = rest[1 : rest.find(">")] if ">" in rest else rest[1:]
    else:
        rest = rest.split(" ")[0]
    return rest.strip().lower()


class _SmtpHandler(socketserver.StreamRequestHandler):
    timeout = SOCKET_TIMEOUT

    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self):
        sink = self.server.sink
        with sink.lock:
            sink.connections += 1
        mail_from, rcpt_to = None, []
        try:
            self.reply(f"220 {HOST} bench SMTP sink ready")
            while True:
                line = self.rfile.readline(4096)
                if not line:
                    return
                verb, _, argument = line.decode("utf-8", "replace").rstrip("\r\n").partition(" ")
                verb = verb.upper()
                if verb == "EHLO":
                    self.reply(f"250-{HOST}")
                    self.reply("250-8BITMIME")
                    self.reply("250 SMTPUTF8")
                elif verb == "HELO":
                    self.reply(f"250 {HOST}")
                elif verb == "MAIL":
                    mail_from, rcpt_to = _address(argument), []
                    self.reply("250 OK")
                elif verb == "RCPT":
                    if mail_from is None:
                        self.reply("503 MAIL first")
                        continue
                    rcpt_to.append(_address(argument))
                    self.reply("250 OK")
                elif verb == "DATA":
                    if not rcpt_to:
                        self.reply("503 RCPT first")
                        continue
                    self.reply("354 End data with <CR><LF>.<CR><LF>")
                    data = self.read_data()
                    if data is None:
                        return  # the sender went away mid-message: nothing was accepted
                    sink.record(Mail(mail_from, list(rcpt_to), data))
                    mail_from, rcpt_to = None, []
                    self.reply("250 OK queued")
                elif verb == "RSET":
                    mail_from, rcpt_to = None, []
                    self.reply("250 OK")
                elif verb == "NOOP":
                    self.reply("250 OK")
                elif verb == "QUIT":
                    self.reply("221 Bye")
                    return
                else:
                    self.reply("502 Command not implemented")
        except (OSError, TimeoutError):
            return

    def read_data(self):
        lines, size = [], 0
        while True:
            line = self.rfile.readline(65536)
            if not line:
                return None
            if line in (b".\r\n", b".\n"):
                return b"".join(lines)
            if line.startswith(b"."):
                line = line[1:]  # dot-stuffing
            size += len(line)
            if size > MAX_MESSAGE_BYTES:
                return None
            lines.append(line)


class _SmtpServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, address, sink):
        self.sink = sink
        super().__init__(address, _SmtpHandler)


class _Restartable:
    """A server in a background thread that can be stopped (port closed) and started again on the same port."""

    def __init__(self, port=0):
        self.port = port
        self.lock = threading.Lock()
        self._server = None
        self._thread = None

    def _make_server(self):
        raise NotImplementedError

    @property
    def running(self):
        return self._server is not None

    def start(self):
        if self._server is not None:
            return self
        server = self._make_server()
        self.port = server.server_address[1]  # keep it: a restart must come back where senders look
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self):
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)


class SmtpSink(_Restartable):
    """Records every message accepted; ``stop()``/``start()`` take the "mail server" down and back."""

    def __init__(self, port=0):
        super().__init__(port)
        self.messages: list[Mail] = []
        self.connections = 0

    def _make_server(self):
        return _SmtpServer((HOST, self.port), self)

    def record(self, mail):
        with self.lock:
            self.messages.append(mail)

    def snapshot(self):
        with self.lock:
            return list(self.messages)


@dataclass
class WebhookCall:
    delivery: str
    signature_ok: bool
    status: int
    lead_id: int | None
    submission_key: str
    email: str
    received: float = field(default_factory=time.time)


class _WebhookHandler(BaseHTTPRequestHandler):
    timeout = SOCKET_TIMEOUT

    def log_message(self, format, *args):  # noqa: A002 - BaseHTTPRequestHandler's signature
        pass  # quiet: thousands of calls per run

    def do_POST(self):
        receiver = self.server.receiver
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(min(length, MAX_MESSAGE_BYTES))
        expected = "sha256=" + hmac.new(receiver.secret.encode(), body, hashlib.sha256).hexdigest()
        signature_ok = hmac.compare_digest(expected, self.headers.get("X-LeadWizard-Signature", ""))
        lead_id, key, address = None, "", ""
        with contextlib.suppress(ValueError, AttributeError, TypeError):
            lead = json.loads(body)["lead"]
            lead_id, key = lead.get("id"), lead.get("submission_key") or ""
            address = (lead.get("contact") or {}).get("email") or ""
        status = 500 if receiver.failing else (200 if signature_ok else 401)
        receiver.record(
            WebhookCall(
                self.headers.get("X-LeadWizard-Delivery", ""), signature_ok, status, lead_id, key, address
            )
        )
        payload = b'{"ok": true}' if status == 200 else b'{"error": "bench receiver failing"}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class _WebhookServer(ThreadingHTTPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, address, receiver):
        self.receiver = receiver
        super().__init__(address, _WebhookHandler)


class WebhookReceiver(_Restartable):
    """Records every POST; ``failing = True`` answers 500; ``stop()`` takes it down (connection refused)."""

    def __init__(self, secret, port=0):
        super().__init__(port)
        self.secret = secret
        self.failing = False
        self.calls: list[WebhookCall] = []

    def _make_server(self):
        return _WebhookServer((HOST, self.port), self)

    @property
    def url(self):
        return f"http://{HOST}:{self.port}/bench-webhook"

    def record(self, call):
        with self.lock:
            self.calls.append(call)

    def snapshot(self):
        with self.lock:
            return list(self.calls)


def port_is_free(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True
