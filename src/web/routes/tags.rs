//! Tags on the ticket page: the Tags card (the ticket's tags, each a link to the tickets that
//! carry it and a remove button, and a field to add more with suggestions from the tags in use)
//! and its form. Tag changes go through the ticket commands like every other change, so they are
//! audited, versioned, live and indexed for search. The API changes tags with `add_tags` /
//! `remove_tags` on `PATCH /api/v1/tickets/{id}`.

use crate::error::AppResult;
use crate::state::AppState;
use crate::tickets::{self, TicketPatch};
use crate::web::PageResult;
use crate::web::extract::{CsrfToken, CurrentAgent, verify_csrf};
use crate::web::views::layout::{field_error, url_encode};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Form, Router};
use maud::{Markup, html};
use serde::Deserialize;

/// How many tags in use the add field suggests.
const SUGGESTIONS: i64 = 200;

pub fn ui_routes() -> Router<AppState> {
    Router::new().route("/tickets/{id}/tags", post(change))
}

#[derive(Deserialize)]
struct TagForm {
    csrf: Option<String>,
    /// Tags to add, separated by commas.
    add: Option<String>,
    /// One tag to remove (the card's × buttons).
    remove: Option<String>,
}

/// Adding or removing tags never conflicts with other changes (a tag is there or not), so the
/// form carries no version: the change applies to the ticket as it is now.
async fn change(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<TagForm>,
) -> PageResult<Response> {
    verify_csrf(&headers, f.csrf.as_deref())?;
    let patch = TicketPatch {
        add_tags: split(f.add.as_deref()),
        remove_tags: f.remove.into_iter().collect(),
        ..Default::default()
    };
    let expect = tickets::Expect::Any;
    if let Err(err) =
        tickets::update_ticket(&state.db, &agent, id, patch, expect, state.now()).await
    {
        return super::ui::invalid(&state, &agent, &csrf, id, err).await;
    }
    Ok(Redirect::to(&format!("/tickets/{id}#tags")).into_response())
}

fn split(raw: Option<&str>) -> Vec<String> {
    raw.unwrap_or("")
        .split([',', '，', '،'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// The Tags card of the ticket page.
pub async fn panel(
    state: &AppState,
    csrf: &str,
    ticket_id: i64,
    errors: &[(String, String)],
) -> AppResult<Markup> {
    let tags = tickets::tags(&state.db, ticket_id).await?;
    let known = tickets::known_tags(&state.db, SUGGESTIONS).await?;
    Ok(card(csrf, ticket_id, &tags, &known, errors))
}

fn card(
    csrf: &str,
    ticket_id: i64,
    tags: &[String],
    known: &[String],
    errors: &[(String, String)],
) -> Markup {
    let action = format!("/tickets/{ticket_id}/tags");
    html! {
        section.card #tags {
            h2 { "Tags" }
            @if tags.is_empty() {
                p.muted.small { "No tags yet." }
            } @else {
                ul.tag-list {
                    @for tag in tags {
                        li {
                            form.inline method="post" action=(action) {
                                input type="hidden" name="csrf" value=(csrf);
                                a.tag dir="auto" href={"/tickets?queue=all&tag=" (url_encode(tag))} title="Tickets with this tag" { (tag) }
                                button.link.small type="submit" name="remove" value=(tag) aria-label={"Remove tag " (tag)} title="Remove" { "×" }
                            }
                        }
                    }
                }
            }
            form method="post" action=(action) {
                input type="hidden" name="csrf" value=(csrf);
                label.visually-hidden for="tag-add" { "Add tags" }
                input #tag-add name="add" dir="auto" list="tag-suggestions" autocomplete="off" placeholder="Add tags, separated by commas";
                datalist #tag-suggestions { @for t in known { option value=(t) {} } }
                (field_error(errors, "add_tags"))
                (field_error(errors, "remove_tags"))
                button.small type="submit" { "Add" }
            }
        }
    }
}
