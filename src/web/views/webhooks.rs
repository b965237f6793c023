//! `/admin/webhooks`: the subscriptions, a subscription with its delivery log, and one delivery
//! with every attempt and the body it sends.

use super::layout::{Frame, field_error, page, time};
use crate::auth::AgentRef;
use crate::webhooks::{Attempt, DELIVERY_STATUSES, Delivery, EVENT_KINDS, Subscription};
use maud::{Markup, html};

/// What an event kind means, in the current language.
pub fn event_name(kind: &str) -> String {
    match kind {
        "ticket.created" => t!("webhooks-event-ticket-created"),
        "ticket.updated" => t!("webhooks-event-ticket-updated"),
        "ticket.solved" => t!("webhooks-event-ticket-solved"),
        "ticket.reopened" => t!("webhooks-event-ticket-reopened"),
        "message.added" => t!("webhooks-event-message-added"),
        "sla.warning" => t!("webhooks-event-sla-warning"),
        "sla.breach" => t!("webhooks-event-sla-breach"),
        "csat.received" => t!("webhooks-event-csat-received"),
        "customer.merged" => t!("webhooks-event-customer-merged"),
        other => other.to_string(),
    }
}

fn status_name(status: &str) -> String {
    match status {
        "pending" => t!("webhooks-status-pending"),
        "retrying" => t!("webhooks-status-retrying"),
        "delivered" => t!("webhooks-status-delivered"),
        "failed" => t!("webhooks-status-failed"),
        "paused" => t!("webhooks-status-paused"),
        other => other.to_string(),
    }
}

fn status_badge(status: &str) -> Markup {
    let class = match status {
        "delivered" => "badge sla-met",
        "pending" | "retrying" => "badge sla-warning",
        "failed" => "badge sla-breached",
        _ => "badge sla-paused",
    };
    html! { span class=(class) { (status_name(status)) } }
}

fn state_badge(s: &Subscription) -> Markup {
    html! {
        @if s.active {
            span.badge.sla-met { (t!("webhooks-state-active")) }
        } @else {
            span.badge.sla-breached { (t!("webhooks-state-disabled")) }
        }
    }
}

/// Why a subscription is disabled, in the current language.
fn disabled_text(s: &Subscription) -> Option<String> {
    if s.active {
        return None;
    }
    Some(match s.disabled_reason.as_deref() {
        Some("failing") => t!(
            "webhooks-disabled-failing",
            failures = s.consecutive_failures
        ),
        _ => t!("webhooks-disabled-admin"),
    })
}

/// The fields of the add and edit forms.
fn subscription_fields(
    s: Option<&Subscription>,
    errors: &[(String, String)],
    form: &FormValues,
) -> Markup {
    let chosen = |kind: &str| match s {
        Some(s) if form.events.is_empty() => s.events.iter().any(|e| e == kind),
        _ => form.events.iter().any(|e| e == kind),
    };
    let name = form
        .name
        .clone()
        .or_else(|| s.map(|s| s.name.clone()))
        .unwrap_or_default();
    let url = form
        .url
        .clone()
        .or_else(|| s.map(|s| s.url.clone()))
        .unwrap_or_default();
    let allow_private = form.allow_private || s.is_some_and(|s| s.allow_private);
    html! {
        label for="wh-name" { (t!("webhooks-field-name")) }
        input #wh-name name="name" dir="auto" value=(name) maxlength="100";
        (field_error(errors, "name"))
        label for="wh-url" { (t!("webhooks-field-url")) }
        input #wh-url name="url" type="url" dir="ltr" value=(url) required placeholder="https://example.com/casebook-hook";
        (field_error(errors, "url"))
        fieldset {
            legend { (t!("webhooks-field-events")) }
            @for kind in EVENT_KINDS {
                label {
                    input type="checkbox" name="events" value=(kind) checked[chosen(kind)];
                    " " (event_name(kind)) " " code.muted.small { (kind) }
                }
            }
        }
        @for (_, m) in errors.iter().filter(|(f, _)| f.starts_with("events")) {
            p.field-error role="alert" { (m) }
        }
        label for="wh-secret" {
            @if s.is_some() { (t!("webhooks-field-new-secret")) } @else { (t!("webhooks-field-secret")) }
        }
        input #wh-secret name="secret" type="password" autocomplete="new-password" dir="ltr" minlength="16" maxlength="200";
        p.muted.small { (t!("webhooks-field-secret-help", min = crate::webhooks::MIN_SECRET_CHARS)) }
        (field_error(errors, "secret"))
        label {
            input type="checkbox" name="allow_private" value="1" checked[allow_private];
            " " (t!("webhooks-field-allow-private"))
        }
        p.muted.small { (t!("webhooks-field-allow-private-help")) }
    }
}

/// What a form posted, to show again next to its errors.
#[derive(Debug, Clone, Default)]
pub struct FormValues {
    pub name: Option<String>,
    pub url: Option<String>,
    pub events: Vec<String>,
    pub allow_private: bool,
}

