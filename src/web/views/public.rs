//! Public pages: the support form and the customer's view of their ticket through a private link.

use super::agent::human_size;
use super::layout::{Frame, badge, field_error, page, time};
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
    page(
        &Frame {
            title: "Contact support",
            agent: None,
            csrf,
        },
        html! {
            section.card.narrow {
                h1 { "Contact support" }
                p { "Tell us what happened. You will get a private link to follow your request and add to it." }
                @if !errors.is_empty() { p.flash.error role="alert" { "Please correct the fields marked below." } }
                form method="post" action="/support" enctype="multipart/form-data" {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="form_key" value=(form_key);
                    label for="name" { "Your name" }
                    input #name name="name" value=(values.name) maxlength="200" autocomplete="name" dir="auto";
                    (field_error(errors, "name"))
                    label for="email" { "Your email" }
                    input #email type="email" name="email" value=(values.email) required autocomplete="email";
                    (field_error(errors, "email"))
                    label for="subject" { "Subject" }
                    input #subject name="subject" value=(values.subject) required maxlength="250" dir="auto";
                    (field_error(errors, "subject"))
                    label for="message" { "Message" }
                    textarea #message name="message" rows="8" required dir="auto" { (values.message) }
                    (field_error(errors, "message"))
                    label for="attachment" { "Attachment (optional)" }
                    input #attachment type="file" name="attachment";
                    (field_error(errors, "attachment"))
                    div.hp aria-hidden="true" {
                        label for="website" { "Leave this empty" }
                        input #website name="website" tabindex="-1" autocomplete="off";
                    }
                    button type="submit" { "Send" }
                }
            }
        },
    )
}

pub fn received(csrf: &str) -> Markup {
    page(
        &Frame {
            title: "Request received",
            agent: None,
            csrf,
        },
        html! { section.card.narrow { h1 { "Thank you" } p { "We received your request." } } },
    )
}

/// A private link that no longer works: expired (with a button to mail a fresh one to the
/// address on the request) or withdrawn by the support team.
pub fn link_gone(csrf: &str, token: &str, expired: bool) -> Markup {
    page(
        &Frame {
            title: "This link no longer works",
            agent: None,
            csrf,
        },
        html! {
            section.card.narrow {
                @if expired {
                    h1 { "This link has expired" }
                    p { "Links to a request work for " (crate::tickets::links::LINK_DAYS) " days. We can mail a new one to the address on the request." }
                    form method="post" action={"/t/" (token) "/renew"} {
                        input type="hidden" name="csrf" value=(csrf);
                        button type="submit" { "Mail me a new link" }
                    }
                } @else {
                    h1 { "This link was withdrawn" }
                    p { "The support team replaced this link. Use the newest link we mailed you, or reply to any of our emails." }
                }
            }
        },
    )
}

/// After a fresh link was asked for (the same answer whether or not one was sent).
pub fn link_renewed(csrf: &str) -> Markup {
    page(
        &Frame {
            title: "A new link is on its way",
            agent: None,
            csrf,
        },
        html! {
            section.card.narrow {
                h1 { "A new link is on its way" }
                p { "We mailed a new link to the address on the request. It can take a few minutes to arrive." }
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
        "new" => "received — we will be in touch soon",
        "open" => "open — we are working on it",
        "pending" => "waiting for your reply",
        "solved" => "solved — reply if anything is still wrong and we will reopen it",
        _ => "closed — writing here starts a new request",
    };
    let title = format!("Request #{}", t.id);
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
                        p { strong { "We received your request #" (t.id) "." } }
                        p { "This is your private link to follow it. Keep it safe — anyone with it can read this conversation:" }
                        p { code.link { (v.link) } }
                    }
                }
                h1 { span.muted { "#" (t.id) " " } (t.subject) }
                p.meta { (badge("status", t.status.as_str())) " " (status_text) }
                (crate::web::views::reports::csat_panel(v.token, t, v.csat))
                ol.messages {
                    @for m in v.messages {
                        li class={"message " (m.author_kind.as_str())} {
                            div.message-head {
                                strong { @if m.author_kind == AuthorKind::Customer { "You" } @else { (m.author_name) " (support)" } }
                                " · " (time(m.created_at))
                            }
                            div.body dir="auto" { (m.body_text) }
                            @if !m.attachments.is_empty() {
                                ul.attachments {
                                    @for a in &m.attachments {
                                        li { a href={"/t/" (v.token) "/attachments/" (a.id)} { (a.filename) } " (" (human_size(a.size_bytes)) ")" }
                                    }
                                }
                            }
                        }
                    }
                }
                form method="post" action={"/t/" (v.token) "/messages"} {
                    input type="hidden" name="csrf" value=(v.csrf);
                    label for="message" { "Add to your request" }
                    textarea #message name="message" rows="5" required dir="auto" {}
                    (field_error(v.errors, "message"))
                    button type="submit" { "Send" }
                }
                section.cc aria-labelledby="cc-title" {
                    h2 #cc-title { "Copied on replies" }
                    @if v.cc.is_empty() {
                        p.muted.small { "Only you get our replies." }
                    } @else {
                        p.small { @for (i, a) in v.cc.iter().enumerate() { @if i > 0 { ", " } (a) } }
                    }
                    form.row method="post" action={"/t/" (v.token) "/cc"} {
                        input type="hidden" name="csrf" value=(v.csrf);
                        label for="cc-address" { "Copy a colleague" }
                        input #cc-address name="address" type="email" required placeholder="name@example.com";
                        button type="submit" { "Add" }
                    }
                    (field_error(v.errors, "address"))
                }
            }
        },
    )
}
