"""Run the production stack on 127.0.0.1 for trying it out (``make prod-local``).

nginx (TLS with a self-signed certificate) -> N gunicorn app servers on unix
sockets (``.prod-local/run/app-N.sock``; gunicorn has no TCP port, as in
production) -> PostgreSQL and Redis, plus one ``db_worker``, all with
``website.settings.production``. It
installs Debian's nginx when missing, starts PostgreSQL when it is down, creates
the database ``crmportal_prod_local``, migrates, collects static files, loads the
demo content and an admin user, starts the processes and waits until ``/healthz``
answers through nginx. Everything it writes lives in ``.prod-local/`` (logs in
``.prod-local/logs/``); your development database and media are not touched.

Command line (``.venv/bin/python scripts/prod_local.py --help``)::

    prod_local.py [start] [--detach] [--app-servers N]
                  [--https-port 8443] [--http-port 8080] [--workers N] [--skip-setup]
    prod_local.py stop | status | env

Without ``--detach`` it stays in the foreground until Ctrl-C and then stops every
process; with it, the process ids go to ``.prod-local/pids.json`` and
``prod_local.py stop`` ends them later.

Python API, for benchmark and fault-injection scripts::

    sys.path.insert(0, str(ROOT / "scripts"))
    import prod_local

    stack = prod_local.start_stack(app_servers=2, detach=True)   # or prod_local.attach()
    stack.base_url                     # "https://127.0.0.1:8443"
    stack.app_socket(0)                # .prod-local/run/app-1.sock, where the first app server listens
    stack.app_server_status(0)         # its /healthz status, asked over the socket (bypassing nginx)
    stack.app_server_listeners(0)      # what its processes listen on: ["unix:..."], never "tcp:..."
    stack.kill_app_server(0)           # SIGKILL to the first app server (master and workers)
    stack.start_app_server(0)
    stack.kill_worker(); stack.start_worker()
    stack.manage("purge_leads", "--dry-run")   # manage.py against the same database
    stack.stop()

E-mail goes to the console backend, i.e. into the log of the process that sends it
(lead e-mails: ``.prod-local/logs/worker.log``): the settings read no
``EMAIL_FILE_PATH``, which the file-based backend would need.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import http.client
import json
import os
import pwd
import re
import secrets
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUN_DIR = ROOT / ".prod-local"
HOST = "127.0.0.1"
DB_NAME = "crmportal_prod_local"
PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
# A Redis database of its own, so that the page cache and rate limits of this stack
# never mix with development or tests.
REDIS_URL = "redis://127.0.0.1:6379/3"
DEFAULT_APP_SERVERS = 2
# AF_UNIX paths are limited to 107 bytes on Linux.
MAX_SOCKET_PATH = 107
DEFAULT_HTTPS_PORT = 8443
DEFAULT_HTTP_PORT = 8080
# /healthz checks database, cache and task table. /robots.txt is the fallback for a
# checkout whose settings do not have /healthz yet.
HEALTH_PATHS = ("/healthz", "/robots.txt")
STOP_TIMEOUT = 15.0
START_TIMEOUT = 60.0


def _python():
    venv_python = ROOT / ".venv" / "bin" / "python"
    return str(venv_python) if venv_python.exists() else sys.executable


def gunicorn_command():
    """How the stack starts an app server; ``GUNICORN_BIND`` in the environment says where it listens."""
    return [_python(), "-m", "gunicorn", "--config", str(ROOT / "deploy" / "gunicorn.conf.py")]


def _say(message):
    print(f"prod-local: {message}", flush=True)


class StackError(RuntimeError):
    """The stack could not be started or a component is missing."""


# --------------------------------------------------------------------------- processes


def _proc_stat(pid):
    """(state, start time in clock ticks) of a process, or None when there is none."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # The command name in parentheses may contain spaces; the fields after it are fixed.
    fields = raw[raw.rindex(")") + 2 :].split()
    return fields[0], int(fields[19])


