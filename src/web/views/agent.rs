//! Pages for agents: login, queues, the ticket page, the customer page, password, admin.

use super::layout::{Frame, age, ago, date, field_error, page, role_name, time, url_encode};
use crate::auth::AgentRef;
use crate::customers::Customer;
use crate::customers::crm::{CrmEvent, Profile};
use crate::domain::{Priority, Role, Status, Visibility};
use crate::tickets::commands::ChangeEvent;
use crate::tickets::{Event, Message, Queue, Ticket};
use maud::{Markup, html};

/// Where [`rich`] puts the `i`-th element of a message.
const M0: &str = crate::i18n::SLOT[0];
const M1: &str = crate::i18n::SLOT[1];
const M2: &str = crate::i18n::SLOT[2];
const M3: &str = crate::i18n::SLOT[3];

/// A whole-sentence message whose placeables are elements (a link, a name in `bdi`, `kbd`).
use crate::i18n::markup as rich;

pub use crate::i18n::{channel_name, priority_name, status_name};

/// A queue's name in the current language.
pub fn queue_name(q: Queue) -> String {
    match q {
        Queue::Mine => t!("agent-queue-mine"),
        Queue::Unassigned => t!("agent-queue-unassigned"),
        Queue::Open => t!("agent-queue-open"),
        Queue::Pending => t!("agent-queue-pending"),
        Queue::Solved => t!("agent-queue-solved"),
        Queue::All => t!("agent-queue-all"),
    }
}

/// The status badge (class by the code, text in the current language).
pub fn status_badge(s: Status) -> Markup {
    html! { span class={"badge status-" (s.as_str())} { (status_name(s.as_str())) } }
}

/// The priority badge.
pub fn priority_badge(p: Priority) -> Markup {
    html! { span class={"badge priority-" (p.as_str())} { (priority_name(p.as_str())) } }
}

/// A column's heading in the ticket lists.
fn column_name(c: &str) -> String {
    match c {
        "customer" => t!("agent-column-customer"),
        "status" => t!("agent-column-status"),
        "priority" => t!("agent-column-priority"),
        "assignee" => t!("agent-column-assignee"),
        "team" => t!("agent-column-team"),
        "tags" => t!("agent-column-tags"),
        "channel" => t!("agent-column-channel"),
        "age" => t!("agent-column-age"),
        "updated" => t!("agent-column-updated"),
        "sla" => t!("agent-column-sla"),
        "plan" => t!("agent-column-plan"),
        _ => crate::tickets::views::COLUMNS
            .iter()
            .find(|(k, _)| *k == c)
            .map(|(_, h)| h.to_string())
            .unwrap_or_default(),
    }
}

fn sla_filter_name(key: &str, label: &str) -> String {
    match key {
        "breached" => t!("agent-sla-breached"),
        "at_risk" => t!("agent-sla-at-risk"),
        "attention" => t!("agent-sla-attention"),
        _ => label.to_string(),
    }
}

fn sort_name(key: &str, label: &str) -> String {
    match key {
        "newest" => t!("agent-sort-newest"),
        "oldest" => t!("agent-sort-oldest"),
        "updated" => t!("agent-sort-updated"),
        "priority" => t!("agent-sort-priority"),
        "sla" => t!("agent-sort-sla"),
        _ => label.to_string(),
    }
}

pub fn login(csrf: &str, email: &str, error: Option<&str>, next: &str) -> Markup {
    let title = t!("agent-login-title");
    page(
        &Frame {
            title: &title,
            agent: None,
            csrf,
        },
        html! {
            section.card.narrow {
                h1 { (t!("agent-login-heading")) }
                @if let Some(e) = error { p.flash.error role="alert" { (e) } }
                form method="post" action="/login" {
                    input type="hidden" name="csrf" value=(csrf);
                    @if next != "/tickets" { input type="hidden" name="next" value=(next); }
                    label for="email" { (t!("agent-login-email")) }
                    input #email type="email" name="email" value=(email) required autocomplete="username";
                    label for="password" { (t!("agent-login-password")) }
                    input #password type="password" name="password" required autocomplete="current-password";
                    button type="submit" { (t!("agent-login-button")) }
                }
            }
        },
    )
}

pub struct QueuePage<'a> {
    pub agent: &'a AgentRef,
    pub csrf: &'a str,
    pub queue: Queue,
    pub counts: &'a [(Queue, i64)],
    pub tickets: &'a [Ticket],
    pub next_cursor: Option<i64>,
    pub now: i64,
    /// Ticket id → earliest unmet SLA due time.
    pub sla_due: &'a std::collections::HashMap<i64, i64>,
    /// The team the list is narrowed to, if any.
    pub team: Option<(i64, &'a str)>,
    /// The tag the list is narrowed to, if any.
    pub tag: Option<&'a str>,
    /// For the bulk bar's assignee choice.
    pub agents: &'a [AgentRef],
    /// For the bulk bar's macro choice (macros that act).
    pub macros: &'a [crate::search::replies::SavedReply],
    /// The agent's saved views (shared and own) with their counts (capped; `true`: more).
    /// (`None`: being counted; shown from a later page.)
    pub views: &'a [(&'a crate::tickets::views::SavedView, Option<(i64, bool)>)],
    /// The view shown instead of a queue.
    pub view: Option<&'a crate::tickets::views::SavedView>,
    /// Ticket id → its tags (the tag chips of the rows).
    pub tags: &'a std::collections::HashMap<i64, Vec<String>>,
    /// Team id → name.
    pub teams: &'a [(i64, String)],
    /// Customer id → plan (for a view's plan column).
    pub plans: &'a std::collections::HashMap<i64, String>,
}

