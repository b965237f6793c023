//! The agents' web UI: login, queues, ticket page actions, customer page, password, admin.

use super::field_errors;
use crate::auth::{self, NewAgent};
use crate::domain::{Priority, Role, Status, Visibility};
use crate::error::AppError;
use crate::login_guard;
use crate::state::AppState;
use crate::tickets::{self, AgentMessage, ListFilter, Queue, TicketPatch, drafts};
use crate::web::PageResult;
use crate::web::extract::{
    ClientIp, CsrfOnly, CsrfToken, CurrentAgent, SESSION_COOKIE, cookie, safe_next, set_cookie,
    verify_csrf,
};
use crate::web::views::agent as views;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/tickets") }))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/tickets", get(queue))
        .route("/tickets/{id}", get(ticket_page))
        .route("/tickets/{id}/messages", post(add_message))
        .route("/tickets/{id}/update", post(update))
        .merge(super::crm_ui::routes())
        .route("/attachments/{id}", get(attachment))
        .route("/attachments/{id}/preview", get(attachment_preview))
        .route(
            "/account/password",
            get(password_page).post(change_password),
        )
        .route("/admin", get(admin_index))
        .route("/admin/agents", get(agents_page).post(add_agent))
        .route("/admin/quarantine", get(quarantine_page))
        .route("/admin/quarantine/{id}/{action}", post(quarantine_action))
}

#[derive(Deserialize)]
struct LoginQuery {
    next: Option<String>,
}

async fn login_page(CsrfToken(csrf): CsrfToken, Query(q): Query<LoginQuery>) -> Response {
    let next = safe_next(q.next.as_deref());
    views::login(&csrf, "", None, &next).into_response()
}

#[derive(Deserialize)]
struct LoginForm {
    email: Option<String>,
    password: Option<String>,
    csrf: Option<String>,
    next: Option<String>,
}

async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    CsrfToken(csrf): CsrfToken,
    Form(f): Form<LoginForm>,
) -> PageResult<Response> {
    verify_csrf(&headers, f.csrf.as_deref())?;
    let email = f.email.unwrap_or_default().trim().to_lowercase();
    let password = f.password.unwrap_or_default();
    let next = safe_next(f.next.as_deref());
    let now = state.now();
    // The attempt counts before the password is checked (see `login_guard`), in the database,
    // so parallel guesses and several nodes share one count.
    let device = cookie(&headers, login_guard::DEVICE_COOKIE);
    let limits = login_guard::Limits {
        attempts: state.config.login_attempts,
    };
    let counted =
        match login_guard::before_check(&state.db, limits, &email, &ip, device.as_deref(), now)
            .await?
        {
            login_guard::Verdict::Check(counted) => counted,
            login_guard::Verdict::Wait(retry_after_secs) => {
                tracing::info!(ip, "sign-in refused while throttled");
                return Err(AppError::RateLimited { retry_after_secs }.into());
            }
        };
    match auth::check_login(&state.db, &email, &password).await? {
        Some(agent) => {
            let device = login_guard::after_success(
                &state.db,
                &counted,
                agent.id,
                &ip,
                device.as_deref(),
                now,
            )
            .await?;
            // A fresh session id at every login; any session id the browser had is dropped.
            if let Some(old) = cookie(&headers, SESSION_COOKIE) {
                auth::delete_session(&state.db, &old).await?;
            }
            let secret =
                auth::create_session(&state.db, agent.id, now, state.config.session_hours).await?;
            let mut resp = Redirect::to(&next).into_response();
            let secure = state.config.secure_cookies();
            resp.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(
                    SESSION_COOKIE,
                    &secret,
                    state.config.session_hours * 3600,
                    secure,
                ),
            );
            resp.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(
                    login_guard::DEVICE_COOKIE,
                    &device,
                    login_guard::KNOWN_FOR_MS / 1000,
                    secure,
                ),
            );
            Ok(resp)
        }
        None => {
            tracing::info!(ip, "failed login");
            Ok((
                StatusCode::UNAUTHORIZED,
                views::login(&csrf, &email, Some(&t!("agent-login-wrong")), &next),
            )
                .into_response())
        }
    }
}

