//! What must hold at the end of the fault suite, each promise one function, each checked against
//! Stripe's own record (the stand-in's offers, events and calls) or what the suite saw. A broken
//! promise is a line in `failures`; what was measured on the way is returned for the figures.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use capital_platform::domain::selection::current_offer;
use capital_types::FinancingOffer;
use serde_json::Value;
use sqlx::Row;

use super::load::{self, Life, Shown, View};
use super::parts::{BCC, Instance, StandIn};
use super::{Fault, Followed, Played, instance_name};

/// Every account's offers as Stripe has them now.
pub(crate) struct Truth {
    offers: BTreeMap<String, Vec<Value>>,
}

impl Truth {
    pub(crate) async fn read(stand_in: &StandIn, lives: &[Life]) -> Truth {
        let mut offers = BTreeMap::new();
        for life in lives {
            offers.insert(
                life.account.clone(),
                stand_in.offers_of(&life.account).await,
            );
        }
        Truth { offers }
    }

    /// The offer the account's view should show: what the backend's own selection picks from
    /// Stripe's offers, as Stripe has it.
    fn expected_offer(&self, account: &str) -> Option<Value> {
        let offers = &self.offers[account];
        let typed: Vec<FinancingOffer> = offers
            .iter()
            .map(|offer| serde_json::from_value(offer.clone()).unwrap())
            .collect();
        let current = current_offer(&typed)?;
        offers
            .iter()
            .find(|offer| offer["id"] == current.id.as_str())
            .cloned()
    }
}

