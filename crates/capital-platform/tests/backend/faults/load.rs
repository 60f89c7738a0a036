//! The load the fault suite runs while it breaks things: accounts living their offers' whole
//! lives at "Stripe" (the stand-in's dashboard tools), page views on both instances, live
//! streams on both instances, and a watch on each instance's readiness. Each records what it saw
//! with the time it saw it; the suite's checks read the records at the end.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use super::parts::{AUDIENCE, StandIn};
use crate::harness::{TEST_IDENTITY_SECRET, now_seconds};

/// A session token for `account`, as a platform's sign-in would mint one.
pub(crate) fn token(account: &str) -> String {
    let now = now_seconds();
    let claims = json!({"sub": account, "aud": AUDIENCE, "iat": now, "exp": now + 600});
    let key = EncodingKey::from_secret(TEST_IDENTITY_SECRET.as_bytes()).unwrap();
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &key).unwrap()
}

pub(crate) fn account(n: usize) -> String {
    format!("acct_1Fault{n:05}")
}

/// What one account's life at "Stripe" came to.
#[derive(Debug, Default)]
pub(crate) struct Life {
    pub(crate) account: String,
    /// Offers created for the account: each must be emailed once and marked delivered.
    pub(crate) emailed_offers: Vec<String>,
    /// How long each of those took to show `delivered` at Stripe after it was created.
    pub(crate) delivered_after: Vec<Duration>,
    /// What went wrong (a refused tool, an offer never marked delivered).
    pub(crate) problems: Vec<String>,
}

/// One account's life: an offer created; once the platform has told the user (Stripe shows it
/// `delivered`) and they have read it, one of ten paths, chosen by `n`: financed and repaid in
/// full, financed and refilled (the refill emailed and financed in turn), financed and still
/// repaying, replaced by a larger offer, financed then rejected, expired, or left open.
pub(crate) async fn live(stand_in: &StandIn, bases: &[String], n: usize) -> Life {
    let mut life = Life {
        account: account(n),
        ..Life::default()
    };
    // The user opens the platform's dashboard before Stripe has an offer for them (the tile is
    // empty): the account's one cold read from Stripe.
    first_visit(bases, &mut life).await;
    let created = stand_in
        .act(
            "/offers",
            json!({"account": life.account, "advance_amount": 1_000_000 + (n as i64 % 7) * 250_000, "fee_amount": 120_000}),
        )
        .await;
    let offer = match created {
        Ok(offer) => offer["id"].as_str().unwrap().to_owned(),
        Err(problem) => {
            life.problems.push(problem);
            return life;
        }
    };
    if !await_delivered(stand_in, &mut life, &offer).await {
        return life;
    }
    let path = n % 10;
    let step = |action: &'static str, amount: Option<i64>| {
        let offer = offer.clone();
        async move {
            reading_pause().await;
            stand_in
                .act(
                    &format!("/offers/{offer}/{action}"),
                    json!({"amount": amount}),
                )
                .await
        }
    };
    let steps: Vec<(&str, Option<i64>)> = match path {
        0 | 1 => vec![
            ("accept", Some(800_000)),
            ("approve", None),
            ("repay", Some(150_000)),
            ("repay", Some(150_000)),
            ("repay", Some(150_000)),
            ("repay_in_full", None),
        ],
        2..=4 => vec![
            ("accept", Some(800_000)),
            ("approve", None),
            ("repay", Some(200_000)),
            ("repay", Some(200_000)),
            ("repay", Some(200_000)),
        ],
        5 | 6 => vec![("replace", Some(2_000_000))],
        7 => vec![("accept", Some(500_000)), ("reject", None)],
        8 => vec![("expire", None)],
        _ => vec![],
    };
    for (action, amount) in steps {
        if let Err(problem) = step(action, amount).await {
            life.problems.push(problem);
            return life;
        }
    }
    if path == 2 {
        // Over half repaid: a refill is offered, emailed like any offer, and financed.
        reading_pause().await;
        let refill = match stand_in
            .act(&format!("/accounts/{}/refill", life.account), json!({}))
            .await
        {
            Ok(refill) => (
                refill["id"].as_str().unwrap().to_owned(),
                refill["status"].as_str().unwrap_or_default().to_owned(),
            ),
            Err(problem) => {
                life.problems.push(problem);
                return life;
            }
        };
        // Created `delivered` or not, the platform emails a new offer and says so to Stripe;
        // the user reads the email before applying.
        if !await_delivered(stand_in, &mut life, &refill.0).await {
            return life;
        }
        let refill = refill.0;
        for (action, amount) in [("accept", Some(600_000)), ("approve", None)] {
            reading_pause().await;
            if let Err(problem) = stand_in
                .act(
                    &format!("/offers/{refill}/{action}"),
                    json!({"amount": amount}),
                )
                .await
            {
                life.problems.push(problem);
                return life;
            }
        }
    }
    life
}

