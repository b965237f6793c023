#!/usr/bin/env python3
"""bench-pipeline: a burst of API creates, then the time until every ticket is done, over HTTP
from a separate process.

Usage: bench-pipeline.py BASE_URL TOKEN [--tickets N] [--clients N] [--sample N]
                         [--metrics-token T] [--hang-port PORT] [--domain D] [--rate R]

Against a running `casebook serve` (for example on a database of `bench-reports --keep`), it:
  1. creates N tickets (POST /api/v1/tickets) from `--clients` threads at full speed, or paced
     at `--rate` tickets per second;
  2. waits until the outbox is empty (`casebook_outbox_depth` on /metrics is 0): every ticket
     routed, assigned, SLA-clocked, indexed and acknowledged (API tickets get no acknowledgement:
     the caller has the answer);
  3. afterwards, reads every `--sample`-th ticket once (GET /api/v1/tickets/{id}): the time from
     its creation to its routing (to an agent, or to a team's queue when every member is at
     capacity), from the server's own timestamps (p50, p95); following the tickets during the
     run would load the server being measured;
  4. meanwhile, an "agent" thread opens the open queue and a ticket in turn: their latency while
     the creates run and while the backlog drains (p50, p95, p99).
Customers' addresses are in `--domain` (default pipeline.test): with SMTP configured, pick a
domain the relay accepts, so acknowledgements are sent, not refused.
It prints creates/s, the drain time, end-to-end tickets/s (N over creates + drain) and the
latencies; it asserts nothing.

`--hang-port PORT` also listens on 127.0.0.1:PORT, accepts connections and never answers: start
the server with `CASEBOOK_MEILI_URL=http://127.0.0.1:PORT` to measure with a hung search backend
(or point it at a port nothing listens on for an unreachable one). The outbox then never drains
(its search jobs keep failing), so the run ends when the depth has not moved for 30 s (bounded by
`--drain-limit`); the routing latencies show whether routing kept up.
"""
import json
import socket
import sys
import threading
import time
import http.client
import urllib.parse


def arg(name, default):
    if name in sys.argv:
        return type(default)(sys.argv[sys.argv.index(name) + 1])
    return default


_local = threading.local()


def call(base, token, method, path, body=None, timeout=120):
    """One request on this thread's kept-alive connection (reopened after an error)."""
    data = None if body is None else json.dumps(body).encode()
    headers = {"Authorization": "Bearer " + token} if token else {}
    if data is not None:
        headers["Content-Type"] = "application/json"
    for attempt in (1, 2):
        conn = getattr(_local, "conn", None)
        reused = conn is not None
        if conn is None:
            u = urllib.parse.urlsplit(base)
            conn = _local.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
        t = time.perf_counter()
        try:
            conn.request(method, path, body=data, headers=headers)
            r = conn.getresponse()
            out = r.read()
            break
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # The server closed an idle kept-alive connection: once more on a new one.
            conn.close()
            _local.conn = None
            if not reused or attempt == 2:
                raise
        except Exception:
            conn.close()
            _local.conn = None
            raise
    took = time.perf_counter() - t
    if r.status >= 400:
        raise RuntimeError(f"{method} {path}: {r.status} {out[:200]!r}")
    if "json" in (r.getheader("Content-Type") or "") and out:
        return took, json.loads(out)
    return took, out.decode(errors="replace")


def pct(xs, p):
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p / 100))]


def ms(x):
    return f"{x * 1000:.1f} ms"


def depth(base, metrics_token):
    _, text = call(base, metrics_token, "GET", "/metrics")
    for line in text.splitlines():
        if line.startswith("casebook_outbox_depth "):
            return int(float(line.split()[1]))
    raise RuntimeError("no casebook_outbox_depth on /metrics")


def hang_forever(port):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(1024)
    held = []
    while True:
        conn, _ = srv.accept()
        held.append(conn)


