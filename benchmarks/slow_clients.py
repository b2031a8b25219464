"""Slow clients (slowloris, R-U-Dead-Yet) against the production stack: nginx absorbs them, gunicorn never sees them.

Run from the project root, with or without a running ``make prod-local``:

    .venv/bin/python benchmarks/slow_clients.py
    .venv/bin/python benchmarks/slow_clients.py --connections 300 --attack-seconds 30

A gunicorn sync worker reads its request itself. A client that sends its headers
(slowloris) or its body (R-U-Dead-Yet) a byte at a time holds that worker until
gunicorn's ``timeout`` kills it, so a handful of such clients stall a whole app
server, health check included. The documented deployment prevents that: gunicorn
listens only on unix sockets, and nginx buffers every request and response
(deploy/nginx.conf.example), with tight timeouts and a per-address limit.

What the script does, in one run:

1. Uses the ``make prod-local`` stack when one is running (``prod_local.attach()``),
   else starts one with ``prod_local.start_stack()`` and stops it at the end.
2. Proves that no process of any app server (master or worker) listens on a TCP
   port: it maps the processes' file descriptors to ``/proc/net/tcp{,6}`` (and
   ``/proc/net/unix``), and tries the old ports 8001 and 8002.
3. Measures ``/healthz`` through nginx (a new TLS connection per probe, from
   127.0.0.2) while nothing else happens, then during an attack of
   ``--connections`` slow-header and as many slow-body connections against nginx
   (from ``--attack-addresses`` addresses 127.66.0.x; a header line or a body byte
   every ``--trickle`` seconds, reconnecting when nginx drops one).
4. Checks nginx's per-address limit: one address opens more slow uploads than
   ``limit_conn`` allows; the surplus must get 429 at once.
5. Does the same to a gunicorn bound to TCP on a free port (the old way; started
   here with deploy/gunicorn.conf.py, the stack's environment and as many workers
   as an app server of the stack, and stopped again), probing it directly.

It prints, per phase, probes, failures (errors, timeouts after ``--probe-timeout``,
statuses other than 200), p50/p95/max latency, the ratio attacked p95 / quiet p95,
and PASS/FAIL lines; the exit status is 1 when a check fails. Failed probes count
as ``--probe-timeout`` in the percentiles. About two minutes.
"""

import argparse
import asyncio
import contextlib
import http.client
import math
import multiprocessing
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import prod_local  # noqa: E402

HOST = prod_local.HOST
PROBE_SOURCE = "127.0.0.2"
# A POST that Django reads the body of (CSRF middleware), as a real form would be.
BODY_PATH = "/magazin/crm-einfuehrung-im-mittelstand/"
BODY_LENGTH = 100_000  # below client_max_body_size (1 MB)
CSRF_COOKIE = "slowclients" * 2 + "0123456789"  # 32 letters and digits: a well-formed CSRF secret
OLD_APP_PORTS = (8001, 8002)


def say(message=""):
    print(message, flush=True)


def percentile(values, p):
    if not values:
        return float("nan")
    ordered = sorted(values)  # nearest rank
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


# --------------------------------------------------------------------------- probes


@dataclass
class Probes:
    """Latencies of one phase's health probes (seconds); failed probes count as the timeout."""

    name: str
    timeout: float
    latencies: list = field(default_factory=list)
    failures: dict = field(default_factory=dict)

    def add(self, seconds, failure=None):
        if failure is None:
            self.latencies.append(seconds)
        else:
            self.latencies.append(max(seconds, self.timeout))
            self.failures[failure] = self.failures.get(failure, 0) + 1

    @property
    def failed(self):
        return sum(self.failures.values())

    def p(self, q):
        return percentile(self.latencies, q) * 1000

    def row(self):
        return [
            self.name,
            len(self.latencies),
            self.failed,
            f"{self.p(50):.1f}",
            f"{self.p(95):.1f}",
            f"{max(self.latencies) * 1000:.1f}" if self.latencies else "-",
            ", ".join(f"{k}: {v}" for k, v in sorted(self.failures.items())) or "-",
        ]


def probe_once(connect, path, headers, timeout):
    """(seconds, failure or None) of one GET on a new connection."""
    started = time.monotonic()
    connection = connect(timeout)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        elapsed = time.monotonic() - started
        return elapsed, None if response.status == 200 else f"status {response.status}"
    except TimeoutError:
        return time.monotonic() - started, "timeout"
    except (OSError, http.client.HTTPException) as exc:
        return time.monotonic() - started, type(exc).__name__
    finally:
        connection.close()


