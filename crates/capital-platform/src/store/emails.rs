//! Offer emails (`offer_emails`: one record per offer, with what became of it), the accounts that
//! unsubscribed (`unsubscribes`) and the addresses read from Stripe (`account_emails`).

use sqlx::Row;

use super::{JobKind, Store, StoreError, StoreTx};

/// One offer email's record.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OfferEmailRow {
    pub offer: String,
    pub status: String,
    pub recipient: Option<String>,
    /// Stripe's copy (`--email-bcc`), as sent.
    pub bcc: Option<String>,
    pub subject: Option<String>,
    pub html: Option<String>,
    pub text: Option<String>,
    pub detail: Option<String>,
    pub attempts: i64,
    pub delivered_marked: bool,
    /// Why marking the offer delivered was given up, if it was.
    pub delivered_detail: Option<String>,
}
/// What became of one try of an offer email (`StoreTx::record_offer_email`).
pub struct EmailRecord<'a> {
    /// `sent`, `skipped`, `failed`, or `pending` (tried, and due again).
    pub status: &'a str,
    /// The mail server's answer, or why it was skipped or failed.
    pub detail: &'a str,
    pub message: Option<EmailMessage<'a>>,
    pub bcc: Option<&'a str>,
    /// Sends tried so far.
    pub attempts: i64,
    pub at: i64,
}
/// The message as written, kept with its record.
#[derive(Clone, Copy)]
pub struct EmailMessage<'a> {
    pub recipient: &'a str,
    pub subject: &'a str,
    pub html: &'a str,
    pub text: &'a str,
}
impl Store {
    /// The account's offer emails, newest first, for the sandbox page and the tests.
    pub async fn offer_emails(&self, account: &str) -> Result<Vec<OfferEmailRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT offer, status, recipient, bcc, subject, html, text_body, detail, attempts, delivered_marked, delivered_detail
             FROM offer_emails WHERE account = $1 ORDER BY created DESC, offer DESC",
        )
        .bind(account)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| OfferEmailRow {
                offer: r.get("offer"),
                status: r.get("status"),
                recipient: r.get("recipient"),
                bcc: r.get("bcc"),
                subject: r.get("subject"),
                html: r.get("html"),
                text: r.get("text_body"),
                detail: r.get("detail"),
                attempts: r.get("attempts"),
                delivered_marked: r.get::<i64, _>("delivered_marked") != 0,
                delivered_detail: r.get("delivered_detail"),
            })
            .collect())
    }

    pub async fn unsubscribe(&self, account: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO unsubscribed (account, at) VALUES ($1, $2) ON CONFLICT (account) DO NOTHING")
            .bind(account)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn is_unsubscribed(&self, account: &str) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT 1 FROM unsubscribed WHERE account = $1")
            .bind(account)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }

    pub async fn account_email(&self, account: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT email FROM account_emails WHERE account = $1")
            .bind(account)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.get("email")))
    }

    pub async fn put_account_email(&self, account: &str, email: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO account_emails (account, email) VALUES ($1, $2) ON CONFLICT (account) DO UPDATE SET email = excluded.email",
        )
        .bind(account)
        .bind(email)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

impl StoreTx {
    /// Queues the offer email of `offer` (`services/offer_emails.rs`): one per offer, however often its
    /// created event is delivered. Its record, and the job that sends it.
    pub async fn queue_offer_email(
        &mut self,
        offer: &str,
        account: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let result = sqlx::query(
            "INSERT INTO offer_emails (offer, account, status, created) VALUES ($1, $2, 'pending', $3)
             ON CONFLICT (offer) DO NOTHING",
        )
        .bind(offer)
        .bind(account)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        if result.rows_affected() == 0 {
            return Ok(false);
        }
        self.queue_job(JobKind::OfferEmail, offer, account, 0)
            .await?;
        Ok(true)
    }

    /// Records what became of an offer email: `sent` (with the message, and the BCC it went
    /// to), `skipped` or `failed` for good, or still `pending` after a failed try. Only while
    /// the email is pending: a late answer never turns a sent email back.
    pub async fn record_offer_email(
        &mut self,
        offer: &str,
        outcome: &EmailRecord<'_>,
    ) -> Result<(), StoreError> {
        let (recipient, subject, html, text) = match outcome.message {
            Some(message) => (
                Some(message.recipient),
                Some(message.subject),
                Some(message.html),
                Some(message.text),
            ),
            None => (None, None, None, None),
        };
        sqlx::query(
            "UPDATE offer_emails SET status = $1, detail = $2,
                 recipient = COALESCE($3, recipient), subject = COALESCE($4, subject),
                 html = COALESCE($5, html), text_body = COALESCE($6, text_body),
                 attempts = $7, sent_at = CASE WHEN $1 = 'sent' THEN $8 ELSE sent_at END,
                 bcc = COALESCE($9, bcc)
             WHERE offer = $10 AND status = 'pending'",
        )
        .bind(outcome.status)
        .bind(outcome.detail)
        .bind(recipient)
        .bind(subject)
        .bind(html)
        .bind(text)
        .bind(outcome.attempts)
        .bind(outcome.at)
        .bind(outcome.bcc)
        .bind(offer)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Records that the emailed `offer` was marked delivered at Stripe, or why that was given up.
    pub async fn record_offer_delivered(
        &mut self,
        offer: &str,
        given_up: Option<&str>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE offer_emails SET delivered_marked = $1, delivered_detail = $2 WHERE offer = $3",
        )
        .bind(i64::from(given_up.is_none()))
        .bind(given_up)
        .bind(offer)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }
}
