//! Public pages: the support form (abuse-resistant) and the customer's private ticket link.

use super::field_errors;
use crate::domain::{Channel, EmailAddress, Status};
use crate::error::AppError;
use crate::intake::{self, IdempotencyKey, NewInbound};
use crate::state::AppState;
use crate::tickets::{self, links::LinkState};
use crate::web::extract::{ClientIp, CsrfOnly, CsrfToken, verify_csrf};
use crate::web::views::public::{self as views, CustomerView, SupportForm};
use crate::web::{PageError, PageResult};
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

/// The public routes; the web form's posts are limited to `support_body_bytes`, less than the
/// agents' limit, since anyone can send them.
pub fn routes(support_body_bytes: usize) -> Router<AppState> {
    Router::new()
        .route(
            "/support",
            get(form_page)
                .post(submit)
                .layer(axum::extract::DefaultBodyLimit::max(support_body_bytes)),
        )
        .route("/support/received", get(received))
        .route("/t/{token}", get(customer_view))
        .route("/t/{token}/messages", post(customer_reply))
        .route("/t/{token}/renew", post(renew_link))
        .route("/t/{token}/cc", post(customer_cc))
        .route("/t/{token}/attachments/{id}", get(customer_attachment))
}

async fn form_page(CsrfToken(csrf): CsrfToken) -> Response {
    let page = views::support(
        &csrf,
        &crate::auth::random_token(16),
        &SupportForm::default(),
        &[],
    );
    // Each visit gets a fresh form key; a page restored from cache would reuse the old one.
    ([(header::CACHE_CONTROL, "no-store")], page).into_response()
}

async fn received(CsrfToken(csrf): CsrfToken) -> Response {
    views::received(&csrf).into_response()
}

fn validate_name(name: &str) -> Result<Option<String>, AppError> {
    let name = name.trim();
    if name.chars().count() > 200 {
        return Err(AppError::field(
            "name",
            t!("public-name-too-long", max = 200),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(AppError::field("name", t!("public-name-single-line")));
    }
    Ok((!name.is_empty()).then(|| name.to_string()))
}

async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    CsrfToken(csrf): CsrfToken,
    req: Request,
) -> PageResult<Response> {
    let headers = req.headers().clone();
    let now = state.now();
    // Counted before the body is read: a sender over the limit costs no upload.
    state
        .limits
        .form_per_ip
        .hit(&ip, now)
        .map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })?;
    let mut sub = crate::web::form::read_submission(&state, req).await?;
    let get = |k: &str| sub.fields.get(k).cloned().unwrap_or_default();
    verify_csrf(&headers, sub.fields.get("csrf").map(String::as_str))?;
    // Bots fill every field; people never see this one. Look successful, create nothing.
    if !get("website").trim().is_empty() {
        tracing::info!(ip, "support form honeypot filled; dropped");
        return Ok(Redirect::to("/support/received").into_response());
    }
    let values = SupportForm {
        name: get("name"),
        email: get("email"),
        subject: get("subject"),
        message: get("message"),
    };
    let form_key = get("form_key");
    // Moved, not copied: a file can be megabytes.
    let attachments = std::mem::take(&mut sub.attachments);
    let result = async {
        if let Some(message) = &sub.attachment_error {
            return Err(AppError::field("attachment", message.clone()));
        }
        let from_name = validate_name(&values.name)?;
        let from_email =
            EmailAddress::parse(&values.email).map_err(|m| AppError::field("email", m))?;
        state
            .limits
            .form_per_address
            .hit(from_email.as_str(), now)
            .map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })?;
        // The key binds the form instance to what was sent: the same form sent again is one
        // ticket, but someone else (or a second question) sent from a reused page is not.
        let idempotency = (form_key.len() >= 16 && form_key.len() <= 128).then(|| IdempotencyKey {
            scope: intake::WEB_SCOPE.into(),
            key: crate::auth::digest(&format!(
                "{form_key}\n{}\n{}\n{}",
                from_email.as_str(),
                values.subject,
                values.message
            )),
        });
        let inbound = NewInbound {
            channel: Channel::Web,
            from: crate::intake::Sender::Email(from_email),
            from_name,
            subject: values.subject.clone(),
            body_text: values.message.clone(),
            body_html: None,
            attachments,
            idempotency,
            ticket_id: None,
            priority: None,
            issue_link: true,
            language: crate::web::locale::hint(&headers),
            email: None,
            gateway: None,
        };
        intake::receive(&state.db, &inbound, now).await
    }
    .await;
    match result {
        Ok(outcome) => {
            if outcome.created_ticket {
                state.metrics.ticket_created(Channel::Web);
            }
            let token = outcome.link_token.unwrap_or_default();
            Ok(Redirect::to(&format!("/t/{token}?new=1")).into_response())
        }
        Err(err) => match field_errors(&err) {
            Some(errors) => {
                let key = if form_key.is_empty() {
                    crate::auth::random_token(16)
                } else {
                    form_key
                };
                Ok((
                    StatusCode::UNPROCESSABLE_ENTITY,
                    views::support(&csrf, &key, &values, &errors),
                )
                    .into_response())
            }
            None => Err(err.into()),
        },
    }
}