def run_probes(name, connect, path, headers, seconds, interval, timeout, warmup=0):
    """Probe for ``seconds``; the first ``warmup`` probes (new processes, cold caches) are not counted."""
    for _ in range(warmup):
        probe_once(connect, path, headers, timeout)
    probes = Probes(name, timeout)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.monotonic()
        probes.add(*probe_once(connect, path, headers, timeout))
        time.sleep(max(0.0, interval - (time.monotonic() - started)))
    return probes


# --------------------------------------------------------------------------- the attack


@dataclass
class AttackStats:
    """What the attacking connections of one kind saw."""

    connected: int = 0
    open_now: int = 0
    peak_open: int = 0
    connect_failures: int = 0
    # Server closed the connection, with the status it sent first ("EOF" when none).
    closed: dict = field(default_factory=dict)
    lifetimes: list = field(default_factory=list)

    def opened(self, shared):
        self.connected += 1
        self.open_now += 1
        self.peak_open = max(self.peak_open, self.open_now)
        with shared.get_lock():
            shared.value += 1

    def ended(self, outcome, lifetime, shared):
        self.open_now -= 1
        with shared.get_lock():
            shared.value -= 1
        if outcome is not None:
            self.closed[outcome] = self.closed.get(outcome, 0) + 1
            self.lifetimes.append(lifetime)

    def describe(self):
        closed = ", ".join(f"{k}: {v}" for k, v in sorted(self.closed.items())) or "none"
        life = (
            f"; median lifetime of a dropped one {percentile(self.lifetimes, 50):.1f} s"
            if self.lifetimes
            else ""
        )
        return (
            f"{self.connected} connections made, at most {self.peak_open} open at once, "
            f"{self.open_now} open at the end; dropped by the server: {closed}{life}"
            + (f"; {self.connect_failures} connects failed" if self.connect_failures else "")
        )


def _status_of(data):
    if not data:
        return "EOF"
    first = data.split(b"\r\n", 1)[0].decode("latin-1", "replace")
    parts = first.split()
    return f"status {parts[1]}" if len(parts) >= 2 and parts[0].startswith("HTTP/") else "data"


async def slow_connection(kind, target, source, trickle, stats, shared, stop, reconnect=True):
    """One attacking connection: request headers (``header``) or a body (``body``) a piece at a time."""
    host, port, ssl_context, host_header = target
    while not stop.is_set():
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(
                    host,
                    port,
                    ssl=ssl_context,
                    server_hostname=host if ssl_context else None,
                    local_addr=(source, 0),
                ),
                timeout=10,
            )
        except (OSError, TimeoutError, ssl.SSLError):
            stats.connect_failures += 1
            await asyncio.sleep(0.5)
            continue
        started = time.monotonic()
        stats.opened(shared)
        outcome = None
        reading = asyncio.ensure_future(reader.read(4096))
        try:
            if kind == "header":
                writer.write(
                    f"GET /healthz HTTP/1.1\r\nHost: {host_header}\r\nUser-Agent: slowloris\r\n".encode()
                )
            else:
                writer.write(
                    f"POST {BODY_PATH} HTTP/1.1\r\nHost: {host_header}\r\nUser-Agent: rudy\r\n"
                    # Past the HTTPS redirect and the CSRF origin and cookie checks, to the
                    # CSRF token check, which reads the body (as for a real form post).
                    f"X-Forwarded-Proto: https\r\nOrigin: https://{host_header}\r\n"
                    f"Cookie: csrftoken={CSRF_COOKIE}\r\n"
                    f"Content-Type: application/x-www-form-urlencoded\r\n"
                    f"Content-Length: {BODY_LENGTH}\r\n\r\n".encode()
                )
            await writer.drain()
            sent = 0
            while not stop.is_set():
                done, _ = await asyncio.wait({reading}, timeout=trickle)
                if done:
                    outcome = _status_of(reading.result())
                    break
                writer.write(f"X-Slow-{sent}: {sent}\r\n".encode() if kind == "header" else b"a")
                sent += 1
                await writer.drain()
        except (OSError, ssl.SSLError) as exc:
            outcome = type(exc).__name__
        finally:
            reading.cancel()
            stats.ended(outcome, time.monotonic() - started, shared)
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), timeout=1)
        if not reconnect:
            await stop.wait()
            return


