//! The fault suite's figures, as the Markdown tables BENCHMARKS.md keeps: what was sent,
//! duplicated and stored, emails per offer, delivery times, page views by answer, streams, and
//! each fault with how long it lasted, when the instances were ready again and the claims taken
//! over.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::checks::EmailFigures;
use super::load::Life;
use super::{Fault, Played};

/// What one run measured.
pub(crate) struct Run<'a> {
    pub(crate) rounds: usize,
    pub(crate) accounts: usize,
    pub(crate) setup: Duration,
    pub(crate) load: Duration,
    pub(crate) to_quiet: Duration,
    /// The stand-in's `/_stand_in/deliveries`.
    pub(crate) deliveries: &'a Value,
    /// The stand-in's `/_stand_in/events`.
    pub(crate) events: &'a Value,
    pub(crate) offers_checked: usize,
    pub(crate) emails: &'a EmailFigures,
    pub(crate) lives: &'a [Life],
    pub(crate) views_by_status: &'a BTreeMap<String, usize>,
    pub(crate) streams: usize,
    pub(crate) reconnects: u32,
    pub(crate) catch_up: Duration,
    pub(crate) played: &'a [Played],
    pub(crate) readiness: &'a [(Instant, usize, bool)],
}

pub(crate) fn figures(run: &Run<'_>) -> String {
    let deliveries = run.deliveries;
    let mut event_types: BTreeMap<String, usize> = BTreeMap::new();
    for event in run.events.as_array().unwrap() {
        *event_types
            .entry(event["type"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    let mut delivered_after: Vec<Duration> = run
        .lives
        .iter()
        .flat_map(|life| life.delivered_after.clone())
        .collect();
    delivered_after.sort();
    let percentile = |p: f64| -> Duration {
        delivered_after
            .get(((delivered_after.len() as f64 - 1.0) * p).round() as usize)
            .copied()
            .unwrap_or_default()
    };
    let mut report = String::new();
    let mut line = |text: String| {
        report.push_str(&text);
        report.push('\n');
    };
    line(format!(
        "## Fault suite: {} round(s), {} accounts, {:.0} s of load ({:.0} s setup, {:.1} s to quiet)\n",
        run.rounds,
        run.accounts,
        run.load.as_secs_f64(),
        run.setup.as_secs_f64(),
        run.to_quiet.as_secs_f64()
    ));
    line("| what | figure |".into());
    line("|---|---:|".into());
    line(format!("| events Stripe sent | {} |", deliveries["events"]));
    for (event_type, n) in &event_types {
        line(format!("| · {event_type} | {n} |"));
    }
    line(format!(
        "| deliveries: first, duplicates (to both instances, and again later), failed attempts | {}, {}, {} |",
        deliveries["delivered"], deliveries["duplicates"], deliveries["failed_attempts"]
    ));
    line(format!(
        "| offers at Stripe, all stored as Stripe has them | {} |",
        run.offers_checked
    ));
    line(format!(
        "| offers emailed: once, twice | {}, {} |",
        run.emails.per_offer.get(&1).unwrap_or(&0),
        run.emails.per_offer.get(&2).unwrap_or(&0)
    ));
    line(format!(
        "| second emails (a crash between the mail server's acceptance and the record) | {} |",
        run.emails.duplicate_emails
    ));
    line(format!(
        "| mark-delivered calls repeated (a crash after Stripe's answer) | {} |",
        run.emails.duplicate_marks
    ));
    line(format!(
        "| created → delivered at Stripe: median, p95, max | {:.1} s, {:.1} s, {:.1} s |",
        percentile(0.5).as_secs_f64(),
        percentile(0.95).as_secs_f64(),
        percentile(1.0).as_secs_f64()
    ));
    line(format!(
        "| page views: {} | {} |",
        run.views_by_status
            .keys()
            .cloned()
            .collect::<Vec<_>>()
            .join(", "),
        run.views_by_status
            .values()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    ));
    line(format!(
        "| live streams ({}), reconnects, final state after the quiet | {}, {}, {:.2} s |",
        run.streams,
        run.streams,
        run.reconnects,
        run.catch_up.as_secs_f64()
    ));
    line(String::new());
    line("| fault | played for | ready again after | claims held, taken over after |".into());
    line("|---|---:|---:|---:|".into());
    for p in run.played {
        let recovered = match p.fault {
            Fault::Kill(..) => format!(
                "{:.1} s from its start",
                p.restart_took.unwrap_or_default().as_secs_f64()
            ),
            Fault::PostgresRestart | Fault::Cut(..) => ready_again_after(run.readiness, p),
            // The mail server and Stripe are not the instances' readiness: they stay ready.
            Fault::SmtpRefuses(..) | Fault::SmtpDown(..) | Fault::Stripe(..) => "—".into(),
        };
        line(format!(
            "| {} | {:.1} s | {recovered} | {} |",
            p.fault.name(),
            p.ended.duration_since(p.began).as_secs_f64(),
            match p.takeover {
                Some(t) => format!("{}, {:.1} s", p.claims_held, t.as_secs_f64()),
                None if matches!(p.fault, Fault::Kill(..)) => "none held".into(),
                None => "".into(),
            }
        ));
    }
    report
}

/// After a fault: how long from its end until every instance that stopped being ready during
/// it was ready again ("stayed ready" when none stopped).
fn ready_again_after(readiness: &[(Instant, usize, bool)], p: &Played) -> String {
    let window_end = p.ended + Duration::from_secs(5);
    let mut latest: Option<Instant> = None;
    for instance in 0..2 {
        let lost = readiness
            .iter()
            .filter(|(at, i, ready)| {
                *i == instance && !ready && *at >= p.began && *at <= window_end
            })
            .map(|(at, _, _)| *at)
            .max();
        let Some(lost) = lost else { continue };
        let back = readiness
            .iter()
            .find(|(at, i, ready)| *i == instance && *ready && *at > lost)
            .map(|(at, _, _)| *at);
        match back {
            Some(back) => latest = Some(latest.map_or(back, |l| l.max(back))),
            None => return "never".into(),
        }
    }
    match latest {
        Some(back) => format!(
            "{:.1} s",
            back.saturating_duration_since(p.ended).as_secs_f64()
        ),
        None => "stayed ready".into(),
    }
}