/// Every live stream shows its account's final state within 2 s of the quiet; returns the
/// latest any of them caught up.
pub(crate) async fn streams_show_the_final_state(
    streams: &[Followed],
    truth: &Truth,
    quiet: Instant,
    failures: &mut Vec<String>,
) -> Duration {
    let deadline = quiet + Duration::from_secs(2);
    let mut catch_up = Duration::ZERO;
    for (instance, account, latest) in streams {
        let expected = truth.expected_offer(account);
        let shown_final = |shown: &Option<Shown>| {
            shown.as_ref().is_some_and(|shown| {
                shown.state.get("offer").filter(|o| !o.is_null()) == expected.as_ref()
            })
        };
        loop {
            let shown = latest.lock().unwrap().clone();
            if shown_final(&shown) {
                let at = shown.unwrap().at;
                catch_up = catch_up.max(at.saturating_duration_since(quiet));
                break;
            }
            if Instant::now() > deadline {
                failures.push(format!(
                    "the stream of {account} on {} shows {} instead of {} 2 s after the end",
                    instance_name(*instance),
                    describe(shown.as_ref().and_then(|s| s.state.get("offer"))),
                    describe(expected.as_ref()),
                ));
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    catch_up
}

/// Every offer stored exactly as Stripe has it now (no older event won, none lost), and none
/// stored that Stripe does not know; returns how many were checked.
pub(crate) async fn offers_are_stored_as_stripe_has_them(
    db: &sqlx::PgPool,
    truth: &Truth,
    failures: &mut Vec<String>,
) -> usize {
    let stored: HashMap<String, Value> = sqlx::query("SELECT id, body FROM offers")
        .fetch_all(db)
        .await
        .unwrap()
        .iter()
        .map(|row| {
            let body: String = row.get("body");
            (row.get("id"), serde_json::from_str(&body).unwrap())
        })
        .collect();
    let mut checked = 0;
    for (account, offers) in &truth.offers {
        for offer in offers {
            checked += 1;
            let id = offer["id"].as_str().unwrap();
            match stored.get(id) {
                None => failures.push(format!("{account}'s offer {id} was never stored")),
                Some(body) if body != offer => failures.push(format!(
                    "{id} is stored as {} but Stripe has {} (fields that differ: {})",
                    describe(Some(body)),
                    describe(Some(offer)),
                    differing_fields(body, offer).join(", ")
                )),
                Some(_) => {}
            }
        }
    }
    if stored.len() != checked {
        failures.push(format!(
            "{} offers stored, Stripe has {checked}",
            stored.len()
        ));
    }
    checked
}

/// Every account's view, on both instances, shows what Stripe's offers select.
pub(crate) async fn views_show_what_stripe_selects(
    bases: &[String],
    truth: &Truth,
    failures: &mut Vec<String>,
) {
    let client = reqwest::Client::new();
    for account in truth.offers.keys() {
        let expected = truth.expected_offer(account);
        for (instance, base) in bases.iter().enumerate() {
            let answer = client
                .get(format!("{base}/api/capital/offer"))
                .bearer_auth(load::token(account))
                .send()
                .await
                .unwrap();
            let status = answer.status();
            let view: Value = answer.json().await.unwrap_or(Value::Null);
            let shown = view.get("offer").filter(|o| !o.is_null());
            if status != 200 || shown != expected.as_ref() {
                failures.push(format!(
                    "{account}'s view on {} is {status} {} instead of {}",
                    instance_name(instance),
                    describe(shown),
                    describe(expected.as_ref())
                ));
            }
        }
    }
}

/// What the emails came to.
pub(crate) struct EmailFigures {
    /// Offers by how many emails they got.
    pub(crate) per_offer: BTreeMap<u32, usize>,
    pub(crate) duplicate_emails: u32,
    pub(crate) duplicate_marks: u32,
}

/// Every offer Stripe announced with `created` (refills too: a new offer is news, as Stripe's
/// guide says) got one email, to the account's address with Stripe in the envelope, and was
/// marked delivered at Stripe (before the user acted: the lives waited for it). A second copy
/// is allowed only where an instance died or lost its database between the mail server's
/// acceptance and the record: at most one per such fault. None about offers never announced.
pub(crate) fn each_offer_emailed_once_and_marked_delivered(
    messages: &[String],
    calls: &Value,
    events: &Value,
    lives: &[Life],
    played: &[Played],
    failures: &mut Vec<String>,
) -> EmailFigures {
    let mut emails: HashMap<String, u32> = HashMap::new();
    let mut emails_without_bcc = 0;
    for message in messages {
        let id = message
            .lines()
            .find_map(|line| {
                let value = line.strip_prefix("Message-ID: <capital-offer.")?;
                Some(value.split('@').next()?.to_owned())
            })
            .unwrap_or_else(|| "(no offer's Message-ID)".into());
        if !message.lines().next().is_some_and(|to| to.contains(BCC)) {
            emails_without_bcc += 1;
        }
        *emails.entry(id).or_default() += 1;
    }
    let mut marks: HashMap<String, u32> = HashMap::new();
    for offer in calls["marked_delivered"].as_array().unwrap() {
        *marks.entry(offer.as_str().unwrap().to_owned()).or_default() += 1;
    }
    let mut announced: Vec<String> = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| event["type"] == "capital.financing_offer.created")
        .map(|event| event["object"].as_str().unwrap().to_owned())
        .collect();
    announced.sort();
    announced.dedup();
    for offer in lives.iter().flat_map(|life| &life.emailed_offers) {
        if !announced.contains(offer) {
            failures.push(format!(
                "{offer} was created but Stripe never sent its `created`"
            ));
        }
    }
    let mut figures = EmailFigures {
        per_offer: BTreeMap::new(),
        duplicate_emails: 0,
        duplicate_marks: 0,
    };
    for offer in &announced {
        let sent = emails.get(offer).copied().unwrap_or(0);
        *figures.per_offer.entry(sent).or_default() += 1;
        figures.duplicate_emails += sent.saturating_sub(1);
        if sent == 0 {
            failures.push(format!("{offer} was never emailed"));
        }
        let marked = marks.get(offer).copied().unwrap_or(0);
        figures.duplicate_marks += marked.saturating_sub(1);
        if marked == 0 {
            failures.push(format!(
                "{offer} was emailed but never marked delivered at Stripe"
            ));
        }
    }
    let unexpected: Vec<&String> = emails.keys().filter(|id| !announced.contains(id)).collect();
    if !unexpected.is_empty() {
        failures.push(format!(
            "emails about offers Stripe never announced: {unexpected:?}"
        ));
    }
    if emails_without_bcc > 0 {
        failures.push(format!("{emails_without_bcc} emails without Stripe's BCC"));
    }
    let crashes = played
        .iter()
        .filter(|p| {
            matches!(
                p.fault,
                Fault::Kill(..) | Fault::PostgresRestart | Fault::Cut(..)
            )
        })
        .count() as u32;
    if figures.duplicate_emails > crashes {
        failures.push(format!(
            "{} second emails, more than the {crashes} crashes and outages that could cause one",
            figures.duplicate_emails
        ));
    }
    figures
}

/// Page views: `200`, or `503` with `Retry-After` while that instance's database was away; no
/// answer only while the instance was dead; a failed read from Stripe only while Stripe failed,
/// and only before the account's first answer (its one cold read: after it, views never wait on
/// Stripe); never a hang, never another account's offer. Returns the views by what they got.
pub(crate) fn page_views_answered_as_promised(
    views: &[View],
    played: &[Played],
    load_began: Instant,
    failures: &mut Vec<String>,
) -> BTreeMap<String, usize> {
    let mut first_answered: HashMap<&str, Instant> = HashMap::new();
    for view in views.iter().filter(|view| view.status == Some(200)) {
        let answered = view.at + view.took;
        let first = first_answered.entry(&view.account).or_insert(answered);
        *first = (*first).min(answered);
    }
    let mut by_status: BTreeMap<String, usize> = BTreeMap::new();
    let grace = Duration::from_secs(5);
    for view in views {
        let key = match view.status {
            Some(status) => status.to_string(),
            None if view.timed_out => "timed out".into(),
            None => "no answer".into(),
        };
        *by_status.entry(key.clone()).or_default() += 1;
        let during = |wanted: &dyn Fn(&Fault) -> bool, after: Duration| {
            played.iter().any(|p| {
                wanted(&p.fault) && view.at + view.took >= p.began && view.at <= p.ended + after
            })
        };
        let database_away = during(&|fault| fault.takes_the_database_from(view.instance), grace);
        let dead = during(
            &|fault| matches!(fault, Fault::Kill(i, _) if *i == view.instance),
            grace,
        );
        // A failed cold read is not tried again for a while (doubling from 2 s): a minute at
        // most here.
        let stripe_failing = during(
            &|fault| matches!(fault, Fault::Stripe(..)),
            Duration::from_secs(60),
        );
        let cold = first_answered
            .get(view.account.as_str())
            .is_none_or(|first| *first > view.at);
        let fine = match view.status {
            Some(200) => true,
            Some(503) => view.retry_after && (database_away || dead || (stripe_failing && cold)),
            Some(502) => stripe_failing && cold,
            Some(_) => false,
            None => !view.timed_out && dead,
        };
        if view.wrong_account {
            failures.push(format!(
                "a view on {} showed another account's offer",
                instance_name(view.instance)
            ));
        }
        if !fine {
            failures.push(format!(
                "a view of {} on {} {:.1} s into the load: {key} after {:?} ({}){}{}",
                view.account,
                instance_name(view.instance),
                view.at.duration_since(load_began).as_secs_f64(),
                view.took,
                view.detail,
                if view.status == Some(503) && !view.retry_after {
                    ", without Retry-After"
                } else {
                    ""
                },
                if cold {
                    ", before the account's first answer"
                } else {
                    ""
                },
            ));
        }
    }
    by_status
}

/// A killed instance's claims are taken over within 30 s; both instances are ready at the end
/// with no step but their restart, and neither logged a panic.
pub(crate) fn instances_recovered_by_themselves(
    played: &[Played],
    readiness: &[(Instant, usize, bool)],
    instances: &[Instance],
    failures: &mut Vec<String>,
) {
    for p in played {
        if let Some(takeover) = p.takeover
            && takeover > Duration::from_secs(30)
        {
            failures.push(format!(
                "after {}, its claims were taken over only after {takeover:?}",
                p.fault.name()
            ));
        }
    }
    for (instance, process) in instances.iter().enumerate() {
        let last = readiness.iter().rev().find(|(_, i, _)| *i == instance);
        if !last.is_some_and(|(_, _, ready)| *ready) {
            failures.push(format!(
                "instance {} is not ready at the end",
                instance_name(instance)
            ));
        }
        failures.extend(process.panics());
    }
}

/// The problems the accounts' lives met (a refused tool, an offer never marked delivered).
pub(crate) fn lives_went_as_planned(lives: &[Life], failures: &mut Vec<String>) {
    for life in lives {
        failures.extend(
            life.problems
                .iter()
                .map(|p| format!("{}: {p}", life.account)),
        );
    }
}

fn describe(offer: Option<&Value>) -> String {
    match offer {
        Some(offer) => format!(
            "{} {}",
            offer["id"].as_str().unwrap_or("?"),
            offer["status"].as_str().unwrap_or("?")
        ),
        None => "no offer".into(),
    }
}

fn differing_fields(a: &Value, b: &Value) -> Vec<String> {
    let (Some(a), Some(b)) = (a.as_object(), b.as_object()) else {
        return vec!["(not objects)".into()];
    };
    a.keys()
        .chain(b.keys())
        .filter(|key| a.get(*key) != b.get(*key))
        .map(|key| key.to_owned())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}
