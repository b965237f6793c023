//! Customer 360 API under `/api/v1`: the customer list and search, identities, organization,
//! merging duplicates (and undo), likely duplicates, and the signed CRM webhook.

use crate::customers::{self, crm, identity, merge, webhook};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::extract::{ApiAgent, ApiJson, path_id};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::handler::Handler;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes(crm_body_bytes: usize) -> Router<AppState> {
    Router::new()
        .route("/customers", get(list))
        .route("/customers/duplicates", get(duplicates))
        .route("/customers/{id}/identities", post(add_identity))
        .route(
            "/customers/{id}/identities/{identity_id}/retire",
            post(retire_identity),
        )
        .route("/customers/{id}/organization", post(set_organization))
        .route("/customers/{id}/merge", post(merge_customer))
        .route("/customers/{id}/merges", get(merge_history))
        .route("/customers/{id}/merges/{merge_id}/undo", post(undo_merge))
        .route(
            "/crm/webhook",
            post(crm_webhook.layer(axum::extract::DefaultBodyLimit::max(crm_body_bytes))),
        )
}

fn opt_i64(field: &str, v: Option<&str>) -> AppResult<Option<i64>> {
    v.filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<i64>()
                .map_err(|_| AppError::field(field, "must be an integer"))
        })
        .transpose()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    q: Option<String>,
    cursor: Option<String>,
    limit: Option<String>,
}

