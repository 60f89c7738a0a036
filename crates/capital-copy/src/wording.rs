//! The wording rules: the platform's approved text laid over the built-in copy, for one locale
//! ([`Wording`]), and placeholders filled as text, never as template ([`fill`]).

use std::sync::Arc;

use capital_types::PlatformCopy;

use crate::keys::{Key, Lang, primary_subtag};

/// The words in effect for one locale: the platform's approved text where it has some (the
/// `strings` property first, then the backend's `copy`), else the built-in copy.
#[derive(Debug, Clone)]
pub struct Wording {
    lang: Lang,
    /// Lower-case tags the platform's copy is looked up under, most specific first (`fr-ca`, `fr`).
    languages: [String; 2],
    platform: [Option<Arc<PlatformCopy>>; 2],
}

impl Wording {
    /// `locale` is the BCP 47 tag in effect; `platform` the platform's copy, first match wins.
    pub fn new(locale: &str, platform: [Option<Arc<PlatformCopy>>; 2]) -> Wording {
        Wording {
            lang: Lang::from_locale(locale),
            languages: [locale.trim().to_ascii_lowercase(), primary_subtag(locale)],
            platform,
        }
    }

    /// The built-in copy of `lang` alone.
    pub fn builtin(lang: Lang) -> Wording {
        Wording {
            lang,
            languages: Default::default(),
            platform: [None, None],
        }
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The text of `key`.
    pub fn get(&self, key: Key) -> &str {
        let languages = [self.languages[0].as_str(), self.languages[1].as_str()];
        self.platform
            .iter()
            .flatten()
            .find_map(|copy| copy.get(&languages, key.name()))
            .unwrap_or_else(|| self.lang.text(key))
    }
}

/// Replaces each `{name}` in `template` with its value. Values are not scanned for placeholders,
/// so text from the backend can never expand into more template.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some((before, after)) = rest.split_once('{') {
        out.push_str(before);
        match after.split_once('}') {
            Some((name, tail)) => {
                match values.iter().find(|(key, _)| *key == name) {
                    Some((_, value)) => out.push_str(value),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = tail;
            }
            None => {
                out.push('{');
                rest = after;
                break;
            }
        }
    }
    out.push_str(rest);
    out
}
