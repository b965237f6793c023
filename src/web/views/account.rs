//! Languages: the one Casebook speaks to an agent, and the installation's default.

use super::layout::{Frame, page};
use crate::auth::AgentRef;
use crate::i18n::Locale;
use maud::{Markup, html};

/// `/account/language`: the agent's language, or their browser's (`browser`).
pub fn language(agent: &AgentRef, csrf: &str, browser: Locale, saved: bool) -> Markup {
    let title = t!("account-language-title");
    page(
        &Frame {
            title: &title,
            agent: Some(agent),
            csrf,
        },
        html! {
            section.card.narrow {
                h1 { (title) }
                @if saved { p.flash role="status" { (t!("account-language-saved")) } }
                p { (t!("account-language-intro")) }
                form method="post" action="/account/language" {
                    input type="hidden" name="csrf" value=(csrf);
                    fieldset {
                        legend { (t!("account-language-label")) }
                        label.check {
                            input type="radio" name="locale" value="" checked[agent.locale.is_none()];
                            (t!("account-language-browser", language = browser.native_name()))
                        }
                        @for locale in Locale::ALL {
                            label.check lang=(locale.tag()) dir=(locale.dir()) {
                                input type="radio" name="locale" value=(locale.tag()) checked[agent.locale == Some(locale)];
                                (locale.native_name())
                            }
                        }
                    }
                    button type="submit" { (t!("button-save")) }
                }
            }
        },
    )
}

/// `/admin/language`: the language of everyone who chose none and whose browser asks for none
/// Casebook speaks; `chosen` is the admin's choice, `configured` the configuration's default.
pub fn default_language(
    agent: &AgentRef,
    csrf: &str,
    chosen: Option<Locale>,
    configured: Locale,
    saved: bool,
) -> Markup {
    let title = t!("admin-language-title");
    page(
        &Frame {
            title: &title,
            agent: Some(agent),
            csrf,
        },
        html! {
            section.card.narrow {
                h1 { (title) }
                @if saved { p.flash role="status" { (t!("account-language-saved")) } }
                p { (t!("admin-language-intro")) }
                form method="post" action="/admin/language" {
                    input type="hidden" name="csrf" value=(csrf);
                    fieldset {
                        legend { (t!("admin-language-label")) }
                        label.check {
                            input type="radio" name="locale" value="" checked[chosen.is_none()];
                            (t!("admin-language-configured", language = configured.native_name()))
                        }
                        @for locale in Locale::ALL {
                            label.check lang=(locale.tag()) dir=(locale.dir()) {
                                input type="radio" name="locale" value=(locale.tag()) checked[chosen == Some(locale)];
                                (locale.native_name())
                            }
                        }
                    }
                    button type="submit" { (t!("button-save")) }
                }
            }
        },
    )
}
