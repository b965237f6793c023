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
    let locale = crate::i18n::current();
    html! {
        (DOCTYPE)
        // The interface's language sets the direction; user content carries dir="auto" on its
        // own element, so an Arabic subject never mirrors an English page.
        html lang=(locale.tag()) dir=(locale.dir()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content="light dark";
                title { (t!("title-suffix", title = frame.title)) }
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
                a.skip href="#main" { (t!("skip-to-content")) }
                header.topbar {
                    a.brand href=(if frame.agent.is_some() { "/tickets" } else { "/support" }) { (t!("app-name")) }
                    @if let Some(agent) = frame.agent {
                        button.menu-toggle type="button" aria-expanded="false" aria-controls="main-nav account-nav" hidden { (t!("nav-menu")) }
                        nav #main-nav aria-label=(t!("nav-main")) {
                            a href="/tickets" { (t!("nav-tickets")) }
                            a href="/search" { (t!("nav-search")) }
                            a href="/customers" { (t!("nav-customers")) }
                            @if agent.role.is_lead_or_admin() {
                                a href="/tickets?view=stale" { (t!("nav-stale")) }
                                a href="/reports" { (t!("nav-reports")) }
                            }
                            @let unread = agent.unread_notifications;
                            a href="/notifications" {
                                (t!("nav-notifications"))
                                " " span.count #unread-count data-count=(unread) hidden[unread == 0] { "(" (crate::i18n::number(unread)) ")" }
                            }
                            @if agent.role.is_lead_or_admin() {
                                a href="/admin" { (t!("nav-admin")) }
                            }
                        }
                        div.me #account-nav {
                            a href="/account/password" title=(t!("nav-change-password")) { bdi { (agent.name) } " · " (role_name(agent.role)) }
                            a href="/account/availability" { (t!("nav-availability")) }
                            a href="/account/language" { (t!("nav-language")) }
                            form method="post" action="/logout" {
                                input type="hidden" name="csrf" value=(frame.csrf);
                                button.link type="submit" { (t!("nav-log-out")) }
                            }
                        }
                    } @else {
                        (language_picker())
                    }
                }
                main #main tabindex="-1" { (body) }
                @if frame.agent.is_some() {
                    script type="application/json" #casebook-i18n { (script_messages()) }
                }
            }
        }
    }
}

/// The messages the page's scripts show (live desk, drafts, notifications, shortcuts), keyed by
/// message id; `%name%` marks where a script puts a value.
const SCRIPT_MESSAGES: &[&str] = &[
    "js-reload",
    "js-new-activity",
    "js-changed-while-editing",
    "js-new-while-writing",
    "js-list-separator",
    "js-the-customer",
    "js-a-message",
    "js-an-internal-note",
    "js-the-ticket",
    "js-none",
    "js-field-change",
    "js-who-what",
    "js-field-status",
    "js-field-priority",
    "js-field-assignee",
    "js-field-team",
    "js-field-subject",
    "js-field-tags",
    "js-viewing",
    "js-replying",
    "js-draft-saved",
    "js-draft-discarded",
    "js-draft-not-saved",
    "js-draft-unreachable",
    "js-notify-on",
    "js-notify-blocked",
    "js-notify-show",
    "js-shortcuts-title",
    "js-key-walk",
    "js-key-open",
    "js-key-tick",
    "js-key-reply",
    "js-key-note",
    "js-key-assign",
    "js-key-solve",
    "js-key-macro",
    "js-key-go",
    "js-key-search",
    "js-key-help",
    "js-key-escape",
];

/// [`SCRIPT_MESSAGES`] in the current language, as JSON safe inside a `<script>` element.
fn script_messages() -> maud::PreEscaped<String> {
    let mut map: serde_json::Map<String, serde_json::Value> = SCRIPT_MESSAGES
        .iter()
        .map(|id| (id.to_string(), crate::i18n::text(id, &[]).into()))
        .collect();
    // Status and priority values a change names ("priority → urgent").
    for s in crate::domain::Status::ALL {
        map.insert(
            format!("js-value-{}", s.as_str()),
            crate::i18n::status_name(s.as_str()).into(),
        );
    }
    for p in crate::domain::Priority::ALL {
        map.insert(
            format!("js-value-{}", p.as_str()),
            crate::i18n::priority_name(p.as_str()).into(),
        );
    }
    let json = serde_json::Value::Object(map)
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    maud::PreEscaped(json)
}

/// Links to this page in each language (public pages; agents choose theirs in their account).
fn language_picker() -> Markup {
    let current = crate::i18n::current();
    html! {
        nav.languages aria-label=(t!("language-picker")) {
            @for locale in crate::i18n::Locale::ALL {
                @if locale == current {
                    span lang=(locale.tag()) dir=(locale.dir()) aria-current="true" { (locale.native_name()) }
                } @else {
                    a href={"?lang=" (locale.tag())} lang=(locale.tag()) dir=(locale.dir()) hreflang=(locale.tag()) { (locale.native_name()) }
                }
            }
        }
    }
}

/// A role's name in the current language.
pub fn role_name(role: crate::domain::Role) -> String {
    match role {
        crate::domain::Role::Agent => t!("role-agent"),
        crate::domain::Role::Lead => t!("role-lead"),
        crate::domain::Role::Admin => t!("role-admin"),
    }
}

/// A UTC instant rendered in the viewer's time zone and language by casebook.js (UTC, in the
/// page's language, without JavaScript).
pub fn time(ms: i64) -> Markup {
    let dt = chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default();
    html! { time datetime=(dt.to_rfc3339()) { (date_time_text(dt)) } }
}

