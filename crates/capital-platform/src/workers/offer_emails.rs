//! The offer-email worker: claims due offer emails (one instance sends each), sends them
//! (`services/offer_emails.rs`), records what became of each with the job's end, and then marks
//! what was sent delivered at Stripe, as jobs of the one job mechanism (`store/jobs.rs`).

use std::sync::Arc;
use std::time::Duration;

use capital_types::FinancingOffer;
use tokio::sync::Notify;

use crate::domain::whole::Whole;
use crate::services::changes::Changes;
use crate::services::delivery::{self, DeliveryError};
use crate::services::offer_emails::{OfferEmails, Outcome, SERVER_UNREACHABLE};
use crate::store::{EmailRecord, Job, JobKind, Retried, StoreError};
use crate::workers::supervise::{JobHandles, each_due_job};

/// Works the outbox until the shutdown: at once when woken (a webhook queued an email), else
/// every second.
pub(crate) async fn run(
    jobs: JobHandles,
    emails: OfferEmails,
    changes: Changes,
    wake: Arc<Notify>,
) {
    while jobs.wait(&wake, Duration::from_secs(1)).await {
        if let Err(error) = run_due(&jobs, &emails, &changes).await {
            tracing::error!(%error, "offer emails");
        }
    }
}

/// Sends every due email this instance can claim, and marks delivered what was sent.
pub(crate) async fn run_due(
    jobs: &JobHandles,
    emails: &OfferEmails,
    changes: &Changes,
) -> Result<(), StoreError> {
    let (store, lease) = (&jobs.store, jobs.lease_seconds);
    each_due_job(jobs, JobKind::OfferEmail, |job| async move {
        let sent = emails.send(&job.subject, &job.account);
        let outcome = store.hold_while(&job, lease, sent).await;
        record(jobs, emails, &job, outcome).await
    })
    .await?;
    // Sent, so the user was told: delivered (tried again, with backoff, while Stripe fails).
    each_due_job(jobs, JobKind::MarkDelivered, |job| async move {
        let marking = delivery::mark_delivered(&emails.capital, store, &job.subject);
        let marked = store.hold_while(&job, lease, marking).await;
        mark(jobs, changes, &job, marked).await
    })
    .await
}

/// Keeps what became of one send, with the job's end, in one transaction. Only the claimer's
/// record counts: a claim lost mid-send (a stalled instance) changes nothing.
async fn record(
    jobs: &JobHandles,
    emails: &OfferEmails,
    job: &Job,
    outcome: Outcome,
) -> Result<(), StoreError> {
    let (offer, account) = (job.subject.as_str(), job.account.as_str());
    let now = crate::domain::clock::now();
    let mut tx = jobs.store.begin().await?;
    match outcome {
        Outcome::Sent {
            recipient,
            email,
            answer,
        } => {
            // Sent is sent, whoever holds the job now: it is recorded either way.
            if !tx.finish_job(job).await? {
                tracing::warn!(offer, "an offer email was sent after its claim ran out");
            }
            let bcc = emails.mailer.bcc.as_ref().map(|bcc| bcc.email.to_string());
            tx.record_offer_email(
                offer,
                &EmailRecord {
                    status: "sent",
                    detail: &answer,
                    message: Some(email.message(&recipient)),
                    bcc: bcc.as_deref(),
                    attempts: job.attempts + 1,
                    at: now,
                },
            )
            .await?;
            tx.queue_job(JobKind::MarkDelivered, offer, account, 0)
                .await?;
            // The mail server answers: what could not reach it goes now, not after its backoff.
            let hastened = tx
                .hasten_jobs(JobKind::OfferEmail, SERVER_UNREACHABLE)
                .await?;
            tx.commit().await?;
            if hastened > 0 {
                tracing::info!(
                    hastened,
                    "the mail server answers again: waiting offer emails go now"
                );
            }
            crate::metrics::offer_email("sent");
            tracing::info!(offer, account, "offer email sent");
        }
        Outcome::Skipped(reason) => {
            if tx.finish_job(job).await? {
                tx.record_offer_email(
                    offer,
                    &EmailRecord {
                        status: "skipped",
                        detail: &reason,
                        message: None,
                        bcc: None,
                        attempts: job.attempts,
                        at: now,
                    },
                )
                .await?;
            }
            tx.commit().await?;
            crate::metrics::offer_email("skipped");
            tracing::info!(offer, account, reason, "offer email skipped");
        }
        Outcome::Failed { error, email } => {
            let status = match tx.retry_job(job, &error).await? {
                Retried::In(_) => "pending",
                Retried::GaveUp => "failed",
                Retried::NotOurs => {
                    tx.commit().await?;
                    return Ok(());
                }
            };
            let message = email
                .as_ref()
                .map(|(recipient, email)| email.message(recipient));
            tx.record_offer_email(
                offer,
                &EmailRecord {
                    status,
                    detail: &error,
                    message,
                    bcc: None,
                    attempts: job.attempts + 1,
                    at: now,
                },
            )
            .await?;
            tx.commit().await?;
            crate::metrics::offer_email(if status == "failed" {
                "failed"
            } else {
                "retried"
            });
            tracing::warn!(offer, account, error, status, "offer email not sent");
        }
    }
    Ok(())
}

/// Keeps what became of marking an emailed offer delivered. Stripe refusing it for good (the
/// offer moved on: accepted, expired, replaced) ends the job at once, recorded, instead of
/// retrying it; a failure is retried with backoff and given up after the kind's attempts.
async fn mark(
    jobs: &JobHandles,
    changes: &Changes,
    job: &Job,
    marked: Result<Whole<FinancingOffer>, DeliveryError>,
) -> Result<(), StoreError> {
    let offer = job.subject.as_str();
    let mut tx = jobs.store.begin().await?;
    match marked {
        Ok(updated) => {
            tx.finish_job(job).await?;
            tx.record_offer_delivered(offer, None).await?;
            if let Some(account) = updated.typed().account.as_deref() {
                tx.announce(account).await?;
            }
            let announced = tx.commit().await?;
            changes.committed(announced);
        }
        Err(error) if error.is_refusal() => {
            let reason = format!("Stripe refused to mark it delivered: {}", error.brief());
            if tx.finish_job(job).await? {
                tx.record_offer_delivered(offer, Some(&reason)).await?;
            }
            tx.commit().await?;
            tracing::warn!(offer, reason, "an emailed offer was not marked delivered");
        }
        Err(error) => {
            let error = error.brief();
            if tx.retry_job(job, &error).await? == Retried::GaveUp {
                let reason = format!("gave up after {} tries: {error}", job.attempts + 1);
                tx.record_offer_delivered(offer, Some(&reason)).await?;
                tracing::error!(offer, reason, "an emailed offer was not marked delivered");
            } else {
                tracing::warn!(
                    offer,
                    error,
                    "marking the emailed offer delivered; retried later"
                );
            }
            tx.commit().await?;
        }
    }
    Ok(())
}
