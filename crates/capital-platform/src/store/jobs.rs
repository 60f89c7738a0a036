//! The one job mechanism: work kept in the database (`jobs`) so that a restart resumes it and
//! several instances share it. Behind the retrieval of a replaced offer (`workers/retrievals.rs`),
//! the offer email and marking an emailed offer delivered (`workers/offer_emails.rs`).
//!
//! - **Queued** with the write that makes it due (the webhook's transaction): at most one job per
//!   kind and subject.
//! - **Claimed** by one instance for a lease, on the database's clock, never this machine's: two
//!   instances with skewed clocks still agree on who holds a job. Each claim has its own token.
//! - **Renewed** by its claimer while the work takes longer than a lease (a slow mail server).
//! - **Finished** or **retried** only by the claimer, checked in the same statement: a worker
//!   whose lease ran out and was taken over cannot undo what the new claimer did.
//! - **Retried** with backoff (doubling from two seconds, at most ten minutes), and **given up**
//!   after its kind's attempts; the caller records why where the job's outcome is kept.
//!
//! A job due but refused for good is finished by its worker, so it never stalls newer ones;
//! due jobs are read oldest first, a few at a time.

use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

use super::{Backend, Store, StoreError};

/// What a job does; its `subject` is the offer it is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// Retrieve a replaced offer's whole state from Stripe (`workers/retrievals.rs`).
    RetrieveOffer,
    /// Send the offer email (`workers/offer_emails.rs`).
    OfferEmail,
    /// Mark an emailed offer delivered at Stripe (`workers/offer_emails.rs`).
    MarkDelivered,
}

impl JobKind {
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::RetrieveOffer => "retrieve_offer",
            JobKind::OfferEmail => "offer_email",
            JobKind::MarkDelivered => "mark_delivered",
        }
    }

    /// Tries before the job is given up.
    pub const fn attempts(self) -> i64 {
        match self {
            JobKind::RetrieveOffer => 8,
            // About 37 minutes of tries (2, 4 … 512, 600, 600 s): a mail server away for a while
            // (a restart, a failover, greylisting) loses no offer email. Five tries gave up after
            // 30 s; the fault suite's mail server is away for 35.
            JobKind::OfferEmail => 12,
            JobKind::MarkDelivered => 10,
        }
    }
}

/// The delay before try `attempts + 1`: 2, 4, 8 … seconds, at most ten minutes.
pub fn backoff_seconds(attempts: i64) -> i64 {
    (1_i64 << attempts.clamp(0, 20).saturating_add(1)).min(600)
}

/// A job this instance has claimed.
#[derive(Debug, Clone)]
pub struct Job {
    pub kind: JobKind,
    pub subject: String,
    pub account: String,
    /// For a retrieval: the event time its result is stored as of.
    pub event_created: i64,
    /// Tries before this one.
    pub attempts: i64,
    claim: String,
}

/// What became of a failed job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retried {
    /// Due again in this many seconds.
    In(i64),
    /// Out of attempts: removed; the caller records it.
    GaveUp,
    /// This instance no longer held the claim: somebody else has the job, untouched.
    NotOurs,
}

/// The database's clock, in seconds since the Unix epoch, as SQL.
pub(crate) fn database_now(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "CAST(strftime('%s', 'now') AS BIGINT)",
        Backend::Postgres => "CAST(EXTRACT(EPOCH FROM clock_timestamp()) AS BIGINT)",
    }
}

/// A `LIKE … ESCAPE '!'` pattern for what begins with `prefix`: its `_` and `%` are literal.
fn starting_with(prefix: &str) -> String {
    let literal = prefix
        .replace('!', "!!")
        .replace('_', "!_")
        .replace('%', "!%");
    format!("{literal}%")
}

/// Queues a job with the executor's transaction. A job of the same kind and subject already
/// queued is kept; for a retrieval, it is brought forward to now, as of the later event.
pub(crate) async fn queue<'e>(
    executor: impl Executor<'e, Database = Any>,
    backend: Backend,
    kind: JobKind,
    subject: &str,
    account: &str,
    event_created: i64,
) -> Result<bool, StoreError> {
    let now = database_now(backend);
    let on_conflict = match kind {
        JobKind::RetrieveOffer => format!(
            "DO UPDATE SET event_created = CASE WHEN excluded.event_created > jobs.event_created
                 THEN excluded.event_created ELSE jobs.event_created END,
                 due_at = {now}, attempts = 0"
        ),
        JobKind::OfferEmail | JobKind::MarkDelivered => "DO NOTHING".to_owned(),
    };
    let result = sqlx::query(&format!(
        "INSERT INTO jobs (kind, subject, account, event_created, due_at, attempts)
         VALUES ($1, $2, $3, $4, {now}, 0)
         ON CONFLICT (kind, subject) {on_conflict}"
    ))
    .bind(kind.as_str())
    .bind(subject)
    .bind(account)
    .bind(event_created)
    .execute(executor)
    .await?;
    Ok(result.rows_affected() > 0)
}

