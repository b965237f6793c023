//! Public pages: the support form and the customer's view of their ticket through a private link.

use super::agent::human_size;
use super::layout::{Frame, field_error, page, time};

/// The id of a field's error message, for `aria-describedby`, when there is one.
pub fn described(errors: &[(String, String)], field: &str) -> Option<String> {
    errors
        .iter()
        .any(|(f, _)| f == field)
        .then(|| format!("{field}-error"))
}

/// A ticket's status badge with the status named in the current language.
fn status_badge(status: &str) -> Markup {
    html! { span class={"badge status-" (status)} { (crate::i18n::status_name(status)) } }
}
use crate::domain::AuthorKind;
use crate::tickets::{Message, Ticket};
use maud::{Markup, html};

#[derive(Debug, Default, Clone)]
pub struct SupportForm {
    pub name: String,
    pub email: String,
    pub subject: String,
    pub message: String,
}

pub fn support(
    csrf: &str,
    form_key: &str,
    values: &SupportForm,
    errors: &[(String, String)],
) -> Markup {
    let title = t!("public-contact-title");
    page(
        &Frame {
            title: &title,
            agent: None,
            csrf,
        },
        html! {
            section.card.narrow {
                h1 { (title) }
                p { (t!("public-contact-intro")) }
                @if !errors.is_empty() { p.flash.error role="alert" { (t!("form-fix-fields")) } }
                form method="post" action="/support" enctype="multipart/form-data" {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="form_key" value=(form_key);
                    label for="name" { (t!("public-your-name")) }
                    input #name name="name" value=(values.name) maxlength="200" autocomplete="name" dir="auto" aria-describedby=[described(errors, "name")];
                    (field_error(errors, "name"))
                    label for="email" { (t!("public-your-email")) }
                    input #email type="email" name="email" value=(values.email) required autocomplete="email" dir="ltr" aria-describedby=[described(errors, "email")];
                    (field_error(errors, "email"))
                    label for="subject" { (t!("public-subject")) }
                    input #subject name="subject" value=(values.subject) required maxlength="250" dir="auto" aria-describedby=[described(errors, "subject")];
                    (field_error(errors, "subject"))
                    label for="message" { (t!("public-message")) }
                    textarea #message name="message" rows="8" required dir="auto" aria-describedby=[described(errors, "message")] { (values.message) }
                    (field_error(errors, "message"))
                    label for="attachment" { (t!("public-attachment")) }
                    input #attachment type="file" name="attachment" aria-describedby=[described(errors, "attachment")];
                    (field_error(errors, "attachment"))
                    div.hp aria-hidden="true" {
                        label for="website" { (t!("public-leave-empty")) }
                        input #website name="website" tabindex="-1" autocomplete="off";
                    }
                    button type="submit" { (t!("button-send")) }
                }
            }
        },
    )
}

pub fn received(csrf: &str) -> Markup {
    let title = t!("public-received-title");
    page(
        &Frame {
            title: &title,
            agent: None,
            csrf,
        },
        html! { section.card.narrow { h1 { (t!("public-thank-you")) } p { (t!("public-received")) } } },
    )
}

/// A private link that no longer works: expired (with a button to mail a fresh one to the
/// address on the request) or withdrawn by the support team.
pub fn link_gone(csrf: &str, token: &str, expired: bool) -> Markup {
    let title = t!("public-link-gone-title");
    page(
        &Frame {
            title: &title,
            agent: None,
            csrf,
        },
        html! {
            section.card.narrow {
                @if expired {
                    h1 { (t!("public-link-expired")) }
                    p { (t!("public-link-expired-help", days = crate::tickets::links::LINK_DAYS)) }
                    form method="post" action={"/t/" (token) "/renew"} {
                        input type="hidden" name="csrf" value=(csrf);
                        button type="submit" { (t!("public-link-mail-new")) }
                    }
                } @else {
                    h1 { (t!("public-link-withdrawn")) }
                    p { (t!("public-link-withdrawn-help")) }
                }
            }
        },
    )
}

