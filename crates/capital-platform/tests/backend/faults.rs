//! The fault suite: the backend's promises held together, as a platform runs it. Two release
//! instances in Stripe mode (`--offer-notice email`) share one throwaway PostgreSQL cluster,
//! each through a proxy the suite can cut; the stand-in Stripe sends its signed events to both
//! at random, a fifth of them twice or more and in no order, retrying each until a 2xx; the real
//! SMTP server takes the offer emails. While hundreds of accounts live their offers' whole lives
//! and pages and live streams are read on both instances, the suite kills an instance with
//! SIGKILL mid-burst (and restarts it, as a service manager would), restarts PostgreSQL, cuts one
//! instance's database connections, makes the mail server refuse (451, then 550) and vanish, and
//! makes Stripe answer 500 and then 429.
//!
//! At the end it checks, against Stripe's own record (the stand-in's offers, events, calls):
//! every offer stored as Stripe has it now; every account's view on both instances showing what
//! Stripe's offers select; every emailed offer emailed once (a second copy only where a crash or
//! an outage fell between the mail server's acceptance and the record, counted) and marked
//! delivered at Stripe before the user acted on it; every live stream showing each account's
//! final state within 2 s; every page view answered (`200`, or `503` with `Retry-After` while
//! the database was away), none hung, none with another account's data; claims a killed
//! instance held taken over within 30 s; both instances ready again without a hand.
//!
//! The test below reads as the run goes: `faults/parts.rs` starts the real parts,
//! `faults/load.rs` plays the accounts, the page views, the streams and the readiness watch,
//! [`play_faults`] breaks things on time, `faults/checks.rs` holds each promise against the
//! record, and `faults/report.rs` writes the figures.
//!
//! `scripts/test` runs one round (about two minutes): `cargo test -p capital-platform --test
//! backend faults:: -- --ignored`. A soak: `CAPITAL_FAULT_SOAK=10` runs ten rounds of faults
//! over ten times the accounts. The figures go to stderr and to
//! `target/tmp/fault-suite-report.md`; BENCHMARKS.md keeps a run's.

mod checks;
mod load;
mod parts;
mod report;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::Row;

use crate::harness::SmtpSink;
use checks::Truth;
use load::{Life, Shown, View};
use parts::{Instance, PostgresCluster, StandIn};

/// One round: when each fault begins (seconds into the round) and what it is.
const ROUND: [(u64, Fault); 10] = [
    (8, Fault::SmtpRefuses(550, 6)),
    (15, Fault::Kill(0, 4)),
    // Longer than an offer email's tries used to last (30 s): none may be given up, and those
    // that could not reach it go as soon as the server answers again.
    (22, Fault::SmtpDown(35)),
    (26, Fault::Stripe(500, 8)),
    (44, Fault::PostgresRestart),
    (58, Fault::Stripe(429, 6)),
    (64, Fault::Cut(1, 6)),
    (68, Fault::SmtpRefuses(451, 4)),
    (74, Fault::Kill(1, 4)),
    (82, Fault::SmtpRefuses(451, 4)),
];
/// A round's length: accounts are created over its first 70 s.
const ROUND_SECONDS: u64 = 88;
const CREATION_SECONDS: f64 = 70.0;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Fault {
    /// The mail server answers every recipient with this code for this many seconds.
    SmtpRefuses(u16, u64),
    /// The mail server's process is gone for this many seconds.
    SmtpDown(u64),
    /// `kill -9` of this instance (with the mail server slow, so it dies holding a claim); its
    /// service manager starts it again this many seconds later.
    Kill(usize, u64),
    /// Stripe answers every call with this status for this many seconds.
    Stripe(u16, u64),
    /// `pg_ctl restart -m fast`.
    PostgresRestart,
    /// This instance's database connections cut for this many seconds.
    Cut(usize, u64),
}

impl Fault {
    fn name(&self) -> String {
        match self {
            Fault::SmtpRefuses(code, seconds) => {
                format!("mail server answers {code} for {seconds} s")
            }
            Fault::SmtpDown(seconds) => format!("mail server gone for {seconds} s"),
            Fault::Kill(instance, seconds) => {
                format!(
                    "kill -9 of instance {}, restarted {seconds} s later",
                    instance_name(*instance)
                )
            }
            Fault::Stripe(status, seconds) => format!("Stripe answers {status} for {seconds} s"),
            Fault::PostgresRestart => "PostgreSQL restarted (pg_ctl restart -m fast)".into(),
            Fault::Cut(instance, seconds) => format!(
                "instance {}'s database connections cut for {seconds} s",
                instance_name(*instance)
            ),
        }
    }

