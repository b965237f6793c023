//! Customer 360 views: the customer list and search, likely duplicates, and the customer page's
//! identities, organization, merge and merge-history panels.

use super::layout::{Frame, date, field_error, page, plural, time};
use crate::auth::AgentRef;
use crate::customers::identity::{Identity, IdentityKind};
use crate::customers::merge::{DuplicatePair, MergeRecord};
use crate::customers::{Customer, CustomerSummary};
use maud::{Markup, html};

fn display(name: &str) -> &str {
    if name.is_empty() { "(no name)" } else { name }
}

/// The identity lines of a customer card: current ones, then former ones marked as such.
pub fn identity_lines(c: &Customer) -> Markup {
    html! {
        @if let Some(org) = &c.organization { li { "Organization " strong { (org) } } }
        @for i in &c.identities { li { (identity_text(i)) } }
    }
}

fn identity_text(i: &Identity) -> Markup {
    let label = match i.kind {
        IdentityKind::Email => "",
        IdentityKind::Phone => "Phone ",
        IdentityKind::External => "External id ",
    };
    html! {
        @if i.retired_at.is_some() {
            span.muted { (label) s { (i.value) } " (former)" }
        } @else {
            (label) (i.value)
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
    page(
        &Frame {
            title: "Customers",
            agent: Some(p.agent),
            csrf: p.csrf,
        },
        html! {
            section {
                h1 { "Customers" }
                form.row method="get" action="/customers" role="search" {
                    label for="q" { "Search" }
                    input #q type="search" name="q" value=(p.q) placeholder="Name, organization, email, phone or external id";
                    button type="submit" { "Search" }
                    a href="/customers/duplicates" { "Likely duplicates" }
                }
                @if p.customers.is_empty() {
                    p.empty { "No customers found." }
                } @else {
                    table.tickets {
                        thead { tr { th { "#" } th { "Name" } th { "Organization" } th { "Email" } th { "Tickets" } th { "Since" } } }
                        tbody {
                            @for c in p.customers {
                                tr {
                                    td { a href={"/customers/" (c.id)} { (c.id) } }
                                    td dir="auto" { a href={"/customers/" (c.id)} { (display(&c.name)) } }
                                    td dir="auto" { (c.organization.as_deref().unwrap_or("")) }
                                    td { (c.email.as_deref().unwrap_or("")) }
                                    td { (c.total_tickets) }
                                    td { (date(c.created_at)) }
                                }
                            }
                        }
                    }
                    @if let Some(n) = p.next_cursor {
                        p { a href={"/customers?q=" (super::layout::url_encode(p.q)) "&cursor=" (n)} { "Older customers →" } }
                    }
                }
            }
        },
    )
}

fn reasons(p: &DuplicatePair) -> String {
    p.reasons
        .iter()
        .map(|r| r.text())
        .collect::<Vec<_>>()
        .join(", ")
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
    page(
        &Frame {
            title: "Likely duplicates",
            agent: Some(agent),
            csrf,
        },
        html! {
            section {
                h1 { "Likely duplicate customers" }
                p.muted { "Customers sharing an external id or a phone number, or with the same name and an email address at the same domain. Merging moves identities, tickets and CRM events onto the customer kept; it can be undone for a while from the customer page." }
                @if pairs.is_empty() {
                    p.empty { "No likely duplicates." }
                } @else {
                    table.tickets {
                        thead { tr { th { "Customer" } th { "Looks like" } th { "Why" } th { "Merge" } } }
                        tbody {
                            @for d in pairs {
                                tr {
                                    td { a href={"/customers/" (d.a)} { "#" (d.a) " " (display(&d.a_name)) } }
                                    td { a href={"/customers/" (d.b)} { "#" (d.b) " " (display(&d.b_name)) } }
                                    td { (reasons(d)) " (" (d.shared) ")" }
                                    td { (merge_button(csrf, d.a, d.b, &format!("Keep #{}, merge #{} into it", d.a, d.b))) }
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
            p.flash role="status" { "This customer was merged into " a href={"/customers/" (into)} { "customer #" (into) } "." }
        }
        section.card {
            h2 { "Identities" }
            ul.plain {
                @for i in &c.identities {
                    li {
                        (identity_text(i))
                        @if active && i.retired_at.is_none() {
                            " "
                            form.inline method="post" action={"/customers/" (c.id) "/identities/" (i.id) "/retire"} {
                                input type="hidden" name="csrf" value=(p.csrf);
                                button.small type="submit" title="Keep it as a former contact (it still matches incoming mail)" { "Retire" }
                            }
                        }
                        @if let Some(at) = i.retired_at { span.muted.small { " since " (date(at)) } }
                    }
                }
            }
            @if active {
                form method="post" action={"/customers/" (c.id) "/identities"} {
                    input type="hidden" name="csrf" value=(p.csrf);
                    label for="identity-kind" { "Add" }
                    div.row {
                        select #identity-kind name="kind" {
                            option value="email" { "Email" }
                            option value="phone" { "Phone" }
                            option value="external" { "External id" }
                        }
                        input #identity-value type="text" name="value" required aria-label="Value" aria-describedby="value-error";
                        button type="submit" { "Add" }
                    }
                    (field_error(p.errors, "kind"))
                    (field_error(p.errors, "value"))
                }
                form method="post" action={"/customers/" (c.id) "/organization"} {
                    input type="hidden" name="csrf" value=(p.csrf);
                    label for="organization" { "Organization" }
                    div.row {
                        input #organization type="text" name="organization" value=(c.organization.as_deref().unwrap_or("")) aria-describedby="organization-error";
                        button type="submit" { "Save" }
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
                h2 { "Merge" }
                @if !p.duplicates.is_empty() {
                    h3 { "Likely duplicates" }
                    ul.plain {
                        @for d in p.duplicates {
                            @let other = if d.a == c.id { (d.b, &d.b_name) } else { (d.a, &d.a_name) };
                            li {
                                a href={"/customers/" (other.0)} { "#" (other.0) " " (display(other.1)) }
                                span.muted { " · " (reasons(d)) }
                                " " (merge_button(p.csrf, c.id, other.0, "Merge into this customer"))
                            }
                        }
                    }
                }
                form method="post" action={"/customers/" (c.id) "/merge"} {
                    input type="hidden" name="csrf" value=(p.csrf);
                    label for="merge-from" { "Merge another customer into this one (their id)" }
                    div.row {
                        input #merge-from type="number" name="from" min="1" required aria-describedby="from-error";
                        button type="submit" { "Merge" }
                    }
                    (field_error(p.errors, "from"))
                }
            }
        }
        @if !p.merges.is_empty() {
            section.card {
                h2 { "Merge history" }
                ol.events {
                    @for m in p.merges {
                        li {
                            (time(m.created_at)) " · "
                            a href={"/customers/" (m.from_customer_id)} { "#" (m.from_customer_id) " " (display(&m.from_name)) }
                            " merged into "
                            a href={"/customers/" (m.into_customer_id)} { "#" (m.into_customer_id) " " (display(&m.into_name)) }
                            span.muted {
                                " · moved " (plural(m.moved.identities, "identity").replace("identitys", "identities"))
                                ", " (plural(m.moved.tickets, "ticket"))
                                ", " (plural(m.moved.crm_events, "CRM event"))
                            }
                            @if let Some(at) = m.undone_at {
                                span.muted { " · undone " (time(at)) }
                            } @else if m.can_undo {
                                " "
                                form.inline method="post" action={"/customers/" (c.id) "/merges/" (m.id) "/undo"} {
                                    input type="hidden" name="csrf" value=(p.csrf);
                                    button.small type="submit" { "Undo" }
                                }
                                span.muted.small { " until " (time(m.undo_until)) }
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
