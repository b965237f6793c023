//! `AppError` rendered as an HTML page, for the web UI (the API renders it as JSON).

use crate::error::AppError;
use crate::web::views::layout::error_page;
use axum::response::{IntoResponse, Redirect, Response};

/// The same error rendered as an HTML page, for the web UI.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let err = self.0;
        if let AppError::Unauthorized = err {
            return Redirect::to("/login").into_response();
        }
        let status = err.status();
        let page = error_page(status, &err.public_message());
        let mut resp = (status, page).into_response();
        err.extra_headers(&mut resp);
        resp
    }
}

pub type PageResult<T> = Result<T, PageError>;
