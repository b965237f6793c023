//! The OpenAPI 3.1 document of `/api/v1`, built from the handlers' `#[utoipa::path]` annotations
//! and their typed bodies: [`ApiRouter`] registers a route and its operation together (there is no
//! way to add an API route without documenting it), [`finish`] adds what every operation shares
//! (error responses, security), and `/api/docs` renders the document as a reference page.

use crate::state::AppState;
use axum::Router;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder};
use utoipa::{PartialSchema, ToSchema};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};

/// The name of the bearer-token security scheme in the document.
pub const BEARER: &str = "bearer";
/// The name of the signed-webhook security scheme (`Casebook-Signature`).
pub const CRM_SIGNATURE: &str = "crm_signature";
/// A messaging channel's inbound signature (`Casebook-Signature` with its inbound secret).
pub const CHANNEL_SIGNATURE: &str = "channel_signature";
/// Twilio's signature of its webhooks (`X-Twilio-Signature`).
pub const TWILIO_SIGNATURE: &str = "twilio_signature";

/// The API's router: routes are added only with their operation (`routes!(handler)`), so the
/// router and the document cannot drift apart.
#[derive(Default)]
pub struct ApiRouter(OpenApiRouter<AppState>);

impl ApiRouter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the handlers of one path (`utoipa_axum::routes!(get_x, post_x)`).
    pub fn routes(self, r: UtoipaMethodRouter<AppState>) -> Self {
        ApiRouter(self.0.routes(r))
    }

    pub fn merge(self, other: ApiRouter) -> Self {
        ApiRouter(self.0.merge(other.0))
    }

    /// The axum router and the finished document.
    pub fn split(self) -> (Router<AppState>, OpenApi) {
        let (router, api) = self.0.split_for_parts();
        (router, finish(api))
    }
}

pub use crate::error::{ErrorBody, ErrorDetail};

/// 412: the change was made against an older version; the ticket as it is now comes along.
#[derive(serde::Serialize, ToSchema)]
pub struct StaleBody {
    pub error: StaleDetail,
    pub ticket: crate::tickets::Ticket,
}

#[derive(serde::Serialize, ToSchema)]
pub struct StaleDetail {
    /// Always `stale_version`.
    pub code: String,
    pub message: String,
    /// Always `If-Match`.
    pub field: String,
    /// The ticket's version now (its `ETag`).
    pub current_version: i64,
}

/// Shared error responses, by status: (status, component name, description).
const COMMON: &[(&str, &str, &str)] = &[
    (
        "400",
        "BadRequest",
        "Malformed JSON, a body that is not `application/json`, or a query or path that does not decode.",
    ),
    (
        "401",
        "Unauthorized",
        "No valid credentials: a missing, unknown, expired or revoked bearer token (or, for the CRM webhook, a bad signature).",
    ),
    (
        "403",
        "Forbidden",
        "The caller's role may not do this (leads or admins only).",
    ),
    (
        "404",
        "NotFound",
        "The object (or the endpoint) does not exist, or the caller may not see it.",
    ),
    (
        "409",
        "Conflict",
        "The change conflicts with the current state (already exists, already done, not allowed now).",
    ),
    (
        "413",
        "PayloadTooLarge",
        "The request body is over the limit.",
    ),
    (
        "422",
        "ValidationFailed",
        "A value is missing or wrong; `error.field` names it (a NUL character anywhere is one).",
    ),
    (
        "429",
        "RateLimited",
        "Too many requests; wait `Retry-After` seconds.",
    ),
    (
        "500",
        "Internal",
        "An unexpected failure; the message carries a reference to quote (the details are in the log).",
    ),
    (
        "503",
        "Unavailable",
        "The database (or, for search, the search index) did not answer in time, or the feature is not configured; retry after `Retry-After` seconds.",
    ),
];

