//! The hosted pages an Account Link leads to in the sandbox: the offer application (amount
//! slider, submit) and financing reporting. Server-rendered HTML; every value is escaped.

use capital_types::{FinancingOffer, OfferStatus};
use serde_json::Value;

use super::machine::Financing;

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// `1,234.56 USD` from minor units.
pub fn money(amount: i64, currency: &str) -> String {
    let units = capital_types::MinorUnits::new(amount, &currency.into());
    let decimal = units.to_decimal_string();
    let (whole, fraction) = decimal.split_once('.').unwrap_or((&decimal, ""));
    let negative = whole.starts_with('-');
    let digits = whole.trim_start_matches('-');
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let sign = if negative { "-" } else { "" };
    let fraction = if fraction.is_empty() {
        String::new()
    } else {
        format!(".{fraction}")
    };
    format!(
        "{sign}{grouped}{fraction} {}",
        escape(&currency.to_ascii_uppercase())
    )
}

fn page(title: &str, body: &str) -> String {
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · Capital sandbox</title><style>
body{{margin:0;background:#f6f8fb;font:16px/1.5 ui-sans-serif,system-ui,sans-serif;color:#1a1d24}}
main{{max-width:560px;margin:40px auto;padding:28px;background:#fff;border-radius:16px;box-shadow:0 4px 24px rgb(16 24 40/.08)}}
.badge{{display:inline-block;padding:2px 10px;border-radius:999px;background:#eef2ff;color:#3d4eac;font-size:13px;font-weight:600}}
h1{{font-size:24px;margin:12px 0}} .big{{font-size:36px;font-weight:700;letter-spacing:-.02em}}
dl{{display:grid;grid-template-columns:1fr auto;gap:8px 16px}} dt{{color:#5b6170}} dd{{margin:0;font-weight:600;text-align:right}}
input[type=range]{{width:100%}} button{{width:100%;min-height:44px;border:0;border-radius:10px;background:#3d4eac;color:#fff;font:inherit;font-weight:650;cursor:pointer}}
table{{width:100%;border-collapse:collapse;font-size:14px}} td,th{{padding:6px 4px;border-top:1px solid #e6e8ee;text-align:left}} td.n{{text-align:right}}
.bar{{height:10px;border-radius:99px;background:#e6e8ee;overflow:hidden}} .bar>div{{height:100%;background:#3d4eac}}
a{{color:#3d4eac}}
</style></head><body><main><span class="badge">Capital sandbox · test mode</span>{body}</main></body></html>"#,
        title = escape(title)
    )
}

/// The offer application: choose an amount up to the maximum and submit.
pub fn application(token: &str, offer: &FinancingOffer, return_url: &str) -> String {
    let terms = offer.offered_terms.clone().unwrap_or_default();
    let currency = terms
        .currency
        .as_ref()
        .map(|c| c.as_str().to_owned())
        .unwrap_or_else(|| "usd".into());
    let maximum = terms.advance_amount.unwrap_or(0);
    let fee = terms.fee_amount.unwrap_or(0);
    let step = 10_i64
        .pow(capital_types::Currency::from(currency.as_str()).minor_unit_exponent())
        .max(1);
    let rate = terms
        .withhold_rate
        .map(|r| format!("{}%", (r * 10_000.0).round() / 100.0))
        .unwrap_or_else(|| "—".into());
    let refill = if offer.is_refill() {
        let discount = terms
            .previous_financing_fee_discount_rate
            .map(|r| format!("{}%", (r * 100.0).round()))
            .unwrap_or_else(|| "no".into());
        format!(
            "<p>This refill first repays your current financing, with a {discount} discount on its remaining fee; you receive the difference.</p>"
        )
    } else {
        String::new()
    };
    page(
        "Your financing offer",
        &format!(
            r#"<h1>Apply for financing</h1>{refill}
<form method="post" action="/sandbox/hosted/{token}/submit">
<p>Amount: <span class="big" id="amount">{max_text}</span></p>
<input type="range" name="advance_amount" min="{step}" max="{maximum}" step="{step}" value="{maximum}" aria-label="Amount"
 oninput="document.getElementById('amount').textContent=(this.value/{step}).toLocaleString()+' {code}';document.getElementById('fee').textContent=Math.floor({fee}*this.value/{maximum}/{step}).toLocaleString()+' {code}'">
<dl><dt>Fixed fee</dt><dd id="fee">{fee_text}</dd><dt>Repayment rate</dt><dd>{rate} of daily sales</dd></dl>
<button type="submit">Submit application</button></form>
<p><a href="{return_url}">Back to the platform</a></p>"#,
            token = escape(token),
            max_text = money(maximum, &currency),
            fee_text = money(fee, &currency),
            code = escape(&currency.to_ascii_uppercase()),
            return_url = escape(return_url),
        ),
    )
}

/// After submitting: what happens next.
pub fn submitted(offer: &FinancingOffer, return_url: &str) -> String {
    let terms = offer.accepted_terms.clone().unwrap_or_default();
    let currency = terms
        .currency
        .map(|c| c.as_str().to_owned())
        .unwrap_or_else(|| "usd".into());
    page(
        "Application submitted",
        &format!(
            r#"<h1>Application submitted</h1><p>You applied for <strong>{}</strong>. Capital's servicing team reviews it; the decision comes by email.</p><p><a href="{}">Back to the platform</a></p>"#,
            money(terms.advance_amount.unwrap_or(0), &currency),
            escape(return_url)
        ),
    )
}

/// Financing reporting: the account's financing, progress and transactions.
pub fn reporting(financings: &[Financing], transactions: &[Value], return_url: &str) -> String {
    let mut body = String::from("<h1>Financing reporting</h1>");
    let shown: Vec<&Financing> = financings
        .iter()
        .filter(|f| f.offer.accepted_terms.is_some())
        .collect();
    if shown.is_empty() {
        body.push_str("<p>No financing yet.</p>");
    }
    for financing in shown {
        let terms = financing.offer.accepted_terms.clone().unwrap_or_default();
        let currency = terms
            .currency
            .map(|c| c.as_str().to_owned())
            .unwrap_or_else(|| "usd".into());
        let total = financing.total_owed().max(1);
        let percent = financing.paid * 100 / total;
        let status = match financing.offer.status {
            OfferStatus::Accepted => "Application under review".to_owned(),
            OfferStatus::PaidOut => "In progress".to_owned(),
            OfferStatus::FullyRepaid | OfferStatus::Completed => "Paid in full".to_owned(),
            ref other => other.as_str().replace('_', " "),
        };
        let discount = terms
            .previous_financing_fee_discount_amount
            .map(|d| format!("<dt>Refill discount</dt><dd>{}</dd>", money(d, &currency)))
            .unwrap_or_default();
        body.push_str(&format!(
            r#"<h2>{status}</h2><p>{id}</p><div class="bar" role="progressbar" aria-valuenow="{percent}"><div style="width:{percent}%"></div></div>
<dl><dt>Financing</dt><dd>{advance}</dd><dt>Fee</dt><dd>{fee}</dd><dt>Paid</dt><dd>{paid}</dd><dt>Remaining</dt><dd>{remaining}</dd>{discount}</dl>"#,
            status = escape(&status),
            id = escape(&financing.offer.id),
            advance = money(terms.advance_amount.unwrap_or(0), &currency),
            fee = money(terms.fee_amount.unwrap_or(0), &currency),
            paid = money(financing.paid, &currency),
            remaining = money(financing.remaining(), &currency),
        ));
    }
    if !transactions.is_empty() {
        body.push_str("<h2>Transactions</h2><table><tr><th>Type</th><th>Offer</th><th>Reason</th><th class=n>Amount</th></tr>");
        for t in transactions {
            let currency = t["details"]["currency"].as_str().unwrap_or("usd");
            body.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=n>{}</td></tr>",
                escape(t["type"].as_str().unwrap_or_default()),
                escape(t["financing_offer"].as_str().unwrap_or_default()),
                escape(
                    &t["details"]["reason"]
                        .as_str()
                        .unwrap_or_default()
                        .replace('_', " ")
                ),
                money(t["details"]["total_amount"].as_i64().unwrap_or(0), currency)
            ));
        }
        body.push_str("</table>");
    }
    body.push_str(&format!(
        r#"<p><a href="{}">Back to the platform</a></p>"#,
        escape(return_url)
    ));
    page("Financing reporting", &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_attributes() {
        assert_eq!(
            escape(r#"<a href="x" onclick='y'>&</a>"#),
            "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
    }

    #[test]
    fn money_in_major_units() {
        assert_eq!(money(123_456, "usd"), "1,234.56 USD");
        assert_eq!(money(1_500_000, "jpy"), "1,500,000 JPY");
        assert_eq!(money(-50, "eur"), "-0.50 EUR");
    }
}
