//! What Stripe's Capital marketing guidance keeps out of copy, as the tests check it. A term
//! ending in `*` matches every word it begins; any other term matches whole words only.

use crate::Lang;

/// Banned in every string: "repay" and its forms (pay, payment, paid instead), the claim of
/// no credit check, promised outcomes, and "we" (the offer comes through Stripe Capital; a
/// decision is Stripe Capital's).
pub fn everywhere(lang: Lang) -> &'static [&'static str] {
    match lang {
        Lang::En => &[
            "repay*",
            "repaid",
            "pay back",
            "payback",
            "no credit check",
            "guarantee*",
            "you’re eligible",
            "you are eligible",
            "we",
            "we’ve",
            "we’ll",
            "our",
            "us",
        ],
        Lang::Fr => &[
            "rembours*",
            "sans vérification de crédit",
            "garanti*",
            "êtes éligible",
            "nous",
            "notre",
            "nos",
        ],
        Lang::De => &[
            "rückzahl*",
            "zurückgezahlt",
            "zurückzuzahlen",
            "zurückzahl*",
            "tilgung*",
            "keine bonitätsprüfung",
            "ohne bonitätsprüfung",
            "garantiert*",
            "können eine finanzierung erhalten",
            "wir",
            "uns",
            "unser*",
        ],
    }
}

/// Banned outside the lenders' notices: the product is "financing", not a loan.
pub fn outside_notices(lang: Lang) -> &'static [&'static str] {
    match lang {
        Lang::En => &["loan*"],
        Lang::Fr => &["prêt*"],
        Lang::De => &["darlehen*"],
    }
}

/// Banned wherever a cash advance may be described: loan concepts (a debt, an amount owed, a
/// minimum payment, a due date, interest, a term, credit).
pub fn cash_advances(lang: Lang) -> &'static [&'static str] {
    match lang {
        Lang::En => &[
            "loan*",
            "lend*",
            "borrow*",
            "owe*",
            "owing",
            "debt*",
            "due",
            "minimum*",
            "at least",
            "interest",
            "credit*",
            "balance*",
            "term",
            "installment*",
            "instalment*",
        ],
        Lang::Fr => &[
            "prêt*",
            "emprunt*",
            "dette*",
            "dû",
            "due",
            "échéance*",
            "minimum*",
            "au moins",
            "intérêt*",
            "crédit*",
            "solde*",
            "mensualité*",
        ],
        Lang::De => &[
            "darlehen*",
            "kredit*",
            "schuld*",
            "fällig*",
            "mindest*",
            "zins*",
            "saldo",
            "laufzeit*",
            "rate",
            "raten*",
        ],
    }
}

/// The terms of `terms` that `text` contains.
/// `{placeholders}` are not words.
pub fn found(text: &str, terms: &[&'static str]) -> Vec<&'static str> {
    let mut text = text.to_lowercase().replace('\'', "’");
    while let Some((before, rest)) = text.split_once('{') {
        let after = rest.split_once('}').map_or("", |(_, after)| after);
        text = format!("{before} {after}");
    }
    let words: Vec<&str> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '’' || c == '-'))
        .filter(|w| !w.is_empty())
        .collect();
    let joined = format!(" {} ", words.join(" "));
    terms
        .iter()
        .copied()
        .filter(|term| match term.strip_suffix('*') {
            Some(stem) => joined.contains(&format!(" {stem}")),
            None => joined.contains(&format!(" {term} ")),
        })
        .collect()
}
