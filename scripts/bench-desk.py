#!/usr/bin/env python3
"""bench-desk: saved views and a bulk macro on a large database, over HTTP from a separate process.

Usage: bench-desk.py BASE_URL TOKEN [--bulk N] [--runs N]

Against a running `casebook serve` whose database holds many tickets (for example one generated
by `bench-reports --keep`), it:
  1. saves a view with three filters (open queue, priority urgent, tag billing) and times its
     first page (GET /api/v1/views/{id}/tickets) and the view list with counts (GET /api/v1/views);
  2. applies a macro (add a tag) to N tickets with POST /api/v1/tickets/bulk and reports
     tickets/s, while another thread creates tickets and reports their latency (p50, p99).
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

    _, v = call(base, token, "POST", "/api/v1/views", {
        "name": f"bench {time.time():.0f}",
        "filters": {"queue": "open", "priority": "urgent", "tag": "billing"},
    })
    vid = v["view"]["id"]
    page, lists = [], []
    for _ in range(runs):
        took, body = call(base, token, "GET", f"/api/v1/views/{vid}/tickets")
        page.append(took)
        took, _ = call(base, token, "GET", "/api/v1/views")
        lists.append(took)
    print(f"view page (3 filters), {len(body['items'])} rows: p50 {ms(pct(page, 50))}, p95 {ms(pct(page, 95))}")
    print(f"view list with counts: p50 {ms(pct(lists, 50))}, p95 {ms(pct(lists, 95))}")

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
        "title": f"bench macro {time.time():.0f}", "actions": {"add_tags": ["bench-bulk"]}})
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
    took, out = call(base, token, "POST", "/api/v1/tickets/bulk", {
        "tickets": [{"id": i} for i in ids], "changes": {"macro_id": mid}}, timeout=3600)
    stop.set()
    t.join()
    print(f"bulk macro on {len(ids)} tickets: {took:.1f} s, {len(out['changed']) / took:.0f} tickets/s "
          f"(changed {len(out['changed'])}, stale {len(out['stale'])}, failed {len(out['failed'])})")
    if creates:
        print(f"ticket creates during the bulk change ({len(creates)}): p50 {ms(pct(creates, 50))}, "
              f"p99 {ms(pct(creates, 99))}")


if __name__ == "__main__":
    main()
