#!/usr/bin/env python3
"""Hardening benchmark: how `casebook serve` holds up under abuse and failures, measured over
HTTP from this process against a server it starts itself.

1. Login flood: `/healthz` latency (p50/p95/max, probed every 10 ms on fresh connections) while
   500 wrong-password logins for one real agent arrive at once on 500 open sockets; how many of
   them had their password checked (401) and how many were refused before the check (429).
2. Large uploads: the server's peak RSS over its idle RSS (VmRSS sampled every 20 ms, and VmHWM)
   while 30 anonymous multipart posts to the public web form arrive at once: 24 MiB each (over
   the form's 11 MiB limit, so refused) and 10 MiB each (within it, so stored). The form's
   per-IP rate limit is raised so that every body is actually read.
3. Disk full (SQLite on a 32 MiB tmpfs): with the disk filled, POST /api/v1/tickets must answer
   503; after the filler is deleted, the time until the first 201 (posting every 50 ms) and until
   `/healthz` answers 200 again. Needs root (mount); skipped with a message otherwise.
4. PostgreSQL outage: a TCP proxy between the server and PostgreSQL refuses connections
   (closing the open ones) or stalls them (accepting but never forwarding, and freezing the open
   links). For each: time for GET /api/v1/tickets to answer 503, and the time from the proxy
   passing again to the first 200.

Python 3 standard library only. Each part uses a fresh database and a fresh server, started with
no CASEBOOK_* variable from this environment but those the part sets (and --env); servers are
killed on exit, the tmpfs unmounted and the PostgreSQL database dropped. Server logs are kept in
the work folder.

    python3 scripts/bench-hardening.py --bin target/release/casebook [--only 2] [--quick]
"""

import argparse
import ctypes
import json
import os
import random
import re
import resource
import select
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import http.client

HOST = "127.0.0.1"
PASSWORD = "bench hardening desk"
ADMIN_EMAIL = "bench-admin@example.com"

# Every HTTP call carries a timeout; these are the defaults.
TIMEOUT = 30.0
MiB = 1024 * 1024

RESULTS = []  # rows for the final table: (part, what, measured, target, verdict)
PROBLEMS = []  # things that missed a target or misbehaved
EXTRA_ENV = {}  # --env K=V: set for every server started
DATA_DIRS = []  # databases and data folders to delete at the end (server logs are kept)


def log(msg=""):
    print(msg, flush=True)


def result(part, what, measured, target="", ok=None):
    verdict = "" if ok is None else ("ok" if ok else "MISSED")
    RESULTS.append((part, what, measured, target, verdict))
    if ok is False:
        PROBLEMS.append(f"part {part}: {what}: {measured} (target {target})")


def pct(values, p):
    """Nearest-rank percentile of `values` (p in 0..100)."""
    if not values:
        return float("nan")
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100.0 * len(s) + 0.5)) - 1))
    return s[k]


def ms(seconds):
    return f"{seconds * 1000:.1f} ms"


def secs(seconds):
    return f"{seconds:.2f} s"


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------------------------
# HTTP


class Resp:
    def __init__(self, status, headers, body, elapsed):
        self.status = status
        self.headers = headers  # list of (lowercase name, value)
        self.body = body
        self.elapsed = elapsed

    def header(self, name):
        for k, v in self.headers:
            if k == name:
                return v
        return None

    def all(self, name):
        return [v for k, v in self.headers if k == name]


def request(port, method, path, body=None, headers=None, timeout=TIMEOUT):
    """One request on a fresh connection; the elapsed time includes connecting."""
    start = time.perf_counter()
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        data = r.read()
        hdrs = [(k.lower(), v) for k, v in r.getheaders()]
        return Resp(r.status, hdrs, data, time.perf_counter() - start)
    finally:
        conn.close()


def try_request(port, method, path, **kw):
    """`request`, with a failure (timeout, reset, refused) given as a status string."""
    start = time.perf_counter()
    try:
        return request(port, method, path, **kw)
    except socket.timeout:
        return Resp("timeout", [], b"", time.perf_counter() - start)
    except (OSError, http.client.HTTPException) as e:
        return Resp(type(e).__name__, [], b"", time.perf_counter() - start)


def form_session(port, path):
    """GET a form page: its CSRF cookie (as a Cookie header) and its hidden fields."""
    r = request(port, "GET", path)
    if r.status != 200:
        raise RuntimeError(f"GET {path} answered {r.status}")
    html = r.body.decode("utf-8", "replace")
    hidden = dict(
        re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)
    )
    cookies = {}
    for sc in r.all("set-cookie"):
        name, _, rest = sc.partition("=")
        cookies[name.strip()] = rest.split(";", 1)[0]
    csrf = hidden.get("csrf", "")
    # The CSRF cookie is the one holding the form's csrf value.
    name = next((n for n, v in cookies.items() if v == csrf), None)
    if name is None:
        name = next((n for n in cookies if "csrf" in n), None)
    if name is None or not csrf:
        raise RuntimeError(f"GET {path}: no CSRF cookie/field (cookies {list(cookies)})")
    return f"{name}={cookies[name]}", hidden


