//! Messaging channels over HTTP: the admin API (`/api/v1/channels`), the gateways' signed
//! inbound webhooks (`/api/v1/channels/{channel}/inbound` for the generic JSON format,
//! `/api/v1/channels/{channel}/twilio` for Twilio's form posts) and the admin pages
//! (`/admin/channels`).

use crate::auth::AgentRef;
use crate::channels::{
    self, Gateway, GatewayInput, InboundMessage, InboundOutcome, NewSecrets, twilio,
};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::PageResult;
use crate::web::extract::{ApiAgent, ApiJson, CsrfOnly, CsrfToken, CurrentAgent, verify_csrf};
use crate::web::openapi::{ApiRouter, ErrorBody, ErrorDetail};
use crate::web::views::channels::{self as views, FormValues};
use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
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
        .routes(routes!(inbound))
        .routes(routes!(twilio_inbound))
}

/// `GET /channels`.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChannelList {
    pub items: Vec<Gateway>,
}

/// One channel, with the secrets a create or change made (shown this once).
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChannelOut {
    pub channel: Gateway,
    pub secrets: NewSecrets,
}

/// Twilio's inbound message webhook (the fields Casebook reads; Twilio sends more, which are
/// part of the signature but otherwise ignored).
#[allow(dead_code)]
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct TwilioInbound {
    /// The sender's number (or `whatsapp:+…`).
    pub from: String,
    /// Your Twilio number.
    pub to: Option<String>,
    pub body: Option<String>,
    /// Twilio's id of the message: the same id again is one message.
    pub message_sid: String,
    /// How many media follow as `MediaUrl0`…, `MediaContentType0`….
    pub num_media: Option<String>,
    /// The sender's profile name (WhatsApp).
    pub profile_name: Option<String>,
}

fn admin(agent: &AgentRef) -> AppResult<()> {
    agent.require_admin()
}

#[utoipa::path(get, path = "/channels", tag = "channels",
    responses((status = 200, description = "Every connected channel", body = ChannelList),
        (status = 403, description = "Admins only")))]
async fn api_list(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
) -> AppResult<Json<ChannelList>> {
    admin(&agent)?;
    Ok(Json(ChannelList {
        items: channels::list(&state.db).await?,
    }))
}

#[utoipa::path(post, path = "/channels", tag = "channels", request_body = GatewayInput,
    responses((status = 201, description = "Created; secrets it made are shown this once", body = ChannelOut),
        (status = 403, description = "Admins only"),
        (status = 409, description = "The slug is taken")))]
async fn api_create(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    ApiJson(input): ApiJson<GatewayInput>,
) -> AppResult<Response> {
    admin(&agent)?;
    let (channel, secrets) = channels::create(&state.db, &input, state.now()).await?;
    Ok((StatusCode::CREATED, Json(ChannelOut { channel, secrets })).into_response())
}

#[utoipa::path(get, path = "/channels/{channel}", tag = "channels",
    params(("channel" = String, Path, description = "The channel's slug")),
    responses((status = 200, description = "The channel", body = ChannelOut),
        (status = 403, description = "Admins only")))]
async fn api_get(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path(slug): Path<String>,
) -> AppResult<Json<ChannelOut>> {
    admin(&agent)?;
    Ok(Json(ChannelOut {
        channel: channels::get(&state.db, &slug).await?,
        secrets: NewSecrets::default(),
    }))
}

#[utoipa::path(patch, path = "/channels/{channel}", tag = "channels",
    params(("channel" = String, Path, description = "The channel's slug")), request_body = GatewayInput,
    responses((status = 200, description = "Changed; absent fields keep their value", body = ChannelOut),
        (status = 403, description = "Admins only"),
        (status = 409, description = "The new slug is taken")))]
async fn api_update(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path(slug): Path<String>,
    ApiJson(input): ApiJson<GatewayInput>,
) -> AppResult<Json<ChannelOut>> {
    admin(&agent)?;
    let (channel, secrets) = channels::update(&state.db, &slug, &input, state.now()).await?;
    Ok(Json(ChannelOut { channel, secrets }))
}

#[utoipa::path(delete, path = "/channels/{channel}", tag = "channels",
    params(("channel" = String, Path, description = "The channel's slug")),
    responses((status = 204, description = "Deleted; its tickets and messages stay"),
        (status = 403, description = "Admins only")))]