impl Store {
    /// Claims the oldest due job of `kind` that nobody holds, for `lease_seconds` of the
    /// database's clock; `None` when there is none. One at a time: a claim is held only while
    /// its work is being done (see [`Store::hold_while`]).
    pub async fn claim_due_job(
        &self,
        kind: JobKind,
        owner: &str,
        lease_seconds: i64,
    ) -> Result<Option<Job>, StoreError> {
        let now = database_now(self.backend());
        let candidates = sqlx::query(&format!(
            "SELECT subject FROM jobs
             WHERE kind = $1 AND due_at <= {now} AND (claimed_until IS NULL OR claimed_until <= {now})
             ORDER BY due_at, subject LIMIT 8"
        ))
        .bind(kind.as_str())
        .fetch_all(self.pool())
        .await?;
        for candidate in candidates {
            let subject: String = candidate.get("subject");
            let claim = format!("{owner}:{:016x}", rand::random::<u64>());
            // The same conditions again: another instance may have claimed it since the read.
            let row = sqlx::query(&format!(
                "UPDATE jobs SET claimed_by = $1, claimed_until = {now} + $2
                 WHERE kind = $3 AND subject = $4 AND due_at <= {now}
                   AND (claimed_until IS NULL OR claimed_until <= {now})
                 RETURNING subject, account, event_created, attempts"
            ))
            .bind(&claim)
            .bind(lease_seconds)
            .bind(kind.as_str())
            .bind(&subject)
            .fetch_optional(self.pool())
            .await?;
            if let Some(row) = row {
                return Ok(Some(job(kind, claim, &row)));
            }
        }
        Ok(None)
    }

    /// Extends this instance's claim on `job` by `lease_seconds` from now; `false` when the
    /// claim was lost (it ran out and another instance took the job).
    pub async fn renew_job(&self, job: &Job, lease_seconds: i64) -> Result<bool, StoreError> {
        let now = database_now(self.backend());
        let result = sqlx::query(&format!(
            "UPDATE jobs SET claimed_until = {now} + $1
             WHERE kind = $2 AND subject = $3 AND claimed_by = $4"
        ))
        .bind(lease_seconds)
        .bind(job.kind.as_str())
        .bind(&job.subject)
        .bind(&job.claim)
        .execute(self.pool())
        .await?;
        Ok(result.rows_affected() > 0)
    }

    /// Runs `work` while keeping the claim on `job`: renewed every third of the lease, so a slow
    /// mail server or Stripe never lets another instance take the job over mid-way.
    pub async fn hold_while<T>(
        &self,
        job: &Job,
        lease_seconds: i64,
        work: impl std::future::Future<Output = T>,
    ) -> T {
        let every = std::time::Duration::from_secs((lease_seconds / 3).max(1) as u64);
        let mut renewals = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        tokio::pin!(work);
        loop {
            tokio::select! {
                done = &mut work => return done,
                _ = renewals.tick() => match self.renew_job(job, lease_seconds).await {
                    Ok(true) => {}
                    Ok(false) => tracing::warn!(
                        job = job.kind.as_str(), subject = job.subject,
                        "a job's claim ran out while it was worked on; another instance has it"
                    ),
                    Err(error) => tracing::warn!(%error, job = job.kind.as_str(), "renewing a job's claim"),
                },
            }
        }
    }

    /// Removes a job that is done (or was refused for good), if this instance still holds it.
    pub async fn finish_job(&self, job: &Job) -> Result<bool, StoreError> {
        finish(self.pool(), job).await
    }

    /// A failed try (see [`super::StoreTx::retry_job`]), on its own.
    pub async fn retry_job(&self, job: &Job, error: &str) -> Result<Retried, StoreError> {
        let mut tx = self.begin().await?;
        let retried = tx.retry_job(job, error).await?;
        tx.commit().await?;
        Ok(retried)
    }

