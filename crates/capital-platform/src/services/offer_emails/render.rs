//! The offer email: HTML (maud, every value escaped) and plain text, in the offer's market's
//! language, with the tile's own approved words (`capital-copy`): its heading, lede, labels, call
//! to action and the lender's notice, and no loan wording for a cash advance.

use capital_copy::email::EmailText;
use capital_copy::{Key, Lang, Terms, fill};
use capital_types::{Branding, DisclaimerVariant, FinancingOffer};
use maud::{DOCTYPE, html};

use capital_types::money::{money_text as money, percent_text as percent};

/// A rendered email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub subject: String,
    pub html: String,
    pub text: String,
}

impl Email {
    /// The email as kept with its record, addressed to `recipient`.
    pub fn message<'a>(&'a self, recipient: &'a str) -> crate::store::EmailMessage<'a> {
        crate::store::EmailMessage {
            recipient,
            subject: &self.subject,
            html: &self.html,
            text: &self.text,
        }
    }
}

/// The language of the offer's market: French and German for YouLend's French and German
/// financing, English elsewhere (the US, the UK, Australia).
pub fn language(offer: &FinancingOffer) -> Lang {
    match offer.disclaimer_variant {
        Some(DisclaimerVariant::YoulendFrFinancing) => Lang::Fr,
        Some(DisclaimerVariant::YoulendDeFinancing) => Lang::De,
        _ => Lang::En,
    }
}

/// `None` when the offer has no lender's notice the email could carry (it is then not sent).
pub fn render(
    offer: &FinancingOffer,
    branding: &Branding,
    dashboard_url: &str,
    unsubscribe_url: &str,
) -> Option<Email> {
    let lang = language(offer);
    let text = |key| lang.text(key);
    let notice = text(Key::notice(offer.disclaimer_variant.as_ref()?)?);
    let email = EmailText::of(lang);
    let terms = offer.offered_terms.clone().unwrap_or_default();
    let currency = terms
        .currency
        .as_ref()
        .map_or_else(|| "usd".to_owned(), |c| c.as_str().to_owned());
    let business = branding
        .business_name
        .clone()
        .filter(|name| !name.trim().is_empty())
        .unwrap_or_else(|| "Stripe Capital".to_owned());
    let brand = branding
        .primary_color
        .as_deref()
        .filter(|c| is_hex_colour(c))
        .unwrap_or("#3d4eac");
    let refill = offer.is_refill();
    let financing_terms = Terms::of(offer.effective_financing_type());
    let heading = text(Key::offer_heading(terms.campaign_type.as_ref(), refill));
    let lede = text(Key::offer_lede(
        terms.campaign_type.as_ref(),
        refill,
        financing_terms,
    ));
    let mut rows = vec![(
        text(Key::OfferAmountLabel).to_owned(),
        money(terms.advance_amount.unwrap_or(0), &currency),
    )];
    rows.push((
        text(Key::OfferFeeLabel).to_owned(),
        money(terms.fee_amount.unwrap_or(0), &currency),
    ));
    if let Some(withhold) = terms.withhold_rate {
        rows.push((
            text(Key::RateLabel).to_owned(),
            fill(text(Key::RateValue), &[("rate", &percent(withhold))]),
        ));
    }
    if let Some(discount) = terms
        .previous_financing_fee_discount_rate
        .filter(|_| refill)
    {
        rows.push((
            text(Key::OfferDiscountLabel).to_owned(),
            fill(
                text(Key::OfferDiscountValue),
                &[("rate", &percent(discount))],
            ),
        ));
    }
    if let Some(expires) = offer.expires_after {
        rows.push((
            text(Key::OfferExpiryLabel).to_owned(),
            date(expires as i64, email),
        ));
    }
    let cta = text(Key::OfferCta);
    let subject = fill(email.subject, &[("business", &business)]);
    let why = fill(email.why, &[("business", &business)]);
    let icon = branding
        .icon
        .as_deref()
        .filter(|url| url.starts_with("https://"));
    let lang_tag = match lang {
        Lang::En => "en",
        Lang::Fr => "fr",
        Lang::De => "de",
    };
    let markup = html! {
        (DOCTYPE)
        html lang=(lang_tag) {
            head { meta charset="utf-8"; title { (subject) } }
            body style="margin:0;padding:24px;background:#f6f8fb;font-family:system-ui,sans-serif;color:#1a1d24" {
                table role="presentation" width="100%" style="max-width:560px;margin:0 auto;background:#fff;border-radius:12px" {
                    tr { td style="padding:24px" {
                        p style={ "margin:0 0 16px;font-weight:600;color:" (brand) } {
                            @if let Some(icon) = icon {
                                img src=(icon) alt="" width="28" height="28" style="vertical-align:middle;border-radius:6px;margin-right:8px";
                            }
                            (business)
                        }
                        h1 style="font-size:22px;margin:0 0 8px" { (heading) }
                        p style="margin:0 0 16px;color:#4a5060" { (lede) }
                        table role="presentation" width="100%" style="border-collapse:collapse;margin:0 0 20px" {
                            @for (label, value) in &rows {
                                tr {
                                    td style="padding:6px 0;border-top:1px solid #e6e8ee;color:#5b6170" { (label) }
                                    td style="padding:6px 0;border-top:1px solid #e6e8ee;text-align:right;font-weight:600" { (value) }
                                }
                            }
                        }
                        p style="margin:0 0 20px" {
                            a href=(dashboard_url) style={ "display:inline-block;padding:12px 20px;border-radius:8px;color:#fff;text-decoration:none;font-weight:650;background:" (brand) } { (cta) }
                        }
                        p style="margin:0 0 12px;font-size:12px;color:#5b6170" { (notice) }
                        p style="margin:0;font-size:12px;color:#5b6170" {
                            (why) " " a href=(unsubscribe_url) style="color:#5b6170" { (email.unsubscribe) }
                        }
                    } }
                }
            }
        }
    };
    let mut plain = format!("{business}\n\n{heading}\n\n{lede}\n\n");
    for (label, value) in &rows {
        plain.push_str(&format!("{label}: {value}\n"));
    }
    plain.push_str(&format!(
        "\n{cta}: {dashboard_url}\n\n{notice}\n\n{why}\n{}: {unsubscribe_url}\n",
        email.unsubscribe
    ));
    Some(Email {
        subject,
        html: markup.into_string(),
        text: plain,
    })
}

