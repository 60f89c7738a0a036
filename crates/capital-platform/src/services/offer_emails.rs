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
//! (2, 4, 8 … s, at most ten minutes apart), and `failed` after twelve tries (about 37
//! minutes). The job, its claim, renewals and backoff are the store's one job mechanism
//! (`store/jobs.rs`); only the claimer records an outcome, and a record is written only while
//! the email is pending, so a late failure never undoes a send. A restart resumes what is
//! pending. The one gap no outbox closes: a crash after the server accepted the message and
//! before `sent` is recorded sends it again (SMTP has no idempotency key); the copy carries the
//! offer's one `Message-ID`.
//!
//! Where the email goes: SMTP (`--smtp-url`, lettre over rustls), or in sandbox mode without one,
//! the sandbox's outbox (the email is kept, and shown on the sandbox page, but goes nowhere).

mod render;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use capital_types::{Branding, FinancingOffer, OfferStatus};
use hmac::{Hmac, Mac};
use lettre::message::{Mailbox, MultiPart, header};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sha2::Sha256;
use tokio::sync::Notify;

use crate::services::capital::Capital;
use crate::store::{JobKind, Store};

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

/// Sends tried per email before it is given up as `failed` (`workers/offer_emails.rs`).
pub const ATTEMPTS: i64 = JobKind::OfferEmail.attempts();

/// The offer email's `Message-ID`: one per offer, the same on every attempt, so that the rare
/// second copy (an instance killed after the mail server took the message and before the
/// record) is the same message to the mail servers and clients that recognise one.
pub fn message_id(offer_id: &str, public_url: &str) -> String {
    let host = reqwest::Url::parse(public_url)
        .ok()
        .and_then(|url| url.host_str().map(str::to_owned))
        .unwrap_or_else(|| "localhost".to_owned());
    format!("<capital-offer.{offer_id}@{host}>")
}

/// How a failed send that never reached the mail server begins its error: once another send
/// reaches the server, these are tried again at once instead of after their backoff. A server's
/// own refusal (4xx greylisting, 5xx) keeps its backoff.
pub const SERVER_UNREACHABLE: &str = "the mail server could not be reached";

/// What became of one send.
pub enum Outcome {
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

/// What sending one offer email reads and uses: a narrow handle (`AppState::offer_emails`).
#[derive(Clone)]
pub struct OfferEmails {
    pub mailer: Arc<Mailer>,
    pub store: Store,
    pub capital: Capital,
    /// `--public-url`, for the unsubscribe link.
    pub public_url: String,
    pub branding: Branding,
    /// The addresses the configured demo accounts have (the sandbox's); others come from Stripe.
    pub known_emails: Arc<HashMap<String, String>>,
}

impl OfferEmails {
    /// Writes and sends the email of `offer_id` to `account`'s user, unless it should not go (the
    /// account unsubscribed or has no address, the offer is no longer open).
    pub async fn send(&self, offer_id: &str, account: &str) -> Outcome {
        let mailer = &*self.mailer;
        match self.store.is_unsubscribed(account).await {
            Ok(true) => {
                return Outcome::Skipped("the account unsubscribed from offer emails".into());
            }
            Ok(false) => {}
            Err(error) => {
                return Outcome::Failed {
                    error: error.to_string(),
                    email: None,
                };
            }
        }
        let offer: FinancingOffer = match self.store.offer_of_account(offer_id, account).await {
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
        let recipient = match self.recipient(account).await {
            Ok(Some(recipient)) => recipient,
            Ok(None) => return Outcome::Skipped("no email address for the account".into()),
            Err(error) => return Outcome::Failed { error, email: None },
        };
        let public = self.public_url.trim_end_matches('/');
        let unsubscribe_url = format!(
            "{public}/email/unsubscribe?account={account}&token={}",
            mailer.unsubscribe_token(account)
        );
        let Some(email) = render(
            &offer,
            &self.branding,
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
            .message_id(Some(message_id(offer_id, public)))
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
                // Not a word from the server (refused, cut, timed out, TLS): said so, so that
                // the next send that does reach it brings this one forward.
                Err(error) if !error.is_transient() && !error.is_permanent() => Outcome::Failed {
                    error: format!("{SERVER_UNREACHABLE}: {error}"),
                    email: Some((recipient, email)),
                },
                Err(error) => Outcome::Failed {
                    error: error.to_string(),
                    email: Some((recipient, email)),
                },
            },
        }
    }

    /// The account's address: a configured demo account's (the sandbox's), else the one kept from
    /// Stripe's account `email` (read once, then kept).
    async fn recipient(&self, account: &str) -> Result<Option<String>, String> {
        if let Some(known) = self.known_emails.get(account) {
            return Ok(Some(known.clone()));
        }
        if let Some(stored) = self
            .store
            .account_email(account)
            .await
            .map_err(|e| e.to_string())?
        {
            return Ok(Some(stored));
        }
        let Some(email) = self
            .capital
            .account_email(account)
            .await
            .map_err(|e| e.to_string())?
        else {
            return Ok(None);
        };
        self.store
            .put_account_email(account, &email)
            .await
            .map_err(|e| e.to_string())?;
        Ok(Some(email))
    }
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

    #[test]
    fn each_offer_has_one_message_id_on_the_platforms_host() {
        let id = message_id(
            "financingoffer_1Abc",
            "https://dashboard.platform.example/capital",
        );
        assert_eq!(
            id,
            "<capital-offer.financingoffer_1Abc@dashboard.platform.example>"
        );
        assert_eq!(
            id,
            message_id("financingoffer_1Abc", "https://dashboard.platform.example")
        );
        assert_ne!(
            id,
            message_id("financingoffer_2Def", "https://dashboard.platform.example")
        );
        assert_eq!(
            message_id("financingoffer_1Abc", "not a url"),
            "<capital-offer.financingoffer_1Abc@localhost>"
        );
    }
}