@dataclass
class Proc:
    """One supervised process; it leads a process group of its own (gunicorn's workers, nginx's workers)."""

    name: str
    pid: int
    start_time: int
    log: str
    popen: subprocess.Popen | None = field(default=None, repr=False, compare=False)

    def to_json(self):
        return {"name": self.name, "pid": self.pid, "start_time": self.start_time, "log": self.log}

    @classmethod
    def from_json(cls, data):
        return cls(data["name"], data["pid"], data["start_time"], data["log"])

    def alive(self):
        if self.popen is not None:
            return self.popen.poll() is None
        stat = _proc_stat(self.pid)
        # A different start time means the pid now belongs to someone else.
        return stat is not None and stat[1] == self.start_time and stat[0] != "Z"

    def _group_is_ours(self):
        stat = _proc_stat(self.pid)
        if stat is None:
            # The leader is gone; the kernel does not reuse a pid while a process group
            # of that id still exists, so the group can only be ours (or empty).
            return True
        return stat[1] == self.start_time

    def signal_group(self, sig):
        if not self._group_is_ours():
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, sig)

    def wait(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive() and not self._group_alive():
                return True
            time.sleep(0.1)
        return False

    def _group_alive(self):
        if not self._group_is_ours():
            return False
        try:
            os.killpg(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        # Only zombies left (reaped by their parent soon) count as gone.
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                raw = (entry / "stat").read_text()
            except OSError:
                continue
            fields = raw[raw.rindex(")") + 2 :].split()
            if int(fields[2]) == self.pid and fields[0] != "Z":
                return True
        return False

    def stop(self, timeout=STOP_TIMEOUT, sig=signal.SIGTERM):
        """``sig`` to the whole group, SIGKILL after ``timeout`` seconds; reaps our own child."""
        self.signal_group(sig)
        if not self.wait(timeout):
            self.signal_group(signal.SIGKILL)
            self.wait(5)
        if self.popen is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=5)


def _spawn(name, command, env, log_path):
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        log.write(f"\n===== {time.strftime('%Y-%m-%d %H:%M:%S')} {name}: {shlex.join(command)}\n".encode())
        log.flush()
        # A session of its own: Ctrl-C in the terminal does not reach the children
        # (we stop them in order), and killpg reaches gunicorn's and nginx's workers.
        popen = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    stat = _proc_stat(popen.pid)
    return Proc(name, popen.pid, stat[1] if stat else 0, str(log_path), popen)


def _tail(path, lines=25):
    try:
        text = Path(path).read_text(errors="replace")
    except FileNotFoundError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def _port_in_use(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((HOST, port)) == 0


def _socket_in_use(path):
    """Whether something accepts connections on the unix socket ``path`` (a stale file does not count)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(str(path)) == 0


class UnixHTTPConnection(http.client.HTTPConnection):
    """http.client over a unix socket: how to reach an app server without nginx."""

    def __init__(self, path, timeout=5):
        super().__init__("localhost", timeout=timeout)
        self.path = str(path)

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.path)


def group_members(pgid):
    """Pids of the live processes in process group ``pgid``."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry.name))
    return members


def _listening_sockets():
    """{socket inode: "tcp:addr:port" | "unix:path"} of every listening socket in this network namespace."""
    listening = {}
    for name in ("tcp", "tcp6"):
        try:
            lines = Path(f"/proc/net/{name}").read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] != "0A":  # TCP_LISTEN
                continue
            address, port = fields[1].split(":")
            listening[fields[9]] = f"{name}:{_proc_net_address(address)}:{int(port, 16)}"
    with contextlib.suppress(OSError):
        for line in Path("/proc/net/unix").read_text().splitlines()[1:]:
            fields = line.split()
            # Flags 00010000 = __SO_ACCEPTCON: a listening socket.
            if len(fields) >= 8 and int(fields[3], 16) & 0x10000:
                listening[fields[6]] = f"unix:{fields[7]}"
    return listening


def _proc_net_address(hexaddr):
    """The address in /proc/net/tcp{,6}'s notation (32-bit words in host byte order) as text."""
    raw = bytes.fromhex(hexaddr)
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    return socket.inet_ntop(socket.AF_INET if len(raw) == 4 else socket.AF_INET6, words)


def listeners_of(pgid):
    """What the processes of group ``pgid`` listen on, e.g. ``["unix:/…/app-1.sock"]`` or ``["tcp:127.0.0.1:8001"]``."""
    listening = _listening_sockets()
    found = set()
    for pid in group_members(pgid):
        fd_dir = Path(f"/proc/{pid}/fd")
        try:
            fds = list(fd_dir.iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inode = target[len("socket:[") : -1]
                if inode in listening:
                    found.add(listening[inode])
    return sorted(found)


# --------------------------------------------------------------------------- prerequisites


def _root_command(command):
    return command if os.geteuid() == 0 else ["sudo", *command]


def nginx_binary():
    """Path of nginx; installs Debian's package with apt-get when it is missing."""
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found:
        return found
    _say("installing Debian's nginx package (apt-get)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(_root_command(["apt-get", "update", "-qq"]), check=True, env=env)
    subprocess.run(
        _root_command(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "nginx"]),
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    found = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(found).exists():
        raise StackError("nginx is still missing after apt-get install nginx")
    return found


def _pg_ready():
    return (
        subprocess.run(
            ["pg_isready", "-q", "-h", PG_HOST, "-p", str(PG_PORT)], check=False, capture_output=True
        ).returncode
        == 0
    )


def ensure_postgres():
    if _pg_ready():
        return
    versions = (
        sorted(Path("/etc/postgresql").iterdir(), key=lambda p: int(p.name))
        if Path("/etc/postgresql").is_dir()
        else []
    )
    if not versions:
        raise StackError(f"PostgreSQL does not answer on {PG_HOST}:{PG_PORT} and no cluster is configured")
    _say(f"starting PostgreSQL {versions[-1].name}")
    subprocess.run(
        _root_command(["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1].name, "main", "start"]),
        check=True,
    )
    for _ in range(60):
        if _pg_ready():
            return
        time.sleep(0.5)
    raise StackError("PostgreSQL did not become ready within 30 s")


def ensure_database(name):
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise StackError(f"unsafe database name {name!r}")
    pg = ["-h", PG_HOST, "-p", str(PG_PORT), "-U", PG_USER]
    # psql quotes :'name' itself (variables are not interpolated in -c, hence stdin).
    exists = subprocess.run(
        ["psql", *pg, "-d", "postgres", "-tA", "-v", f"name={name}"],
        input="SELECT 1 FROM pg_database WHERE datname = :'name';\n",
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if exists != "1":
        _say(f"creating database {name}")
        subprocess.run(["createdb", *pg, name], check=True)


def ensure_redis(url=REDIS_URL):
    match = re.match(r"redis://([^:/]+):(\d+)", url)
    host, port = match.group(1), int(match.group(2))
    try:
        with socket.create_connection((host, port), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            answer = sock.recv(64)
    except OSError as exc:
        raise StackError(
            f"Redis does not answer on {host}:{port} ({exc}); start it, e.g. `redis-server --daemonize yes`"
        ) from exc
    if not answer.startswith(b"+PONG"):
        raise StackError(f"Redis on {host}:{port} answered {answer!r} to PING")


def _secret_file(path, make):
    """A value generated once and kept (mode 0600), so restarts keep sessions and tokens valid."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(make())
    return path.read_text().strip()


def ensure_certificate(tls_dir):
    """A self-signed certificate for localhost and 127.0.0.1, regenerated when it expires within a day."""
    cert, key = tls_dir / "cert.pem", tls_dir / "key.pem"
    if cert.exists() and key.exists():
        valid = subprocess.run(
            ["openssl", "x509", "-checkend", "86400", "-noout", "-in", str(cert)],
            check=False,
            capture_output=True,
        )
        if valid.returncode == 0:
            return cert, key
    tls_dir.mkdir(parents=True, exist_ok=True)
    _say("generating a self-signed TLS certificate")
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-sha256",
            "-days",
            "365",
            "-nodes",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],  # fmt: skip
        check=True,
        capture_output=True,
    )
    key.chmod(0o600)
    return cert, key


# --------------------------------------------------------------------------- configuration


@dataclass
class Config:
    """What to start; ``run_dir`` holds every file the stack writes."""

    app_servers: int = DEFAULT_APP_SERVERS
    https_port: int = DEFAULT_HTTPS_PORT
    http_port: int = DEFAULT_HTTP_PORT  # 0: no plain-HTTP listener
    workers: int | None = None  # gunicorn workers per app server; None: deploy/gunicorn.conf.py's default
    database: str = DB_NAME
    run_dir: Path = RUN_DIR

    @property
    def base_url(self):
        return f"https://{HOST}:{self.https_port}"

    def app_socket(self, index) -> Path:
        """The unix socket app server ``index`` (0 = the first) listens on."""
        return self.run_dir / "run" / f"app-{index + 1}.sock"

    def to_json(self):
        return {
            "app_servers": self.app_servers,
            "https_port": self.https_port,
            "http_port": self.http_port,
            "workers": self.workers,
            "database": self.database,
            "run_dir": str(self.run_dir),
        }

    @classmethod
    def from_json(cls, data):
        # pids.json of a stack started before app servers moved to unix sockets: same count.
        app_servers = data["app_servers"] if "app_servers" in data else len(data["app_ports"])
        return cls(
            app_servers=app_servers,
            https_port=data["https_port"],
            http_port=data["http_port"],
            workers=data["workers"],
            database=data["database"],
            run_dir=Path(data["run_dir"]),
        )


def build_env(config):
    """The environment of every process of the stack (and of ``Stack.manage``)."""
    run = config.run_dir
    origins = [f"https://{host}:{config.https_port}" for host in (HOST, "localhost")]
    env = {
        key: value
        for key, value in os.environ.items()
        # The developer's shell may point these at the development database or turn DEBUG on.
        if not key.startswith(("DJANGO_", "GUNICORN_")) and key not in {"DEBUG", "DATABASE_URL", "REDIS_URL"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "website.settings.production",
            "SECRET_KEY": _secret_file(run / "secret_key", lambda: secrets.token_urlsafe(50)),
            "ALLOWED_HOSTS": f"{HOST},localhost",
            "CSRF_TRUSTED_ORIGINS": ",".join(origins),
            "DATABASE_URL": f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{config.database}",
            "REDIS_URL": REDIS_URL,
            # Stacks with other run dirs (benchmarks) share the Redis database, not their pages.
            "CACHE_KEY_PREFIX": f"crmportal-{config.database}",
            "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
            "WAGTAILADMIN_BASE_URL": config.base_url,
            "STATIC_ROOT": str(run / "staticfiles"),
            "MEDIA_ROOT": str(run / "media"),
            "LEADWIZARD_EXPORT_ROOT": str(run / "private" / "exports"),
            # nginx, the app servers' only peer, connects over their unix sockets (an empty
            # REMOTE_ADDR) and overwrites X-Forwarded-For with the reader's address.
            "LEADWIZARD_TRUSTED_PROXIES": "unix",
            # Real TLS, real secure cookies and redirects, but no HSTS: browsers would
            # pin https for "localhost" for a year and break every other local server.
            "SECURE_HSTS_SECONDS": "0",
            "DJANGO_SUPERUSER_PASSWORD": _secret_file(
                run / "admin_password", lambda: secrets.token_urlsafe(12)
            ),
            "PYTHONUNBUFFERED": "1",
        }
    )
    if config.workers:
        env["GUNICORN_WORKERS"] = str(config.workers)
    return env


NGINX_TEMPLATE = """\
# Generated by scripts/prod_local.py for a local try-out. The blocks marked "from
# deploy/nginx.conf.example" are copied from the production example, so limits,
# timeouts and proxy settings are the same; only addresses, paths and the
# certificate differ.
@@USER@@
worker_processes 2;
# Slow clients cost a connection each; proxied requests two.
worker_rlimit_nofile 16384;
pid @@NGINX_DIR@@/nginx.pid;
error_log @@LOGS@@/nginx-error.log warn;

events {
    worker_connections 4096;
}

http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    server_tokens off;
    client_body_temp_path @@NGINX_DIR@@/temp/client_body;
    proxy_temp_path @@NGINX_DIR@@/temp/proxy;
    fastcgi_temp_path @@NGINX_DIR@@/temp/fastcgi;
    uwsgi_temp_path @@NGINX_DIR@@/temp/uwsgi;
    scgi_temp_path @@NGINX_DIR@@/temp/scgi;

    # ---- from deploy/nginx.conf.example (shared: http)
@@SHARED_HTTP@@
    # ---- end of the copy
    access_log @@LOGS@@/nginx-access.log crmportal_json;

    upstream crmportal_app {
@@SERVERS@@
    }

@@HTTP_SERVER@@
    server {
        listen @@HOST@@:@@HTTPS_PORT@@ ssl http2;
        server_name @@HOST@@ localhost;

        ssl_certificate @@CERT@@;
        ssl_certificate_key @@KEY@@;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_session_cache shared:crmportal_tls:1m;

        # With the port: Wagtail picks the site by host and port, Django builds URLs with it.
        proxy_set_header Host $host:$server_port;
        proxy_set_header X-Forwarded-Host $host:$server_port;

        # ---- from deploy/nginx.conf.example (shared: server)
@@SHARED_SERVER@@
        # ---- end of the copy

        location /media/ {
            alias @@MEDIA@@/;
            expires 7d;
            add_header X-Content-Type-Options nosniff;
            location /media/documents/ {
                return 404;
            }
        }
    }
}
"""

HTTP_SERVER_TEMPLATE = """\
    server {
        listen @@HOST@@:@@HTTP_PORT@@;
        server_name @@HOST@@ localhost;
        return 301 https://$host:@@HTTPS_PORT@@$request_uri;
    }
"""


def _nginx_user():
    # Only a root master switches users; its workers must read media and the temp dirs.
    if os.geteuid() != 0:
        return ""
    for name in ("www-data", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return f"user {name};"
    return ""


NGINX_EXAMPLE = ROOT / "deploy" / "nginx.conf.example"


def shared_nginx_block(name, example=NGINX_EXAMPLE):
    """The lines between ``# >>> shared: <name>`` and ``# <<< shared: <name>`` in the production example."""
    text = Path(example).read_text()
    match = re.search(
        rf"^[ \t]*# >>> shared: {re.escape(name)}\n(.*?)^[ \t]*# <<< shared: {re.escape(name)}\n",
        text,
        re.MULTILINE | re.DOTALL,
    )
    if match is None:
        raise StackError(f"{example} has no block marked '# >>> shared: {name}' ... '# <<< shared: {name}'")
    return match.group(1)


def _indent(block, spaces):
    """Re-indent ``block`` to ``spaces``, keeping its relative indentation."""
    lines = block.splitlines()
    margin = min((len(line) - len(line.lstrip()) for line in lines if line.strip()), default=0)
    return "\n".join((" " * spaces + line[margin:]) if line.strip() else "" for line in lines)


def write_nginx_config(config, cert, key):
    nginx_dir = config.run_dir / "nginx"
    (nginx_dir / "temp").mkdir(parents=True, exist_ok=True)
    (config.run_dir / "media").mkdir(parents=True, exist_ok=True)
    servers = "\n".join(
        f"        server unix:{config.app_socket(index)} max_fails=1 fail_timeout=10s;"
        for index in range(config.app_servers)
    )
    http_server = HTTP_SERVER_TEMPLATE if config.http_port else ""
    text = NGINX_TEMPLATE.replace("@@HTTP_SERVER@@", http_server)
    for token, value in {
        "@@SHARED_HTTP@@": _indent(shared_nginx_block("http"), 4),
        "@@SHARED_SERVER@@": _indent(shared_nginx_block("server"), 8),
        "@@USER@@": _nginx_user(),
        "@@NGINX_DIR@@": str(nginx_dir),
        "@@LOGS@@": str(config.run_dir / "logs"),
        "@@SERVERS@@": servers,
        "@@HOST@@": HOST,
        "@@HTTPS_PORT@@": str(config.https_port),
        "@@HTTP_PORT@@": str(config.http_port),
        "@@CERT@@": str(cert),
        "@@KEY@@": str(key),
        "@@MEDIA@@": str(config.run_dir / "media"),
    }.items():
        text = text.replace(token, value)
    path = nginx_dir / "nginx.conf"
    path.write_text(text)
    return path


# --------------------------------------------------------------------------- the stack


def _ssl_context(cert):
    # Verify against our own certificate: it names 127.0.0.1 and localhost.
    return ssl.create_default_context(cafile=str(cert))


def _http_status(url, context=None, headers=None, timeout=5):
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - our own http(s) URLs
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as response:  # noqa: S310 - local URLs only
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, OSError):
        return None


class Stack:
    """A running stack: its processes, the environment they share and helpers for fault runs.

    App servers are addressed by index (0 = the first, ``app-1``, listening on
    ``run/app-1.sock``).
    """

    def __init__(self, config, env, processes=None):
        self.config = config
        self.env = env
        self.processes: dict[str, Proc] = processes or {}
        self.health_path = HEALTH_PATHS[0]

    # -- addresses
    @property
    def run_dir(self) -> Path:
        return self.config.run_dir

    @property
    def base_url(self) -> str:
        """``https://127.0.0.1:<https_port>``: nginx, the way readers come in."""
        return self.config.base_url

    @property
    def app_servers(self) -> int:
        """How many app servers the stack has."""
        return self.config.app_servers

    def app_socket(self, index) -> Path:
        """The unix socket of app server ``index``: nginx's way in, and the only one."""
        return self.config.app_socket(index)

    @property
    def app_sockets(self) -> list[Path]:
        return [self.app_socket(index) for index in range(self.app_servers)]

    @property
    def cert_file(self) -> Path:
        """The self-signed certificate; pass it as CA file (``curl --cacert``, ``requests(verify=...)``)."""
        return self.run_dir / "tls" / "cert.pem"

    @property
    def logs_dir(self) -> Path:
        return self.run_dir / "logs"

    def url(self, path="/") -> str:
        return self.base_url + path

    def app_server_status(self, index, path=None, timeout=5) -> int | None:
        """HTTP status of ``path`` (default: the health check) asked of app server ``index`` over its socket.

        Bypasses nginx; None when the socket does not answer.
        """
        path = path or self.health_path
        headers = {"Host": HOST, "X-Forwarded-Proto": "https"}
        connection = UnixHTTPConnection(self.app_socket(index), timeout=timeout)
        try:
            connection.request("GET", path, headers=headers)
            return connection.getresponse().status
        except (OSError, http.client.HTTPException):
            return None
        finally:
            connection.close()

    def app_server_listeners(self, index) -> list[str]:
        """Where app server ``index``'s processes (master and workers) listen: ``unix:…`` / ``tcp:…`` / ``tcp6:…``."""
        proc = self.processes.get(self.app_server_name(index))
        if proc is None or not proc.alive():
            return []
        return listeners_of(proc.pid)

    def ssl_context(self) -> ssl.SSLContext:
        return _ssl_context(self.cert_file)

    # -- state
    def is_alive(self, name) -> bool:
        """``name``: ``"app-1"`` (see ``app_server_name``), ``"worker"`` or ``"nginx"``."""
        proc = self.processes.get(name)
        return proc is not None and proc.alive()

    def app_server_name(self, index) -> str:
        return f"app-{index + 1}"

    def status(self) -> dict[str, bool]:
        return {name: proc.alive() for name, proc in self.processes.items()}

    def save(self):
        """Write ``pids.json`` (atomically), so that ``prod_local.py stop`` and ``attach()`` find the stack."""
        data = {
            "config": self.config.to_json(),
            "base_url": self.base_url,
            "health_path": self.health_path,
            "processes": {name: proc.to_json() for name, proc in self.processes.items() if proc.alive()},
        }
        path = self.run_dir / "pids.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2) + "\n")
        tmp.replace(path)

    # -- health
    def wait_app_server(self, index, timeout=START_TIMEOUT):
        """Wait until app server ``index`` answers its health check itself (not through nginx)."""
        name = self.app_server_name(index)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.is_alive(name):
                raise StackError(
                    f"{name} exited; see {self.processes[name].log}:\n{_tail(self.processes[name].log)}"
                )
            status = self.app_server_status(index)
            if status == 200:
                return
            if status == 404 and self.health_path != HEALTH_PATHS[-1]:
                _say(
                    f"{self.health_path} answers 404 (not in these settings yet); falling back to {HEALTH_PATHS[-1]}"
                )
                self.health_path = HEALTH_PATHS[-1]
                continue
            time.sleep(0.3)
        raise StackError(f"{name} not healthy after {timeout:.0f} s; see {self.processes[name].log}")

    def wait_healthy(self, timeout=START_TIMEOUT) -> int:
        """Wait until the health check answers 200 through nginx; returns the status."""
        deadline = time.monotonic() + timeout
        status = None
        while time.monotonic() < deadline:
            status = _http_status(self.url(self.health_path), context=self.ssl_context())
            if status == 200:
                return status
            if not self.is_alive("nginx"):
                raise StackError(f"nginx exited:\n{_tail(self.logs_dir / 'nginx-error.log')}")
            time.sleep(0.3)
        raise StackError(f"{self.url(self.health_path)} answered {status} after {timeout:.0f} s")

    # -- processes
    def _replace(self, name, proc):
        self.processes[name] = proc
        self.save()

    def start_app_server(self, index, wait=True) -> Proc:
        name = self.app_server_name(index)
        if self.is_alive(name):
            return self.processes[name]
        path = self.app_socket(index)
        if len(str(path).encode()) > MAX_SOCKET_PATH:
            raise StackError(f"the socket path {path} is too long for a unix socket; use a shorter run_dir")
        if _socket_in_use(path):
            raise StackError(f"something already listens on {path}")
        env = {
            **self.env,
            # gunicorn replaces a stale socket file left by a killed server itself.
            "GUNICORN_BIND": f"unix:{path}",
            "GUNICORN_CONTROL_SOCKET": str(self.run_dir / "run" / f"{name}.ctl"),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        self._replace(name, _spawn(name, gunicorn_command(), env, self.logs_dir / f"{name}.log"))
        if wait:
            self.wait_app_server(index)
        return self.processes[name]

    def kill_app_server(self, index, sig=signal.SIGKILL, wait=True):
        """Send ``sig`` (default SIGKILL: a crash) to app server ``index``'s master and workers."""
        self._kill(self.app_server_name(index), sig, wait)

    def start_worker(self) -> Proc:
        if self.is_alive("worker"):
            return self.processes["worker"]
        # At a lower CPU priority, as deploy/crmportal-worker.service runs it (Nice=10): e-mails and
        # webhooks wait a moment when readers' requests need the cores.
        command = ["nice", "-n", "10", _python(), "manage.py", "db_worker", "--no-reload", "--interval", "1"]
        self._replace("worker", _spawn("worker", command, self.env, self.logs_dir / "worker.log"))
        return self.processes["worker"]

    def start_retry_timer(self, every=60) -> Proc:
        """``manage.py retry_deliveries`` every ``every`` seconds, as deploy/'s systemd timer does."""
        if self.is_alive("retry-timer"):
            return self.processes["retry-timer"]
        command = [
            "sh",
            "-c",
            f'while :; do "{_python()}" manage.py retry_deliveries; sleep {int(every)}; done',
        ]
        self._replace(
            "retry-timer", _spawn("retry-timer", command, self.env, self.logs_dir / "retry-timer.log")
        )
        return self.processes["retry-timer"]

    def kill_worker(self, sig=signal.SIGKILL, wait=True):
        """Send ``sig`` to the task worker (SIGTERM: it finishes the running task first)."""
        self._kill("worker", sig, wait)

    def _kill(self, name, sig, wait):
        proc = self.processes.get(name)
        if proc is None:
            return
        if wait:
            proc.stop(timeout=STOP_TIMEOUT, sig=sig)
        else:
            proc.signal_group(sig)
        self.save()

    def start_nginx(self) -> Proc:
        if self.is_alive("nginx"):
            return self.processes["nginx"]
        nginx = nginx_binary()
        cert, key = ensure_certificate(self.run_dir / "tls")
        conf = write_nginx_config(self.config, cert, key)
        error_log = str(self.logs_dir / "nginx-error.log")
        base = [nginx, "-p", str(conf.parent), "-c", str(conf), "-e", error_log]
        checked = subprocess.run([*base, "-t", "-q"], check=False, capture_output=True, text=True)
        if checked.returncode != 0:
            raise StackError(f"nginx rejects {conf}:\n{checked.stderr}")
        self._replace(
            "nginx", _spawn("nginx", [*base, "-g", "daemon off;"], self.env, self.logs_dir / "nginx.log")
        )
        return self.processes["nginx"]

    def manage(self, *args, check=True, capture=True) -> subprocess.CompletedProcess:
        """Run ``manage.py <args>`` with the stack's environment (same database, cache, settings)."""
        return subprocess.run(
            [_python(), "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            check=check,
            capture_output=capture,
            text=True,
        )

    def stop(self, timeout=STOP_TIMEOUT):
        """Stop nginx, app servers and worker: SIGTERM to each process group, SIGKILL after ``timeout``."""
        order = ["nginx", *[n for n in self.processes if n.startswith("app-")], "worker", "retry-timer"]
        procs = [self.processes[n] for n in order if n in self.processes]
        for proc in procs:
            proc.signal_group(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for proc in procs:
            proc.stop(timeout=max(0.1, deadline - time.monotonic()))
        self.processes.clear()
        with contextlib.suppress(FileNotFoundError):
            (self.run_dir / "pids.json").unlink()


# --------------------------------------------------------------------------- public functions


def setup(env, config, log=None):
    """Migrate, collect static files, load the demo content and ensure the admin user (all idempotent)."""
    log_path = config.run_dir / "logs" / "setup.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    steps = [
        ["compile_catalogues"],
        ["migrate", "--noinput"],
        ["collectstatic", "--noinput"],
        ["load_demo", "--hostname", HOST, "--port", str(config.https_port)],
        ["ensure_superuser"],
    ]
    with open(log_path, "a") as handle:
        for step in steps:
            (log or _say)(f"manage.py {shlex.join(step)}")
            result = subprocess.run(
                [_python(), "manage.py", *step],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            handle.write(f"\n===== {time.strftime('%Y-%m-%d %H:%M:%S')} manage.py {shlex.join(step)}\n")
            handle.write(result.stdout + result.stderr)
            if result.returncode != 0:
                raise StackError(
                    f"manage.py {shlex.join(step)} failed (see {log_path}):\n{(result.stdout + result.stderr)[-3000:]}"
                )


def attach(run_dir=RUN_DIR) -> Stack | None:
    """The stack described by ``run_dir/pids.json`` (started detached by another process), or None."""
    path = Path(run_dir) / "pids.json"
    if not path.exists():
        return None
    data = json.loads(path.read_text())
    config = Config.from_json(data["config"])
    processes = {name: Proc.from_json(item) for name, item in data["processes"].items()}
    stack = Stack(config, build_env(config), processes)
    stack.health_path = data.get("health_path", HEALTH_PATHS[0])
    return stack


def start_stack(
    app_servers=DEFAULT_APP_SERVERS,
    *,
    https_port=DEFAULT_HTTPS_PORT,
    http_port=DEFAULT_HTTP_PORT,
    workers=None,
    database=DB_NAME,
    run_dir=RUN_DIR,
    run_setup=True,
    detach=True,
    log=None,
) -> Stack:
    """Start PostgreSQL-backed app servers, one task worker and nginx; return when healthy.

    App server N listens on the unix socket ``run_dir/run/app-N.sock`` and nowhere
    else. ``workers``: gunicorn workers per app server. With ``detach=False`` the
    stack is stopped when this Python process exits; either way
    ``run_dir/pids.json`` lets ``prod_local.py stop`` end it.
    """
    if app_servers < 1:
        raise StackError("at least one app server is needed")
    config = Config(app_servers, https_port, http_port, workers, database, Path(run_dir))
    running = attach(config.run_dir)
    if running and any(running.status().values()):
        raise StackError(
            f"a stack is already running ({running.base_url}); stop it with: scripts/prod_local.py stop"
        )
    busy = [str(p) for p in [https_port, http_port] if p and _port_in_use(p)]
    busy += [str(path) for path in map(config.app_socket, range(app_servers)) if _socket_in_use(path)]
    if busy:
        raise StackError(f"already in use: {', '.join(busy)}")
    for sub in ("logs", "run", "media", "staticfiles"):
        (config.run_dir / sub).mkdir(parents=True, exist_ok=True)

    nginx_binary()
    ensure_postgres()
    ensure_redis()
    ensure_database(database)
    env = build_env(config)
    if run_setup:
        setup(env, config, log)

    stack = Stack(config, env)
    try:
        for index in range(app_servers):
            stack.start_app_server(index, wait=False)
        for index in range(app_servers):
            stack.wait_app_server(index)
        stack.start_worker()
        stack.start_retry_timer()
        stack.start_nginx()
        stack.wait_healthy()
    except BaseException:
        stack.stop()
        raise
    if not detach:
        atexit.register(stack.stop)
    return stack


def stop_stack(run_dir=RUN_DIR) -> bool:
    """Stop the stack recorded in ``run_dir/pids.json``; False when none was recorded."""
    stack = attach(run_dir)
    if stack is None:
        return False
    stack.stop()
    return True


# --------------------------------------------------------------------------- command line


def _print_urls(stack):
    print()
    print(f"  Site:    {stack.url('/')}   (English: {stack.url('/en/')})")
    print(f"  Admin:   {stack.url('/admin/')}   user 'admin', password in {stack.run_dir / 'admin_password'}")
    print(f"  Health:  {stack.url(stack.health_path)}")
    print(f"  TLS:     self-signed; curl --cacert {stack.cert_file} (or -k), browsers: accept the warning")
    if stack.config.http_port:
        print(f"  HTTP:    http://{HOST}:{stack.config.http_port}/ redirects to HTTPS")
    sockets = ", ".join(
        str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path) for path in stack.app_sockets
    )
    print(
        f"  Servers: gunicorn on unix sockets {sockets} (no TCP port), db_worker, "
        f"retry_deliveries every minute, nginx; logs in {stack.logs_dir}/"
    )
    print(f'  manage.py against this database:  eval "$({_python()} scripts/prod_local.py env)"')
    print()


def _foreground(stack):
    def _terminate(signum, frame):
        raise KeyboardInterrupt

    # Also SIGINT: a shell that starts us in the background makes us inherit it ignored.
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _terminate)
    _say("running; Ctrl-C stops everything")
    reported = set()
    try:
        while True:
            time.sleep(1)
            for name, alive in stack.status().items():
                if not alive and name not in reported:
                    reported.add(name)
                    _say(f"{name} exited; see {stack.processes[name].log}")
    except KeyboardInterrupt:
        print()
        _say("stopping")
    finally:
        stack.stop()
        _say("stopped")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", nargs="?", default="start", choices=["start", "stop", "status", "env"])
    parser.add_argument("--detach", action="store_true", help="start and return; stop later with 'stop'")
    parser.add_argument("--app-servers", type=int, default=None, help="number of app servers (default 2)")
    parser.add_argument("--https-port", type=int, default=DEFAULT_HTTPS_PORT)
    parser.add_argument(
        "--http-port", type=int, default=DEFAULT_HTTP_PORT, help="0: no HTTP redirect listener"
    )
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers per app server")
    parser.add_argument("--database", default=DB_NAME)
    parser.add_argument("--skip-setup", action="store_true", help="no migrate/collectstatic/load_demo")
    args = parser.parse_args(argv)

    if args.command == "stop":
        _say("stopped" if stop_stack() else "no stack recorded in .prod-local/pids.json")
        return 0
    if args.command == "status":
        stack = attach()
        if stack is None:
            _say("not running")
            return 1
        for name, alive in stack.status().items():
            print(f"  {name:10} {'running' if alive else 'stopped'}  (pid {stack.processes[name].pid})")
        for index in range(stack.app_servers):
            listeners = stack.app_server_listeners(index)
            print(f"  {stack.app_server_name(index):10} listens on {', '.join(listeners) or 'nothing'}")
        print(
            f"  {stack.url(stack.health_path)} -> {_http_status(stack.url(stack.health_path), stack.ssl_context())}"
        )
        return 0
    if args.command == "env":
        stack = attach()
        config = stack.config if stack else Config(database=args.database)
        env = build_env(config)
        for key in sorted(set(os.environ) - set(env)):
            print(f"unset {key}")
        for key, value in sorted(env.items()):
            if os.environ.get(key) != value:
                print(f"export {key}={shlex.quote(value)}")
        return 0

    try:
        stack = start_stack(
            args.app_servers or DEFAULT_APP_SERVERS,
            https_port=args.https_port,
            http_port=args.http_port,
            workers=args.workers,
            database=args.database,
            run_setup=not args.skip_setup,
            detach=True,
        )
    except StackError as exc:
        _say(f"error: {exc}")
        return 1
    except KeyboardInterrupt:
        _say("interrupted")
        return 130
    _print_urls(stack)
    if args.detach:
        _say(
            f"detached; pids in {stack.run_dir / 'pids.json'}; stop with: {_python()} scripts/prod_local.py stop"
        )
        return 0
    _foreground(stack)
    return 0


if __name__ == "__main__":
    sys.exit(main())