#[derive(Deserialize)]
struct ViewQuery {
    new: Option<String>,
}

async fn render_customer_view(
    state: &AppState,
    csrf: &str,
    token: &str,
    ticket_id: i64,
    just_created: bool,
    errors: &[(String, String)],
) -> PageResult<maud::Markup> {
    let ticket = tickets::get_ticket(&state.db, ticket_id).await?;
    let messages = tickets::messages(&state.db, ticket_id, true).await?;
    let link = format!("{}/t/{token}", state.config.base_url);
    let csat = crate::reports::csat::current(&state.db, ticket_id).await?;
    let cc = tickets::cc(&state.db, ticket_id).await?;
    Ok(views::customer_ticket(&CustomerView {
        cc: &cc,
        csrf,
        token,
        ticket: &ticket,
        messages: &messages,
        just_created,
        link: &link,
        errors,
        csat: csat.as_ref(),
    }))
}

fn link_error(err: AppError) -> PageError {
    match err {
        AppError::NotFound(_) => PageError(AppError::NotFound(
            "this link is not valid or has expired; ticket link",
        )),
        other => PageError(other),
    }
}

async fn customer_view(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    chosen: Option<axum::Extension<crate::web::locale::ChosenLocale>>,
    Path(token): Path<String>,
    Query(q): Query<ViewQuery>,
) -> PageResult<Response> {
    let ticket_id = match tickets::links::state(&state.db, &token, state.now()).await? {
        LinkState::Valid(ticket_id) => ticket_id,
        gone @ (LinkState::Expired(_) | LinkState::Revoked(_)) => {
            let expired = matches!(gone, LinkState::Expired(_));
            let mut resp =
                (StatusCode::GONE, views::link_gone(&csrf, &token, expired)).into_response();
            resp.headers_mut().insert(
                header::CACHE_CONTROL,
                header::HeaderValue::from_static("no-store"),
            );
            return Ok(resp);
        }
        LinkState::Unknown => return Err(link_error(AppError::NotFound("ticket"))),
    };
    // A language picked here is the customer's from now on (their mail follows it); without a
    // pick, the page speaks the language the customer last wrote in.
    match chosen {
        Some(axum::Extension(crate::web::locale::ChosenLocale(locale))) => {
            intake::customer_chose_locale(&state.db, ticket_id, locale).await?
        }
        None if !crate::web::locale::picked(&headers, None) => {
            if let Some(locale) = intake::customer_locale(&state.db, ticket_id).await? {
                crate::i18n::set_current(locale);
            }
        }
        None => {}
    }
    let mut resp = render_customer_view(&state, &csrf, &token, ticket_id, q.new.is_some(), &[])
        .await?
        .into_response();
    // The link is the key to the ticket: keep it out of caches and referrers.
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(resp)
}