/// Adds what every operation shares: the error responses it can give (each in [`ErrorBody`]'s
/// shape), the bearer token unless the operation says otherwise, and the security schemes.
pub fn finish(mut api: OpenApi) -> OpenApi {
    api.info.title = "Casebook API".into();
    api.info.version = "1".into();
    api.info.description = Some(
        "The JSON API of Casebook, a support helpdesk. Every request needs \
         `Authorization: Bearer <token>` (`casebook token create --user EMAIL`) except where an \
         operation says otherwise. Errors are JSON `{\"error\": {\"code\", \"message\", \
         \"field\"?}}` (`ErrorBody`). Human-readable reference: `/api/docs`."
            .into(),
    );
    api.info.license = Some(utoipa::openapi::License::new("AGPL-3.0-or-later"));
    api.servers = Some(vec![utoipa::openapi::Server::new("/api/v1")]);
    let components = api
        .components
        .get_or_insert_with(utoipa::openapi::Components::new);
    components.security_schemes.insert(
        BEARER.into(),
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some(
                    "An API token (`casebook token create --user EMAIL`), sent as \
                     `Authorization: Bearer <token>`.",
                ))
                .build(),
        )
        .into(),
    );
    components.security_schemes.insert(
        CRM_SIGNATURE.into(),
        SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
            crate::customers::webhook::SIGNATURE_HEADER,
            "`t=<unix seconds>,v1=<hex HMAC-SHA256(secret, \"<t>.\" + raw body)>` with the \
             shared secret `crm_webhook_secret`; several `v1=` may be given while rotating \
             secrets; `t` must be within 5 minutes of the server's clock; a signature accepted \
             once is a 409 the second time.",
        )))
        .into(),
    );
    components.security_schemes.insert(
        CHANNEL_SIGNATURE.into(),
        SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
            crate::customers::webhook::SIGNATURE_HEADER,
            "`t=<unix seconds>,v1=<hex HMAC-SHA256(inbound secret, \"<t>.\" + raw body)>` with the \
             channel's inbound secret; the CRM webhook's rules (5 minutes, a signature accepted \
             once is a 409 the second time). See docs/channels.md.",
        )))
        .into(),
    );
    components.security_schemes.insert(
        TWILIO_SIGNATURE.into(),
        SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
            crate::channels::twilio::SIGNATURE_HEADER,
            "Twilio's signature: base64 HMAC-SHA1 under the channel's auth token over the full \
             URL followed by every posted field sorted by name, each name followed by its value.",
        )))
        .into(),
    );
    // Schemas only parameters and event streams name (bodies bring their own along), and the
    // name the `Millis` type alias is referred to by.
    let millis = utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::Integer)
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
            utoipa::openapi::KnownFormat::Int64,
        )))
        .description(Some("A time: milliseconds since 1970-01-01 00:00 UTC."))
        .into();
    for (name, schema) in [
        ("ErrorBody", ErrorBody::schema()),
        ("ErrorDetail", ErrorDetail::schema()),
        ("i64", millis),
        ("Dimension", crate::reports::Dimension::schema()),
        ("Status", crate::domain::Status::schema()),
        ("Priority", crate::domain::Priority::schema()),
        ("Role", crate::domain::Role::schema()),
        ("Visibility", crate::domain::Visibility::schema()),
        ("Sort", crate::search::Sort::schema()),
        ("EventKind", crate::customers::crm::EventKind::schema()),
        ("TicketEvent", crate::live::TicketEvent::schema()),
        ("Presence", crate::live::Presence::schema()),
    ] {
        components.schemas.insert(name.into(), schema);
    }
    for (status, name, description) in COMMON {
        let mut response = ResponseBuilder::new().description(*description).content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        );
        if matches!(*status, "429" | "503") {
            response = response.header(
                "Retry-After",
                utoipa::openapi::HeaderBuilder::new()
                    .schema(Some(i64::schema()))
                    .description(Some("Seconds to wait before trying again."))
                    .build(),
            );
        }
        components
            .responses
            .insert((*name).into(), RefOr::T(response.build()));
    }
    unique_operation_ids(&mut api);
    for (path, item) in api.paths.paths.iter_mut() {
        let has_path_params = path.contains('{');
        for op in operations(item) {
            let public = op.security.as_ref().is_some_and(|s| {
                !s.is_empty()
                    && serde_json::to_value(s).is_ok_and(|v| !v.to_string().contains(BEARER))
            });
            if op.security.is_none() {
                op.security = Some(vec![utoipa::openapi::security::SecurityRequirement::new::<
                    &str,
                    [&str; 0],
                    &str,
                >(BEARER, [])]);
            }
            let mut wanted = vec!["400", "422", "500", "503"];
            if !public {
                wanted.push("401");
            }
            if has_path_params {
                wanted.push("404");
            }
            if op.request_body.is_some() {
                wanted.push("413");
            }
            for status in wanted {
                add_common(op, status);
            }
            // Statuses the annotation lists with only a description get the error shape.
            for (status, response) in op.responses.responses.iter_mut() {
                if let RefOr::T(r) = response
                    && r.content.is_empty()
                    && status.starts_with(['4', '5'])
                {
                    r.content.insert(
                        "application/json".into(),
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("ErrorBody")))
                            .build()
                            .into(),
                    );
                }
            }
        }
    }
    api
}