/// A calendar date (UTC) for things where the hour does not matter.
pub fn date(ms: i64) -> Markup {
    let dt = chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default();
    html! { time datetime=(dt.to_rfc3339()) data-date-only { (date_text(dt)) } }
}

/// "2026-12-06", "2026. 12. 6.", "2026/12/6": a date as the current language writes it.
pub fn date_text(dt: chrono::DateTime<chrono::Utc>) -> String {
    use crate::i18n::{Locale, current};
    match current() {
        Locale::En => dt.format("%Y-%m-%d").to_string(),
        Locale::Ko => dt.format("%Y. %-m. %-d.").to_string(),
        Locale::Ar => dt.format("%Y/%-m/%-d").to_string(),
    }
}

/// A date and time (UTC) as the current language writes it.
pub fn date_time_text(dt: chrono::DateTime<chrono::Utc>) -> String {
    t!(
        "time-utc",
        time = format!("{} {}", date_text(dt), dt.format("%H:%M"))
    )
}

/// "just now", "5 min ago".
pub fn ago(now: i64, then: i64) -> String {
    if (now - then) < 60_000 {
        t!("time-just-now")
    } else {
        t!("time-ago", age = age(now, then))
    }
}

/// "3 h", "2 d": how long ago, relative to `now`.
pub fn age(now: i64, then: i64) -> String {
    let mins = (now - then).max(0) / 60_000;
    match mins {
        0 => t!("time-just-now"),
        m if m < 60 => t!("time-minutes", n = m),
        m if m < 60 * 24 => t!("time-hours", n = m / 60),
        m => t!("time-days", n = m / (60 * 24)),
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
    let title = status_name(status);
    page(
        &Frame {
            title: &title,
            agent: None,
            csrf: "",
        },
        html! {
            section.card.narrow {
                h1 { (t!("error-title", status = status.as_u16().to_string(), reason = title.as_str())) }
                p { (message) }
                p { a href="/" { (t!("error-back")) } }
            }
        },
    )
}

/// A status's name in the current language.
pub fn status_name(status: StatusCode) -> String {
    match status.as_u16() {
        400 => t!("error-status-400"),
        401 => t!("error-status-401"),
        403 => t!("error-status-403"),
        404 => t!("error-status-404"),
        405 => t!("error-status-405"),
        409 => t!("error-status-409"),
        413 => t!("error-status-413"),
        415 => t!("error-status-415"),
        422 => t!("error-status-422"),
        429 => t!("error-status-429"),
        500 => t!("error-status-500"),
        503 => t!("error-status-503"),
        _ => t!("error-status-other"),
    }
}

/// `/admin`: every settings page the viewer may open, with what it is for.
/// The admin index; `unaccounted` is how many stored emails are neither a message, a duplicate
/// nor held in quarantine (see `intake::email::unaccounted`), shown when not 0.
pub fn admin_index(agent: &AgentRef, csrf: &str, unaccounted: i64) -> Markup {
    let admin = agent.role == crate::domain::Role::Admin;
    let links: Vec<(&str, String, String)> = [
        (
            true,
            "/admin/teams",
            t!("admin-index-teams"),
            t!("admin-index-teams-about"),
        ),
        (
            true,
            "/admin/rules",
            t!("admin-index-rules"),
            t!("admin-index-rules-about"),
        ),
        (
            admin,
            "/admin/agents",
            t!("admin-index-agents"),
            t!("admin-index-agents-about"),
        ),
        (
            admin,
            "/admin/sla",
            t!("admin-index-sla"),
            t!("admin-index-sla-about"),
        ),
        (
            admin,
            "/admin/tags",
            t!("admin-index-tags"),
            t!("admin-index-tags-about"),
        ),
        (
            true,
            "/admin/macros",
            t!("admin-index-macros"),
            t!("admin-index-macros-about"),
        ),
        (
            admin,
            "/admin/quarantine",
            t!("admin-index-quarantine"),
            t!("admin-index-quarantine-about"),
        ),
        (
            admin,
            "/admin/language",
            t!("admin-index-language"),
            t!("admin-index-language-about"),
        ),
        (
            admin,
            "/admin/webhooks",
            t!("webhooks-title"),
            t!("webhooks-admin-index-about"),
        ),
        (
            admin,
            "/admin/channels",
            t!("channels-title"),
            t!("channels-admin-index-about"),
        ),
        (
            true,
            "/customers/duplicates",
            t!("admin-index-duplicates"),
            t!("admin-index-duplicates-about"),
        ),
    ]
    .into_iter()
    .filter(|(shown, ..)| *shown)
    .map(|(_, href, name, what)| (href, name, what))
    .collect();
    let title = t!("admin-index-title");
    page(
        &Frame {
            title: &title,
            agent: Some(agent),
            csrf,
        },
        html! {
            section.card {
                h1 { (title) }
                @if unaccounted > 0 {
                    p.error role="alert" {
                        (super::assign::with_link(
                            &t!("admin-index-unaccounted", count = unaccounted, link = super::assign::LINK),
                            "/admin/quarantine",
                            &t!("admin-index-unaccounted-link"),
                        ))
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

#[cfg(test)]
mod tests {
    #[test]
    fn every_script_message_exists() {
        for id in super::SCRIPT_MESSAGES {
            assert!(crate::i18n::has(id), "{id}");
        }
    }
}