/// An expired link asks for a fresh one: mailed to the address on the request (never shown
/// here), at most once per ten minutes per ticket. The answer is the same either way.
async fn renew_link(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> PageResult<Response> {
    verify_csrf(&headers, f.csrf.as_deref())?;
    let now = state.now();
    match tickets::links::state(&state.db, &token, now).await? {
        LinkState::Expired(ticket_id) => {
            let mut tx = state.db.begin().await?;
            if tickets::links::ask_renewal(&mut tx, &token, ticket_id, now).await? {
                tickets::links::queue_fresh_link(&mut tx, ticket_id, now).await?;
            }
            tx.commit().await?;
        }
        LinkState::Valid(_) => {
            return Ok(Redirect::to(&format!("/t/{token}")).into_response());
        }
        LinkState::Revoked(_) | LinkState::Unknown => {
            return Err(link_error(AppError::NotFound("ticket")));
        }
    }
    Ok(views::link_renewed(&csrf).into_response())
}

#[derive(Deserialize)]
struct ReplyForm {
    csrf: Option<String>,
    message: Option<String>,
}

#[derive(serde::Deserialize)]
struct CcForm {
    csrf: Option<String>,
    address: Option<String>,
}

/// The customer copies a colleague on the replies.
async fn customer_cc(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(f): Form<CcForm>,
) -> PageResult<Response> {
    verify_csrf(&headers, f.csrf.as_deref())?;
    let now = state.now();
    let ticket_id = tickets::repo::ticket_for_link(&state.db, &token, now)
        .await
        .map_err(link_error)?;
    let address = f.address.unwrap_or_default();
    match tickets::customer_adds_cc(&state.db, ticket_id, &address, now).await {
        Ok(()) => Ok(Redirect::to(&format!("/t/{token}")).into_response()),
        Err(err) => match super::field_errors(&err) {
            Some(errors) => {
                let page =
                    render_customer_view(&state, &csrf, &token, ticket_id, false, &errors).await?;
                Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
            }
            None => Err(err.into()),
        },
    }
}

async fn customer_reply(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(f): Form<ReplyForm>,
) -> PageResult<Response> {
    verify_csrf(&headers, f.csrf.as_deref())?;
    let now = state.now();
    let ticket_id = tickets::repo::ticket_for_link(&state.db, &token, now)
        .await
        .map_err(link_error)?;
    let ticket = tickets::get_ticket(&state.db, ticket_id).await?;
    let inbound = NewInbound {
        channel: Channel::Web,
        // The link names its ticket, and so its customer, whatever addresses they have.
        from: crate::intake::Sender::Customer(ticket.customer_id),
        from_name: None,
        subject: ticket.subject.clone(),
        body_text: f.message.unwrap_or_default(),
        body_html: None,
        attachments: vec![],
        idempotency: None,
        ticket_id: Some(ticket_id),
        priority: None,
        issue_link: ticket.status == Status::Closed,
        language: crate::web::locale::hint(&headers),
        email: None,
        gateway: None,
    };
    match intake::receive(&state.db, &inbound, now).await {
        Ok(outcome) => match outcome.link_token {
            Some(new_token) => Ok(Redirect::to(&format!("/t/{new_token}?new=1")).into_response()),
            None => Ok(Redirect::to(&format!("/t/{token}")).into_response()),
        },
        Err(err) => match field_errors(&err) {
            Some(errors) => Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                render_customer_view(&state, &csrf, &token, ticket_id, false, &errors).await?,
            )
                .into_response()),
            None => Err(err.into()),
        },
    }
}

async fn customer_attachment(
    State(state): State<AppState>,
    Path((token, id)): Path<(String, i64)>,
) -> PageResult<Response> {
    let ticket_id = tickets::repo::ticket_for_link(&state.db, &token, state.now())
        .await
        .map_err(link_error)?;
    let a = tickets::repo::attachment(&state.db, id).await?;
    if a.ticket_id != ticket_id || !a.public {
        return Err(AppError::NotFound("attachment").into());
    }
    Ok(super::ui::attachment_response(a))
}
