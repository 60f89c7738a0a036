//! A small JSON reader for the browser build of the element, which decodes the three answers it
//! gets ([`OfferState`](crate::OfferState), [`FinancingOffer`](crate::FinancingOffer),
//! [`AccountLink`](crate::AccountLink)) without serde.
//!
//! Why a second decoder: serde's generic code and serde_json's parser were about a third of the
//! element's wasm (BENCHMARKS.md), and the embed has a size budget. The backend and every test keep
//! using serde; `tests/fuzz_parsing.rs` checks that this reader accepts and refuses exactly
//! what serde_json does for these types, and decodes the same values.
//!
//! What it matches: strict JSON (RFC 8259) as serde_json reads it, including its refusals (control
//! characters in strings, lone surrogates, nesting deeper than 128, trailing characters, `-0` or
//! non-integers for integer fields, numbers out of range), and the types' serde rules: absent and
//! `null` alike for optional fields, unknown fields ignored, duplicate fields refused, enums kept
//! open, and a struct read from an array by position.

mod decode;
mod parse;

pub use parse::Json;

/// Why an answer could not be decoded. The message is for the console and the error event, never
/// shown in the tile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    message: &'static str,
    field: Option<&'static str>,
}

impl Error {
    pub(crate) fn new(message: &'static str) -> Self {
        Error {
            message,
            field: None,
        }
    }

    pub(crate) fn at(self, field: &'static str) -> Self {
        Error {
            field: self.field.or(Some(field)),
            ..self
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message)?;
        if let Some(field) = self.field {
            f.write_str(" at `")?;
            f.write_str(field)?;
            f.write_str("`")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// A type this reader can build from a parsed [`Json`] value.
pub trait FromJson: Sized {
    fn from_json(value: &Json) -> Result<Self, Error>;
}

/// Parses `text` and decodes it as a `T`.
pub fn from_str<T: FromJson>(text: &str) -> Result<T, Error> {
    T::from_json(&parse::parse(text)?)
}

/// Writes `text` as a JSON string literal (quotes and escapes included), for the small request
/// bodies the element sends.
pub fn string_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(char::from(HEX[(u32::from(c) >> 4) as usize]));
                out.push(char::from(HEX[(u32::from(c) & 15) as usize]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_literals_escape_what_json_requires() {
        assert_eq!(string_literal("ofr_1"), r#""ofr_1""#);
        assert_eq!(string_literal("a\"b\\c\nd\u{1}é"), r#""a\"b\\c\nd\u0001é""#);
        for text in ["", "\u{0}\u{1f}\u{7f}", "</script>", "😀\t"] {
            let literal = string_literal(text);
            assert_eq!(serde_json::from_str::<String>(&literal).unwrap(), text);
        }
    }

    #[test]
    fn errors_name_the_field() {
        let error = Error::new("expected a string").at("id").at("offer");
        assert_eq!(error.to_string(), "expected a string at `id`");
    }
}
