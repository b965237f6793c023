//! Customer 360 API under `/api/v1`: the customer list and search, identities, organization,
//! merging duplicates (and undo), likely duplicates, and the signed CRM webhook.

use crate::customers::{self, crm, identity, merge, webhook};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::extract::{ApiAgent, ApiJson, path_id};
use crate::web::openapi::{ApiRouter, ErrorBody, ErrorDetail};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::UtoipaMethodRouterExt;
use utoipa_axum::routes;

pub fn routes(crm_body_bytes: usize) -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(duplicates))
        .routes(routes!(add_identity))
        .routes(routes!(retire_identity))
        .routes(routes!(set_organization))
        .routes(routes!(merge_customer))
        .routes(routes!(merge_history))
        .routes(routes!(undo_merge))
        .routes(routes!(crm_webhook).layer(axum::extract::DefaultBodyLimit::max(crm_body_bytes)))
}

#[derive(Serialize, ToSchema)]
struct CustomerPage {
    items: Vec<customers::CustomerSummary>,
    next_cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct DuplicateList {
    items: Vec<merge::DuplicatePair>,
}

#[derive(Serialize, ToSchema)]
struct IdentityOut {
    identity: identity::Identity,
}

#[derive(Serialize, ToSchema)]
struct CustomerOut {
    customer: customers::Customer,
}

#[derive(Serialize, ToSchema)]
struct MergeOut {
    merge: merge::MergeRecord,
}

#[derive(Serialize, ToSchema)]
struct MergeList {
    items: Vec<merge::MergeRecord>,
}

fn opt_i64(field: &str, v: Option<&str>) -> AppResult<Option<i64>> {
    v.filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<i64>()
                .map_err(|_| AppError::field(field, "must be an integer"))
        })
        .transpose()
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// Name, organization, email, phone or external id, current or former.
    q: Option<String>,
    #[param(value_type = Option<i64>)]
    cursor: Option<String>,
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    limit: Option<String>,
}

/// `GET /customers?q=`: search by name, organization, email, phone or external id.
#[utoipa::path(get, path = "/customers", tag = "customers", params(ListQuery),
    responses((status = 200, description = "Customers (not merged-away ones)", body = CustomerPage)))]
async fn list(
    State(state): State<AppState>,
    ApiAgent(_agent): ApiAgent,
    q: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> AppResult<Json<CustomerPage>> {
    let Query(q) = q.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let limit = opt_i64("limit", q.limit.as_deref())?.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(AppError::field("limit", "must be between 1 and 200"));
    }
    let before = opt_i64("cursor", q.cursor.as_deref())?;
    let (items, next) =
        customers::search(&state.db, q.q.as_deref().unwrap_or(""), before, limit).await?;
    Ok(Json(CustomerPage {
        items,
        next_cursor: next.map(|n| n.to_string()),
    }))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct DuplicatesQuery {
    /// Only this customer's likely duplicates.
    #[param(value_type = Option<i64>)]
    customer_id: Option<String>,
}

#[utoipa::path(get, path = "/customers/duplicates", tag = "customers", params(DuplicatesQuery),
    responses((status = 200, description = "Likely duplicate pairs with their reasons", body = DuplicateList)))]
async fn duplicates(
    State(state): State<AppState>,
    ApiAgent(_agent): ApiAgent,
    q: Result<Query<DuplicatesQuery>, axum::extract::rejection::QueryRejection>,
) -> AppResult<Json<DuplicateList>> {
    let Query(q) = q.map_err(|e| AppError::BadRequest(e.body_text()))?;
    let only = opt_i64("customer_id", q.customer_id.as_deref())?;
    let items = merge::duplicates(&state.db, only, 200).await?;
    Ok(Json(DuplicateList { items }))
}

/// A contact (both fields required).
#[derive(Deserialize, Default, ToSchema)]
#[serde(default, deny_unknown_fields)]
struct NewIdentity {
    #[schema(value_type = Option<identity::IdentityKind>)]
    kind: Option<String>,
    /// Phones are normalized (`+49 30 1234-567` → `+49301234567`).
    value: Option<String>,
}

#[utoipa::path(post, path = "/customers/{id}/identities", tag = "customers", request_body = NewIdentity,
    params(("id" = i64, Path, description = "Customer id")),
    responses((status = 201, description = "Added", body = IdentityOut),
        (status = 409, description = "Another customer has it (merge instead)")))]
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
    Ok((StatusCode::CREATED, Json(IdentityOut { identity: added })).into_response())
}

#[utoipa::path(post, path = "/customers/{id}/identities/{identity_id}/retire", tag = "customers",
    params(("id" = i64, Path, description = "Customer id"), ("identity_id" = i64, Path, description = "Identity id")),
    responses((status = 200, description = "Kept as a former contact (it still matches)", body = CustomerOut),
        (status = 409, description = "The customer's last email address cannot be retired")))]
