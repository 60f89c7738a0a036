//! Stage → card: every state the tile shows, as one shape of already formatted text. The markup
//! (`views/card.rs`) renders that shape alone, so the element carries one render tree instead of
//! one per state (a third of the wasm went to near-identical trees). Pure and tested natively;
//! the browser's `Intl` comes in through [`Formats`] (`format.rs`).

use capital_types::{AccountLinkType, Branding, CampaignType, DisclaimerVariant, FinancingType};

use super::copy::{Key, Lang, Terms, Wording, fill};
use super::format::{Formats, Money, Rate};
use super::stage::{CurrentInterval, IntervalTerms, OpenOffer, Stage};

/// The ghost offer's expiry: 2026-12-31T12:00:00Z.
pub const GHOST_EXPIRY_MS: f64 = 1_798_718_400_000.0;

/// The card the skeleton stands for while loading: the offer a newly eligible account most often
/// sees, in `lang`, with the lender's notice of `lang`'s market, its figures written by `format`
/// (the element's `Intl`; natively, for `src/js/skeleton-copy.json`, the same strings from
/// `server_intl` in the language's main region). Rendered invisible, it has the offer's size at
/// every width, because it wraps the same copy the same way (`views/skeleton.rs`; the JS shim
/// paints the same before the wasm arrives, from that file).
pub fn ghost(lang: Lang, format: &dyn Formats) -> Option<Card> {
    let (currency, disclaimer) = match lang {
        Lang::En => ("usd", DisclaimerVariant::CelticUsLoan),
        Lang::Fr => ("eur", DisclaimerVariant::YoulendFrFinancing),
        Lang::De => ("eur", DisclaimerVariant::YoulendDeFinancing),
    };
    let money = |amount| Money::new(Some(amount), Some(&currency.into()));
    let stage = Stage::Offer(OpenOffer {
        offer_id: String::new(),
        undelivered: false,
        refill: false,
        campaign: Some(CampaignType::NewlyEligibleUser),
        financing_type: Some(FinancingType::FlexLoan),
        amount: money(1_500_000),
        fee: money(150_000),
        withhold_rate: Rate::new(Some(0.12)),
        discount_rate: None,
        // Noon UTC on Dec 31, 2026: that day in every time zone a dashboard is likely read in.
        expires_at_ms: Some(GHOST_EXPIRY_MS),
        interval: None,
        target_payback_days: None,
        disclaimer: Some(disclaimer),
    });
    Card::new(&stage, None, &Wording::builtin(lang), format)
}

/// Everything one state shows, top to bottom. Every text is the wording in effect: the
/// platform's approved copy where it has some, else the built-in copy.
#[derive(Debug, Clone, PartialEq)]
pub struct Card {
    pub brand: Brand,
    /// The status dot's classes before the heading (`status-dot pending`).
    pub dot: Option<&'static str>,
    pub heading: String,
    pub lede: Option<String>,
    pub progress: Option<Bar>,
    pub amount: Option<Amount>,
    pub terms: Vec<Term>,
    pub cta_label: String,
    pub link_type: AccountLinkType,
    /// The lender's legal notice.
    pub legal: Option<String>,
}

/// The platform's name and icon (from the backend's branding) and the financing type.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Brand {
    pub name: Option<String>,
    /// As the backend sent it; the runtime checks it against the page before use.
    pub icon: Option<String>,
    pub chip: Option<String>,
}

impl Brand {
    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.icon.is_none() && self.chip.is_none()
    }
}

/// The headline figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Amount {
    pub label: Option<String>,
    pub value: String,
}

/// The payment progress bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// The bar's accessible name.
    pub label: String,
    /// `aria-valuenow`: whole percent.
    pub now: Option<String>,
    /// "27% paid", also the bar's `aria-valuetext`.
    pub caption: Option<String>,
}

/// One row of the terms list.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    pub label: Option<String>,
    pub part: Option<&'static str>,
    pub value: String,
    /// `term`, `term discount` or `term wide`.
    pub class: &'static str,
    /// A secondary line (`dd.note`).
    pub note: bool,
    /// The value is a date: its `<time datetime>`.
    pub datetime: Option<String>,
}

