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
    Router::new()
        .route("/account/language", get(language_page).post(save_language))
        .route(
            "/admin/language",
            get(default_language_page).post(save_default_language),
        )
}

/// A language tag from a form: `None` for "" (no choice), a 422 naming `locale` for a language
/// Casebook does not speak.
fn locale_field(value: Option<&str>) -> Result<Option<Locale>, PageError> {
    match value.map(str::trim).unwrap_or("") {
        "" => Ok(None),
        tag => Locale::parse(tag).map(Some).ok_or_else(|| {
            PageError(crate::error::AppError::field(
                "locale",
                t!("account-language-invalid"),
            ))
        }),
    }
}

/// `/admin/language`: the installation's default language (admins).
async fn default_language_page(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
) -> PageResult<Response> {
    agent.require_admin()?;
    let chosen = state.default_locale.chosen(&state.db).await?;
    let configured = state.default_locale.configured();
    Ok(views::default_language(&agent, &csrf, chosen, configured, false).into_response())
}

async fn save_default_language(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    Form(f): Form<LanguageForm>,
) -> PageResult<Response> {
    agent.require_admin()?;
    verify_csrf(&headers, f.csrf.as_deref())?;
    let locale = locale_field(f.locale.as_deref())?;
    state
        .default_locale
        .set(&state.db, locale, state.now())
        .await?;
    let configured = state.default_locale.configured();
    Ok(views::default_language(&agent, &csrf, locale, configured, true).into_response())
}

async fn language_page(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
) -> Response {
    let browser = from_browser(&headers, state.default_locale());
    views::language(&agent, &csrf, browser, false).into_response()
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
    let locale = locale_field(f.locale.as_deref())?;
    auth::set_locale(&state.db, agent.id, locale, state.now()).await?;
    agent.locale = locale;
    let browser = from_browser(&headers, state.default_locale());
    i18n::set_current(locale.unwrap_or(browser));
    Ok(views::language(&agent, &csrf, browser, true).into_response())
}
