//! The platform's approved copy (`--copy-file`): the text Stripe approved for this platform,
//! which the element shows instead of its built-in copy. Sent as `copy` in `GET /offer`.
//!
//! Read strictly at start, so that a typo fails loudly instead of leaving built-in text on
//! screen: every key must be one the element knows (`capital_copy::Key`), every value text, or an
//! object of texts under a language tag.

use std::path::Path;

use capital_copy::Key;
use capital_types::PlatformCopy;
use serde_json::Value;

/// Copy that parsed and names only keys the element knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovedCopy(PlatformCopy);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CopyFileError {
    #[error("{path}: {message}")]
    Read { path: String, message: String },
    #[error("not JSON: {0}")]
    NotJson(String),
    #[error("expected an object of texts, keyed by the element's copy keys")]
    NotAnObject,
    #[error("unknown key `{0}` (the keys are listed in docs/contract.md, under \"Platform copy\")")]
    UnknownKey(String),
    #[error("`{0}` must be text, or an object of texts under a language tag")]
    NotText(String),
    #[error("`{0}` is empty: leave a key out to keep the built-in text")]
    Empty(String),
    #[error("`{0}` is not a language tag (such as `fr` or `en-GB`)")]
    NotALanguage(String),
}

impl ApprovedCopy {
    pub fn load(path: &Path) -> Result<ApprovedCopy, CopyFileError> {
        let text = std::fs::read_to_string(path).map_err(|error| CopyFileError::Read {
            path: path.display().to_string(),
            message: error.to_string(),
        })?;
        Self::parse(&text)
    }

    pub fn parse(text: &str) -> Result<ApprovedCopy, CopyFileError> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| CopyFileError::NotJson(e.to_string()))?;
        let Value::Object(entries) = &value else {
            return Err(CopyFileError::NotAnObject);
        };
        for (key, value) in entries {
            match value {
                Value::String(text) => checked_text(key, text)?,
                Value::Object(texts) => {
                    if !is_language_tag(key) {
                        return Err(CopyFileError::NotALanguage(key.clone()));
                    }
                    for (inner, value) in texts {
                        let Value::String(text) = value else {
                            return Err(CopyFileError::NotText(format!("{key}.{inner}")));
                        };
                        checked_text(inner, text)?;
                    }
                }
                _ => return Err(CopyFileError::NotText(key.clone())),
            }
        }
        let copy =
            serde_json::from_value(value).map_err(|e| CopyFileError::NotJson(e.to_string()))?;
        Ok(ApprovedCopy(copy))
    }

    pub fn get(&self) -> &PlatformCopy {
        &self.0
    }
}

fn checked_text(key: &str, text: &str) -> Result<(), CopyFileError> {
    if !Key::ALL.iter().any(|known| known.name() == key) {
        return Err(CopyFileError::UnknownKey(key.to_owned()));
    }
    if text.trim().is_empty() {
        return Err(CopyFileError::Empty(key.to_owned()));
    }
    Ok(())
}

/// A BCP 47 tag's shape: letters, digits and hyphens, starting with a 2–3 letter language.
fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split(['-', '_']);
    let language = parts.next().unwrap_or_default();
    (2..=3).contains(&language.len())
        && language.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|part| {
            (1..=8).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn approved_copy_parses_texts_and_languages() {
        let copy = ApprovedCopy::parse(
            r#"{"offer.cta": "See your offer", "fr": {"offer.cta": "Voir"}, "en-GB": {"retry": "Try once more"},
                "notice.celtic_us_loan": "Approved notice"}"#,
        )
        .unwrap();
        assert_eq!(copy.get().get(&["fr"], "offer.cta"), Some("Voir"));
        assert_eq!(
            copy.get().get(&["en-gb", "en"], "retry"),
            Some("Try once more")
        );
        assert_eq!(
            copy.get().get(&[], "notice.celtic_us_loan"),
            Some("Approved notice")
        );
    }

    #[test]
    fn mistakes_are_refused_with_the_reason() {
        let refused = |text: &str| ApprovedCopy::parse(text).unwrap_err();
        assert_eq!(refused("[]"), CopyFileError::NotAnObject);
        assert!(matches!(refused("{"), CopyFileError::NotJson(_)));
        assert_eq!(
            refused(r#"{"offer.ctaa": "x"}"#),
            CopyFileError::UnknownKey("offer.ctaa".into())
        );
        assert_eq!(
            refused(r#"{"offer.cta": 3}"#),
            CopyFileError::NotText("offer.cta".into())
        );
        assert_eq!(
            refused(r#"{"fr": {"offer.cta": null}}"#),
            CopyFileError::NotText("fr.offer.cta".into())
        );
        assert_eq!(
            refused(r#"{"offer.cta": " "}"#),
            CopyFileError::Empty("offer.cta".into())
        );
        assert_eq!(
            refused(r#"{"<b>": {"offer.cta": "x"}}"#),
            CopyFileError::NotALanguage("<b>".into())
        );
        assert_eq!(
            refused(r#"{"notice.new_lender": "x"}"#),
            CopyFileError::UnknownKey("notice.new_lender".into())
        );
    }
}