async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<CsrfOnly>,
) -> PageResult<Response> {
    verify_csrf(&headers, f.csrf.as_deref())?;
    if let Some(secret) = cookie(&headers, SESSION_COOKIE) {
        auth::delete_session(&state.db, &secret).await?;
    }
    let mut resp = Redirect::to("/login").into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", 0, state.config.secure_cookies()),
    );
    Ok(resp)
}

#[derive(Deserialize)]
struct QueueQuery {
    queue: Option<String>,
    cursor: Option<String>,
    /// `stale`: the leads' view of stale and breaching tickets.
    view: Option<String>,
    /// `newest` lists "Mine" newest first instead of by SLA urgency.
    sort: Option<String>,
    idle_hours: Option<String>,
    unassigned_minutes: Option<String>,
    /// Only this team's tickets.
    team: Option<String>,
    /// Only tickets with this tag.
    tag: Option<String>,
    /// A saved view instead of a queue.
    saved_view: Option<String>,
}

async fn queue(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    Query(q): Query<QueueQuery>,
) -> PageResult<Response> {
    if q.view.as_deref() == Some("stale") {
        let sq = super::sla::StaleQuery {
            idle_hours: q.idle_hours.clone(),
            unassigned_minutes: q.unassigned_minutes.clone(),
        };
        return super::sla::stale_page(&state, &agent, &csrf, &sq).await;
    }
    let queue = match q.queue.as_deref() {
        None | Some("") => Queue::Mine,
        Some(k) => {
            Queue::parse(k).ok_or_else(|| AppError::field("queue", t!("error-unknown-queue")))?
        }
    };
    let before_id = super::page_cursor(q.cursor.as_deref())?;
    let team = match q.team.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(t) => {
            let id = t
                .parse::<i64>()
                .map_err(|_| AppError::field("team", t!("error-team-id")))?;
            let name = crate::assign::admin::team_name_by_id(&state.db, id)
                .await?
                .ok_or(AppError::NotFound("team"))?;
            Some((id, name))
        }
    };
    let tag = super::api::tag_filter(q.tag.as_deref())?;
    let now = state.now();
    let views = tickets::views::list_for(&state.db, &agent).await?;
    // Counted at most every few seconds, and never waited for long: a slow count shows on a
    // later page.
    let wait = std::time::Duration::from_millis(150);
    let view_counts = state
        .view_counts
        .counts(&state.db, &agent, &views, now, wait)
        .await;
    let view = match q
        .saved_view
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        None => None,
        Some(v) => {
            let id = v
                .parse::<i64>()
                .map_err(|_| AppError::field("saved_view", t!("error-view-id")))?;
            Some(tickets::views::get(&state.db, &agent, id).await?)
        }
    };
    let mut filter = ListFilter {
        queue: Some(queue),
        before_id,
        team_id: team.as_ref().map(|(id, _)| *id),
        tag: tag.clone(),
        limit: 50,
        sla_urgency: queue == Queue::Mine
            && before_id.is_none()
            && q.sort.as_deref() != Some("newest"),
        ..Default::default()
    };
    if let Some(v) = &view {
        filter = ListFilter {
            before_id,
            ..v.filters.list_filter(&agent, now)
        };
    }
    let (tickets, next_cursor) = tickets::list_tickets(&state.db, agent.id, &filter).await?;
    let counts = tickets::repo::queue_counts(&state.db, agent.id).await?;
    let ids: Vec<i64> = tickets.iter().map(|t| t.id).collect();
    let sla_due = crate::sla::store::due_times(&state.db, &ids).await?;
    let agents = auth::list_agents(&state.db).await?;
    let macros = crate::search::replies::with_actions_only(&state.db, agent.id).await?;
    let saved: Vec<(&tickets::views::SavedView, Option<(i64, bool)>)> =
        views.iter().zip(view_counts).collect();
    let tags = tickets::repo::tags_of(&state.db, &ids).await?;
    let teams = crate::assign::admin::team_names(&state.db).await?;
    let plans = match &view {
        Some(v) if v.filters.shown_columns().contains(&"plan") => {
            let customers: Vec<i64> = tickets.iter().map(|t| t.customer_id).collect();
            tickets::repo::plans_of(&state.db, &customers).await?
        }
        _ => Default::default(),
    };
    Ok(views::queue(&views::QueuePage {
        agents: &agents,
        macros: &macros,
        views: &saved,
        view: view.as_ref(),
        team: team.as_ref().map(|(id, name)| (*id, name.as_str())),
        tag: tag.as_deref(),
        sla_due: &sla_due,
        agent: &agent,
        csrf: &csrf,
        queue,
        counts: &counts,
        tickets: &tickets,
        next_cursor,
        now: state.now(),
        tags: &tags,
        teams: &teams,
        plans: &plans,
    })
    .into_response())
}

