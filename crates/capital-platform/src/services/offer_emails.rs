//! Offer emails, as the Capital integration guide asks: on `capital.financing_offer.created`
//! (a refill's too) the account's user gets an email with the offer, and only once the mail
//! server has accepted it is the offer marked delivered ("an affirmation that you have marketed
//! the offer to the user").
//!
//! The send is a job in the database (`offer_emails`), written in the webhook's own transaction,
//! one per offer: webhook retries and duplicate events find it there. A worker on each instance
//! claims due jobs (a claim in the database: one instance sends each), sends, and records the
//! outcome: `sent` with the server's answer; `skipped` with the reason (the account unsubscribed,
//! has no address, or the offer is no longer open); after a failure, `pending` again with backoff
//! (2, 4, 8 … s), and `failed` after five tries. The job, its claim, renewals and backoff are
//! the store's one job mechanism (`store/jobs.rs`); only the claimer records an outcome, and a
//! record is written only while the email is pending, so a late failure never undoes a send. A restart resumes what is pending. The one gap
//! no outbox closes: a crash after the server accepted the message and before `sent` is recorded
//! sends it again (SMTP has no idempotency key).
//!
//! Where the email goes: SMTP (`--smtp-url`, lettre over rustls), or in sandbox mode without one,
//! the sandbox's outbox (the email is kept, and shown on the sandbox page, but goes nowhere).

mod render;

use std::sync::{Arc, Weak};
use std::time::Duration;

use capital_types::{FinancingOffer, OfferStatus};
use hmac::{Hmac, Mac};
use lettre::message::{Mailbox, MultiPart, header};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sha2::Sha256;
use tokio::sync::Notify;

use crate::http::error::AppError;
use crate::http::state::{AppState, Inner};
use crate::store::{EmailRecord, Job, JobKind, Retried, StoreError};
use crate::workers::supervise::each_due_job;

pub use render::{Email, language, render};

/// Where emails go.
pub enum Transport {
    /// Kept in the database only (sandbox mode without `--smtp-url`).
    Outbox,
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

/// Everything the worker needs to write and send.
pub struct Mailer {
    pub transport: Transport,
    pub from: Mailbox,
    /// Stripe's copy of every offer email (`--email-bcc`): in the envelope, not in the headers.
    pub bcc: Option<Mailbox>,
    pub dashboard_url: String,
    unsubscribe_key: Vec<u8>,
    pub wake: Arc<Notify>,
}

#[derive(Debug, thiserror::Error)]
pub enum MailerError {
    #[error("--smtp-url: {0}")]
    SmtpUrl(String),
    #[error("--email-from: {0}")]
    From(String),
    #[error("--email-bcc: {0}")]
    Bcc(String),
}

impl Mailer {
    /// `smtp_url`: `smtp://user:pass@host:port` (STARTTLS required), `smtps://…` (TLS), or
    /// `smtp://…?tls=none` (unencrypted, said at start); `None` keeps emails in the sandbox's
    /// outbox.
    pub fn new(
        smtp_url: Option<&str>,
        from: &str,
        bcc: Option<&str>,
        dashboard_url: String,
        unsubscribe_key: Vec<u8>,
    ) -> Result<Mailer, MailerError> {
        let transport = match smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(&secured_smtp_url(url)?)
                    .map_err(|e| MailerError::SmtpUrl(e.to_string()))?
                    .timeout(Some(Duration::from_secs(20)))
                    .build(),
            ),
            None => Transport::Outbox,
        };
        let bcc = match bcc {
            Some(bcc) => Some(
                bcc.trim()
                    .parse()
                    .map_err(|e: lettre::address::AddressError| MailerError::Bcc(e.to_string()))?,
            ),
            None => {
                tracing::warn!(
                    "--email-bcc is empty: offer emails go without Stripe's BCC, which Stripe's \
                     integration guide requires"
                );
                None
            }
        };
        Ok(Mailer {
            transport,
            bcc,
            from: from
                .parse()
                .map_err(|e: lettre::address::AddressError| MailerError::From(e.to_string()))?,
            dashboard_url,
            unsubscribe_key,
            wake: Arc::new(Notify::new()),
        })
    }

    /// The token of `account`'s unsubscribe link: an HMAC, so that links cannot be made up.
    pub fn unsubscribe_token(&self, account: &str) -> String {
        hex::encode(self.mac(account).finalize().into_bytes())
    }

    pub fn token_is_valid(&self, account: &str, token: &str) -> bool {
        hex::decode(token).is_ok_and(|bytes| self.mac(account).verify_slice(&bytes).is_ok())
    }

    fn mac(&self, account: &str) -> Hmac<Sha256> {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.unsubscribe_key).expect("any key length");
        mac.update(account.as_bytes());
        mac
    }
}