# --------------------------------------------------------------------------------------------
# The server


try:
    _LIBC = ctypes.CDLL("libc.so.6", use_errno=True)
except OSError:
    _LIBC = None


def _die_with_parent():
    # The server is killed if this process dies without cleaning up (PR_SET_PDEATHSIG).
    if _LIBC is not None:
        _LIBC.prctl(1, signal.SIGKILL)


class Server:
    """One `casebook serve` process on a fresh port, logging to a file."""

    RUNNING = []

    def __init__(self, binary, workdir, name, env, args=()):
        self.binary = binary
        self.dir = workdir
        self.name = name
        self.port = free_port()
        self.env = dict(env)
        self.env["CASEBOOK_BIND"] = f"{HOST}:{self.port}"
        self.env.setdefault("CASEBOOK_LOG", "info")
        self.env.update(EXTRA_ENV)
        self.log_path = os.path.join(workdir, f"{name}.log")
        self.args = list(args)
        self.proc = None

    def cli(self, args, stdin=None):
        """Runs `casebook ARGS` with this server's environment; its standard output."""
        out = subprocess.run(
            [self.binary] + args,
            input=stdin,
            capture_output=True,
            text=True,
            env=self.env,
            cwd=self.dir,
            timeout=120,
        )
        if out.returncode != 0:
            raise RuntimeError(f"casebook {' '.join(args)} failed: {out.stderr[-2000:]}")
        return out.stdout

    def add_admin(self):
        self.cli(
            ["user", "add", "--email", ADMIN_EMAIL, "--name", "Bench Admin", "--role", "admin"],
            stdin=PASSWORD + "\n",
        )

    def token(self):
        lines = [l.strip() for l in self.cli(["token", "create", "--user", ADMIN_EMAIL]).splitlines()]
        tokens = [l for l in lines if l and " " not in l]
        if not tokens:
            raise RuntimeError("casebook token create printed no token")
        return tokens[-1]

    def start(self, ready_timeout=90):
        self.logf = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [self.binary, "serve"] + self.args,
            env=self.env,
            cwd=self.dir,
            stdin=subprocess.DEVNULL,
            stdout=self.logf,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )
        Server.RUNNING.append(self)
        deadline = time.monotonic() + ready_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"casebook serve exited ({self.proc.returncode}); see {self.log_path}")
            r = try_request(self.port, "GET", "/healthz", timeout=2)
            if r.status == 200:
                return self
            time.sleep(0.1)
        raise RuntimeError(f"casebook serve did not answer /healthz in {ready_timeout} s")

    @property
    def pid(self):
        return self.proc.pid

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.logf.close()
        if self in Server.RUNNING:
            Server.RUNNING.remove(self)

    def log_problems(self, limit=6):
        """Distinct WARN/ERROR lines of the server log (ANSI colours and timestamps removed)."""
        try:
            with open(self.log_path, "rb") as f:
                text = f.read().decode("utf-8", "replace")
        except OSError:
            return 0, []
        text = re.sub(r"\x1b\[[0-9;]*m", "", text)
        lines = [l for l in text.splitlines() if " WARN " in l or " ERROR " in l or "panicked" in l]
        seen, excerpts = {}, []
        for l in lines:
            body = re.sub(r"^\S+Z\s+", "", l)
            key = re.sub(r"[0-9a-f-]{36}|\d+", "#", body)[:120]
            if key not in seen:
                seen[key] = 1
                excerpts.append(body[:300])
            else:
                seen[key] += 1
        return len(lines), excerpts[:limit]

    def report_log(self):
        n, excerpts = self.log_problems()
        if n:
            log(f"  server log ({self.log_path}): {n} WARN/ERROR lines, distinct ones:")
            for e in excerpts:
                log(f"    {e}")


def stop_all():
    for s in list(Server.RUNNING):
        try:
            s.stop()
        except Exception as e:  # keep stopping the others
            log(f"stopping {s.name}: {e}")


def proc_status(pid):
    """VmRSS and VmHWM of `pid` in KiB."""
    rss = hwm = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
            elif line.startswith("VmHWM:"):
                hwm = int(line.split()[1])
    return rss, hwm