def main():
    base, token = sys.argv[1].rstrip("/"), sys.argv[2]
    n = arg("--tickets", 50_000)
    clients = arg("--clients", 16)
    sample = arg("--sample", 100)
    metrics_token = arg("--metrics-token", "")
    hang_port = arg("--hang-port", 0)
    drain_limit = arg("--drain-limit", 900.0)
    domain = arg("--domain", "pipeline.test")
    rate = arg("--rate", 0.0)
    if hang_port:
        threading.Thread(target=hang_forever, args=(hang_port,), daemon=True).start()

    start_depth = depth(base, metrics_token)
    print(f"outbox depth before: {start_depth}", flush=True)
    stamp = int(time.time())
    lock = threading.Lock()
    created, create_lat, errors = [], [], []
    next_i = [0]

    def creator():
        while True:
            with lock:
                i = next_i[0]
                if i >= n:
                    return
                next_i[0] += 1
            if rate > 0:
                # Paced: ticket i is created at i / rate seconds from the start.
                wait = started + i / rate - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
            body = {"customer": {"email": f"pipe{stamp}-{i % 5000}@{domain}", "name": f"Pipe {i % 5000}"},
                    "subject": f"Pipeline {stamp} ticket {i} cannot log in",
                    "body": "Hello, I cannot log in to my account since this morning. Order 4471."}
            try:
                took, out = call(base, token, "POST", "/api/v1/tickets", body)
            except Exception as e:  # noqa: BLE001 - a benchmark counts failures, it does not stop
                with lock:
                    errors.append(str(e))
                continue
            done_at = time.perf_counter()
            with lock:
                create_lat.append(took)
                if i % sample == 0:
                    created.append((out["ticket"]["id"], done_at))

    phase = ["create"]
    agent_lat = {"create": [], "drain": []}
    stop = threading.Event()

    def agent():
        tid = None
        while not stop.is_set():
            try:
                took, out = call(base, token, "GET", "/api/v1/tickets?queue=open&limit=25")
                agent_lat[phase[0]].append(took)
                if out.get("items"):
                    tid = out["items"][len(out["items"]) // 2]["id"]
                if tid:
                    took, _ = call(base, token, "GET", f"/api/v1/tickets/{tid}")
                    agent_lat[phase[0]].append(took)
            except Exception as e:  # noqa: BLE001
                errors.append(f"agent: {e}")
            time.sleep(0.05)

    helpers = [threading.Thread(target=agent, daemon=True)]
    for h in helpers:
        h.start()
    started = time.perf_counter()
    workers = [threading.Thread(target=creator) for _ in range(clients)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    create_secs = time.perf_counter() - started
    backlog = depth(base, metrics_token)
    phase[0] = "drain"
    print(f"{len(create_lat)} creates from {clients} clients in {create_secs:.1f} s = "
          f"{len(create_lat) / create_secs:.0f}/s (p50 {ms(pct(create_lat, 50))}, p99 {ms(pct(create_lat, 99))}); "
          f"{len(errors)} errors; outbox backlog at the end {backlog}")

    drain_started = time.perf_counter()
    last, last_change = backlog, drain_started
    while True:
        d = depth(base, metrics_token)
        now = time.perf_counter()
        if d == 0:
            break
        if d != last:
            last, last_change = d, now
        # A search backend that is down keeps its jobs pending: stop once nothing moves.
        if now - last_change > 30:
            print(f"outbox stuck at {d} jobs for 30 s")
            break
        if now - drain_started > drain_limit:
            print(f"gave up after {drain_limit:.0f} s with {d} jobs left")
            break
        time.sleep(0.2)
    drain_secs = time.perf_counter() - drain_started
    stop.set()
    for h in helpers:
        h.join()
    total = create_secs + drain_secs
    print(f"drained in {drain_secs:.1f} s after the last create; end to end {len(create_lat)} tickets in "
          f"{total:.1f} s = {len(create_lat) / total:.0f} tickets/s")
    # Routing latency from the server's own timestamps, read once the run is over (following
    # the tickets during the run would load the server being measured).
    lat, to_agent, unrouted = [], 0, 0
    for tid, _ in created:
        _, out = call(base, token, "GET", f"/api/v1/tickets/{tid}")
        made = out["ticket"]["created_at"]
        done = [e["created_at"] for e in out["events"] if e["kind"] in ("routed", "assigned")]
        if done:
            lat.append((min(done) - made) / 1000)
            to_agent += 1 if out["ticket"].get("assignee_id") else 0
        else:
            unrouted += 1
    print(f"routed after its creation ({len(lat)} of {len(created)} sampled, {unrouted} not routed; {to_agent} to an agent, "
          f"the rest to a team's queue): p50 {ms(pct(lat, 50))}, "
          f"p95 {ms(pct(lat, 95))}, max {ms(max(lat) if lat else float('nan'))}")
    for name in ("create", "drain"):
        xs = agent_lat[name]
        print(f"agent requests while {name}s run ({len(xs)}): p50 {ms(pct(xs, 50))}, p95 {ms(pct(xs, 95))}, "
              f"p99 {ms(pct(xs, 99))}")
    if errors:
        print("first errors:", errors[:3])


if __name__ == "__main__":
    main()
