//! The tile's words: built-in copy in English, French and German, and the platform's approved
//! replacements ([`PlatformCopy`]) laid over it, key by key.
//!
//! The built-in copy follows Stripe's Capital marketing guidance (docs.stripe.com/capital/marketing
//! and, for cash advances, /capital/mca-marketing-guidelines): "pay", "payment" and "paid", never
//! "repay"; "financing" rather than "loan"; prequalified, and approved only "if approved"; the
//! offer comes through Stripe Capital; a cash advance shows no loan concepts (no minimum payment,
//! no due date, no amount owed). `tests` below holds every string to that, language by language.
//! Platforms still submit what their users see to Stripe for approval, and replace any key with
//! the approved text (README, "Before you go live").
//!
//! Templates hold `{name}` placeholders filled by [`fill`]; the result is always inserted into the
//! page as text, never as markup.
//!
//! Laid out as the key table (`keys.rs`), the wording rules (`wording.rs`) and the words Stripe's
//! guidance bans (`banned.rs`, native only: the tests and the platform's copy checks use it).

pub mod email;
mod keys;
mod wording;

#[cfg(not(target_arch = "wasm32"))]
pub mod banned;

pub use keys::{Audience, Key, Lang, Terms};
pub use wording::{Wording, fill};

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::keys::{DE, EN, FR, NAMES};
    use capital_types::{CampaignType, DisclaimerVariant, FinancingType, PlatformCopy};
    use std::collections::BTreeSet;
    use std::sync::Arc;

    #[test]
    fn languages_from_bcp47_tags() {
        assert_eq!(Lang::from_locale("fr-CA"), Lang::Fr);
        assert_eq!(Lang::from_locale("de"), Lang::De);
        assert_eq!(Lang::from_locale("DE_at"), Lang::De);
        assert_eq!(Lang::from_locale("en-GB"), Lang::En);
        assert_eq!(Lang::from_locale("ja-JP"), Lang::En);
        assert_eq!(Lang::from_locale(""), Lang::En);
    }

    #[test]
    fn fill_replaces_known_placeholders_only_once() {
        assert_eq!(
            fill("Up to {amount}", &[("amount", "$1,000")]),
            "Up to $1,000"
        );
        assert_eq!(
            fill("{a} and {b}", &[("a", "{b}"), ("b", "x")]),
            "{b} and x"
        );
        assert_eq!(fill("{unknown} {", &[]), "{unknown} {");
        assert_eq!(fill("no placeholders", &[("a", "b")]), "no placeholders");
    }

    /// The guidance, table-driven over the whole built-in copy: every string of every language is
    /// checked against the words banned for each financing type it may be shown for.
    #[test]
    fn no_built_in_string_uses_a_word_the_guidance_bans_where_it_is_banned() {
        let mut failures = Vec::new();
        for lang in Lang::ALL {
            for &key in Key::ALL {
                let text = lang.text(key);
                let mut check = |terms: &[&'static str], rule: &str| {
                    for term in banned::found(text, terms) {
                        failures.push(format!(
                            "{lang:?} {} ({rule}): {term:?} in {text:?}",
                            key.name()
                        ));
                    }
                };
                check(banned::everywhere(lang), "every type");
                if !key.is_notice() {
                    check(banned::outside_notices(lang), "outside notices");
                }
                if key.audience() != Audience::Loans {
                    check(banned::cash_advances(lang), "cash advances");
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn the_banned_word_matcher_matches_words_not_fragments() {
        let terms = &["repay*", "due", "at least", "us"];
        assert_eq!(banned::found("Repayments every 30 days", terms), ["repay*"]);
        assert_eq!(banned::found("Due today", terms), ["due"]);
        assert!(banned::found("Overdue? Residue. Business", terms).is_empty());
        assert_eq!(banned::found("pay at least $5", terms), ["at least"]);
        assert_eq!(banned::found("Contact us.", terms), ["us"]);
    }

    #[test]
    fn the_guidance_words_are_there() {
        for lang in Lang::ALL {
            let notices: BTreeSet<_> = Key::ALL
                .iter()
                .filter(|k| k.is_notice())
                .map(|k| lang.text(*k))
                .collect();
            assert_eq!(
                notices.len(),
                6,
                "{lang:?}: one notice per variant, none shared"
            );
        }
        let en = |key| Lang::En.text(key);
        assert!(en(Key::OfferHeadingNewlyEligible).contains("prequalified"));
        assert!(en(Key::OfferLedeNewlyEligible).contains("If approved"));
        assert!(en(Key::OfferLedeNewlyEligible).contains("Stripe Capital"));
        assert!(en(Key::RejectedBody).contains("Stripe Capital"));
        assert_eq!(en(Key::RateLabel), "Payment rate");
        assert_eq!(en(Key::TypeFlexLoan), "Business financing");
    }

    #[test]
    fn every_language_has_the_same_placeholders_and_none_is_empty() {
        let placeholders = |text: &str| -> BTreeSet<String> {
            text.split('{')
                .skip(1)
                .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned()))
                .collect()
        };
        for &key in Key::ALL {
            let english = placeholders(Lang::En.text(key));
            for lang in Lang::ALL {
                let text = lang.text(key);
                assert!(!text.trim().is_empty(), "{lang:?} {}", key.name());
                assert_eq!(placeholders(text), english, "{lang:?} {}", key.name());
            }
        }
    }

    /// docs/contract.md lists every key with its English text, generated from this table.
    #[test]
    fn the_contract_lists_every_key() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/contract.md");
        let contract = std::fs::read_to_string(path).unwrap();
        let (start, end) = (
            "(UPDATE_DOCS=1 cargo test -p capital-copy) -->\n",
            "<!-- end of copy keys -->",
        );
        let from = contract.find(start).expect("the copy keys marker") + start.len();
        let to = contract.find(end).expect("the end marker");
        let mut table = String::new();
        for &key in Key::ALL {
            let audience = match key.audience() {
                Audience::All => "all",
                Audience::Loans => "loans",
                Audience::CashAdvances => "cash advances",
            };
            let text = Lang::En.text(key).replace('|', "\\|");
            table.push_str(&format!("| `{}` | {audience} | {text} |\n", key.name()));
        }
        if std::env::var_os("UPDATE_DOCS").is_some() {
            let updated = format!("{}{table}{}", &contract[..from], &contract[to..]);
            std::fs::write(path, updated).unwrap();
            return;
        }
        assert_eq!(
            &contract[from..to],
            table,
            "docs/contract.md's copy keys are stale: UPDATE_DOCS=1 cargo test -p capital-copy"
        );
    }

    #[test]
    fn key_names_are_unique_and_dotted_lower_case() {
        let names: BTreeSet<_> = Key::ALL.iter().map(|k| k.name()).collect();
        assert_eq!(names.len(), Key::ALL.len());
        for table in [NAMES, EN, FR, DE] {
            assert_eq!(
                table.split('\u{1f}').count(),
                Key::ALL.len() + 1,
                "one text per key"
            );
        }
        for name in names {
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_'),
                "{name}"
            );
        }
    }

    #[test]
    fn copy_varies_with_campaign_product_and_financing_type() {
        let keys = [
            Key::offer_heading(Some(&CampaignType::NewlyEligibleUser), false),
            Key::offer_heading(Some(&CampaignType::PreviouslyEligibleUser), false),
            Key::offer_heading(Some(&CampaignType::RepeatUser), false),
            Key::offer_heading(Some(&CampaignType::RepeatUser), true),
            Key::offer_heading(Some(&CampaignType::Other("x".into())), false),
        ];
        let unique: BTreeSet<_> = keys.iter().map(|k| k.name()).collect();
        assert_eq!(unique.len(), keys.len());
        assert_eq!(Key::offer_heading(None, false), Key::OfferHeading);
        assert_eq!(
            Key::offer_lede(None, true, Terms::CashAdvance),
            Key::OfferLedeRefillCashAdvance
        );
        assert_eq!(
            Key::offer_lede(None, true, Terms::Loan),
            Key::OfferLedeRefill
        );
        assert_eq!(Terms::of(Some(&FinancingType::FixedTermLoan)), Terms::Loan);
        assert_eq!(
            Terms::of(Some(&FinancingType::Other("new".into()))),
            Terms::CashAdvance
        );
        assert_eq!(Terms::of(None), Terms::CashAdvance);
    }

    #[test]
    fn unknown_enum_values_get_no_words() {
        assert_eq!(
            Key::financing_type(Some(&FinancingType::Other("new".into()))),
            None
        );
        assert_eq!(
            Key::notice(&DisclaimerVariant::Other("new_lender".into())),
            None
        );
        assert_eq!(
            Key::notice(&DisclaimerVariant::YoulendUkMca),
            Some(Key::NoticeYoulendUkMca)
        );
    }

    fn platform(json: &str) -> Option<Arc<PlatformCopy>> {
        Some(Arc::new(serde_json::from_str(json).unwrap()))
    }

    #[test]
    fn platform_copy_replaces_key_by_key_and_the_property_wins() {
        let strings = platform(r#"{"offer.cta": "Property CTA", "de": {"retry": "Nochmal"}}"#);
        let copy = platform(
            r#"{"offer.cta": "Backend CTA", "offer.fee_label": "Fee", "unknown.key": "x",
                "fr-ca": {"offer.fee_label": "Frais (CA)"}, "notice.celtic_us_loan": " "}"#,
        );
        let en = Wording::new("en-US", [strings.clone(), copy.clone()]);
        assert_eq!(en.get(Key::OfferCta), "Property CTA");
        assert_eq!(en.get(Key::OfferFeeLabel), "Fee");
        assert_eq!(en.get(Key::Retry), "Try again");
        assert_eq!(
            en.get(Key::NoticeCelticUsLoan),
            Lang::En.text(Key::NoticeCelticUsLoan),
            "blank text never blanks a notice"
        );
        let fr_ca = Wording::new("fr-CA", [strings.clone(), copy.clone()]);
        assert_eq!(fr_ca.get(Key::OfferFeeLabel), "Frais (CA)");
        assert_eq!(fr_ca.get(Key::OfferAmountLabel), "Jusqu’à");
        let de = Wording::new("de-DE", [strings, copy]);
        assert_eq!(de.get(Key::Retry), "Nochmal");
        assert_eq!(de.get(Key::OfferFeeLabel), "Fee");
        let es = Wording::new(
            "es",
            [platform(r#"{"es": {"offer.cta": "Ver oferta"}}"#), None],
        );
        assert_eq!(
            es.get(Key::OfferCta),
            "Ver oferta",
            "any language the platform writes"
        );
        assert_eq!(es.get(Key::Retry), "Try again");
    }
}
