//! `paid_out`: repayment in progress, from the financing summary.

use capital_types::{AccountLinkType, Branding};
use leptos::prelude::*;

use super::offer::interval_text;
use super::parts::{Cta, Disclaimer, Header, Term, withhold_text};
use crate::controller::Controller;
use crate::i18n::fill;
use crate::view_model::ProgressView as Progress;

#[component]
pub fn ProgressView(
    controller: Controller,
    /// Paid and remaining amounts, progress and intervals.
    progress: Progress,
    /// The platform's branding.
    branding: Option<Branding>,
) -> impl IntoView {
    move || {
        let text = controller.text();
        let format = controller.formatter.get();
        let percent = progress.progress;
        let caption =
            percent.map(|p| fill(text.progress_value, &[("percent", &format.progress(p))]));
        let withhold = withhold_text(text, &format, progress.withhold_rate.as_ref());
        let current = progress.current_interval.as_ref().map(|interval| {
            let status = fill(
                text.interval_status,
                &[
                    ("paid", &format.money(interval.paid.as_ref())),
                    ("remaining", &format.money(interval.remaining.as_ref())),
                ],
            );
            match interval.due_at_ms {
                Some(ms) => format!(
                    "{status} · {}",
                    fill(text.interval_due, &[("date", &format.date(Some(ms)))])
                ),
                None => status,
            }
        });
        let terms = progress
            .interval
            .as_ref()
            .map(|terms| interval_text(controller, terms));
        view! {
            <div class="main">
                <Header controller=controller branding=branding.clone() financing_type=None/>
                <h2 part="heading" class="heading">{text.progress_heading}</h2>
                <div
                    part="progress"
                    class="progress"
                    role="progressbar"
                    aria-valuemin="0"
                    aria-valuemax="100"
                    aria-valuenow=percent.map(|p| p.whole_percent().to_string())
                    aria-valuetext=caption.clone()
                >
                    <div class="progress-fill" style=format!("inline-size: {}", percent.map_or("0%".to_owned(), |p| p.css_length()))></div>
                </div>
                {caption.map(|caption| view! { <p class="progress-caption">{caption}</p> })}
            </div>
            <div class="figures">
                <dl class="terms">
                    <div class="term">
                        <dt>{text.paid_label}</dt>
                        <dd>{format.money(progress.paid.as_ref())}</dd>
                    </div>
                    <div class="term">
                        <dt>{text.remaining_label}</dt>
                        <dd part="amount">{format.money(progress.remaining.as_ref())}</dd>
                    </div>
                    <Term label=text.withhold_label part="withhold-rate" value=withhold/>
                    {current.map(|line| view! { <div class="term wide"><dt>{text.interval_heading}</dt><dd>{line}</dd></div> })}
                    {terms.map(|line| view! { <div class="term wide"><dd class="note">{line}</dd></div> })}
                </dl>
            </div>
            <Cta controller=controller label=text.cta_progress link_type=AccountLinkType::CapitalFinancingReporting/>
            <Disclaimer controller=controller variant=progress.disclaimer.clone()/>
        }
    }
}
