//! Outbound webhooks over HTTP: the API (`/api/v1/webhooks`: subscriptions, their delivery log,
//! redelivery) and the admin pages (`/admin/webhooks`). Admins only.

use crate::auth::AgentRef;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::PageResult;
use crate::web::extract::{
    ApiAgent, ApiJson, CsrfOnly, CsrfToken, CurrentAgent, path_id, verify_csrf,
};
use crate::web::openapi::ApiRouter;
use crate::web::views::webhooks::{self as views, FormValues, SubscriptionView};
use crate::webhooks::{self, Attempt, Delivery, Subscription, SubscriptionInput};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde::{Deserialize, Serialize};
use utoipa_axum::routes;

// ---------------------------------------------------------------------------------------------
// API (merged into /api/v1)

pub fn api_routes() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(api_list, api_create))
        .routes(routes!(api_get, api_update, api_delete))
        .routes(routes!(api_deliveries))
        .routes(routes!(api_delivery))
        .routes(routes!(api_redeliver))
}

/// `GET /webhooks`.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = WebhookList)]
pub struct SubscriptionList {
    pub items: Vec<Subscription>,
    /// Every event kind a subscription can ask for.
    pub event_kinds: Vec<String>,
}

/// One subscription.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = WebhookOut)]
pub struct SubscriptionOut {
    pub subscription: Subscription,
}

/// A new subscription with its secret (the only time the API shows it).
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = WebhookCreated)]
pub struct CreatedOut {
    pub subscription: Subscription,
    pub secret: String,
}

/// A page of deliveries, newest first.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = WebhookDeliveryList)]
pub struct DeliveryList {
    pub items: Vec<Delivery>,
    /// Pass as `cursor` for the next (older) page; none on the last.
    pub next_cursor: Option<String>,
}

/// One delivery with every attempt and the exact body it sends.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = WebhookDeliveryOut)]
pub struct DeliveryOut {
    pub delivery: Delivery,
    pub attempts: Vec<Attempt>,
    pub body: String,
}

/// A delivery queued again.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = WebhookRedelivery)]
pub struct RedeliveryOut {
    pub delivery: Delivery,
}

#[derive(Debug, Deserialize)]
pub struct DeliveriesQuery {
    pub status: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

const PAGE: i64 = 50;

fn admin(agent: &AgentRef) -> AppResult<()> {
    agent.require_admin()
}

#[utoipa::path(get, path = "/webhooks", tag = "webhooks",
    responses((status = 200, description = "Every subscription, and the event kinds one can ask for", body = SubscriptionList),
        (status = 403, description = "Admins only")))]
async fn api_list(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
) -> AppResult<Json<SubscriptionList>> {
    admin(&agent)?;
    Ok(Json(SubscriptionList {
        items: webhooks::list(&state.db).await?,
        event_kinds: webhooks::EVENT_KINDS
            .iter()
            .map(|k| k.to_string())
            .collect(),
    }))
}

#[utoipa::path(post, path = "/webhooks", tag = "webhooks", request_body = SubscriptionInput,
    responses((status = 201, description = "Created; the secret is shown this once", body = CreatedOut),
        (status = 403, description = "Admins only")))]
async fn api_create(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    ApiJson(input): ApiJson<SubscriptionInput>,
) -> AppResult<Response> {
    admin(&agent)?;
    let (subscription, secret) =
        webhooks::create(&state.db, &input, Some(agent.id), state.now()).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedOut {
            subscription,
            secret,
        }),
    )
        .into_response())
}

#[utoipa::path(get, path = "/webhooks/{id}", tag = "webhooks", params(("id" = i64, Path, description = "Subscription id")),
    responses((status = 200, description = "The subscription", body = SubscriptionOut),
        (status = 403, description = "Admins only")))]
async fn api_get(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path(raw): Path<String>,
) -> AppResult<Json<SubscriptionOut>> {
    admin(&agent)?;
    let id = path_id(&raw, "webhook")?;
    Ok(Json(SubscriptionOut {
        subscription: webhooks::get(&state.db, id).await?,
    }))
}