/// `--smtp-url` as lettre takes it, encrypted unless the URL says otherwise. lettre reads a plain
/// `smtp://host` as unencrypted SMTP (credentials and offers in clear text); here it requires
/// STARTTLS, and unencrypted SMTP must be asked for by name (`?tls=none`: a mail relay on the same
/// host, or a test server), with a warning at start.
fn secured_smtp_url(url: &str) -> Result<String, MailerError> {
    let mut parsed =
        reqwest::Url::parse(url).map_err(|e| MailerError::SmtpUrl(format!("not a URL: {e}")))?;
    if parsed.scheme() != "smtp" {
        return Ok(url.to_owned());
    }
    let tls = parsed
        .query_pairs()
        .find(|(key, _)| key == "tls")
        .map(|(_, value)| value.into_owned());
    let others: Vec<(String, String)> = parsed
        .query_pairs()
        .filter(|(key, _)| key != "tls")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let tls = match tls.as_deref() {
        None | Some("required") => Some("required"),
        Some("opportunistic") => {
            tracing::warn!(
                "--smtp-url asks for opportunistic STARTTLS: a man in the middle can turn it off"
            );
            Some("opportunistic")
        }
        Some("none") => {
            tracing::warn!(
                "--smtp-url asks for unencrypted SMTP (tls=none): offer emails and the SMTP credentials travel in clear text"
            );
            None
        }
        Some(other) => {
            return Err(MailerError::SmtpUrl(format!(
                "tls={other}: use required (the default), opportunistic or none, or smtps://"
            )));
        }
    };
    parsed.set_query(None);
    if !others.is_empty() || tls.is_some() {
        let mut query = parsed.query_pairs_mut();
        query.extend_pairs(others);
        if let Some(tls) = tls {
            query.append_pair("tls", tls);
        }
    }
    Ok(parsed.to_string())
}

/// Works the outbox until the state is gone: at once when woken (a webhook queued an email),
/// else every second.
pub async fn run(state: Weak<Inner>, wake: Arc<Notify>) {
    loop {
        let _ = tokio::time::timeout(Duration::from_secs(1), wake.notified()).await;
        let Some(inner) = state.upgrade() else { break };
        let state = AppState::from_inner(inner);
        if state.shutdown.is_begun() {
            break;
        }
        if let Err(error) = run_due(&state).await {
            tracing::error!(%error, "offer emails");
        }
    }
}

/// Sends tried per email before it is given up as `failed`.
pub const ATTEMPTS: i64 = JobKind::OfferEmail.attempts();

/// Sends every due email this instance can claim, and marks delivered what was sent.
pub async fn run_due(state: &AppState) -> Result<(), StoreError> {
    let Some(mailer) = state.mailer.as_ref() else {
        return Ok(());
    };
    let lease = state.config.job_lease_seconds;
    each_due_job(state, JobKind::OfferEmail, |job| async move {
        let sent = send_one(state, mailer, &job.subject, &job.account);
        let outcome = state.store.hold_while(&job, lease, sent).await;
        record(state, mailer, &job, outcome).await
    })
    .await?;
    // Sent, so the user was told: delivered (tried again, with backoff, while Stripe fails).
    each_due_job(state, JobKind::MarkDelivered, |job| async move {
        let marking = crate::services::delivery::mark_delivered(state, &job.subject);
        let marked = state.store.hold_while(&job, lease, marking).await;
        mark(state, &job, marked).await
    })
    .await
}

