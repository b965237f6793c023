//! Search pages: the `/search` page, the "similar solved tickets" and saved-reply panels of the
//! ticket page, and the saved-replies admin page. Snippets arrive as HTML that was escaped before
//! matches were marked, so they are the only strings rendered unescaped here.

use super::layout::{Frame, date, field_error, page};
use crate::auth::AgentRef;
use crate::search::ResultItem;
use crate::search::replies::SavedReply;
use crate::search::text::Highlight;
use crate::tickets::Message;
use maud::{Markup, html};

/// What the search form was filled in with (echoed back as typed).
#[derive(Debug, Clone, Default)]
pub struct SearchForm {
    pub q: String,
    pub status: String,
    pub customer: String,
    pub team: String,
    pub tag: String,
    pub from: String,
    pub to: String,
    pub solved: bool,
    pub sort: String,
}

pub struct SearchPage<'a> {
    pub agent: &'a AgentRef,
    pub csrf: &'a str,
    pub form: &'a SearchForm,
    pub results: Option<&'a crate::search::Results>,
    pub errors: &'a [(String, String)],
    pub index_kind: &'a str,
    /// Tickets the search index still has to catch up with (0: none).
    pub rebuilding: i64,
}

pub fn search_page(p: &SearchPage<'_>) -> Markup {
    let f = p.form;
    let title = t!("search-title");
    page(
        &Frame {
            title: &title,
            agent: Some(p.agent),
            csrf: p.csrf,
        },
        html! {
            section.search {
                h1 { (t!("search-heading")) }
                form.search-form method="get" action="/search" role="search" {
                    label for="q" { (t!("search-words")) }
                    input #q type="search" name="q" value=(f.q) dir="auto" autofocus;
                    (field_error(p.errors, "q"))
                    div.row {
                        label { (t!("search-status")) " " select name="status" {
                            option value="" { (t!("search-status-any")) }
                            @for s in crate::domain::Status::ALL { option value=(s.as_str()) selected[f.status == s.as_str()] { (status_name(s.as_str())) } }
                        } }
                        label { (t!("search-customer")) " " input name="customer" value=(f.customer) placeholder=(t!("search-customer-placeholder")) size="18" dir="auto"; }
                        label { (t!("search-team")) " " input name="team" value=(f.team) placeholder=(t!("search-team-placeholder")) size="12" dir="auto"; }
                        label { (t!("search-tag")) " " input name="tag" dir="auto" value=(f.tag) size="12"; }
                        label { (t!("search-from")) " " input type="date" name="from" value=(f.from); }
                        label { (t!("search-to")) " " input type="date" name="to" value=(f.to); }
                        label { input type="checkbox" name="solved" value="true" checked[f.solved]; " " (t!("search-solved-only")) }
                        label { (t!("search-sort")) " " select name="sort" {
                            option value="relevance" selected[f.sort != "date"] { (t!("search-sort-relevance")) }
                            option value="date" selected[f.sort == "date"] { (t!("search-sort-date")) }
                        } }
                        button type="submit" { (t!("button-search")) }
                    }
                    @for field in ["status", "customer", "team", "tag", "from", "to", "solved", "sort"] { (field_error(p.errors, field)) }
                }
                @if let Some(r) = p.results {
                    @if p.rebuilding > 0 {
                        p.flash role="status" { (t!("search-rebuilding", count = p.rebuilding)) }
                    }
                    p.muted {
                        @if r.total >= crate::search::db_fts::CANDIDATES { (t!("search-found-more", count = crate::search::db_fts::CANDIDATES)) }
                        @else { (t!("search-found", count = r.total)) }
                    }
                    ol.results {
                        @for item in &r.items { li { (result_item(item, true)) } }
                    }
                }
                p.muted.small { (t!("search-index", kind = p.index_kind)) }
            }
        },
    )
}

/// A highlighted text: its runs, the matches in `<mark>`.
fn marked(h: &Highlight) -> Markup {
    html! {
        @for p in &h.0 {
            @if p.mark { mark { (p.text) } } @else { (p.text) }
        }
    }
}

fn result_item(item: &ResultItem, with_snippet: bool) -> Markup {
    html! {
        div.result {
            a href={"/tickets/" (item.ticket_id)} dir="auto" { "#" (item.ticket_id) " " (marked(&item.subject_marked)) }
            " " span class={"badge status-" (item.status)} { (status_name(&item.status)) }
            span.muted.small { " · " bdi { (item.customer) } " · " (date(item.created_at)) }
            @if with_snippet {
                p.snippet dir="auto" {
                    @match item.snippet_from { "internal" => span.badge.internal { (t!("search-snippet-internal")) }, "resolution" => span.badge { (t!("search-snippet-resolution")) }, _ => {} }
                    " " (marked(&item.snippet))
                }
            }
        }
    }
}

