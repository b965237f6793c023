//! Bulk changes: the bar above a ticket list, the confirmation with the count, and the result
//! (what changed, what someone else changed first, what could not change).

use super::layout::{Frame, page};
use crate::auth::AgentRef;
use crate::domain::{Priority, Status};
use crate::tickets::bulk::{Outcome, Run};
use maud::{Markup, html};

/// The list a bar sits on, for "every ticket in this list".
pub struct ListScope<'a> {
    pub queue: &'a str,
    pub team: Option<i64>,
    pub tag: Option<&'a str>,
}

/// The bulk bar: rows select themselves into it with `form="bulk"` checkboxes.
pub fn bar(
    csrf: &str,
    agents: &[AgentRef],
    macros: &[crate::search::replies::SavedReply],
    teams: &[(i64, String)],
    back: &str,
    list: Option<&ListScope<'_>>,
) -> Markup {
    html! {
        form #bulk.row.bulk method="post" action="/tickets/bulk" {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="back" value=(back);
            @if let Some(l) = list {
                input type="hidden" name="queue" value=(l.queue);
                @if let Some(team) = l.team { input type="hidden" name="team" value=(team); }
                @if let Some(tag) = l.tag { input type="hidden" name="tag" value=(tag); }
                label for="bulk-scope" { "Change" }
                select #bulk-scope name="scope" {
                    option value="selected" { "the selected tickets" }
                    option value="all" { "every ticket in this list" }
                }
            } @else {
                span { "Selected tickets:" }
            }
            label for="bulk-status" { "status" }
            select #bulk-status name="status" {
                option value="" { "(no change)" }
                @for s in Status::ALL { option value=(s.as_str()) { (s.as_str()) } }
            }
            label for="bulk-priority" { "priority" }
            select #bulk-priority name="priority" {
                option value="" { "(no change)" }
                @for p in Priority::ALL { option value=(p.as_str()) { (p.as_str()) } }
            }
            label for="bulk-assignee" { "assignee" }
            select #bulk-assignee name="assignee_id" {
                option value="" { "(no change)" }
                option value="none" { "Unassigned" }
                @for a in agents { option value=(a.id) { (a.name) } }
            }
            @if !teams.is_empty() {
                label for="bulk-team" { "team" }
                select #bulk-team name="team_id" {
                    option value="" { "(no change)" }
                    @for (id, name) in teams { option value=(id) { (name) } }
                }
            }
            label for="bulk-add-tag" { "add tags" }
            input #bulk-add-tag name="add_tags" dir="auto" size="10" list="tag-suggestions";
            label for="bulk-remove-tag" { "remove tags" }
            input #bulk-remove-tag name="remove_tags" dir="auto" size="10" list="tag-suggestions";
            @if !macros.is_empty() {
                label for="bulk-macro" { "macro" }
                select #bulk-macro name="macro_id" {
                    option value="" { "(none)" }
                    @for m in macros { option value=(m.id) { (m.title) } }
                }
            }
            button type="submit" { "Apply…" }
        }
    }
}

/// "Apply status → solved to 12 tickets?", resubmitting the same fields with `confirm=1`.
pub fn confirm(
    agent: &AgentRef,
    csrf: &str,
    fields: &[(String, String)],
    count: usize,
    what: &str,
    back: &str,
) -> Markup {
    page(
        &Frame {
            title: "Confirm bulk change",
            agent: Some(agent),
            csrf,
        },
        html! {
            section.card.reading {
                h1 { "Change " (count) " " (if count == 1 { "ticket" } else { "tickets" }) "?" }
                p { (what) }
                p.muted.small { "Tickets someone else changes in the meantime are left alone and listed afterwards." }
                form method="post" action="/tickets/bulk" {
                    @for (k, v) in fields {
                        @if k != "confirm" { input type="hidden" name=(k) value=(v); }
                    }
                    input type="hidden" name="confirm" value="1";
                    button type="submit" autofocus { "Change " (count) " " (if count == 1 { "ticket" } else { "tickets" }) }
                    " "
                    a href=(back) { "Cancel" }
                }
            }
        },
    )
}

pub fn result(agent: &AgentRef, csrf: &str, out: &Outcome, what: &str, back: &str) -> Markup {
    page(
        &Frame {
            title: "Bulk change",
            agent: Some(agent),
            csrf,
        },
        html! {
            section.card.reading {
                h1 { "Changed " (out.changed.len()) " " (if out.changed.len() == 1 { "ticket" } else { "tickets" }) }
                p { (what) }
                @if !out.stale.is_empty() {
                    div.flash.error role="alert" {
                        p { (out.stale.len()) " changed by someone else after you loaded the list, so they were left alone:" }
                        p { @for s in &out.stale { a href={"/tickets/" (s.id)} { "#" (s.id) } " " } }
                    }
                }
                @if !out.failed.is_empty() {
                    div.flash.error role="alert" {
                        p { (out.failed.len()) " could not change:" }
                        ul { @for f in &out.failed { li { a href={"/tickets/" (f.id)} { "#" (f.id) } ": " (f.error) } } }
                    }
                }
                p { a.button href=(back) { "Back to the list" } }
            }
        },
    )
}

/// A large bulk change under way: how far it got (the page reloads itself until it is done).
pub fn progress(agent: &AgentRef, csrf: &str, run: &Run) -> Markup {
    page(
        &Frame {
            title: "Bulk change",
            agent: Some(agent),
            csrf,
        },
        html! {
            section.card.reading {
                h1 { "Changing " (run.total) " tickets…" }
                p { (run.summary) }
                p {
                    label for="bulk-progress" { (run.done) " of " (run.total) " done" }
                    " "
                    progress #bulk-progress max=(run.total) value=(run.done) { (run.done) " of " (run.total) }
                }
                p.muted.small {
                    (run.outcome.changed.len()) " changed, " (run.outcome.stale.len()) " left alone (changed by someone else), "
                    (run.outcome.failed.len()) " could not change. You can leave this page: the change goes on."
                }
                p { a.button href=(run.back) { "Back to the list" } }
            }
        },
    )
}