/// What the ticket page shows besides the ticket: field errors, the reply being written, the
/// saved-reply search, and a stale submit's changes.
#[derive(Default)]
struct Compose<'a> {
    errors: &'a [(String, String)],
    /// A submitted reply shown again (422, 409); when empty, the agent's saved draft is shown.
    draft: &'a str,
    /// The submitted reply's visibility.
    visibility: Option<Visibility>,
    /// Text the URL asks to add after the saved draft (a saved reply, a solved ticket's answer).
    insert: &'a str,
    reply_q: &'a str,
    stale: Option<Stale<'a>>,
}

async fn render_ticket(
    state: &AppState,
    agent: &auth::AgentRef,
    csrf: &str,
    id: i64,
    c: Compose<'_>,
) -> PageResult<maud::Markup> {
    let Compose {
        errors,
        draft,
        visibility,
        insert,
        reply_q,
        stale,
    } = c;
    let ticket = tickets::get_ticket(&state.db, id).await?;
    let saved = drafts::get(&state.db, agent.id, id).await?;
    let (draft, visibility) = match &saved {
        _ if !draft.trim().is_empty() => {
            (draft.to_string(), visibility.unwrap_or(Visibility::Public))
        }
        Some(d) => (drafts::append_text(&d.body, insert), d.visibility),
        None => (insert.to_string(), Visibility::Public),
    };
    // Whether the reply box shows something the stored draft does not have yet.
    let draft_unsaved = match &saved {
        Some(d) => d.body != draft || d.visibility != visibility,
        None => !draft.trim().is_empty(),
    };
    let messages = tickets::messages(&state.db, id, false).await?;
    let events = tickets::events(&state.db, id).await?;
    let agents = auth::list_agents(&state.db).await?;
    let customer = crate::customers::get(&state.db, ticket.customer_id).await?;
    let profile =
        crate::customers::crm::profile(&state.db, ticket.customer_id, state.now()).await?;
    let filter = crate::customers::crm::EventFilter {
        kind: None,
        after: None,
        limit: 5,
    };
    let (crm, _) =
        crate::customers::crm::list_events(&state.db, ticket.customer_id, &filter).await?;
    let sla = super::sla::ticket_panel(state, agent, csrf, id, &agents).await?;
    let follow = super::notifications::follow_panel(state, agent, csrf, id).await?;
    let tags = super::tags::panel(state, csrf, id, errors).await?;
    let cc = super::tags::cc_panel(state, csrf, id, errors).await?;
    let merge = super::merge::panel(state, csrf, &ticket, errors).await?;
    let links = super::links::panel(state, csrf, id).await?;
    let (similar, reply_tools) =
        super::search::ticket_panels(state, agent.id, csrf, id, &messages, reply_q).await?;
    let conflict = match stale {
        Some(s) => {
            let changes = tickets::commands::changes_since(&state.db, id, s.seen_version).await?;
            Some(views::conflict(
                &ticket,
                csrf,
                &changes,
                &agents,
                s.mine,
                s.reply_kept,
                state.now(),
            ))
        }
        None => None,
    };
    let present = state.live.present(id, state.now());
    Ok(views::ticket(&views::TicketPage {
        conflict,
        present: &present,
        sla,
        follow,
        tags,
        cc,
        merge,
        links,
        profile: &profile,
        crm: &crm,
        agent,
        csrf,
        ticket: &ticket,
        messages: &messages,
        events: &events,
        agents: &agents,
        customer: &customer,
        errors,
        draft: &draft,
        visibility,
        draft_unsaved,
        similar,
        reply_tools,
        now: state.now(),
    }))
}