pub struct TicketPanels<'a> {
    pub ticket_id: i64,
    pub csrf: &'a str,
    pub similar: &'a [ResultItem],
    /// Public agent replies that can be marked as the solution.
    pub replies: &'a [&'a Message],
    pub marked: Option<i64>,
    pub reply_q: &'a str,
    pub saved: &'a [SavedReply],
}

/// The "Similar solved tickets" card of the ticket page, with the solution marker.
pub fn similar_panel(p: &TicketPanels<'_>) -> Markup {
    html! {
        section.card.similar aria-labelledby="similar-title" {
            h2 #similar-title { (t!("search-similar-title")) }
            @if p.similar.is_empty() {
                p.muted { (t!("search-similar-none")) }
            } @else {
                ol.similar {
                    @for item in p.similar {
                        li {
                            (result_item(item, false))
                            @if let Some(r) = &item.resolution { p.snippet dir="auto" { (marked(r)) } }
                            a.button.small href={"/tickets/" (p.ticket_id) "?answer_from=" (item.ticket_id) "#body"} { (t!("search-similar-insert")) }
                        }
                    }
                }
            }
            @if !p.replies.is_empty() {
                form.resolution method="post" action={"/tickets/" (p.ticket_id) "/resolution"} {
                    input type="hidden" name="csrf" value=(p.csrf);
                    label for="resolution" { (t!("search-solution-label")) }
                    select #resolution name="message_id" {
                        option value="" selected[p.marked.is_none()] { (t!("search-solution-default")) }
                        @for m in p.replies {
                            option value=(m.id) selected[p.marked == Some(m.id)] dir="auto" { (excerpt(&m.body_text, 60)) }
                        }
                    }
                    button.small type="submit" { (t!("search-solution-mark")) }
                }
            }
        }
    }
}

/// Saved replies, searchable from under the reply box.
pub fn saved_replies_panel(p: &TicketPanels<'_>) -> Markup {
    html! {
        section.saved-replies #saved-replies {
            form method="get" action={"/tickets/" (p.ticket_id)} role="search" {
                label for="reply_q" { (t!("search-saved-replies")) }
                input #reply_q type="search" name="reply_q" value=(p.reply_q) placeholder=(t!("search-saved-replies-placeholder")) dir="auto";
                button.small type="submit" { (t!("search-saved-replies-find")) }
            }
            @if !p.saved.is_empty() {
                ul.saved {
                    @for r in p.saved {
                        li {
                            @if r.actions.is_empty() {
                                a href={"/tickets/" (p.ticket_id) "?saved_reply=" (r.id) "#body"} dir="auto" { (r.title) }
                                span.muted.small { " — " bdi { (excerpt(&r.body, 80)) } }
                            } @else {
                                form.inline method="post" action={"/tickets/" (p.ticket_id) "/macros/" (r.id) "/apply"} data-macro-apply {
                                    input type="hidden" name="csrf" value=(p.csrf);
                                    button.small type="submit" title=(t!("search-macro-apply-title")) { (t!("search-macro-apply", title = r.title.as_str())) }
                                }
                                span.muted.small {
                                    " — " bdi { (r.actions.describe()) }
                                    @if !r.body.is_empty() { (t!("search-macro-then-adds")) " " bdi { (excerpt(&r.body, 60)) } }
                                }
                            }
                        }
                    }
                }
            } @else if !p.reply_q.is_empty() {
                p.muted.small { (t!("search-saved-replies-none")) }
            }
        }
    }
}

fn excerpt(s: &str, chars: usize) -> String {
    let line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= chars {
        line
    } else {
        format!("{}…", line.chars().take(chars).collect::<String>())
    }
}