/// The account's page, viewed on one instance after the other until it answers (a minute at
/// most): what a user does who opens the dashboard while an instance restarts.
async fn first_visit(bases: &[String], life: &mut Life) {
    let client = reqwest::Client::builder()
        .timeout(VIEW_TIMEOUT)
        .build()
        .unwrap();
    let began = Instant::now();
    for attempt in 0.. {
        let base = &bases[(attempt + rand::random_range(0..bases.len())) % bases.len()];
        let answer = client
            .get(format!("{base}/api/capital/offer"))
            .bearer_auth(token(&life.account))
            .send()
            .await;
        if answer.is_ok_and(|answer| answer.status().is_success()) {
            return;
        }
        if began.elapsed() > Duration::from_secs(60) {
            life.problems
                .push("the account's page never answered in a minute".into());
            return;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// A user reads before they act: a quarter to one and a half seconds.
async fn reading_pause() {
    tokio::time::sleep(Duration::from_millis(rand::random_range(250..1_500))).await;
}

/// How long an offer may take to be emailed and marked delivered at Stripe whatever the suite
/// breaks meanwhile (its faults add up to well under this).
const DELIVERY_DEADLINE: Duration = Duration::from_secs(150);

/// Waits until the platform has told Stripe that `offer` was delivered (it emailed it first),
/// noting how long that took; `false`, with the problem noted, when it never did.
async fn await_delivered(stand_in: &StandIn, life: &mut Life, offer: &str) -> bool {
    life.emailed_offers.push(offer.to_owned());
    let began = Instant::now();
    while began.elapsed() < DELIVERY_DEADLINE {
        if stand_in.marked_delivered(offer).await {
            life.delivered_after.push(began.elapsed());
            return true;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    life.problems.push(format!(
        "{offer} was never marked delivered at Stripe within {DELIVERY_DEADLINE:?}"
    ));
    false
}

/// One page view: when, where, what came back.
#[derive(Debug, Clone)]
pub(crate) struct View {
    pub(crate) account: String,
    pub(crate) at: Instant,
    pub(crate) instance: usize,
    pub(crate) took: Duration,
    /// The HTTP status, or `None` when no answer came (connection refused or reset, or the
    /// client's timeout).
    pub(crate) status: Option<u16>,
    pub(crate) timed_out: bool,
    pub(crate) retry_after: bool,
    /// An offer of another account than the token's.
    pub(crate) wrong_account: bool,
    pub(crate) detail: String,
}

/// How long a page view may take before it counts as a hang (the element gives up at 15 s).
pub(crate) const VIEW_TIMEOUT: Duration = Duration::from_secs(15);

/// Views random accounts' pages on random instances until `stop`.
pub(crate) async fn view_pages(
    bases: Vec<String>,
    accounts: Arc<Mutex<Vec<String>>>,
    views: Arc<Mutex<Vec<View>>>,
    stop: tokio::sync::watch::Receiver<bool>,
) {
    let client = reqwest::Client::builder()
        .timeout(VIEW_TIMEOUT)
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    while !*stop.borrow() {
        let account = {
            let accounts = accounts.lock().unwrap();
            if accounts.is_empty() {
                None
            } else {
                Some(accounts[rand::random_range(0..accounts.len())].clone())
            }
        };
        let Some(account) = account else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        let instance = rand::random_range(0..bases.len());
        let at = Instant::now();
        let answer = client
            .get(format!("{}/api/capital/offer", bases[instance]))
            .bearer_auth(token(&account))
            .send()
            .await;
        let mut view = View {
            account: account.clone(),
            at,
            instance,
            took: Duration::ZERO,
            status: None,
            timed_out: false,
            retry_after: false,
            wrong_account: false,
            detail: String::new(),
        };
        match answer {
            Ok(answer) => {
                view.status = Some(answer.status().as_u16());
                view.retry_after = answer.headers().contains_key("retry-after");
                let body: Value = answer.json().await.unwrap_or(Value::Null);
                let shown = body["offer"]["account"].as_str();
                view.wrong_account = shown.is_some_and(|shown| shown != account);
                if view.status != Some(200) {
                    view.detail = body["error"]["message"].as_str().unwrap_or("").to_owned();
                }
            }
            Err(error) => {
                view.timed_out = error.is_timeout();
                view.detail = error.to_string();
            }
        }
        view.took = at.elapsed();
        views.lock().unwrap().push(view);
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
}

/// What one live stream last showed, and when.
#[derive(Debug, Clone)]
pub(crate) struct Shown {
    pub(crate) at: Instant,
    pub(crate) state: Value,
}

/// A live stream of `account` on one instance, opened again whenever it ends (after the
/// server's `retry:` hint, as `EventSource` does, or a second); every state it is sent kept as
/// the latest. Counts its reconnects.
pub(crate) async fn follow(
    base: String,
    account: String,
    latest: Arc<Mutex<Option<Shown>>>,
    reconnects: Arc<std::sync::atomic::AtomicU32>,
    stop: tokio::sync::watch::Receiver<bool>,
) {
    use futures_util::StreamExt;
    let client = reqwest::Client::new();
    let mut last_id: Option<String> = None;
    let mut first = true;
    while !*stop.borrow() {
        if !first {
            reconnects.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        first = false;
        let mut request = client
            .get(format!("{base}/api/capital/offer/events"))
            .bearer_auth(token(&account));
        if let Some(id) = &last_id {
            request = request.header("last-event-id", id);
        }
        let Ok(answer) = request.send().await else {
            continue;
        };
        if !answer.status().is_success() {
            continue;
        }
        let mut body = answer.bytes_stream();
        let mut buffer = String::new();
        let mut stop_watch = stop.clone();
        loop {
            let chunk = tokio::select! {
                chunk = body.next() => chunk,
                _ = stop_watch.wait_for(|stop| *stop) => return,
            };
            let Some(Ok(chunk)) = chunk else { break };
            buffer.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buffer.find("\n\n") {
                let block: String = buffer.drain(..end + 2).collect();
                let (mut event, mut data, mut id) = ("", None, None);
                for line in block.lines() {
                    if let Some(value) = line.strip_prefix("event: ") {
                        event = if value == "offer" { "offer" } else { "other" };
                    } else if let Some(value) = line.strip_prefix("data: ") {
                        data = serde_json::from_str::<Value>(value).ok();
                    } else if let Some(value) = line.strip_prefix("id: ") {
                        id = Some(value.to_owned());
                    }
                }
                if event == "offer"
                    && let Some(state) = data
                {
                    *latest.lock().unwrap() = Some(Shown {
                        at: Instant::now(),
                        state,
                    });
                    last_id = id.or(last_id.take());
                }
            }
        }
    }
}

/// Each instance's readiness, polled every 200 ms: `(when, instance, ready)` at each change.
pub(crate) async fn watch_readiness(
    bases: Vec<String>,
    changes: Arc<Mutex<Vec<(Instant, usize, bool)>>>,
    stop: tokio::sync::watch::Receiver<bool>,
) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let mut ready = vec![None; bases.len()];
    while !*stop.borrow() {
        for (instance, base) in bases.iter().enumerate() {
            let now_ready = client
                .get(format!("{base}/readyz"))
                .send()
                .await
                .is_ok_and(|answer| answer.status().is_success());
            if ready[instance] != Some(now_ready) {
                ready[instance] = Some(now_ready);
                changes
                    .lock()
                    .unwrap()
                    .push((Instant::now(), instance, now_ready));
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