/// `/admin/webhooks`.
pub fn list_page(
    agent: &AgentRef,
    csrf: &str,
    subs: &[Subscription],
    errors: &[(String, String)],
    form: &FormValues,
) -> Markup {
    let title = t!("webhooks-title");
    page(
        &Frame {
            title: &title,
            agent: Some(agent),
            csrf,
        },
        html! {
            section {
                h1 { (title) }
                p.muted { (t!("webhooks-intro")) }
                @if subs.is_empty() {
                    p.empty { (t!("webhooks-none")) }
                } @else {
                    div.table-wrap {
                        table.tickets {
                            thead { tr {
                                th { (t!("webhooks-col-name")) }
                                th { (t!("webhooks-col-url")) }
                                th { (t!("webhooks-col-events")) }
                                th { (t!("webhooks-col-state")) }
                            } }
                            tbody {
                                @for s in subs {
                                    tr {
                                        td { a href={"/admin/webhooks/" (s.id)} dir="auto" { (s.name) } }
                                        td { code dir="ltr" { (s.url) } }
                                        td.small { (s.events.join(", ")) }
                                        td {
                                            (state_badge(s))
                                            @if let Some(why) = disabled_text(s) { br; span.small.muted { (why) } }
                                            @if s.active && s.consecutive_failures > 0 {
                                                br; span.small.muted { (t!("webhooks-failing-now", failures = s.consecutive_failures)) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            section.card {
                h2 { (t!("webhooks-add")) }
                form method="post" action="/admin/webhooks" {
                    input type="hidden" name="csrf" value=(csrf);
                    (subscription_fields(None, errors, form))
                    button type="submit" { (t!("webhooks-add-button")) }
                }
            }
        },
    )
}

/// The data of a subscription's page.
pub struct SubscriptionView<'a> {
    pub sub: &'a Subscription,
    pub deliveries: &'a [Delivery],
    pub status: Option<&'a str>,
    pub next_cursor: Option<i64>,
    /// The secret, right after it was made (shown once).
    pub new_secret: Option<&'a str>,
    pub errors: &'a [(String, String)],
    pub form: &'a FormValues,
}

/// `/admin/webhooks/{id}`.
pub fn subscription_page(agent: &AgentRef, csrf: &str, v: &SubscriptionView<'_>) -> Markup {
    let s = v.sub;
    let base = format!("/admin/webhooks/{}", s.id);
    page(
        &Frame {
            title: &s.name,
            agent: Some(agent),
            csrf,
        },
        html! {
            p { a href="/admin/webhooks" { (t!("webhooks-back")) } }
            section.card {
                h1 dir="auto" { (s.name) " " (state_badge(s)) }
                @if let Some(secret) = v.new_secret {
                    div.flash role="status" {
                        p { (t!("webhooks-secret-once")) }
                        p { code dir="ltr" { (secret) } }
                    }
                }
                @if let Some(why) = disabled_text(s) {
                    p.flash.error role="alert" {
                        (why)
                        @if s.paused_deliveries > 0 { " " (t!("webhooks-paused-count", count = s.paused_deliveries)) }
                    }
                }
                dl {
                    dt { (t!("webhooks-col-url")) } dd { code dir="ltr" { (s.url) } }
                    dt { (t!("webhooks-col-events")) } dd { (s.events.join(", ")) }
                    dt { (t!("webhooks-secret-hint")) } dd { code dir="ltr" { (s.secret_hint) } }
                    dt { (t!("webhooks-failures")) } dd { (s.consecutive_failures) }
                }
                div.row {
                    @if s.active {
                        form method="post" action={(base) "/disable"} {
                            input type="hidden" name="csrf" value=(csrf);
                            button.small type="submit" { (t!("webhooks-disable")) }
                        }
                    } @else {
                        form method="post" action={(base) "/enable"} {
                            input type="hidden" name="csrf" value=(csrf);
                            button.small type="submit" { (t!("webhooks-enable")) }
                        }
                    }
                    form method="post" action={(base) "/delete"} {
                        input type="hidden" name="csrf" value=(csrf);
                        button.small type="submit" { (t!("webhooks-delete")) }
                    }
                }
            }
            section {
                h2 { (t!("webhooks-log")) }
                form.filters method="get" action=(base) {
                    label for="wh-status" { (t!("webhooks-filter-status")) }
                    select #wh-status name="status" {
                        option value="" { (t!("webhooks-filter-any")) }
                        @for st in DELIVERY_STATUSES {
                            option value=(st) selected[v.status == Some(*st)] { (status_name(st)) }
                        }
                    }
                    button.small type="submit" { (t!("webhooks-filter")) }
                }
                @if v.deliveries.is_empty() {
                    p.empty { (t!("webhooks-log-empty")) }
                } @else {
                    div.table-wrap {
                        table.tickets {
                            thead { tr {
                                th { (t!("webhooks-col-when")) }
                                th { (t!("webhooks-col-event")) }
                                th { (t!("webhooks-col-ticket")) }
                                th { (t!("webhooks-col-status")) }
                                th { (t!("webhooks-col-attempts")) }
                                th { (t!("webhooks-col-answer")) }
                                th { span.visually-hidden { (t!("webhooks-col-actions")) } }
                            } }
                            tbody {
                                @for d in v.deliveries {
                                    tr {
                                        td.small { a href={(base) "/deliveries/" (d.id)} { (time(d.occurred_at)) } }
                                        td { code { (d.event) } }
                                        td { @if let Some(t) = d.ticket_id { a href={"/tickets/" (t)} { "#" (t) } } }
                                        td {
                                            (status_badge(&d.status))
                                            @if let Some(next) = d.next_attempt_at.filter(|_| d.status == "retrying") {
                                                br; span.small.muted { (t!("webhooks-next-attempt")) " " (time(next)) }
                                            }
                                        }
                                        td { (d.attempts) }
                                        td.small {
                                            (answer_text(d.last_status_code, d.last_latency_ms, d.last_error.as_deref()))
                                            @if let Some(snip) = &d.response_snippet { br; code.snippet dir="auto" { (truncate(snip, 120)) } }
                                        }
                                        td {
                                            @if !matches!(d.status.as_str(), "pending" | "retrying") {
                                                form method="post" action={(base) "/deliveries/" (d.id) "/redeliver"} {
                                                    input type="hidden" name="csrf" value=(csrf);
                                                    button.small type="submit" { (t!("webhooks-redeliver")) }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    @if let Some(c) = v.next_cursor {
                        p { a href={(base) "?cursor=" (c) @if let Some(st) = v.status { "&status=" (st) }} { (t!("webhooks-older")) } }
                    }
                }
            }
            section.card {
                h2 { (t!("webhooks-edit")) }
                form method="post" action=(base) {
                    input type="hidden" name="csrf" value=(csrf);
                    (subscription_fields(Some(s), v.errors, v.form))
                    button type="submit" { (t!("webhooks-save")) }
                }
            }
        },
    )
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max).collect();
        t.push('…');
        t
    }
}

/// "HTTP 500 · 120 ms · why".
fn answer_text(code: Option<i64>, latency_ms: Option<i64>, error: Option<&str>) -> String {
    let mut parts = Vec::new();
    if let Some(c) = code {
        parts.push(format!("HTTP {c}"));
    }
    if let Some(ms) = latency_ms {
        parts.push(t!("webhooks-latency", ms = ms));
    }
    if let Some(e) = error {
        parts.push(e.to_string());
    }
    parts.join(" · ")
}

/// `/admin/webhooks/{id}/deliveries/{delivery_id}`.
pub fn delivery_page(
    agent: &AgentRef,
    csrf: &str,
    sub: &Subscription,
    d: &Delivery,
    attempts: &[Attempt],
    body: &str,
) -> Markup {
    let title = t!("webhooks-delivery-title", event = d.event.as_str());
    let base = format!("/admin/webhooks/{}", sub.id);
    page(
        &Frame {
            title: &title,
            agent: Some(agent),
            csrf,
        },
        html! {
            p { a href=(base) dir="auto" { "← " (sub.name) } }
            section.card {
                h1 { (title) " " (status_badge(&d.status)) }
                dl {
                    dt { (t!("webhooks-delivery-id")) } dd { code dir="ltr" { (d.uid) } }
                    dt { (t!("webhooks-col-when")) } dd { (time(d.occurred_at)) }
                    @if let Some(t) = d.ticket_id { dt { (t!("webhooks-col-ticket")) } dd { a href={"/tickets/" (t)} { "#" (t) } } }
                }
                @if !matches!(d.status.as_str(), "pending" | "retrying") {
                    form method="post" action={(base) "/deliveries/" (d.id) "/redeliver"} {
                        input type="hidden" name="csrf" value=(csrf);
                        button.small type="submit" { (t!("webhooks-redeliver")) }
                    }
                }
            }
            section {
                h2 { (t!("webhooks-attempts")) }
                @if attempts.is_empty() {
                    p.empty { (t!("webhooks-attempts-none")) }
                } @else {
                    div.table-wrap {
                        table.tickets {
                            thead { tr {
                                th { (t!("webhooks-col-when")) }
                                th { (t!("webhooks-col-result")) }
                                th { (t!("webhooks-col-answer")) }
                            } }
                            tbody {
                                @for a in attempts {
                                    tr {
                                        td.small {
                                            (time(a.attempted_at))
                                            @if a.manual { br; span.small.muted { (t!("webhooks-attempt-manual")) } }
                                        }
                                        td { (status_badge(if a.ok { "delivered" } else { "failed" })) }
                                        td.small {
                                            (answer_text(a.status_code, Some(a.latency_ms), a.error.as_deref()))
                                            @if let Some(snip) = &a.response_snippet { br; code.snippet dir="auto" { (snip) } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            section.card {
                h2 { (t!("webhooks-body")) }
                pre dir="ltr" { (body) }
            }
        },
    )
}