#[utoipa::path(patch, path = "/webhooks/{id}", tag = "webhooks", params(("id" = i64, Path, description = "Subscription id")), request_body = SubscriptionInput,
    responses((status = 200, description = "Changed; absent fields keep their value", body = SubscriptionOut),
        (status = 403, description = "Admins only")))]
async fn api_update(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path(raw): Path<String>,
    ApiJson(input): ApiJson<SubscriptionInput>,
) -> AppResult<Json<SubscriptionOut>> {
    admin(&agent)?;
    let id = path_id(&raw, "webhook")?;
    Ok(Json(SubscriptionOut {
        subscription: webhooks::update(&state.db, id, &input, state.now()).await?,
    }))
}

#[utoipa::path(delete, path = "/webhooks/{id}", tag = "webhooks", params(("id" = i64, Path, description = "Subscription id")),
    responses((status = 204, description = "Deleted with its deliveries"),
        (status = 403, description = "Admins only")))]
async fn api_delete(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path(raw): Path<String>,
) -> AppResult<StatusCode> {
    admin(&agent)?;
    let id = path_id(&raw, "webhook")?;
    webhooks::delete(&state.db, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn parse_page(q: &DeliveriesQuery) -> AppResult<(Option<i64>, i64)> {
    let cursor = crate::web::routes::page_cursor(q.cursor.as_deref())?;
    let limit = match q.limit.as_deref().map(str::trim) {
        None | Some("") => PAGE,
        Some(l) => l
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=500).contains(n))
            .ok_or_else(|| AppError::field("limit", t!("webhooks-error-limit", max = 500)))?,
    };
    Ok((cursor, limit))
}

/// A page of deliveries and the cursor of the next one.
async fn page_of(
    state: &AppState,
    id: i64,
    status: Option<&str>,
    cursor: Option<i64>,
    limit: i64,
) -> AppResult<(Vec<Delivery>, Option<i64>)> {
    let mut items = webhooks::deliveries(&state.db, id, status, cursor, limit + 1).await?;
    let next = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|d| d.id)
    } else {
        None
    };
    Ok((items, next))
}

#[utoipa::path(get, path = "/webhooks/{id}/deliveries", tag = "webhooks",
    params(("id" = i64, Path, description = "Subscription id"),
        ("status" = Option<String>, Query, description = "Only deliveries in this state",
            pattern = "^(pending|retrying|delivered|failed|paused)?$"),
        ("limit" = Option<i64>, Query, description = "1 to 500 (default 50)", minimum = 1, maximum = 500),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page")),
    responses((status = 200, description = "A page of the delivery log, newest first", body = DeliveryList),
        (status = 403, description = "Admins only")))]
async fn api_deliveries(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path(raw): Path<String>,
    Query(q): Query<DeliveriesQuery>,
) -> AppResult<Json<DeliveryList>> {
    admin(&agent)?;
    let id = path_id(&raw, "webhook")?;
    let (cursor, limit) = parse_page(&q)?;
    let status = q.status.as_deref().filter(|s| !s.is_empty());
    let (items, next) = page_of(&state, id, status, cursor, limit).await?;
    Ok(Json(DeliveryList {
        items,
        next_cursor: next.map(|n| n.to_string()),
    }))
}

#[utoipa::path(get, path = "/webhooks/{id}/deliveries/{delivery_id}", tag = "webhooks",
    params(("id" = i64, Path, description = "Subscription id"), ("delivery_id" = i64, Path, description = "Delivery id")),
    responses((status = 200, description = "The delivery, every attempt, and the body it sends", body = DeliveryOut),
        (status = 403, description = "Admins only")))]
async fn api_delivery(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path((raw, raw_delivery)): Path<(String, String)>,
) -> AppResult<Json<DeliveryOut>> {
    admin(&agent)?;
    let id = path_id(&raw, "webhook")?;
    let delivery_id = path_id(&raw_delivery, "delivery")?;
    let (delivery, attempts, body) = webhooks::delivery(&state.db, id, delivery_id).await?;
    Ok(Json(DeliveryOut {
        delivery,
        attempts,
        body,
    }))
}