    /// How long after its beginning the fault ends (the mail server or connection back, the
    /// killed instance started again).
    fn lasts(&self) -> Duration {
        match *self {
            Fault::SmtpRefuses(_, seconds)
            | Fault::SmtpDown(seconds)
            | Fault::Stripe(_, seconds)
            | Fault::Cut(_, seconds) => Duration::from_secs(seconds),
            Fault::Kill(_, seconds) => KILL_LEAD_IN + Duration::from_secs(seconds),
            Fault::PostgresRestart => Duration::ZERO,
        }
    }

    /// Which instances' database this fault takes away (their views may answer 503 meanwhile).
    fn takes_the_database_from(&self, instance: usize) -> bool {
        match self {
            Fault::PostgresRestart => true,
            Fault::Cut(cut, _) => *cut == instance,
            _ => false,
        }
    }
}

fn instance_name(instance: usize) -> &'static str {
    ["A", "B"][instance]
}

/// A live stream the suite follows: on which instance, of which account, what it shows last.
type Followed = (usize, String, Arc<Mutex<Option<Shown>>>);

/// A fault as it was played.
#[derive(Debug, Clone)]
struct Played {
    fault: Fault,
    began: Instant,
    ended: Instant,
    /// For a kill: how long until every claim the instance held at its death was finished or
    /// held by another (`None`: it held none).
    takeover: Option<Duration>,
    /// Claims held at the kill.
    claims_held: usize,
    /// For a kill: how long the restarted instance took to be ready.
    restart_took: Option<Duration>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "the fault suite, over release processes: scripts/test runs it with --ignored"]
