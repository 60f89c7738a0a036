//! `copy` in the `/offer` answer, and the element's `strings` property: text a platform has had
//! approved by Stripe, replacing the element's built-in copy key by key.
//!
//! ```json
//! { "offer.cta": "See your offer",
//!   "fr": { "offer.cta": "Voir votre offre" } }
//! ```
//! A string value applies in every language; an object value holds the keys of one language (its
//! BCP 47 tag or primary subtag, matched without regard to case). Anything else is ignored, and so
//! are keys the element does not know: an approved text is either used whole or not at all, and a
//! malformed entry never keeps the offer from being shown.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Platform-approved text by key. Lists, not maps: a few dozen entries are searched faster than
/// a map's code is downloaded (the element's wasm has a size budget).
#[derive(Debug, Clone, Default)]
pub struct PlatformCopy {
    /// Key → text, in every language; each key once.
    pub all: Texts,
    /// Language tag (as written; matched without regard to case) → its texts; each tag once.
    pub languages: Vec<(String, Texts)>,
}

/// Key → text pairs, each key once.
pub type Texts = Vec<(String, String)>;

fn find<'t, T>(entries: &'t [(String, T)], key: &str) -> Option<&'t T> {
    entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// Sets `key`; a later duplicate replaces an earlier one, as JSON readers do for maps.
fn set<T>(entries: &mut Vec<(String, T)>, key: String, value: T) {
    match entries.iter_mut().find(|(k, _)| *k == key) {
        Some(entry) => entry.1 = value,
        None => entries.push((key, value)),
    }
}

impl PlatformCopy {
    pub fn is_empty(&self) -> bool {
        self.all.is_empty() && self.languages.is_empty()
    }

    /// The text for `key` in the first of `languages` (lower-case tags, most specific first)
    /// that has it, else the one for every language. Blank text counts as absent.
    pub fn get(&self, languages: &[&str], key: &str) -> Option<&str> {
        languages
            .iter()
            .filter_map(|language| {
                let (_, texts) = self
                    .languages
                    .iter()
                    .find(|(tag, _)| tag.eq_ignore_ascii_case(language))?;
                find(texts, key)
            })
            .chain(find(&self.all, key))
            .map(String::as_str)
            .find(|text| !text.trim().is_empty())
    }

    /// Builds from already parsed entries: a string is for every language, an object for one.
    /// Later duplicates replace earlier ones.
    pub(crate) fn insert_text(&mut self, key: String, text: String) {
        set(&mut self.all, key, text);
    }

    /// Replaces the texts of `language` (a later duplicate of a language replaces it whole).
    pub(crate) fn insert_language(&mut self, language: String, texts: Texts) {
        set(&mut self.languages, language, texts);
    }
}

/// Equal when they hold the same texts, in whatever order they were written.
impl PartialEq for PlatformCopy {
    fn eq(&self, other: &Self) -> bool {
        fn same<T: PartialEq>(
            a: &[(String, T)],
            b: &[(String, T)],
            eq: impl Fn(&T, &T) -> bool,
        ) -> bool {
            a.len() == b.len()
                && a.iter()
                    .all(|(key, value)| find(b, key).is_some_and(|other| eq(value, other)))
        }
        same(&self.all, &other.all, PartialEq::eq)
            && same(&self.languages, &other.languages, |a, b| {
                same(a, b, PartialEq::eq)
            })
    }
}

impl Eq for PlatformCopy {}

impl Serialize for PlatformCopy {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut value = serde_json::Map::new();
        for (key, text) in &self.all {
            value.insert(key.clone(), text.clone().into());
        }
        for (language, texts) in &self.languages {
            let texts = texts
                .iter()
                .map(|(key, text)| (key.clone(), text.clone().into()))
                .collect();
            value.insert(language.clone(), serde_json::Value::Object(texts));
        }
        value.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for PlatformCopy {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut copy = PlatformCopy::default();
        let serde_json::Value::Object(entries) = serde_json::Value::deserialize(deserializer)?
        else {
            return Ok(copy);
        };
        for (key, value) in entries {
            match value {
                serde_json::Value::String(text) => copy.insert_text(key, text),
                serde_json::Value::Object(entries) => {
                    let mut texts = Texts::new();
                    for (inner, value) in entries {
                        if let serde_json::Value::String(text) = value {
                            set(&mut texts, inner, text);
                        }
                    }
                    copy.insert_language(key, texts);
                }
                _ => {}
            }
        }
        Ok(copy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> PlatformCopy {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn strings_are_for_every_language_objects_for_one_and_the_last_duplicate_wins() {
        let copy = parse(
            r#"{"offer.cta": "See offer", "FR": {"offer.cta": "Voir", "n": 3}, "x": 1, "y": null}"#,
        );
        assert_eq!(copy.get(&["fr-ca", "fr"], "offer.cta"), Some("Voir"));
        assert_eq!(copy.get(&["de"], "offer.cta"), Some("See offer"));
        assert_eq!(copy.get(&["fr"], "n"), None);
        assert_eq!(copy.get(&["fr"], "x"), None);
        assert_eq!(copy.get(&[], "missing"), None);
        let copy = parse(r#"{"k": "text", "k": {"k": "fr"}, "j": "one", "j": "two"}"#);
        assert_eq!(copy.get(&["k"], "k"), Some("fr"));
        assert_eq!(copy.get(&[], "k"), None);
        assert_eq!(copy.get(&[], "j"), Some("two"));
    }

    #[test]
    fn the_most_specific_language_wins_and_blank_text_is_absent() {
        let copy =
            parse(r#"{"k": "all", "en": {"k": "en"}, "en-gb": {"k": "gb", "b": "  "}, "b": "x"}"#);
        assert_eq!(copy.get(&["en-gb", "en"], "k"), Some("gb"));
        assert_eq!(copy.get(&["en-us", "en"], "k"), Some("en"));
        assert_eq!(copy.get(&["en-gb", "en"], "b"), Some("x"));
    }

    #[test]
    fn anything_but_an_object_is_no_copy() {
        for text in ["null", "[]", "\"text\"", "3"] {
            assert!(parse(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn round_trips() {
        let copy = parse(r#"{"a": "1", "fr": {"a": "2"}}"#);
        let again: PlatformCopy =
            serde_json::from_str(&serde_json::to_string(&copy).unwrap()).unwrap();
        assert_eq!(again, copy);
    }
}
