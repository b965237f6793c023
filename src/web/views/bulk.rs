//! Bulk changes: the bar above a ticket list, the confirmation with the count, and the result
//! (what changed, what someone else changed first, what could not change).

use super::assign::priority_name;
use super::layout::{Frame, page};
use super::sla::status_name;
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
                label for="bulk-scope" { (t!("bulk-change")) }
                select #bulk-scope name="scope" {
                    option value="selected" { (t!("bulk-scope-selected")) }
                    option value="all" { (t!("bulk-scope-all")) }
                }
            } @else {
                span { (t!("bulk-selected-tickets")) }
            }
            label for="bulk-status" { (t!("bulk-status")) }
            select #bulk-status name="status" {
                option value="" { (t!("bulk-no-change")) }
                @for s in Status::ALL { option value=(s.as_str()) { (status_name(*s)) } }
            }
            label for="bulk-priority" { (t!("bulk-priority")) }
            select #bulk-priority name="priority" {
                option value="" { (t!("bulk-no-change")) }
                @for p in Priority::ALL { option value=(p.as_str()) { (priority_name(*p)) } }
            }
            label for="bulk-assignee" { (t!("bulk-assignee")) }
            select #bulk-assignee name="assignee_id" {
                option value="" { (t!("bulk-no-change")) }
                option value="none" { (t!("bulk-unassigned")) }
                @for a in agents { option value=(a.id) dir="auto" { (a.name) } }
            }
            @if !teams.is_empty() {
                label for="bulk-team" { (t!("bulk-team")) }
                select #bulk-team name="team_id" {
                    option value="" { (t!("bulk-no-change")) }
                    @for (id, name) in teams { option value=(id) dir="auto" { (name) } }
                }
            }
            label for="bulk-add-tag" { (t!("bulk-add-tags")) }
            input #bulk-add-tag name="add_tags" dir="auto" size="10" list="tag-suggestions";
            label for="bulk-remove-tag" { (t!("bulk-remove-tags")) }
            input #bulk-remove-tag name="remove_tags" dir="auto" size="10" list="tag-suggestions";
            @if !macros.is_empty() {
                label for="bulk-macro" { (t!("bulk-macro")) }
                select #bulk-macro name="macro_id" {
                    option value="" { (t!("bulk-no-macro")) }
                    @for m in macros { option value=(m.id) dir="auto" { (m.title) } }
                }
            }
            button type="submit" { (t!("bulk-apply")) }
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
    let title = t!("bulk-confirm-title");
    page(
        &Frame {
            title: &title,
            agent: Some(agent),
            csrf,
        },
        html! {
            section.card.reading {
                h1 { (t!("bulk-confirm-heading", count = count)) }
                p dir="auto" { (what) }
                p.muted.small { (t!("bulk-confirm-help")) }
                form method="post" action="/tickets/bulk" {
                    @for (k, v) in fields {
                        @if k != "confirm" { input type="hidden" name=(k) value=(v); }
                    }
                    input type="hidden" name="confirm" value="1";
                    button type="submit" autofocus { (t!("bulk-confirm-button", count = count)) }
                    " "
                    a href=(back) { (t!("button-cancel")) }
                }
            }
        },
    )
}

pub fn result(agent: &AgentRef, csrf: &str, out: &Outcome, what: &str, back: &str) -> Markup {
    let title = t!("bulk-title");
    page(
        &Frame {
            title: &title,
            agent: Some(agent),
            csrf,
        },
        html! {
            section.card.reading {
                h1 { (t!("bulk-result-heading", count = out.changed.len())) }
                p dir="auto" { (what) }
                @if !out.stale.is_empty() {
                    div.flash.error role="alert" {
                        p { (t!("bulk-result-stale", count = out.stale.len())) }
                        p { @for s in &out.stale { a href={"/tickets/" (s.id)} { "#" (s.id) } " " } }
                    }
                }
                @if !out.failed.is_empty() {
                    div.flash.error role="alert" {
                        p { (t!("bulk-result-failed", count = out.failed.len())) }
                        ul { @for f in &out.failed { li { a href={"/tickets/" (f.id)} { "#" (f.id) } ": " span dir="auto" { (f.error) } } } }
                    }
                }
                p { a.button href=(back) { (t!("bulk-back")) } }
            }
        },
    )
}

/// A large bulk change under way: how far it got (the page reloads itself until it is done).
pub fn progress(agent: &AgentRef, csrf: &str, run: &Run) -> Markup {
    let title = t!("bulk-title");
    page(
        &Frame {
            title: &title,
            agent: Some(agent),
            csrf,
        },
        html! {
            section.card.reading {
                h1 { (t!("bulk-progress-heading", count = run.total)) }
                p dir="auto" { (run.summary) }
                p {
                    label for="bulk-progress" { (t!("bulk-progress-done", done = run.done, total = run.total)) }
                    " "
                    progress #bulk-progress max=(run.total) value=(run.done) { (t!("bulk-progress-of", done = run.done, total = run.total)) }
                }
                p.muted.small {
                    (t!("bulk-progress-counts", changed = run.outcome.changed.len(), stale = run.outcome.stale.len(), failed = run.outcome.failed.len()))
                }
                p { a.button href=(run.back) { (t!("bulk-back")) } }
            }
        },
    )
}
