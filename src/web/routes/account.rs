//! `/account/language`: the language an agent sees Casebook in.

use crate::auth;
use crate::i18n::{self, Locale};
use crate::state::AppState;
use crate::web::extract::{CsrfToken, CurrentAgent, verify_csrf};
use crate::web::locale::from_browser;
use crate::web::views::account as views;
use crate::web::{PageError, PageResult};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/account/language", get(language_page).post(save_language))
}

async fn language_page(
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
) -> Response {
    views::language(&agent, &csrf, from_browser(&headers), false).into_response()
}

#[derive(Deserialize)]
struct LanguageForm {
    csrf: Option<String>,
    locale: Option<String>,
}

async fn save_language(
    State(state): State<AppState>,
    CurrentAgent(mut agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    Form(f): Form<LanguageForm>,
) -> PageResult<Response> {
    verify_csrf(&headers, f.csrf.as_deref())?;
    let locale = match f.locale.as_deref().map(str::trim).unwrap_or("") {
        "" => None,
        tag => Some(Locale::parse(tag).ok_or_else(|| {
            PageError(crate::error::AppError::field(
                "locale",
                t!("account-language-invalid"),
            ))
        })?),
    };
    auth::set_locale(&state.db, agent.id, locale, state.now()).await?;
    agent.locale = locale;
    let browser = from_browser(&headers);
    i18n::set_current(locale.unwrap_or(browser));
    Ok(views::language(&agent, &csrf, browser, true).into_response())
}
