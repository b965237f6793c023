//! `/admin/channels`: the connected messaging channels (SMS, chat, social gateways), a form to
//! connect one, and a channel's page with its inbound URL, settings and new secrets (shown once).

use super::layout::{Frame, field_error, page};
use crate::auth::AgentRef;
use crate::channels::{Adapter, Gateway, KINDS, NewSecrets};
use maud::{Markup, html};

/// What a form posted, to show again next to its errors.
#[derive(Debug, Clone, Default)]
pub struct FormValues {
    pub slug: Option<String>,
    pub name: Option<String>,
    pub kind: Option<String>,
    pub adapter: Option<String>,
    pub reply_url: Option<String>,
    pub twilio_account_sid: Option<String>,
    pub twilio_from: Option<String>,
    pub twilio_api_base: Option<String>,
    pub allow_private: bool,
    pub active: bool,
}

fn adapter_name(a: Adapter) -> String {
    match a {
        Adapter::Generic => t!("channels-adapter-generic"),
        Adapter::Twilio => t!("channels-adapter-twilio"),
    }
}

fn state_badge(g: &Gateway) -> Markup {
    html! {
        @if g.active {
            span.badge.sla-met { (t!("channels-state-active")) }
        } @else {
            span.badge.sla-breached { (t!("channels-state-inactive")) }
        }
    }
}

/// The fields of the add form (`g` none) and the edit form.
fn fields(g: Option<&Gateway>, errors: &[(String, String)], form: &FormValues) -> Markup {
    let value = |posted: &Option<String>, current: Option<String>| {
        posted.clone().or(current).unwrap_or_default()
    };
    let slug = value(&form.slug, g.map(|g| g.slug.clone()));
    let name = value(&form.name, g.map(|g| g.name.clone()));
    let kind = value(&form.kind, g.map(|g| g.kind.clone()));
    let adapter = g
        .map(|g| g.adapter)
        .unwrap_or_else(|| match form.adapter.as_deref() {
            Some("twilio") => Adapter::Twilio,
            _ => Adapter::Generic,
        });
    let reply_url = value(&form.reply_url, g.and_then(|g| g.reply_url.clone()));
    let sid = value(
        &form.twilio_account_sid,
        g.and_then(|g| g.twilio_account_sid.clone()),
    );
    let from = value(&form.twilio_from, g.and_then(|g| g.twilio_from.clone()));
    let base = value(
        &form.twilio_api_base,
        g.and_then(|g| g.twilio_api_base.clone()),
    );
    let allow_private = form.allow_private || g.is_some_and(|g| g.allow_private);
    let active = form.active || g.is_none_or(|g| g.active);
    let secret_label = |new: String, set: String| if g.is_some() { set } else { new };
    html! {
        label for="ch-slug" { (t!("channels-field-slug")) }
        input #ch-slug name="slug" dir="auto" value=(slug) required maxlength="40" pattern="[a-z0-9][a-z0-9-]*" aria-describedby="ch-slug-help";
        p #ch-slug-help .muted.small { (t!("channels-field-slug-help")) }
        (field_error(errors, "slug"))
        label for="ch-name" { (t!("channels-field-name")) }
        input #ch-name name="name" dir="auto" value=(name) maxlength="100";
        (field_error(errors, "name"))
        label for="ch-kind" { (t!("channels-field-kind")) }
        select #ch-kind name="kind" {
            @for k in KINDS {
                option value=(k.as_str()) selected[kind == k.as_str()] { (crate::i18n::channel_name(k.as_str())) }
            }
        }
        (field_error(errors, "kind"))
        @if g.is_none() {
            label for="ch-adapter" { (t!("channels-field-adapter")) }
            select #ch-adapter name="adapter" {
                @for a in [Adapter::Generic, Adapter::Twilio] {
                    option value=(a.as_str()) selected[adapter == a] { (adapter_name(a)) }
                }
            }
            p.muted.small { (t!("channels-field-adapter-help")) }
            (field_error(errors, "adapter"))
        }
        @if g.is_none() || adapter == Adapter::Generic {
            fieldset {
                legend { (adapter_name(Adapter::Generic)) }
                label for="ch-reply-url" { (t!("channels-field-reply-url")) }
                input #ch-reply-url name="reply_url" type="url" dir="ltr" value=(reply_url) placeholder="https://gateway.example.com/casebook/replies";
                (field_error(errors, "reply_url"))
                label for="ch-inbound-secret" { (secret_label(t!("channels-field-inbound-secret"), t!("channels-field-new-inbound-secret"))) }
                input #ch-inbound-secret name="inbound_secret" type="password" autocomplete="new-password" dir="ltr" maxlength="200";
                (field_error(errors, "inbound_secret"))
                label for="ch-reply-secret" { (secret_label(t!("channels-field-reply-secret"), t!("channels-field-new-reply-secret"))) }
                input #ch-reply-secret name="reply_secret" type="password" autocomplete="new-password" dir="ltr" maxlength="200";
                p.muted.small { (t!("channels-field-secret-help", min = crate::webhooks::MIN_SECRET_CHARS)) }
                (field_error(errors, "reply_secret"))
            }
        }
        @if g.is_none() || adapter == Adapter::Twilio {
            fieldset {
                legend { (adapter_name(Adapter::Twilio)) }
                label for="ch-sid" { (t!("channels-field-twilio-sid")) }
                input #ch-sid name="twilio_account_sid" dir="auto" value=(sid) maxlength="64";
                (field_error(errors, "twilio_account_sid"))
                label for="ch-token" { (secret_label(t!("channels-field-twilio-token"), t!("channels-field-new-twilio-token"))) }
                input #ch-token name="twilio_auth_token" type="password" autocomplete="new-password" dir="ltr" maxlength="200";
                (field_error(errors, "twilio_auth_token"))
                label for="ch-from" { (t!("channels-field-twilio-from")) }
                input #ch-from name="twilio_from" dir="auto" value=(from) maxlength="64" placeholder="+15017122661";
                (field_error(errors, "twilio_from"))
                label for="ch-base" { (t!("channels-field-twilio-base")) }
                input #ch-base name="twilio_api_base" type="url" dir="ltr" value=(base) placeholder=(crate::channels::TWILIO_API_BASE);
                (field_error(errors, "twilio_api_base"))
            }
        }
        label {
            input type="checkbox" name="allow_private" value="1" checked[allow_private];
            " " (t!("channels-field-allow-private"))
        }
        @if g.is_some() {
            label {
                input type="checkbox" name="active" value="1" checked[active];
                " " (t!("channels-field-active"))
            }
        }
    }
}

