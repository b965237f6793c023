//! Languages: the one Casebook speaks to an agent, and the installation's default.

use super::layout::{Frame, page};
use crate::auth::AgentRef;
use crate::i18n::Locale;
use maud::{Markup, html};

/// `/account/language`: the agent's language, or their browser's (`browser`).
pub fn language(agent: &AgentRef, csrf: &str, browser: Locale, saved: bool) -> Markup {
    choice_page(
        agent,
        csrf,
        &Choice {
            action: "/account/language",
            title: t!("account-language-title"),
            intro: t!("account-language-intro"),
            label: t!("account-language-label"),
            fallback: t!("account-language-browser", language = browser.native_name()),
            chosen: agent.locale,
            saved,
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
    choice_page(
        agent,
        csrf,
        &Choice {
            action: "/admin/language",
            title: t!("admin-language-title"),
            intro: t!("admin-language-intro"),
            label: t!("admin-language-label"),
            fallback: t!(
                "admin-language-configured",
                language = configured.native_name()
            ),
            chosen,
            saved,
        },
    )
}

/// A form choosing one language, or none (`fallback` says what applies then).
struct Choice {
    action: &'static str,
    title: String,
    intro: String,
    label: String,
    fallback: String,
    chosen: Option<Locale>,
    saved: bool,
}

fn choice_page(agent: &AgentRef, csrf: &str, c: &Choice) -> Markup {
    page(
        &Frame {
            title: &c.title,
            agent: Some(agent),
            csrf,
        },
        html! {
            section.card.narrow {
                h1 { (c.title) }
                @if c.saved { p.flash role="status" { (t!("account-language-saved")) } }
                p { (c.intro) }
                form method="post" action=(c.action) {
                    input type="hidden" name="csrf" value=(csrf);
                    fieldset {
                        legend { (c.label) }
                        label.check {
                            input type="radio" name="locale" value="" checked[c.chosen.is_none()];
                            (c.fallback)
                        }
                        @for locale in Locale::ALL {
                            label.check lang=(locale.tag()) dir=(locale.dir()) {
                                input type="radio" name="locale" value=(locale.tag()) checked[c.chosen == Some(locale)];
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