pub fn queue(p: &QueuePage<'_>) -> Markup {
    if let Some(v) = p.view {
        return saved_view_page(p, v);
    }
    let scope = super::bulk::ListScope {
        queue: p.queue.key(),
        team: p.team.map(|(id, _)| id),
        tag: p.tag,
    };
    let mut back = format!("/tickets?queue={}", p.queue.key());
    if let Some((team, _)) = p.team {
        back.push_str(&format!("&team={team}"));
    }
    if let Some(tag) = p.tag {
        back.push_str(&format!("&tag={}", url_encode(tag)));
    }
    let title = if Queue::ALL.iter().any(|(q, _, _)| *q == p.queue) {
        queue_name(p.queue)
    } else {
        t!("agent-queue-tickets")
    };
    page(
        &Frame {
            title: &title,
            agent: Some(p.agent),
            csrf: p.csrf,
        },
        html! {
            div.queues data-live="queue" {
                (queue_sidebar(p))
                section #queue-list {
                    p.live-note #live-note role="status" hidden {}
                    h1 {
                        (title)
                        @if let Some((_, team)) = p.team {
                            " · " bdi { (team) } " "
                            a.small href={"/tickets?queue=" (p.queue.key())} title=(t!("agent-queue-all-teams-title")) { (t!("agent-queue-all-teams")) }
                        }
                        @if let Some(tag) = p.tag {
                            " · " (rich(&t!("agent-queue-tagged", tag = M0), &[html! { span.tag dir="auto" { (tag) } }])) " "
                            a.small href={"/tickets?queue=" (p.queue.key()) @if let Some((team, _)) = p.team { "&team=" (team) }} title=(t!("agent-queue-any-tag-title")) { (t!("agent-queue-any-tag")) }
                        }
                    }
                    @if p.tickets.is_empty() {
                        p.empty { (t!("agent-queue-empty")) " " @if p.queue == Queue::Mine { (t!("agent-queue-empty-mine")) } }
                    } @else {
                        (super::bulk::bar(p.csrf, p.agents, p.macros, p.teams, &back, Some(&scope)))
                        (ticket_table(p))
                        (save_view_form(p))
                        p.muted.small.kb-hint { (rich(&t!("agent-queue-keys", j = M0, k = M1, o = M2, help = M3), &[html! { kbd { "j" } }, html! { kbd { "k" } }, html! { kbd { "o" } }, html! { kbd { "?" } }])) }
                        @if p.queue == Queue::Mine && p.next_cursor.is_none() {
                            p.muted.small { (t!("agent-queue-urgent-first")) " " a href="/tickets?queue=mine&sort=newest" { (t!("agent-queue-newest-first")) } }
                        }
                        @if let Some(c) = p.next_cursor {
                            p { a.button href={"/tickets?queue=" (p.queue.key()) "&cursor=" (c) @if let Some((team, _)) = p.team { "&team=" (team) } @if let Some(tag) = p.tag { "&tag=" (url_encode(tag)) }} { (t!("agent-queue-older")) } }
                        }
                    }
                }
            }
        },
    )
}

fn display_name(t: &Ticket) -> String {
    if t.customer_name.is_empty() {
        t.customer_email
            .clone()
            .unwrap_or_else(|| t!("agent-unknown-customer"))
    } else {
        t.customer_name.clone()
    }
}

pub struct TicketPage<'a> {
    pub agent: &'a AgentRef,
    pub csrf: &'a str,
    pub ticket: &'a Ticket,
    pub messages: &'a [Message],
    pub events: &'a [Event],
    pub agents: &'a [AgentRef],
    pub customer: &'a Customer,
    pub profile: &'a Profile,
    /// The customer's latest CRM events, newest first.
    pub crm: &'a [CrmEvent],
    pub errors: &'a [(String, String)],
    /// The reply box's text: a submitted reply shown again, or the agent's saved draft.
    pub draft: &'a str,
    pub visibility: Visibility,
    /// The reply box shows text the stored draft does not have yet (drafts.js saves it).
    pub draft_unsaved: bool,
    /// "Similar solved tickets" and the solution marker (search).
    pub similar: Markup,
    /// Saved replies, searchable under the reply box (search).
    pub reply_tools: Markup,
    pub now: i64,
    /// The SLA card (clocks, Escalate).
    pub sla: Markup,
    /// The Follow card.
    pub follow: Markup,
    /// The Tags card.
    pub tags: Markup,
    /// The Merge card.
    pub merge: Markup,
    /// The Cc card.
    pub cc: Markup,
    /// The customer's private links card.
    pub links: Markup,
    /// Shown above the conversation when the agent's change was made on an older version.
    pub conflict: Option<Markup>,
    /// Who else has the ticket open (live presence).
    pub present: &'a [crate::live::Presence],
}

/// What an agent tried to change in the sidebar, for re-applying it after a conflict.
#[derive(Debug, Clone, Default)]
pub struct SidebarChange {
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    /// `Some(None)`: unassign.
    pub assignee_id: Option<Option<i64>>,
}

impl SidebarChange {
    pub fn is_empty(&self) -> bool {
        self.status.is_none() && self.priority.is_none() && self.assignee_id.is_none()
    }
}

/// The banner of a stale submit: who changed what since the agent's page was drawn, and (for
/// the sidebar) the agent's own change with a button to apply it to the current ticket.
pub fn conflict(
    t: &Ticket,
    csrf: &str,
    changes: &[ChangeEvent],
    agents: &[AgentRef],
    mine: Option<&SidebarChange>,
    reply_kept: bool,
    now: i64,
) -> Markup {
    fn field_label(f: &str) -> String {
        match f {
            "assignee_id" => t!("agent-field-assignee"),
            "team_id" => t!("agent-field-team"),
            "customer_id" => t!("agent-field-customer"),
            "resolution_message_id" => t!("agent-field-solution"),
            "message" => t!("agent-field-message"),
            "ticket" => t!("agent-field-ticket"),
            "status" => t!("agent-field-status"),
            "priority" => t!("agent-field-priority"),
            "subject" => t!("agent-field-subject"),
            "tags" => t!("agent-field-tags"),
            "cc" => t!("agent-field-cc"),
            "merged_into_id" => t!("agent-field-merged"),
            other => other.to_string(),
        }
    }
    let value = |field: &str, v: Option<&str>| -> String {
        match (field, v) {
            (_, None) => t!("none"),
            ("assignee_id", Some(id)) => agent_name(agents, Some(id)),
            ("status", Some(v)) => status_name(v),
            ("priority", Some(v)) => priority_name(v),
            (_, Some(v)) => v.to_string(),
        }
    };
    let who = |c: &ChangeEvent| -> Markup {
        let name = match c.actor_kind.as_str() {
            "agent" => c
                .agent_name
                .clone()
                .unwrap_or_else(|| t!("agent-who-agent")),
            "customer" => t!("agent-who-customer"),
            _ => t!("agent-actor-system"),
        };
        html! { strong { bdi { (name) } } }
    };
    html! {
        section.card.conflict #conflict role="alert" {
            h2 { (t!("agent-conflict-heading")) }
            ul {
                @for c in changes {
                    @for f in &c.fields {
                        li {
                            @match f.field.as_str() {
                                "message" => { (rich(&t!("agent-conflict-added-message", who = M0), &[who(c)])) }
                                "note" => { (rich(&t!("agent-conflict-added-note", who = M0), &[who(c)])) }
                                "ticket" => { (rich(&t!("agent-conflict-created", who = M0), &[who(c)])) }
                                field => {
                                    (rich(
                                        &t!("agent-conflict-changed", who = M0, field = field_label(field), old = M1, new = M2),
                                        &[
                                            who(c),
                                            html! { span.old dir="auto" { (value(field, f.old.as_deref())) } },
                                            html! { span.new dir="auto" { (value(field, f.new.as_deref())) } },
                                        ],
                                    ))
                                }
                            }
                            span.muted { " · " (ago(now, c.created_at)) }
                        }
                    }
                }
                @if changes.is_empty() { li { (t!("agent-conflict-history")) } }
            }
            @if let Some(m) = mine.filter(|m| !m.is_empty()) {
                p { (t!("agent-conflict-not-saved")) " "
                    @if let Some(s) = m.status { (rich(&t!("agent-conflict-mine-status", value = M0), &[html! { strong { (status_name(s.as_str())) } }])) " " }
                    @if let Some(p) = m.priority { (rich(&t!("agent-conflict-mine-priority", value = M0), &[html! { strong { (priority_name(p.as_str())) } }])) " " }
                    @if let Some(a) = m.assignee_id { (rich(&t!("agent-conflict-mine-assignee", value = M0), &[html! { strong { (match a { Some(id) => agent_name(agents, Some(&id.to_string())), None => t!("agent-unassigned-value") }) } }])) }
                }
                form.inline method="post" action={"/tickets/" (t.id) "/update"} {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="version" value=(t.version);
                    input type="hidden" name="status_was" value=(t.status.as_str());
                    input type="hidden" name="priority_was" value=(t.priority.as_str());
                    input type="hidden" name="assignee_was" value=(t.assignee_id.map(|a| a.to_string()).unwrap_or_default());
                    input type="hidden" name="status" value=(m.status.unwrap_or(t.status).as_str());
                    input type="hidden" name="priority" value=(m.priority.unwrap_or(t.priority).as_str());
                    input type="hidden" name="assignee_id" value=(m.assignee_id.unwrap_or(t.assignee_id).map(|a| a.to_string()).unwrap_or_default());
                    button type="submit" #reapply { (t!("agent-conflict-apply")) }
                    " "
                    a.button.secondary href={"/tickets/" (t.id)} #discard { (t!("agent-conflict-keep")) }
                }
            }
            @if reply_kept {
                p { (rich(&t!("agent-conflict-reply-kept", notsent = M0), &[html! { strong { (t!("agent-conflict-not-sent")) } }])) }
            }
        }
    }
}

