//! Text to a [`Json`] tree. Numbers stay as their text, so that integers keep every digit and a
//! field decides how to read them.

use super::Error;

/// serde_json's default recursion limit: deeper answers are refused rather than risking the stack.
const MAX_DEPTH: usize = 128;

/// A parsed JSON value. Objects keep their entries in order, duplicates included, so that decoding
/// can refuse duplicate fields as serde does.
#[derive(Debug, Clone, PartialEq)]
pub enum Json<'a> {
    Null,
    Bool(bool),
    /// The number exactly as written (already checked against JSON's number grammar).
    Number(&'a str),
    String(Text),
    Array(Vec<Json<'a>>),
    Object(Vec<(Text, Json<'a>)>),
}

/// A string's value, or the error of a lone surrogate escape (`"\ud800"`). Like serde_json, the
/// reader refuses such a string only where it is read: inside a value that is skipped, it is
/// just well-formed text.
pub(super) type Text = Result<String, Error>;

pub(crate) fn parse(text: &str) -> Result<Json<'_>, Error> {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        at: 0,
    };
    let value = parser.value(0)?;
    parser.skip_whitespace();
    if parser.at != parser.bytes.len() {
        return Err(Error::new("trailing characters after the JSON value"));
    }
    Ok(value)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

fn invalid() -> Error {
    Error::new("invalid JSON")
}

impl<'a> Parser<'a> {
    /// The text between two byte offsets the parser has checked are character boundaries
    /// (`get`, not indexing: a slice that can panic links the panic message's formatting).
    fn slice(&self, start: usize, end: usize) -> &'a str {
        self.text.get(start..end).unwrap_or_default()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn next(&mut self) -> Result<u8, Error> {
        let byte = self.peek().ok_or_else(invalid)?;
        self.at += 1;
        Ok(byte)
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// Consumes `word` (after its first byte, already read) or fails.
    fn rest_of(&mut self, word: &[u8]) -> Result<(), Error> {
        for expected in &word[1..] {
            if self.next()? != *expected {
                return Err(invalid());
            }
        }
        Ok(())
    }

    fn value(&mut self, depth: usize) -> Result<Json<'a>, Error> {
        self.skip_whitespace();
        match self.next()? {
            b'n' => self.rest_of(b"null").map(|()| Json::Null),
            b't' => self.rest_of(b"true").map(|()| Json::Bool(true)),
            b'f' => self.rest_of(b"false").map(|()| Json::Bool(false)),
            b'"' => self.string().map(Json::String),
            b'-' | b'0'..=b'9' => {
                self.at -= 1;
                self.number().map(Json::Number)
            }
            open @ (b'[' | b'{') => {
                if depth == MAX_DEPTH {
                    return Err(Error::new("JSON nested too deeply"));
                }
                if open == b'[' {
                    self.array(depth + 1)
                } else {
                    self.object(depth + 1)
                }
            }
            _ => Err(invalid()),
        }
    }

    /// After `[`: values separated by commas, then `]`.
    fn array(&mut self, depth: usize) -> Result<Json<'a>, Error> {
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(Json::Array(items));
        }
        loop {
            items.push(self.value(depth)?);
            self.skip_whitespace();
            match self.next()? {
                b',' => {}
                b']' => return Ok(Json::Array(items)),
                _ => return Err(invalid()),
            }
        }
    }

    /// After `{`: `"key": value` pairs separated by commas, then `}`.
    fn object(&mut self, depth: usize) -> Result<Json<'a>, Error> {
        let mut entries = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(Json::Object(entries));
        }
        loop {
            self.skip_whitespace();
            if self.next()? != b'"' {
                return Err(invalid());
            }
            let key = self.string()?;
            self.skip_whitespace();
            if self.next()? != b':' {
                return Err(invalid());
            }
            entries.push((key, self.value(depth)?));
            self.skip_whitespace();
            match self.next()? {
                b',' => {}
                b'}' => return Ok(Json::Object(entries)),
                _ => return Err(invalid()),
            }
        }
    }

    /// After the opening quote: the string's characters up to the closing quote.
    fn string(&mut self) -> Result<Text, Error> {
        let mut out = String::new();
        let mut lone_surrogate = false;
        let mut run_start = self.at;
        loop {
            match self.next()? {
                b'"' => {
                    if lone_surrogate {
                        return Ok(Err(Error::new("lone surrogate in a JSON string")));
                    }
                    out.push_str(self.slice(run_start, self.at - 1));
                    return Ok(Ok(out));
                }
                b'\\' => {
                    out.push_str(self.slice(run_start, self.at - 1));
                    let escaped = match self.next()? {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?.unwrap_or_else(|| {
                            lone_surrogate = true;
                            char::REPLACEMENT_CHARACTER
                        }),
                        _ => return Err(invalid()),
                    };
                    out.push(escaped);
                    run_start = self.at;
                }
                0..=0x1f => return Err(Error::new("control character in a JSON string")),
                // Multi-byte UTF-8 is copied with its run: the input is a `&str`, so it is valid.
                _ => {}
            }
        }
    }

    /// After `\u`: four hex digits, and for a high surrogate its low half as a second escape.
    /// `None` for a lone surrogate.
    fn unicode_escape(&mut self) -> Result<Option<char>, Error> {
        let first = self.hex4()?;
        if (0xd800..0xdc00).contains(&first) && self.bytes[self.at..].starts_with(b"\\u") {
            self.at += 2;
            let second = self.hex4()?;
            if !(0xdc00..0xe000).contains(&second) {
                return Ok(None);
            }
            return Ok(char::from_u32(
                0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00),
            ));
        }
        Ok(char::from_u32(first))
    }

    fn hex4(&mut self) -> Result<u32, Error> {
        let mut code = 0;
        for _ in 0..4 {
            let digit = char::from(self.next()?).to_digit(16).ok_or_else(invalid)?;
            code = code * 16 + digit;
        }
        Ok(code)
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, returned as written.
    fn number(&mut self) -> Result<&'a str, Error> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.next()? {
            b'0' => {}
            b'1'..=b'9' => self.digits(),
            _ => return Err(invalid()),
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            self.some_digits()?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            self.some_digits()?;
        }
        Ok(self.slice(start, self.at))
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
    }

    fn some_digits(&mut self) -> Result<(), Error> {
        let start = self.at;
        self.digits();
        if self.at == start {
            return Err(invalid());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Json<'_> {
        parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn values() {
        assert_eq!(ok(" null "), Json::Null);
        assert_eq!(ok("true"), Json::Bool(true));
        assert_eq!(ok("-12.5e+3"), Json::Number("-12.5e+3"));
        assert_eq!(
            ok("9223372036854775807"),
            Json::Number("9223372036854775807")
        );
        assert_eq!(
            ok(r#"{"a": [1, "x"], "a": {}}"#),
            Json::Object(vec![
                (
                    Ok("a".into()),
                    Json::Array(vec![Json::Number("1"), Json::String(Ok("x".into()))])
                ),
                (Ok("a".into()), Json::Object(vec![])),
            ])
        );
    }

    #[test]
    fn strings_unescape() {
        assert_eq!(
            ok(r#""a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00é""#),
            Json::String(Ok("a\"\\/\u{8}\u{c}\n\r\té😀é".into()))
        );
    }

    #[test]
    fn lone_surrogates_fail_only_when_read() {
        for text in [
            r#""\ud800""#,
            r#""\udc00x""#,
            r#""\ud800\u0041""#,
            r#""\ud800\ud800""#,
        ] {
            assert!(matches!(ok(text), Json::String(Err(_))), "{text}");
        }
    }

    #[test]
    fn refusals() {
        for bad in [
            "",
            "nul",
            "nulls",
            "tru",
            "01",
            "-",
            "1.",
            ".5",
            "1e",
            "+1",
            "[1,]",
            "{,}",
            "[1 2]",
            r#"{"a" 1}"#,
            r#"{"a":1,}"#,
            r#"{1:2}"#,
            r#""abc"#,
            "\"a\u{1}\"",
            r#""\x""#,
            r#""\ud800\u12""#,
            r#""\u12""#,
            "[",
            "{",
            "1 2",
            "NaN",
            "Infinity",
            "'a'",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn nesting_is_bounded() {
        let fine = format!("{}{}", "[".repeat(128), "]".repeat(128));
        assert!(parse(&fine).is_ok());
        let deep = format!("{}{}", "[".repeat(129), "]".repeat(129));
        assert_eq!(
            parse(&deep).unwrap_err().to_string(),
            "JSON nested too deeply"
        );
        let hostile = "[".repeat(100_000);
        assert!(parse(&hostile).is_err());
    }

    #[test]
    fn agrees_with_serde_json_on_syntax() {
        for text in [
            "[]",
            "{}",
            r#"{"a":{"b":[null,true,false,0,-0,1e5,1E-5,2.5]}}"#,
            "\"\\u0000\"",
            " \t\n\r1",
            "[1,2",
            "{\"a\":1}}",
            "\"\u{7f}\"",
        ] {
            assert_eq!(
                parse(text).is_ok(),
                serde_json::from_str::<serde_json::Value>(text).is_ok(),
                "{text:?}"
            );
        }
    }
}