impl Term {
    fn figure(label: &str, part: Option<&'static str>, value: String) -> Term {
        Term {
            label: Some(label.to_owned()),
            part,
            value,
            class: "term",
            note: false,
            datetime: None,
        }
    }

    fn note(value: String) -> Term {
        Term {
            label: None,
            part: None,
            value,
            class: "term wide",
            note: true,
            datetime: None,
        }
    }
}

/// The heading a stage shows, also announced through the live region.
pub fn heading(stage: &Stage) -> Option<Key> {
    Some(match stage {
        Stage::Offer(offer) => Key::offer_heading(offer.campaign.as_ref(), offer.refill),
        Stage::Review(_) => Key::ReviewHeading,
        Stage::InProgress(_) => Key::ProgressHeading,
        Stage::Repaid(_) => Key::PaidHeading,
        Stage::Rejected(_) => Key::RejectedHeading,
        Stage::Hidden => return None,
    })
}

impl Card {
    /// The card for `stage`; `None` when the tile shows nothing.
    pub fn new(
        stage: &Stage,
        branding: Option<&Branding>,
        words: &Wording,
        format: &dyn Formats,
    ) -> Option<Card> {
        let text = |key| words.get(key).to_owned();
        let heading = text(heading(stage)?);
        let link_type = stage.link_type()?;
        let mut card = Card {
            brand: brand(branding),
            dot: None,
            heading,
            lede: None,
            progress: None,
            amount: None,
            terms: Vec::new(),
            cta_label: String::new(),
            link_type,
            legal: stage.disclaimer().and_then(Key::notice).map(text),
        };
        match stage {
            Stage::Offer(offer) => {
                let terms = Terms::of(offer.financing_type.as_ref());
                card.brand.chip = Key::financing_type(offer.financing_type.as_ref()).map(text);
                card.lede = Some(text(Key::offer_lede(
                    offer.campaign.as_ref(),
                    offer.refill,
                    terms,
                )));
                card.amount = Some(Amount {
                    label: Some(text(Key::OfferAmountLabel)),
                    value: format.money(offer.amount.as_ref()),
                });
                card.terms.push(Term::figure(
                    words.get(Key::OfferFeeLabel),
                    Some("fee"),
                    format.money(offer.fee.as_ref()),
                ));
                card.terms
                    .push(withhold(words, format, offer.withhold_rate.as_ref()));
                if let Some(rate) = &offer.discount_rate {
                    let value = fill(
                        words.get(Key::OfferDiscountValue),
                        &[("rate", &format.rate(Some(rate)))],
                    );
                    card.terms.push(Term {
                        class: "term discount",
                        ..Term::figure(words.get(Key::OfferDiscountLabel), Some("discount"), value)
                    });
                }
                // A cash advance has no periods, minimums or maximums: they are loan terms.
                if let (Some(interval_terms), Terms::Loan) = (&offer.interval, terms) {
                    card.terms
                        .push(Term::note(interval(words, format, interval_terms)));
                }
                if let Some(days) = offer.target_payback_days {
                    let estimate = match terms {
                        Terms::Loan => Key::OfferPaybackEstimate,
                        Terms::CashAdvance => Key::OfferPaybackEstimateCashAdvance,
                    };
                    let days = format.integer(days);
                    card.terms
                        .push(Term::note(fill(words.get(estimate), &[("days", &days)])));
                }
                card.terms.push(Term {
                    datetime: offer.expires_at_ms.map(|ms| format.machine_date(ms)),
                    ..Term::figure(
                        words.get(Key::OfferExpiryLabel),
                        Some("expiry"),
                        format.date(offer.expires_at_ms),
                    )
                });
                card.cta_label = text(Key::OfferCta);
            }
            Stage::Review(review) => {
                let amount = format.money(review.amount.as_ref());
                card.dot = Some("status-dot pending");
                card.lede = Some(fill(words.get(Key::ReviewBody), &[("amount", &amount)]));
                card.amount = Some(Amount {
                    label: None,
                    value: amount,
                });
                card.cta_label = text(Key::ReviewCta);
            }
            Stage::InProgress(progress) => {
                let terms = Terms::of(progress.financing_type.as_ref());
                let caption = progress.progress.map(|p| {
                    fill(
                        words.get(Key::ProgressValue),
                        &[("percent", &format.progress(p))],
                    )
                });
                card.progress = Some(Bar {
                    label: text(Key::ProgressBarLabel),
                    now: progress.progress.map(|p| p.whole_percent().to_string()),
                    caption,
                });
                card.terms.push(Term::figure(
                    words.get(Key::ProgressPaidLabel),
                    None,
                    format.money(progress.paid.as_ref()),
                ));
                let remaining = match terms {
                    Terms::Loan => Key::ProgressRemainingLabel,
                    Terms::CashAdvance => Key::ProgressRemainingLabelCashAdvance,
                };
                card.terms.push(Term::figure(
                    words.get(remaining),
                    Some("amount"),
                    format.money(progress.remaining.as_ref()),
                ));
                card.terms
                    .push(withhold(words, format, progress.withhold_rate.as_ref()));
                // Periods, due dates and minimums are loan concepts: a cash advance shows none.
                if terms == Terms::Loan {
                    if let Some(current) = &progress.current_interval {
                        card.terms.push(current_period(words, format, current));
                    }
                    if let Some(interval_terms) = &progress.interval {
                        card.terms
                            .push(Term::note(interval(words, format, interval_terms)));
                    }
                }
                card.cta_label = text(Key::ProgressCta);
            }
            Stage::Repaid(closed) => {
                let amount = format.money(closed.amount.as_ref());
                let body = match Terms::of(closed.financing_type.as_ref()) {
                    Terms::Loan => Key::PaidBody,
                    Terms::CashAdvance => Key::PaidBodyCashAdvance,
                };
                card.dot = Some("status-dot done");
                card.lede = Some(fill(words.get(body), &[("amount", &amount)]));
                card.cta_label = text(Key::PaidCta);
            }
            Stage::Rejected(_) => {
                card.dot = Some("status-dot stopped");
                card.lede = Some(text(Key::RejectedBody));
                card.cta_label = text(Key::RejectedCta);
            }
            Stage::Hidden => return None,
        }
        Some(card)
    }
}

