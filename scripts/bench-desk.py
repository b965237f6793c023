#!/usr/bin/env python3
"""bench-desk: saved views and a bulk macro on a large database, over HTTP from a separate process.

Usage: bench-desk.py BASE_URL TOKEN [--bulk N] [--runs N]   (--bulk 0: views only)

Against a running `casebook serve` whose database holds many tickets (for example one generated
by `bench-reports --keep`), it:
  1. saves views (three filters: open queue, priority urgent, tag billing; VIP customers with a
     breached or at-risk SLA; customers waiting on us for 4 h, oldest first) and times each one's
     first page (GET /api/v1/views/{id}/tickets) and the view list with counts (GET /api/v1/views);
  2. applies a macro (add a tag, an internal note) to N tickets with POST /api/v1/tickets/bulk
     (answered 202 above 200 tickets; the script follows the progress until it is finished) and
     reports tickets/s, while another thread creates tickets and reports their latency (p50, p99).
It prints figures; it asserts nothing.
"""
import json
import sys
import threading
import time
import urllib.request


def call(base, token, method, path, body=None, timeout=600):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Authorization", "Bearer " + token)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    t = time.perf_counter()
    with urllib.request.urlopen(req, timeout=timeout) as r:
        out = r.read()
    return time.perf_counter() - t, (json.loads(out) if out else None)


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p / 100))]


def ms(x):
    return f"{x * 1000:.1f} ms"


def main():
    base, token = sys.argv[1].rstrip("/"), sys.argv[2]
    bulk_n = int(sys.argv[sys.argv.index("--bulk") + 1]) if "--bulk" in sys.argv else 10_000
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 100

    views = [
        ("3 filters (open, urgent, tag billing)", {"queue": "open", "priority": "urgent", "tag": "billing"}),
        ("VIP + SLA attention", {"queue": "open", "vip": True, "sla": "attention"}),
        ("customer waiting 4 h, oldest first", {"waiting_hours": 4, "sort": "oldest"}),
        ("plan pro, segment enterprise", {"queue": "open", "plan": "pro", "segment": "enterprise"}),
    ]
    made = []
    for name, filters in views:
        _, v = call(base, token, "POST", "/api/v1/views", {"name": f"bench {name} {time.time():.0f}", "filters": filters})
        made.append((name, v["view"]["id"]))
    lists = []
    for name, vid in made:
        page = []
        for _ in range(runs):
            took, body = call(base, token, "GET", f"/api/v1/views/{vid}/tickets")
            page.append(took)
        print(f"view page, {name}, {len(body['items'])} rows: p50 {ms(pct(page, 50))}, p95 {ms(pct(page, 95))}")
    for _ in range(runs):
        took, body = call(base, token, "GET", "/api/v1/views")
        lists.append(took)
    print(f"view list with counts ({len(body['items'])} views): p50 {ms(pct(lists, 50))}, p95 {ms(pct(lists, 95))}")

    if bulk_n == 0:
        return
    # N tickets to change: the newest ones of the whole list.
    ids, cursor = [], None
    while len(ids) < bulk_n:
        q = "/api/v1/tickets?queue=all&limit=200" + (f"&cursor={cursor}" if cursor else "")
        _, body = call(base, token, "GET", q)
        ids += [t["id"] for t in body["items"]]
        cursor = body.get("next_cursor")
        if not cursor:
            break
    ids = ids[:bulk_n]
    _, m = call(base, token, "POST", "/api/v1/macros", {
        "title": f"bench macro {time.time():.0f}", "body": "",
        "actions": {"add_tags": ["bench-bulk"], "note": "Handled in bulk"}})
    mid = m["saved_reply"]["id"]

    stop, creates = threading.Event(), []

    def create_loop():
        i = 0
        while not stop.is_set():
            took, _ = call(base, token, "POST", "/api/v1/tickets", {
                "customer": {"email": f"bench{i}@desk.test"}, "subject": "During bulk", "body": "x"})
            creates.append(took)
            i += 1
            time.sleep(0.05)

    t = threading.Thread(target=create_loop)
    t.start()
    started = time.perf_counter()
    _, out = call(base, token, "POST", "/api/v1/tickets/bulk", {
        "tickets": [{"id": i} for i in ids], "changes": {"macro_id": mid}}, timeout=3600)
    if "bulk_run" in out:
        url = out["status_url"]
        while not out["bulk_run"]["finished"]:
            time.sleep(0.2)
            _, out = call(base, token, "GET", url)
        out = out["bulk_run"]
    took = time.perf_counter() - started
    stop.set()
    t.join()
    print(f"bulk macro on {len(ids)} tickets: {took:.1f} s, {len(out['changed']) / took:.0f} tickets/s "
          f"(changed {len(out['changed'])}, stale {len(out['stale'])}, failed {len(out['failed'])})")
    if creates:
        print(f"ticket creates during the bulk change ({len(creates)}): p50 {ms(pct(creates, 50))}, "
              f"p99 {ms(pct(creates, 99))}")


if __name__ == "__main__":
    main()