/// After a fresh link was asked for (the same answer whether or not one was sent).
pub fn link_renewed(csrf: &str) -> Markup {
    let title = t!("public-link-renewed-title");
    page(
        &Frame {
            title: &title,
            agent: None,
            csrf,
        },
        html! {
            section.card.narrow {
                h1 { (title) }
                p { (t!("public-link-renewed")) }
            }
        },
    )
}

pub struct CustomerView<'a> {
    pub csrf: &'a str,
    pub token: &'a str,
    pub ticket: &'a Ticket,
    pub messages: &'a [Message],
    pub just_created: bool,
    pub link: &'a str,
    pub errors: &'a [(String, String)],
    /// The customer's satisfaction rating of this ticket, if given.
    pub csat: Option<&'a crate::reports::csat::Given>,
    /// People copied on the replies.
    pub cc: &'a [String],
}

pub fn customer_ticket(v: &CustomerView<'_>) -> Markup {
    let t = v.ticket;
    let status_text = match t.status.as_str() {
        "new" => t!("public-status-new"),
        "open" => t!("public-status-open"),
        "pending" => t!("public-status-pending"),
        "solved" => t!("public-status-solved"),
        _ => t!("public-status-closed"),
    };
    let title = t!("public-request-title", ticket = t.id);
    page(
        &Frame {
            title: &title,
            agent: None,
            csrf: v.csrf,
        },
        html! {
            section.card.reading {
                @if v.just_created {
                    div.flash role="status" {
                        p { strong { (t!("public-created", ticket = t.id)) } }
                        p { (t!("public-private-link")) }
                        p { code.link dir="ltr" { (v.link) } }
                    }
                }
                h1 { span.muted { "#" (t.id) " " } span dir="auto" { (t.subject) } }
                p.meta { (status_badge(t.status.as_str())) " " (status_text) }
                (crate::web::views::reports::csat_panel(v.token, t, v.csat))
                ol.messages {
                    @for m in v.messages {
                        li class={"message " (m.author_kind.as_str())} {
                            div.message-head {
                                strong { @if m.author_kind == AuthorKind::Customer { (t!("public-you")) } @else { (t!("public-support-author", name = m.author_name.as_str())) } }
                                " · " (time(m.created_at))
                            }
                            div.body dir="auto" { (m.body_text) }
                            @if !m.attachments.is_empty() {
                                ul.attachments {
                                    @for a in &m.attachments {
                                        li { a href={"/t/" (v.token) "/attachments/" (a.id)} dir="auto" { (a.filename) } " (" bdi { (human_size(a.size_bytes)) } ")" }
                                    }
                                }
                            }
                        }
                    }
                }
                form method="post" action={"/t/" (v.token) "/messages"} {
                    input type="hidden" name="csrf" value=(v.csrf);
                    label for="message" { (t!("public-add-to-request")) }
                    textarea #message name="message" rows="5" required dir="auto" aria-describedby=[described(v.errors, "message")] {}
                    (field_error(v.errors, "message"))
                    button type="submit" { (t!("button-send")) }
                }
                section.cc aria-labelledby="cc-title" {
                    h2 #cc-title { (t!("public-cc-title")) }
                    @if v.cc.is_empty() {
                        p.muted.small { (t!("public-cc-none")) }
                    } @else {
                        p.small dir="ltr" { @for (i, a) in v.cc.iter().enumerate() { @if i > 0 { ", " } (a) } }
                    }
                    form.row method="post" action={"/t/" (v.token) "/cc"} {
                        input type="hidden" name="csrf" value=(v.csrf);
                        label for="cc-address" { (t!("public-cc-add-label")) }
                        input #cc-address name="address" type="email" required placeholder="name@example.com" dir="ltr" aria-describedby=[described(v.errors, "address")];
                        button type="submit" { (t!("public-cc-add")) }
                    }
                    (field_error(v.errors, "address"))
                }
            }
        },
    )
}
