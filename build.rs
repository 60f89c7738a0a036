//! Minifies `style/tile.css` into `OUT_DIR` for the element to compile in (`src/element.rs`):
//! the comments that explain the stylesheet are for its readers, not for every page that loads
//! the element. Only comments and whitespace go; nothing is reordered or rewritten.

use std::path::PathBuf;

fn main() {
    let source = "style/tile.css";
    println!("cargo::rerun-if-changed={source}");
    let css = std::fs::read_to_string(source).expect("style/tile.css");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("tile.min.css");
    std::fs::write(out, minify(&css)).expect("write the minified stylesheet");
}

/// Drops comments, collapses whitespace, and removes it where CSS never needs it (around braces
/// and semicolons, after colons and commas). Quoted strings are copied untouched.
fn minify(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut chars = css.chars().peekable();
    let mut pending_space = false;
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut previous = ' ';
                for c in chars.by_ref() {
                    if previous == '*' && c == '/' {
                        break;
                    }
                    previous = c;
                }
                pending_space = true;
            }
            c if c.is_whitespace() => pending_space = true,
            '"' | '\'' => {
                flush_space(&mut out, &mut pending_space, c);
                out.push(c);
                for inner in chars.by_ref() {
                    out.push(inner);
                    if inner == c {
                        break;
                    }
                }
            }
            c => {
                if c == '}' && out.ends_with(';') {
                    out.pop();
                }
                flush_space(&mut out, &mut pending_space, c);
                out.push(c);
            }
        }
    }
    out
}

/// Writes a collapsed space before `next` unless either side makes it unnecessary.
fn flush_space(out: &mut String, pending: &mut bool, next: char) {
    if std::mem::take(pending)
        && !out.is_empty()
        && !matches!(next, '{' | '}' | ';' | ',')
        && !out.ends_with(['{', '}', ';', ':', ',', ' '])
    {
        out.push(' ');
    }
}