/// Keeps what became of one send, with the job's end, in one transaction. Only the claimer's
/// record counts: a claim lost mid-send (a stalled instance) changes nothing.
async fn record(
    state: &AppState,
    mailer: &Mailer,
    job: &Job,
    outcome: Outcome,
) -> Result<(), StoreError> {
    let (offer, account) = (job.subject.as_str(), job.account.as_str());
    let now = crate::domain::clock::now();
    let mut tx = state.store.begin().await?;
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
            let bcc = mailer.bcc.as_ref().map(|bcc| bcc.email.to_string());
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
            tx.commit().await?;
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
    state: &AppState,
    job: &Job,
    marked: Result<crate::domain::whole::Whole<FinancingOffer>, AppError>,
) -> Result<(), StoreError> {
    let offer = job.subject.as_str();
    let mut tx = state.store.begin().await?;
    match marked {
        Ok(updated) => {
            tx.finish_job(job).await?;
            tx.record_offer_delivered(offer, None).await?;
            if let Some(account) = updated.typed().account.as_deref() {
                tx.announce(account).await?;
            }
            let announced = tx.commit().await?;
            state.changes.committed(announced);
        }
        Err(error) if refused_for_good(&error) => {
            let reason = format!("Stripe refused to mark it delivered: {error}");
            if tx.finish_job(job).await? {
                tx.record_offer_delivered(offer, Some(&reason)).await?;
            }
            tx.commit().await?;
            tracing::warn!(offer, reason, "an emailed offer was not marked delivered");
        }
        Err(error) => {
            let error = error.to_string();
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

/// Stripe (or the sandbox) answered that this can never succeed: asking again changes nothing.
fn refused_for_good(error: &AppError) -> bool {
    matches!(
        error,
        AppError::UpstreamRefused { .. }
            | AppError::Conflict(_)
            | AppError::NotFound(_)
            | AppError::InvalidRequest(_)
    )
}

enum Outcome {
    Sent {
        recipient: String,
        email: Email,
        answer: String,
    },
    Skipped(String),
    Failed {
        error: String,
        email: Option<(String, Email)>,
    },
}

async fn send_one(state: &AppState, mailer: &Mailer, offer_id: &str, account: &str) -> Outcome {
    match state.store.is_unsubscribed(account).await {
        Ok(true) => return Outcome::Skipped("the account unsubscribed from offer emails".into()),
        Ok(false) => {}
        Err(error) => {
            return Outcome::Failed {
                error: error.to_string(),
                email: None,
            };
        }
    }
    let offer: FinancingOffer = match state.store.offer_of_account(offer_id, account).await {
        Ok(Some(offer)) => offer.typed().clone(),
        Ok(None) => return Outcome::Skipped("the offer is not in the store".into()),
        Err(error) => {
            return Outcome::Failed {
                error: error.to_string(),
                email: None,
            };
        }
    };
    if !matches!(
        offer.status,
        OfferStatus::Undelivered | OfferStatus::Delivered
    ) {
        return Outcome::Skipped(format!("the offer is {} now", offer.status.as_str()));
    }
    let recipient = match recipient(state, account).await {
        Ok(Some(recipient)) => recipient,
        Ok(None) => return Outcome::Skipped("no email address for the account".into()),
        Err(error) => return Outcome::Failed { error, email: None },
    };
    let public = state.config.public_url.trim_end_matches('/');
    let unsubscribe_url = format!(
        "{public}/email/unsubscribe?account={account}&token={}",
        mailer.unsubscribe_token(account)
    );
    let Some(email) = render(
        &offer,
        &state.config.branding(),
        &mailer.dashboard_url,
        &unsubscribe_url,
    ) else {
        return Outcome::Skipped("the offer has no lender's notice the email can carry".into());
    };
    let to: Mailbox = match recipient.parse() {
        Ok(to) => to,
        Err(_) => return Outcome::Skipped(format!("not an email address: {recipient}")),
    };
    let mut message = Message::builder().from(mailer.from.clone()).to(to);
    // lettre puts the BCC in the envelope and drops its header before sending.
    if let Some(bcc) = &mailer.bcc {
        message = message.bcc(bcc.clone());
    }
    let message = message
        .subject(email.subject.clone())
        .header(ListUnsubscribe(format!("<{unsubscribe_url}>")))
        .header(ListUnsubscribePost)
        .multipart(MultiPart::alternative_plain_html(
            email.text.clone(),
            email.html.clone(),
        ));
    let message = match message {
        Ok(message) => message,
        Err(error) => {
            return Outcome::Failed {
                error: error.to_string(),
                email: Some((recipient, email)),
            };
        }
    };
    match &mailer.transport {
        Transport::Outbox => Outcome::Sent {
            recipient,
            email,
            answer: "kept in the sandbox's outbox".into(),
        },
        Transport::Smtp(smtp) => match smtp.send(message).await {
            Ok(response) => Outcome::Sent {
                recipient,
                email,
                answer: format!(
                    "{} {}",
                    response.code(),
                    response.message().collect::<Vec<_>>().join(" ")
                ),
            },
            Err(error) => Outcome::Failed {
                error: error.to_string(),
                email: Some((recipient, email)),
            },
        },
    }
}

/// The account's address: the platform's own mapping (`--account-emails`, and the sandbox's demo
/// accounts), else Stripe's account `email` (read once, then kept).
async fn recipient(state: &AppState, account: &str) -> Result<Option<String>, String> {
    if let Some(known) = state
        .accounts
        .iter()
        .find(|a| a.id == account)
        .and_then(|a| a.email.clone())
    {
        return Ok(Some(known));
    }
    if let Some(stored) = state
        .store
        .account_email(account)
        .await
        .map_err(|e| e.to_string())?
    {
        return Ok(Some(stored));
    }
    let Some(email) = state
        .capital
        .account_email(account)
        .await
        .map_err(|e| e.to_string())?
    else {
        return Ok(None);
    };
    state
        .store
        .put_account_email(account, &email)
        .await
        .map_err(|e| e.to_string())?;
    Ok(Some(email))
}

/// `List-Unsubscribe: <https://…>` (RFC 2369).
#[derive(Clone)]
struct ListUnsubscribe(String);

impl header::Header for ListUnsubscribe {
    fn name() -> header::HeaderName {
        header::HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(value: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribe(value.to_owned()))
    }

    fn display(&self) -> header::HeaderValue {
        header::HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058): a mail client may unsubscribe
/// with one POST to the link.
#[derive(Clone)]
struct ListUnsubscribePost;

impl header::Header for ListUnsubscribePost {
    fn name() -> header::HeaderName {
        header::HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribePost)
    }

    fn display(&self) -> header::HeaderValue {
        header::HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_are_encrypted_unless_they_say_otherwise() {
        let secured = |url: &str| secured_smtp_url(url).unwrap();
        assert_eq!(
            secured("smtp://u:p@mail.example:587"),
            "smtp://u:p@mail.example:587?tls=required"
        );
        assert_eq!(
            secured("smtp://mail.example?tls=required"),
            "smtp://mail.example?tls=required"
        );
        assert_eq!(
            secured("smtp://mail.example?tls=opportunistic"),
            "smtp://mail.example?tls=opportunistic"
        );
        assert_eq!(
            secured("smtp://127.0.0.1:2525?tls=none"),
            "smtp://127.0.0.1:2525"
        );
        assert_eq!(
            secured("smtps://u:p@mail.example"),
            "smtps://u:p@mail.example"
        );
        assert!(secured_smtp_url("smtp://mail.example?tls=maybe").is_err());
        assert!(secured_smtp_url("not a url").is_err());
    }
}
