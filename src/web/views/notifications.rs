//! The agent's notifications page (list, mark read, preferences, desktop notifications) and the
//! Follow card of the ticket page.

use super::layout::{Frame, ago, page};
use crate::auth::AgentRef;
use crate::notify::inbox::{Notification, Pref};
use maud::{Markup, html};

/// Whether the email digest runs here, and how often.
pub struct DigestInfo {
    /// Outbound mail is configured (without it no digest is sent).
    pub available: bool,
    pub minutes: i64,
}

pub fn notifications_page(
    agent: &AgentRef,
    csrf: &str,
    now: i64,
    items: &[Notification],
    prefs: &[Pref],
    digest: &DigestInfo,
) -> Markup {
    let unread = items.iter().filter(|n| n.read_at.is_none()).count();
    let title = t!("notify-title");
    page(
        &Frame {
            title: &title,
            agent: Some(agent),
            csrf,
        },
        html! {
            section {
                h1 { (title) " " span.muted { (t!("notify-unread", count = unread)) } }
                div.row {
                    @if unread > 0 {
                        form method="post" action="/notifications/read" {
                            input type="hidden" name="csrf" value=(csrf);
                            button.small type="submit" { (t!("notify-mark-all-read")) }
                        }
                    }
                    button.small #desktop-notifications type="button" hidden {
                        (t!("notify-desktop"))
                    }
                }
                @if items.is_empty() { p.empty { (t!("notify-empty")) } }
                ol.events.notifications {
                    @for n in items {
                        li class=[n.read_at.is_none().then_some("unread")] data-kind=(n.kind) {
                            span.muted { (ago(now, n.created_at)) " · " }
                            @match n.ticket_id {
                                Some(t) => a href={"/tickets/" (t)} dir="auto" { (n.text()) },
                                None => bdi { (n.text()) },
                            }
                            @if n.read_at.is_none() {
                                " "
                                form.inline method="post" action={"/notifications/" (n.id) "/read"} {
                                    input type="hidden" name="csrf" value=(csrf);
                                    button.small type="submit" { (t!("notify-mark-read")) }
                                }
                            }
                        }
                    }
                }
            }
            section.card {
                h2 { (t!("notify-prefs-title")) }
                p.muted.small {
                    (t!("notify-prefs-help", minutes = digest.minutes))
                    @if !digest.available { " " (t!("notify-prefs-no-email")) }
                }
                form method="post" action="/notifications/preferences" {
                    input type="hidden" name="csrf" value=(csrf);
                    table.prefs {
                        thead { tr { th { (t!("notify-prefs-kind")) } th { (t!("notify-prefs-in-app")) } th { (t!("notify-prefs-email")) } } }
                        tbody {
                            @for p in prefs {
                                tr {
                                    td { (label(&p.kind)) }
                                    td { input type="checkbox" name={(p.kind) ".in_app"} aria-label=(t!("notify-prefs-in-app-label", kind = label(&p.kind))) checked[p.in_app]; }
                                    td { input type="checkbox" name={(p.kind) ".email"} aria-label=(t!("notify-prefs-email-label", kind = label(&p.kind))) checked[p.email]; }
                                }
                            }
                        }
                    }
                    button type="submit" { (t!("button-save")) }
                }
            }
        },
    )
}

/// What a kind of notification means to the agent (`inbox::KINDS`), in the current language.
fn label(kind: &str) -> String {
    match kind {
        "assigned" => t!("notify-kind-assigned"),
        "customer_reply" => t!("notify-kind-customer-reply"),
        "mention" => t!("notify-kind-mention"),
        "following" => t!("notify-kind-following"),
        "sla_warning" => t!("notify-kind-sla-warning"),
        "sla_breach" => t!("notify-kind-sla-breach"),
        "escalated" => t!("notify-kind-escalated"),
        other => other.to_string(),
    }
}

/// Follow or unfollow the ticket: followers hear about every change others make.
pub fn follow_panel(csrf: &str, ticket_id: i64, following: bool) -> Markup {
    let (action, label) = if following {
        ("unfollow", t!("notify-unfollow"))
    } else {
        ("follow", t!("notify-follow"))
    };
    html! {
        section.card.follow {
            form method="post" action={"/tickets/" (ticket_id) "/" (action)} {
                input type="hidden" name="csrf" value=(csrf);
                button.small type="submit" { (label) }
                span.muted.small {
                    " "
                    @if following { (t!("notify-following-help")) }
                    @else { (t!("notify-follow-help")) }
                }
            }
        }
    }
}
