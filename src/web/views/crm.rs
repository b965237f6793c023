//! Customer 360 views: the customer list and search, likely duplicates, and the customer page's
//! identities, organization, merge and merge-history panels.

use super::layout::{Frame, date, field_error, page, time};
use crate::auth::AgentRef;
use crate::customers::identity::{Identity, IdentityKind};
use crate::customers::merge::{DuplicatePair, MergeRecord};
use crate::customers::{Customer, CustomerSummary};
use maud::{Markup, html};

fn display(name: &str) -> String {
    if name.is_empty() {
        t!("crm-no-name")
    } else {
        name.to_string()
    }
}

/// Stand-ins for links in a message, and the message with the links in their places.
use crate::i18n::{SLOT, markup as linked};

/// The identity lines of a customer card: current ones, then former ones marked as such.
pub fn identity_lines(c: &Customer) -> Markup {
    html! {
        @if let Some(org) = &c.organization { li { (t!("crm-organization")) " " strong dir="auto" { (org) } } }
        @for i in &c.identities { li { (identity_text(i)) } }
    }
}

fn identity_text(i: &Identity) -> Markup {
    let label = match i.kind {
        IdentityKind::Email => String::new(),
        IdentityKind::Phone => t!("crm-identity-phone") + " ",
        IdentityKind::External => t!("crm-identity-external") + " ",
    };
    html! {
        @if i.retired_at.is_some() {
            span.muted { (label) s { bdi { (i.value) } } " " (t!("crm-identity-former")) }
        } @else {
            (label) bdi { (i.value) }
        }
    }
}

pub struct CustomerListPage<'a> {
    pub agent: &'a AgentRef,
    pub csrf: &'a str,
    pub q: &'a str,
    pub customers: &'a [CustomerSummary],
    pub next_cursor: Option<i64>,
}

pub fn customer_list(p: &CustomerListPage<'_>) -> Markup {
    let title = t!("crm-customers-title");
    page(
        &Frame {
            title: &title,
            agent: Some(p.agent),
            csrf: p.csrf,
        },
        html! {
            section {
                h1 { (title) }
                form.row method="get" action="/customers" role="search" {
                    label for="q" { (t!("button-search")) }
                    input #q type="search" name="q" value=(p.q) placeholder=(t!("crm-search-placeholder")) dir="auto";
                    button type="submit" { (t!("button-search")) }
                    a href="/customers/duplicates" { (t!("crm-likely-duplicates")) }
                }
                @if p.customers.is_empty() {
                    p.empty { (t!("crm-no-customers")) }
                } @else {
                    table.tickets {
                        thead { tr { th { "#" } th { (t!("crm-col-name")) } th { (t!("crm-organization")) } th { (t!("crm-col-email")) } th { (t!("crm-col-tickets")) } th { (t!("crm-col-since")) } } }
                        tbody {
                            @for c in p.customers {
                                tr {
                                    td { a href={"/customers/" (c.id)} { (c.id) } }
                                    td dir="auto" { a href={"/customers/" (c.id)} { (display(&c.name)) } }
                                    td dir="auto" { (c.organization.as_deref().unwrap_or("")) }
                                    td dir="auto" { (c.email.as_deref().unwrap_or("")) }
                                    td { (crate::i18n::number(c.total_tickets)) }
                                    td { (date(c.created_at)) }
                                }
                            }
                        }
                    }
                    @if let Some(n) = p.next_cursor {
                        p { a href={"/customers?q=" (super::layout::url_encode(p.q)) "&cursor=" (n)} { (t!("crm-older-customers")) } }
                    }
                }
            }
        },
    )
}

fn reasons(p: &DuplicatePair) -> String {
    p.reasons
        .iter()
        .map(|r| reason_text(*r))
        .collect::<Vec<_>>()
        .join(&t!("list-separator"))
}

/// Why two customers look like one, in the current language.
fn reason_text(r: crate::customers::merge::DuplicateReason) -> String {
    use crate::customers::merge::DuplicateReason;
    match r {
        DuplicateReason::SameExternalId => t!("crm-reason-external-id"),
        DuplicateReason::SamePhone => t!("crm-reason-phone"),
        DuplicateReason::SameNameAndDomain => t!("crm-reason-name-domain"),
    }
}

/// A form that merges `from` into `into`.
fn merge_button(csrf: &str, into: i64, from: i64, label: &str) -> Markup {
    html! {
        form.inline method="post" action={"/customers/" (into) "/merge"} {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="from" value=(from);
            button type="submit" { (label) }
        }
    }
}