async fn ticket_page(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<i64>,
    Query(q): Query<super::search::TicketPageQuery>,
) -> PageResult<Response> {
    let ticket = tickets::get_ticket(&state.db, id).await?;
    let insert = super::search::draft_for(&state, &agent, &ticket, &q).await?;
    let reply_q = q.reply_q.as_deref().unwrap_or("");
    Ok(render_ticket(
        &state,
        &agent,
        &csrf,
        id,
        Compose {
            insert: &insert,
            reply_q,
            ..Default::default()
        },
    )
    .await?
    .into_response())
}

fn parse_opt<T: std::str::FromStr<Err = String>>(
    field: &str,
    v: Option<&str>,
) -> Result<Option<T>, AppError> {
    match v.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|e| AppError::field(field, e)),
    }
}

async fn add_message(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<i64>,
    req: axum::extract::Request,
) -> PageResult<Response> {
    let headers = req.headers().clone();
    let sub = crate::web::form::read_submission(&state, req).await?;
    let field = |k: &str| sub.fields.get(k).map(String::as_str);
    verify_csrf(&headers, field("csrf"))?;
    let draft = field("body").unwrap_or_default().to_string();
    let shown_visibility = parse_opt::<Visibility>("visibility", field("visibility"))
        .ok()
        .flatten();
    let expect = form_version(field("version"))?;
    let result = async {
        if let Some(message) = &sub.attachment_error {
            return Err(AppError::field("attachment", message.clone()));
        }
        let msg = AgentMessage {
            body: draft.clone(),
            visibility: parse_opt::<Visibility>("visibility", field("visibility"))?
                .unwrap_or(Visibility::Public),
            status: parse_opt::<Status>("status", field("status"))?,
            attachments: sub.attachments.clone(),
        };
        tickets::add_agent_message(&state.db, &agent, id, msg, expect, state.now()).await
    }
    .await;
    match result {
        Ok(_) => {
            // The reply is saved; its draft has served its purpose.
            drafts::clear(&state.db, agent.id, id).await?;
            Ok(Redirect::to(&format!("/tickets/{id}")).into_response())
        }
        Err(AppError::Stale { .. }) => {
            // Nothing is lost: the page shows what changed and keeps the reply to send again,
            // and the reply becomes the agent's draft so it survives leaving the page.
            let kept = shown_visibility.unwrap_or(Visibility::Public);
            if let Err(err) = drafts::save(&state.db, agent.id, id, &draft, kept, state.now()).await
            {
                tracing::warn!(error = %err, "a stale reply could not be kept as a draft");
            }
            let stale = Stale {
                seen_version: seen_version(expect),
                mine: None,
                reply_kept: true,
            };
            let shown = (draft.as_str(), shown_visibility);
            conflict(&state, &agent, &csrf, id, shown, stale).await
        }
        Err(err) => match field_errors(&err) {
            Some(errors) => Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                render_ticket(
                    &state,
                    &agent,
                    &csrf,
                    id,
                    Compose {
                        errors: &errors,
                        draft: &draft,
                        visibility: shown_visibility,
                        ..Default::default()
                    },
                )
                .await?,
            )
                .into_response()),
            None => Err(err.into()),
        },
    }
}

/// A stale submit: the version the agent's page was drawn from, and what they tried.
pub struct Stale<'a> {
    seen_version: i64,
    mine: Option<&'a views::SidebarChange>,
    reply_kept: bool,
}

/// The `version` a form was drawn from; a form without one (an old page) changes whatever is
/// current.
fn form_version(v: Option<&str>) -> Result<tickets::Expect, AppError> {
    match v.map(str::trim) {
        None | Some("") => Ok(tickets::Expect::Any),
        Some(s) => s
            .parse::<i64>()
            .map(tickets::Expect::Version)
            .map_err(|_| AppError::field("version", t!("error-not-ticket-version"))),
    }
}

#[derive(Deserialize)]
struct UpdateForm {
    csrf: Option<String>,
    version: Option<String>,
    status: Option<String>,
    status_was: Option<String>,
    priority: Option<String>,
    priority_was: Option<String>,
    assignee_id: Option<String>,
    assignee_was: Option<String>,
}

fn parse_assignee(v: Option<&str>) -> Result<Option<Option<i64>>, AppError> {
    match v.map(str::trim) {
        None => Ok(None),
        Some("") => Ok(Some(None)),
        Some(s) => Ok(Some(Some(s.parse::<i64>().map_err(|_| {
            AppError::field("assignee_id", t!("error-not-agent-id"))
        })?))),
    }
}