fn brand(branding: Option<&Branding>) -> Brand {
    let Some(branding) = branding else {
        return Brand::default();
    };
    Brand {
        name: branding
            .business_name
            .clone()
            .filter(|name| !name.trim().is_empty()),
        icon: branding.icon.clone(),
        chip: None,
    }
}

/// "12% of daily sales", or a dash when the rate is missing or invalid.
fn withhold(words: &Wording, format: &dyn Formats, rate: Option<&Rate>) -> Term {
    let value = match rate {
        Some(rate) => fill(
            words.get(Key::RateValue),
            &[("rate", &format.rate(Some(rate)))],
        ),
        None => "—".to_owned(),
    };
    Term::figure(words.get(Key::RateLabel), Some("withhold-rate"), value)
}

/// "$200 paid, $300 to go · due Dec 13, 2026" (loans only).
fn current_period(words: &Wording, format: &dyn Formats, current: &CurrentInterval) -> Term {
    let status = fill(
        words.get(Key::ProgressPeriodStatus),
        &[
            ("paid", &format.money(current.paid.as_ref())),
            ("remaining", &format.money(current.remaining.as_ref())),
        ],
    );
    let line = match current.due_at_ms {
        Some(ms) => {
            // A date is one unit: never "Dec" on one line and "13, 2026" on the next.
            let date = format.date(Some(ms)).replace(' ', "\u{a0}");
            let due = fill(words.get(Key::ProgressPeriodDue), &[("date", &date)]);
            format!("{status} · {due}")
        }
        None => status,
    };
    Term {
        class: "term wide",
        ..Term::figure(words.get(Key::ProgressPeriodHeading), None, line)
    }
}

