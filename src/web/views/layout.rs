//! The page frame, shared bits (times, badges, flash) and the error page.

use crate::auth::AgentRef;
use axum::http::StatusCode;
use maud::{DOCTYPE, Markup, html};

pub struct Frame<'a> {
    pub title: &'a str,
    pub agent: Option<&'a AgentRef>,
    pub csrf: &'a str,
}

pub fn page(frame: &Frame<'_>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" dir="ltr" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (frame.title) " · Casebook" }
                link rel="stylesheet" href="/static/casebook.css";
                script src="/static/casebook.js" defer {}
                @if frame.agent.is_some() {
                    script src="/static/live.js" defer {}
                    script src="/static/drafts.js" defer {}
                    script src="/static/notifications.js" defer {}
                    script src="/static/shortcuts.js" defer {}
                }
            }
            body {
                a.skip href="#main" { "Skip to content" }
                header.topbar {
                    a.brand href=(if frame.agent.is_some() { "/tickets" } else { "/support" }) { "Casebook" }
                    @if let Some(agent) = frame.agent {
                        nav aria-label="Main" {
                            a href="/tickets" { "Tickets" }
                            a href="/search" { "Search" }
                            a href="/customers" { "Customers" }
                            @if agent.role.is_lead_or_admin() {
                                a href="/tickets?view=stale" { "Stale & breaching" }
                                a href="/reports" { "Reports" }
                            }
                            @let unread = agent.unread_notifications;
                            a href="/notifications" {
                                "Notifications"
                                " " span.count #unread-count data-count=(unread) hidden[unread == 0] { "(" (unread) ")" }
                            }
                            @if agent.role.is_lead_or_admin() {
                                a href="/admin" { "Admin" }
                            }
                        }
                        div.me {
                            a href="/account/password" title="Change password" { (agent.name) " · " (agent.role.as_str()) }
                            a href="/account/availability" { "Availability" }
                            form method="post" action="/logout" {
                                input type="hidden" name="csrf" value=(frame.csrf);
                                button.link type="submit" { "Log out" }
                            }
                        }
                    }
                }
                main #main tabindex="-1" { (body) }
            }
        }
    }
}

/// A UTC instant rendered in the viewer's time zone by casebook.js (UTC without JavaScript).
pub fn time(ms: i64) -> Markup {
    let dt = chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default();
    html! { time datetime=(dt.to_rfc3339()) { (dt.format("%Y-%m-%d %H:%M UTC")) } }
}

/// A calendar date (UTC) for things where the hour does not matter.
pub fn date(ms: i64) -> Markup {
    let dt = chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default();
    html! { time datetime=(dt.to_rfc3339()) data-date-only { (dt.format("%Y-%m-%d")) } }
}

/// "1 ticket", "3 tickets".
pub fn plural(n: i64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// "just now", "5 min ago".
pub fn ago(now: i64, then: i64) -> String {
    match age(now, then) {
        a if a == "just now" => a,
        a => format!("{a} ago"),
    }
}

/// "3 h", "2 d": how long ago, relative to `now`.
pub fn age(now: i64, then: i64) -> String {
    let mins = (now - then).max(0) / 60_000;
    match mins {
        0 => "just now".into(),
        m if m < 60 => format!("{m} min"),
        m if m < 60 * 24 => format!("{} h", m / 60),
        m => format!("{} d", m / (60 * 24)),
    }
}

pub fn badge(kind: &str, text: &str) -> Markup {
    html! { span class={"badge " (kind) "-" (text)} { (text) } }
}

pub fn field_error(errors: &[(String, String)], field: &str) -> Markup {
    html! {
        @for (f, msg) in errors.iter().filter(|(f, _)| f == field) {
            p.field-error id={(f) "-error"} role="alert" { (msg) }
        }
    }
}

pub fn error_page(status: StatusCode, message: &str) -> Markup {
    let title = status.canonical_reason().unwrap_or("Error");
    page(
        &Frame {
            title,
            agent: None,
            csrf: "",
        },
        html! {
            section.card.narrow {
                h1 { (status.as_u16()) " · " (title) }
                p { (message) }
                p { a href="/" { "Back to Casebook" } }
            }
        },
    )
}

/// `/admin`: every settings page the viewer may open, with what it is for.
/// The admin index; `unaccounted` is how many stored emails are neither a message, a duplicate
/// nor held in quarantine (see `intake::email::unaccounted`), shown when not 0.
pub fn admin_index(agent: &AgentRef, csrf: &str, unaccounted: i64) -> Markup {
    let admin = agent.role == crate::domain::Role::Admin;
    let links: Vec<(&str, &str, &str)> = [
        (
            true,
            "/admin/teams",
            "Teams",
            "Teams, their members, lead and the default team.",
        ),
        (
            true,
            "/admin/rules",
            "Routing rules",
            "Which team, priority and tags a new ticket gets.",
        ),
        (
            admin,
            "/admin/agents",
            "Agents",
            "People, roles, capacity, availability and skills.",
        ),
        (
            admin,
            "/admin/sla",
            "SLA",
            "Business calendars, SLA policies and escalation.",
        ),
        (
            admin,
            "/admin/tags",
            "Tags",
            "Rename, merge and delete the tags tickets carry.",
        ),
        (
            true,
            "/admin/macros",
            "Macros and saved replies",
            "Answers and one-step actions for the reply box and bulk changes: shared, and your own.",
        ),
        (
            admin,
            "/admin/quarantine",
            "Quarantine",
            "Mail that could not become a ticket, with the reason.",
        ),
        (
            true,
            "/customers/duplicates",
            "Likely duplicates",
            "Customers that may be the same person.",
        ),
    ]
    .into_iter()
    .filter(|(shown, ..)| *shown)
    .map(|(_, href, name, what)| (href, name, what))
    .collect();
    page(
        &Frame {
            title: "Admin",
            agent: Some(agent),
            csrf,
        },
        html! {
            section.card {
                h1 { "Admin" }
                @if unaccounted > 0 {
                    p.error role="alert" {
                        (plural(unaccounted, "stored email")) " became neither a message nor a duplicate and are not held in "
                        a href="/admin/quarantine" { "quarantine" }
                        ". Check the log for ingest errors; the mailbox retries them."
                    }
                }
                dl.admin-index {
                    @for (href, name, what) in &links {
                        dt { a href=(href) { (name) } }
                        dd { (what) }
                    }
                }
            }
        },
    )
}

/// A value for a URL's query string.
pub fn url_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