/// `GET /customers?q=`: search by name, organization, email, phone or external id.
async fn list(
    State(state): State<AppState>,
    ApiAgent(_agent): ApiAgent,
    q: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> AppResult<Json<Value>> {
    let Query(q) = q.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let limit = opt_i64("limit", q.limit.as_deref())?.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(AppError::field("limit", "must be between 1 and 200"));
    }
    let before = opt_i64("cursor", q.cursor.as_deref())?;
    let (items, next) =
        customers::search(&state.db, q.q.as_deref().unwrap_or(""), before, limit).await?;
    Ok(Json(
        json!({"items": items, "next_cursor": next.map(|n| n.to_string())}),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DuplicatesQuery {
    customer_id: Option<String>,
}

async fn duplicates(
    State(state): State<AppState>,
    ApiAgent(_agent): ApiAgent,
    q: Result<Query<DuplicatesQuery>, axum::extract::rejection::QueryRejection>,
) -> AppResult<Json<Value>> {
    let Query(q) = q.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let only = opt_i64("customer_id", q.customer_id.as_deref())?;
    let items = merge::duplicates(&state.db, only, 200).await?;
    Ok(Json(json!({"items": items})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewIdentity {
    kind: Option<String>,
    value: Option<String>,
}

async fn add_identity(
    State(state): State<AppState>,
    ApiAgent(_agent): ApiAgent,
    Path(raw): Path<String>,
    ApiJson(body): ApiJson<NewIdentity>,
) -> AppResult<Response> {
    let id = path_id(&raw, "customer")?;
    let kind = body
        .kind
        .as_deref()
        .ok_or_else(|| AppError::field("kind", "is required"))
        .and_then(|k| {
            identity::IdentityKind::parse(k)
                .ok_or_else(|| AppError::field("kind", "must be one of: email, phone, external"))
        })?;
    let value = body
        .value
        .ok_or_else(|| AppError::field("value", "is required"))?;
    let added = identity::add(&state.db, id, kind, &value, state.now()).await?;
    Ok((StatusCode::CREATED, Json(json!({"identity": added}))).into_response())
}

async fn retire_identity(
    State(state): State<AppState>,
    ApiAgent(_agent): ApiAgent,
    Path((raw, raw_identity)): Path<(String, String)>,
) -> AppResult<Json<Value>> {
    let id = path_id(&raw, "customer")?;
    let identity_id = path_id(&raw_identity, "identity")?;
    identity::retire(&state.db, id, identity_id, state.now()).await?;
    Ok(Json(
        json!({"customer": customers::get(&state.db, id).await?}),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OrganizationIn {
    organization: Option<String>,
}

async fn set_organization(
    State(state): State<AppState>,
    ApiAgent(_agent): ApiAgent,
    Path(raw): Path<String>,
    ApiJson(body): ApiJson<OrganizationIn>,
) -> AppResult<Json<Value>> {
    let id = path_id(&raw, "customer")?;
    identity::set_organization(
        &state.db,
        id,
        body.organization.as_deref().unwrap_or(""),
        state.now(),
    )
    .await?;
    Ok(Json(
        json!({"customer": customers::get(&state.db, id).await?}),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MergeIn {
    from: Option<Value>,
}

/// `POST /customers/{id}/merge {"from": other_id}`: merges `other_id` into `id`.
async fn merge_customer(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path(raw): Path<String>,
    ApiJson(body): ApiJson<MergeIn>,
) -> AppResult<Json<Value>> {
    let id = path_id(&raw, "customer")?;
    let from = body
        .from
        .as_ref()
        .and_then(|v| {
            v.as_i64()
                .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
        })
        .filter(|n| *n > 0)
        .ok_or_else(|| AppError::field("from", "is required (the id of the other customer)"))?;
    let record = merge::merge(
        &state.db,
        id,
        from,
        Some(agent.id),
        state.config.merge_undo_days.saturating_mul(86_400_000),
        state.now(),
    )
    .await?;
    Ok(Json(json!({"merge": record})))
}

async fn merge_history(
    State(state): State<AppState>,
    ApiAgent(_agent): ApiAgent,
    Path(raw): Path<String>,
) -> AppResult<Json<Value>> {
    let id = path_id(&raw, "customer")?;
    customers::get(&state.db, id).await?;
    Ok(Json(
        json!({"items": merge::history(&state.db, id, state.now()).await?}),
    ))
}

async fn undo_merge(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path((raw, raw_merge)): Path<(String, String)>,
) -> AppResult<Json<Value>> {
    let id = path_id(&raw, "customer")?;
    let merge_id = path_id(&raw_merge, "merge")?;
    let record = merge::get(&state.db, merge_id, state.now()).await?;
    if record.into_customer_id != id && record.from_customer_id != id {
        return Err(AppError::NotFound("merge"));
    }
    let record = merge::undo(&state.db, merge_id, Some(agent.id), state.now()).await?;
    Ok(Json(json!({"merge": record})))
}

fn webhook_refusal(status: StatusCode, code: &str, message: String) -> Response {
    (
        status,
        Json(json!({"error": {"code": code, "message": message}})),
    )
        .into_response()
}

/// `POST /crm/webhook`: CRM events signed with the shared secret (the scheme is in `docs/api.md`).
/// No bearer token: the signature is the authentication.
async fn crm_webhook(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Response> {
    let Some(secret) = state.config.crm_webhook_secret.as_ref() else {
        return Ok(webhook_refusal(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_configured",
            "the CRM webhook is off: set crm_webhook_secret (CASEBOOK_CRM_WEBHOOK_SECRET) to turn it on"
                .into(),
        ));
    };
    let now = state.now();
    let header = headers
        .get(webhook::SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok());
    let delivery = match webhook::verify(secret.expose(), header, &body, now) {
        Ok(d) => d,
        Err(why) => {
            tracing::info!(reason = ?why, "refused a CRM webhook delivery");
            return Ok(webhook_refusal(
                StatusCode::UNAUTHORIZED,
                "bad_signature",
                why.message(),
            ));
        }
    };
    let value: Value = crate::web::extract::parse_json(&body)?;
    let events = crm::parse_body(&value)?;
    let batch = value.get("events").is_some();
    let outcome = webhook::store(&state.db, &delivery, &events, batch, now).await?;
    Ok(Json(json!(outcome)).into_response())
}
