#!/usr/bin/env python3
"""Fuzz the Casebook JSON API (/api/v1) against a running server.

Creates a few real objects first (tickets, customers, a team, an SLA calendar and policy, a
rule, a saved reply, an agent, an identity, a merge) so that real ids exist, then sends
generated requests: valid bodies with mutations, raw and invalid JSON, garbage in path ids and
query strings, random methods, unusual headers, oversized bodies and signed CRM webhook calls.

Every answer must be below 500; an answer of 400 or more must carry a JSON body shaped
{"error": {"code": "...", "message": "...", ...}} (HEAD answers have no body); a 2xx answer that
says it is JSON must parse. Timeouts, connection resets and malformed HTTP answers are failures.
The run prints counts per status and per endpoint and a curl reproduction of the first failures,
and exits 1 when anything failed.

Python 3 standard library only. Cases are generated from --seed and the case number, so the
same seed against the same data sends the same requests (`--case N` replays one).

    python3 scripts/fuzz-api.py --base-url http://127.0.0.1:8080 --token "$TOKEN" \\
        --seed 1 --cases 3000 [--webhook-secret "$SECRET"]
"""

import argparse
import collections
import hashlib
import hmac
import http.client
import json
import os
import random
import re
import sys
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

API = "/api/v1"

# --------------------------------------------------------------------------------------------
# JSON with full control over the bytes: raw fragments, duplicate keys, lone surrogates.


class Raw:
    """A JSON fragment emitted verbatim (invalid numbers, deep nesting, broken syntax)."""

    def __init__(self, data):
        self.data = data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")


class Pairs(list):
    """A JSON object given as (key, value) pairs, so a key may repeat."""


def dump(value, ascii_only=True):
    if isinstance(value, Raw):
        return value.data
    if value is None:
        return b"null"
    if value is True:
        return b"true"
    if value is False:
        return b"false"
    if isinstance(value, int):
        return str(value).encode()
    if isinstance(value, float):
        return json.dumps(value).encode()
    if isinstance(value, str):
        # ensure_ascii escapes lone surrogates as \udXXX; without it they become invalid UTF-8.
        return json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    if isinstance(value, (list, tuple)) and not isinstance(value, Pairs):
        return b"[" + b",".join(dump(v, ascii_only) for v in value) + b"]"
    items = value if isinstance(value, Pairs) else list(value.items())
    return (
        b"{"
        + b",".join(dump(str(k), ascii_only) + b":" + dump(v, ascii_only) for k, v in items)
        + b"}"
    )


# --------------------------------------------------------------------------------------------
# Hostile values.

HUGE = 100_000
MAX_QUERY = 60_000

# "ȺȺK" lowercases to a longer UTF-8 encoding, "İ" to two code points; "\ud800" and friends are
# lone surrogates (escaped in JSON, or invalid UTF-8 when sent unescaped).
TEXTS = [
    "Printer on fire", "ȺȺK", "ȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺȺK", "İstanbul İİİ",
    "ẞtraße ﬃ ﬁ", "ΌΣΟΣ Σ", "مرحبا، الطابعة لا تعمل", "שלום עולם", "\u202eevil\u202c text",
    "안녕하세요 프린터가 고장났어요", "프린터", "日本語のテキストと漢字", "e\u0301\u0301\u0301\u0301\u0301",
    "Z\u0337\u0322\u031b\u0319a\u0335\u0321l\u0336g\u0338o\u0337", "👩‍👩‍👧‍👦 🔥🔥 🇩🇪",
    "\U0001f600" * 30, "\x00", "a\x00b", "\x00\x00\x00", "\ud800",
    "\udfff", "a\ud800b", "\udc00\ud800", "\ud83d", "\u2028\u2029", "\ufeff", "\uffff\ufffe",
    "\U0010ffff", "\u0085\u00a0\u3000", "\x07\x08\x1b[31m", "\t\n\r", "   ", "", "%00",
    "%FF%C0%AF", "' OR 1=1 --", "\"; DROP TABLE ticket; --", "<script>alert(1)</script>",
    "{{7*7}} ${jndi:ldap://x}", "\\", "..", "*", "NULL", "null", "true", "0", "-1",
    "9223372036854775808", "1e400", "NaN",
]

SEARCH_TEXTS = [
    '"', '"unterminated', "*", "a*", "NEAR(a b", "a OR", "OR AND NOT", "-", "^a", "a:b",
    "subject:printer", "(", ")", "{a b}", "'", "!", "a & | b", "a <-> b", "a:*", "!!!", "a''b",
    "%", "_", "\\", "\x00", "프린터", "مرحبا", "ȺȺK", "a" * 600, " ".join(["printer"] * 300),
]

# 2**63 is 9223372036854775808, one more than i64 holds.
INTS = [
    0, -1, 1, 2, -0, 255, 65536, 2**31 - 1, 2**31, -(2**31) - 1, 2**53 + 1, 2**63 - 1, 2**63,
    -(2**63), -(2**63) - 1, 2**64, 10**30,
]

FLOATS = [0.5, -0.0, 1.0, 1e308, -1e308, 5e-324, 3.0e10, 1.5]

RAW_NUMBERS = [
    b"1e400", b"-1e400", b"123456789012345678901234567890.5", b"9223372036854775808",
    b"-9223372036854775809", b"18446744073709551616", b"1E+2", b"-0",
    b"0.0000000000000000000000001",
]

PATH_IDS = [
    "0", "-1", "-0", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
    "18446744073709551616", "99999999999999999999999999", "1e3", "1.0", "0x1", "abc", "null",
    "undefined", "%00", "1%00", "%FF", "%C0%AF", "%E2%82", "%2F", "%2e%2e", "..", "%", "%ZZ",
    "%20", "%C8%BA%C8%BAK", "%E2%80%AE1", "%F0%9F%98%80", "%ED%A0%80", "%5B%5D", "%7B%7D", "'",
    "9" * 5000, "a" * 20000,
]

QUERY_VALUES = [
    "", "0", "-1", "1", "201", "100000", "9223372036854775807", "9223372036854775808",
    "-9223372036854775808", "-9223372036854775809", "1.5", "1e3", "true", "%00", "a%00b", "%FF",
    "%C0%AF", "%E2%82", "%ED%A0%80", "%", "%G1", "+", "%2B", "a%26b%3Dc", "2024-02-30",
    "2024-13-45", "0000-01-01", "9999-12-31", "-001-01-01", "1970-01-01",
    "2024-01-01T00:00:00%2B99:00", "2024-01-01T00:00:00Z", "262143-12-31", "x" * 10000,
]

IF_MATCH = [
    '"0"', '"-1"', "*", 'W/"1"', '"abc"', "1", '""', '"9223372036854775808"', '"1", "2"', '"\t1"',
    '"' + "9" * 5000 + '"', "ȺȺK".encode("utf-8"), b'"\xff\xfe"',
]

ACCEPTS = [
    "text/csv", "application/xml", "*/*", "text/event-stream", "text/csv;q=0, application/json",
    "garbage/\xe9".encode("latin-1"), "a" * 8000,
]

CONTENT_TYPES = [
    None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
    "application/json; charset=latin1", "application/JSON", "application/json-patch+json",
    "application/problem+json", "json", ";;;", "application/json; boundary=\xff".encode("latin-1"),
]

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "PROPFIND", "FOO", "get"]