class Attack:
    """``connections`` slow connections of each kind, from a process of their own.

    A process, not a thread: the probes must not wait for the attacker's share of
    the GIL, or the attack would seem to slow nginx down when it only slows us.
    """

    def __init__(self, target, sources, connections, trickle, kinds=("header", "body"), reconnect=True):
        self.target = target
        self.sources = sources
        self.connections = connections
        self.trickle = trickle
        self.kinds = kinds
        self.reconnect = reconnect
        context = multiprocessing.get_context("fork")
        self.stop_flag = context.Event()
        self.open_now = context.Value("i", 0)
        self.receiver, self.sender = context.Pipe(duplex=False)
        self.process = context.Process(target=self._child, daemon=True)
        self.stats = None

    def _child(self):
        stats = {kind: AttackStats() for kind in self.kinds}
        asyncio.run(self._main(stats))
        self.sender.send({kind: asdict(value) for kind, value in stats.items()})

    async def _main(self, stats):
        stop = asyncio.Event()

        async def watch():
            while not self.stop_flag.is_set():
                await asyncio.sleep(0.1)
            stop.set()

        tasks = [asyncio.ensure_future(watch())]
        for number in range(self.connections):
            source = self.sources[number % len(self.sources)]
            for kind in self.kinds:
                connection = slow_connection(
                    kind, self.target, source, self.trickle, stats[kind], self.open_now, stop, self.reconnect
                )
                tasks.append(asyncio.ensure_future(connection))
            if number % 20 == 19:
                await asyncio.sleep(0.05)  # a ramp, not a SYN flood
        await asyncio.gather(*tasks, return_exceptions=True)

    def start(self):
        self.process.start()
        return self

    def wait_open(self, seconds):
        """Wait until every connection is open (or ``seconds`` have passed)."""
        deadline = time.monotonic() + seconds
        wanted = self.connections * len(self.kinds)
        while time.monotonic() < deadline and self.open_now.value < wanted:
            time.sleep(0.1)

    def stop(self):
        """End every connection; returns {kind: AttackStats}."""
        self.stop_flag.set()
        if self.receiver.poll(self.trickle + 30):
            self.stats = {kind: AttackStats(**value) for kind, value in self.receiver.recv().items()}
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.kill()
        return self.stats or {kind: AttackStats() for kind in self.kinds}


# --------------------------------------------------------------------------- gunicorn on TCP (the old way)


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class TcpGunicorn:
    """One gunicorn bound to 127.0.0.1:<port>, as app servers were before; started and stopped here."""

    def __init__(self, stack, workers):
        self.port = free_port()
        env = {key: value for key, value in stack.env.items() if key != "GUNICORN_CONTROL_SOCKET"}
        env.update(GUNICORN_BIND=f"{HOST}:{self.port}", GUNICORN_WORKERS=str(workers), GUNICORN_ACCESS_LOG="")
        self.log_path = stack.logs_dir / "slow-clients-tcp-gunicorn.log"
        self.log = open(self.log_path, "ab")  # noqa: SIM115 - kept open while the process runs
        self.process = subprocess.Popen(
            prod_local.gunicorn_command(),
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def connect(self, timeout):
        return http.client.HTTPConnection(HOST, self.port, timeout=timeout)

    def wait_healthy(self, headers, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise prod_local.StackError(f"gunicorn on TCP exited; see {self.log_path}")
            if probe_once(self.connect, "/healthz", headers, 2)[1] is None:
                return
            time.sleep(0.3)
        raise prod_local.StackError(f"gunicorn on TCP not healthy after {timeout} s; see {self.log_path}")

    def stop(self):
        # Only the process group this script started.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=35)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.log.close()


# --------------------------------------------------------------------------- report


def table(headers, rows):
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *rows, strict=True)]
    line = "  ".join(f"{{:{'<' if i in (0, len(headers) - 1) else '>'}{w}}}" for i, w in enumerate(widths))
    out = [line.format(*headers), line.format(*["-" * w for w in widths])]
    out += [line.format(*[str(x) for x in row]) for row in rows]
    return "\n".join(("  " + row).rstrip() for row in out)


class Verdicts:
    def __init__(self):
        self.failed = []

    def check(self, ok, text):
        say(f"{'PASS' if ok else 'FAIL'} {text}")
        if not ok:
            self.failed.append(text)


def gunicorn_workers(stack):
    """Workers per app server of the stack: its --workers, else deploy/gunicorn.conf.py's default."""
    if stack.config.workers:
        return stack.config.workers
    name = stack.app_server_name(0)
    proc = stack.processes.get(name)
    if proc is not None:
        members = [pid for pid in prod_local.group_members(proc.pid) if pid != proc.pid]
        if members:
            return len(members)
    return min(2 * len(os.sched_getaffinity(0)) + 1, 12)