/// Operation ids are the handlers' names (without `api_`), made unique where two modules use one
/// name (`list`) by the method and path (`get_customers`).
fn unique_operation_ids(api: &mut OpenApi) {
    let mut seen = std::collections::HashMap::<String, usize>::new();
    for item in api.paths.paths.values_mut() {
        for op in operations(item) {
            if let Some(id) = op.operation_id.as_mut() {
                *id = id.trim_start_matches("api_").to_string();
                *seen.entry(id.clone()).or_default() += 1;
            }
        }
    }
    for (path, item) in api.paths.paths.iter_mut() {
        let methods = [
            ("get", item.get.as_mut()),
            ("put", item.put.as_mut()),
            ("post", item.post.as_mut()),
            ("delete", item.delete.as_mut()),
            ("patch", item.patch.as_mut()),
        ];
        for (method, op) in methods {
            let Some(op) = op else { continue };
            if op.operation_id.as_ref().is_some_and(|id| seen[id] > 1) {
                let slug: String = path
                    .split('/')
                    .filter(|s| !s.is_empty())
                    .map(|s| s.trim_matches(['{', '}']).replace('-', "_"))
                    .collect::<Vec<_>>()
                    .join("_");
                op.operation_id = Some(format!("{method}_{slug}"));
            }
        }
    }
}

fn operations(item: &mut utoipa::openapi::PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        item.get.as_mut(),
        item.put.as_mut(),
        item.post.as_mut(),
        item.delete.as_mut(),
        item.patch.as_mut(),
    ]
    .into_iter()
    .flatten()
}

fn common_ref(status: &str) -> Option<RefOr<utoipa::openapi::Response>> {
    COMMON
        .iter()
        .find(|(s, _, _)| *s == status)
        .map(|(_, name, _)| RefOr::Ref(Ref::new(format!("#/components/responses/{name}"))))
}

/// Adds the shared response for `status` unless the operation describes its own.
fn add_common(op: &mut Operation, status: &str) {
    if op.responses.responses.contains_key(status) {
        return;
    }
    if let Some(r) = common_ref(status) {
        op.responses.responses.insert(status.into(), r);
    }
}

/// The document as served at `/api/v1/openapi.json` (JSON text, made once at start).
#[derive(Clone)]
pub struct ApiDocument(pub std::sync::Arc<str>);

impl ApiDocument {
    pub fn new(api: &OpenApi) -> Self {
        let text = api
            .to_pretty_json()
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
        ApiDocument(text.into())
    }
}