REPORTS = [
    "summary", "response-times", "volume", "backlog-age", "resolution-distribution", "top-tags",
    "top-terms", "csat", "agents", "churn", "churn-ltv", "churn-customers", "sla", "sla-trend",
    "sla-breaches", "tickets",
]

CRM_KINDS = [
    "signup", "deal", "order", "purchase", "subscription", "campaign_touch", "email_engagement",
    "meeting", "call", "nps", "csat", "note",
]

PREF_KINDS = ["assigned", "customer_reply", "mention", "following", "sla_warning", "sla_breach", "escalated"]
DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Seoul", "Pacific/Chatham", "Mars/Olympus", "", "../../etc/passwd"]
HOURS = ["09:00-17:00", "00:00-24:00", "17:00-09:00", "25:00-26:00", "9-5", "00:00-00:00", "23:59-24:00", "12:00-12:01"]


ENUM_VALUES = set(
    CRM_KINDS
    + PREF_KINDS
    + ["low", "normal", "high", "urgent", "new", "open", "pending", "solved", "closed"]
    + ["public", "internal", "agent", "lead", "admin", "online", "away", "off", "email", "phone", "external"]
)


def is_free(value):
    """A value that is neither a flag nor one of a fixed set of names."""
    return not isinstance(value, bool) and not (isinstance(value, str) and value in ENUM_VALUES)