/// The macro part of a saved reply's form: what applying it does to the ticket.
fn action_fields(
    a: Option<&crate::search::replies::Actions>,
    teams: &[crate::assign::admin::TeamView],
) -> Markup {
    let a = a.cloned().unwrap_or_default();
    html! {
        fieldset.macro-actions {
            legend { (t!("search-macro-legend")) }
            label { (t!("search-status")) " " select name="set_status" {
                option value="" { (t!("search-no-change")) }
                @for s in crate::domain::Status::ALL { option value=(s.as_str()) selected[a.status.as_deref() == Some(s.as_str())] { (status_name(s.as_str())) } }
            } }
            label { (t!("search-priority")) " " select name="set_priority" {
                option value="" { (t!("search-no-change")) }
                @for p in crate::domain::Priority::ALL { option value=(p.as_str()) selected[a.priority.as_deref() == Some(p.as_str())] { (priority_name(p.as_str())) } }
            } }
            label { (t!("search-assign")) " " select name="assign" {
                option value="" { (t!("search-no-change")) }
                option value="me" selected[a.assign.as_deref() == Some("me")] { (t!("search-assign-me")) }
                option value="none" selected[a.assign.as_deref() == Some("none")] { (t!("search-assign-none")) }
            } }
            label { (t!("search-team")) " " select name="team_id" {
                option value="" { (t!("search-no-change")) }
                @for t in teams { option value=(t.id) selected[a.team_id == Some(t.id)] dir="auto" { (t.name) } }
            } }
            label { (t!("search-add-tags")) " " input name="add_tags" value=(a.add_tags.join(", ")) dir="auto"; }
            label { (t!("search-remove-tags")) " " input name="remove_tags" value=(a.remove_tags.join(", ")) dir="auto"; }
            label { (t!("search-internal-note")) " " textarea name="note" rows="2" dir="auto" { (a.note.clone().unwrap_or_default()) } }
            label.check { input type="checkbox" name="follow" value="1" checked[a.follow]; " " (t!("search-follow")) }
        }
    }
}

pub fn saved_replies_admin(
    agent: &AgentRef,
    csrf: &str,
    replies: &[SavedReply],
    teams: &[crate::assign::admin::TeamView],
    errors: &[(String, String)],
) -> Markup {
    let manager = crate::search::replies::may_manage(agent);
    let (own, shared): (Vec<&SavedReply>, Vec<&SavedReply>) =
        replies.iter().partition(|r| r.personal);
    let team_name = |id: i64| {
        teams
            .iter()
            .find(|t| t.id == id)
            .map(|t| t.name.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let item = |r: &SavedReply, editable: bool| {
        let describe = r.actions.describe_with(team_name);
        html! {
            details.card {
                summary { bdi { (r.title) } " " span.muted.small { "· " (t!("search-used-times", count = r.uses)) @if !r.actions.is_empty() { " · " bdi { (describe) } } } }
                @if editable {
                    form method="post" action={"/admin/saved-replies/" (r.id)} {
                        input type="hidden" name="csrf" value=(csrf);
                        label { (t!("search-reply-title")) " " input name="title" value=(r.title) required dir="auto"; }
                        label { (t!("search-reply-text")) textarea name="body" rows="5" dir="auto" { (r.body) } }
                        (action_fields(Some(&r.actions), teams))
                        button type="submit" { (t!("button-save")) }
                    }
                    form method="post" action={"/admin/saved-replies/" (r.id) "/delete"} {
                        input type="hidden" name="csrf" value=(csrf);
                        button.small type="submit" { (t!("button-delete")) }
                    }
                } @else {
                    pre.reading dir="auto" { (r.body) }
                    p.muted.small { (t!("search-reply-shared-note")) }
                }
            }
        }
    };
    let title = t!("search-replies-title");
    page(
        &Frame {
            title: &title,
            agent: Some(agent),
            csrf,
        },
        html! {
            section {
                h1 { (title) }
                p.muted { (t!("search-replies-intro")) " " (t!("search-replies-placeholders")) " " code { "{{customer.name}}" } ", " code { "{{ticket.number}}" } ", " code { "{{agent.name}}" } "." }
                h2 { (t!("search-replies-yours")) }
                @if own.is_empty() { p.muted { (t!("search-replies-yours-none")) } }
                @for r in &own { (item(r, true)) }
                h2 { (t!("search-replies-shared")) }
                @if shared.is_empty() { p.muted { (t!("search-replies-shared-none")) } }
                @for r in &shared { (item(r, manager)) }
            }
            section.card.narrow {
                h2 { (t!("search-replies-new")) }
                form method="post" action="/admin/saved-replies" {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="sr-title" { (t!("search-reply-title")) } input #sr-title name="title" required dir="auto";
                    (field_error(errors, "title"))
                    label for="sr-body" { (t!("search-reply-text")) } textarea #sr-body name="body" rows="5" dir="auto" {}
                    (field_error(errors, "body"))
                    (action_fields(None, teams))
                    @for (f, m) in errors.iter().filter(|(f, _)| f.starts_with("actions.")) {
                        p.field-error role="alert" { (f) " " (m) }
                    }
                    @if manager {
                        label.check { input type="checkbox" name="personal" value="1"; " " (t!("search-replies-personal")) }
                    } @else {
                        input type="hidden" name="personal" value="1";
                        p.muted.small { (t!("search-replies-personal-note")) }
                    }
                    button type="submit" { (t!("search-replies-add")) }
                }
            }
        },
    )
}

pub use crate::i18n::{priority_name, status_name};