pub fn ticket(p: &TicketPage<'_>) -> Markup {
    let t = p.ticket;
    let title = format!("#{} {}", t.id, t.subject);
    page(
        &Frame {
            title: &title,
            agent: Some(p.agent),
            csrf: p.csrf,
        },
        html! {
            div.ticket-layout data-live="ticket" data-ticket-id=(t.id) data-version=(t.version) data-agent-id=(p.agent.id) {
                section.conversation {
                    @if let Some(c) = &p.conflict { (c) }
                    p.live-note #live-note role="status" hidden {}
                    h1 { span.muted { "#" (t.id) " " } span dir="auto" { (t.subject) } }
                    p.presence #presence aria-live="polite" {
                        @for who in p.present.iter().filter(|w| w.agent_id != p.agent.id) {
                            @let name = html! { bdi { (who.agent_name) } };
                            span.who data-agent-id=(who.agent_id) data-agent-name=(who.agent_name) data-state=(who.state) { (if who.state == "replying" { rich(&t!("agent-presence-replying", name = M0), &[name]) } else { rich(&t!("agent-presence-viewing", name = M0), &[name]) }) }
                        }
                    }
                    p.meta #ticket-meta {
                        (status_badge(t.status)) " " (priority_badge(t.priority))
                        " " (rich(&t!("agent-ticket-meta", channel = channel_name(&t.channel), time = M0), &[time(t.created_at)]))
                        @if let Some(f) = t.follow_up_of_id { " · " (rich(&t!("agent-ticket-follow-up", ticket = M0), &[html! { a href={"/tickets/" (f)} { "#" (f) } }])) }
                    }
                    ol.messages #messages {
                        @for m in p.messages {
                            li class={"message " (m.author_kind.as_str()) " " (m.visibility.as_str())} {
                                div.message-head {
                                    strong dir="auto" { (m.author_name) }
                                    @if m.visibility == Visibility::Internal { " " span.badge.internal { (t!("agent-internal-note-badge")) } }
                                    " · " (time(m.created_at))
                                    @if let Some(via) = message_channel(m) { " · " span.channel.muted.small { (via) } }
                                    @if Some(m.id) != p.messages.first().map(|f| f.id) && t.merged_into_id.is_none() {
                                        form.inline.split method="post" action={"/messages/" (m.id) "/split"} {
                                            input type="hidden" name="csrf" value=(p.csrf);
                                            " " button.small.quiet type="submit" title=(t!("agent-split-title")) { (t!("agent-split")) }
                                        }
                                    }
                                }
                                div.body dir="auto" { (m.body_text) }
                                @if let Some(forwarded) = m.full_text.as_deref().and_then(crate::email::forwarded_part) {
                                    figure.forwarded {
                                        figcaption.muted.small { (t!("agent-forwarded")) }
                                        blockquote.body dir="auto" { (forwarded) }
                                    }
                                }
                                @if let Some(full) = m.full_text.as_deref().filter(|f| f.trim() != m.body_text.trim()) {
                                    details.full {
                                        summary { (t!("agent-full-message")) }
                                        div.body dir="auto" { (full) }
                                    }
                                }
                                @if m.mail_kind.as_deref() == Some("auto_reply") { p.muted.small { (t!("agent-auto-reply")) } }
                                @if m.mail_kind.as_deref() == Some("list") { p.muted.small { (t!("agent-list-mail")) } }
                                @if let Some(reason) = crate::i18n::Note::render_stored(m.thread_reason_note.as_ref(), m.thread_reason.as_deref()).filter(|_| m.mail_kind.is_some() || (m.gateway_name.is_some() && m.author_kind == crate::domain::AuthorKind::Customer)) { p.muted.small title=(t!("agent-threading-title")) { (t!("agent-threading", reason = reason)) } }
                                @if m.gateway_name.is_some() || matches!(m.channel.as_deref(), Some("sms" | "chat" | "social")) && m.author_kind != crate::domain::AuthorKind::Customer {
                                    @match m.delivery_status.as_deref() {
                                        Some("failed") => p.delivery.failed role="status" { (t!("channels-delivery-failed", error = m.delivery_error.clone().unwrap_or_else(|| t!("agent-delivery-unknown-error")))) },
                                        Some("queued") => p.muted.small { (t!("channels-delivery-queued")) @if let Some(e) = &m.delivery_error { " · " (t!("channels-delivery-retrying", error = e.as_str())) } },
                                        Some("sent") => p.muted.small { (t!("channels-delivery-sent")) },
                                        _ => {}
                                    }
                                } @else {
                                @match m.delivery_status.as_deref() {
                                    Some("failed") => p.delivery.failed role="status" { (t!("agent-delivery-failed", error = m.delivery_error.clone().unwrap_or_else(|| t!("agent-delivery-unknown-error")))) },
                                    Some("queued") => p.muted.small { (t!("agent-delivery-queued")) },
                                    Some("sent") => p.muted.small { (t!("agent-delivery-sent")) },
                                    _ => {}
                                }
                                }
                                @if !m.attachments.is_empty() {
                                    ul.attachments {
                                        @for a in &m.attachments {
                                            li {
                                                @if is_image(&a.content_type) {
                                                    a.thumb href={"/attachments/" (a.id) "/preview"} target="_blank" rel="noopener" title=(t!("agent-attachment-view", name = &a.filename)) {
                                                        img src={"/attachments/" (a.id) "/preview"} alt=(a.filename) loading="lazy";
                                                    }
                                                }
                                                a href={"/attachments/" (a.id)} download dir="auto" { (a.filename) } " (" (human_size(a.size_bytes)) ")"
                                                @if a.content_type.eq_ignore_ascii_case("application/pdf") {
                                                    " · " a href={"/attachments/" (a.id) "/preview"} target="_blank" rel="noopener" { (t!("agent-attachment-open")) }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    form.reply method="post" action={"/tickets/" (t.id) "/messages"} enctype="multipart/form-data" data-draft-url={"/tickets/" (t.id) "/draft"} {
                        input type="hidden" name="csrf" value=(p.csrf);
                        input type="hidden" name="version" value=(t.version);
                        label for="body" { (rich(&t!("agent-reply-label", name = M0), &[html! { bdi { (display_name(t)) } }])) }
                        textarea #body name="body" rows="6" required dir="auto" aria-describedby="body-error draft-status" data-draft-unsaved[p.draft_unsaved] { (p.draft) }
                        p #draft-status .muted.small aria-live="polite" {}
                        (field_error(p.errors, "body"))
                        label.files for="reply-attachment" { (t!("agent-reply-attach")) " " input #reply-attachment type="file" name="attachment" multiple; }
                        (field_error(p.errors, "attachment"))
                        div.row {
                            label { input type="radio" name="visibility" value="public" checked[p.visibility == Visibility::Public]; " " (t!("agent-reply-public")) }
                            label { input type="radio" name="visibility" value="internal" checked[p.visibility == Visibility::Internal]; " " (t!("agent-reply-internal")) }
                            label for="reply-status" { (t!("agent-reply-set-status")) }
                            select #reply-status name="status" {
                                option value="" { (t!("agent-reply-keep-status")) }
                                @for s in Status::ALL { option value=(s.as_str()) { (status_name(s.as_str())) } }
                            }
                            button type="submit" { (t!("button-send")) }
                        }
                        (field_error(p.errors, "status"))
                    }
                    (p.reply_tools)
                }
                aside.side {
                    (p.sla)
                    (p.follow)
                    (p.tags)
                    (p.cc)
                    (p.links)
                    (p.merge)
                    (p.similar)
                    section.card {
                        h2 { (t!("agent-sidebar-ticket")) }
                        form #ticket-update method="post" action={"/tickets/" (t.id) "/update"} {
                            input type="hidden" name="csrf" value=(p.csrf);
                            input type="hidden" name="version" value=(t.version);
                            input type="hidden" name="status_was" value=(t.status.as_str());
                            input type="hidden" name="priority_was" value=(t.priority.as_str());
                            input type="hidden" name="assignee_was" value=(t.assignee_id.map(|a| a.to_string()).unwrap_or_default());
                            label for="status" { (t!("agent-sidebar-status")) }
                            select #status name="status" {
                                @for s in Status::ALL {
                                    option value=(s.as_str()) selected[*s == t.status] disabled[!t.status.can_move_to(*s)] { (status_name(s.as_str())) }
                                }
                            }
                            label for="priority" { (t!("agent-sidebar-priority")) }
                            select #priority name="priority" {
                                @for pr in Priority::ALL { option value=(pr.as_str()) selected[*pr == t.priority] { (priority_name(pr.as_str())) } }
                            }
                            label for="assignee" { (t!("agent-sidebar-assignee")) }
                            select #assignee name="assignee_id" {
                                option value="" selected[t.assignee_id.is_none()] { (t!("agent-sidebar-unassigned")) }
                                @for a in p.agents { option value=(a.id) selected[Some(a.id) == t.assignee_id] { (a.name) } }
                            }
                            (super::assign::assignment_note(p.events))
                            button type="submit" { (t!("agent-sidebar-update")) }
                        }
                    }
                    section.card {
                        h2 { a href={"/customers/" (p.customer.id)} dir="auto" { (if p.customer.name.is_empty() { t!("agent-customer") } else { p.customer.name.clone() }) } }
                        (customer_card(p.customer, p.profile, p.now))
                        @if !p.crm.is_empty() {
                            h3 { (t!("agent-recent-activity")) }
                            ol.events { @for e in p.crm { li { (crm_line(e, p.now)) } } }
                        }
                    }
                    section.card {
                        h2 { (t!("agent-history")) }
                        ol.events #history {
                            @for e in p.events {
                                li { span.muted { (ago(p.now, e.created_at)) " · " } (describe_event(e, p.agents)) }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// Image types the preview can show (the preview checks the bytes again).
fn is_image(content_type: &str) -> bool {
    let t = content_type.to_ascii_lowercase();
    [
        "image/png",
        "image/jpeg",
        "image/jpg",
        "image/gif",
        "image/webp",
    ]
    .contains(&t.as_str())
}

/// A list's tickets, each row with its bulk checkbox (carrying the version shown).
fn ticket_table(p: &QueuePage<'_>) -> Markup {
    use crate::tickets::views::DEFAULT_COLUMNS;
    let columns: Vec<&str> = match p.view {
        Some(v) => v.filters.shown_columns(),
        None => DEFAULT_COLUMNS.to_vec(),
    };
    let heading = column_name;
    let cell = |t: &Ticket, c: &str| -> Markup {
        match c {
            "customer" => {
                html! { td { a href={"/customers/" (t.customer_id)} dir="auto" { (display_name(t)) } } }
            }
            "status" => html! { td { (status_badge(t.status)) } },
            "priority" => html! { td { (priority_badge(t.priority)) } },
            "assignee" => html! { td dir="auto" { (t.assignee_name.as_deref().unwrap_or("—")) } },
            "team" => {
                let name = t
                    .team_id
                    .and_then(|id| p.teams.iter().find(|(t, _)| *t == id))
                    .map(|(_, n)| n.as_str());
                html! { td dir="auto" { (name.unwrap_or("—")) } }
            }
            "tags" => html! { td.tags {
                @for tag in p.tags.get(&t.id).map(Vec::as_slice).unwrap_or(&[]) {
                    a.tag href={"/tickets?queue=all&tag=" (url_encode(tag))} dir="auto" { (tag) } " "
                }
            } },
            "channel" => html! { td { (channel_name(&t.channel)) } },
            "age" => {
                html! { td title=(t!("agent-age-title")) { (age(p.now, t.created_at)) } }
            }
            "updated" => {
                html! { td title=(t!("agent-updated-title")) { (age(p.now, t.updated_at)) } }
            }
            "sla" => html! { td { (super::sla::due_cell(p.now, p.sla_due.get(&t.id).copied())) } },
            "plan" => {
                html! { td dir="auto" { (p.plans.get(&t.customer_id).map(String::as_str).unwrap_or("—")) } }
            }
            _ => html! { td {} },
        }
    };
    html! {
        div.table-scroll {
            table.tickets {
                thead { tr { th { span.visually-hidden { (t!("agent-column-select")) } } th { "#" } th { (t!("agent-column-subject")) } @for c in &columns { th { (heading(c)) } } } }
                tbody {
                    @for t in p.tickets {
                        tr #{"ticket-" (t.id)} data-version=(t.version) {
                            td { input type="checkbox" name="ticket_id" value={(t.id) ":" (t.version)} form="bulk" aria-label=(t!("agent-select-ticket", id = t.id.to_string())); }
                            td { a href={"/tickets/" (t.id)} { (t.id) } }
                            td.subject dir="auto" { a href={"/tickets/" (t.id)} { (t.subject) } }
                            @for c in &columns { (cell(t, c)) }
                        }
                    }
                }
            }
        }
    }
}

/// "Save as a view": this queue (and its team and tag) narrowed further, under a name.
fn save_view_form(p: &QueuePage<'_>) -> Markup {
    html! {
        details.save-view {
            summary { (t!("agent-save-view")) }
            form.row method="post" action="/views" {
                input type="hidden" name="csrf" value=(p.csrf);
                input type="hidden" name="queue" value=(p.queue.key());
                @if let Some((team, _)) = p.team { input type="hidden" name="team" value=(team); }
                @let any = t!("agent-save-view-any");
                label { (t!("agent-save-view-name")) " " input name="name" required dir="auto" size="18"; }
                label { (t!("agent-save-view-status")) " " select name="status" { option value="" { (any) } @for s in Status::ALL { option value=(s.as_str()) { (status_name(s.as_str())) } } } }
                label { (t!("agent-save-view-priority")) " " select name="priority" { option value="" { (any) } @for pr in Priority::ALL { option value=(pr.as_str()) { (priority_name(pr.as_str())) } } } }
                label { (t!("agent-save-view-assignee")) " " select name="assignee" { option value="" { (t!("agent-save-view-anyone")) } option value="me" { (t!("agent-save-view-me")) } @for a in p.agents { option value=(a.id) { (a.name) } } } }
                label { (t!("agent-save-view-tag")) " " input name="tag" value=(p.tag.unwrap_or("")) dir="auto" size="10"; }
                label { (t!("agent-save-view-channel")) " " select name="channel" { option value="" { (any) } @for c in crate::domain::Channel::ALL { option value=(c.as_str()) { (channel_name(c.as_str())) } } } }
                label { (t!("agent-save-view-idle")) " " input name="idle_hours" type="number" min="1" size="4"; }
                label { (t!("agent-save-view-waiting")) " " input name="waiting_hours" type="number" min="1" size="4"; }
                label { (t!("agent-save-view-sla")) " " select name="sla" { option value="" { (any) } @for (_, k, label) in crate::tickets::repo::SlaFilter::ALL { option value=(k) { (sla_filter_name(k, label)) } } } }
                label { (t!("agent-save-view-vip")) " " select name="vip" { option value="" { (any) } option value="yes" { (t!("agent-save-view-vip-yes")) } option value="no" { (t!("agent-save-view-vip-no")) } } }
                label { (t!("agent-save-view-plan")) " " input name="plan" dir="auto" size="10"; }
                label { (t!("agent-save-view-segment")) " " input name="segment" dir="auto" size="10"; }
                label { (t!("agent-save-view-sort")) " " select name="sort" { @for (_, k, label) in crate::tickets::repo::Sort::ALL { option value=(k) { (sort_name(k, label)) } } } }
                fieldset.columns {
                    legend { (t!("agent-save-view-columns")) }
                    @for (k, _) in crate::tickets::views::COLUMNS {
                        label.check { input type="checkbox" name="columns" value=(k) checked[crate::tickets::views::DEFAULT_COLUMNS.contains(&k)]; " " (column_name(k)) }
                    }
                }
                @if p.agent.role.is_lead_or_admin() {
                    label { (t!("agent-save-view-shared")) " " select name="shared" {
                        option value="" { (t!("agent-save-view-nobody")) }
                        option value="all" { (t!("agent-save-view-everyone")) }
                        @for (id, name) in p.teams { option value=(id) { (t!("agent-save-view-team", team = name)) } }
                    } }
                }
                button type="submit" { (t!("agent-save-view-button")) }
            }
        }
    }
}

/// The queues, then the saved views with their counts.
fn queue_sidebar(p: &QueuePage<'_>) -> Markup {
    html! {
        nav.sidebar #queue-counts aria-label=(t!("agent-queues")) {
            @for (q, key, _) in Queue::ALL {
                a href={"/tickets?queue=" (key)} aria-current=[(p.view.is_none() && q == p.queue).then_some("page")] {
                    span { (queue_name(q)) }
                    @if let Some((_, n)) = p.counts.iter().find(|(c, _)| *c == q) { span.count { (crate::i18n::number(*n)) } }
                }
            }
            @if !p.views.is_empty() {
                span.sidebar-heading { (t!("agent-views")) }
                @for (v, count) in p.views {
                    a href={"/tickets?saved_view=" (v.id)} aria-current=[(p.view.map(|x| x.id) == Some(v.id)).then_some("page")] {
                        span { bdi { (v.name) } @if v.shared { span.visually-hidden { " " (t!("agent-view-shared")) } } }
                        @if let Some((n, more)) = count { span.count { (crate::i18n::number(*n)) @if *more { "+" } } }
                    }
                }
            }
        }
    }
}

/// A saved view: its tickets like a queue's, with the bulk bar and a way to delete it.
fn saved_view_page(p: &QueuePage<'_>, v: &crate::tickets::views::SavedView) -> Markup {
    let back = format!("/tickets?saved_view={}", v.id);
    page(
        &Frame {
            title: &v.name,
            agent: Some(p.agent),
            csrf: p.csrf,
        },
        html! {
            div.queues data-live="queue" {
                (queue_sidebar(p))
                section #queue-list {
                    p.live-note #live-note role="status" hidden {}
                    h1 { bdi { (v.name) } " " span.muted.small {
                        @if !v.shared { (t!("agent-view-yours")) }
                        @else if let Some(t) = v.team_id { (t!("agent-view-shared-team", team = p.teams.iter().find(|(id, _)| *id == t).map(|(_, n)| n.as_str()).unwrap_or("?"))) }
                        @else { (t!("agent-view-shared-all")) }
                    } }
                    p.muted.small { (v.filters.describe(p.agents, p.teams)) }
                    @if p.tickets.is_empty() {
                        p.empty { (t!("agent-view-empty")) }
                    } @else {
                        (super::bulk::bar(p.csrf, p.agents, p.macros, p.teams, &back, None))
                        (ticket_table(p))
                        @if let Some(c) = p.next_cursor {
                            p { a.button href={"/tickets?saved_view=" (v.id) "&cursor=" (c)} { (t!("agent-view-more")) } }
                        }
                    }
                    form.inline method="post" action={"/views/" (v.id) "/delete"} {
                        input type="hidden" name="csrf" value=(p.csrf);
                        button.small type="submit" { (t!("agent-view-delete")) }
                    }
                }
            }
        },
    )
}

fn agent_name(agents: &[AgentRef], id: Option<&str>) -> String {
    match id.and_then(|s| s.parse::<i64>().ok()) {
        None => t!("agent-nobody"),
        Some(id) => agents
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.name.clone())
            .unwrap_or_else(|| t!("agent-agent-id", id = id.to_string())),
    }
}

/// Why mail was held, in the reader's language (the stored code stays in the title; the detail
/// beside it is the mail system's own diagnostic).
fn quarantine_reason(code: &str) -> String {
    match code {
        "parse_error" => t!("quarantine-parse-error"),
        "too_large" => t!("quarantine-too-large"),
        "loop_detected" => t!("quarantine-loop"),
        "sender_blocked" => t!("quarantine-blocked"),
        "rate_limited" => t!("quarantine-rate-limited"),
        "auto_reply" => t!("quarantine-auto-reply"),
        "bounce" => t!("quarantine-bounce"),
        "no_sender" => t!("quarantine-no-sender"),
        "storage_error" => t!("quarantine-storage-error"),
        "spoofed" => t!("quarantine-spoofed"),
        "receipt" => t!("quarantine-receipt"),
        other => other.to_string(),
    }
}

/// An SLA clock's name (`first_response` → "First response").
fn clock_name(metric: &str) -> String {
    match metric {
        "first_response" => t!("sla-metric-first-response"),
        "next_response" => t!("sla-metric-next-response"),
        "resolution" => t!("sla-metric-resolution"),
        other => other.to_string(),
    }
}

/// The channel a message came through or went out on, in the current language ("via SMS
/// (Main line)").
fn message_channel(m: &crate::tickets::Message) -> Option<String> {
    let channel = m.channel.as_deref()?;
    Some(match &m.gateway_name {
        Some(name) => t!(
            "agent-message-via-gateway",
            channel = channel_name(channel),
            name = name.as_str()
        ),
        None => t!("agent-message-via", channel = channel_name(channel)),
    })
}

/// One line of a ticket's history, with who did it: "Ana changed status open → pending".
pub fn describe_event(e: &Event, agents: &[AgentRef]) -> String {
    let who = match e.actor.as_str() {
        "system" => t!("agent-actor-system"),
        "customer" => t!("agent-actor-customer"),
        a => a.to_string(),
    };
    let who = who.as_str();
    let old = e.old_value.as_deref().unwrap_or("—");
    let new = e.new_value.as_deref().unwrap_or("—");
    let detail_text = e.detail_text();
    let detail = detail_text.as_deref();
    match e.kind.as_str() {
        "created" => match detail {
            Some(d) => t!(
                "agent-event-created-detail",
                who = who,
                channel = channel_name(new),
                detail = d
            ),
            None => t!(
                "agent-event-created",
                who = who,
                channel = channel_name(new)
            ),
        },
        "status" => t!(
            "agent-event-status",
            who = who,
            old = status_name(old),
            new = status_name(new)
        ),
        "priority" => t!(
            "agent-event-priority",
            who = who,
            old = priority_name(old),
            new = priority_name(new)
        ),
        "assignee" => t!(
            "agent-event-assignee",
            who = who,
            old = agent_name(agents, e.old_value.as_deref()),
            new = agent_name(agents, e.new_value.as_deref())
        ),
        "subject" => t!("agent-event-subject", who = who, old = old),
        "tag_added" => t!("agent-event-tag-added", who = who, tag = new),
        "merged_into" => t!("agent-event-merged-into", who = who, ticket = new),
        "merged_from" => match detail {
            Some(d) => t!("agent-event-merged-from", who = who, ticket = d),
            None => t!("agent-event-merged-from-unknown", who = who),
        },
        "merge_undone" => t!("agent-event-merge-undone", who = who),
        "split_from" => match detail {
            Some(d) => t!("agent-event-split-from", who = who, ticket = d),
            None => t!("agent-event-split-from-unknown", who = who),
        },
        "split_to" => match detail {
            Some(d) => t!("agent-event-split-to", who = who, ticket = d),
            None => t!("agent-event-split-to-unknown", who = who),
        },
        "tag_removed" => t!("agent-event-tag-removed", who = who, tag = old),
        "cc_added" => t!("agent-event-cc-added", who = who, address = new),
        "cc_removed" => t!("agent-event-cc-removed", who = who, address = old),
        "reply" => t!("agent-event-reply", who = who),
        "note" => t!("agent-event-note", who = who),
        "first_response" => t!("agent-event-first-response", who = who),
        "routed" => t!(
            "agent-event-routed",
            who = who,
            detail = detail.unwrap_or("")
        ),
        "assigned" => t!(
            "agent-event-assigned",
            who = who,
            detail = detail.unwrap_or("")
        ),
        "delivery_failed" => t!(
            "agent-event-delivery-failed",
            who = who,
            detail = detail.unwrap_or("")
        ),
        "ack_suppressed" => t!("agent-event-ack-suppressed", who = who),
        "team" => t!("agent-event-team", who = who),
        "resolution" => t!("agent-event-resolution", who = who),
        "sla_warning" => t!(
            "agent-event-sla-warning",
            who = who,
            clock = clock_name(new)
        ),
        "sla_breach" => t!("agent-event-sla-breach", who = who, clock = clock_name(new)),
        "escalated" => t!(
            "agent-event-escalated",
            who = who,
            reason = detail.unwrap_or("")
        ),
        "customer_merged" => t!(
            "agent-event-customer-merged",
            who = who,
            old = e.old_value.as_deref().unwrap_or("?"),
            new = e.new_value.as_deref().unwrap_or("?")
        ),
        "customer_merge_undone" => t!(
            "agent-event-customer-merge-undone",
            who = who,
            old = e.old_value.as_deref().unwrap_or("?"),
            new = e.new_value.as_deref().unwrap_or("?")
        ),
        other => t!(
            "agent-event-other",
            who = who,
            what = other.replace('_', " ")
        ),
    }
}

/// Who this customer is to the business: tenure, plan, value, where they came from, risk.
pub fn customer_card(c: &Customer, p: &Profile, now: i64) -> Markup {
    html! {
        @if !p.churn_risk.is_empty() {
            div role="note" aria-label=(t!("agent-card-churn-risk")) {
                ul.risks {
                    @for r in &p.churn_risk { li.risk title=(r.code) { (r.text) } }
                }
            }
        }
        ul.plain {
            (super::crm::identity_lines(c))
            @let since = p.customer_since.unwrap_or(c.created_at);
            li { (rich(&t!("agent-card-since", date = M0, age = age(now, since)), &[date(since)])) }
            @if let Some(plan) = &p.plan {
                li {
                    (rich(&t!("agent-card-plan", plan = M0), &[html! { strong dir="auto" { (plan) } }]))
                    @if let Some(mrr) = &p.mrr { " · " (t!("agent-card-mrr", amount = mrr.to_string(), currency = p.mrr_currency.as_deref().unwrap_or(""))) }
                    @if let Some(s) = &p.subscription_status { " · " bdi { (s) } }
                }
            }
            @if !p.lifetime_value.is_empty() {
                @let values = p.lifetime_value.iter().map(|(cur, v)| format!("{v} {cur}")).collect::<Vec<_>>().join(", ");
                li { (t!("agent-card-lifetime", values = values)) }
            }
            @if let Some(a) = &p.acquisition {
                li { (rich(&t!("agent-card-came-from", source = M0), &[html! { bdi { (a.source.as_deref().unwrap_or("?")) } }])) @if let Some(c) = &a.campaign { " · " bdi { (c) } } }
            }
            @if let Some(s) = &p.last_csat { li { (t!("agent-card-csat", score = s.to_string())) } }
            li { (t!("agent-card-tickets", open = p.open_tickets, total = p.total_tickets)) }
        }
    }
}

fn crm_line(e: &CrmEvent, now: i64) -> Markup {
    let detail = [
        "plan",
        "stage",
        "campaign",
        "utm_source",
        "status",
        "score",
        "title",
        "note",
    ]
    .iter()
    .filter_map(|k| {
        e.attributes.get(*k).and_then(|v| {
            v.as_str()
                .map(str::to_string)
                .or_else(|| (!v.is_null()).then(|| v.to_string()))
        })
    })
    .take(2)
    .collect::<Vec<_>>()
    .join(" · ");
    html! {
        span.muted { (ago(now, e.occurred_at)) " · " }
        strong { (crm_kind_name(e.kind.as_str())) }
        @if let (Some(a), Some(c)) = (&e.amount, &e.currency) { " " (a) " " (c) }
        @if !detail.is_empty() { " — " bdi { (detail) } }
    }
}

/// A CRM event kind (or the timeline's `tickets` filter) in the current language.
fn crm_kind_name(kind: &str) -> String {
    match kind {
        "tickets" => t!("agent-crm-tickets"),
        "order" => t!("agent-crm-order"),
        "subscription" => t!("agent-crm-subscription"),
        "deal" => t!("agent-crm-deal"),
        "campaign_touch" => t!("agent-crm-campaign-touch"),
        "email_engagement" => t!("agent-crm-email-engagement"),
        "csat" => t!("agent-crm-csat"),
        "nps" => t!("agent-crm-nps"),
        "signup" => t!("agent-crm-signup"),
        "note" => t!("agent-crm-note"),
        other => other.replace('_', " "),
    }
}

pub fn human_size(bytes: i64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{:.1} KB", b as f64 / 1024.0),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

pub struct CustomerPage<'a> {
    pub agent: &'a AgentRef,
    pub csrf: &'a str,
    pub customer: &'a Customer,
    pub profile: &'a Profile,
    pub tickets: &'a [Ticket],
    pub crm: &'a [CrmEvent],
    /// `tickets`, a CRM event kind, or everything.
    pub kind: Option<&'a str>,
    /// Identities, merge and merge-history panels (see `views::crm`).
    pub panels: Markup,
    pub now: i64,
}

/// One line of the customer timeline: a ticket or a CRM event.
enum Entry<'a> {
    Ticket(&'a Ticket),
    Crm(&'a CrmEvent),
}

pub fn customer(p: &CustomerPage<'_>) -> Markup {
    let c = p.customer;
    let name = if c.name.is_empty() {
        t!("agent-customer")
    } else {
        c.name.clone()
    };
    let mut entries: Vec<(i64, Entry<'_>)> = Vec::new();
    if p.kind.is_none_or(|k| k == "tickets") {
        entries.extend(p.tickets.iter().map(|t| (t.created_at, Entry::Ticket(t))));
    }
    if p.kind != Some("tickets") {
        entries.extend(p.crm.iter().map(|e| (e.occurred_at, Entry::Crm(e))));
    }
    entries.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
    let kinds = [
        "tickets",
        "order",
        "subscription",
        "deal",
        "campaign_touch",
        "email_engagement",
        "csat",
        "nps",
        "signup",
        "note",
    ];
    page(
        &Frame {
            title: &name,
            agent: Some(p.agent),
            csrf: p.csrf,
        },
        html! {
            div.ticket-layout {
                section {
                    h1 dir="auto" { (name) }
                    nav.filters aria-label=(t!("agent-customer-timeline")) {
                        a href={"/customers/" (c.id)} aria-current=[p.kind.is_none().then_some("page")] { (t!("agent-customer-everything")) }
                        @for k in kinds {
                            a href={"/customers/" (c.id) "?kind=" (k)} aria-current=[(p.kind == Some(k)).then_some("page")] { (crm_kind_name(k)) }
                        }
                    }
                    @if entries.is_empty() { p.empty { (t!("agent-customer-nothing")) } }
                    ol.timeline {
                        @for (_, e) in &entries {
                            @match e {
                                Entry::Ticket(t) => li.ticket {
                                    span.muted { (ago(p.now, t.created_at)) " · " }
                                    (rich(&t!("agent-customer-ticket", ticket = M0), &[html! { a href={"/tickets/" (t.id)} { "#" (t.id) " " bdi { (t.subject) } } }])) " " (status_badge(t.status))
                                },
                                Entry::Crm(ev) => li { (crm_line(ev, p.now)) span.muted { " · " (ev.source) } },
                            }
                        }
                    }
                }
                aside.side {
                    section.card {
                        h2 { (t!("agent-customer-profile")) }
                        (customer_card(c, p.profile, p.now))
                    }
                    (p.panels)
                }
            }
        },
    )
}

pub fn password(agent: &AgentRef, csrf: &str, errors: &[(String, String)], done: bool) -> Markup {
    let title = t!("agent-password-title");
    page(
        &Frame {
            title: &title,
            agent: Some(agent),
            csrf,
        },
        html! {
            section.card.narrow {
                h1 { (title) }
                @if done { p.flash role="status" { (t!("agent-password-done")) } }
                form method="post" action="/account/password" {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="current_password" { (t!("agent-password-current")) }
                    input #current_password type="password" name="current_password" required autocomplete="current-password";
                    (field_error(errors, "current_password"))
                    label for="new_password" { (t!("agent-password-new")) }
                    input #new_password type="password" name="new_password" required autocomplete="new-password";
                    (field_error(errors, "new_password"))
                    button type="submit" { (t!("agent-password-button")) }
                }
            }
        },
    )
}

pub fn quarantine(
    agent: &AgentRef,
    csrf: &str,
    items: &[crate::intake::quarantine::Held],
    show_all: bool,
    next_cursor: Option<i64>,
    now: i64,
) -> Markup {
    let older = next_cursor.map(|c| {
        format!(
            "/admin/quarantine?cursor={c}{}",
            if show_all { "&all=1" } else { "" }
        )
    });
    let title = t!("agent-quarantine-title");
    let status_name = |s: &str| match s {
        "held" => t!("agent-quarantine-status-held"),
        "released" => t!("agent-quarantine-status-released"),
        "dismissed" => t!("agent-quarantine-status-dismissed"),
        other => other.to_string(),
    };
    page(
        &Frame {
            title: &title,
            agent: Some(agent),
            csrf,
        },
        html! {
            section {
                h1 { (t!("agent-quarantine-heading")) }
                p.muted {
                    (t!("agent-quarantine-intro")) " "
                    @if show_all { a href="/admin/quarantine" { (t!("agent-quarantine-held-only")) } } @else { a href="/admin/quarantine?all=1" { (t!("agent-quarantine-show-all")) } }
                }
                @if items.is_empty() {
                    p.empty { (t!("agent-quarantine-empty")) }
                } @else {
                    table.tickets {
                        thead { tr { th { (t!("agent-quarantine-reason")) } th { (t!("agent-quarantine-from")) } th { (t!("agent-quarantine-subject")) } th { (t!("agent-quarantine-size")) } th { (t!("agent-quarantine-received")) } th { (t!("agent-quarantine-status")) } th { span.visually-hidden { (t!("agent-quarantine-actions")) } } } }
                        tbody {
                            @for q in items {
                                tr {
                                    td { span.badge title=(q.reason) { (quarantine_reason(&q.reason)) } br; span.muted.small dir="auto" { (q.detail) } }
                                    td dir="auto" { (q.sender.as_deref().unwrap_or("—")) }
                                    td dir="auto" { (q.subject.as_deref().unwrap_or("—")) }
                                    td { (human_size(q.size_bytes)) }
                                    td { (ago(now, q.created_at)) }
                                    td {
                                        (status_name(&q.status))
                                        @if let Some(t) = q.ticket_id { " → " a href={"/tickets/" (t)} { "#" (t) } }
                                    }
                                    td.actions {
                                        @if q.status == "held" {
                                            @for (action, label) in [("retry", t!("agent-quarantine-retry")), ("release", t!("agent-quarantine-release")), ("dismiss", t!("agent-quarantine-dismiss"))] {
                                                form method="post" action={"/admin/quarantine/" (q.id) "/" (action)} {
                                                    input type="hidden" name="csrf" value=(csrf);
                                                    button.small type="submit" { (label) }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    @if let Some(href) = &older { p { a href=(href) { (t!("agent-quarantine-older")) } } }
                }
            }
        },
    )
}

pub fn admin_agents(
    agent: &AgentRef,
    csrf: &str,
    agents: &[AgentRef],
    errors: &[(String, String)],
    routing: Markup,
) -> Markup {
    let title = t!("agent-admin-title");
    page(
        &Frame {
            title: &title,
            agent: Some(agent),
            csrf,
        },
        html! {
            section {
                h1 { (title) }
                table.tickets {
                    thead { tr { th { (t!("agent-admin-name")) } th { (t!("agent-admin-email")) } th { (t!("agent-admin-role")) } } }
                    tbody { @for a in agents { tr { td dir="auto" { (a.name) } td { (a.email) } td { (role_name(a.role)) } } } }
                }
            }
            (routing)
            section.card.narrow {
                h2 { (t!("agent-admin-add-heading")) }
                form method="post" action="/admin/agents" {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="name" { (t!("agent-admin-name")) } input #name name="name" required dir="auto";
                    (field_error(errors, "name"))
                    label for="email" { (t!("agent-admin-email")) } input #email type="email" name="email" required;
                    (field_error(errors, "email"))
                    label for="role" { (t!("agent-admin-role")) }
                    select #role name="role" { @for r in Role::ALL { option value=(r.as_str()) { (role_name(*r)) } } }
                    (field_error(errors, "role"))
                    label for="password" { (t!("agent-admin-password")) } input #password type="password" name="password" required autocomplete="new-password";
                    (field_error(errors, "password"))
                    button type="submit" { (t!("agent-admin-add")) }
                }
            }
        },
    )
}

/// The customer's private links: how many work and until when; revoke them, or revoke and mail
/// the customer a fresh one (when a link was forwarded to the wrong person, say).
pub fn links_panel(
    csrf: &str,
    ticket_id: i64,
    s: &crate::tickets::links::LinkSummary,
    now: i64,
) -> Markup {
    html! {
        section.card.links {
            h3 { (t!("agent-links-heading")) }
            p.muted.small {
                @if s.active == 0 {
                    (t!("agent-links-none")) " "
                } @else if let Some(e) = s.expires_at {
                    (rich(&t!("agent-links-active-until", count = s.active, date = M0), &[date(e)])) " "
                } @else {
                    (t!("agent-links-active", count = s.active)) " "
                }
                @if let Some(at) = s.last_issued_at { (t!("agent-links-last-sent", ago = ago(now, at))) }
            }
            form.inline method="post" action={"/tickets/" (ticket_id) "/links/reissue"} {
                input type="hidden" name="csrf" value=(csrf);
                button.small type="submit" { (t!("agent-links-reissue")) }
            }
            @if s.active > 0 {
                form.inline method="post" action={"/tickets/" (ticket_id) "/links/revoke"} {
                    input type="hidden" name="csrf" value=(csrf);
                    button.small.secondary type="submit" { (t!("agent-links-revoke")) }
                }
            }
        }
    }
}
