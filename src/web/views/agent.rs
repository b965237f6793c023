//! Pages for agents: login, queues, the ticket page, the customer page, password, admin.

use super::layout::{Frame, age, ago, badge, date, field_error, page, plural, time, url_encode};
use crate::auth::AgentRef;
use crate::customers::Customer;
use crate::customers::crm::{CrmEvent, Profile};
use crate::domain::{Priority, Role, Status, Visibility};
use crate::tickets::commands::ChangeEvent;
use crate::tickets::{Event, Message, Queue, Ticket};
use maud::{Markup, html};

pub fn login(csrf: &str, email: &str, error: Option<&str>, next: &str) -> Markup {
    page(
        &Frame {
            title: "Log in",
            agent: None,
            csrf,
        },
        html! {
            section.card.narrow {
                h1 { "Log in to Casebook" }
                @if let Some(e) = error { p.flash.error role="alert" { (e) } }
                form method="post" action="/login" {
                    input type="hidden" name="csrf" value=(csrf);
                    @if next != "/tickets" { input type="hidden" name="next" value=(next); }
                    label for="email" { "Email" }
                    input #email type="email" name="email" value=(email) required autocomplete="username";
                    label for="password" { "Password" }
                    input #password type="password" name="password" required autocomplete="current-password";
                    button type="submit" { "Log in" }
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
    let title = Queue::ALL
        .iter()
        .find(|(q, _, _)| *q == p.queue)
        .map(|(_, _, t)| *t)
        .unwrap_or("Tickets");
    page(
        &Frame {
            title,
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
                            " · " (team) " "
                            a.small href={"/tickets?queue=" (p.queue.key())} title="Show every team" { "(all teams)" }
                        }
                        @if let Some(tag) = p.tag {
                            " · tagged " span.tag dir="auto" { (tag) } " "
                            a.small href={"/tickets?queue=" (p.queue.key()) @if let Some((team, _)) = p.team { "&team=" (team) }} title="Show every tag" { "(any tag)" }
                        }
                    }
                    @if p.tickets.is_empty() {
                        p.empty { "Nothing here. " @if p.queue == Queue::Mine { "Pick a ticket from Unassigned." } }
                    } @else {
                        (super::bulk::bar(p.csrf, p.agents, p.macros, p.teams, &back, Some(&scope)))
                        (ticket_table(p))
                        (save_view_form(p))
                        p.muted.small.kb-hint { "Keyboard: " kbd { "j" } " / " kbd { "k" } " to move, " kbd { "o" } " to open, " kbd { "?" } " for every shortcut." }
                        @if p.queue == Queue::Mine && p.next_cursor.is_none() {
                            p.muted.small { "Most urgent SLA first. " a href="/tickets?queue=mine&sort=newest" { "Newest first" } }
                        }
                        @if let Some(c) = p.next_cursor {
                            p { a.button href={"/tickets?queue=" (p.queue.key()) "&cursor=" (c) @if let Some((team, _)) = p.team { "&team=" (team) } @if let Some(tag) = p.tag { "&tag=" (url_encode(tag)) }} { "Older tickets →" } }
                        }
                    }
                }
            }
        },
    )
}