pub fn duplicates(agent: &AgentRef, csrf: &str, pairs: &[DuplicatePair]) -> Markup {
    let title = t!("crm-likely-duplicates");
    page(
        &Frame {
            title: &title,
            agent: Some(agent),
            csrf,
        },
        html! {
            section {
                h1 { (t!("crm-duplicates-heading")) }
                p.muted { (t!("crm-duplicates-intro")) }
                @if pairs.is_empty() {
                    p.empty { (t!("crm-duplicates-none")) }
                } @else {
                    table.tickets {
                        thead { tr { th { (t!("crm-col-customer")) } th { (t!("crm-col-looks-like")) } th { (t!("crm-col-why")) } th { (t!("crm-merge")) } } }
                        tbody {
                            @for d in pairs {
                                tr {
                                    td { a href={"/customers/" (d.a)} { "#" (d.a) " " bdi { (display(&d.a_name)) } } }
                                    td { a href={"/customers/" (d.b)} { "#" (d.b) " " bdi { (display(&d.b_name)) } } }
                                    td { (reasons(d)) " (" bdi { (d.shared) } ")" }
                                    td { (merge_button(csrf, d.a, d.b, &t!("crm-keep-and-merge", keep = d.a, merge = d.b))) }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

pub struct PanelData<'a> {
    pub csrf: &'a str,
    pub customer: &'a Customer,
    pub merges: &'a [MergeRecord],
    pub duplicates: &'a [DuplicatePair],
    pub errors: &'a [(String, String)],
}

/// The customer page's side panels: identities (add, retire), organization, merge, likely
/// duplicates and merge history.
pub fn customer_panels(p: &PanelData<'_>) -> Markup {
    let c = p.customer;
    let active = c.merged_into_id.is_none();
    html! {
        @if let Some(into) = c.merged_into_id {
            p.flash role="status" {
                (linked(&t!("crm-merged-into", customer = SLOT[0]), &[html! { a href={"/customers/" (into)} { (t!("crm-customer-number", id = into)) } }]))
            }
        }
        section.card {
            h2 { (t!("crm-identities")) }
            ul.plain {
                @for i in &c.identities {
                    li {
                        (identity_text(i))
                        @if active && i.retired_at.is_none() {
                            " "
                            form.inline method="post" action={"/customers/" (c.id) "/identities/" (i.id) "/retire"} {
                                input type="hidden" name="csrf" value=(p.csrf);
                                button.small type="submit" title=(t!("crm-retire-title")) { (t!("crm-retire")) }
                            }
                        }
                        @if let Some(at) = i.retired_at { " " span.muted.small { (linked(&t!("crm-retired-since", date = SLOT[0]), &[date(at)])) } }
                    }
                }
            }
            @if active {
                form method="post" action={"/customers/" (c.id) "/identities"} {
                    input type="hidden" name="csrf" value=(p.csrf);
                    label for="identity-kind" { (t!("crm-add")) }
                    div.row {
                        select #identity-kind name="kind" {
                            option value="email" { (t!("crm-col-email")) }
                            option value="phone" { (t!("crm-identity-phone")) }
                            option value="external" { (t!("crm-identity-external")) }
                        }
                        input #identity-value type="text" name="value" required aria-label=(t!("crm-identity-value")) aria-describedby="value-error" dir="auto";
                        button type="submit" { (t!("crm-add")) }
                    }
                    (field_error(p.errors, "kind"))
                    (field_error(p.errors, "value"))
                }
                form method="post" action={"/customers/" (c.id) "/organization"} {
                    input type="hidden" name="csrf" value=(p.csrf);
                    label for="organization" { (t!("crm-organization")) }
                    div.row {
                        input #organization type="text" name="organization" value=(c.organization.as_deref().unwrap_or("")) aria-describedby="organization-error" dir="auto";
                        button type="submit" { (t!("button-save")) }
                    }
                    (field_error(p.errors, "organization"))
                }
            }
            @for (f, msg) in p.errors.iter().filter(|(f, _)| f == "identity") {
                p.field-error id={(f) "-error"} role="alert" { (msg) }
            }
        }
        @if active {
            section.card {
                h2 { (t!("crm-merge")) }
                @if !p.duplicates.is_empty() {
                    h3 { (t!("crm-likely-duplicates")) }
                    ul.plain {
                        @for d in p.duplicates {
                            @let other = if d.a == c.id { (d.b, &d.b_name) } else { (d.a, &d.a_name) };
                            li {
                                a href={"/customers/" (other.0)} { "#" (other.0) " " bdi { (display(other.1)) } }
                                span.muted { " · " (reasons(d)) }
                                " " (merge_button(p.csrf, c.id, other.0, &t!("crm-merge-into-this")))
                            }
                        }
                    }
                }
                form method="post" action={"/customers/" (c.id) "/merge"} {
                    input type="hidden" name="csrf" value=(p.csrf);
                    label for="merge-from" { (t!("crm-merge-from-label")) }
                    div.row {
                        input #merge-from type="number" name="from" min="1" required aria-describedby="from-error";
                        button type="submit" { (t!("crm-merge")) }
                    }
                    (field_error(p.errors, "from"))
                }
            }
        }
        @if !p.merges.is_empty() {
            section.card {
                h2 { (t!("crm-merge-history")) }
                ol.events {
                    @for m in p.merges {
                        li {
                            (time(m.created_at)) " · "
                            (linked(&t!("crm-merge-record", from = SLOT[0], into = SLOT[1]), &[
                                html! { a href={"/customers/" (m.from_customer_id)} { "#" (m.from_customer_id) " " bdi { (display(&m.from_name)) } } },
                                html! { a href={"/customers/" (m.into_customer_id)} { "#" (m.into_customer_id) " " bdi { (display(&m.into_name)) } } },
                            ]))
                            span.muted {
                                " · " (t!("crm-merge-moved", identities = m.moved.identities, tickets = m.moved.tickets, events = m.moved.crm_events))
                            }
                            @if let Some(at) = m.undone_at {
                                span.muted { " · " (linked(&t!("crm-merge-undone", time = SLOT[0]), &[time(at)])) }
                            } @else if m.can_undo {
                                " "
                                form.inline method="post" action={"/customers/" (c.id) "/merges/" (m.id) "/undo"} {
                                    input type="hidden" name="csrf" value=(p.csrf);
                                    button.small type="submit" { (t!("crm-undo")) }
                                }
                                " " span.muted.small { (linked(&t!("crm-undo-until", time = SLOT[0]), &[time(m.undo_until)])) }
                            }
                        }
                    }
                }
                @for (_, msg) in p.errors.iter().filter(|(f, _)| f == "merge") {
                    p.field-error role="alert" { (msg) }
                }
            }
        }
    }
}