/// The fields the agent changed: a field equal to the value the form was drawn with is left
/// alone, so a status change never writes back a priority someone else changed meanwhile.
fn sidebar_change(f: &UpdateForm) -> Result<views::SidebarChange, AppError> {
    let status: Option<Status> = parse_opt("status", f.status.as_deref())?;
    let priority: Option<Priority> = parse_opt("priority", f.priority.as_deref())?;
    let assignee = parse_assignee(f.assignee_id.as_deref())?;
    let status_was: Option<Status> = parse_opt("status_was", f.status_was.as_deref())?;
    let priority_was: Option<Priority> = parse_opt("priority_was", f.priority_was.as_deref())?;
    let assignee_was = match &f.assignee_was {
        None => None,
        Some(_) => parse_assignee(f.assignee_was.as_deref())?,
    };
    Ok(views::SidebarChange {
        status: status.filter(|s| status_was != Some(*s)),
        priority: priority.filter(|p| priority_was != Some(*p)),
        assignee_id: assignee.filter(|a| assignee_was != Some(*a)),
    })
}

async fn update(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<UpdateForm>,
) -> PageResult<Response> {
    verify_csrf(&headers, f.csrf.as_deref())?;
    let parsed = sidebar_change(&f).and_then(|c| Ok((c, form_version(f.version.as_deref())?)));
    let (change, expect) = match parsed {
        Ok(p) => p,
        Err(err) => return invalid(&state, &agent, &csrf, id, err).await,
    };
    if !change.is_empty() {
        let patch = TicketPatch {
            status: change.status,
            priority: change.priority,
            assignee_id: change.assignee_id,
            ..Default::default()
        };
        match tickets::update_ticket(&state.db, &agent, id, patch, expect, state.now()).await {
            Ok(_) => {}
            Err(AppError::Stale { .. }) => {
                let stale = Stale {
                    seen_version: seen_version(expect),
                    mine: Some(&change),
                    reply_kept: false,
                };
                return conflict(&state, &agent, &csrf, id, ("", None), stale).await;
            }
            Err(err) => return invalid(&state, &agent, &csrf, id, err).await,
        }
    }
    Ok(Redirect::to(&format!("/tickets/{id}")).into_response())
}

/// 409: the ticket page as it is now, with what changed since the agent's page was drawn.
async fn conflict(
    state: &AppState,
    agent: &auth::AgentRef,
    csrf: &str,
    id: i64,
    (draft, visibility): (&str, Option<Visibility>),
    stale: Stale<'_>,
) -> PageResult<Response> {
    let page = Compose {
        draft,
        visibility,
        stale: Some(stale),
        ..Default::default()
    };
    Ok((
        StatusCode::CONFLICT,
        render_ticket(state, agent, csrf, id, page).await?,
    )
        .into_response())
}

fn seen_version(expect: tickets::Expect) -> i64 {
    match expect {
        tickets::Expect::Version(v) => v,
        tickets::Expect::Any => 0,
    }
}

/// A sidebar change the ticket refused: the page again with the field's error, or the error page.
pub(super) async fn invalid(
    state: &AppState,
    agent: &auth::AgentRef,
    csrf: &str,
    id: i64,
    err: AppError,
) -> PageResult<Response> {
    match field_errors(&err) {
        Some(errors) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            render_ticket(
                state,
                agent,
                csrf,
                id,
                Compose {
                    errors: &errors,
                    ..Default::default()
                },
            )
            .await?,
        )
            .into_response()),
        None => Err(err.into()),
    }
}

async fn attachment(
    State(state): State<AppState>,
    CurrentAgent(_agent): CurrentAgent,
    Path(id): Path<i64>,
) -> PageResult<Response> {
    let a = tickets::repo::attachment(&state.db, id).await?;
    Ok(attachment_response(a))
}

