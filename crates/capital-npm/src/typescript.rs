//! Small pieces of TypeScript: types of values, doc comments, names.

use capital_offer_tile::model::interface::ValueType;

/// A string literal type: `'tile'`.
pub(crate) fn literal(value: &str) -> String {
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// The TypeScript type of a value.
pub(crate) fn value_type(values: &ValueType) -> String {
    match values {
        ValueType::Text => "string".to_owned(),
        ValueType::Number => "number".to_owned(),
        ValueType::Flag => "boolean".to_owned(),
        ValueType::OneOf(keywords) => union(keywords),
        // `string & {}` accepts any text while editors still offer the known values.
        ValueType::Known(values) => format!("{} | (string & {{}})", union(values)),
    }
}

fn union(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| literal(v))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// `text` as a JSDoc comment indented by `indent` spaces.
pub(crate) fn doc(text: &str, indent: usize) -> String {
    let pad = " ".repeat(indent);
    let text = text.replace("*/", "*\\/");
    format!("{pad}/** {text} */\n")
}

/// `api-base` → `ApiBase`.
pub(crate) fn pascal_case(name: &str) -> String {
    name.split(['-', '_'])
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// A property name, quoted when it is not an identifier (`'api-base'`).
pub(crate) fn property_name(name: &str) -> String {
    if name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
    {
        name.to_owned()
    } else {
        literal(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_of_values() {
        assert_eq!(
            value_type(&ValueType::OneOf(vec!["tile", "banner"])),
            "'tile' | 'banner'"
        );
        assert_eq!(
            value_type(&ValueType::Known(vec!["a"])),
            "'a' | (string & {})"
        );
        assert_eq!(value_type(&ValueType::Number), "number");
        assert_eq!(literal("it's"), "'it\\'s'");
    }

    #[test]
    fn names_and_docs() {
        assert_eq!(pascal_case("link-target"), "LinkTarget");
        assert_eq!(pascal_case("unsafe_link"), "UnsafeLink");
        assert_eq!(property_name("api-base"), "'api-base'");
        assert_eq!(property_name("apiBase"), "apiBase");
        assert_eq!(doc("a */ b", 2), "  /** a *\\/ b */\n");
    }
}
