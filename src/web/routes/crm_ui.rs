//! Customer pages of the agents' UI: the customer list and search, likely duplicates, the
//! customer page (timeline, profile, identities, merge history) and its forms.

use super::field_errors;
use crate::customers::{self, identity, merge};
use crate::error::AppError;
use crate::state::AppState;
use crate::tickets::{self, ListFilter};
use crate::web::PageResult;
use crate::web::extract::{CsrfOnly, CsrfToken, CurrentAgent, verify_csrf};
use crate::web::views::{agent as views, crm as crm_views};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/customers", get(list_page))
        .route("/customers/duplicates", get(duplicates_page))
        .route("/customers/{id}", get(customer_page))
        .route("/customers/{id}/identities", post(add_identity))
        .route(
            "/customers/{id}/identities/{identity_id}/retire",
            post(retire_identity),
        )
        .route("/customers/{id}/organization", post(set_organization))
        .route("/customers/{id}/merge", post(merge_customer))
        .route("/customers/{id}/merges/{merge_id}/undo", post(undo_merge))
}

#[derive(Deserialize)]
struct ListQuery {
    q: Option<String>,
    cursor: Option<String>,
}

async fn list_page(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    Query(q): Query<ListQuery>,
) -> PageResult<Response> {
    let before = super::page_cursor(q.cursor.as_deref())?;
    let text = q.q.unwrap_or_default();
    let (items, next) = customers::search(&state.db, &text, before, 50).await?;
    Ok(crm_views::customer_list(&crm_views::CustomerListPage {
        agent: &agent,
        csrf: &csrf,
        q: &text,
        customers: &items,
        next_cursor: next,
    })
    .into_response())
}

async fn duplicates_page(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
) -> PageResult<Response> {
    let pairs = merge::duplicates(&state.db, None, 200).await?;
    Ok(crm_views::duplicates(&agent, &csrf, &pairs).into_response())
}

#[derive(Deserialize)]
struct CustomerQuery {
    kind: Option<String>,
}

/// The customer timeline holds at most this many CRM events and tickets; the API pages through
/// all of them.
const TIMELINE_LIMIT: i64 = 200;

async fn render_customer(
    state: &AppState,
    agent: &crate::auth::AgentRef,
    csrf: &str,
    id: i64,
    kind: Option<&str>,
    errors: &[(String, String)],
) -> PageResult<maud::Markup> {
    use crate::customers::crm::{EventFilter, EventKind, list_events, profile};
    let customer = customers::get(&state.db, id).await?;
    let event_kind = match kind {
        None | Some("tickets") => None,
        Some(k) => {
            Some(EventKind::parse(k).ok_or_else(|| AppError::field("kind", t!("crm-error-kind")))?)
        }
    };
    let filter = ListFilter {
        customer_id: Some(id),
        limit: TIMELINE_LIMIT,
        ..Default::default()
    };
    let (tickets, _) = tickets::list_tickets(&state.db, agent.id, &filter).await?;
    let (crm, _) = list_events(
        &state.db,
        id,
        &EventFilter {
            kind: event_kind,
            after: None,
            limit: TIMELINE_LIMIT,
        },
    )
    .await?;
    let now = state.now();
    let profile = profile(&state.db, id, now).await?;
    let merges = merge::history(&state.db, id, now).await?;
    let duplicates = if customer.merged_into_id.is_none() {
        merge::duplicates(&state.db, Some(id), 20).await?
    } else {
        Vec::new()
    };
    let panels = crm_views::customer_panels(&crm_views::PanelData {
        csrf,
        customer: &customer,
        merges: &merges,
        duplicates: &duplicates,
        errors,
    });
    Ok(views::customer(&views::CustomerPage {
        agent,
        csrf,
        customer: &customer,
        profile: &profile,
        tickets: &tickets,
        crm: &crm,
        kind,
        panels,
        now,
    }))
}

async fn customer_page(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<i64>,
    Query(q): Query<CustomerQuery>,
) -> PageResult<Response> {
    let kind = q.kind.as_deref().filter(|k| !k.is_empty());
    Ok(render_customer(&state, &agent, &csrf, id, kind, &[])
        .await?
        .into_response())
}