/// `/admin/channels`.
pub fn list_page(
    agent: &AgentRef,
    csrf: &str,
    all: &[Gateway],
    errors: &[(String, String)],
    form: &FormValues,
) -> Markup {
    let title = t!("channels-title");
    page(
        &Frame {
            title: &title,
            agent: Some(agent),
            csrf,
        },
        html! {
            section {
                h1 { (title) }
                p.muted { (t!("channels-intro")) }
                @if all.is_empty() {
                    p.empty { (t!("channels-none")) }
                } @else {
                    div.table-wrap {
                        table.tickets {
                            thead { tr {
                                th { (t!("channels-field-name")) }
                                th { (t!("channels-field-kind")) }
                                th { (t!("channels-field-adapter")) }
                                th { (t!("channels-inbound-url")) }
                                th { (t!("channels-col-state")) }
                            } }
                            tbody {
                                @for g in all {
                                    tr {
                                        td { a href={"/admin/channels/" (g.slug)} dir="auto" { (g.name) } }
                                        td { (crate::i18n::channel_name(&g.kind)) }
                                        td { (adapter_name(g.adapter)) }
                                        td { code dir="ltr" { (g.inbound_path) } }
                                        td { (state_badge(g)) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            section.card {
                h2 { (t!("channels-add")) }
                form method="post" action="/admin/channels" {
                    input type="hidden" name="csrf" value=(csrf);
                    (fields(None, errors, form))
                    button type="submit" { (t!("channels-add-button")) }
                }
            }
        },
    )
}

/// `/admin/channels/{slug}`: right after a create or change, with the secrets it made.
pub fn channel_page(
    agent: &AgentRef,
    csrf: &str,
    g: &Gateway,
    secrets: &NewSecrets,
    errors: &[(String, String)],
    form: &FormValues,
) -> Markup {
    let base = format!("/admin/channels/{}", g.slug);
    page(
        &Frame {
            title: &g.name,
            agent: Some(agent),
            csrf,
        },
        html! {
            p { a href="/admin/channels" { (t!("channels-back")) } }
            section.card {
                h1 dir="auto" { (g.name) " " (state_badge(g)) }
                @if secrets.inbound_secret.is_some() || secrets.reply_secret.is_some() {
                    div.flash role="status" {
                        p { (t!("channels-secrets-once")) }
                        dl {
                            @if let Some(s) = &secrets.inbound_secret {
                                dt { (t!("channels-field-inbound-secret")) } dd { code dir="ltr" { (s) } }
                            }
                            @if let Some(s) = &secrets.reply_secret {
                                dt { (t!("channels-field-reply-secret")) } dd { code dir="ltr" { (s) } }
                            }
                        }
                    }
                }
                dl {
                    dt { (t!("channels-field-kind")) } dd { (crate::i18n::channel_name(&g.kind)) }
                    dt { (t!("channels-field-adapter")) } dd { (adapter_name(g.adapter)) }
                    dt { (t!("channels-inbound-url")) } dd { code dir="ltr" { (g.inbound_path) } }
                    @if let Some(u) = &g.reply_url { dt { (t!("channels-field-reply-url")) } dd { code dir="ltr" { (u) } } }
                    @if let Some(h) = &g.inbound_secret_hint { dt { (t!("channels-field-inbound-secret")) } dd { code dir="ltr" { (h) } } }
                    @if let Some(h) = &g.reply_secret_hint { dt { (t!("channels-field-reply-secret")) } dd { code dir="ltr" { (h) } } }
                    @if let Some(s) = &g.twilio_account_sid { dt { (t!("channels-field-twilio-sid")) } dd { code dir="ltr" { (s) } } }
                    @if let Some(h) = &g.twilio_auth_token_hint { dt { (t!("channels-field-twilio-token")) } dd { code dir="ltr" { (h) } } }
                    @if let Some(f) = &g.twilio_from { dt { (t!("channels-field-twilio-from")) } dd { code dir="ltr" { (f) } } }
                    @if let Some(b) = &g.twilio_api_base { dt { (t!("channels-field-twilio-base")) } dd { code dir="ltr" { (b) } } }
                }
                p.muted.small { (t!("channels-docs")) }
                form method="post" action={(base) "/delete"} {
                    input type="hidden" name="csrf" value=(csrf);
                    button.small type="submit" { (t!("channels-delete")) }
                }
            }
            section.card {
                h2 { (t!("channels-edit")) }
                form method="post" action=(base) {
                    input type="hidden" name="csrf" value=(csrf);
                    (fields(Some(g), errors, form))
                    button type="submit" { (t!("channels-save")) }
                }
            }
        },
    )
}