def weird_string(rng):
    roll = rng.random()
    if roll < 0.07:
        unit = rng.choice(["a", "ȺȺK", "안", "😀", "e\u0301", "\x00", " ", "word "])
        return (unit * (HUGE // len(unit) + 1))[:HUGE]
    if roll < 0.12:
        alphabet = "aZ0 .-ȺK안😀\u0301\u202e\x00\n"
        return "".join(rng.choice(alphabet) for _ in range(rng.choice([300, 5000, HUGE])))
    if roll < 0.20:
        return rng.choice(TEXTS) + rng.choice(TEXTS)
    return rng.choice(TEXTS)


def deep_nesting(rng):
    depth = rng.choice([64, 127, 128, 129, 1000, 20000])
    opener, closer = rng.choice([(b"[", b"]"), (b'{"a":', b"}")])
    return Raw(opener * depth + b"1" + closer * depth)


def weird_value(rng, depth=0):
    roll = rng.random()
    if roll < 0.08:
        return None
    if roll < 0.14:
        return rng.choice([True, False])
    if roll < 0.30:
        return rng.choice(INTS)
    if roll < 0.36:
        return rng.choice(FLOATS)
    if roll < 0.42:
        return Raw(rng.choice(RAW_NUMBERS))
    if roll < 0.70:
        return weird_string(rng)
    if roll < 0.76:
        return deep_nesting(rng)
    if roll < 0.84 and depth < 3:
        return [weird_value(rng, depth + 1) for _ in range(rng.choice([0, 1, 3]))]
    if roll < 0.88:
        return [rng.choice(INTS + TEXTS)] * rng.choice([1000, 20000])
    if roll < 0.96 and depth < 3:
        return {weird_string(rng)[:50]: weird_value(rng, depth + 1) for _ in range(rng.choice([0, 1, 3]))}
    return rng.choice([[], {}, "", 0])


def same_type_value(rng, old):
    """A hostile value of the same JSON type, so the request gets past type checks."""
    if isinstance(old, bool):
        return not old
    if isinstance(old, int):
        return rng.choice(INTS)
    if isinstance(old, float):
        return rng.choice(FLOATS)
    if isinstance(old, str):
        return weird_string(rng)
    if isinstance(old, list):
        if old and rng.random() < 0.5:
            if rng.random() < 0.2:
                return [old[0]] * 2000
            return [same_type_value(rng, old[0]) for _ in range(rng.choice([1, 2, 10]))]
        return []
    if isinstance(old, dict):
        return {k: same_type_value(rng, v) for k, v in old.items()}
    return weird_value(rng)


# --------------------------------------------------------------------------------------------
# Objects created before fuzzing, and valid request bodies built from them.


class Context:
    def __init__(self):
        self.ids = collections.defaultdict(list)
        self.email = "nobody@example.com"  # a setup customer's address

    def pick(self, rng, kind):
        """A real id of that kind most of the time, else one that does not exist."""
        pool = self.ids.get(kind) or []
        if pool and rng.random() < 0.85:
            return rng.choice(pool)
        return rng.choice([987654321, 2**62, 424242])


def ticket_body(rng, ctx, n):
    return {
        "customer": {"email": f"fuzz-{n}@example.com", "name": "Fuzz Customer"},
        "subject": "Printer on fire",
        "body": "It smokes.",
        "priority": rng.choice(["low", "normal", "high", "urgent"]),
    }


def ticket_patch(rng, ctx, n):
    body = {}
    for key, make in [
        ("status", lambda: rng.choice(["new", "open", "pending", "solved", "closed"])),
        ("priority", lambda: rng.choice(["low", "normal", "high", "urgent"])),
        ("assignee_id", lambda: rng.choice([None, ctx.pick(rng, "agent")])),
        ("subject", lambda: "Updated subject"),
    ]:
        if rng.random() < 0.5:
            body[key] = make()
    return body or {"priority": "high"}


def message_body(rng, ctx, n):
    body = {"body": "We are on it.", "visibility": rng.choice(["public", "internal"])}
    if rng.random() < 0.3:
        body["status"] = rng.choice(["open", "pending", "solved"])
    if rng.random() < 0.15:
        body["attachments"] = [
            {"filename": "a.txt", "content_type": "text/plain", "content_base64": "aGVsbG8="}
        ]
    return body


def crm_event(rng, ctx, n, with_customer=True):
    kind = rng.choice(CRM_KINDS)
    event = {
        "kind": kind,
        "occurred_at": "2024-05-01T12:00:00Z",
        "source": "fuzz",
        "external_id": f"fuzz-{n}-{rng.randrange(10**6)}",
    }
    if with_customer:
        if rng.random() < 0.5:
            event["customer_id"] = ctx.pick(rng, "customer")
        else:
            event["customer_email"] = ctx.email
    if kind in ("order", "purchase", "deal"):
        event["amount"] = 49.5
        event["currency"] = "EUR"
    if kind == "subscription":
        event["attributes"] = {"plan": "pro", "status": "active", "mrr": 49}
    if kind in ("nps", "csat"):
        event["attributes"] = {"score": 5}
    return event


def crm_events_body(rng, ctx, n):
    if rng.random() < 0.5:
        return crm_event(rng, ctx, n)
    return {"events": [crm_event(rng, ctx, n) for _ in range(rng.choice([1, 2, 5]))]}


def customer_events_body(rng, ctx, n):
    if rng.random() < 0.5:
        return crm_event(rng, ctx, n, with_customer=False)
    return {"events": [crm_event(rng, ctx, n, with_customer=False) for _ in range(rng.choice([1, 3]))]}


def identity_body(rng, ctx, n):
    kind = rng.choice(["email", "phone", "external"])
    value = {"email": f"alt-{n}@example.com", "phone": "+49 30 1234-567", "external": f"ext-{n}"}[kind]
    return {"kind": kind, "value": value}


def agent_body(rng, ctx, n):
    return {
        "email": f"agent-{n}@example.com",
        "name": "Fuzz Agent",
        "role": rng.choice(["agent", "lead", "admin"]),
        "password": "a long enough password",
    }


def agent_patch(rng, ctx, n):
    body = {}
    for key, make in [
        ("capacity", lambda: rng.choice([0, 5, 10000])),
        ("availability", lambda: rng.choice(["online", "away", "off"])),
        ("skills", lambda: ["billing", "korean"]),
        ("active", lambda: rng.choice([True, False])),
        ("working_calendar_id", lambda: rng.choice([None, ctx.pick(rng, "calendar")])),
    ]:
        if rng.random() < 0.5:
            body[key] = make()
    return body or {"availability": "online"}


def team_body(rng, ctx, n):
    body = {"name": f"Fuzz team {n}"}
    if rng.random() < 0.5:
        body["members"] = [ctx.pick(rng, "agent")]
    if rng.random() < 0.3:
        body["lead_agent_id"] = ctx.pick(rng, "agent")
    if rng.random() < 0.3:
        body["active"] = rng.choice([True, False])
    if rng.random() < 0.1:
        body["is_default"] = rng.choice([True, False])
    return body


def rule_body(rng, ctx, n):
    return {
        "name": f"Fuzz rule {n}",
        "active": True,
        "conditions": {
            "channel": ["api", "email"],
            "keywords": ["printer", "ȺȺK"],
            "priority": ["high"],
            "vip": rng.choice([True, False]),
        },
        "team_id": ctx.pick(rng, "team"),
        "set_priority": "high",
        "tags": ["fuzz"],
        "required_skill": "billing",
        "position": rng.choice([0, 1, 5]),
    }


def calendar_body(rng, ctx, n):
    if rng.random() < 0.2:
        # Odd but well-typed: unknown zones, inverted or empty windows, a leap day, weekends.
        return {
            "name": f"Fuzz calendar {n}",
            "time_zone": rng.choice(ZONES),
            "hours": {day: rng.sample(HOURS, rng.choice([0, 1, 2])) for day in rng.sample(DAYS, rng.choice([1, 7]))},
            "holidays": rng.sample(["2026-12-25", "2024-02-29", "2023-02-29", "9999-12-31", "0000-01-01"], 2),
        }
    return {
        "name": f"Fuzz calendar {n}",
        "time_zone": rng.choice(ZONES[:5]),
        "hours": {day: ["09:00-17:00"] for day in DAYS[:5]},
        "holidays": ["2026-12-25"],
    }


def targets():
    return {"first_response_minutes": 60, "next_response_minutes": 120, "resolution_minutes": 480}


def policy_body(rng, ctx, n):
    return {
        "name": f"Fuzz policy {n}",
        "calendar_id": ctx.pick(rng, "calendar"),
        "position": rng.choice([0, 1, 3]),
        "match_priority": "high",
        "targets": {"high": targets(), "urgent": targets()},
        "warning_percent": 75,
        "notify_assignee_on_warning": True,
        "raise_priority_on_breach": True,
        "notify_lead_on_breach": True,
        "escalation_team_id": ctx.pick(rng, "team"),
        "active": True,
    }


def escalate_body(rng, ctx, n):
    return {"reason": "Customer is angry", "assignee_id": ctx.pick(rng, "agent"), "raise_priority": True}


def prefs_body(rng, ctx, n):
    return {"preferences": [{"kind": k, "in_app": True, "email": rng.choice([True, False])} for k in rng.sample(PREF_KINDS, 3)]}


def resolution_body(rng, ctx, n):
    return {"message_id": rng.choice([ctx.pick(rng, "message"), None])}


def saved_reply_body(rng, ctx, n):
    return {"title": f"Fuzz reply {n}", "body": "Have you tried turning it off and on again?"}


def merge_body(rng, ctx, n):
    return {"from": ctx.pick(rng, "customer")}


def org_body(rng, ctx, n):
    return {"organization": rng.choice(["Acme", ""])}


# Queries: parameter name -> list of plausible values.
TICKET_QUERY = {
    "queue": ["mine", "unassigned", "open", "pending", "solved", "all"],
    "status": ["new", "open", "solved"],
    "assignee_id": ["1"],
    "customer_id": ["1"],
    "team_id": ["1"],
    "limit": ["1", "50", "200"],
    "cursor": ["1", "abc"],
}
SEARCH_QUERY = {
    "q": ["printer", "프린터", "ȺȺK"],
    "status": ["open", "solved"],
    "customer": ["1", "fuzz-setup-0@example.com"],
    "team": ["1", "Fuzz team"],
    "from": ["2024-01-01", "2024-01-01T00:00:00Z"],
    "to": ["2030-01-01"],
    "solved": ["true"],
    "sort": ["relevance", "date"],
    "limit": ["1", "100"],
    "offset": ["0", "10"],
}
REPORT_QUERY = {
    "from": ["2024-01-01", "2024-01-01T00:00:00Z"],
    "to": ["2026-12-31"],
    "team": ["1"],
    "by": ["all", "team", "agent", "channel", "priority", "segment"],
    "interval": ["day", "week"],
    "tag": ["fuzz"],
    "term": ["printer"],
}


class Endpoint:
    def __init__(self, name, method, template, body=None, query=None, if_match=False, signed=False):
        self.name = name
        self.method = method
        self.template = template
        self.body = body
        self.query = query or {}
        self.if_match = if_match
        self.signed = signed

    @property
    def label(self):
        return f"{self.method} {self.template}"


ENDPOINTS = [
    Endpoint("tickets.create", "POST", "/tickets", body=ticket_body),
    Endpoint("tickets.list", "GET", "/tickets", query=TICKET_QUERY),
    Endpoint("tickets.show", "GET", "/tickets/{ticket}"),
    Endpoint("tickets.patch", "PATCH", "/tickets/{ticket}", body=ticket_patch, if_match=True),
    Endpoint("messages.add", "POST", "/tickets/{ticket}/messages", body=message_body, if_match=True),
    Endpoint("messages.list", "GET", "/tickets/{ticket}/messages"),
    Endpoint("tickets.sla", "GET", "/tickets/{ticket}/sla"),
    Endpoint("tickets.escalate", "POST", "/tickets/{ticket}/escalate", body=escalate_body),
    Endpoint("tickets.follow", "PUT", "/tickets/{ticket}/follow"),
    Endpoint("tickets.unfollow", "DELETE", "/tickets/{ticket}/follow"),
    Endpoint("tickets.resolution", "PUT", "/tickets/{ticket}/resolution", body=resolution_body),
    Endpoint("customers.list", "GET", "/customers", query={"q": ["fuzz", "+49301234567", "Acme"], "limit": ["1", "50"], "cursor": ["1"]}),
    Endpoint("customers.duplicates", "GET", "/customers/duplicates", query={"customer_id": ["1"]}),
    Endpoint("customers.show", "GET", "/customers/{customer}"),
    Endpoint("customers.events", "GET", "/customers/{customer}/events", query={"kind": CRM_KINDS, "limit": ["1", "50"], "cursor": ["1"]}),
    Endpoint("customers.events.add", "POST", "/customers/{customer}/events", body=customer_events_body),
    Endpoint("identities.add", "POST", "/customers/{customer}/identities", body=identity_body),
    Endpoint("identities.retire", "POST", "/customers/{customer}/identities/{identity}/retire"),
    Endpoint("customers.organization", "POST", "/customers/{customer}/organization", body=org_body),
    Endpoint("customers.merge", "POST", "/customers/{customer}/merge", body=merge_body),
    Endpoint("customers.merges", "GET", "/customers/{customer}/merges"),
    Endpoint("customers.merges.undo", "POST", "/customers/{customer}/merges/{merge}/undo"),
    Endpoint("crm.events", "POST", "/crm/events", body=crm_events_body),
    Endpoint("crm.webhook", "POST", "/crm/webhook", body=crm_events_body, signed=True),
    Endpoint("agents.list", "GET", "/agents"),
    Endpoint("agents.create", "POST", "/agents", body=agent_body),
    Endpoint("agents.show", "GET", "/agents/{agent}"),
    Endpoint("agents.patch", "PATCH", "/agents/{fuzz_agent}", body=agent_patch),
    Endpoint("teams.list", "GET", "/teams"),
    Endpoint("teams.create", "POST", "/teams", body=team_body),
    Endpoint("teams.show", "GET", "/teams/{team}"),
    Endpoint("teams.patch", "PATCH", "/teams/{team}", body=team_body),
    Endpoint("rules.list", "GET", "/rules"),
    Endpoint("rules.create", "POST", "/rules", body=rule_body),
    Endpoint("rules.show", "GET", "/rules/{rule}"),
    Endpoint("rules.patch", "PATCH", "/rules/{rule}", body=rule_body),
    Endpoint("rules.delete", "DELETE", "/rules/{rule}"),
    Endpoint("quarantine.list", "GET", "/quarantine", query={"all": ["1", "true", "0"], "reason": ["no_sender", "spoofed"], "limit": ["1", "500"], "cursor": ["1"], "from": ["2026-01-01"], "to": ["2999-01-01"]}),
    Endpoint("quarantine.act", "POST", "/quarantine/{quarantine}/{action}"),
    Endpoint("sla.calendars", "GET", "/sla/calendars"),
    Endpoint("sla.calendars.create", "POST", "/sla/calendars", body=calendar_body),
    Endpoint("sla.calendars.show", "GET", "/sla/calendars/{calendar}"),
    Endpoint("sla.calendars.put", "PUT", "/sla/calendars/{calendar}", body=calendar_body),
    Endpoint("sla.policies", "GET", "/sla/policies"),
    Endpoint("sla.policies.create", "POST", "/sla/policies", body=policy_body),
    Endpoint("sla.policies.show", "GET", "/sla/policies/{policy}"),
    Endpoint("sla.policies.put", "PUT", "/sla/policies/{policy}", body=policy_body),
    Endpoint("notifications", "GET", "/notifications"),
    Endpoint("notifications.read", "POST", "/notifications/read"),
    Endpoint("notifications.read_one", "POST", "/notifications/{notification}/read"),
    Endpoint("notifications.prefs", "GET", "/notifications/preferences"),
    Endpoint("notifications.prefs.put", "PUT", "/notifications/preferences", body=prefs_body),
    Endpoint("links", "GET", "/tickets/{ticket}/links"),
    Endpoint("links.revoke", "POST", "/tickets/{ticket}/links/revoke"),
    Endpoint("links.reissue", "POST", "/tickets/{ticket}/links/reissue"),
    Endpoint("search", "GET", "/search", query=SEARCH_QUERY),
    Endpoint("saved_replies.list", "GET", "/saved-replies", query={"q": ["turning", "ȺȺK"]}),
    Endpoint("saved_replies.create", "POST", "/saved-replies", body=saved_reply_body),
    Endpoint("saved_replies.show", "GET", "/saved-replies/{saved_reply}"),
    Endpoint("saved_replies.put", "PUT", "/saved-replies/{saved_reply}", body=saved_reply_body),
    Endpoint("saved_replies.delete", "DELETE", "/saved-replies/{saved_reply}"),
    Endpoint("reports", "GET", "/reports/{report}", query=REPORT_QUERY),
    Endpoint("events", "GET", "/events"),
]

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def fill_path(rng, ctx, ep, garbage_rate=0.0):
    """The endpoint's path with ids filled in; some ids replaced by garbage."""

    def one(match):
        kind = match.group(1)
        if kind == "report":
            real = rng.choice(REPORTS)
        elif kind == "action":
            real = rng.choice(["retry", "release", "dismiss"])
        elif kind == "fuzz_agent":
            real = str(ctx.pick(rng, "fuzz_agent"))
        else:
            real = str(ctx.pick(rng, kind))
        if rng.random() >= garbage_rate:
            return real
        roll = rng.random()
        if roll < 0.6:
            return rng.choice(PATH_IDS)
        if roll < 0.8 and real.isdigit():
            # Forms that a lenient integer parser would take for the real id.
            return rng.choice(["+" + real, "0" + real, "%20" + real, real + "%20", real + "%00", real + ".0", real + "abc"])
        return urllib.parse.quote(weird_string(rng)[:3000].encode("utf-8", "surrogatepass"), safe="")

    return API + PLACEHOLDER.sub(one, ep.template)


URI_SAFE = re.compile(r"[A-Za-z0-9%\-._~!$&'()*+,;=:@/?]*")


def encode_query_value(rng, value):
    """Percent-encoded, or sent as is when that is still a valid request target."""
    if rng.random() < 0.5 or not URI_SAFE.fullmatch(value):
        return urllib.parse.quote(value.encode("utf-8", "surrogatepass"), safe="")
    return value


def build_query(rng, ep, hostile):
    params = []
    names = list(ep.query)
    for name in names:
        if rng.random() < 0.4:
            params.append((name, urllib.parse.quote(rng.choice(ep.query[name]), safe="")))
    if hostile:
        for _ in range(rng.choice([1, 1, 2, 3])):
            roll = rng.random()
            name = rng.choice(names) if names and roll < 0.7 else rng.choice(["x", "%00", "%FF", "limit", "q", "a" * 3000, ""])
            if roll < 0.35:
                value = rng.choice(QUERY_VALUES)
            elif roll < 0.6:
                value = encode_query_value(rng, rng.choice(SEARCH_TEXTS + TEXTS))
            elif roll < 0.7:
                value = encode_query_value(rng, weird_string(rng)[:10000])
            else:
                value = rng.choice(QUERY_VALUES)
            params.append((name, value))
        if rng.random() < 0.15 and params:
            params.append(params[0])  # a repeated parameter
    if not params:
        return ""
    query = "&".join(f"{k}={v}" if rng.random() > 0.05 else k for k, v in params)
    if hostile and rng.random() < 0.1:
        query = rng.choice(["&&&", "=&=", "%", "?", "%23frag&"]) + query
    # The HTTP layer answers a request target over 64 KiB with a bare 414 before any handler
    # sees it (documented in docs/api.md); stay under it so every answer comes from Casebook.
    return "?" + query[:MAX_QUERY]


# --------------------------------------------------------------------------------------------
# Mutating valid bodies.


def paths_in(value, prefix=()):
    """Every location (a tuple of keys and indexes) inside a JSON value."""
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out.extend(paths_in(v, prefix + (k,)))
    elif isinstance(value, list):
        for i, v in enumerate(value[:5]):
            out.extend(paths_in(v, prefix + (i,)))
    return out


def get_at(value, path):
    for step in path:
        value = value[step]
    return value


def set_at(value, path, new):
    if not path:
        return new
    parent = get_at(value, path[:-1])
    parent[path[-1]] = new
    return value


def mutate(rng, body):
    """One to three mutations at random places of a (copied) valid body."""
    body = json.loads(json.dumps(body))
    for _ in range(rng.choice([1, 1, 2, 3])):
        path = rng.choice(paths_in(body))
        target = get_at(body, path)
        roll = rng.random()
        if roll < 0.30:
            body = set_at(body, path, weird_value(rng))
        elif roll < 0.55:
            body = set_at(body, path, same_type_value(rng, target))
        elif roll < 0.70 and path:
            parent = get_at(body, path[:-1])
            if isinstance(parent, dict):
                del parent[path[-1]]
            else:
                parent.pop(path[-1])
        elif roll < 0.80 and isinstance(target, dict):
            target[rng.choice(["extra", "id", "__proto__", "", "ȺȺK", "\x00"])] = weird_value(rng)
        elif roll < 0.87 and isinstance(target, dict) and target:
            pairs = Pairs(target.items())
            key = rng.choice(list(target))
            pairs.append((key, weird_value(rng)))  # a duplicate key
            body = set_at(body, path, pairs)
            break
        elif roll < 0.93:
            body = set_at(body, path, None)
        else:
            body = set_at(body, path, [target])
    return body


def raw_body(rng, valid):
    """Bodies that are not valid JSON, or are JSON of a shape nothing expects."""
    text = dump(valid)
    choices = [
        lambda: b"",
        lambda: b" ",
        lambda: b"null",
        lambda: b"[]",
        lambda: b'"just a string"',
        lambda: b"42",
        lambda: b"{",
        lambda: text[: max(1, len(text) // 2)],
        lambda: text + b"garbage",
        lambda: text + b"\x00",
        lambda: b"\x00" + text,
        lambda: text.replace(b'"', b"'"),
        lambda: text.replace(b":", b"=", 1),
        lambda: b"\xef\xbb\xbf" + text,  # byte order mark
        lambda: text.replace(b'"', b'"\xff', 1),
        lambda: text.replace(b'":"', b'":"\xc0\xaf', 1),
        lambda: text.replace(b'":"', b'":"\\ud800', 1),
        lambda: text.replace(b'":"', b'":"\\u0000', 1),
        lambda: text.replace(b'":"', b'":"\\uZZZZ', 1),
        lambda: text.replace(b'":"', b'":"\\', 1),
        lambda: b'{"a":NaN}',
        lambda: b'{"a":Infinity}',
        lambda: b"{'a': 1}",
        lambda: b'{"a":1,}',
        lambda: b"[" * 200000,
        lambda: deep_nesting(rng).data,
        lambda: b'{"' + b"k" * HUGE + b'":1}',
        lambda: b"{" + b",".join(b'"k%d":1' % i for i in range(20000)) + b"}",
        lambda: text.replace(b"{", b"{" + b'"x":1,' * 5000, 1),
        lambda: bytes(rng.randrange(256) for _ in range(rng.choice([1, 64, 4096]))),
        lambda: text.decode("utf-8", "surrogatepass").encode("utf-16", "surrogatepass"),
        lambda: b"customer=a&subject=b",
    ]
    return rng.choice(choices)()


# --------------------------------------------------------------------------------------------
# Sending, and judging the answers.


class Result:
    def __init__(self, status=None, headers=None, body=b"", error=None, elapsed=0.0):
        self.status = status
        self.headers = headers or {}
        self.body = body
        self.error = error
        self.elapsed = elapsed


class Request:
    def __init__(self, label, kind, method, path, headers=None, body=None, number=None):
        self.label = label
        self.kind = kind
        self.method = method
        self.path = path
        self.headers = headers or []
        self.body = body
        self.number = number

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None


class Client:
    def __init__(self, base_url, token, timeout):
        parsed = urllib.parse.urlsplit(base_url)
        self.base_url = base_url.rstrip("/")
        self.host = parsed.hostname
        self.port = parsed.port or 80
        self.token = token
        self.timeout = timeout

    def send(self, req):
        start = time.monotonic()
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            conn.putrequest(req.method, req.path, skip_accept_encoding=True)
            for name, value in req.headers:
                conn.putheader(name, value)
            if req.body is not None:
                conn.putheader("Content-Length", str(len(req.body)))
            conn.endheaders()
            send_error = None
            if req.body:
                try:
                    view = memoryview(req.body)
                    for offset in range(0, len(view), 1 << 16):
                        conn.send(view[offset : offset + (1 << 16)])
                        if time.monotonic() - start > self.timeout:
                            raise TimeoutError("sending the body took too long")
                except (BrokenPipeError, ConnectionResetError) as e:
                    # The server may answer (e.g. 413) and close before the whole body is sent.
                    send_error = e
            try:
                resp = conn.getresponse()
            except Exception as e:
                if send_error is not None:
                    raise ConnectionError(f"{type(send_error).__name__} while sending the body, then {type(e).__name__}: {e}")
                raise
            headers = {k.lower(): v for k, v in resp.getheaders()}
            if headers.get("content-type", "").startswith("text/event-stream"):
                body = b""  # a live event stream: the headers are the answer
            else:
                body = resp.read()
            elapsed = time.monotonic() - start
            if elapsed > self.timeout:
                return Result(resp.status, headers, body, f"took {elapsed:.1f}s", elapsed)
            return Result(resp.status, headers, body, None, elapsed)
        except TimeoutError as e:
            return Result(error=f"timeout after {time.monotonic() - start:.1f}s ({e})", elapsed=time.monotonic() - start)
        except Exception as e:
            return Result(error=f"{type(e).__name__}: {e}", elapsed=time.monotonic() - start)
        finally:
            conn.close()

    def json(self, method, path, body=None, expect=(200, 201)):
        """A plain JSON call used to create the objects the cases refer to."""
        headers = [("Authorization", f"Bearer {self.token}"), ("Accept", "application/json")]
        data = None
        if body is not None:
            headers.append(("Content-Type", "application/json"))
            data = json.dumps(body).encode()
        res = self.send(Request("setup", "setup", method, API + path, headers, data))
        if res.error or res.status not in expect:
            raise SystemExit(
                f"setup: {method} {path} answered {res.status} {res.error or ''} {res.body[:500]!r}"
            )
        return json.loads(res.body) if res.body else None


def judge(req, res):
    """Problems with one answer, or an empty list."""
    if res.error:
        return [res.error]
    problems = []
    if res.status >= 500:
        problems.append(f"server error {res.status}")
    ctype = res.headers.get("content-type", "")
    # Paths outside /api/ (e.g. /API/V1/...) are web pages, whose errors are HTML.
    if res.status >= 400 and req.method != "HEAD" and req.path.startswith("/api/"):
        try:
            doc = json.loads(res.body)
            err = doc.get("error") if isinstance(doc, dict) else None
            if not (isinstance(err, dict) and isinstance(err.get("code"), str) and isinstance(err.get("message"), str)):
                problems.append(f"error body not shaped {{\"error\": {{\"code\", \"message\"}}}}: {res.body[:300]!r}")
        except ValueError:
            problems.append(f"error body is not JSON ({ctype or 'no content-type'}): {res.body[:300]!r}")
    elif 200 <= res.status < 300 and req.method != "HEAD" and ctype.startswith("application/json") and res.body:
        try:
            json.loads(res.body)
        except ValueError:
            problems.append(f"{res.status} says JSON but does not parse: {res.body[:300]!r}")
    return problems


def shell_quote(value):
    if isinstance(value, bytes):
        try:
            value = value.decode("ascii")
        except UnicodeDecodeError:
            return "$'" + "".join(f"\\x{b:02x}" if b < 32 or b > 126 or b in b"'\\" else chr(b) for b in value) + "'"
    if all(32 <= ord(c) < 127 for c in value) and "'" not in value:
        return "'" + value + "'"
    return shell_quote(value.encode("utf-8", "surrogatepass"))


def as_bytes(value):
    return value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")


def curl(client, req, dump_dir):
    """A curl command that sends the same request; large parts go to files in dump_dir."""

    def to_file(suffix, data):
        os.makedirs(dump_dir, exist_ok=True)
        name = os.path.join(dump_dir, f"case-{req.number}.{suffix}")
        with open(name, "wb") as f:
            f.write(data)
        return name

    parts = ["curl -sS -i --path-as-is -g"]
    parts.append("--head" if req.method == "HEAD" else f"-X {shell_quote(req.method)}")
    sent = {name.lower() for name, _ in req.headers}
    for name, value in req.headers:
        if name == "Authorization" and isinstance(value, str) and client.token and client.token in value:
            parts.append('-H "Authorization: ' + value.replace(client.token, "$TOKEN") + '"')
            continue
        line = name.encode() + b": " + as_bytes(value)
        if not value:
            parts.append(shell_quote(name + ";").join(["-H ", ""]))  # curl's way to send an empty header
        elif len(line) <= 300:
            parts.append("-H " + shell_quote(line))
        else:
            parts.append("-H @" + to_file(name.lower() + ".header", line + b"\n"))
    if "accept" not in sent:
        parts.append("-H 'Accept:'")
    if req.body is not None:
        if "content-type" not in sent:
            parts.append("-H 'Content-Type:'")
        if len(req.body) <= 1500:
            parts.append("--data-binary " + shell_quote(req.body))
        else:
            parts.append(f"--data-binary @{to_file('body', req.body)}")
    url = client.base_url + req.path
    if len(url) <= 1500:
        parts.append(shell_quote(url))
    else:
        parts.append(f"\"$(cat {to_file('url', url.encode())})\"")
    return " \\\n    ".join(parts)


# --------------------------------------------------------------------------------------------
# Generating cases.


class Generator:
    def __init__(self, seed, ctx, token, webhook_secret):
        self.seed = seed
        self.ctx = ctx
        self.token = token
        self.webhook_secret = webhook_secret
        self.endpoints = [e for e in ENDPOINTS if webhook_secret or not e.signed]
        self.with_body = [e for e in self.endpoints if e.body]
        self.with_query = [e for e in self.endpoints if e.query]
        self.kinds = [
            ("mutated_body", 34),
            ("typed_body", 10),
            ("raw_body", 12),
            ("path", 12),
            ("query", 12),
            ("method", 6),
            ("headers", 8),
            ("auth", 3),
            ("too_large", 0.3),
        ]
        if webhook_secret:
            self.kinds.append(("webhook", 5))

    def auth(self):
        return ("Authorization", f"Bearer {self.token}")

    def signature(self, rng, body):
        t = int(time.time())
        roll = rng.random()
        if roll < 0.7:
            mac = hmac.new(self.webhook_secret.encode(), str(t).encode() + b"." + body, hashlib.sha256).hexdigest()
            return f"t={t},v1={mac}"
        if roll < 0.8:
            mac = hmac.new(self.webhook_secret.encode(), str(t - 3600).encode() + b"." + body, hashlib.sha256).hexdigest()
            return f"t={t - 3600},v1={mac}"
        return rng.choice(
            [
                "",
                "t=,v1=",
                f"t={t}",
                f"t={t},v1=zz",
                f"t=9223372036854775808,v1={'0' * 64}",
                f"t=-1,v1={'0' * 64}",
                f"v1={'0' * 64},t={t},v1=",
                ",,,,=,=",
                "t=1,v1=" + "a" * 20000,
                f"t={t},v1=" + ",v1=".join(["0" * 64] * 50),
            ]
        )

    def case(self, number):
        rng = random.Random(f"{self.seed}:{number}")
        kind = rng.choices([k for k, _ in self.kinds], [w for _, w in self.kinds])[0]
        req = getattr(self, "case_" + kind)(rng, number)
        req.kind = kind
        req.number = number
        return req

    def body_request(self, rng, ep, data, headers=None, path=None, ctype="application/json"):
        headers = list(headers or [])
        if not ep.signed:
            headers.insert(0, self.auth())
        if ctype is not None:
            headers.append(("Content-Type", ctype))
        if ep.if_match and rng.random() < 0.5:
            headers.append(("If-Match", self.if_match(rng)))
        if ep.name == "tickets.create" and rng.random() < 0.4:
            # A small pool of keys, so repeats and concurrent repeats happen.
            headers.append(("Idempotency-Key", f"fuzz-{self.seed}-{rng.randrange(8)}"))
        if ep.signed:
            headers.append(("Casebook-Signature", self.signature(rng, data)))
        return Request(ep.label, "", ep.method, path or fill_path(rng, self.ctx, ep), headers, data)

    def if_match(self, rng):
        if rng.random() < 0.5:
            return f'"{rng.choice([1, 2, 3, 5, 10, 100])}"'
        return rng.choice(IF_MATCH)

    def case_mutated_body(self, rng, n):
        ep = rng.choice(self.with_body)
        body = mutate(rng, ep.body(rng, self.ctx, n))
        return self.body_request(rng, ep, dump(body, ascii_only=rng.random() < 0.7))

    def case_typed_body(self, rng, n):
        # Hostile values of the right JSON type reach validation and the database; half of the
        # time enum values and flags stay valid so that free text gets all the way in.
        ep = rng.choice(self.with_body)
        body = ep.body(rng, self.ctx, n)
        paths = paths_in(body)
        if rng.random() < 0.5:
            paths = [p for p in paths if p and is_free(get_at(body, p))] or paths
        for path in rng.sample(paths, min(len(paths), rng.choice([1, 2, 4]))):
            try:
                body = set_at(body, path, same_type_value(rng, get_at(body, path)))
            except (IndexError, KeyError, TypeError):
                pass
        return self.body_request(rng, ep, dump(body, ascii_only=rng.random() < 0.8))

    def case_raw_body(self, rng, n):
        ep = rng.choice(self.with_body)
        data = raw_body(rng, ep.body(rng, self.ctx, n))
        ctype = "application/json" if rng.random() < 0.8 else rng.choice(CONTENT_TYPES)
        return self.body_request(rng, ep, data, ctype=ctype)

    def case_path(self, rng, n):
        ep = rng.choice(self.endpoints)
        if rng.random() < 0.8 and PLACEHOLDER.search(ep.template):
            path = fill_path(rng, self.ctx, ep, garbage_rate=0.7)
        else:
            path = fill_path(rng, self.ctx, ep)
            path = rng.choice(
                [
                    path + "/",
                    path + "/extra",
                    path.replace(API, API + "/"),
                    path.replace(API, "/api/v2"),
                    path.replace(API, "/API/V1"),
                    path.replace(API, "/api/v1/.."),
                    path.replace(API, "/api/v1/%2e%2e/v1"),
                    path.replace(API, "/api/v1;x"),
                    path + "%00",
                    path + "/%FF",
                    path.upper(),
                    path + "/" + "a" * 20000,
                ]
            )
        data = dump(ep.body(rng, self.ctx, n)) if ep.body else None
        headers = [self.auth()] + ([("Content-Type", "application/json")] if data is not None else [])
        return Request(ep.label, "", ep.method, path, headers, data)

    def case_query(self, rng, n):
        ep = rng.choice(self.with_query + [e for e in self.endpoints if e.method == "GET"])
        path = fill_path(rng, self.ctx, ep) + build_query(rng, ep, hostile=rng.random() < 0.8)
        headers = [self.auth()]
        if ep.name == "reports" and rng.random() < 0.3:
            headers.append(("Accept", "text/csv"))
        return Request(ep.label, "", ep.method, path, headers, None)

    def case_method(self, rng, n):
        ep = rng.choice(self.endpoints)
        method = rng.choice([m for m in METHODS if m != ep.method])
        data = None
        headers = [self.auth()]
        if rng.random() < 0.5:
            data = dump(ep.body(rng, self.ctx, n)) if ep.body else b"{}"
            headers.append(("Content-Type", "application/json"))
        return Request(f"* {ep.template}", "", method, fill_path(rng, self.ctx, ep), headers, data)

    def case_headers(self, rng, n):
        ep = rng.choice(self.endpoints)
        data = dump(ep.body(rng, self.ctx, n)) if ep.body else None
        headers = [] if ep.signed else [self.auth()]
        if data is not None:
            headers.append(("Content-Type", "application/json"))
        for _ in range(rng.choice([1, 2, 3])):
            roll = rng.random()
            if roll < 0.25:
                headers.append(("If-Match", self.if_match(rng)))
            elif roll < 0.40:
                headers.append(("Idempotency-Key", rng.choice(["k" * HUGE, "", " ", "ȺȺK".encode(), "k" * 201, "a b", "\xff".encode("latin-1")])))
            elif roll < 0.60:
                headers.append(("Accept", rng.choice(ACCEPTS)))
            elif roll < 0.70:
                headers = [h for h in headers if h[0] != "Content-Type"]
                ctype = rng.choice(CONTENT_TYPES)
                if ctype is not None:
                    headers.append(("Content-Type", ctype))
            elif roll < 0.78:
                headers.append(("Last-Event-ID", rng.choice(["-1", "0", "abc", "9223372036854775808", "9" * 5000, "1.5", "%00", "ȺȺK".encode()])))
            elif roll < 0.84:
                headers.append(("Content-Encoding", rng.choice(["gzip", "br", "deflate", "identity", "x"])))
            elif roll < 0.90:
                headers.append(("Cookie", rng.choice(["cb_session=garbage", "cb_session=", "cb_csrf=" + "a" * 64, "=;=;;"])))
            elif roll < 0.95:
                headers.append(("X-Forwarded-For", rng.choice(["garbage", "::1, 1.2.3.4", "999.999.999.999", ""])))
            else:
                headers.append(("Range", rng.choice(["bytes=0-1", "bytes=-1", "garbage"])))
        return Request(ep.label, "", ep.method, fill_path(rng, self.ctx, ep), headers, data)

    def case_auth(self, rng, n):
        ep = rng.choice([e for e in self.endpoints if not e.signed])
        value = rng.choice(
            [
                None,
                "Bearer",
                "Bearer ",
                "Bearer x",
                "Basic YWRtaW46YWRtaW4=",
                "bearer " + self.token,
                "Bearer " + self.token + "x",
                "Bearer " + self.token[:-1],
                "Bearer " + "a" * 20000,
                ("Bearer ȺȺK").encode(),
                "Bearer  " + self.token,
                "Token " + self.token,
            ]
        )
        headers = [] if value is None else [("Authorization", value)]
        data = dump(ep.body(rng, self.ctx, n)) if ep.body else None
        if data is not None:
            headers.append(("Content-Type", "application/json"))
        return Request(ep.label, "", ep.method, fill_path(rng, self.ctx, ep), headers, data)

    def case_too_large(self, rng, n):
        ep = rng.choice(self.with_body)
        size = 27 * 1024 * 1024 + rng.randrange(1024)
        data = b'{"body":"' + b"a" * size + b'"}'
        return self.body_request(rng, ep, data)

    def case_webhook(self, rng, n):
        ep = next(e for e in self.endpoints if e.signed)
        body = crm_events_body(rng, self.ctx, n)
        if rng.random() < 0.6:
            body = mutate(rng, body)
        data = dump(body, ascii_only=rng.random() < 0.8)
        return self.body_request(rng, ep, data)


# --------------------------------------------------------------------------------------------
# Setup, run, report.


def the_id(doc, *keys):
    """The id of an object an API call answered, bare or wrapped in one of keys."""
    for key in keys:
        if isinstance(doc, dict) and isinstance(doc.get(key), dict):
            doc = doc[key]
            break
    return doc.get("id") if isinstance(doc, dict) else None


def listed(doc, *keys):
    for key in keys + ("items",):
        if isinstance(doc, dict) and isinstance(doc.get(key), list):
            return [x for x in doc[key] if isinstance(x, dict) and "id" in x]
    return []


def setup(client, seed):
    """Real objects for the cases to refer to; each run makes its own (names carry a run tag)."""
    ctx = Context()
    run = f"{seed}-{int(time.time())}"
    ctx.ids["agent"] += [a["id"] for a in listed(client.json("GET", "/agents"), "agents")]
    ctx.ids["team"] += [t["id"] for t in listed(client.json("GET", "/teams"), "teams")][:3]
    ctx.ids["rule"] += [r["id"] for r in listed(client.json("GET", "/rules"), "rules")][:3]
    ctx.ids["calendar"] += [c["id"] for c in listed(client.json("GET", "/sla/calendars"), "calendars")][:3]
    ctx.ids["policy"] += [p["id"] for p in listed(client.json("GET", "/sla/policies"), "policies")][:3]
    ctx.ids["customer"] += [c["id"] for c in listed(client.json("GET", "/customers?limit=5"), "customers")]
    ctx.ids["ticket"] += [t["id"] for t in listed(client.json("GET", "/tickets?queue=all&limit=5"), "tickets")]
    created_customers = []
    for i in range(4):
        doc = client.json(
            "POST",
            "/tickets",
            {
                "customer": {"email": f"fuzz-setup-{run}-{i}@example.com", "name": f"Setup {i}"},
                "subject": f"Setup ticket {i} printer",
                "body": "The printer is on fire. 프린터 ȺȺK",
            },
        )
        ticket = doc["ticket"]
        ctx.ids["ticket"].append(ticket["id"])
        created_customers.append(ticket["customer_id"])
    ctx.ids["customer"] += created_customers
    ctx.email = f"fuzz-setup-{run}-0@example.com"
    client.json("POST", f"/tickets/{ctx.ids['ticket'][-1]}/messages", {"body": "Reply to the customer", "visibility": "public"})
    client.json("POST", f"/tickets/{ctx.ids['ticket'][-1]}/messages", {"body": "Internal note", "visibility": "internal"})
    for tid in ctx.ids["ticket"][-4:]:
        shown = client.json("GET", f"/tickets/{tid}")
        ctx.ids["message"] += [m["id"] for m in listed(shown, "messages")]
    agent = client.json(
        "POST",
        "/agents",
        {"email": f"fuzz-agent-{run}@example.com", "name": "Fuzz Agent", "role": "agent", "password": "a long enough password 7"},
    )
    ctx.ids["fuzz_agent"].append(the_id(agent, "agent"))
    ctx.ids["agent"].append(the_id(agent, "agent"))
    team = client.json("POST", "/teams", {"name": f"Fuzz team {run}", "members": ctx.ids["fuzz_agent"]})
    ctx.ids["team"].append(the_id(team, "team"))
    calendar = client.json(
        "POST",
        "/sla/calendars",
        {"name": f"Fuzz calendar {run}", "time_zone": "Europe/Berlin", "hours": {d: ["09:00-17:00"] for d in DAYS[:5]}, "holidays": ["2026-12-25"]},
    )
    ctx.ids["calendar"].append(the_id(calendar, "calendar"))
    policy = client.json(
        "POST",
        "/sla/policies",
        {"name": f"Fuzz policy {run}", "calendar_id": ctx.ids["calendar"][-1], "targets": {"high": targets(), "normal": targets()}},
    )
    ctx.ids["policy"].append(the_id(policy, "policy"))
    for i in range(2):
        rule = client.json("POST", "/rules", {"name": f"Fuzz rule {run}-{i}", "conditions": {"keywords": ["printer"]}, "team_id": ctx.ids["team"][-1]})
        ctx.ids["rule"].append(the_id(rule, "rule"))
        reply = client.json("POST", "/saved-replies", {"title": f"Fuzz reply {run}-{i}", "body": "Turn it off and on again."})
        ctx.ids["saved_reply"].append(the_id(reply, "saved_reply", "reply"))
    first, second, third = created_customers[:3]
    client.json("POST", f"/customers/{first}/identities", {"kind": "phone", "value": f"+49 30 {int(time.time()) % 10**7:07d}"})
    client.json("POST", f"/customers/{first}/identities", {"kind": "external", "value": f"ext-{run}"})
    shown = client.json("GET", f"/customers/{first}")
    customer = shown.get("customer", shown) if isinstance(shown, dict) else {}
    for key in ("identities", "emails", "contacts"):
        ctx.ids["identity"] += [i["id"] for i in listed(customer, key) or listed(shown, key)]
    merge = client.json("POST", f"/customers/{second}/merge", {"from": third})
    ctx.ids["merge"].append(the_id(merge, "merge"))
    client.json(
        "POST",
        "/crm/events",
        {"customer_id": first, "kind": "subscription", "occurred_at": "2024-05-01T12:00:00Z", "source": "fuzz", "external_id": f"setup-{run}", "attributes": {"plan": "pro", "status": "active", "mrr": 49}},
    )
    ctx.ids["notification"] += [n["id"] for n in listed(client.json("GET", "/notifications"), "notifications")][:5]
    ctx.ids["quarantine"] += [q["id"] for q in listed(client.json("GET", "/quarantine?all=1"))][:5]
    for kind in list(ctx.ids):
        ctx.ids[kind] = [i for i in dict.fromkeys(ctx.ids[kind]) if isinstance(i, int)]
    return ctx


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base-url", default="http://127.0.0.1:8080")
    ap.add_argument("--token", default=os.environ.get("CASEBOOK_TOKEN"), help="an admin API token (or CASEBOOK_TOKEN)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cases", type=int, default=3000)
    ap.add_argument("--case", type=int, action="append", help="run only this case number (repeatable)")
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--timeout", type=float, default=15.0, help="seconds per request")
    ap.add_argument("--webhook-secret", default=os.environ.get("CASEBOOK_CRM_WEBHOOK_SECRET"), help="the server's crm_webhook_secret; without it the webhook is not fuzzed")
    ap.add_argument("--show", type=int, default=20, help="failures to print in full")
    ap.add_argument("--dump-dir", default=os.path.join(tempfile.gettempdir(), "casebook-fuzz"), help="where large headers, bodies and URLs of failing cases go (default: %(default)s)")
    args = ap.parse_args()
    if not args.token:
        ap.error("--token (or CASEBOOK_TOKEN) is required")

    client = Client(args.base_url, args.token, args.timeout)
    ctx = setup(client, args.seed)
    print("setup ids: " + ", ".join(f"{k}={v[:6]}" for k, v in sorted(ctx.ids.items())), flush=True)
    gen = Generator(args.seed, ctx, args.token, args.webhook_secret)
    if not args.webhook_secret:
        print("note: no --webhook-secret, so POST /crm/webhook is not fuzzed", flush=True)

    numbers = args.case or list(range(args.cases))
    by_status = collections.Counter()
    by_endpoint = collections.defaultdict(collections.Counter)
    by_kind = collections.defaultdict(collections.Counter)
    failures = []
    slowest = []
    lock = threading.Lock()
    done = [0]
    started = time.monotonic()

    def run(number):
        req = gen.case(number)
        res = client.send(req)
        problems = judge(req, res)
        key = str(res.status) if res.status else "no answer"
        with lock:
            by_status[key] += 1
            by_endpoint[req.label][key] += 1
            by_kind[req.kind][key] += 1
            if problems:
                failures.append((req, res, problems))
            slowest.append((res.elapsed, req.number, req.label, key))
            slowest.sort(reverse=True)
            del slowest[5:]
            done[0] += 1
            if done[0] % 500 == 0:
                print(f"  {done[0]}/{len(numbers)} cases, {len(failures)} failures, {time.monotonic() - started:.0f}s", flush=True)

    with ThreadPoolExecutor(max_workers=args.workers) as pool:
        list(pool.map(run, numbers))

    elapsed = time.monotonic() - started
    print()
    print(f"{len(numbers)} cases in {elapsed:.0f}s against {args.base_url} (seed {args.seed})")
    print("status counts: " + ", ".join(f"{k}: {v}" for k, v in sorted(by_status.items())))
    print("\nper case kind:")
    for kind in sorted(by_kind):
        print(f"  {kind:14} " + ", ".join(f"{k}: {v}" for k, v in sorted(by_kind[kind].items())))
    print("\nper endpoint (* is another method on that path):")
    for label in sorted(by_endpoint):
        print(f"  {label:52} " + ", ".join(f"{k}: {v}" for k, v in sorted(by_endpoint[label].items())))

    print("\nslowest answers: " + ", ".join(f"case {n} {label} {status} {t:.2f}s" for t, n, label, status in slowest))

    failures.sort(key=lambda f: f[0].number)
    server_errors = sum(1 for _, res, _ in failures if res.status and res.status >= 500)
    no_answer = sum(1 for _, res, _ in failures if res.error and not res.status)
    print(f"\nfailures: {len(failures)} ({server_errors} server errors, {no_answer} without an answer, {len(failures) - server_errors - no_answer} other)")
    for req, res, problems in failures[: args.show]:
        print(f"\n--- case {req.number} ({req.kind}, {req.label}): " + "; ".join(problems))
        if res.status:
            print(f"answered {res.status} in {res.elapsed:.2f}s: {res.body[:500]!r}")
        print(curl(client, req, args.dump_dir))
        if req.header("Casebook-Signature"):
            print("(the signature's timestamp was the run's clock: re-sign to send it again)")
        print(f"(replay: --seed {args.seed} --case {req.number}, given the same setup ids)")
    if len(failures) > args.show:
        print(f"\n... and {len(failures) - args.show} more: cases " + " ".join(str(f[0].number) for f in failures[args.show :][:200]))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