/// "Payments every 60 days, at least $500 per period, at most $2,000 per period" (loans only).
fn interval(words: &Wording, format: &dyn Formats, terms: &IntervalTerms) -> String {
    let mut pieces = Vec::new();
    if let Some(days) = terms.duration_days {
        pieces.push(fill(
            words.get(Key::OfferIntervalEvery),
            &[("days", &format.integer(days))],
        ));
    }
    if let Some(minimum) = &terms.minimum {
        let amount = format.money(Some(minimum));
        pieces.push(fill(
            words.get(Key::OfferIntervalMinimum),
            &[("amount", &amount)],
        ));
    }
    if let Some(maximum) = &terms.maximum {
        let amount = format.money(Some(maximum));
        pieces.push(fill(
            words.get(Key::OfferIntervalMaximum),
            &[("amount", &amount)],
        ));
    }
    pieces.join(", ")
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::model::format::Progress;
    use capital_types::OfferState;
    use serde_json::json;

    /// Locale-free renderings, with dates the assertions can tell apart.
    struct Plain;

    impl Formats for Plain {
        fn money(&self, money: Option<&Money>) -> String {
            money.map_or_else(|| "—".to_owned(), Money::plain)
        }
        fn rate(&self, rate: Option<&Rate>) -> String {
            rate.map_or_else(|| "—".to_owned(), Rate::plain)
        }
        fn progress(&self, progress: Progress) -> String {
            format!("{}%", progress.whole_percent())
        }
        fn integer(&self, value: i64) -> String {
            value.to_string()
        }
        fn date(&self, epoch_millis: Option<f64>) -> String {
            epoch_millis.map_or_else(|| "—".to_owned(), |ms| format!("day {}", ms / 86_400_000.0))
        }
        fn machine_date(&self, epoch_millis: f64) -> String {
            format!("ms {epoch_millis}")
        }
    }

    /// `Intl`'s rules for the main region of `lang`'s copy, which the shim's skeleton is written in.
    fn main_region(lang: Lang) -> crate::model::server_intl::ServerIntl {
        let tag = match lang {
            Lang::En => "en-US",
            Lang::Fr => "fr-FR",
            Lang::De => "de-DE",
        };
        crate::model::server_intl::ServerIntl::for_locale(tag).expect("in the table")
    }

    /// The skeleton's copy as the JS shim reads it (`src/js/skeleton-copy.json`).
    fn skeleton_copy() -> String {
        let mut languages = serde_json::Map::new();
        for (name, lang) in [("en", Lang::En), ("fr", Lang::Fr), ("de", Lang::De)] {
            let card = ghost(lang, &main_region(lang)).expect("an open offer has a card");
            let amount = card.amount.expect("an open offer has an amount");
            let terms: Vec<_> = card
                .terms
                .iter()
                .map(|t| json!([t.label, t.value]))
                .collect();
            languages.insert(
                name.to_owned(),
                json!({
                    "chip": card.brand.chip, "heading": card.heading, "lede": card.lede,
                    "amountLabel": amount.label, "amount": amount.value, "terms": terms,
                    "cta": card.cta_label, "legal": card.legal,
                }),
            );
        }
        serde_json::to_string_pretty(&languages).unwrap() + "\n"
    }

    #[test]
    fn the_shims_skeleton_copy_is_the_models() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/js/skeleton-copy.json");
        let generated = skeleton_copy();
        if std::env::var_os("UPDATE_SKELETON_COPY").is_some() {
            std::fs::write(path, &generated).unwrap();
        }
        assert_eq!(
            std::fs::read_to_string(path).unwrap_or_default(),
            generated,
            "src/js/skeleton-copy.json is stale: run `UPDATE_SKELETON_COPY=1 cargo test --lib skeleton_copy`"
        );
    }

    #[test]
    fn every_language_has_a_ghost_offer_with_a_notice() {
        for lang in [Lang::En, Lang::Fr, Lang::De] {
            let card = ghost(lang, &main_region(lang)).unwrap();
            assert_eq!(card.terms.len(), 3, "{lang:?}");
            assert!(card.legal.is_some() && card.lede.is_some(), "{lang:?}");
        }
    }

    fn card(state: serde_json::Value) -> Option<Card> {
        let state: OfferState = serde_json::from_value(state).unwrap();
        Card::new(
            &Stage::from_state(&state),
            state.branding.as_ref(),
            &Wording::builtin(Lang::En),
            &Plain,
        )
    }

    fn offer(status: &str) -> serde_json::Value {
        json!({
            "id": "ofr_1", "status": status, "financing_type": "flex_loan", "expires_after": 86400,
            "disclaimer_variant": "celtic_us_loan",
            "offered_terms": {"advance_amount": 1000000, "fee_amount": 100000, "currency": "usd",
                              "withhold_rate": 0.125, "campaign_type": "newly_eligible_user",
                              "target_payback_days": 120},
            "accepted_terms": {"advance_amount": 500000, "currency": "usd"},
        })
    }

    fn parts(card: &Card) -> Vec<(Option<&str>, &str)> {
        card.terms
            .iter()
            .map(|t| (t.part, t.value.as_str()))
            .collect()
    }

    #[test]
    fn an_offer_shows_its_terms() {
        let text = |key| Lang::En.text(key).to_owned();
        let card = card(
            json!({"offer": offer("delivered"), "branding": {"business_name": "Rocket Rides"}}),
        )
        .unwrap();
        assert_eq!(card.heading, text(Key::OfferHeadingNewlyEligible));
        assert_eq!(card.lede, Some(text(Key::OfferLedeNewlyEligible)));
        assert_eq!(card.brand.name.as_deref(), Some("Rocket Rides"));
        assert_eq!(card.brand.chip, Some(text(Key::TypeFlexLoan)));
        assert_eq!(card.amount.as_ref().unwrap().value, "10,000 USD");
        assert_eq!(
            card.amount.as_ref().unwrap().label,
            Some(text(Key::OfferAmountLabel))
        );
        assert_eq!(
            parts(&card),
            [
                (Some("fee"), "1,000 USD"),
                (Some("withhold-rate"), "12.5% of daily sales"),
                (None, "Expected to be paid in about 120 days"),
                (Some("expiry"), "day 1"),
            ]
        );
        assert_eq!(card.terms[3].datetime.as_deref(), Some("ms 86400000"));
        assert_eq!(card.link_type, AccountLinkType::CapitalFinancingOffer);
        assert_eq!(card.cta_label, text(Key::OfferCta));
        assert_eq!(card.legal, Some(text(Key::NoticeCelticUsLoan)));
        assert_eq!(card.dot, None);
    }

    #[test]
    fn a_refill_shows_its_discount() {
        let mut refill = offer("undelivered");
        refill["product_type"] = json!("refill");
        refill["offered_terms"]["previous_financing_fee_discount_rate"] = json!(0.5);
        let card = card(json!({"offer": refill})).unwrap();
        assert_eq!(card.heading, Lang::En.text(Key::OfferHeadingRefill));
        assert_eq!(
            card.lede.as_deref(),
            Some(Lang::En.text(Key::OfferLedeRefill))
        );
        let discount = card
            .terms
            .iter()
            .find(|t| t.part == Some("discount"))
            .unwrap();
        assert_eq!(
            discount.value,
            "50% off the remaining fee of your current financing"
        );
        assert_eq!(discount.class, "term discount");
        assert!(card.brand.is_empty() || card.brand.chip.is_some());
    }

    #[test]
    fn review_repaid_and_rejected() {
        let text = |key| Lang::En.text(key).to_owned();
        let review = card(json!({"offer": offer("accepted")})).unwrap();
        assert_eq!(review.dot, Some("status-dot pending"));
        assert_eq!(
            review.amount,
            Some(Amount {
                label: None,
                value: "5,000 USD".into()
            })
        );
        assert!(review.lede.unwrap().contains("5,000 USD"));
        assert_eq!(review.link_type, AccountLinkType::CapitalFinancingReporting);
        assert!(review.terms.is_empty() && review.progress.is_none());
        assert_eq!(review.brand.chip, None);

        let repaid = card(json!({"offer": offer("fully_repaid")})).unwrap();
        assert_eq!(
            (repaid.dot, repaid.heading),
            (Some("status-dot done"), text(Key::PaidHeading))
        );
        assert!(repaid.lede.unwrap().contains("5,000 USD"));
        assert_eq!(repaid.amount, None);

        let rejected = card(json!({"offer": offer("rejected")})).unwrap();
        assert_eq!(rejected.dot, Some("status-dot stopped"));
        assert_eq!(rejected.lede, Some(text(Key::RejectedBody)));
        assert_eq!(rejected.cta_label, text(Key::RejectedCta));
    }

    #[test]
    fn progress_shows_the_bar_and_intervals() {
        let mut paid_out = offer("paid_out");
        paid_out["accepted_terms"]["repayment_interval_configuration"] =
            json!({"duration_days": 60, "minimum_amount": 50000});
        let card = card(json!({
            "offer": paid_out,
            "summary": {"details": {"currency": "usd", "paid_amount": 275000, "remaining_amount": 825000,
                                     "withhold_rate": 0.2,
                                     "current_repayment_interval": {"due_at": 172800, "paid_amount": 20000, "remaining_amount": 30000}}},
        }))
        .unwrap();
        assert_eq!(
            card.progress,
            Some(Bar {
                label: Lang::En.text(Key::ProgressBarLabel).to_owned(),
                now: Some("25".into()),
                caption: Some("25% paid".into())
            })
        );
        assert_eq!(
            parts(&card),
            [
                (None, "2,750 USD"),
                (Some("amount"), "8,250 USD"),
                (Some("withhold-rate"), "20% of daily sales"),
                (None, "200 USD paid, 300 USD to go · due day\u{a0}2"),
                (None, "Payments every 60 days, at least 500 USD per period"),
            ]
        );
        assert_eq!(
            card.terms[3].label.as_deref(),
            Some(Lang::En.text(Key::ProgressPeriodHeading))
        );
        assert!(!card.terms[3].note && card.terms[4].note);
    }

    #[test]
    fn progress_without_a_summary_still_renders() {
        let card = card(json!({"offer": offer("paid_out")})).unwrap();
        assert_eq!(
            card.progress,
            Some(Bar {
                label: Lang::En.text(Key::ProgressBarLabel).to_owned(),
                now: None,
                caption: None
            })
        );
        assert_eq!(card.terms[0].value, "—");
    }

    #[test]
    fn nothing_for_hidden_states() {
        for status in ["expired", "canceled", "replaced", "revoked"] {
            assert_eq!(card(json!({"offer": offer(status)})), None, "{status}");
        }
        assert_eq!(card(json!({})), None);
    }

    #[test]
    fn blank_business_names_are_dropped() {
        let card = card(json!({"offer": offer("rejected"), "branding": {"business_name": "  ", "icon": "https://x/i.png"}})).unwrap();
        assert_eq!(card.brand.name, None);
        assert_eq!(card.brand.icon.as_deref(), Some("https://x/i.png"));
    }

    /// An offer with everything a state may show, as `financing_type`.
    fn full_state(status: &str, financing_type: &str, variant: &str) -> serde_json::Value {
        let mut offer = offer(status);
        offer["financing_type"] = json!(financing_type);
        offer["disclaimer_variant"] = json!(variant);
        offer["offered_terms"]["repayment_interval_configuration"] =
            json!({"duration_days": 30, "minimum_amount": 5000, "maximum_amount": 90000});
        offer["accepted_terms"]["repayment_interval_configuration"] =
            json!({"duration_days": 30, "minimum_amount": 5000});
        json!({
            "offer": offer,
            "summary": {"details": {"currency": "usd", "paid_amount": 275000, "remaining_amount": 825000,
                "withhold_rate": 0.2,
                "current_repayment_interval": {"due_at": 172800, "paid_amount": 20000, "remaining_amount": 30000}}},
        })
    }

    fn all_text(card: &Card) -> Vec<String> {
        let mut texts = vec![card.heading.clone(), card.cta_label.clone()];
        texts.extend(card.lede.clone());
        texts.extend(card.legal.clone());
        texts.extend(card.brand.chip.clone());
        if let Some(amount) = &card.amount {
            texts.extend(amount.label.clone());
        }
        if let Some(bar) = &card.progress {
            texts.push(bar.label.clone());
            texts.extend(bar.caption.clone());
        }
        for term in &card.terms {
            texts.extend(term.label.clone());
            texts.push(term.value.clone());
        }
        texts
    }

    /// The guidance, held on what is actually rendered: every state of every financing type in
    /// every language, with every optional field present (intervals, due dates, estimates).
    #[test]
    fn every_rendered_card_keeps_to_the_guidance_for_its_financing_type() {
        use crate::model::copy::banned;
        let types = [
            ("flex_loan", "celtic_us_loan", Terms::Loan),
            ("fixed_term_loan", "celtic_us_loan", Terms::Loan),
            ("cash_advance", "youlend_us_mca", Terms::CashAdvance),
            ("cash_advance", "youlend_uk_mca", Terms::CashAdvance),
            ("cash_advance", "youlend_fr_financing", Terms::CashAdvance),
            (
                "some_future_type",
                "youlend_de_financing",
                Terms::CashAdvance,
            ),
        ];
        let mut failures = Vec::new();
        for lang in Lang::ALL {
            for (financing_type, variant, terms) in types {
                for status in [
                    "delivered",
                    "accepted",
                    "paid_out",
                    "fully_repaid",
                    "rejected",
                ] {
                    for product in ["standard", "refill"] {
                        let mut value = full_state(status, financing_type, variant);
                        value["offer"]["product_type"] = json!(product);
                        let state: OfferState = serde_json::from_value(value).unwrap();
                        let words = Wording::builtin(lang);
                        let card =
                            Card::new(&Stage::from_state(&state), None, &words, &Plain).unwrap();
                        let legal = card.legal.clone().unwrap();
                        for text in all_text(&card) {
                            let mut banned_here = banned::everywhere(lang).to_vec();
                            if text != legal {
                                banned_here.extend(banned::outside_notices(lang));
                            }
                            if terms == Terms::CashAdvance {
                                banned_here.extend(banned::cash_advances(lang));
                            }
                            for term in banned::found(&text, &banned_here) {
                                failures.push(format!(
                                    "{lang:?} {financing_type} {status} {product}: {term:?} in {text:?}"
                                ));
                            }
                        }
                    }
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn a_cash_advance_in_progress_shows_no_periods_or_due_dates() {
        let state: OfferState =
            serde_json::from_value(full_state("paid_out", "cash_advance", "youlend_uk_mca"))
                .unwrap();
        let card = Card::new(
            &Stage::from_state(&state),
            None,
            &Wording::builtin(Lang::En),
            &Plain,
        )
        .unwrap();
        assert_eq!(
            parts(&card),
            [
                (None, "2,750 USD"),
                (Some("amount"), "8,250 USD"),
                (Some("withhold-rate"), "20% of daily sales"),
            ]
        );
        assert_eq!(card.terms[1].label.as_deref(), Some("Unpaid advance"));
        assert_eq!(
            card.brand.chip, None,
            "the chip is the offer's, not the reporting's"
        );
        assert_eq!(
            card.legal.as_deref(),
            Some(Lang::En.text(Key::NoticeYoulendUkMca))
        );
        let offer: OfferState =
            serde_json::from_value(full_state("delivered", "cash_advance", "youlend_us_mca"))
                .unwrap();
        let card = Card::new(
            &Stage::from_state(&offer),
            None,
            &Wording::builtin(Lang::En),
            &Plain,
        )
        .unwrap();
        assert_eq!(card.brand.chip.as_deref(), Some("Cash advance"));
        assert!(
            !parts(&card)
                .iter()
                .any(|(_, value)| value.contains("per period")),
            "{:?}",
            parts(&card)
        );
    }

    #[test]
    fn platform_copy_replaces_text_and_is_kept_as_text() {
        let strings: capital_types::PlatformCopy = serde_json::from_value(json!({
            "offer.heading.newly_eligible": "<img src=x onerror=alert(1)> {amount}",
            "notice.celtic_us_loan": "Approved notice.",
            "rate.value": "{rate} of each day’s card sales",
        }))
        .unwrap();
        let words = Wording::new("en-US", [Some(std::sync::Arc::new(strings)), None]);
        let state: OfferState =
            serde_json::from_value(json!({"offer": offer("delivered")})).unwrap();
        let card = Card::new(&Stage::from_state(&state), None, &words, &Plain).unwrap();
        assert_eq!(
            card.heading, "<img src=x onerror=alert(1)> {amount}",
            "text, unfilled: headings have no placeholders"
        );
        assert_eq!(card.legal.as_deref(), Some("Approved notice."));
        assert_eq!(card.terms[1].value, "12.5% of each day’s card sales");
    }
}