async fn two_instances_keep_every_promise_through_kills_restarts_cuts_and_outages() {
    let rounds: usize = env_number("CAPITAL_FAULT_SOAK", 1).max(1);
    let accounts_per_round: usize = env_number("CAPITAL_FAULT_ACCOUNTS", 300).max(10);
    let began = Instant::now();

    // The parts.
    let sink = SmtpSink::start()
        .await
        .expect("the SMTP sink's Python (scripts/test sets CAPITAL_TEST_SMTP_PYTHON)");
    let cluster = PostgresCluster::start().await;
    let suite_db = sqlx::postgres::PgPoolOptions::new()
        .max_connections(4)
        .acquire_timeout(Duration::from_secs(30))
        .connect(&cluster.url())
        .await
        .unwrap();
    let stripe_port = parts::free_port();
    let stripe = format!("http://127.0.0.1:{stripe_port}");
    let mut instances = vec![
        Instance::new("A", &cluster, &stripe, &sink.url()).await,
        Instance::new("B", &cluster, &stripe, &sink.url()).await,
    ];
    let endpoints: Vec<String> = instances.iter().map(Instance::webhook_url).collect();
    let stand_in = Arc::new(StandIn::start(stripe_port, &endpoints).await);
    for instance in &mut instances {
        instance.start().await;
    }
    let bases: Vec<String> = instances.iter().map(Instance::base).collect();
    let setup = began.elapsed();

    // The observers: page views, live streams, readiness.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let created_accounts = Arc::new(Mutex::new(Vec::<String>::new()));
    let views = Arc::new(Mutex::new(Vec::<View>::new()));
    let mut observers = Vec::new();
    for _ in 0..4 {
        observers.push(tokio::spawn(load::view_pages(
            bases.clone(),
            created_accounts.clone(),
            views.clone(),
            stopped.clone(),
        )));
    }
    let readiness = Arc::new(Mutex::new(Vec::new()));
    observers.push(tokio::spawn(load::watch_readiness(
        bases.clone(),
        readiness.clone(),
        stopped.clone(),
    )));
    // Streams of the first ten accounts (each has a different path), on both instances.
    let followed: Vec<usize> = (0..10).collect();
    let reconnects = Arc::new(AtomicU32::new(0));
    let mut streams: Vec<Followed> = Vec::new();
    for (instance, base) in bases.iter().enumerate() {
        for n in &followed {
            let latest = Arc::new(Mutex::new(None));
            streams.push((instance, load::account(*n), latest.clone()));
            observers.push(tokio::spawn(load::follow(
                base.clone(),
                load::account(*n),
                latest,
                reconnects.clone(),
                stopped.clone(),
            )));
        }
    }

    // The faults, round after round, on their own task: it owns what it breaks.
    let load_began = Instant::now();
    let faults = tokio::spawn(play_faults(
        rounds,
        load_began,
        instances,
        sink,
        cluster,
        stand_in.clone(),
        suite_db.clone(),
    ));

    // The accounts' lives, spread over each round's first 70 s.
    let total = rounds * accounts_per_round;
    let mut lives = tokio::task::JoinSet::new();
    for n in 0..total {
        let round = n / accounts_per_round;
        let within = (n % accounts_per_round) as f64 / accounts_per_round as f64;
        let at = load_began
            + Duration::from_secs(round as u64 * ROUND_SECONDS + 2)
            + Duration::from_secs_f64(within * CREATION_SECONDS);
        tokio::time::sleep_until(at.into()).await;
        created_accounts.lock().unwrap().push(load::account(n));
        let (stand_in, bases) = (stand_in.clone(), bases.clone());
        lives.spawn(async move { load::live(&stand_in, &bases, n).await });
    }
    let lives: Vec<Life> = lives.join_all().await;
    let (instances, sink, cluster, played) = faults.await.unwrap();
    let load_took = load_began.elapsed();

    // Quiet: every event delivered (duplicates' later copies too), every job done.
    let quiet_began = Instant::now();
    let quiet = loop {
        let deliveries = stand_in.get("/deliveries").await;
        let jobs: i64 = sqlx::query("SELECT count(*) AS n FROM jobs")
            .fetch_one(&suite_db)
            .await
            .map(|row| row.get("n"))
            .unwrap_or(-1);
        if deliveries["pending"] == 0 && jobs == 0 {
            break Instant::now();
        }
        assert!(
            quiet_began.elapsed() < Duration::from_secs(120),
            "not quiet 120 s after the load: {deliveries}, {jobs} jobs left"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };

    // What must hold (`faults/checks.rs`), against Stripe's truth as it is now.
    let truth = Truth::read(&stand_in, &lives).await;
    let mut failures: Vec<String> = Vec::new();
    let catch_up =
        checks::streams_show_the_final_state(&streams, &truth, quiet, &mut failures).await;
    stop.send_replace(true);
    for observer in observers {
        observer.abort();
    }
    let offers_checked =
        checks::offers_are_stored_as_stripe_has_them(&suite_db, &truth, &mut failures).await;
    checks::views_show_what_stripe_selects(&bases, &truth, &mut failures).await;
    let events = stand_in.get("/events").await;
    let emails = checks::each_offer_emailed_once_and_marked_delivered(
        &sink.messages(),
        &stand_in.get("/calls").await,
        &events,
        &lives,
        &played,
        &mut failures,
    );
    checks::lives_went_as_planned(&lives, &mut failures);
    let views = views.lock().unwrap().clone();
    let by_status =
        checks::page_views_answered_as_promised(&views, &played, load_began, &mut failures);
    let readiness = readiness.lock().unwrap().clone();
    checks::instances_recovered_by_themselves(&played, &readiness, &instances, &mut failures);

    // The figures (`faults/report.rs`).
    let report = report::figures(&report::Run {
        rounds,
        accounts: total,
        setup,
        load: load_took,
        to_quiet: quiet.duration_since(quiet_began),
        deliveries: &stand_in.get("/deliveries").await,
        events: &events,
        offers_checked,
        emails: &emails,
        lives: &lives,
        views_by_status: &by_status,
        streams: streams.len(),
        reconnects: reconnects.load(Ordering::Relaxed),
        catch_up,
        played: &played,
        readiness: &readiness,
    });
    eprintln!("{report}");
    let _ = std::fs::write(
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("fault-suite-report.md"),
        &report,
    );
    if !failures.is_empty() {
        for instance in &instances {
            eprintln!(
                "--- instance {}'s last lines:\n{}",
                instance.name,
                instance.log_tail()
            );
        }
    }
    drop(cluster);
    let _ = std::fs::write(
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("fault-suite-failures.txt"),
        failures.join("\n"),
    );
    assert!(
        failures.is_empty(),
        "{} broken promises:\n{}",
        failures.len(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Plays every round's faults on time, each from its beginning to its end (faults on different
/// parts overlap: the mail server is away while Stripe fails and PostgreSQL restarts); hands back
/// what it broke, and what it played.
async fn play_faults(
    rounds: usize,
    load_began: Instant,
    mut instances: Vec<Instance>,
    mut sink: SmtpSink,
    cluster: PostgresCluster,
    stand_in: Arc<StandIn>,
    db: sqlx::PgPool,
) -> (Vec<Instance>, SmtpSink, PostgresCluster, Vec<Played>) {
    // Every beginning and end, in time order: (when, which fault, whether it begins).
    let mut timeline = Vec::new();
    let faults: Vec<Fault> = (0..rounds).flat_map(|_| ROUND.map(|(_, f)| f)).collect();
    for (n, (offset, fault)) in (0..rounds).flat_map(|_| ROUND).enumerate() {
        let round = (n / ROUND.len()) as u64;
        let at = load_began + Duration::from_secs(round * ROUND_SECONDS + offset);
        timeline.push((at, n, true));
        timeline.push((at + fault.lasts(), n, false));
    }
    timeline.sort_by_key(|(at, n, begins)| (*at, !*begins, *n));
    let mut played: Vec<Option<Played>> = vec![None; faults.len()];
    let mut watches = HashMap::new();
    for (at, n, begins) in timeline {
        tokio::time::sleep_until(at.into()).await;
        let fault = faults[n];
        if begins {
            let mut record = Played {
                fault,
                began: Instant::now(),
                ended: Instant::now(),
                takeover: None,
                claims_held: 0,
                restart_took: None,
            };
            match fault {
                Fault::SmtpRefuses(code, _) => sink.refuse_with(Some(code)),
                Fault::SmtpDown(_) => sink.stop().await,
                Fault::Kill(instance, _) => {
                    // A slow mail server: the instance dies in the middle of a send.
                    sink.delay(Some(2));
                    tokio::time::sleep(KILL_LEAD_IN).await;
                    let held = claims(&db).await;
                    instances[instance].kill().await;
                    let killed = Instant::now();
                    sink.delay(None);
                    record.claims_held = held.len();
                    if !held.is_empty() {
                        let db = db.clone();
                        watches.insert(
                            n,
                            tokio::spawn(async move {
                                taken_over(&db, held).await.map(|at| at - killed)
                            }),
                        );
                    }
                }
                Fault::Stripe(status, seconds) => stand_in.fault(status, seconds as f64).await,
                Fault::PostgresRestart => cluster.restart().await,
                Fault::Cut(instance, _) => instances[instance].proxy.cut(true),
            }
            played[n] = Some(record);
        } else {
            let record = played[n].as_mut().unwrap();
            match fault {
                Fault::SmtpRefuses(..) => sink.refuse_with(None),
                Fault::SmtpDown(_) => sink.resume().await,
                Fault::Kill(instance, _) => {
                    record.restart_took = Some(instances[instance].start().await);
                }
                // Stripe's fault ends by itself; the restart was the whole of it.
                Fault::Stripe(..) | Fault::PostgresRestart => {}
                Fault::Cut(instance, _) => instances[instance].proxy.cut(false),
            }
            record.ended = Instant::now();
        }
    }
    let mut played: Vec<Played> = played.into_iter().map(Option::unwrap).collect();
    for (n, watch) in watches {
        played[n].takeover = Some(watch.await.unwrap().unwrap_or(Duration::MAX));
    }
    (instances, sink, cluster, played)
}

/// How long before a kill the mail server turns slow, so that the instance dies mid-send.
const KILL_LEAD_IN: Duration = Duration::from_millis(1500);

/// The jobs claimed now, by their claim.
async fn claims(db: &sqlx::PgPool) -> Vec<(String, String, String)> {
    sqlx::query("SELECT kind, subject, claimed_by FROM jobs WHERE claimed_by IS NOT NULL")
        .fetch_all(db)
        .await
        .unwrap_or_default()
        .iter()
        .map(|row| (row.get("kind"), row.get("subject"), row.get("claimed_by")))
        .collect()
}

/// When every one of `held` was finished or claimed afresh (within a minute, else `None`).
async fn taken_over(db: &sqlx::PgPool, held: Vec<(String, String, String)>) -> Option<Instant> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let mut all = true;
        for (kind, subject, claim) in &held {
            let still: Option<i64> = sqlx::query(
                "SELECT 1::BIGINT AS one FROM jobs WHERE kind = $1 AND subject = $2 AND claimed_by = $3",
            )
            .bind(kind)
            .bind(subject)
            .bind(claim)
            .fetch_optional(db)
            .await
            .ok()
            .map(|row| row.map(|row| row.get("one")))
            .unwrap_or(Some(1));
            all &= still.is_none();
        }
        if all {
            return Some(Instant::now());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