fn display_name(t: &Ticket) -> &str {
    if t.customer_name.is_empty() {
        t.customer_email.as_deref().unwrap_or("(unknown)")
    } else {
        &t.customer_name
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
    fn field_label(f: &str) -> &str {
        match f {
            "assignee_id" => "assignee",
            "team_id" => "team",
            "customer_id" => "customer",
            "resolution_message_id" => "solution",
            "message" => "public message",
            "ticket" => "ticket",
            other => other,
        }
    }
    let value = |field: &str, v: Option<&str>| -> String {
        match (field, v) {
            (_, None) => "none".into(),
            ("assignee_id", Some(id)) => agent_name(agents, Some(id)),
            (_, Some(v)) => v.to_string(),
        }
    };
    html! {
        section.card.conflict #conflict role="alert" {
            h2 { "This ticket changed since you opened it" }
            ul {
                @for c in changes {
                    @for f in &c.fields {
                        li {
                            strong { (c.who()) } " "
                            @match f.field.as_str() {
                                "message" | "note" => { "added a " (if f.field == "note" { "internal note" } else { "message" }) }
                                "ticket" => { "created the ticket" }
                                field => { "changed " (field_label(field)) " " span.old { (value(field, f.old.as_deref())) } " → " span.new { (value(field, f.new.as_deref())) } }
                            }
                            span.muted { " · " (ago(now, c.created_at)) }
                        }
                    }
                }
                @if changes.is_empty() { li { "Its history was updated." } }
            }
            @if let Some(m) = mine.filter(|m| !m.is_empty()) {
                p { "Your change was not saved: "
                    @if let Some(s) = m.status { "status → " strong { (s.as_str()) } " " }
                    @if let Some(p) = m.priority { "priority → " strong { (p.as_str()) } " " }
                    @if let Some(a) = m.assignee_id { "assignee → " strong { (match a { Some(id) => agent_name(agents, Some(&id.to_string())), None => "unassigned".into() }) } }
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
                    button type="submit" #reapply { "Apply my change" }
                    " "
                    a.button.secondary href={"/tickets/" (t.id)} #discard { "Keep the ticket as it is" }
                }
            }
            @if reply_kept {
                p { "Your reply was " strong { "not sent" } ". It is kept in the reply box below: read the changes, then send it again." }
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
                    h1 { span.muted { "#" (t.id) " " } (t.subject) }
                    p.presence #presence aria-live="polite" {
                        @for who in p.present.iter().filter(|w| w.agent_id != p.agent.id) {
                            span.who data-agent-id=(who.agent_id) { (who.agent_name) (if who.state == "replying" { " is replying…" } else { " is viewing" }) }
                        }
                    }
                    p.meta #ticket-meta {
                        (badge("status", t.status.as_str())) " " (badge("priority", t.priority.as_str()))
                        " via " (t.channel) " · opened " (time(t.created_at))
                        @if let Some(f) = t.follow_up_of_id { " · follow-up of " a href={"/tickets/" (f)} { "#" (f) } }
                    }
                    ol.messages #messages {
                        @for m in p.messages {
                            li class={"message " (m.author_kind.as_str()) " " (m.visibility.as_str())} {
                                div.message-head {
                                    strong { (m.author_name) }
                                    @if m.visibility == Visibility::Internal { " " span.badge.internal { "internal note" } }
                                    " · " (time(m.created_at))
                                    @if Some(m.id) != p.messages.first().map(|f| f.id) && t.merged_into_id.is_none() {
                                        form.inline.split method="post" action={"/messages/" (m.id) "/split"} {
                                            input type="hidden" name="csrf" value=(p.csrf);
                                            " " button.small.quiet type="submit" title="Move this message into a new ticket of the same customer" { "Split off" }
                                        }
                                    }
                                }
                                div.body dir="auto" { (m.body_text) }
                                @if let Some(forwarded) = m.full_text.as_deref().and_then(crate::email::forwarded_part) {
                                    figure.forwarded {
                                        figcaption.muted.small { "Forwarded message" }
                                        blockquote.body dir="auto" { (forwarded) }
                                    }
                                }
                                @if let Some(full) = m.full_text.as_deref().filter(|f| f.trim() != m.body_text.trim()) {
                                    details.full {
                                        summary { "Show full message" }
                                        div.body dir="auto" { (full) }
                                    }
                                }
                                @if m.mail_kind.as_deref() == Some("auto_reply") { p.muted.small { "Automatic reply — no acknowledgement was sent." } }
                                @if m.mail_kind.as_deref() == Some("list") { p.muted.small { "Sent through a mailing list — no acknowledgement was sent." } }
                                @if let Some(reason) = m.thread_reason.as_ref().filter(|_| m.mail_kind.is_some()) { p.muted.small title="How this email found its ticket" { "Threading: " (reason) } }
                                @match m.delivery_status.as_deref() {
                                    Some("failed") => p.delivery.failed role="status" { "Email not delivered: " (m.delivery_error.as_deref().unwrap_or("unknown error")) },
                                    Some("queued") => p.muted.small { "Email queued" },
                                    Some("sent") => p.muted.small { "Emailed to the customer" },
                                    _ => {}
                                }
                                @if !m.attachments.is_empty() {
                                    ul.attachments {
                                        @for a in &m.attachments {
                                            li {
                                                @if is_image(&a.content_type) {
                                                    a.thumb href={"/attachments/" (a.id) "/preview"} target="_blank" rel="noopener" title={"View " (a.filename)} {
                                                        img src={"/attachments/" (a.id) "/preview"} alt=(a.filename) loading="lazy";
                                                    }
                                                }
                                                a href={"/attachments/" (a.id)} download { (a.filename) } " (" (human_size(a.size_bytes)) ")"
                                                @if a.content_type.eq_ignore_ascii_case("application/pdf") {
                                                    " · " a href={"/attachments/" (a.id) "/preview"} target="_blank" rel="noopener" { "open" }
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
                        label for="body" { "Reply to " (display_name(t)) " or add an internal note" }
                        textarea #body name="body" rows="6" required dir="auto" aria-describedby="body-error draft-status" data-draft-unsaved[p.draft_unsaved] { (p.draft) }
                        p #draft-status .muted.small aria-live="polite" {}
                        (field_error(p.errors, "body"))
                        label.files for="reply-attachment" { "Attach files " input #reply-attachment type="file" name="attachment" multiple; }
                        (field_error(p.errors, "attachment"))
                        div.row {
                            label { input type="radio" name="visibility" value="public" checked[p.visibility == Visibility::Public]; " Public reply" }
                            label { input type="radio" name="visibility" value="internal" checked[p.visibility == Visibility::Internal]; " Internal note" }
                            label for="reply-status" { "and set status" }
                            select #reply-status name="status" {
                                option value="" { "(keep)" }
                                @for s in Status::ALL { option value=(s.as_str()) { (s.as_str()) } }
                            }
                            button type="submit" { "Send" }
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
                        h2 { "Ticket" }
                        form #ticket-update method="post" action={"/tickets/" (t.id) "/update"} {
                            input type="hidden" name="csrf" value=(p.csrf);
                            input type="hidden" name="version" value=(t.version);
                            input type="hidden" name="status_was" value=(t.status.as_str());
                            input type="hidden" name="priority_was" value=(t.priority.as_str());
                            input type="hidden" name="assignee_was" value=(t.assignee_id.map(|a| a.to_string()).unwrap_or_default());
                            label for="status" { "Status" }
                            select #status name="status" {
                                @for s in Status::ALL {
                                    option value=(s.as_str()) selected[*s == t.status] disabled[!t.status.can_move_to(*s)] { (s.as_str()) }
                                }
                            }
                            label for="priority" { "Priority" }
                            select #priority name="priority" {
                                @for pr in Priority::ALL { option value=(pr.as_str()) selected[*pr == t.priority] { (pr.as_str()) } }
                            }
                            label for="assignee" { "Assignee" }
                            select #assignee name="assignee_id" {
                                option value="" selected[t.assignee_id.is_none()] { "Unassigned" }
                                @for a in p.agents { option value=(a.id) selected[Some(a.id) == t.assignee_id] { (a.name) } }
                            }
                            (super::assign::assignment_note(p.events))
                            button type="submit" { "Update" }
                        }
                    }
                    section.card {
                        h2 { a href={"/customers/" (p.customer.id)} { (if p.customer.name.is_empty() { "Customer" } else { &p.customer.name }) } }
                        (customer_card(p.customer, p.profile, p.now))
                        @if !p.crm.is_empty() {
                            h3 { "Recent activity" }
                            ol.events { @for e in p.crm { li { (crm_line(e, p.now)) } } }
                        }
                    }
                    section.card {
                        h2 { "History" }
                        ol.events #history {
                            @for e in p.events {
                                li { span.muted { (ago(p.now, e.created_at)) " · " } (match e.actor.as_str() { "system" => "Casebook", "customer" => "The customer", a => a }) " " (describe_event(e, p.agents)) }
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
    use crate::tickets::views::{COLUMNS, DEFAULT_COLUMNS};
    let columns: Vec<&str> = match p.view {
        Some(v) => v.filters.shown_columns(),
        None => DEFAULT_COLUMNS.to_vec(),
    };
    let heading = |c: &str| {
        COLUMNS
            .iter()
            .find(|(k, _)| *k == c)
            .map(|(_, h)| *h)
            .unwrap_or("")
    };
    let cell = |t: &Ticket, c: &str| -> Markup {
        match c {
            "customer" => {
                html! { td { a href={"/customers/" (t.customer_id)} dir="auto" { (display_name(t)) } } }
            }
            "status" => html! { td { (badge("status", t.status.as_str())) } },
            "priority" => html! { td { (badge("priority", t.priority.as_str())) } },
            "assignee" => html! { td { (t.assignee_name.as_deref().unwrap_or("—")) } },
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
            "channel" => html! { td { (t.channel) } },
            "age" => {
                html! { td title="Time since the ticket was created" { (age(p.now, t.created_at)) } }
            }
            "updated" => {
                html! { td title="Time since the last change" { (age(p.now, t.updated_at)) } }
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
                thead { tr { th { span.visually-hidden { "Select" } } th { "#" } th { "Subject" } @for c in &columns { th { (heading(c)) } } } }
                tbody {
                    @for t in p.tickets {
                        tr #{"ticket-" (t.id)} data-version=(t.version) {
                            td { input type="checkbox" name="ticket_id" value={(t.id) ":" (t.version)} form="bulk" aria-label={"Select #" (t.id)}; }
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
            summary { "Save as a view…" }
            form.row method="post" action="/views" {
                input type="hidden" name="csrf" value=(p.csrf);
                input type="hidden" name="queue" value=(p.queue.key());
                @if let Some((team, _)) = p.team { input type="hidden" name="team" value=(team); }
                label { "Name " input name="name" required dir="auto" size="18"; }
                label { "status " select name="status" { option value="" { "any" } @for s in Status::ALL { option value=(s.as_str()) { (s.as_str()) } } } }
                label { "priority " select name="priority" { option value="" { "any" } @for pr in Priority::ALL { option value=(pr.as_str()) { (pr.as_str()) } } } }
                label { "assignee " select name="assignee" { option value="" { "anyone" } option value="me" { "me" } @for a in p.agents { option value=(a.id) { (a.name) } } } }
                label { "tag " input name="tag" value=(p.tag.unwrap_or("")) dir="auto" size="10"; }
                label { "channel " select name="channel" { option value="" { "any" } @for c in ["email", "web", "api"] { option value=(c) { (c) } } } }
                label { "no change for (hours) " input name="idle_hours" type="number" min="1" size="4"; }
                label { "customer waiting for (hours) " input name="waiting_hours" type="number" min="1" size="4"; }
                label { "SLA " select name="sla" { option value="" { "any" } @for (_, k, label) in crate::tickets::repo::SlaFilter::ALL { option value=(k) { (label) } } } }
                label { "VIP " select name="vip" { option value="" { "any" } option value="yes" { "VIP customers" } option value="no" { "not VIP" } } }
                label { "plan " input name="plan" dir="auto" size="10"; }
                label { "segment " input name="segment" dir="auto" size="10"; }
                label { "sort " select name="sort" { @for (_, k, label) in crate::tickets::repo::Sort::ALL { option value=(k) { (label) } } } }
                fieldset.columns {
                    legend { "Columns" }
                    @for (k, h) in crate::tickets::views::COLUMNS {
                        label.check { input type="checkbox" name="columns" value=(k) checked[crate::tickets::views::DEFAULT_COLUMNS.contains(&k)]; " " (h) }
                    }
                }
                @if p.agent.role.is_lead_or_admin() {
                    label { "shared with " select name="shared" {
                        option value="" { "nobody (mine)" }
                        option value="all" { "everyone" }
                        @for (id, name) in p.teams { option value=(id) { "team " (name) } }
                    } }
                }
                button type="submit" { "Save view" }
            }
        }
    }
}

/// The queues, then the saved views with their counts.
fn queue_sidebar(p: &QueuePage<'_>) -> Markup {
    html! {
        nav.sidebar #queue-counts aria-label="Queues" {
            @for (q, key, label) in Queue::ALL {
                a href={"/tickets?queue=" (key)} aria-current=[(p.view.is_none() && q == p.queue).then_some("page")] {
                    span { (label) }
                    @if let Some((_, n)) = p.counts.iter().find(|(c, _)| *c == q) { span.count { (n) } }
                }
            }
            @if !p.views.is_empty() {
                span.sidebar-heading { "Views" }
                @for (v, count) in p.views {
                    a href={"/tickets?saved_view=" (v.id)} aria-current=[(p.view.map(|x| x.id) == Some(v.id)).then_some("page")] {
                        span dir="auto" { (v.name) @if v.shared { span.visually-hidden { " (shared)" } } }
                        @if let Some((n, more)) = count { span.count { (n) @if *more { "+" } } }
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
                    h1 dir="auto" { (v.name) " " span.muted.small {
                        @if !v.shared { "your view" }
                        @else if let Some(t) = v.team_id { "shared with team " (p.teams.iter().find(|(id, _)| *id == t).map(|(_, n)| n.as_str()).unwrap_or("?")) }
                        @else { "shared view" }
                    } }
                    p.muted.small { (v.filters.describe(p.agents, p.teams)) }
                    @if p.tickets.is_empty() {
                        p.empty { "No ticket matches this view now." }
                    } @else {
                        (super::bulk::bar(p.csrf, p.agents, p.macros, p.teams, &back, None))
                        (ticket_table(p))
                        @if let Some(c) = p.next_cursor {
                            p { a.button href={"/tickets?saved_view=" (v.id) "&cursor=" (c)} { "More tickets →" } }
                        }
                    }
                    form.inline method="post" action={"/views/" (v.id) "/delete"} {
                        input type="hidden" name="csrf" value=(p.csrf);
                        button.small type="submit" { "Delete this view" }
                    }
                }
            }
        },
    )
}

fn agent_name(agents: &[AgentRef], id: Option<&str>) -> String {
    match id.and_then(|s| s.parse::<i64>().ok()) {
        None => "nobody".into(),
        Some(id) => agents
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.name.clone())
            .unwrap_or_else(|| format!("agent {id}")),
    }
}

pub fn describe_event(e: &Event, agents: &[AgentRef]) -> String {
    let old = e.old_value.as_deref().unwrap_or("—");
    let new = e.new_value.as_deref().unwrap_or("—");
    match e.kind.as_str() {
        "created" => format!(
            "created the ticket via {new}{}",
            e.detail
                .as_deref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default()
        ),
        "status" => format!("changed status {old} → {new}"),
        "priority" => format!("changed priority {old} → {new}"),
        "assignee" => format!(
            "reassigned {} → {}",
            agent_name(agents, e.old_value.as_deref()),
            agent_name(agents, e.new_value.as_deref())
        ),
        "subject" => format!("renamed the ticket from “{old}”"),
        "tag_added" => format!("tagged it {new}"),
        "merged_into" => format!("merged it into {new}"),
        "merged_from" => format!(
            "merged {} into it",
            e.detail.as_deref().unwrap_or("a ticket")
        ),
        "merge_undone" => "undid a merge".into(),
        "split_from" => format!("split it off {}", e.detail.as_deref().unwrap_or("a ticket")),
        "split_to" => format!(
            "split a message off into {}",
            e.detail.as_deref().unwrap_or("a new ticket")
        ),
        "tag_removed" => format!("removed the tag {old}"),
        "cc_added" => format!("copied {new}"),
        "cc_removed" => format!("stopped copying {old}"),
        "reply" => "replied".into(),
        "note" => "added an internal note".into(),
        "first_response" => "sent the first response".into(),
        "routed" => format!("routed the ticket: {}", e.detail.as_deref().unwrap_or("")),
        "assigned" => format!("auto-assigned: {}", e.detail.as_deref().unwrap_or("")),
        "delivery_failed" => format!(
            "could not deliver an email: {}",
            e.detail.as_deref().unwrap_or("")
        ),
        "ack_suppressed" => "sent no acknowledgement (limit for this customer reached)".into(),
        "customer_merged" | "customer_merge_undone" => format!(
            "{} the customer: {} → {}",
            if e.kind == "customer_merged" {
                "merged"
            } else {
                "undid the merge of"
            },
            e.old_value.as_deref().unwrap_or("?"),
            e.new_value.as_deref().unwrap_or("?")
        ),
        other => other.replace('_', " "),
    }
}

/// Who this customer is to the business: tenure, plan, value, where they came from, risk.
pub fn customer_card(c: &Customer, p: &Profile, now: i64) -> Markup {
    html! {
        @if !p.churn_risk.is_empty() {
            ul.risks role="note" aria-label="Churn risk" {
                @for r in &p.churn_risk { li.risk title=(r.code) { (r.text) } }
            }
        }
        ul.plain {
            (super::crm::identity_lines(c))
            li { "Customer since " (date(p.customer_since.unwrap_or(c.created_at))) " (" (age(now, p.customer_since.unwrap_or(c.created_at))) ")" }
            @if let Some(plan) = &p.plan {
                li {
                    "Plan " strong { (plan) }
                    @if let Some(mrr) = &p.mrr { " · MRR " (mrr) " " (p.mrr_currency.as_deref().unwrap_or("")) }
                    @if let Some(s) = &p.subscription_status { " · " (s) }
                }
            }
            @if !p.lifetime_value.is_empty() {
                li { "Lifetime value " @for (i, (cur, v)) in p.lifetime_value.iter().enumerate() { @if i > 0 { ", " } (v) " " (cur) } }
            }
            @if let Some(a) = &p.acquisition {
                li { "Came from " (a.source.as_deref().unwrap_or("?")) @if let Some(c) = &a.campaign { " · " (c) } }
            }
            @if let Some(s) = &p.last_csat { li { "Last CSAT " (s) } }
            li { (p.open_tickets) " open · " (plural(p.total_tickets, "ticket")) " in all" }
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
        strong { (e.kind.as_str().replace('_', " ")) }
        @if let (Some(a), Some(c)) = (&e.amount, &e.currency) { " " (a) " " (c) }
        @if !detail.is_empty() { " — " (detail) }
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
        "Customer"
    } else {
        &c.name
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
            title: name,
            agent: Some(p.agent),
            csrf: p.csrf,
        },
        html! {
            div.ticket-layout {
                section {
                    h1 { (name) }
                    nav.filters aria-label="Timeline filter" {
                        a href={"/customers/" (c.id)} aria-current=[p.kind.is_none().then_some("page")] { "Everything" }
                        @for k in kinds {
                            a href={"/customers/" (c.id) "?kind=" (k)} aria-current=[(p.kind == Some(k)).then_some("page")] { (k.replace('_', " ")) }
                        }
                    }
                    @if entries.is_empty() { p.empty { "Nothing yet." } }
                    ol.timeline {
                        @for (_, e) in &entries {
                            @match e {
                                Entry::Ticket(t) => li.ticket {
                                    span.muted { (ago(p.now, t.created_at)) " · " }
                                    "Ticket " a href={"/tickets/" (t.id)} { "#" (t.id) " " (t.subject) } " " (badge("status", t.status.as_str()))
                                },
                                Entry::Crm(ev) => li { (crm_line(ev, p.now)) span.muted { " · " (ev.source) } },
                            }
                        }
                    }
                }
                aside.side {
                    section.card {
                        h2 { "Profile" }
                        (customer_card(c, p.profile, p.now))
                    }
                    (p.panels)
                }
            }
        },
    )
}

pub fn password(agent: &AgentRef, csrf: &str, errors: &[(String, String)], done: bool) -> Markup {
    page(
        &Frame {
            title: "Change password",
            agent: Some(agent),
            csrf,
        },
        html! {
            section.card.narrow {
                h1 { "Change password" }
                @if done { p.flash role="status" { "Password changed. Other sessions were logged out." } }
                form method="post" action="/account/password" {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="current_password" { "Current password" }
                    input #current_password type="password" name="current_password" required autocomplete="current-password";
                    (field_error(errors, "current_password"))
                    label for="new_password" { "New password (at least 12 characters; a few unrelated words work well)" }
                    input #new_password type="password" name="new_password" required autocomplete="new-password";
                    (field_error(errors, "new_password"))
                    button type="submit" { "Change password" }
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
    page(
        &Frame {
            title: "Quarantine",
            agent: Some(agent),
            csrf,
        },
        html! {
            section {
                h1 { "Quarantined email" }
                p.muted {
                    "Mail that could not become a ticket by itself. Nothing here is lost: retry runs every check again, "
                    "release makes a ticket regardless, dismiss keeps the message but stops showing it. "
                    @if show_all { a href="/admin/quarantine" { "Show held only" } } @else { a href="/admin/quarantine?all=1" { "Show resolved too" } }
                }
                @if items.is_empty() {
                    p.empty { "Nothing is held." }
                } @else {
                    table.tickets {
                        thead { tr { th { "Reason" } th { "From" } th { "Subject" } th { "Size" } th { "Received" } th { "Status" } th { span.visually-hidden { "Actions" } } } }
                        tbody {
                            @for q in items {
                                tr {
                                    td { span.badge title=(q.detail) { (q.reason) } br; span.muted.small { (q.detail) } }
                                    td { (q.sender.as_deref().unwrap_or("—")) }
                                    td dir="auto" { (q.subject.as_deref().unwrap_or("—")) }
                                    td { (human_size(q.size_bytes)) }
                                    td { (ago(now, q.created_at)) }
                                    td {
                                        (q.status)
                                        @if let Some(t) = q.ticket_id { " → " a href={"/tickets/" (t)} { "#" (t) } }
                                    }
                                    td.actions {
                                        @if q.status == "held" {
                                            @for (action, label) in [("retry", "Retry"), ("release", "Release as ticket"), ("dismiss", "Dismiss")] {
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
                    @if let Some(href) = &older { p { a href=(href) { "Older →" } } }
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
    page(
        &Frame {
            title: "Agents",
            agent: Some(agent),
            csrf,
        },
        html! {
            section {
                h1 { "Agents" }
                table.tickets {
                    thead { tr { th { "Name" } th { "Email" } th { "Role" } } }
                    tbody { @for a in agents { tr { td { (a.name) } td { (a.email) } td { (a.role.as_str()) } } } }
                }
            }
            (routing)
            section.card.narrow {
                h2 { "Add an agent" }
                form method="post" action="/admin/agents" {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="name" { "Name" } input #name name="name" required;
                    (field_error(errors, "name"))
                    label for="email" { "Email" } input #email type="email" name="email" required;
                    (field_error(errors, "email"))
                    label for="role" { "Role" }
                    select #role name="role" { @for r in Role::ALL { option value=(r.as_str()) { (r.as_str()) } } }
                    (field_error(errors, "role"))
                    label for="password" { "Initial password" } input #password type="password" name="password" required autocomplete="new-password";
                    (field_error(errors, "password"))
                    button type="submit" { "Add agent" }
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
            h3 { "Customer link" }
            p.muted.small {
                @if s.active == 0 {
                    "No working link. "
                } @else {
                    (plural(s.active, "working link"))
                    @if let Some(e) = s.expires_at { ", the newest until " (date(e)) }
                    ". "
                }
                @if let Some(at) = s.last_issued_at { "Last sent " (ago(now, at)) "." }
            }
            form.inline method="post" action={"/tickets/" (ticket_id) "/links/reissue"} {
                input type="hidden" name="csrf" value=(csrf);
                button.small type="submit" { "Revoke and mail a new link" }
            }
            @if s.active > 0 {
                form.inline method="post" action={"/tickets/" (ticket_id) "/links/revoke"} {
                    input type="hidden" name="csrf" value=(csrf);
                    button.small.secondary type="submit" { "Revoke all" }
                }
            }
        }
    }
}