/// After a form: back to the customer page, or the page again with the error beside the form.
async fn after_form(
    state: &AppState,
    agent: &crate::auth::AgentRef,
    csrf: &str,
    id: i64,
    result: Result<(), AppError>,
    conflict_field: &str,
) -> PageResult<Response> {
    let err = match result {
        Ok(()) => return Ok(Redirect::to(&format!("/customers/{id}")).into_response()),
        Err(e) => e,
    };
    let errors = match &err {
        AppError::Conflict(m) => vec![(conflict_field.to_string(), m.clone())],
        other => match field_errors(other) {
            Some(e) => e,
            None => return Err(err.into()),
        },
    };
    let status = if matches!(err, AppError::Conflict(_)) {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((
        status,
        render_customer(state, agent, csrf, id, None, &errors).await?,
    )
        .into_response())
}

#[derive(Deserialize)]
struct IdentityForm {
    csrf: Option<String>,
    kind: Option<String>,
    value: Option<String>,
}

async fn add_identity(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<IdentityForm>,
) -> PageResult<Response> {
    verify_csrf(&headers, f.csrf.as_deref())?;
    let result = async {
        let kind =
            identity::IdentityKind::parse(f.kind.as_deref().unwrap_or("")).ok_or_else(|| {
                AppError::field(
                    "kind",
                    t!(
                        "crm-error-identity-kind",
                        choices = "email, phone, external"
                    ),
                )
            })?;
        identity::add(
            &state.db,
            id,
            kind,
            f.value.as_deref().unwrap_or(""),
            state.now(),
        )
        .await
        .map(|_| ())
    }
    .await;
    after_form(&state, &agent, &csrf, id, result, "value").await
}

async fn retire_identity(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    Path((id, identity_id)): Path<(i64, i64)>,
    Form(f): Form<CsrfOnly>,
) -> PageResult<Response> {
    verify_csrf(&headers, f.csrf.as_deref())?;
    let result = identity::retire(&state.db, id, identity_id, state.now()).await;
    after_form(&state, &agent, &csrf, id, result, "identity").await
}

#[derive(Deserialize)]
struct OrganizationForm {
    csrf: Option<String>,
    organization: Option<String>,
}

async fn set_organization(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<OrganizationForm>,
) -> PageResult<Response> {
    verify_csrf(&headers, f.csrf.as_deref())?;
    let result = identity::set_organization(
        &state.db,
        id,
        f.organization.as_deref().unwrap_or(""),
        state.now(),
    )
    .await;
    after_form(&state, &agent, &csrf, id, result, "organization").await
}

#[derive(Deserialize)]
struct MergeForm {
    csrf: Option<String>,
    from: Option<String>,
}

async fn merge_customer(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<MergeForm>,
) -> PageResult<Response> {
    verify_csrf(&headers, f.csrf.as_deref())?;
    let result = async {
        let from = f
            .from
            .as_deref()
            .map(str::trim)
            .and_then(|s| s.trim_start_matches('#').parse::<i64>().ok())
            .filter(|n| *n > 0)
            .ok_or_else(|| AppError::field("from", t!("crm-error-customer-id")))?;
        merge::merge(
            &state.db,
            id,
            from,
            Some(agent.id),
            state.config.merge_undo_days.saturating_mul(86_400_000),
            state.now(),
        )
        .await
        .map(|_| ())
    }
    .await;
    after_form(&state, &agent, &csrf, id, result, "from").await
}

async fn undo_merge(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    Path((id, merge_id)): Path<(i64, i64)>,
    Form(f): Form<CsrfOnly>,
) -> PageResult<Response> {
    verify_csrf(&headers, f.csrf.as_deref())?;
    let record = merge::get(&state.db, merge_id, state.now()).await?;
    if record.into_customer_id != id && record.from_customer_id != id {
        return Err(AppError::NotFound("merge").into());
    }
    let result = merge::undo(&state.db, merge_id, Some(agent.id), state.now())
        .await
        .map(|_| ());
    after_form(&state, &agent, &csrf, id, result, "merge").await
}