    /// Lets go of every claim `owner` holds (jobs and cold reads), for another instance to take
    /// at once: at shutdown, once the workers stopped. Returns how many were released.
    pub async fn release_claims(&self, owner: &str) -> Result<u64, StoreError> {
        let jobs = sqlx::query(
            "UPDATE jobs SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by LIKE $1 ESCAPE '!'",
        )
        // The claims are `owner:nonce`.
        .bind(starting_with(&format!("{owner}:")))
        .execute(self.pool())
        .await?;
        let reads = sqlx::query("DELETE FROM read_claims WHERE owner = $1")
            .bind(owner)
            .execute(self.pool())
            .await?;
        Ok(jobs.rows_affected() + reads.rows_affected())
    }

    /// Jobs of `kind` queued and not yet finished, for the tests and the sandbox page.
    pub async fn queued_jobs(&self, kind: JobKind) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS queued FROM jobs WHERE kind = $1")
            .bind(kind.as_str())
            .fetch_one(self.pool())
            .await?;
        Ok(row.get("queued"))
    }
}

impl super::StoreTx {
    /// Makes the queued jobs of `kind` whose last try failed with an error beginning with
    /// `error_prefix` due now, ahead of their backoff (the mail server they could not reach
    /// answers again); returns how many.
    pub async fn hasten_jobs(
        &mut self,
        kind: JobKind,
        error_prefix: &str,
    ) -> Result<u64, StoreError> {
        let now = database_now(self.backend);
        let result = sqlx::query(&format!(
            "UPDATE jobs SET due_at = {now}
             WHERE kind = $1 AND claimed_by IS NULL AND due_at > {now} AND last_error LIKE $2 ESCAPE '!'"
        ))
        .bind(kind.as_str())
        .bind(starting_with(error_prefix))
        .execute(&mut *self.tx)
        .await?;
        Ok(result.rows_affected())
    }

    /// Finishes `job` with the transaction, if this instance still holds it; `false` (and
    /// nothing finished) when another instance took it over.
    pub async fn finish_job(&mut self, job: &Job) -> Result<bool, StoreError> {
        finish(&mut *self.tx, job).await
    }

    /// A failed try: due again after the backoff, or given up (removed) after the kind's
    /// attempts; either only while this instance holds the claim. `error` stays on the job.
    pub async fn retry_job(&mut self, job: &Job, error: &str) -> Result<Retried, StoreError> {
        let tried = job.attempts + 1;
        if tried >= job.kind.attempts() {
            return Ok(if finish(&mut *self.tx, job).await? {
                Retried::GaveUp
            } else {
                Retried::NotOurs
            });
        }
        let delay = backoff_seconds(job.attempts);
        let now = database_now(self.backend);
        let result = sqlx::query(&format!(
            "UPDATE jobs SET attempts = $1, due_at = {now} + $2, last_error = $3,
                 claimed_by = NULL, claimed_until = NULL
             WHERE kind = $4 AND subject = $5 AND claimed_by = $6"
        ))
        .bind(tried)
        .bind(delay)
        .bind(error)
        .bind(job.kind.as_str())
        .bind(&job.subject)
        .bind(&job.claim)
        .execute(&mut *self.tx)
        .await?;
        Ok(if result.rows_affected() > 0 {
            Retried::In(delay)
        } else {
            Retried::NotOurs
        })
    }

    /// Queues a job with this transaction. One already queued for the same kind and subject is kept
    /// (a retrieval's brought forward to now, as of the later event).
    pub async fn queue_job(
        &mut self,
        kind: JobKind,
        subject: &str,
        account: &str,
        event_created: i64,
    ) -> Result<bool, StoreError> {
        queue(
            &mut *self.tx,
            self.backend,
            kind,
            subject,
            account,
            event_created,
        )
        .await
    }
}

async fn finish<'e>(
    executor: impl Executor<'e, Database = Any>,
    job: &Job,
) -> Result<bool, StoreError> {
    let result =
        sqlx::query("DELETE FROM jobs WHERE kind = $1 AND subject = $2 AND claimed_by = $3")
            .bind(job.kind.as_str())
            .bind(&job.subject)
            .bind(&job.claim)
            .execute(executor)
            .await?;
    Ok(result.rows_affected() > 0)
}

fn job(kind: JobKind, claim: String, row: &AnyRow) -> Job {
    Job {
        kind,
        subject: row.get("subject"),
        account: row.get("account"),
        event_created: row.get("event_created"),
        attempts: row.get("attempts"),
        claim,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_two_seconds_to_at_most_ten_minutes() {
        let delays: Vec<i64> = (0..12).map(backoff_seconds).collect();
        assert_eq!(&delays[..5], &[2, 4, 8, 16, 32]);
        assert_eq!(delays[9], 600);
        assert_eq!(backoff_seconds(i64::MAX), 600);
        assert_eq!(backoff_seconds(-1), 2);
    }
}