def sqlite_env(workdir, db_dir=None, extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEBOOK_")}
    data = os.path.join(workdir, "data")
    os.makedirs(data, exist_ok=True)
    DATA_DIRS.append(data)
    env["CASEBOOK_DATA_DIR"] = data
    env["CASEBOOK_DATABASE_URL"] = f"sqlite://{db_dir or data}/casebook.db"
    env.update(extra or {})
    return env


# --------------------------------------------------------------------------------------------
# 1. Login flood


class Prober(threading.Thread):
    """GET /healthz every `every` seconds on a fresh connection; (start, latency, status)."""

    def __init__(self, port, every=0.010):
        super().__init__(daemon=True)
        self.port, self.every = port, every
        self.samples = []
        self.halt = threading.Event()

    def run(self):
        next_at = time.perf_counter()
        while not self.halt.is_set():
            t = time.perf_counter()
            r = try_request(self.port, "GET", "/healthz", timeout=10)
            self.samples.append((t, r.elapsed, r.status))
            next_at += self.every
            delay = next_at - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            else:
                next_at = time.perf_counter()

    def between(self, a, b):
        return [(lat, st) for (t, lat, st) in self.samples if a <= t <= b]


def part_login_flood(args, workdir):
    n = args.logins or (100 if args.quick else 500)
    log(f"\n== 1. /healthz during {n} parallel wrong-password logins ==")
    d = os.path.join(workdir, "1-login")
    os.makedirs(d, exist_ok=True)
    srv = Server(args.bin, d, "1-login", sqlite_env(d))
    try:
        srv.add_admin()
        srv.start()
        cookie, hidden = form_session(srv.port, "/login")
        body_base = {"email": ADMIN_EMAIL, "csrf": hidden["csrf"]}

        prober = Prober(srv.port)
        prober.start()
        time.sleep(1.0)  # idle baseline
        idle_end = time.perf_counter()

        barrier = threading.Barrier(n + 1)
        outcomes = [None] * n

        def attempt(i):
            conn = http.client.HTTPConnection(HOST, srv.port, timeout=120)
            try:
                conn.connect()
            except OSError as e:
                outcomes[i] = (f"connect {type(e).__name__}", 0.0, time.perf_counter())
                try:
                    barrier.wait(timeout=120)
                except threading.BrokenBarrierError:
                    pass
                return
            try:
                barrier.wait(timeout=120)
                body = urllib.parse.urlencode(dict(body_base, password=f"wrong guess {i} {random.random()}"))
                t = time.perf_counter()
                conn.request(
                    "POST",
                    "/login",
                    body=body,
                    headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
                )
                r = conn.getresponse()
                r.read()
                end = time.perf_counter()
                outcomes[i] = (r.status, end - t, end)
            except socket.timeout:
                outcomes[i] = ("timeout", 0.0, time.perf_counter())
            except (OSError, http.client.HTTPException, threading.BrokenBarrierError) as e:
                outcomes[i] = (type(e).__name__, 0.0, time.perf_counter())
            finally:
                conn.close()

        threads = [threading.Thread(target=attempt, args=(i,), daemon=True) for i in range(n)]
        for th in threads:
            th.start()
        barrier.wait(timeout=120)  # all sockets are open: release the flood
        flood_start = time.perf_counter()
        for th in threads:
            th.join(timeout=180)
        flood_end = max((o[2] for o in outcomes if o), default=time.perf_counter())
        time.sleep(0.2)
        prober.halt.set()
        prober.join(timeout=15)

        idle = [lat for (t, lat, st) in prober.samples if t < idle_end]
        during = prober.between(flood_start, flood_end)
        lat = [l for l, st in during]
        bad = [st for l, st in during if st != 200]
        counts = {}
        for o in outcomes:
            key = o[0] if o else "no answer"
            counts[key] = counts.get(key, 0) + 1
        login_lat = [o[1] for o in outcomes if o and isinstance(o[0], int)]

        log(f"  flood: {n} POST /login released at once, last answer after {secs(flood_end - flood_start)}")
        log(f"  answers: {dict(sorted(counts.items(), key=lambda kv: str(kv[0])))}")
        if login_lat:
            log(f"  login latency: p50 {ms(pct(login_lat, 50))}, max {ms(max(login_lat))}")
        log(f"  /healthz idle ({len(idle)} probes): p50 {ms(pct(idle, 50))}, max {ms(max(idle)) if idle else '-'}")
        if lat:
            log(
                f"  /healthz during the flood ({len(lat)} probes): p50 {ms(pct(lat, 50))}, "
                f"p95 {ms(pct(lat, 95))}, max {ms(max(lat))}; non-200: {len(bad)}"
            )
            p95 = pct(lat, 95)
            result(1, f"/healthz during {n} logins: p50 / p95 / max",
                   f"{ms(pct(lat, 50))} / {ms(p95)} / {ms(max(lat))} ({len(lat)} probes)",
                   "p95 ≤ 100 ms", p95 <= 0.100 and not bad)
            if bad:
                PROBLEMS.append(f"part 1: /healthz answered non-200 during the flood: {bad[:10]}")
        else:
            result(1, f"/healthz during {n} logins", "no probe fell within the flood", "p95 ≤ 100 ms", False)
        checked, refused = counts.get(401, 0), counts.get(429, 0)
        other = n - checked - refused
        result(1, "logins checked (401) / refused (429) / other",
               f"{checked} / {refused} / {other}", "", None if other == 0 else False)
        if login_lat:
            result(1, "login answer latency p50 / max", f"{ms(pct(login_lat, 50))} / {ms(max(login_lat))}")
        srv.report_log()
    finally:
        srv.stop()


# --------------------------------------------------------------------------------------------
# 2. Large uploads to the public form


def multipart(boundary, fields, file_size):
    """Prefix and suffix of a multipart body around a file part of `file_size` bytes."""
    b = boundary.encode()
    out = []
    for k, v in fields.items():
        out.append(b"--" + b + b"\r\n")
        out.append(f'Content-Disposition: form-data; name="{k}"\r\n\r\n'.encode())
        out.append(v.encode() + b"\r\n")
    out.append(b"--" + b + b"\r\n")
    out.append(b'Content-Disposition: form-data; name="attachment"; filename="bench.bin"\r\n')
    out.append(b"Content-Type: application/octet-stream\r\n\r\n")
    prefix = b"".join(out)
    suffix = b"\r\n--" + b + b"--\r\n"
    return prefix, suffix


def upload(port, head, prefix, payload, suffix, timeout=180):
    """Sends one request whose body is prefix + payload + suffix, stopping early if the server
    answers first; returns (status, seconds, body bytes sent)."""
    start = time.perf_counter()
    deadline = start + timeout
    sent = 0
    try:
        s = socket.create_connection((HOST, port), timeout=timeout)
    except OSError as e:
        return f"connect {type(e).__name__}", 0.0, 0
    try:
        s.setblocking(False)
        pieces = [memoryview(head), memoryview(prefix)]
        view = memoryview(payload)
        step = 256 * 1024
        pieces += [view[i:i + step] for i in range(0, len(view), step)]
        pieces.append(memoryview(suffix))
        answered = False
        for piece in pieces:
            off = 0
            while off < len(piece):
                left = deadline - time.perf_counter()
                if left <= 0:
                    return "timeout", time.perf_counter() - start, sent
                r, w, _ = select.select([s], [s], [], min(left, 1.0))
                if r:  # the server answered (or closed) before the whole body was sent
                    answered = True
                    break
                if w:
                    try:
                        k = s.send(piece[off:off + step])
                    except (BrokenPipeError, ConnectionResetError):
                        answered = True
                        break
                    off += k
                    sent += k
            if answered:
                break
        sent = max(0, sent - len(head))
        # Read the answer's status line and the rest until the server closes.
        buf = b""
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                return "timeout", time.perf_counter() - start, sent
            r, _, _ = select.select([s], [], [], min(left, 1.0))
            if not r:
                continue
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            buf += chunk
            if b"\r\n\r\n" in buf:
                break
        elapsed = time.perf_counter() - start
        m = re.match(rb"HTTP/1\.[01] (\d{3})", buf)
        return (int(m.group(1)) if m else ("reset" if not buf else "garbled")), elapsed, sent
    finally:
        s.close()


def upload_run(args, workdir, size, n, rate):
    tag = f"2-upload-{size // MiB}m"
    d = os.path.join(workdir, tag)
    os.makedirs(d, exist_ok=True)
    srv = Server(args.bin, d, tag, sqlite_env(d, extra={"CASEBOOK_FORM_RATE_PER_HOUR": str(rate)}))
    try:
        srv.start()
        forms = [form_session(srv.port, "/support") for _ in range(n)]
        block = os.urandom(MiB)
        payload = (block * (size // MiB + 1))[:size]
        boundary = "casebookbench" + os.urandom(12).hex()
        reqs = []
        for i, (cookie, hidden) in enumerate(forms):
            fields = {
                "csrf": hidden["csrf"],
                "form_key": hidden.get("form_key", ""),
                "name": f"Uploader {i}",
                "email": f"uploader{i}-{size // MiB}@example.com",
                "subject": f"Large attachment {i}",
                "message": "Please find the file attached.",
                "website": "",
            }
            prefix, suffix = multipart(boundary, fields, size)
            length = len(prefix) + size + len(suffix)
            head = (
                f"POST /support HTTP/1.1\r\nHost: {HOST}:{srv.port}\r\n"
                f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                f"Content-Length: {length}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
            ).encode()
            reqs.append((head, prefix, suffix))

        samples = []
        halt = threading.Event()

        def sampler():
            while not halt.is_set():
                try:
                    rss, hwm = proc_status(srv.pid)
                except OSError:
                    break
                samples.append((time.perf_counter(), rss, hwm))
                time.sleep(0.020)

        st = threading.Thread(target=sampler, daemon=True)
        st.start()
        time.sleep(1.5)  # idle
        idle_end = time.perf_counter()
        outcomes = [None] * n
        barrier = threading.Barrier(n + 1)

        def one(i):
            try:
                barrier.wait(timeout=60)
            except threading.BrokenBarrierError:
                outcomes[i] = ("barrier", 0.0, 0)
                return
            head, prefix, suffix = reqs[i]
            outcomes[i] = upload(srv.port, head, prefix, payload, suffix)

        threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(n)]
        for th in threads:
            th.start()
        barrier.wait(timeout=60)
        t0 = time.perf_counter()
        for th in threads:
            th.join(timeout=300)
        t1 = time.perf_counter()
        time.sleep(1.0)  # memory held after the answers
        halt.set()
        st.join(timeout=5)

        idle = [rss for (t, rss, hwm) in samples if t < idle_end]
        during = [rss for (t, rss, hwm) in samples if t >= idle_end]
        idle_rss = statistics.mean(idle) if idle else 0
        hwm_idle = max((hwm for (t, rss, hwm) in samples if t < idle_end), default=0)
        hwm_end = samples[-1][2] if samples else 0
        peak = max(during) if during else 0
        counts = {}
        for o in outcomes:
            key = o[0] if o else "no answer"
            counts[key] = counts.get(key, 0) + 1
        times = [o[1] for o in outcomes if o and isinstance(o[0], int)]
        sent = [o[2] for o in outcomes if o]
        over = (peak - idle_rss) / 1024
        hwm_over = (hwm_end - hwm_idle) / 1024
        log(f"  {n} × {size // MiB} MiB: all answered after {secs(t1 - t0)}; answers {counts}")
        if times:
            log(f"    answer time p50 {secs(pct(times, 50))}, max {secs(max(times))}; "
                f"body sent per post: min {min(sent) / MiB:.1f} MiB, max {max(sent) / MiB:.1f} MiB")
        log(f"    VmRSS idle {idle_rss / 1024:.1f} MB, peak {peak / 1024:.1f} MB (+{over:.1f} MB); "
            f"VmHWM {hwm_idle / 1024:.1f} → {hwm_end / 1024:.1f} MB (+{hwm_over:.1f} MB); "
            f"{len(during)} samples")
        after = [rss for (t, rss, hwm) in samples if t >= t1 + 0.5]
        if after:
            log(f"    VmRSS 1 s after the last answer: {after[-1] / 1024:.1f} MB")
        if args.verbose:
            # The RSS every 0.25 s from the release of the posts, with how many were answered.
            ends = sorted(t0 + o[1] for o in outcomes if o)
            marks, next_mark = [], t0
            for (t, rss, hwm) in samples:
                if t >= next_mark:
                    done = sum(1 for e in ends if e <= t)
                    marks.append(f"{t - t0:+.2f}s {rss / 1024:.0f}MB ({done})")
                    next_mark = t + 0.25
            log("    timeline (answered): " + ", ".join(marks))
        result(2, f"peak RSS over idle, {n} × {size // MiB} MiB posts",
               f"+{over:.1f} MB (VmHWM +{hwm_over:.1f} MB); idle {idle_rss / 1024:.1f} MB",
               "≤ 100 MB", over <= 100 and hwm_over <= 100)
        result(2, f"answers to {n} × {size // MiB} MiB posts",
               ", ".join(f"{k}: {v}" for k, v in sorted(counts.items(), key=lambda kv: str(kv[0])))
               + f" in {secs(t1 - t0)}")
        srv.report_log()
        return counts
    finally:
        srv.stop()


def part_uploads(args, workdir):
    n = args.uploads or (8 if args.quick else 30)
    rate = 100000
    log(f"\n== 2. server RSS during {n} parallel multipart posts to /support ==")
    log(f"  CASEBOOK_FORM_RATE_PER_HOUR={rate} (default 20 per IP) so that every body is read")
    c24 = upload_run(args, workdir, 24 * MiB, n, rate)
    if any(k not in (413, 503) for k in c24):
        PROBLEMS.append(f"part 2: 24 MiB posts (over the form's 11 MiB limit) answered {c24}")
    c10 = upload_run(args, workdir, 10 * MiB, n, rate)
    if any(k not in (303, 503) for k in c10):
        PROBLEMS.append(f"part 2: 10 MiB posts (within the limit) answered {c10}")


# --------------------------------------------------------------------------------------------
# 3. Disk full


def api_create(port, token, n, timeout=TIMEOUT):
    body = json.dumps({
        "customer": {"email": f"disk{n}@example.com"},
        "subject": f"Disk full {n}",
        "body": "x" * 2000,
    })
    return try_request(port, "POST", "/api/v1/tickets", body=body, timeout=timeout, headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {token}"})


def fill(path):
    """Writes `path` until the file system reports no space left; the bytes written."""
    written = 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for size in (MiB, 4096, 512):
            buf = b"\x5a" * size
            while True:
                try:
                    written += os.write(fd, buf)
                except OSError:
                    break
        try:
            os.fsync(fd)
        except OSError:
            pass
    finally:
        os.close(fd)
    return written


def part_disk_full(args, workdir):
    log("\n== 3. SQLite on a full disk: time to the first write after space returns ==")
    d = os.path.join(workdir, "3-disk")
    mnt = os.path.join(workdir, "3-tmpfs")
    os.makedirs(d, exist_ok=True)
    os.makedirs(mnt, exist_ok=True)
    out = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", mnt],
                         capture_output=True, text=True)
    if out.returncode != 0:
        msg = (out.stderr or out.stdout).strip()
        log(f"  SKIP: cannot mount a tmpfs ({msg})")
        result(3, "disk full", f"skipped: cannot mount a tmpfs ({msg})")
        return
    srv = None
    try:
        # Only the database lives on the small disk; the data folder stays on the normal one.
        srv = Server(args.bin, d, "3-disk", sqlite_env(d, db_dir=mnt))
        srv.add_admin()
        token = srv.token()
        srv.start()
        for i in range(3):
            r = api_create(srv.port, token, i)
            if r.status != 201:
                raise RuntimeError(f"POST /api/v1/tickets before filling answered {r.status}: {r.body[:300]!r}")
        filler = os.path.join(mnt, "filler")
        written = fill(filler)
        log(f"  filled the 32 MiB tmpfs with {written / MiB:.1f} MiB")
        # The last free pages may still take a write or two; then every write must be a 503.
        statuses, first_503 = [], None
        for i in range(100, 160):
            r = api_create(srv.port, token, i)
            statuses.append(r.status)
            if r.status == 503:
                first_503 = r
                break
            time.sleep(0.05)
        summary = {s: statuses.count(s) for s in set(statuses)}
        if first_503 is None:
            log(f"  POST never answered 503 on the full disk: {summary}")
            result(3, "POST /api/v1/tickets on the full disk", f"never 503: {summary}", "503", False)
        else:
            retry = first_503.header("retry-after")
            log(f"  full disk: POST answered {summary} (503 after {len(statuses) - 1} more writes), "
                f"Retry-After {retry}: {first_503.body[:200].decode('utf-8', 'replace')}")
            result(3, "POST /api/v1/tickets on the full disk",
                   f"503 (after {statuses.count(201)} accepted writes), Retry-After {retry}", "503",
                   not any(s not in (201, 503) for s in statuses))
        h = try_request(srv.port, "GET", "/healthz", timeout=10)
        log(f"  /healthz on the full disk: {h.status} {h.body[:120].decode('utf-8', 'replace').strip()}")
        if h.status != 503:
            PROBLEMS.append(f"part 3: /healthz on a full disk answered {h.status}, not 503")

        os.remove(filler)
        freed = time.perf_counter()
        health = {}

        def watch_health():
            while time.perf_counter() - freed < 60:
                r = try_request(srv.port, "GET", "/healthz", timeout=10)
                if r.status == 200:
                    health["at"] = time.perf_counter() - freed
                    return
                health.setdefault("seen", set()).add(r.status)
                time.sleep(0.05)

        ht = threading.Thread(target=watch_health, daemon=True)
        ht.start()
        first_ok, seen, n = None, {}, 1000
        while time.perf_counter() - freed < 60:
            n += 1
            r = api_create(srv.port, token, n)
            if r.status == 201:
                first_ok = time.perf_counter() - freed
                break
            seen[r.status] = seen.get(r.status, 0) + 1
            time.sleep(0.05)
        ht.join(timeout=70)
        if first_ok is None:
            result(3, "first 201 after space returned", f"none within 60 s ({seen})", "≤ 5 s", False)
        else:
            log(f"  first 201 {secs(first_ok)} after the filler was deleted (before it: {seen or 'none'})")
            result(3, "first 201 after space returned", secs(first_ok), "≤ 5 s", first_ok <= 5.0)
        if "at" in health:
            log(f"  /healthz 200 again after {secs(health['at'])}")
            result(3, "/healthz 200 after space returned", secs(health["at"]), "≤ 5 s", health["at"] <= 5.0)
        else:
            result(3, "/healthz 200 after space returned", f"not within 60 s ({health.get('seen')})", "≤ 5 s", False)
        r = api_create(srv.port, token, 9999)
        if r.status != 201:
            PROBLEMS.append(f"part 3: a write after recovery answered {r.status}")
        srv.report_log()
    finally:
        if srv:
            srv.stop()
        out = subprocess.run(["umount", mnt], capture_output=True, text=True)
        if out.returncode != 0:
            subprocess.run(["umount", "-l", mnt], capture_output=True, text=True)
        try:
            os.rmdir(mnt)
        except OSError:
            pass


# --------------------------------------------------------------------------------------------
# 4. PostgreSQL outage


class PgProxy:
    """A TCP proxy to PostgreSQL with three modes:
    pass   — forward;
    refuse — close every open link and every new connection at once;
    stall  — accept new connections but never connect them on, and forward nothing on open
             links (as a network partition would); when the mode returns to pass they go on."""

    def __init__(self, upstream):
        self.upstream = upstream
        self.mode = "pass"
        self.cond = threading.Condition()
        self.links = set()
        self.closing = False
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind((HOST, 0))
        self.listener.listen(256)
        self.listener.settimeout(0.5)
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    @staticmethod
    def _kill(sock):
        try:
            # Linger 0: the peer sees a reset at once.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        except OSError:
            pass
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()

    def set_mode(self, mode):
        with self.cond:
            self.mode = mode
            doomed = list(self.links) if mode == "refuse" else []
            self.cond.notify_all()
        for link in doomed:
            link.close()

    def close(self):
        self.closing = True
        self.set_mode("refuse")
        self.listener.close()

    def _accept(self):
        while not self.closing:
            try:
                client, _ = self.listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            with self.cond:
                mode = self.mode
            if mode == "refuse":
                self._kill(client)
                continue
            threading.Thread(target=self._link, args=(client,), daemon=True).start()

    def _wait_not_stalled(self, link=None):
        with self.cond:
            while self.mode == "stall" and not self.closing and not (link and link.dead):
                self.cond.wait(0.5)
            return self.mode

    def _link(self, client):
        if self._wait_not_stalled() == "refuse":
            self._kill(client)
            return
        try:
            upstream = socket.create_connection(self.upstream, timeout=5)
        except OSError:
            self._kill(client)
            return
        link = _Link(self, client, upstream)
        with self.cond:
            if self.mode == "refuse":
                link.close()
                return
            self.links.add(link)
        for a, b in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pump, args=(link, a, b), daemon=True).start()

    def _pump(self, link, src, dst):
        try:
            while not link.dead:
                if self._wait_not_stalled(link) == "refuse":
                    break
                r, _, _ = select.select([src], [], [], 0.2)
                if not r:
                    continue
                data = src.recv(65536)
                if not data:
                    break
                # Data read just as the link froze is held until it thaws.
                if self._wait_not_stalled(link) == "refuse" or link.dead:
                    break
                dst.sendall(data)
        except (OSError, ValueError):
            pass
        link.close()


class _Link:
    def __init__(self, proxy, a, b):
        self.proxy, self.a, self.b = proxy, a, b
        self.dead = False
        self.lock = threading.Lock()

    def close(self):
        with self.lock:
            if self.dead:
                return
            self.dead = True
        PgProxy._kill(self.a)
        PgProxy._kill(self.b)
        with self.proxy.cond:
            self.proxy.links.discard(self)


def psql(args, sql):
    return subprocess.run(
        ["psql", "-h", args.pg_host, "-p", str(args.pg_port), "-U", args.pg_user, "-d", "postgres",
         "-v", "ON_ERROR_STOP=1", "-q", "-c", sql],
        capture_output=True, text=True, timeout=60)


def part_pg_outage(args, workdir):
    n = args.requests or (6 if args.quick else 20)
    log(f"\n== 4. PostgreSQL outage behind a proxy: GET /api/v1/tickets, {n} requests per mode ==")
    if shutil.which("psql") is None:
        log("  SKIP: psql not found")
        result(4, "PostgreSQL outage", "skipped: psql not found")
        return
    dbname = f"casebook_hardening_{os.getpid()}_{int(time.time())}"
    out = psql(args, f"CREATE DATABASE {dbname}")
    if out.returncode != 0:
        log(f"  SKIP: cannot create a database: {out.stderr.strip()}")
        result(4, "PostgreSQL outage", f"skipped: {out.stderr.strip()[:100]}")
        return
    proxy = PgProxy((args.pg_host, args.pg_port))
    srv = None
    d = os.path.join(workdir, "4-pg")
    os.makedirs(d, exist_ok=True)
    try:
        env = sqlite_env(d)
        direct = f"postgres://{args.pg_user}@{args.pg_host}:{args.pg_port}/{dbname}"
        env["CASEBOOK_DATABASE_URL"] = direct
        srv = Server(args.bin, d, "4-pg", env)
        srv.add_admin()  # migrations and the agent, straight to PostgreSQL
        token = srv.token()
        srv.env["CASEBOOK_DATABASE_URL"] = f"postgres://{args.pg_user}@{HOST}:{proxy.port}/{dbname}"
        srv.start()
        auth = {"Authorization": f"Bearer {token}"}
        for i in range(5):
            r = api_create(srv.port, token, i)
            if r.status != 201:
                raise RuntimeError(f"POST /api/v1/tickets answered {r.status}")
        for _ in range(10):
            try_request(srv.port, "GET", "/api/v1/tickets", headers=auth)
        log(f"  CASEBOOK_DB_ACQUIRE_TIMEOUT_MS: {srv.env.get('CASEBOOK_DB_ACQUIRE_TIMEOUT_MS', '3000 (default)')}")

        for mode in ("refuse", "stall"):
            # Warm: the pool holds connections through the proxy when the outage starts.
            ok = [try_request(srv.port, "GET", "/api/v1/tickets", headers=auth).status for _ in range(5)]
            proxy.set_mode(mode)
            outage = time.perf_counter()
            answers = []
            for _ in range(n):
                r = try_request(srv.port, "GET", "/api/v1/tickets", headers=auth, timeout=60)
                answers.append(r)
            lat = [r.elapsed for r in answers]
            counts = {}
            for r in answers:
                counts[r.status] = counts.get(r.status, 0) + 1
            first = answers[0]
            log(f"  {mode}: before {ok}; {n} requests in {secs(time.perf_counter() - outage)}: {counts}; "
                f"time to answer p50 {secs(pct(lat, 50))}, max {secs(max(lat))} (first {secs(first.elapsed)})")
            r503 = next((r for r in answers if r.status == 503), None)
            if r503 is not None:
                log(f"    503 Retry-After {r503.header('retry-after')}: {r503.body[:160].decode('utf-8', 'replace')}")
            only_503 = all(r.status == 503 for r in answers)
            result(4, f"{mode}: GET /api/v1/tickets → 503, p50 / max",
                   f"{secs(pct(lat, 50))} / {secs(max(lat))}; "
                   + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items(), key=lambda kv: str(kv[0]))),
                   "≤ 5 s, all 503", max(lat) <= 5.0 and only_503)

            proxy.set_mode("pass")
            back = time.perf_counter()
            first_ok, seen = None, {}
            while time.perf_counter() - back < 120:
                r = try_request(srv.port, "GET", "/api/v1/tickets", headers=auth, timeout=60)
                if r.status == 200:
                    first_ok = time.perf_counter() - back
                    break
                seen[r.status] = seen.get(r.status, 0) + 1
                time.sleep(0.05)
            if first_ok is None:
                result(4, f"{mode}: first 200 after the proxy passes again", f"none in 120 s ({seen})", "", False)
            else:
                log(f"    first 200 {secs(first_ok)} after the proxy passed again (before it: {seen or 'none'})")
                result(4, f"{mode}: first 200 after the proxy passes again", secs(first_ok), "≤ 5 s", first_ok <= 5.0)
            time.sleep(1.0)
        srv.report_log()
    finally:
        if srv:
            srv.stop()
        proxy.close()
        out = psql(args, f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")
        if out.returncode != 0:
            log(f"  could not drop {dbname}: {out.stderr.strip()}")


# --------------------------------------------------------------------------------------------


def print_table():
    head = ("#", "measurement", "result", "target", "")
    rows = [tuple(str(c) for c in r) for r in RESULTS]
    widths = [max(len(head[i]), *(len(r[i]) for r in rows)) if rows else len(head[i]) for i in range(5)]
    line = "  ".join("-" * w for w in widths)
    log("\n" + "  ".join(h.ljust(w) for h, w in zip(head, widths)))
    log(line)
    for r in rows:
        log("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", required=True, help="the casebook binary to run (`casebook serve`)")
    ap.add_argument("--only", action="append", type=int, choices=[1, 2, 3, 4],
                    help="run only this part (repeatable)")
    ap.add_argument("--quick", action="store_true", help="smaller counts (100 logins, 8 uploads, 6 requests)")
    ap.add_argument("--logins", type=int, help="part 1: parallel logins (500; 100 with --quick)")
    ap.add_argument("--uploads", type=int, help="part 2: parallel posts per size (30; 8 with --quick)")
    ap.add_argument("--requests", type=int, help="part 4: requests per outage mode (20; 6 with --quick)")
    ap.add_argument("--verbose", action="store_true", help="print the RSS timeline of the uploads")
    ap.add_argument("--env", action="append", default=[], metavar="K=V",
                    help="extra environment for every server (repeatable), e.g. MALLOC_ARENA_MAX=2")
    ap.add_argument("--workdir", help="folder for databases and server logs (default: a new temporary one)")
    ap.add_argument("--pg-host", default="127.0.0.1")
    ap.add_argument("--pg-port", type=int, default=5432)
    ap.add_argument("--pg-user", default="postgres")
    args = ap.parse_args()
    args.bin = os.path.abspath(args.bin)
    if not os.access(args.bin, os.X_OK):
        sys.exit(f"not an executable: {args.bin}")
    parts = sorted(set(args.only or [1, 2, 3, 4]))
    for kv in args.env:
        k, sep, v = kv.partition("=")
        if not sep or not k:
            sys.exit(f"--env wants K=V, not {kv!r}")
        EXTRA_ENV[k] = v

    # 500 client sockets at once, plus the probes.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    threading.stack_size(512 * 1024)

    def on_signal(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    workdir = args.workdir or tempfile.mkdtemp(prefix="casebook-hardening-")
    os.makedirs(workdir, exist_ok=True)
    workdir = os.path.abspath(workdir)
    log(f"binary {args.bin}; work folder {workdir} (server logs *.log)")
    if EXTRA_ENV:
        log(f"server environment added: {' '.join(f'{k}={v}' for k, v in EXTRA_ENV.items())}")
    log(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start"
        + ("; --quick" if args.quick else ""))
    steps = {1: part_login_flood, 2: part_uploads, 3: part_disk_full, 4: part_pg_outage}
    failed = False
    try:
        for p in parts:
            try:
                steps[p](args, workdir)
            except (SystemExit, KeyboardInterrupt):
                raise
            except Exception as e:
                failed = True
                log(f"  part {p} failed: {type(e).__name__}: {e}")
                result(p, "run", f"failed: {e}"[:160], "", False)
            finally:
                stop_all()
    finally:
        stop_all()
    log(f"\nload average {os.getloadavg()[0]:.2f} at the end")
    print_table()
    if PROBLEMS:
        log("\nmissed or misbehaved:")
        for p in PROBLEMS:
            log(f"  - {p}")
    # Keep the logs, drop the databases.
    for d in DATA_DIRS:
        shutil.rmtree(d, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
