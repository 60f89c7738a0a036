//! Stage → card: every state the tile shows, as one shape of already formatted text. The markup
//! (`views/card.rs`) renders that shape alone, so the element carries one render tree instead of
//! one per state (a third of the wasm went to near-identical trees). Pure and tested natively;
//! the browser's `Intl` comes in through [`Formats`].

use capital_types::{AccountLinkType, Branding, CampaignType, DisclaimerVariant, FinancingType};

use super::copy::{Lang, Text, fill};
use super::format::{Money, Progress, Rate};
use super::stage::{IntervalTerms, OpenOffer, Stage};

/// How numbers and dates are written: `Intl` in the element, plain renderings in native tests.
pub trait Formats {
    fn money(&self, money: Option<&Money>) -> String;
    fn rate(&self, rate: Option<&Rate>) -> String;
    fn progress(&self, progress: Progress) -> String;
    fn integer(&self, value: i64) -> String;
    /// The locale's medium date, or a dash.
    fn date(&self, epoch_millis: Option<f64>) -> String;
    /// The `datetime` attribute of a `<time>`.
    fn machine_date(&self, epoch_millis: f64) -> String;
}

/// Locale-free renderings of typical width, for the skeleton's invisible text: the skeleton wraps
/// like the card it stands for, whatever the figures turn out to be.
pub struct Placeholders;

impl Formats for Placeholders {
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
    fn date(&self, _epoch_millis: Option<f64>) -> String {
        "31.12.2026".to_owned()
    }
    fn machine_date(&self, _epoch_millis: f64) -> String {
        String::new()
    }
}

/// The card the skeleton stands for while loading: the offer a newly eligible account most often
/// sees, in `lang`, with the lender's notice of `lang`'s market. Rendered invisible, it has the
/// offer's size at every width, because it wraps the same copy the same way (`views/skeleton.rs`;
/// the JS shim paints the same before the wasm arrives, from `src/js/skeleton-copy.json`).
pub fn ghost(lang: Lang) -> Option<Card> {
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
        expires_at_ms: Some(0.0),
        interval: None,
        target_payback_days: None,
        disclaimer: Some(disclaimer),
    });
    Card::new(&stage, None, lang.text(), &Placeholders)
}

/// Everything one state shows, top to bottom.
#[derive(Debug, Clone, PartialEq)]
pub struct Card {
    pub brand: Brand,
    /// The status dot's classes before the heading (`status-dot pending`).
    pub dot: Option<&'static str>,
    pub heading: &'static str,
    pub lede: Option<String>,
    pub progress: Option<Bar>,
    pub amount: Option<Amount>,
    pub terms: Vec<Term>,
    pub cta_label: &'static str,
    pub link_type: AccountLinkType,
    /// The lender's legal notice.
    pub legal: Option<&'static str>,
}

/// The platform's name and icon (from the backend's branding) and the financing type.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Brand {
    pub name: Option<String>,
    /// As the backend sent it; the runtime checks it against the page before use.
    pub icon: Option<String>,
    pub chip: Option<&'static str>,
}

impl Brand {
    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.icon.is_none() && self.chip.is_none()
    }
}

/// The headline figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Amount {
    pub label: Option<&'static str>,
    pub value: String,
}

/// The repayment bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// The bar's accessible name.
    pub label: &'static str,
    /// `aria-valuenow`: whole percent.
    pub now: Option<String>,
    /// The fill's inline size (`27.50%`).
    pub fill: String,
    /// "27% repaid", also the bar's `aria-valuetext`.
    pub caption: Option<String>,
}