/// `attachment; filename="…"; filename*=UTF-8''…` (RFC 6266): the name in full for every
/// current browser (영수증-12월.pdf stays 영수증-12월.pdf), an ASCII stand-in for old clients.
pub fn content_disposition(filename: &str) -> String {
    let name: String = filename
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '/' | '\\' | '"'))
        .collect();
    let name = name.trim();
    let name = if name.is_empty() { "attachment" } else { name };
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// `/attachments/{id}/preview`: the file shown in the browser, when it is an image or a PDF.
async fn attachment_preview(
    State(state): State<AppState>,
    CurrentAgent(_agent): CurrentAgent,
    Path(id): Path<i64>,
) -> PageResult<Response> {
    let a = tickets::repo::attachment(&state.db, id).await?;
    Ok(preview_response(a))
}

/// The types shown in the browser, recognised by their bytes (never by the name or the type the
/// sender claimed): PNG, JPEG, GIF and WebP images, and PDF. SVG and HTML can carry scripts and
/// are never among them.
pub fn previewable(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else {
        None
    }
}

/// An attachment shown inline: only the types [`previewable`] recognises, with a policy that
/// lets the file do nothing but display (images in a sandbox; a PDF in the browser's viewer).
/// Anything else is a 415 — the download link still serves it, as a download.
pub fn preview_response(a: tickets::repo::AttachmentContent) -> Response {
    let Some(kind) = previewable(&a.content) else {
        return (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            t!("agent-preview-refused"),
        )
            .into_response();
    };
    let policy = if kind == "application/pdf" {
        "default-src 'none'; object-src 'self'; img-src 'self' data:; style-src 'unsafe-inline'"
    } else {
        "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox"
    };
    let disposition = content_disposition(&a.filename).replacen("attachment", "inline", 1);
    (
        [
            (header::CONTENT_TYPE, kind.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CONTENT_SECURITY_POLICY, policy.to_string()),
            (header::CACHE_CONTROL, "private, max-age=3600".to_string()),
        ],
        a.content,
    )
        .into_response()
}

/// A download: whatever the file is, it is never rendered here, so uploaded HTML or SVG cannot
/// run on Casebook's origin.
pub fn attachment_response(a: tickets::repo::AttachmentContent) -> Response {
    let disposition = content_disposition(&a.filename);
    (
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::HeaderName::from_static("x-original-content-type"),
                a.content_type
                    .chars()
                    .filter(|c| c.is_ascii_graphic() || *c == ' ')
                    .collect(),
            ),
        ],
        a.content,
    )
        .into_response()
}

async fn password_page(CurrentAgent(agent): CurrentAgent, CsrfToken(csrf): CsrfToken) -> Response {
    views::password(&agent, &csrf, &[], false).into_response()
}

#[derive(Deserialize)]
struct PasswordForm {
    csrf: Option<String>,
    current_password: Option<String>,
    new_password: Option<String>,
}

async fn change_password(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    Form(f): Form<PasswordForm>,
) -> PageResult<Response> {
    verify_csrf(&headers, f.csrf.as_deref())?;
    let now = state.now();
    match auth::change_password(
        &state.db,
        agent.id,
        f.current_password.as_deref().unwrap_or(""),
        f.new_password.as_deref().unwrap_or(""),
        now,
    )
    .await
    {
        Ok(()) => {
            let secret =
                auth::create_session(&state.db, agent.id, now, state.config.session_hours).await?;
            let mut resp = views::password(&agent, &csrf, &[], true).into_response();
            resp.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(
                    SESSION_COOKIE,
                    &secret,
                    state.config.session_hours * 3600,
                    state.config.secure_cookies(),
                ),
            );
            Ok(resp)
        }
        Err(err) => match field_errors(&err) {
            Some(errors) => Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                views::password(&agent, &csrf, &errors, false),
            )
                .into_response()),
            None => Err(err.into()),
        },
    }
}

/// The settings pages a lead or admin may open, one link each.
async fn admin_index(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
) -> PageResult<Response> {
    agent.require_lead()?;
    let unaccounted = crate::intake::email::unaccounted(&state.db, state.now()).await?;
    Ok(crate::web::views::layout::admin_index(&agent, &csrf, unaccounted).into_response())
}

async fn agents_page(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
) -> PageResult<Response> {
    agent.require_admin()?;
    let agents = auth::list_agents(&state.db).await?;
    let routing = routing_section(&state, &csrf).await?;
    Ok(views::admin_agents(&agent, &csrf, &agents, &[], routing).into_response())
}