async fn api_delete(
    State(state): State<AppState>,
    ApiAgent(agent): ApiAgent,
    Path(slug): Path<String>,
) -> AppResult<StatusCode> {
    admin(&agent)?;
    channels::delete(&state.db, &slug).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn refusal(status: StatusCode, code: &str, message: String) -> Response {
    let body = ErrorBody {
        error: ErrorDetail {
            code: code.into(),
            message,
            field: None,
        },
    };
    (status, Json(body)).into_response()
}

/// `POST /channels/{channel}/inbound`: a generic gateway's message, signed with the channel's
/// inbound secret (`docs/channels.md`). No bearer token: the signature is the authentication.
#[utoipa::path(post, path = "/channels/{channel}/inbound", tag = "channels", request_body = InboundMessage,
    description = "A message from a connected SMS, chat or social gateway. Signed with `Casebook-Signature` (the channel's inbound secret). Fields Casebook does not know are ignored.",
    params(("channel" = String, Path, description = "The channel's slug")),
    security(("channel_signature" = [])),
    responses(
        (status = 200, description = "Stored (or, for an `external_id` seen before, the message stored then with `duplicate: true`)", body = InboundOutcome),
        (status = 401, description = "The signature header is missing or malformed, does not match the body, or `t` is more than 5 minutes off (`bad_signature`)"),
        (status = 404, description = "No active generic channel has this slug"),
        (status = 409, description = "A delivery whose signature was already accepted (a replay)"),
        (status = 413, description = "The body, or an attachment, is over the size limit"),
    ))]
async fn inbound(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Response> {
    let channel = channels::inbound_channel(&state.db, &slug, channels::Adapter::Generic).await?;
    let now = state.now();
    let header = headers
        .get(crate::customers::webhook::SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok());
    let verified = match channels::verify(&channel, header, &body, now) {
        Ok(v) => v,
        Err(why) => {
            tracing::info!(reason = ?why, channel = %slug, "refused a channel delivery");
            return Ok(refusal(
                StatusCode::UNAUTHORIZED,
                "bad_signature",
                why.message(),
            ));
        }
    };
    let message: InboundMessage = crate::web::extract::parse_json(&body)?;
    let limit = state.config.max_attachment_bytes;
    let outcome =
        channels::receive_generic(&state.db, &channel, &verified, &message, limit, now).await?;
    if outcome.created_ticket {
        state.metrics.ticket_created(channel.kind);
    }
    Ok(Json(outcome).into_response())
}

/// `POST /channels/{channel}/twilio`: Twilio's inbound message webhook for a Twilio channel.
#[utoipa::path(post, path = "/channels/{channel}/twilio", tag = "channels",
    request_body(content = TwilioInbound, content_type = "application/x-www-form-urlencoded"),
    description = "Twilio's messaging webhook (set it as the number's \"A message comes in\" URL). Verified with `X-Twilio-Signature` under the channel's auth token, over Casebook's `base_url` and this path. Answers empty TwiML.",
    params(("channel" = String, Path, description = "The channel's slug")),
    security(("twilio_signature" = [])),
    responses(
        (status = 200, description = "Stored (a `MessageSid` seen before is the same message); empty TwiML", body = String, content_type = "text/xml"),
        (status = 401, description = "`X-Twilio-Signature` is missing or does not match (`bad_signature`)"),
        (status = 404, description = "No active Twilio channel has this slug"),
    ))]