async fn retire_identity(
    State(state): State<AppState>,
    ApiAgent(_agent): ApiAgent,
    Path((raw, raw_identity)): Path<(String, String)>,
) -> AppResult<Json<CustomerOut>> {
    let id = path_id(&raw, "customer")?;
    let identity_id = path_id(&raw_identity, "identity")?;
    identity::retire(&state.db, id, identity_id, state.now()).await?;
    let customer = customers::get(&state.db, id).await?;
    Ok(Json(CustomerOut { customer }))
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(default, deny_unknown_fields)]
struct OrganizationIn {
    /// Empty clears it.
    organization: Option<String>,
}

#[utoipa::path(post, path = "/customers/{id}/organization", tag = "customers", request_body = OrganizationIn,
    params(("id" = i64, Path, description = "Customer id")),
    responses((status = 200, description = "Saved", body = CustomerOut)))]
async fn set_organization(
    State(state): State<AppState>,
    ApiAgent(_agent): ApiAgent,
    Path(raw): Path<String>,
    ApiJson(body): ApiJson<OrganizationIn>,
) -> AppResult<Json<CustomerOut>> {
    let id = path_id(&raw, "customer")?;
    identity::set_organization(
        &state.db,
        id,
        body.organization.as_deref().unwrap_or(""),
        state.now(),
    )
    .await?;
    let customer = customers::get(&state.db, id).await?;
    Ok(Json(CustomerOut { customer }))
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(default, deny_unknown_fields)]
struct MergeIn {
    /// The id of the other customer (required; a number or a string of digits).
    #[schema(value_type = Option<i64>)]
    from: Option<Value>,
}

/// `POST /customers/{id}/merge {"from": other_id}`: merges `other_id` into `id`.
#[utoipa::path(post, path = "/customers/{id}/merge", tag = "customers", request_body = MergeIn,
    params(("id" = i64, Path, description = "The customer to keep")),
    responses((status = 200, description = "The merge record with `moved` counts and `can_undo`", body = MergeOut),
        (status = 409, description = "Into itself, or a customer already merged away")))]
async fn merge_customer(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path(raw): Path<String>,
    ApiJson(body): ApiJson<MergeIn>,
) -> AppResult<Json<MergeOut>> {
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
    Ok(Json(MergeOut { merge: record }))
}

#[utoipa::path(get, path = "/customers/{id}/merges", tag = "customers",
    params(("id" = i64, Path, description = "Customer id")),
    responses((status = 200, description = "Merge history", body = MergeList)))]
async fn merge_history(
    State(state): State<AppState>,
    ApiAgent(_agent): ApiAgent,
    Path(raw): Path<String>,
) -> AppResult<Json<MergeList>> {
    let id = path_id(&raw, "customer")?;
    customers::get(&state.db, id).await?;
    let items = merge::history(&state.db, id, state.now()).await?;
    Ok(Json(MergeList { items }))
}

#[utoipa::path(post, path = "/customers/{id}/merges/{merge_id}/undo", tag = "customers",
    params(("id" = i64, Path, description = "Customer id"), ("merge_id" = i64, Path, description = "Merge id")),
    responses((status = 200, description = "Undone", body = MergeOut),
        (status = 409, description = "Already undone, or after the window")))]
async fn undo_merge(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path((raw, raw_merge)): Path<(String, String)>,
) -> AppResult<Json<MergeOut>> {
    let id = path_id(&raw, "customer")?;
    let merge_id = path_id(&raw_merge, "merge")?;
    let record = merge::get(&state.db, merge_id, state.now()).await?;
    if record.into_customer_id != id && record.from_customer_id != id {
        return Err(AppError::NotFound("merge"));
    }
    let record = merge::undo(&state.db, merge_id, Some(agent.id), state.now()).await?;
    Ok(Json(MergeOut { merge: record }))
}

fn webhook_refusal(status: StatusCode, code: &str, message: String) -> Response {
    let body = ErrorBody {
        error: ErrorDetail {
            code: code.into(),
            message,
            field: None,
        },
    };
    (status, Json(body)).into_response()
}

/// `POST /crm/webhook`: CRM events signed with the shared secret (the scheme is in `docs/api.md`).
/// No bearer token: the signature is the authentication.
#[utoipa::path(post, path = "/crm/webhook", tag = "customers", request_body = crm::EventsIn,
    description = "Signed CRM events: the same body as `POST /crm/events`, authenticated by the `Casebook-Signature` header instead of a token.",
    security(("crm_signature" = [])),
    responses(
        (status = 200, description = "How many events were created and updated", body = crm::UpsertOutcome),
        (status = 401, description = "The signature header is missing or malformed, does not match the body, or `t` is more than 5 minutes off (`bad_signature`)"),
        (status = 409, description = "A delivery whose signature was already accepted (a replay)"),
        (status = 503, description = "The webhook is off: no `crm_webhook_secret` is set (`not_configured`), or the database did not answer"),
    ))]
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
    Ok(Json(outcome).into_response())
}