/// `20 Dec 2026` (UTC) from epoch seconds.
fn date(epoch_seconds: i64, email: &EmailText) -> String {
    // Days to a civil date (Howard Hinnant's algorithm).
    let days = epoch_seconds.div_euclid(86_400) + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{day} {} {year}", email.months[(month - 1) as usize])
}

fn is_hex_colour(colour: &str) -> bool {
    colour.len() == 7
        && colour.starts_with('#')
        && colour[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use capital_copy::banned;
    use serde_json::json;

    fn offer(financing_type: &str, variant: &str) -> FinancingOffer {
        serde_json::from_value(json!({
            "id": "financingoffer_mail", "status": "undelivered", "financing_type": financing_type,
            "disclaimer_variant": variant, "expires_after": 1797724800.0, "product_type": "refill",
            "offered_terms": {"advance_amount": 1_500_000, "fee_amount": 150_000, "currency": "usd",
                              "withhold_rate": 0.12, "previous_financing_fee_discount_rate": 0.5,
                              "campaign_type": "repeat_user"},
        }))
        .unwrap()
    }

    fn branding(name: &str) -> Branding {
        Branding {
            business_name: Some(name.into()),
            icon: Some("https://platform.example/icon.png".into()),
            logo: None,
            primary_color: Some("#0a7cff".into()),
            secondary_color: None,
        }
    }

    #[test]
    fn the_email_has_the_offer_the_notice_and_both_links_in_both_parts() {
        let email = render(
            &offer("flex_loan", "celtic_us_loan"),
            &branding("Rocket Rides"),
            "https://platform.example/capital",
            "https://platform.example/email/unsubscribe?t=1",
        )
        .unwrap();
        assert_eq!(
            email.subject,
            "Rocket Rides: a financing offer through Stripe Capital"
        );
        for part in [&email.html, &email.text] {
            assert!(part.contains("15,000.00 USD"), "{part}");
            assert!(part.contains("1,500.00 USD"));
            assert!(part.contains("12% of daily sales"));
            assert!(part.contains("50% off the remaining fee"));
            assert!(part.contains("20 Dec 2026"));
            assert!(part.contains("https://platform.example/capital"));
            assert!(part.contains("https://platform.example/email/unsubscribe?t=1"));
            assert!(part.contains(Lang::En.text(Key::NoticeCelticUsLoan)));
        }
    }

    #[test]
    fn hostile_branding_is_escaped() {
        let email = render(
            &offer("flex_loan", "celtic_us_loan"),
            &branding("<img src=x onerror=alert(1)>Evil & Co"),
            "https://platform.example/capital\"><script>",
            "https://platform.example/u",
        )
        .unwrap();
        assert!(!email.html.contains("<img src=x"), "{}", email.html);
        assert!(
            email
                .html
                .contains("&lt;img src=x onerror=alert(1)&gt;Evil &amp; Co")
        );
        assert!(!email.html.contains("\"><script>"));
    }

    #[test]
    fn a_cash_advance_email_has_no_loan_wording_and_french_offers_are_in_french() {
        let email = render(
            &offer("cash_advance", "youlend_uk_mca"),
            &branding("Rocket Rides"),
            "https://p.example",
            "https://p.example/u",
        )
        .unwrap();
        let mut terms = banned::everywhere(Lang::En).to_vec();
        terms.extend(banned::cash_advances(Lang::En));
        let found = banned::found(&email.text, &terms);
        assert!(found.is_empty(), "{found:?} in {}", email.text);
        let french = render(
            &offer("flex_loan", "youlend_fr_financing"),
            &branding("Rocket Rides"),
            "https://p.example",
            "https://p.example/u",
        )
        .unwrap();
        assert!(french.subject.contains("une offre de financement"));
        assert!(french.text.contains("20 déc. 2026"));
        assert!(
            render(
                &offer("flex_loan", "new_lender"),
                &branding("x"),
                "https://p",
                "https://u"
            )
            .is_none(),
            "no notice, no email"
        );
    }
}
