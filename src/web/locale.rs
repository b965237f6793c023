//! The language a request is answered in.
//!
//! In order: a `lang` query parameter (the language links on public pages; remembered in a
//! cookie), the `casebook_lang` cookie, the browser's `Accept-Language`, the installation's
//! default. A logged-in agent's own choice overrides all of them (see `CurrentAgent`). The API
//! answers in English.

use crate::i18n::{self, Locale};
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

pub const LANG_COOKIE: &str = "casebook_lang";

/// A language the visitor picked on this request (`?lang=`), for pages that remember it on
/// the customer.
#[derive(Clone, Copy, Debug)]
pub struct ChosenLocale(pub Locale);

/// The language the browser asks for, or the installation's default.
pub fn from_browser(headers: &axum::http::HeaderMap, default: Locale) -> Locale {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Locale::negotiate)
        .unwrap_or(default)
}

fn from_query(query: Option<&str>) -> Option<Locale> {
    url::form_urlencoded::parse(query?.as_bytes())
        .find(|(k, _)| k == "lang")
        .and_then(|(_, v)| Locale::parse(&v))
}

/// Middleware: runs the request in its language and says which in `Content-Language`.
pub async fn choose(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    // The API's messages are part of its contract: always English.
    if req.uri().path().starts_with("/api/") {
        let mut resp = i18n::scope(Locale::En, next.run(req)).await;
        resp.headers_mut()
            .insert(header::CONTENT_LANGUAGE, HeaderValue::from_static("en"));
        return resp;
    }
    let chosen = from_query(req.uri().query());
    let locale = chosen
        .or_else(|| {
            super::extract::cookie(req.headers(), LANG_COOKIE).and_then(|c| Locale::parse(&c))
        })
        .unwrap_or_else(|| from_browser(req.headers(), state.default_locale()));
    if let Some(chosen) = chosen {
        req.extensions_mut().insert(ChosenLocale(chosen));
    }
    let (mut resp, locale) = i18n::scope(locale, async move {
        let resp = next.run(req).await;
        (resp, i18n::current())
    })
    .await;
    let headers = resp.headers_mut();
    if !headers.contains_key(header::CONTENT_LANGUAGE) {
        headers.insert(
            header::CONTENT_LANGUAGE,
            HeaderValue::from_static(locale.tag()),
        );
    }
    headers.append(
        header::VARY,
        HeaderValue::from_static("Accept-Language, Cookie"),
    );
    if let Some(chosen) = chosen {
        // A preference, not a secret: no HttpOnly, kept for a year.
        let cookie = axum_extra::extract::cookie::Cookie::build((LANG_COOKIE, chosen.tag()))
            .path("/")
            .same_site(axum_extra::extract::cookie::SameSite::Lax)
            .max_age(cookie::time::Duration::days(365))
            .build();
        if let Ok(v) = HeaderValue::from_str(&cookie.to_string()) {
            headers.append(header::SET_COOKIE, v);
        }
    }
    resp
}

/// What a request says about the language of a customer writing through it: the language they
/// picked on our pages (the cookie) and the one their browser asks for.
pub fn hint(headers: &axum::http::HeaderMap) -> crate::intake::LanguageHint {
    crate::intake::LanguageHint {
        chosen: super::extract::cookie(headers, LANG_COOKIE).and_then(|c| Locale::parse(&c)),
        declared: headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(Locale::negotiate),
    }
}

/// Whether the visitor picked a language on our pages (now or before).
pub fn picked(headers: &axum::http::HeaderMap, chosen: Option<&ChosenLocale>) -> bool {
    chosen.is_some() || super::extract::cookie(headers, LANG_COOKIE).is_some()
}
