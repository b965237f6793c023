//! Tags on the ticket page: the Tags card (the ticket's tags, each a link to the tickets that
//! carry it and a remove button, and a field to add more with suggestions from the tags in use)
//! and its form; `/admin/tags`, where admins rename, merge and delete tags; and the tags API
//! (`GET /api/v1/tags`, `POST /api/v1/tags/rename`, `DELETE /api/v1/tags/{tag}`). Tag changes go
//! through the ticket commands like every other change, so they are audited, versioned, live and
//! indexed for search. A ticket's own tags change with `add_tags` / `remove_tags` on
//! `PATCH /api/v1/tickets/{id}`.

use crate::error::AppResult;
use crate::state::AppState;
use crate::tickets::{self, TicketPatch};
use crate::web::PageResult;
use crate::web::extract::{ApiAgent, ApiJson, CsrfToken, CurrentAgent, verify_csrf};
use crate::web::openapi::ApiRouter;
use crate::web::views::layout::{Frame, field_error, page, url_encode};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::routes;

/// How many tags in use the add field suggests.
const SUGGESTIONS: i64 = 200;

pub fn ui_routes() -> Router<AppState> {
    Router::new()
        .route("/tickets/{id}/tags", post(change))
        .route("/tickets/{id}/cc", post(change_cc))
        .route("/admin/tags", get(admin_page).post(admin_change))
}

/// Merged into /api/v1.
pub fn api_routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(api_list))
        .routes(routes!(api_rename))
        .routes(routes!(api_delete))
}

#[derive(Serialize, ToSchema)]
struct TagCount {
    tag: String,
    /// How many tickets carry it.
    tickets: i64,
}

#[derive(Serialize, ToSchema)]
struct TagList {
    items: Vec<TagCount>,
}

#[derive(Serialize, ToSchema)]
struct Changed {
    /// How many tickets changed.
    changed: u64,
}

#[utoipa::path(get, path = "/tags", tag = "tags",
    responses((status = 200, description = "Every tag in use with its ticket count", body = TagList)))]
async fn api_list(
    State(state): State<AppState>,
    ApiAgent(_agent): ApiAgent,
) -> AppResult<Json<TagList>> {
    let items = tickets::tag_counts(&state.db)
        .await?
        .into_iter()
        .map(|(tag, tickets)| TagCount { tag, tickets })
        .collect();
    Ok(Json(TagList { items }))
}

/// Rename `from` to `to` on every ticket (both required).
#[derive(Deserialize, Default, ToSchema)]
#[serde(default, deny_unknown_fields)]
struct Rename {
    from: Option<String>,
    to: Option<String>,
}

/// Renames a tag on every ticket; renaming onto a tag in use merges the two.
#[utoipa::path(post, path = "/tags/rename", tag = "tags", request_body = Rename,
    responses((status = 200, description = "Renamed (merged into `to` when it is in use)", body = Changed),
        (status = 403, description = "Admins only"),
        (status = 404, description = "No ticket has the tag `from`")))]
async fn api_rename(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    ApiJson(body): ApiJson<Rename>,
) -> AppResult<Json<Changed>> {
    agent.require_admin()?;
    let from = body.from.unwrap_or_default();
    let to = body.to.unwrap_or_default();
    let n = tickets::retag(&state.db, &agent, &from, Some(&to), state.now()).await?;
    Ok(Json(Changed { changed: n }))
}

#[utoipa::path(delete, path = "/tags/{tag}", tag = "tags",
    params(("tag" = String, Path, description = "The tag")),
    responses((status = 200, description = "Removed from every ticket", body = Changed),
        (status = 403, description = "Admins only")))]
async fn api_delete(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path(tag): Path<String>,
) -> AppResult<Json<Changed>> {
    agent.require_admin()?;
    let n = tickets::retag(&state.db, &agent, &tag, None, state.now()).await?;
    Ok(Json(Changed { changed: n }))
}

#[derive(Deserialize, Default)]
struct AdminQuery {
    done: Option<String>,
}

async fn admin_page(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    Query(q): Query<AdminQuery>,
) -> PageResult<Response> {
    agent.require_admin()?;
    let counts = tickets::tag_counts(&state.db).await?;
    Ok(admin_view(&agent, &csrf, &counts, q.done.as_deref(), &[]).into_response())
}

#[derive(Deserialize)]
struct AdminForm {
    csrf: Option<String>,
    tag: Option<String>,
    /// The new name (rename or merge); absent with `delete`.
    to: Option<String>,
    delete: Option<String>,
}

async fn admin_change(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    Form(f): Form<AdminForm>,
) -> PageResult<Response> {
    verify_csrf(&headers, f.csrf.as_deref())?;
    agent.require_admin()?;
    let tag = f.tag.unwrap_or_default();
    let to = if f.delete.is_some() {
        None
    } else {
        Some(f.to.unwrap_or_default())
    };
    match tickets::retag(&state.db, &agent, &tag, to.as_deref(), state.now()).await {
        Ok(n) => {
            let what = match &to {
                Some(to) => t!(
                    "admin-tags-renamed",
                    tag = &tag,
                    to = to.trim().to_lowercase(),
                    count = n
                ),
                None => t!("admin-tags-removed", tag = &tag, count = n),
            };
            Ok(Redirect::to(&format!("/admin/tags?done={}", url_encode(&what))).into_response())
        }
        Err(err) => match super::field_errors(&err) {
            Some(errors) => {
                let counts = tickets::tag_counts(&state.db).await?;
                let page = admin_view(&agent, &csrf, &counts, None, &errors);
                Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
            }
            None => Err(err.into()),
        },
    }
}