/// One row of the terms list.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    pub label: Option<&'static str>,
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
    fn figure(label: &'static str, part: Option<&'static str>, value: String) -> Term {
        Term {
            label: Some(label),
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
pub fn heading(text: &Text, stage: &Stage) -> Option<&'static str> {
    Some(match stage {
        Stage::Offer(offer) => text.offer_heading(offer.campaign.as_ref(), offer.refill),
        Stage::Review(_) => text.review_heading,
        Stage::InProgress(_) => text.progress_heading,
        Stage::Repaid(_) => text.repaid_heading,
        Stage::Rejected(_) => text.rejected_heading,
        Stage::Hidden => return None,
    })
}

impl Card {
    /// The card for `stage`; `None` when the tile shows nothing.
    pub fn new(
        stage: &Stage,
        branding: Option<&Branding>,
        text: &Text,
        format: &dyn Formats,
    ) -> Option<Card> {
        let heading = heading(text, stage)?;
        let link_type = stage.link_type()?;
        let mut card = Card {
            brand: brand(branding),
            dot: None,
            heading,
            lede: None,
            progress: None,
            amount: None,
            terms: Vec::new(),
            cta_label: "",
            link_type,
            legal: stage.disclaimer().map(|variant| text.disclaimer(variant)),
        };
        match stage {
            Stage::Offer(offer) => {
                card.brand.chip = text.financing_type(offer.financing_type.as_ref());
                card.lede = Some(
                    text.offer_lede(offer.campaign.as_ref(), offer.refill)
                        .into(),
                );
                card.amount = Some(Amount {
                    label: Some(text.amount_label),
                    value: format.money(offer.amount.as_ref()),
                });
                card.terms.push(Term::figure(
                    text.fee_label,
                    Some("fee"),
                    format.money(offer.fee.as_ref()),
                ));
                card.terms
                    .push(withhold(text, format, offer.withhold_rate.as_ref()));
                if let Some(rate) = &offer.discount_rate {
                    let value = fill(text.discount_value, &[("rate", &format.rate(Some(rate)))]);
                    card.terms.push(Term {
                        class: "term discount",
                        ..Term::figure(text.discount_label, Some("discount"), value)
                    });
                }
                if let Some(terms) = &offer.interval {
                    card.terms.push(Term::note(interval(text, format, terms)));
                }
                if let Some(days) = offer.target_payback_days {
                    let days = format.integer(days);
                    card.terms
                        .push(Term::note(fill(text.payback_estimate, &[("days", &days)])));
                }
                card.terms.push(Term {
                    datetime: offer.expires_at_ms.map(|ms| format.machine_date(ms)),
                    ..Term::figure(
                        text.expiry_label,
                        Some("expiry"),
                        format.date(offer.expires_at_ms),
                    )
                });
                card.cta_label = text.cta_offer;
            }
            Stage::Review(review) => {
                let amount = format.money(review.amount.as_ref());
                card.dot = Some("status-dot pending");
                card.lede = Some(fill(text.review_body, &[("amount", &amount)]));
                card.amount = Some(Amount {
                    label: None,
                    value: amount,
                });
                card.cta_label = text.cta_review;
            }
            Stage::InProgress(progress) => {
                let caption = progress
                    .progress
                    .map(|p| fill(text.progress_value, &[("percent", &format.progress(p))]));
                card.progress = Some(Bar {
                    label: text.progress_label,
                    now: progress.progress.map(|p| p.whole_percent().to_string()),
                    fill: progress
                        .progress
                        .map_or_else(|| "0%".to_owned(), |p| p.css_length()),
                    caption,
                });
                card.terms.push(Term::figure(
                    text.paid_label,
                    None,
                    format.money(progress.paid.as_ref()),
                ));
                card.terms.push(Term::figure(
                    text.remaining_label,
                    Some("amount"),
                    format.money(progress.remaining.as_ref()),
                ));
                card.terms
                    .push(withhold(text, format, progress.withhold_rate.as_ref()));
                if let Some(current) = &progress.current_interval {
                    let status = fill(
                        text.interval_status,
                        &[
                            ("paid", &format.money(current.paid.as_ref())),
                            ("remaining", &format.money(current.remaining.as_ref())),
                        ],
                    );
                    let line = match current.due_at_ms {
                        Some(ms) => {
                            // A date is one unit: never "Dec" on one line and "13, 2026" on the next.
                            let date = format.date(Some(ms)).replace(' ', "\u{a0}");
                            let due = fill(text.interval_due, &[("date", &date)]);
                            format!("{status} · {due}")
                        }
                        None => status,
                    };
                    card.terms.push(Term {
                        class: "term wide",
                        ..Term::figure(text.interval_heading, None, line)
                    });
                }
                if let Some(terms) = &progress.interval {
                    card.terms.push(Term::note(interval(text, format, terms)));
                }
                card.cta_label = text.cta_progress;
            }
            Stage::Repaid(closed) => {
                let amount = format.money(closed.amount.as_ref());
                card.dot = Some("status-dot done");
                card.lede = Some(fill(text.repaid_body, &[("amount", &amount)]));
                card.cta_label = text.cta_repaid;
            }
            Stage::Rejected(_) => {
                card.dot = Some("status-dot stopped");
                card.lede = Some(text.rejected_body.to_owned());
                card.cta_label = text.cta_rejected;
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
fn withhold(text: &Text, format: &dyn Formats, rate: Option<&Rate>) -> Term {
    let value = match rate {
        Some(rate) => fill(text.withhold_value, &[("rate", &format.rate(Some(rate)))]),
        None => "—".to_owned(),
    };
    Term::figure(text.withhold_label, Some("withhold-rate"), value)
}

/// "Repayments every 60 days, at least $500 per period, at most $2,000 per period".
fn interval(text: &Text, format: &dyn Formats, terms: &IntervalTerms) -> String {
    let mut pieces = Vec::new();
    if let Some(days) = terms.duration_days {
        pieces.push(fill(
            text.interval_every,
            &[("days", &format.integer(days))],
        ));
    }
    if let Some(minimum) = &terms.minimum {
        let amount = format.money(Some(minimum));
        pieces.push(fill(text.interval_minimum, &[("amount", &amount)]));
    }
    if let Some(maximum) = &terms.maximum {
        let amount = format.money(Some(maximum));
        pieces.push(fill(text.interval_maximum, &[("amount", &amount)]));
    }
    pieces.join(", ")
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use capital_types::OfferState;
    use serde_json::json;

    /// The locale-free renderings of [`Placeholders`], with dates the assertions can tell apart.
    struct Plain;

    impl Formats for Plain {
        fn money(&self, money: Option<&Money>) -> String {
            Placeholders.money(money)
        }
        fn rate(&self, rate: Option<&Rate>) -> String {
            Placeholders.rate(rate)
        }
        fn progress(&self, progress: Progress) -> String {
            Placeholders.progress(progress)
        }
        fn integer(&self, value: i64) -> String {
            Placeholders.integer(value)
        }
        fn date(&self, epoch_millis: Option<f64>) -> String {
            epoch_millis.map_or_else(|| "—".to_owned(), |ms| format!("day {}", ms / 86_400_000.0))
        }
        fn machine_date(&self, epoch_millis: f64) -> String {
            format!("ms {epoch_millis}")
        }
    }

    /// The skeleton's copy as the JS shim reads it (`src/js/skeleton-copy.json`).
    fn skeleton_copy() -> String {
        let mut languages = serde_json::Map::new();
        for (name, lang) in [("en", Lang::En), ("fr", Lang::Fr), ("de", Lang::De)] {
            let card = ghost(lang).expect("an open offer has a card");
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
            let card = ghost(lang).unwrap();
            assert_eq!(card.terms.len(), 3, "{lang:?}");
            assert!(card.legal.is_some() && card.lede.is_some(), "{lang:?}");
        }
    }

    fn card(state: serde_json::Value) -> Option<Card> {
        let state: OfferState = serde_json::from_value(state).unwrap();
        Card::new(
            &Stage::from_state(&state),
            state.branding.as_ref(),
            Lang::En.text(),
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
        let text = Lang::En.text();
        let card = card(
            json!({"offer": offer("delivered"), "branding": {"business_name": "Rocket Rides"}}),
        )
        .unwrap();
        assert_eq!(card.heading, text.heading_new);
        assert_eq!(card.lede.as_deref(), Some(text.lede_new));
        assert_eq!(card.brand.name.as_deref(), Some("Rocket Rides"));
        assert_eq!(card.brand.chip, Some(text.type_flex_loan));
        assert_eq!(card.amount.as_ref().unwrap().value, "10,000 USD");
        assert_eq!(card.amount.as_ref().unwrap().label, Some(text.amount_label));
        assert_eq!(
            parts(&card),
            [
                (Some("fee"), "1,000 USD"),
                (Some("withhold-rate"), "12.5% of daily sales"),
                (None, "Estimated payback in about 120 days"),
                (Some("expiry"), "day 1"),
            ]
        );
        assert_eq!(card.terms[3].datetime.as_deref(), Some("ms 86400000"));
        assert_eq!(card.link_type, AccountLinkType::CapitalFinancingOffer);
        assert_eq!(card.cta_label, text.cta_offer);
        assert_eq!(card.legal, Some(text.disclaimer_celtic));
        assert_eq!(card.dot, None);
    }

    #[test]
    fn a_refill_shows_its_discount() {
        let mut refill = offer("undelivered");
        refill["product_type"] = json!("refill");
        refill["offered_terms"]["previous_financing_fee_discount_rate"] = json!(0.5);
        let card = card(json!({"offer": refill})).unwrap();
        assert_eq!(card.heading, Lang::En.text().heading_refill);
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
        let text = Lang::En.text();
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
            (Some("status-dot done"), text.repaid_heading)
        );
        assert!(repaid.lede.unwrap().contains("5,000 USD"));
        assert_eq!(repaid.amount, None);

        let rejected = card(json!({"offer": offer("rejected")})).unwrap();
        assert_eq!(rejected.dot, Some("status-dot stopped"));
        assert_eq!(rejected.lede.as_deref(), Some(text.rejected_body));
        assert_eq!(rejected.cta_label, text.cta_rejected);
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
                label: Lang::En.text().progress_label,
                now: Some("25".into()),
                fill: "25.00%".into(),
                caption: Some("25% repaid".into())
            })
        );
        assert_eq!(
            parts(&card),
            [
                (None, "2,750 USD"),
                (Some("amount"), "8,250 USD"),
                (Some("withhold-rate"), "20% of daily sales"),
                (None, "200 USD paid, 300 USD to go · due day\u{a0}2"),
                (
                    None,
                    "Repayments every 60 days, at least 500 USD per period"
                ),
            ]
        );
        assert_eq!(card.terms[3].label, Some(Lang::En.text().interval_heading));
        assert!(!card.terms[3].note && card.terms[4].note);
    }

    #[test]
    fn progress_without_a_summary_still_renders() {
        let card = card(json!({"offer": offer("paid_out")})).unwrap();
        assert_eq!(
            card.progress,
            Some(Bar {
                label: Lang::En.text().progress_label,
                now: None,
                fill: "0%".into(),
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
}
