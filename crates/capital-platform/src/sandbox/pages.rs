//! The hosted pages an Account Link leads to in the sandbox: the offer application (amount
//! slider, submit) and financing reporting. Rendered with maud, which escapes every value.
//!
//! They keep to the rules the element's copy keeps to (`capital-copy`): its words where they say
//! the same thing, no loan concepts for a cash advance, and the lender's notice of the offer's
//! `disclaimer_variant`, in English (the sandbox's pages are English only).

use capital_copy::{Key, Lang, Terms, fill};
use capital_types::money::{money_text as money, percent_text as percent};
use capital_types::{Currency, FinancingOffer, LifecyclePhase};
use maud::{Markup, PreEscaped, html};
use serde_json::Value;

use super::machine::Financing;

const STYLE: &str = "
body{margin:0;background:#f6f8fb;font:16px/1.5 ui-sans-serif,system-ui,sans-serif;color:#1a1d24}
main{max-width:560px;margin:40px auto;padding:28px;background:#fff;border-radius:16px;box-shadow:0 4px 24px rgb(16 24 40/.08)}
.badge{display:inline-block;padding:2px 10px;border-radius:999px;background:#eef2ff;color:#3d4eac;font-size:13px;font-weight:600}
h1{font-size:24px;margin:12px 0} .big{font-size:36px;font-weight:700;letter-spacing:-.02em}
dl{display:grid;grid-template-columns:1fr auto;gap:8px 16px} dt{color:#5b6170} dd{margin:0;font-weight:600;text-align:right}
input[type=range]{width:100%} button{width:100%;min-height:44px;border:0;border-radius:10px;background:#3d4eac;color:#fff;font:inherit;font-weight:650;cursor:pointer}
table{width:100%;border-collapse:collapse;font-size:14px} td,th{padding:6px 4px;border-top:1px solid #e6e8ee;text-align:left} td.n{text-align:right}
.legal{margin-top:20px;color:#5b6170;font-size:13px}
.bar{height:10px;border-radius:99px;background:#e6e8ee;overflow:hidden} .bar>div{height:100%;background:#3d4eac}
a{color:#3d4eac}
";

/// Keeps the amount, the fee and the slider's spoken value in step with the slider. Reads its
/// numbers from `data-*` attributes, so no value is ever written into script.
const SLIDER_SCRIPT: &str = "
const slider = document.getElementById('advance');
const { currency, exponent, maximum, fee } = slider.dataset;
const scale = 10 ** Number(exponent);
const money = (minor) => {
  try {
    return new Intl.NumberFormat(document.documentElement.lang, { style: 'currency', currency }).format(minor / scale);
  } catch {
    return (minor / scale).toLocaleString() + ' ' + currency;
  }
};
const update = () => {
  const amount = Number(slider.value);
  const text = money(amount);
  document.getElementById('amount').textContent = text;
  document.getElementById('fee').textContent = money(Math.floor(Number(fee) * amount / Number(maximum)));
  slider.setAttribute('aria-valuetext', text);
};
slider.addEventListener('input', update);
update();
";

/// The slider's step in minor units: about a hundredth of the maximum, rounded down to 1, 2 or 5
/// times a power of ten major units, and never less than one major unit. $10,000 moves in $100s.
pub fn slider_step(maximum: i64, exponent: u32) -> i64 {
    let unit = 10_i64.pow(exponent).max(1);
    let target = (maximum / 100).max(unit);
    let mut power = unit;
    while power.saturating_mul(10) <= target {
        power *= 10;
    }
    [5, 2, 1]
        .into_iter()
        .map(|m| m * power)
        .find(|step| *step <= target)
        .unwrap_or(unit)
}

fn page(title: &str, body: Markup) -> String {
    crate::html::page(
        &format!("{title} · Capital sandbox"),
        STYLE,
        html! {
            main {
                span.badge { "Capital sandbox · test mode" }
                (body)
            }
        },
    )
    .into_string()
}

/// The link back: Account Links open in a tab of their own, so going back means closing it and
/// returning to the platform's tab (which refreshes itself on focus); where the page was opened in
/// the platform's own tab (`link-target="_self"`), closing is refused and the link is followed.
fn back_link(return_url: &str) -> Markup {
    html! {
        p { a href=(return_url) data-back { "Back to the platform" } }
        script { (PreEscaped(BACK_SCRIPT)) }
    }
}

const BACK_SCRIPT: &str = "
document.querySelector('a[data-back]').addEventListener('click', (event) => {
  event.preventDefault();
  const href = event.currentTarget.href;
  window.close();
  setTimeout(() => location.assign(href), 150);
});
";

/// The built-in English text of `key`.
fn text(key: Key) -> &'static str {
    Lang::En.text(key)
}

/// The lender's notice for the offer, when its variant is known.
fn notice(offer: &FinancingOffer) -> Markup {
    let notice = offer.disclaimer_variant.as_ref().and_then(Key::notice);
    html! { @if let Some(key) = notice { p.legal { (text(key)) } } }
}

fn terms_of(offer: &FinancingOffer) -> Terms {
    Terms::of(offer.effective_financing_type())
}

fn currency_of(currency: Option<&Currency>) -> String {
    currency.map_or_else(|| "usd".to_owned(), |c| c.as_str().to_owned())
}

/// The offer application: choose an amount up to the maximum and submit.
pub fn application(token: &str, offer: &FinancingOffer, return_url: &str) -> String {
    let terms = offer.offered_terms.clone().unwrap_or_default();
    let currency = currency_of(terms.currency.as_ref());
    let exponent = Currency::from(currency.as_str()).minor_unit_exponent();
    let maximum = terms.advance_amount.unwrap_or(0).max(1);
    let fee = terms.fee_amount.unwrap_or(0);
    let step = slider_step(maximum, exponent);
    // The range's values are `min + k·step`: starting at the remainder keeps the offered maximum
    // itself selectable.
    let minimum = match maximum % step {
        0 => step,
        remainder => remainder,
    };
    let rate = terms
        .withhold_rate
        .map(percent)
        .unwrap_or_else(|| "—".into());
    let discount = terms
        .previous_financing_fee_discount_rate
        .map(|r| format!("{}%", (r * 100.0).round()));
    let refill = match terms_of(offer) {
        Terms::Loan => Key::OfferLedeRefill,
        Terms::CashAdvance => Key::OfferLedeRefillCashAdvance,
    };
    page(
        "Your financing offer",
        html! {
            h1 { "Apply for financing" }
            @if offer.is_refill() {
                p { (text(refill)) }
                @if let Some(discount) = discount {
                    p { (text(Key::OfferDiscountLabel)) ": " (fill(text(Key::OfferDiscountValue), &[("rate", &discount)])) }
                }
            }
            form method="post" action={ "/sandbox/hosted/" (token) "/submit" } {
                p { label for="advance" { "Amount" } ": " span.big #amount { (money(maximum, &currency)) } }
                input #advance type="range" name="advance_amount" min=(minimum) max=(maximum) step=(step) value=(maximum)
                    aria-valuetext=(money(maximum, &currency))
                    data-currency=(currency.to_ascii_uppercase()) data-exponent=(exponent)
                    data-maximum=(maximum) data-fee=(fee);
                dl {
                    dt { (text(Key::OfferFeeLabel)) } dd #fee { (money(fee, &currency)) }
                    dt { (text(Key::RateLabel)) } dd { (fill(text(Key::RateValue), &[("rate", &rate)])) }
                }
                button type="submit" { "Submit application" }
            }
            script { (PreEscaped(SLIDER_SCRIPT)) }
            (notice(offer))
            (back_link(return_url))
        },
    )
}

/// After submitting: what happens next.
pub fn submitted(offer: &FinancingOffer, return_url: &str) -> String {
    let terms = offer.accepted_terms.clone().unwrap_or_default();
    let currency = currency_of(terms.currency.as_ref());
    page(
        "Application submitted",
        html! {
            h1 { "Application submitted" }
            p {
                "You applied for " strong { (money(terms.advance_amount.unwrap_or(0), &currency)) }
                ". Stripe Capital reviews it, and the decision comes by email."
            }
            (notice(offer))
            (back_link(return_url))
        },
    )
}

/// Financing reporting: the account's financing, progress and transactions.
pub fn reporting(financings: &[Financing], transactions: &[Value], return_url: &str) -> String {
    let shown: Vec<&Financing> = financings
        .iter()
        .filter(|f| f.offer.accepted_terms.is_some())
        .collect();
    page(
        "Financing reporting",
        html! {
            h1 { "Financing reporting" }
            @if shown.is_empty() {
                p { "No financing yet." }
            }
            @for financing in shown {
                (financing_section(financing))
            }
            @if !transactions.is_empty() {
                h2 { "Transactions" }
                table {
                    tr { th { "Type" } th { "Offer" } th { "Reason" } th.n { "Amount" } }
                    @for t in transactions {
                        tr {
                            td { (t["type"].as_str().unwrap_or_default()) }
                            td { (t["financing_offer"].as_str().unwrap_or_default()) }
                            td { (t["details"]["reason"].as_str().unwrap_or_default().replace('_', " ")) }
                            td.n { (money(t["details"]["total_amount"].as_i64().unwrap_or(0), t["details"]["currency"].as_str().unwrap_or("usd"))) }
                        }
                    }
                }
            }
            (back_link(return_url))
        },
    )
}

fn financing_section(financing: &Financing) -> Markup {
    let terms = financing.offer.accepted_terms.clone().unwrap_or_default();
    let currency = currency_of(terms.currency.as_ref());
    let total = financing.total_owed().max(1);
    let percent = financing.paid * 100 / total;
    let status = match financing.offer.status.phase() {
        LifecyclePhase::UnderReview => text(Key::ReviewHeading).to_owned(),
        LifecyclePhase::InProgress => text(Key::ProgressHeading).to_owned(),
        LifecyclePhase::PaidInFull => text(Key::PaidHeading).to_owned(),
        _ => financing.offer.status.as_str().replace('_', " "),
    };
    let remaining = match terms_of(&financing.offer) {
        Terms::Loan => Key::ProgressRemainingLabel,
        Terms::CashAdvance => Key::ProgressRemainingLabelCashAdvance,
    };
    html! {
        h2 { (status) }
        p { (financing.offer.id) }
        div.bar role="progressbar" aria-label=(text(Key::ProgressBarLabel)) aria-valuemin="0" aria-valuemax="100"
            aria-valuenow=(percent) aria-valuetext=(fill(text(Key::ProgressValue), &[("percent", &format!("{percent}%"))]))
            { div style={ "width:" (percent) "%" } {} }
        dl {
            dt { "Financing" } dd { (money(terms.advance_amount.unwrap_or(0), &currency)) }
            dt { (text(Key::OfferFeeLabel)) } dd { (money(terms.fee_amount.unwrap_or(0), &currency)) }
            dt { (text(Key::ProgressPaidLabel)) } dd { (money(financing.paid, &currency)) }
            dt { (text(remaining)) } dd { (money(financing.remaining(), &currency)) }
            @if let Some(discount) = terms.previous_financing_fee_discount_amount {
                dt { (text(Key::OfferDiscountLabel)) } dd { (money(discount, &currency)) }
            }
        }
        (notice(&financing.offer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slider_steps_are_round_and_at_least_one_major_unit() {
        assert_eq!(slider_step(1_000_000, 2), 10_000, "$10,000 moves in $100s");
        assert_eq!(slider_step(7_500_000, 2), 50_000, "$75,000 moves in $500s");
        assert_eq!(slider_step(2_500, 2), 100, "$25 moves in $1s");
        assert_eq!(
            slider_step(1_500_000, 0),
            10_000,
            "¥1,500,000 moves in ¥10,000s"
        );
        assert_eq!(slider_step(1, 2), 100);
    }

    #[test]
    fn hostile_values_are_escaped() {
        let offer: FinancingOffer = serde_json::from_value(serde_json::json!({
            "id": "fo_<script>", "status": "delivered",
            "offered_terms": {"advance_amount": 1000, "currency": "usd\"><script>x</script>"}
        }))
        .unwrap();
        let html = application("tok\"<b>", &offer, "javascript:alert(1)\"><b>");
        assert!(!html.contains("<script>x"), "{html}");
        assert!(!html.contains("tok\"<b>"), "{html}");
        assert!(html.contains("&quot;&gt;&lt;b&gt;"), "{html}");
    }

    /// Every visible text of `html`: tags, scripts and styles removed.
    fn visible_text(html: &str) -> String {
        let mut html = html.to_owned();
        for element in ["script", "style"] {
            while let Some(start) = html.find(&format!("<{element}")) {
                let end = html[start..]
                    .find(&format!("</{element}>"))
                    .map_or(html.len(), |e| start + e + element.len() + 3);
                html.replace_range(start..end, " ");
            }
        }
        let mut text = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' => {
                    in_tag = false;
                    text.push(' ');
                }
                _ if !in_tag => text.push(c),
                _ => {}
            }
        }
        text
    }

    /// The hosted pages keep to the element's rules: no word the guidance bans, and for a cash
    /// advance no loan concepts; the lender's notice is there, and is the only place "loan" may be.
    #[test]
    fn the_hosted_pages_keep_to_the_marketing_guidance() {
        use capital_copy::banned;
        for (financing_type, variant, cash_advance) in [
            ("flex_loan", "celtic_us_loan", false),
            ("cash_advance", "youlend_uk_mca", true),
        ] {
            let offer: FinancingOffer = serde_json::from_value(serde_json::json!({
                "id": "fo_1", "status": "paid_out", "financing_type": financing_type, "product_type": "refill",
                "disclaimer_variant": variant,
                "offered_terms": {"advance_amount": 100000, "fee_amount": 10000, "currency": "gbp", "withhold_rate": 0.1,
                                  "previous_financing_fee_discount_rate": 0.5},
                "accepted_terms": {"advance_amount": 100000, "fee_amount": 10000, "currency": "gbp",
                                   "previous_financing_fee_discount_amount": 500},
            }))
            .unwrap();
            let notice_text =
                text(Key::notice(offer.disclaimer_variant.as_ref().unwrap()).unwrap());
            let financing = Financing {
                offer: offer.clone(),
                paid: 2_000,
            };
            for html in [
                application("t", &offer, "https://platform.example/back"),
                submitted(&offer, "https://platform.example/back"),
                reporting(&[financing], &[], "https://platform.example/back"),
            ] {
                let page = visible_text(&html);
                assert!(
                    page.contains(notice_text),
                    "{financing_type}: no notice in {page}"
                );
                let outside_notice = page.replace(notice_text, " ");
                let mut terms = banned::everywhere(Lang::En).to_vec();
                terms.extend(banned::outside_notices(Lang::En));
                if cash_advance {
                    terms.extend(banned::cash_advances(Lang::En));
                }
                let found = banned::found(&outside_notice, &terms);
                assert!(
                    found.is_empty(),
                    "{financing_type}: {found:?} in {outside_notice}"
                );
            }
        }
    }
}