#[utoipa::path(post, path = "/webhooks/{id}/deliveries/{delivery_id}/redeliver", tag = "webhooks",
    params(("id" = i64, Path, description = "Subscription id"), ("delivery_id" = i64, Path, description = "Delivery id")),
    responses((status = 202, description = "Queued to be sent again, with the same id and body", body = RedeliveryOut),
        (status = 403, description = "Admins only")))]
async fn api_redeliver(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path((raw, raw_delivery)): Path<(String, String)>,
) -> AppResult<Response> {
    admin(&agent)?;
    let id = path_id(&raw, "webhook")?;
    let delivery_id = path_id(&raw_delivery, "delivery")?;
    let delivery = webhooks::redeliver(&state.db, id, delivery_id, state.now()).await?;
    Ok((StatusCode::ACCEPTED, Json(RedeliveryOut { delivery })).into_response())
}

// ---------------------------------------------------------------------------------------------
// Admin pages

pub fn ui_routes() -> Router<AppState> {
    Router::new()
        .route("/admin/webhooks", get(admin_list).post(admin_create))
        .route("/admin/webhooks/{id}", get(admin_show).post(admin_update))
        .route("/admin/webhooks/{id}/enable", post(admin_enable))
        .route("/admin/webhooks/{id}/disable", post(admin_disable))
        .route("/admin/webhooks/{id}/delete", post(admin_delete))
        .route(
            "/admin/webhooks/{id}/deliveries/{delivery_id}",
            get(admin_delivery),
        )
        .route(
            "/admin/webhooks/{id}/deliveries/{delivery_id}/redeliver",
            post(admin_redeliver),
        )
}

/// A posted subscription form: its CSRF token, its input, and what to show again on an error.
struct Posted {
    csrf: Option<String>,
    input: SubscriptionInput,
    values: FormValues,
}

/// The add and edit forms (`events` is a checkbox per kind, so the fields come as pairs).
fn posted(pairs: Vec<(String, String)>, editing: bool) -> Posted {
    let mut p = Posted {
        csrf: None,
        input: SubscriptionInput::default(),
        values: FormValues::default(),
    };
    let mut events = Vec::new();
    for (k, v) in pairs {
        match k.as_str() {
            "csrf" => p.csrf = Some(v),
            "name" => p.values.name = Some(v),
            "url" => p.values.url = Some(v),
            "events" => events.push(v),
            "secret" if !v.trim().is_empty() => p.input.secret = Some(v),
            "allow_private" => p.values.allow_private = true,
            _ => {}
        }
    }
    p.input.name = p.values.name.clone();
    p.input.url = p.values.url.clone();
    p.input.events = Some(events.clone());
    p.input.allow_private = Some(p.values.allow_private);
    p.values.events = events;
    if !editing {
        p.input.active = Some(true);
    }
    p
}

async fn admin_list(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
) -> PageResult<Response> {
    admin(&agent)?;
    let subs = webhooks::list(&state.db).await?;
    let form = FormValues::default();
    Ok(views::list_page(&agent, &csrf, &subs, &[], &form).into_response())
}