/// The routing table of the agents page, with the calendars working hours can follow.
async fn routing_section(state: &AppState, csrf: &str) -> Result<maud::Markup, AppError> {
    let settings = crate::assign::admin::agent_settings(&state.db).await?;
    let mut conn = state.db.pool.acquire().await?;
    let calendars: Vec<(i64, String)> = crate::sla::store::list_calendars(&mut conn)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    Ok(crate::web::views::assign::agent_routing(
        csrf, &settings, &calendars,
    ))
}

#[derive(Deserialize)]
struct AgentForm {
    csrf: Option<String>,
    name: Option<String>,
    email: Option<String>,
    role: Option<String>,
    password: Option<String>,
}

async fn add_agent(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    headers: HeaderMap,
    Form(f): Form<AgentForm>,
) -> PageResult<Response> {
    verify_csrf(&headers, f.csrf.as_deref())?;
    agent.require_admin()?;
    let result = async {
        let role = parse_opt::<Role>("role", f.role.as_deref())?
            .ok_or_else(|| AppError::field("role", t!("error-required")))?;
        auth::create_agent(
            &state.db,
            NewAgent {
                email: f.email.as_deref().unwrap_or(""),
                name: f.name.as_deref().unwrap_or(""),
                role,
                password: f.password.as_deref().unwrap_or(""),
            },
            state.now(),
        )
        .await
    }
    .await;
    match result {
        Ok(_) => Ok(Redirect::to("/admin/agents").into_response()),
        Err(err) => match field_errors(&err) {
            Some(errors) => {
                let agents = auth::list_agents(&state.db).await?;
                let routing = routing_section(&state, &csrf).await?;
                Ok((
                    StatusCode::UNPROCESSABLE_ENTITY,
                    views::admin_agents(&agent, &csrf, &agents, &errors, routing),
                )
                    .into_response())
            }
            None => Err(err.into()),
        },
    }
}

#[derive(Deserialize)]
struct QuarantineQuery {
    all: Option<String>,
    cursor: Option<String>,
}

async fn quarantine_page(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    CsrfToken(csrf): CsrfToken,
    Query(q): Query<QuarantineQuery>,
) -> PageResult<Response> {
    agent.require_admin()?;
    let show_all = q.all.is_some();
    let before_id = super::page_cursor(q.cursor.as_deref())?;
    let filter = crate::intake::quarantine::Filter {
        include_resolved: show_all,
        before_id,
        limit: 200,
        ..Default::default()
    };
    let (items, next) = crate::intake::quarantine::list(&state, &filter).await?;
    Ok(views::quarantine(&agent, &csrf, &items, show_all, next, state.now()).into_response())
}

async fn quarantine_action(
    State(state): State<AppState>,
    CurrentAgent(agent): CurrentAgent,
    headers: HeaderMap,
    Path((id, action)): Path<(i64, String)>,
    Form(f): Form<CsrfOnly>,
) -> PageResult<Response> {
    verify_csrf(&headers, f.csrf.as_deref())?;
    agent.require_admin()?;
    let outcome = crate::intake::quarantine::act(&state, id, &action, &agent).await?;
    Ok(match outcome.ticket_id {
        Some(t) if outcome.status == "released" => Redirect::to(&format!("/tickets/{t}")),
        _ => Redirect::to("/admin/quarantine"),
    }
    .into_response())
}

#[cfg(test)]
mod disposition_tests {
    use super::content_disposition;

    #[test]
    fn names_in_any_script_survive_download() {
        assert_eq!(
            content_disposition("영수증-12월.pdf"),
            "attachment; filename=\"___-12_.pdf\"; filename*=UTF-8''%EC%98%81%EC%88%98%EC%A6%9D-12%EC%9B%94.pdf"
        );
        assert_eq!(
            content_disposition("فاتورة.pdf"),
            "attachment; filename=\"______.pdf\"; filename*=UTF-8''%D9%81%D8%A7%D8%AA%D9%88%D8%B1%D8%A9.pdf"
        );
        // Quotes, slashes and line breaks cannot break out of the header.
        assert_eq!(
            content_disposition("a\"b/c\r\nd.txt"),
            "attachment; filename=\"abcd.txt\"; filename*=UTF-8''abcd.txt"
        );
        assert_eq!(
            content_disposition(""),
            "attachment; filename=\"attachment\"; filename*=UTF-8''attachment"
        );
    }
}
