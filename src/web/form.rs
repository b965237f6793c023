//! Reading HTML form posts, urlencoded or multipart with files, with size limits that answer
//! 413 for the request and a named field error for a single file.

use crate::error::AppError;
use crate::intake::NewAttachment;
use crate::state::AppState;
use axum::Form;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{StatusCode, header};
use std::collections::HashMap;

/// What the form sent, whether as multipart (with a file) or urlencoded.
#[derive(Default)]
pub struct Submission {
    pub fields: HashMap<String, String>,
    pub attachments: Vec<NewAttachment>,
    /// Set when the file was over its own limit; reported with the other field errors.
    pub attachment_error: Option<String>,
}

pub async fn read_submission(state: &AppState, req: Request) -> Result<Submission, AppError> {
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let mut sub = Submission::default();
    if ct.starts_with("multipart/form-data") {
        let mut mp = Multipart::from_request(req, state)
            .await
            .map_err(|e| AppError::BadRequest(e.body_text()))?;
        loop {
            let field = match mp.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    return Err(AppError::PayloadTooLarge);
                }
                Err(e) => {
                    return Err(AppError::BadRequest(t!(
                        "error-malformed-form",
                        detail = e.body_text()
                    )));
                }
            };
            let name = field.name().unwrap_or("").to_string();
            let mut field = field;
            if name == "attachment" {
                let filename = field.file_name().unwrap_or("").to_string();
                let content_type = field
                    .content_type()
                    .unwrap_or("application/octet-stream")
                    .to_string();
                // Read part by part, keeping at most the attachment limit: a larger file is
                // drained, not held in memory, and reported as too large.
                let limit = state.config.max_attachment_bytes;
                // The chunks are kept as they came and joined once at the end, into a buffer of
                // the exact size (growing one buffer would briefly need up to three times it).
                let mut chunks = Vec::new();
                let mut size = 0usize;
                let mut too_large = false;
                loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) => {
                            if too_large || size + chunk.len() > limit {
                                too_large = true;
                                chunks = Vec::new();
                            } else {
                                size += chunk.len();
                                chunks.push(chunk);
                            }
                        }
                        Ok(None) => break,
                        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                            return Err(AppError::PayloadTooLarge);
                        }
                        Err(e) => return Err(AppError::BadRequest(e.body_text())),
                    }
                }
                let mut content = Vec::with_capacity(size);
                for chunk in chunks.drain(..) {
                    content.extend_from_slice(&chunk);
                }
                drop(chunks);
                if filename.is_empty() && content.is_empty() && !too_large {
                    continue;
                }
                if sub.attachments.len() >= crate::tickets::MAX_ATTACHMENTS {
                    sub.attachment_error = Some(crate::tickets::too_many_files());
                    continue;
                }
                if too_large {
                    let limit_kb = limit / 1024;
                    sub.attachment_error = Some(t!("error-too-large-kb", max = limit_kb));
                    continue;
                }
                let filename: String = filename
                    .chars()
                    .filter(|c| !c.is_control() && *c != '/' && *c != '\\')
                    .take(200)
                    .collect();
                sub.attachments.push(NewAttachment {
                    filename: if filename.is_empty() {
                        "attachment".into()
                    } else {
                        filename
                    },
                    content_type,
                    content,
                });
            } else {
                let text = field.text().await.map_err(|e| {
                    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                        AppError::PayloadTooLarge
                    } else {
                        AppError::BadRequest(e.body_text())
                    }
                })?;
                // Urlencoded forms are checked for NULs before any handler (`web::input`);
                // a multipart form's text fields here.
                if name.contains('\0') || text.contains('\0') {
                    return Err(AppError::nul(super::input::printable(&name)));
                }
                sub.fields.insert(name, text);
            }
        }
    } else {
        let Form(fields) = Form::<HashMap<String, String>>::from_request(req, state)
            .await
            .map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::PayloadTooLarge
                } else {
                    AppError::BadRequest(e.body_text())
                }
            })?;
        sub.fields = fields;
    }
    Ok(sub)
}

/// An urlencoded form whose names may repeat (a `ticket_id` per ticked row, a `columns` per
/// ticked box), in the order sent.
pub struct RepeatedFields(pub Vec<(String, String)>);

impl RepeatedFields {
    pub fn parse(body: &[u8]) -> RepeatedFields {
        RepeatedFields(
            url::form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name`.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// `name` as an id or number: absent or blank is `None`; anything else that is not a
    /// number is a 422 on `field` with `message`.
    pub fn number(&self, name: &str, field: &str, message: &str) -> Result<Option<i64>, AppError> {
        match self.get(name).map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => s
                .parse::<i64>()
                .map(Some)
                .map_err(|_| AppError::field(field, message)),
        }
    }
}
