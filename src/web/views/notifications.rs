//! The agent's notifications page (list, mark read, preferences, desktop notifications) and the
//! Follow card of the ticket page.

use super::layout::{Frame, ago, page};
use crate::auth::AgentRef;
use crate::notify::inbox::{KINDS, Notification, Pref};
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
    page(
        &Frame {
            title: "Notifications",
            agent: Some(agent),
            csrf,
        },
        html! {
            section {
                h1 { "Notifications " span.muted { (unread) " unread" } }
                div.row {
                    @if unread > 0 {
                        form method="post" action="/notifications/read" {
                            input type="hidden" name="csrf" value=(csrf);
                            button.small type="submit" { "Mark all read" }
                        }
                    }
                    button.small #desktop-notifications type="button" hidden {
                        "Show desktop notifications"
                    }
                }
                @if items.is_empty() { p.empty { "Nothing yet." } }
                ol.events.notifications {
                    @for n in items {
                        li class=[n.read_at.is_none().then_some("unread")] data-kind=(n.kind) {
                            span.muted { (ago(now, n.created_at)) " · " }
                            @match n.ticket_id {
                                Some(t) => a href={"/tickets/" (t)} { (n.body) },
                                None => (n.body),
                            }
                            @if n.read_at.is_none() {
                                " "
                                form.inline method="post" action={"/notifications/" (n.id) "/read"} {
                                    input type="hidden" name="csrf" value=(csrf);
                                    button.small type="submit" { "Mark read" }
                                }
                            }
                        }
                    }
                }
            }
            section.card {
                h2 { "What you hear about" }
                p.muted.small {
                    "In Casebook: listed here and counted in the menu; off, nothing is kept. "
                    "Email digest: what is still unread after " (digest.minutes) " minutes, "
                    "in one mail at most every " (digest.minutes) " minutes."
                    @if !digest.available { " Outbound email is not set up on this server, so no digest is sent." }
                }
                form method="post" action="/notifications/preferences" {
                    input type="hidden" name="csrf" value=(csrf);
                    table.prefs {
                        thead { tr { th { "Notification" } th { "In Casebook" } th { "Email digest" } } }
                        tbody {
                            @for p in prefs {
                                tr {
                                    td { (label(&p.kind)) }
                                    td { input type="checkbox" name={(p.kind) ".in_app"} aria-label={(label(&p.kind)) ": in Casebook"} checked[p.in_app]; }
                                    td { input type="checkbox" name={(p.kind) ".email"} aria-label={(label(&p.kind)) ": email digest"} checked[p.email]; }
                                }
                            }
                        }
                    }
                    button type="submit" { "Save" }
                }
            }
        },
    )
}

fn label(kind: &str) -> &str {
    KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, l)| *l)
        .unwrap_or(kind)
}

/// Follow or unfollow the ticket: followers hear about every change others make.
pub fn follow_panel(csrf: &str, ticket_id: i64, following: bool) -> Markup {
    let (action, label) = if following {
        ("unfollow", "Unfollow")
    } else {
        ("follow", "Follow")
    };
    html! {
        section.card.follow {
            form method="post" action={"/tickets/" (ticket_id) "/" (action)} {
                input type="hidden" name="csrf" value=(csrf);
                button.small type="submit" { (label) }
                span.muted.small {
                    @if following { " You hear about every change to this ticket." }
                    @else { " Hear about every change to this ticket." }
                }
            }
        }
    }
}
