//! Every state with an offer (`undelivered` to `rejected`), rendered from its [`Card`]. One
//! render tree for all of them keeps the element small; what differs between states is data.

use leptos::either::Either;
use leptos::prelude::*;

use super::TileSource;
use super::cta::Cta;
use crate::model::card::{Brand, Card, Term};

#[component]
pub(super) fn CardContent<S: TileSource>(
    /// The element's state (for the call to action and the icon's URL).
    source: S,
    /// What to show, already formatted.
    card: Card,
) -> impl IntoView {
    let Card {
        brand,
        dot,
        heading,
        lede,
        progress,
        amount,
        terms,
        cta_label,
        link_type,
        legal,
    } = card;
    let figures = (amount.is_some() || !terms.is_empty()).then(|| {
        let terms = (!terms.is_empty()).then(|| {
            view! { <dl class="terms">{terms.into_iter().map(term).collect_view()}</dl> }
        });
        view! {
            <div class="figures">
                {amount.map(|amount| view! {
                    <div class="amount-block">
                        {amount.label.map(|label| view! { <span class="amount-label">{label}</span> })}
                        <span part="amount" class="amount">{amount.value}</span>
                    </div>
                })}
                {terms}
            </div>
        }
    });
    view! {
        <div class="main">
            {header(source, brand)}
            <h2 part="heading" class="heading">
                {dot.map(|dot| view! { <span class=dot aria-hidden="true"></span> })}
                {heading}
            </h2>
            {lede.map(|lede| view! { <p class="lede">{lede}</p> })}
            {progress.map(|bar| view! {
                <div
                    part="progress"
                    class="progress"
                    role="progressbar"
                    aria-label=bar.label
                    aria-valuemin="0"
                    aria-valuemax="100"
                    aria-valuenow=bar.now
                    aria-valuetext=bar.caption.clone()
                >
                    <div class="progress-fill"></div>
                </div>
                {bar.caption.map(|caption| view! { <p class="progress-caption">{caption}</p> })}
            })}
        </div>
        {figures}
        <Cta source=source label=cta_label link_type=link_type/>
        // Deliberately not a `part`: the host page must not be able to hide the legal notice.
        {legal.map(|legal| view! { <p class="legal">{legal}</p> })}
    }
}

/// The platform's icon and business name and the financing type; nothing when all are missing.
fn header(source: impl TileSource, brand: Brand) -> impl IntoView {
    let icon = brand.icon.as_deref().and_then(|url| source.image_url(url));
    (icon.is_some() || brand.name.is_some() || brand.chip.is_some()).then(|| {
        view! {
            <div class="brand">
                {icon.map(|src| view! { <img class="brand-icon" src=src alt="" width="28" height="28" loading="lazy"/> })}
                {brand.name.map(|name| view! { <span class="brand-name">{name}</span> })}
                {brand.chip.map(|label| view! { <span class="chip">{label}</span> })}
            </div>
        }
    })
}

/// One row of the terms list.
fn term(term: Term) -> impl IntoView {
    let value = match term.datetime {
        Some(datetime) => Either::Left(view! { <time datetime=datetime>{term.value}</time> }),
        None => Either::Right(term.value),
    };
    view! {
        <div class=term.class>
            {term.label.map(|label| view! { <dt>{label}</dt> })}
            <dd part=term.part class=term.note.then_some("note")>{value}</dd>
        </div>
    }
}