fn admin_view(
    agent: &crate::auth::AgentRef,
    csrf: &str,
    counts: &[(String, i64)],
    done: Option<&str>,
    errors: &[(String, String)],
) -> Markup {
    let title = t!("admin-tags-title");
    page(
        &Frame {
            title: &title,
            agent: Some(agent),
            csrf,
        },
        html! {
            section.card {
                h1 { (title) }
                p.muted { (t!("admin-tags-intro")) }
                @if let Some(done) = done { p.flash role="status" dir="auto" { (done) } }
                (field_error(errors, "tag"))
                (field_error(errors, "to"))
                @if counts.is_empty() {
                    p.empty { (t!("admin-tags-empty")) }
                } @else {
                    table {
                        thead { tr { th { (t!("admin-tags-tag")) } th { (t!("admin-tags-tickets")) } th { (t!("admin-tags-rename-into")) } th { span.visually-hidden { (t!("button-delete")) } } } }
                        tbody {
                            @for (tag, n) in counts {
                                tr {
                                    td { a.tag dir="auto" href={"/tickets?queue=all&tag=" (url_encode(tag))} { (tag) } }
                                    td { (crate::i18n::number(*n)) }
                                    td {
                                        form.inline method="post" action="/admin/tags" {
                                            input type="hidden" name="csrf" value=(csrf);
                                            input type="hidden" name="tag" value=(tag);
                                            input name="to" dir="auto" list="tag-names" aria-label=(t!("admin-tags-new-name-for", tag = tag)) size="16";
                                            " "
                                            button.small type="submit" { (t!("admin-tags-rename")) }
                                        }
                                    }
                                    td {
                                        form.inline method="post" action="/admin/tags" {
                                            input type="hidden" name="csrf" value=(csrf);
                                            input type="hidden" name="tag" value=(tag);
                                            button.small type="submit" name="delete" value="1" { (t!("button-delete")) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    datalist #tag-names { @for (t, _) in counts { option value=(t) {} } }
                }
            }
        },
    )
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
        add_tags: super::comma_list(f.add.as_deref()),
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

#[derive(Deserialize)]
struct CcForm {
    csrf: Option<String>,
    /// Addresses to copy, separated by commas.
    add: Option<String>,
    remove: Option<String>,
}

async fn change_cc(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<CcForm>,
) -> PageResult<Response> {
    verify_csrf(&headers, f.csrf.as_deref())?;
    let patch = TicketPatch {
        add_cc: super::comma_list(f.add.as_deref()),
        remove_cc: f.remove.into_iter().collect(),
        ..Default::default()
    };
    let expect = tickets::Expect::Any;
    if let Err(err) =
        tickets::update_ticket(&state.db, &agent, id, patch, expect, state.now()).await
    {
        return super::ui::invalid(&state, &agent, &csrf, id, err).await;
    }
    Ok(Redirect::to(&format!("/tickets/{id}#cc")).into_response())
}

/// The Cc card: who else gets the public replies.
pub async fn cc_panel(
    state: &AppState,
    csrf: &str,
    ticket_id: i64,
    errors: &[(String, String)],
) -> AppResult<Markup> {
    let cc = tickets::cc(&state.db, ticket_id).await?;
    let action = format!("/tickets/{ticket_id}/cc");
    Ok(html! {
        section.card #cc {
            h2 { (t!("cc-panel-title")) }
            @if cc.is_empty() {
                p.muted.small { (t!("cc-panel-customer-only")) }
            } @else {
                p.muted.small { (t!("cc-panel-also-to")) }
                ul.tag-list {
                    @for a in &cc {
                        li {
                            form.inline method="post" action=(action) {
                                input type="hidden" name="csrf" value=(csrf);
                                span.tag dir="auto" { (a) }
                                button.small.quiet type="submit" name="remove" value=(a) aria-label=(t!("cc-panel-stop-copying", address = a)) title=(t!("cc-panel-remove")) { "×" }
                            }
                        }
                    }
                }
            }
            form method="post" action=(action) {
                input type="hidden" name="csrf" value=(csrf);
                label.visually-hidden for="cc-add" { (t!("cc-panel-copy-someone")) }
                input #cc-add name="add" type="text" inputmode="email" autocomplete="off" dir="auto" placeholder=(t!("cc-panel-copy-placeholder"));
                @for (field, message) in errors.iter().filter(|(f, _)| f.starts_with("add_cc") || f.starts_with("remove_cc")) {
                    p.field-error role="alert" { (field) " " (message) }
                }
                button.small type="submit" { (t!("cc-panel-add")) }
            }
        }
    })
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
            h2 { (t!("admin-tags-title")) }
            @if tags.is_empty() {
                p.muted.small { (t!("tags-panel-empty")) }
            } @else {
                ul.tag-list {
                    @for tag in tags {
                        li {
                            form.inline method="post" action=(action) {
                                input type="hidden" name="csrf" value=(csrf);
                                a.tag dir="auto" href={"/tickets?queue=all&tag=" (url_encode(tag))} title=(t!("tags-panel-tickets-with-tag")) { (tag) }
                                button.link.small type="submit" name="remove" value=(tag) aria-label=(t!("tags-panel-remove-tag", tag = tag)) title=(t!("cc-panel-remove")) { "×" }
                            }
                        }
                    }
                }
            }
            form method="post" action=(action) {
                input type="hidden" name="csrf" value=(csrf);
                label.visually-hidden for="tag-add" { (t!("tags-panel-add-tags")) }
                input #tag-add name="add" dir="auto" list="tag-suggestions" autocomplete="off" placeholder=(t!("tags-panel-add-placeholder"));
                datalist #tag-suggestions { @for t in known { option value=(t) {} } }
                (field_error(errors, "add_tags"))
                (field_error(errors, "remove_tags"))
                button.small type="submit" { (t!("cc-panel-add")) }
            }
        }
    }
}
