#!/usr/bin/env python3
"""bench-pages: what an agent waits for on a large database, over HTTP from a separate process.

Usage: bench-pages.py BASE_URL TOKEN --email E --password P [--runs N] [--pid PID]
                      [--query WORDS ...]

Against a running `casebook serve` (for example on a database of `bench-reports --keep`), logged
in as the agent E (pages) and with the API token TOKEN (API calls), it times `--runs` requests
(default 50) of each:
  - pages: the open queue, the agent's own queue, a ticket page (a different open ticket each
    time; the page includes similar solved tickets), a customer page, the search page;
  - API lists: open and unassigned queues, a customer's tickets;
  - search through the API: every `--query` (default: a mix of common and rare words, two words,
    solved only by date, and Korean and Arabic words), round robin;
  - the `summary` report for the last 365 days.
It prints p50/p95/p99 per kind and, with `--pid`, the server's resident memory (VmRSS) and its
peak (VmHWM). It asserts nothing.
"""
import datetime
import http.cookiejar
import json
import re
import sys
import time
import urllib.parse
import urllib.request


def args_list(name):
    out, i = [], 0
    while i < len(sys.argv):
        if sys.argv[i] == name and i + 1 < len(sys.argv):
            out.append(sys.argv[i + 1])
            i += 1
        i += 1
    return out


def arg(name, default):
    v = args_list(name)
    return type(default)(v[-1]) if v else default


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p / 100))] if xs else float("nan")


def ms(x):
    return f"{x * 1000:.1f}"


class Client:
    def __init__(self, base, token):
        self.base, self.token = base, token
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def api(self, path):
        req = urllib.request.Request(self.base + path)
        req.add_header("Authorization", "Bearer " + self.token)
        t = time.perf_counter()
        with urllib.request.urlopen(req, timeout=60) as r:
            body = r.read()
        return time.perf_counter() - t, json.loads(body)

    def page(self, path):
        t = time.perf_counter()
        with self.opener.open(self.base + path, timeout=60) as r:
            body = r.read()
            status = r.status
        took = time.perf_counter() - t
        if status != 200:
            raise RuntimeError(f"GET {path}: {status}")
        return took, body.decode("utf-8", "replace")

    def login(self, email, password):
        _, html = self.page("/login")
        csrf = re.search(r'name="csrf" value="([^"]*)"', html).group(1)
        data = urllib.parse.urlencode({"email": email, "password": password, "csrf": csrf}).encode()
        with self.opener.open(self.base + "/login", data=data, timeout=60) as r:
            r.read()
        _, html = self.page("/tickets")
        if 'action="/logout"' not in html and "Log out" not in html:
            raise RuntimeError("login failed")


def rss(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmRSS", "VmHWM")):
                k, v = line.split(":")
                out[k] = int(v.split()[0]) / 1024
    return out


def main():
    base, token = sys.argv[1].rstrip("/"), sys.argv[2]
    email, password = arg("--email", ""), arg("--password", "")
    runs = arg("--runs", 50)
    pid = arg("--pid", 0)
    queries = args_list("--query") or [
        "login", "password reset", "refund", "invoice", "cannot log in", "billing error",
        "zzyzx", "결제", "비밀번호", "환불", "فاتورة", "solved:refund",
    ]
    c = Client(base, token)
    c.login(email, password)
    results = {}

    def timed(name, fn):
        xs = []
        for i in range(runs):
            xs.append(fn(i))
        results[name] = xs
        print(f"{name:<44} p50 {ms(pct(xs, 50)):>7} ms  p95 {ms(pct(xs, 95)):>7} ms  p99 {ms(pct(xs, 99)):>7} ms",
              flush=True)

    _, body = c.api(f"/api/v1/tickets?queue=open&limit=100")
    open_ids = [t["id"] for t in body["items"]]
    customers = list(dict.fromkeys(t.get("customer_id") or t.get("customer", {}).get("id") for t in body["items"]))
    customers = [x for x in customers if x]

    timed("page: open queue", lambda i: c.page("/tickets?queue=open")[0])
    timed("page: my queue", lambda i: c.page("/tickets?queue=mine")[0])
    timed("page: ticket (with similar solved)", lambda i: c.page(f"/tickets/{open_ids[i % len(open_ids)]}")[0])
    if customers:
        timed("page: customer", lambda i: c.page(f"/customers/{customers[i % len(customers)]}")[0])
    timed("page: search", lambda i: c.page("/search?q=" + urllib.parse.quote(queries[i % len(queries)].replace("solved:", "")))[0])
    timed("api: open queue", lambda i: c.api("/api/v1/tickets?queue=open")[0])
    timed("api: unassigned queue", lambda i: c.api("/api/v1/tickets?queue=unassigned")[0])
    if customers:
        timed("api: a customer's tickets", lambda i: c.api(f"/api/v1/tickets?customer_id={customers[i % len(customers)]}")[0])

    def search(i):
        q = queries[i % len(queries)]
        extra = ""
        if q.startswith("solved:"):
            q, extra = q[len("solved:"):], "&status=solved&sort=date"
        return c.api("/api/v1/search?q=" + urllib.parse.quote(q) + extra)[0]

    timed("api: search (all kinds)", search)
    per_query = {}
    for i, x in enumerate(results["api: search (all kinds)"]):
        per_query.setdefault(queries[i % len(queries)], []).append(x)
    for q, xs in per_query.items():
        print(f"    search {q!r:<24} max {ms(max(xs))} ms")
    today = datetime.date.today()
    frm = (today - datetime.timedelta(days=364)).isoformat()
    timed("api: summary report (365 days)", lambda i: c.api(f"/api/v1/reports/summary?from={frm}&to={today.isoformat()}")[0])
    if pid:
        m = rss(pid)
        print(f"server memory: VmRSS {m.get('VmRSS', 0):.0f} MB, peak VmHWM {m.get('VmHWM', 0):.0f} MB")


if __name__ == "__main__":
    main()
