"""Gunicorn settings for one CRM-Portal app server behind nginx.

Run one app server per unix socket (see deploy/crmportal-web@.service)::

    GUNICORN_BIND=unix:/run/crmportal/web-1.sock gunicorn -c deploy/gunicorn.conf.py website.wsgi:application

Only nginx may talk to gunicorn, so gunicorn listens on a unix socket, never on a
TCP port: a sync worker reads a request itself, and a client that sends its
headers or body slowly holds that worker until ``timeout`` kills it (two such
clients stalled a whole app server, health check included, for 34 s). nginx reads
complete requests (``proxy_request_buffering``) and takes complete responses
(``proxy_buffering``), so through nginx gunicorn only ever sees fast requests from
a local peer. The socket's directory (``/run/crmportal``, mode 0750, group
www-data; deploy/crmportal.tmpfiles.conf) decides who may connect.

Everything that differs between machines comes from the environment:

``GUNICORN_BIND``            where to listen (default ``unix:/run/crmportal/web.sock``); comma-separate several.
                             ``host:port`` still works for experiments; do not expose it.
``GUNICORN_WORKERS``         worker processes (default ``2 * cores + 1``, at most ``GUNICORN_MAX_WORKERS``)
``GUNICORN_MAX_WORKERS``     cap of the default above (default 12)
``GUNICORN_THREADS``         threads per worker (default 1 = ``sync`` worker; >1 switches to ``gthread``)
``GUNICORN_TIMEOUT``         seconds a request may take before its worker is killed (default 30)
``GUNICORN_GRACEFUL_TIMEOUT`` seconds workers get to finish their requests on stop or reload (default 30)
``GUNICORN_ACCESS_LOG``      access log file, ``-`` for stdout (default), empty to switch it off
``GUNICORN_ERROR_LOG``       error log file, ``-`` for stderr (default)
``GUNICORN_CONTROL_SOCKET``  path of the ``gunicornc`` control socket; unset = no control socket
``FORWARDED_ALLOW_IPS``      proxies trusted for ``X-Forwarded-Proto`` on a TCP bind (default ``127.0.0.1,::1``);
                             gunicorn trusts the peer of a unix socket unconditionally

Worker class: ``sync``. nginx buffers request bodies and responses, so a slow
reader never holds a worker; requests are short and CPU/database bound (template
rendering, ORM), anonymous pages mostly come from the Redis page cache, and slow
outbound I/O (SMTP, webhooks) runs in the task worker, not in requests. Threads
would add GIL contention, not throughput. ``sync`` also makes ``timeout`` a hard
limit per request (a hung ``gthread`` request thread is never killed, because the
worker's main thread keeps the heartbeat going). The price is no keep-alive
between nginx and gunicorn (one local socket connection per request: cheap) and
concurrency = number of workers, so size ``GUNICORN_WORKERS`` to the load. With
a remote database whose latency dominates, try ``GUNICORN_THREADS=4``.
"""

import datetime
import json
import os
from urllib.parse import urlsplit, urlunsplit

from gunicorn.glogging import Logger


def _env_int(name, default):
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _cores():
    # sched_getaffinity honours CPU limits of containers and systemd's CPUAffinity.
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


wsgi_app = "website.wsgi:application"
bind = [
    address.strip()
    for address in os.environ.get("GUNICORN_BIND", "unix:/run/crmportal/web.sock").split(",")
    if address.strip()
]

# Each worker holds a full Django/Wagtail process (~100-150 MB) and, with
# DATABASE_CONN_MAX_AGE, a PostgreSQL connection: the cap keeps a many-core
# host from exhausting max_connections.
workers = _env_int("GUNICORN_WORKERS", min(2 * _cores() + 1, _env_int("GUNICORN_MAX_WORKERS", 12)))
threads = _env_int("GUNICORN_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"

# Matches nginx's proxy_read_timeout minus a margin, so that gunicorn gives up first
# and nginx can still answer with its own 502/504 page.
timeout = _env_int("GUNICORN_TIMEOUT", 30)
# systemd's TimeoutStopSec (40 s) leaves room for this before it sends SIGKILL.
graceful_timeout = _env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Only gthread uses it: nginx keeps upstream connections open a little longer than this.
keepalive = 5
# The last line of defence should anything but nginx reach the socket: nginx's own
# limits (large_client_header_buffers 4 8k) are the same, so no request nginx
# accepts is refused here.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# Recycle workers now and then so that a slow leak in a dependency cannot grow without
# bound; the jitter keeps all workers from restarting at the same moment.
max_requests = _env_int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = 200
# The heartbeat file is fchmod-ed on every loop; on a disk-backed /tmp that can block.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 - gunicorn's documented advice

# Not preloaded: a HUP (systemctl reload) then starts workers that import the new
# code, which is how app servers are upgraded one at a time.
preload_app = False

# Only nginx on this host may claim HTTPS via X-Forwarded-Proto; Django's
# SECURE_PROXY_SSL_HEADER reads the same header. On a unix socket gunicorn trusts
# the peer anyway: who may connect is decided by the socket directory's permissions.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Several app servers on one host would otherwise share (and delete each other's)
# default control socket in $XDG_RUNTIME_DIR or ~/.gunicorn.
control_socket_disable = not os.environ.get("GUNICORN_CONTROL_SOCKET")
if not control_socket_disable:
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")


def _instance_label(address):
    """``web-1`` for ``unix:/run/crmportal/web-1.sock``, ``web-8001`` for ``127.0.0.1:8001``."""
    if address.startswith("unix:"):
        return os.path.splitext(os.path.basename(address[len("unix:") :]))[0]
    return "web-" + address.rsplit(":", 1)[-1]


proc_name = "crmportal-" + _instance_label(bind[0])


def _without_query(url):
    """Query strings can carry e-mail addresses, tokens and click ids: never log them."""
    if not url or url == "-":
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return "-"
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


class JsonAccessLogger(Logger):
    """One JSON object per request, without query strings, for log shippers.

    Gunicorn's ``access_log_format`` cannot escape quotes in user agents, so the
    line is built with ``json.dumps`` instead.
    """

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        status = resp.status
        if isinstance(status, str):
            status = status.split(None, 1)[0]
        record = {
            "time": datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds"),
            "type": "access",
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO"),
            "status": int(status) if str(status).isdigit() else status,
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            # REMOTE_ADDR is nginx; the reader's address is what nginx put in X-Forwarded-For.
            "client": environ.get("HTTP_X_FORWARDED_FOR") or environ.get("REMOTE_ADDR"),
            "host": environ.get("HTTP_HOST"),
            "scheme": environ.get("wsgi.url_scheme"),
            "request_id": environ.get("HTTP_X_REQUEST_ID"),
            "referer": _without_query(environ.get("HTTP_REFERER")),
            "user_agent": environ.get("HTTP_USER_AGENT"),
            "pid": os.getpid(),
        }
        try:
            self.access_log.info(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
        except Exception:
            self.exception("Could not write the access log line")


logger_class = JsonAccessLogger