def prove_no_tcp_port(stack, verdicts):
    say("Where the app servers listen (file descriptors of master and workers vs. /proc/net):")
    tcp = []
    for index in range(stack.app_servers):
        listeners = stack.app_server_listeners(index)
        say(f"  {stack.app_server_name(index)}: {', '.join(listeners) or 'nothing'}")
        tcp += [entry for entry in listeners if entry.startswith("tcp")]
        verdicts.check(
            f"unix:{stack.app_socket(index)}" in listeners,
            f"{stack.app_server_name(index)} listens on its unix socket {stack.app_socket(index)}",
        )
    for port in OLD_APP_PORTS:
        with socket.socket() as sock:
            sock.settimeout(1)
            result = sock.connect_ex((HOST, port))
        say(f"  {HOST}:{port} (an app server's old port): {'open' if result == 0 else os.strerror(result)}")
    verdicts.check(
        not tcp, "no TCP port of gunicorn is listening" + (f" (found {', '.join(tcp)})" if tcp else "")
    )


def run(args):
    verdicts = Verdicts()
    stack = prod_local.attach()
    owned = False
    if stack is None or not all(stack.status().values()):
        if stack is not None and any(stack.status().values()):
            raise prod_local.StackError(
                "a prod-local stack is half running; stop it: scripts/prod_local.py stop"
            )
        say("starting the prod-local stack (scripts/prod_local.py)")
        stack = prod_local.start_stack(detach=False, run_setup=not args.skip_setup)
        owned = True
    else:
        stack.wait_healthy()
        say(f"using the running prod-local stack at {stack.base_url}")
    tcp_gunicorn = None
    try:
        workers = gunicorn_workers(stack)
        say(f"stack: nginx {stack.base_url} -> {stack.app_servers} app servers x {workers} sync workers")
        say()
        prove_no_tcp_port(stack, verdicts)
        say()

        attackers = [f"127.66.0.{n + 1}" for n in range(args.attack_addresses)]
        context = stack.ssl_context()
        nginx_target = (HOST, stack.config.https_port, context, f"{HOST}:{stack.config.https_port}")
        health_headers = {"Host": f"{HOST}:{stack.config.https_port}", "User-Agent": "slow-clients-probe"}

        def nginx_connect(timeout):
            return http.client.HTTPSConnection(
                HOST,
                stack.config.https_port,
                context=context,
                timeout=timeout,
                source_address=(PROBE_SOURCE, 0),
            )

        probe = {"seconds": args.probe_seconds, "interval": args.interval, "timeout": args.probe_timeout}
        say(f"nginx: /healthz quiet for {args.probe_seconds:.0f} s ...")
        nginx_quiet = run_probes(
            "nginx -> unix sockets, quiet", nginx_connect, "/healthz", health_headers, **probe, warmup=10
        )
        say(
            f"nginx: attack with {args.connections} slow-header + {args.connections} slow-body connections "
            f"from {len(attackers)} addresses, a piece every {args.trickle:.0f} s ..."
        )
        attack = Attack(nginx_target, attackers, args.connections, args.trickle).start()
        attack.wait_open(args.ramp_seconds)
        nginx_attacked = run_probes(
            "nginx -> unix sockets, under attack",
            nginx_connect,
            "/healthz",
            health_headers,
            **{**probe, "seconds": args.attack_seconds},
        )
        # Straight to an app server over its socket as well: were its workers free the whole time?
        direct_during = [
            stack.app_server_status(index, timeout=args.probe_timeout) for index in range(stack.app_servers)
        ]
        nginx_attack_stats = attack.stop()

        # limit_conn: one address, more slow uploads than it may have in progress.
        say(f"nginx: {args.limit_conn + 20} slow uploads from one address (limit_conn {args.limit_conn}) ...")
        limit = Attack(
            nginx_target, ["127.66.1.1"], args.limit_conn + 20, args.trickle, kinds=("body",), reconnect=False
        )
        limit.start()
        limit.wait_open(5)
        time.sleep(3)
        held = limit.open_now.value
        refused = limit.stop()["body"].closed.get("status 429", 0)

        say(f"gunicorn on TCP (the old way): {workers} sync workers ...")
        tcp_gunicorn = TcpGunicorn(stack, workers)
        tcp_headers = {"Host": HOST, "X-Forwarded-Proto": "https", "User-Agent": "slow-clients-probe"}
        tcp_gunicorn.wait_healthy(tcp_headers)
        tcp_quiet = run_probes(
            f"gunicorn on TCP :{tcp_gunicorn.port}, quiet",
            tcp_gunicorn.connect,
            "/healthz",
            tcp_headers,
            **probe,
            warmup=10,
        )
        tcp_target = (HOST, tcp_gunicorn.port, None, HOST)
        attack = Attack(tcp_target, attackers, args.connections, args.trickle).start()
        attack.wait_open(args.ramp_seconds)
        tcp_attacked = run_probes(
            f"gunicorn on TCP :{tcp_gunicorn.port}, under attack",
            tcp_gunicorn.connect,
            "/healthz",
            tcp_headers,
            **{**probe, "seconds": args.attack_seconds},
        )
        tcp_attack_stats = attack.stop()
    finally:
        if tcp_gunicorn is not None:
            tcp_gunicorn.stop()
        if owned and not args.keep_stack:
            stack.stop()
            say("stack stopped")

    say()
    say(
        f"/healthz probes: one new connection each, every {args.interval:.1f} s, timeout {args.probe_timeout:.0f} s "
        f"(a failed probe counts as the timeout); attack: {args.connections} slow-header + {args.connections} "
        f"slow-body connections from {len(attackers)} addresses, one header line or body byte per connection "
        f"every {args.trickle:.0f} s"
    )
    phases = [nginx_quiet, nginx_attacked, tcp_quiet, tcp_attacked]
    say(
        table(
            ["phase", "probes", "failed", "p50 ms", "p95 ms", "max ms", "failures"], [p.row() for p in phases]
        )
    )
    nginx_ratio = nginx_attacked.p(95) / nginx_quiet.p(95)
    tcp_ratio = tcp_attacked.p(95) / tcp_quiet.p(95)
    say()
    say(f"  ratio attacked p95 / quiet p95: behind nginx {nginx_ratio:.2f}, gunicorn on TCP {tcp_ratio:.1f}")
    for kind, stats in nginx_attack_stats.items():
        say(f"  attack on nginx, slow-{kind} connections: {stats.describe()}")
    for kind, stats in tcp_attack_stats.items():
        say(f"  attack on gunicorn on TCP, slow-{kind} connections: {stats.describe()}")
    say(f"  app servers asked over their sockets during the attack on nginx: {direct_during}")
    say(
        f"  limit_conn: {args.limit_conn + 20} slow uploads from one address: {held} held, {refused} answered 429"
    )
    say()
    verdicts.check(
        nginx_attacked.failed == 0,
        f"/healthz through nginx answered every probe during the attack ({nginx_attacked.failed} failed)",
    )
    verdicts.check(
        nginx_ratio <= args.max_ratio,
        f"/healthz p95 through nginx under attack is {nginx_ratio:.2f}x the quiet p95 (at most {args.max_ratio:g}x)",
    )
    verdicts.check(
        all(status == 200 for status in direct_during),
        "the app servers' own workers were free during the attack (/healthz over each socket: 200)",
    )
    verdicts.check(
        held <= args.limit_conn and refused >= 20,
        f"limit_conn: one address holds at most {args.limit_conn} requests in progress, the rest get 429",
    )
    # The control experiment: without it a passing nginx run could mean a toothless attack.
    verdicts.check(
        tcp_attacked.failed > 0 or tcp_ratio > 10,
        f"the same attack stalls a gunicorn bound to TCP ({tcp_attacked.failed} of "
        f"{len(tcp_attacked.latencies)} probes failed, p95 {tcp_attacked.p(95):.0f} ms)",
    )
    return 1 if verdicts.failed else 0


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--connections", type=int, default=200, help="slow-header and slow-body connections each"
    )
    parser.add_argument(
        "--attack-addresses", type=int, default=4, help="attacker source addresses 127.66.0.x"
    )
    parser.add_argument(
        "--trickle", type=float, default=2.0, help="seconds between two pieces an attacker sends"
    )
    parser.add_argument("--probe-seconds", type=float, default=15.0, help="quiet measurement per target")
    parser.add_argument(
        "--attack-seconds", type=float, default=25.0, help="measurement under attack per target"
    )
    parser.add_argument(
        "--ramp-seconds", type=float, default=5.0, help="longest wait for the attack to be open"
    )
    parser.add_argument("--interval", type=float, default=0.2, help="seconds between probes")
    parser.add_argument("--probe-timeout", type=float, default=5.0)
    parser.add_argument(
        "--max-ratio", type=float, default=3.0, help="attacked p95 / quiet p95 allowed behind nginx"
    )
    parser.add_argument("--limit-conn", type=int, default=100, help="limit_conn of deploy/nginx.conf.example")
    parser.add_argument(
        "--skip-setup", action="store_true", help="when starting a stack: no migrate/load_demo"
    )
    parser.add_argument("--keep-stack", action="store_true", help="leave a stack started here running")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)

    def terminate(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    try:
        return run(args)
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    except prod_local.StackError as exc:
        say(f"error: {exc}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