async fn twilio_inbound(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Response> {
    let channel = channels::inbound_channel(&state.db, &slug, channels::Adapter::Twilio).await?;
    let params = twilio::form_fields(&body);
    let url = format!(
        "{}{}",
        state.config.base_url.trim_end_matches('/'),
        uri.path_and_query()
            .map(|p| p.as_str())
            .unwrap_or(uri.path())
    );
    let header = headers
        .get(twilio::SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok());
    if !twilio::verify(&channel, header, &url, &params) {
        tracing::info!(channel = %slug, "refused a Twilio delivery");
        return Ok(refusal(
            StatusCode::UNAUTHORIZED,
            "bad_signature",
            t!("channels-error-twilio-signature"),
        ));
    }
    let parsed = twilio::parse(&channel, &params)?;
    let outcome = channels::receive(&state.db, &channel, parsed, state.now()).await?;
    if outcome.created_ticket {
        state.metrics.ticket_created(channel.kind);
    }
    Ok((
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        twilio::EMPTY_TWIML,
    )
        .into_response())
}

// ---------------------------------------------------------------------------------------------
// Admin pages

pub fn ui_routes() -> Router<AppState> {
    Router::new()
        .route("/admin/channels", get(admin_list).post(admin_create))
        .route("/admin/channels/{slug}", get(admin_show).post(admin_update))
        .route("/admin/channels/{slug}/delete", post(admin_delete))
}

/// A posted channel form: its CSRF token, its input, and what to show again on an error.
fn posted(
    pairs: Vec<(String, String)>,
    editing: bool,
) -> (Option<String>, GatewayInput, FormValues) {
    let mut csrf = None;
    let mut input = GatewayInput::default();
    let mut v = FormValues::default();
    let text = |s: String| (!s.trim().is_empty()).then_some(s);
    for (k, val) in pairs {
        match k.as_str() {
            "csrf" => csrf = Some(val),
            "slug" => v.slug = Some(val),
            "name" => v.name = Some(val),
            "kind" => v.kind = Some(val),
            "adapter" => v.adapter = Some(val),
            "reply_url" => v.reply_url = Some(val),
            "twilio_account_sid" => v.twilio_account_sid = Some(val),
            "twilio_from" => v.twilio_from = Some(val),
            "twilio_api_base" => v.twilio_api_base = Some(val),
            "inbound_secret" => input.inbound_secret = text(val),
            "reply_secret" => input.reply_secret = text(val),
            "twilio_auth_token" => input.twilio_auth_token = text(val),
            "allow_private" => v.allow_private = true,
            "active" => v.active = true,
            _ => {}
        }
    }
    input.slug = v.slug.clone();
    input.name = v.name.clone();
    input.kind = v.kind.clone();
    input.reply_url = v.reply_url.clone().and_then(text);
    input.twilio_account_sid = v.twilio_account_sid.clone().and_then(text);
    input.twilio_from = v.twilio_from.clone().and_then(text);
    input.twilio_api_base = v.twilio_api_base.clone().and_then(text);
    input.allow_private = Some(v.allow_private);
    if editing {
        input.active = Some(v.active);
    } else {
        input.adapter = v.adapter.clone();
        input.active = Some(true);
    }
    (csrf, input, v)
}

async fn admin_list(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
) -> PageResult<Response> {
    admin(&agent)?;
    let all = channels::list(&state.db).await?;
    Ok(views::list_page(&agent, &csrf, &all, &[], &FormValues::default()).into_response())
}

/// A form's field errors; a conflict is a slug another channel has.
fn errors_of(e: &AppError) -> Option<Vec<(String, String)>> {
    super::field_errors(e).or_else(|| match e {
        AppError::Conflict(message) => Some(vec![("slug".into(), message.clone())]),
        _ => None,
    })
}

async fn admin_create(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult<Response> {
    let (token, input, values) = posted(pairs, false);
    verify_csrf(&headers, token.as_deref())?;
    admin(&agent)?;
    match channels::create(&state.db, &input, state.now()).await {
        Ok((channel, secrets)) => {
            let page = views::channel_page(
                &agent,
                &csrf,
                &channel,
                &secrets,
                &[],
                &FormValues::default(),
            );
            Ok((StatusCode::CREATED, page).into_response())
        }
        Err(e) => match errors_of(&e) {
            Some(errors) => {
                let all = channels::list(&state.db).await?;
                let page = views::list_page(&agent, &csrf, &all, &errors, &values);
                Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
            }
            None => Err(e.into()),
        },
    }
}

async fn admin_show(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    Path(slug): Path<String>,
) -> PageResult<Response> {
    admin(&agent)?;
    let channel = channels::get(&state.db, &slug).await?;
    let page = views::channel_page(
        &agent,
        &csrf,
        &channel,
        &NewSecrets::default(),
        &[],
        &FormValues::default(),
    );
    Ok(page.into_response())
}

async fn admin_update(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult<Response> {
    let (token, input, values) = posted(pairs, true);
    verify_csrf(&headers, token.as_deref())?;
    admin(&agent)?;
    match channels::update(&state.db, &slug, &input, state.now()).await {
        Ok((channel, secrets)) if secrets == NewSecrets::default() => {
            Ok(Redirect::to(&format!("/admin/channels/{}", channel.slug)).into_response())
        }
        Ok((channel, secrets)) => {
            let page = views::channel_page(
                &agent,
                &csrf,
                &channel,
                &secrets,
                &[],
                &FormValues::default(),
            );
            Ok(page.into_response())
        }
        Err(e) => match errors_of(&e) {
            Some(errors) => {
                let channel = channels::get(&state.db, &slug).await?;
                let page = views::channel_page(
                    &agent,
                    &csrf,
                    &channel,
                    &NewSecrets::default(),
                    &errors,
                    &values,
                );
                Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
            }
            None => Err(e.into()),
        },
    }
}

async fn admin_delete(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> PageResult<Response> {
    verify_csrf(&headers, f.csrf.as_deref())?;
    admin(&agent)?;
    channels::delete(&state.db, &slug).await?;
    Ok(Redirect::to("/admin/channels").into_response())
}