async fn admin_create(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult<Response> {
    let p = posted(pairs, false);
    verify_csrf(&headers, p.csrf.as_deref())?;
    admin(&agent)?;
    match webhooks::create(&state.db, &p.input, Some(agent.id), state.now()).await {
        Ok((sub, secret)) => {
            // The secret is shown once, on the new subscription's page.
            let log = LogPage {
                new_secret: Some(&secret),
                ..LogPage::default()
            };
            let page = show(&state, &agent, &csrf, &sub, &log).await?;
            Ok(page.into_response())
        }
        Err(AppError::Validation { field, message }) => {
            let subs = webhooks::list(&state.db).await?;
            let errors = [(field, message)];
            let page = views::list_page(&agent, &csrf, &subs, &errors, &p.values);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Deserialize)]
struct ShowQuery {
    status: Option<String>,
    cursor: Option<String>,
}

/// Which part of a subscription's log its page shows, and the secret just made (shown once).
#[derive(Default)]
struct LogPage<'a> {
    status: Option<&'a str>,
    cursor: Option<i64>,
    new_secret: Option<&'a str>,
}

async fn show(
    state: &AppState,
    agent: &AgentRef,
    csrf: &str,
    sub: &Subscription,
    log: &LogPage<'_>,
) -> AppResult<maud::Markup> {
    let (deliveries, next_cursor) = page_of(state, sub.id, log.status, log.cursor, PAGE).await?;
    let form = FormValues::default();
    Ok(views::subscription_page(
        agent,
        csrf,
        &SubscriptionView {
            sub,
            deliveries: &deliveries,
            status: log.status,
            next_cursor,
            new_secret: log.new_secret,
            errors: &[],
            form: &form,
        },
    ))
}

async fn admin_show(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> PageResult<Response> {
    admin(&agent)?;
    let sub = webhooks::get(&state.db, id).await?;
    let status = q.status.as_deref().filter(|s| !s.is_empty());
    let cursor = crate::web::routes::page_cursor(q.cursor.as_deref())?;
    let log = LogPage {
        status,
        cursor,
        new_secret: None,
    };
    Ok(show(&state, &agent, &csrf, &sub, &log)
        .await?
        .into_response())
}

async fn admin_update(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult<Response> {
    let p = posted(pairs, true);
    verify_csrf(&headers, p.csrf.as_deref())?;
    admin(&agent)?;
    match webhooks::update(&state.db, id, &p.input, state.now()).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/webhooks/{id}")).into_response()),
        Err(AppError::Validation { field, message }) => {
            let sub = webhooks::get(&state.db, id).await?;
            let errors = [(field, message)];
            let (deliveries, next_cursor) = page_of(&state, id, None, None, PAGE).await?;
            let page = views::subscription_page(
                &agent,
                &csrf,
                &SubscriptionView {
                    sub: &sub,
                    deliveries: &deliveries,
                    status: None,
                    next_cursor,
                    new_secret: None,
                    errors: &errors,
                    form: &p.values,
                },
            );
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

async fn set_active(
    state: &AppState,
    agent: &AgentRef,
    headers: &HeaderMap,
    csrf: Option<&str>,
    id: i64,
    active: bool,
) -> PageResult<Response> {
    verify_csrf(headers, csrf)?;
    admin(agent)?;
    let input = SubscriptionInput {
        active: Some(active),
        ..SubscriptionInput::default()
    };
    webhooks::update(&state.db, id, &input, state.now()).await?;
    Ok(Redirect::to(&format!("/admin/webhooks/{id}")).into_response())
}

async fn admin_enable(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> PageResult<Response> {
    set_active(&state, &agent, &headers, f.csrf.as_deref(), id, true).await
}

async fn admin_disable(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> PageResult<Response> {
    set_active(&state, &agent, &headers, f.csrf.as_deref(), id, false).await
}

async fn admin_delete(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> PageResult<Response> {
    verify_csrf(&headers, f.csrf.as_deref())?;
    admin(&agent)?;
    webhooks::delete(&state.db, id).await?;
    Ok(Redirect::to("/admin/webhooks").into_response())
}

async fn admin_delivery(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    Path((id, delivery_id)): Path<(i64, i64)>,
) -> PageResult<Response> {
    admin(&agent)?;
    let sub = webhooks::get(&state.db, id).await?;
    let (d, attempts, body) = webhooks::delivery(&state.db, id, delivery_id).await?;
    Ok(views::delivery_page(&agent, &csrf, &sub, &d, &attempts, &body).into_response())
}

async fn admin_redeliver(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    headers: HeaderMap,
    Path((id, delivery_id)): Path<(i64, i64)>,
    Form(f): Form<CsrfOnly>,
) -> PageResult<Response> {
    verify_csrf(&headers, f.csrf.as_deref())?;
    admin(&agent)?;
    webhooks::redeliver(&state.db, id, delivery_id, state.now()).await?;
    Ok(Redirect::to(&format!("/admin/webhooks/{id}/deliveries/{delivery_id}")).into_response())
}
