//! The Capital sandbox: Stripe's side of the world, played locally.
//!
//! It keeps its own offers (`sandbox/store.rs`), applies the lifecycle in [`machine`], and tells
//! the platform about every change the way Stripe does: a signed event for the platform's webhook
//! handler, which verifies and ingests it like any other. The events travel through a channel
//! ([`SandboxEvents`]) that the platform drains (`workers/sandbox_events.rs`); the sandbox never holds the
//! platform, so neither keeps the other alive.

pub mod cli;
pub mod machine;
pub mod pages;
pub mod store;

use capital_types::{
    AccountLink, AccountLinkType, CampaignType, CurrentRepaymentInterval, FinancingOffer,
    FinancingSummary, OfferStatus, OfferedTerms, ProductType, RepaymentIntervalConfiguration,
    SummaryDetails,
};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};

use crate::store::StoreError;
use crate::stripe::webhook_signature;
use machine::{Action, Financing, InvalidTransition};
use store::{HostedLink, LinkState, SandboxStore, SandboxTx};

/// One action's writes, committed together, and the events they make, sent after the commit.
struct Batch {
    tx: SandboxTx,
    /// `(type, account, object)` in the order they happened.
    events: Vec<(String, Option<String>, Value)>,
}

/// Account Links expire after five minutes and work once.
pub const LINK_LIFETIME_SECONDS: i64 = 300;
/// Offers expire this long after creation unless told otherwise.
pub const OFFER_LIFETIME_SECONDS: i64 = 30 * 24 * 3600;

pub use crate::domain::clock::now;

fn new_id(prefix: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let tail: String = (0..24)
        .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
        .collect();
    format!("{prefix}_{tail}")
}

/// Why a sandbox action did not happen.
/// The largest amount the sandbox takes, in minor units (ten billion in a two-decimal currency):
/// sums and fees scaled by amounts stay far inside `i64`.
const MAX_AMOUNT: i64 = 1_000_000_000_000;

/// The longest repayment interval the sandbox takes (ten years).
const MAX_INTERVAL_DAYS: i64 = 3_650;

/// `value` of `name` within `min..=max`, or a 400 that says so.
fn within(name: &str, value: i64, min: i64, max: i64) -> Result<(), SandboxError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(SandboxError::InvalidRequest(format!(
            "{name} must be from {min} to {max}"
        )))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("{0}")]
    InvalidRequest(String),
    #[error("{0}")]
    Conflict(String),
    #[error("no such {0}")]
    NotFound(&'static str),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The platform did not take an event (it refused it, or is gone).
    #[error("the platform did not take {event_type}: {reason}")]
    Delivery { event_type: String, reason: String },
}

impl From<InvalidTransition> for SandboxError {
    fn from(error: InvalidTransition) -> Self {
        SandboxError::Conflict(error.to_string())
    }
}

impl From<serde_json::Error> for SandboxError {
    fn from(error: serde_json::Error) -> Self {
        SandboxError::Store(StoreError::Corrupt(error))
    }
}

/// A signed event on its way to the platform's webhook handler, and where to say how it went.
pub struct SignedEvent {
    pub event_type: String,
    pub signature: String,
    pub body: String,
    /// `Err` with the platform's reason when it refused the event.
    pub taken: oneshot::Sender<Result<(), String>>,
}

/// The receiving end of the sandbox's events; the platform drains it.
pub type SandboxEvents = mpsc::Receiver<SignedEvent>;

/// "Create financing offer" in the dashboard's test tools.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateOffer {
    pub account: String,
    #[serde(default = "default_amount")]
    pub advance_amount: i64,
    #[serde(default)]
    pub fee_amount: Option<i64>,
    #[serde(default = "default_rate")]
    pub withhold_rate: f64,
    #[serde(default = "default_currency")]
    pub currency: String,
    #[serde(default)]
    pub product_type: Option<String>,
    #[serde(default)]
    pub campaign_type: Option<String>,
    #[serde(default)]
    pub financing_type: Option<String>,
    /// `undelivered` (default) or `delivered`.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub previous_financing_fee_discount_rate: Option<f64>,
    #[serde(default)]
    pub repayment_interval_days: Option<i64>,
    #[serde(default)]
    pub repayment_interval_minimum: Option<i64>,
    /// Whose lender's notice applies; by default the one for the financing type and currency.
    #[serde(default)]
    pub disclaimer_variant: Option<String>,
}

/// The lender for an offer of `financing_type` in `currency`, as Stripe assigns them: YouLend
/// for UK cash advances (GBP) and US ones, Celtic Bank for US loans, YouLend in France and
/// Germany (EUR), Fundbox in Australia (AUD).
fn default_disclaimer(financing_type: Option<&str>, currency: &str) -> &'static str {
    match (financing_type, currency.to_ascii_lowercase().as_str()) {
        (_, "gbp") => "youlend_uk_mca",
        (_, "eur") => "youlend_fr_financing",
        (_, "aud") => "fundbox_au_financing",
        (Some("cash_advance"), _) => "youlend_us_mca",
        _ => "celtic_us_loan",
    }
}

fn default_amount() -> i64 {
    100_000
}
fn default_rate() -> f64 {
    0.1
}
fn default_currency() -> String {
    "usd".into()
}

pub struct Sandbox {
    store: SandboxStore,
    webhook_secret: String,
    public_url: String,
    /// Where events go to reach the platform's webhook handler.
    events: mpsc::Sender<SignedEvent>,
    /// Serialises changes, so that concurrent actions on one offer cannot both pass the state
    /// machine (a read-check-write race). Held while events are delivered, as Stripe would
    /// finish a transition before announcing it.
    writing: tokio::sync::Mutex<()>,
}

impl Sandbox {
    /// A sandbox on `store`, and the events it will send (signed with `webhook_secret`), for the
    /// platform to drain.
    pub fn new(
        store: SandboxStore,
        webhook_secret: &str,
        public_url: &str,
    ) -> (Self, SandboxEvents) {
        let (events, receiver) = mpsc::channel(64);
        let sandbox = Sandbox {
            store,
            webhook_secret: webhook_secret.to_owned(),
            public_url: public_url.trim_end_matches('/').to_owned(),
            events,
            writing: tokio::sync::Mutex::new(()),
        };
        (sandbox, receiver)
    }

    // ---- the API the platform calls ----

    pub async fn list_offers(&self, account: &str) -> Result<Vec<FinancingOffer>, SandboxError> {
        Ok(self.store.offers(account).await?)
    }

    pub async fn retrieve_offer(&self, offer: &str) -> Result<FinancingOffer, SandboxError> {
        Ok(self.load(offer).await?.offer)
    }

    pub async fn mark_delivered(&self, offer: &str) -> Result<FinancingOffer, SandboxError> {
        let _writing = self.writing.lock().await;
        let mut financing = self.load(offer).await?;
        machine::apply(&mut financing, &Action::MarkDelivered, now())?;
        self.save(&financing).await?;
        Ok(financing.offer)
    }

    pub async fn financing_summary(&self, account: &str) -> Result<FinancingSummary, SandboxError> {
        let in_progress = self
            .financings(account)
            .await?
            .into_iter()
            .filter(|f| f.offer.status == OfferStatus::PaidOut)
            .max_by_key(|f| f.offer.created);
        let Some(financing) = in_progress else {
            return Ok(FinancingSummary {
                object: Some("capital.financing_summary".into()),
                details: None,
                financing_offer: None,
                status: Some("none".into()),
            });
        };
        let terms = financing.offer.accepted_terms.clone().unwrap_or_default();
        let paid_out_at = financing
            .offer
            .status_transitions
            .as_ref()
            .and_then(|t| t.paid_out_at)
            .unwrap_or(0);
        let current_repayment_interval = match terms
            .repayment_interval_configuration
            .as_ref()
            .and_then(|c| c.duration_days.map(|d| (d, c)))
        {
            // Checked: a stored interval the arithmetic cannot hold has no current interval,
            // rather than a panic on every view of the account.
            Some((days, config)) if days > 0 => 'interval: {
                let Some(length) = days.checked_mul(86_400) else {
                    break 'interval None;
                };
                let index = now().saturating_sub(paid_out_at).max(0) / length;
                let bounds = index.checked_mul(length).and_then(|offset| {
                    let start = paid_out_at.checked_add(offset)?;
                    Some((start, start.checked_add(length)?))
                });
                let Some((start, due)) = bounds else {
                    break 'interval None;
                };
                let paid = self
                    .store
                    .paid_between(&financing.offer.id, start, due)
                    .await?;
                let minimum = config
                    .minimum_amount
                    .unwrap_or(0)
                    .min(financing.remaining() + paid);
                Some(CurrentRepaymentInterval {
                    due_at: Some(due as f64),
                    paid_amount: Some(paid),
                    remaining_amount: Some(minimum.saturating_sub(paid).max(0)),
                })
            }
            _ => None,
        };
        Ok(FinancingSummary {
            object: Some("capital.financing_summary".into()),
            financing_offer: Some(financing.offer.id.clone()),
            status: None,
            details: Some(SummaryDetails {
                advance_amount: terms.advance_amount,
                advance_paid_out_at: Some(paid_out_at as f64 * 1000.0),
                currency: terms.currency.clone(),
                current_repayment_interval,
                disclaimer_variant: financing.offer.disclaimer_variant.clone(),
                fee_amount: terms.fee_amount,
                paid_amount: Some(financing.paid),
                remaining_amount: Some(financing.remaining()),
                repayments_begin_at: Some(paid_out_at.saturating_add(86_400) as f64),
                withhold_rate: terms.withhold_rate,
            }),
        })
    }

    pub async fn create_account_link(
        &self,
        account: &str,
        link_type: &AccountLinkType,
        refresh_url: &str,
        return_url: &str,
    ) -> Result<AccountLink, SandboxError> {
        let token = new_id("link");
        let created = now();
        self.store
            .insert_link(&HostedLink {
                token: token.clone(),
                account: account.to_owned(),
                link_type: link_type.clone(),
                state: LinkState::Fresh,
                expires_at: created + LINK_LIFETIME_SECONDS,
                refresh_url: refresh_url.to_owned(),
                return_url: return_url.to_owned(),
            })
            .await?;
        Ok(AccountLink {
            object: Some("account_link".into()),
            created: Some(created),
            expires_at: Some(created + LINK_LIFETIME_SECONDS),
            url: format!("{}/sandbox/hosted/{token}", self.public_url),
        })
    }

    // ---- the dashboard's test tools ----

    pub async fn create_offer(&self, request: CreateOffer) -> Result<FinancingOffer, SandboxError> {
        let _writing = self.writing.lock().await;
        self.create_offer_locked(request).await
    }

    async fn create_offer_locked(
        &self,
        request: CreateOffer,
    ) -> Result<FinancingOffer, SandboxError> {
        // Each field named, in the units this API takes (the control panel checks in its own first).
        if request.advance_amount < 1 {
            return Err(SandboxError::InvalidRequest(
                "advance_amount must be at least 1 (in the currency's minor units: 100 is 1.00 USD)"
                    .into(),
            ));
        }
        if request.fee_amount.is_some_and(|f| f < 0) {
            return Err(SandboxError::InvalidRequest(
                "fee_amount must not be negative (in the currency's minor units)".into(),
            ));
        }
        // Bounded, so that sums, fees scaled by amounts and interval arithmetic on stored offers
        // cannot overflow, whatever a request sends.
        within("advance_amount", request.advance_amount, 1, MAX_AMOUNT)?;
        if let Some(fee) = request.fee_amount {
            within("fee_amount", fee, 0, MAX_AMOUNT)?;
        }
        if let Some(days) = request.repayment_interval_days {
            within("repayment_interval_days", days, 1, MAX_INTERVAL_DAYS)?;
        }
        if let Some(minimum) = request.repayment_interval_minimum {
            within("repayment_interval_minimum", minimum, 0, MAX_AMOUNT)?;
        }
        if request
            .previous_financing_fee_discount_rate
            .is_some_and(|rate| !(0.0..=1.0).contains(&rate))
        {
            return Err(SandboxError::InvalidRequest(
                "previous_financing_fee_discount_rate must be a fraction from 0 to 1 (0.5 is 50%)"
                    .into(),
            ));
        }
        if !(0.0..=1.0).contains(&request.withhold_rate) {
            return Err(SandboxError::InvalidRequest(
                "withhold_rate must be a fraction from 0 to 1 (0.12 is 12%)".into(),
            ));
        }
        if request.account.trim().is_empty() {
            return Err(SandboxError::InvalidRequest("account is required".into()));
        }
        let status = match request.status.as_deref() {
            None | Some("undelivered") => OfferStatus::Undelivered,
            Some("delivered") => OfferStatus::Delivered,
            Some(other) => {
                return Err(SandboxError::InvalidRequest(format!(
                    "offers are created undelivered or delivered, not {other}"
                )));
            }
        };
        let created = now();
        let refill = request.product_type.as_deref() == Some("refill");
        let interval = request
            .repayment_interval_days
            .map(|days| RepaymentIntervalConfiguration {
                duration_days: Some(days),
                maximum_amount: None,
                minimum_amount: request.repayment_interval_minimum,
            });
        let offer = FinancingOffer {
            id: new_id("financingoffer"),
            object: Some("capital.financing_offer".into()),
            account: Some(request.account.clone()),
            accepted_terms: None,
            charged_off_at: None,
            created: Some(created),
            disclaimer_variant: Some(
                request
                    .disclaimer_variant
                    .clone()
                    .unwrap_or_else(|| {
                        default_disclaimer(request.financing_type.as_deref(), &request.currency)
                            .to_owned()
                    })
                    .into(),
            ),
            expires_after: Some((created + OFFER_LIFETIME_SECONDS) as f64),
            financing_type: Some(
                request
                    .financing_type
                    .as_deref()
                    .unwrap_or(if interval.is_some() {
                        "fixed_term_loan"
                    } else {
                        "flex_loan"
                    })
                    .into(),
            ),
            livemode: Some(false),
            metadata: Some(Default::default()),
            offered_terms: Some(OfferedTerms {
                advance_amount: Some(request.advance_amount),
                campaign_type: Some(
                    request
                        .campaign_type
                        .as_deref()
                        .map(CampaignType::from)
                        .unwrap_or(if refill {
                            CampaignType::RepeatUser
                        } else {
                            CampaignType::NewlyEligibleUser
                        }),
                ),
                currency: Some(request.currency.to_ascii_lowercase().as_str().into()),
                fee_amount: Some(request.fee_amount.unwrap_or(request.advance_amount / 10)),
                previous_financing_fee_discount_rate: if refill {
                    request.previous_financing_fee_discount_rate
                } else {
                    None
                },
                repayment_interval_configuration: interval,
                target_payback_days: None,
                withhold_rate: Some(request.withhold_rate),
            }),
            product_type: Some(
                request
                    .product_type
                    .as_deref()
                    .map(ProductType::from)
                    .unwrap_or(ProductType::Standard),
            ),
            replacement: None,
            replacement_for: None,
            status,
            status_transitions: Some(Default::default()),
            legacy_type: None,
        };
        let financing = Financing { offer, paid: 0 };
        let mut batch = self.batch().await?;
        batch.tx.save(&financing).await?;
        Self::emit(
            &mut batch,
            "capital.financing_offer.created",
            &financing.offer,
        )?;
        self.finish(batch).await?;
        Ok(financing.offer)
    }

    /// Applies a lifecycle action and emits the matching event(s).
    pub async fn act(&self, offer: &str, action: Action) -> Result<FinancingOffer, SandboxError> {
        let _writing = self.writing.lock().await;
        self.act_locked(offer, action).await
    }

    async fn act_locked(
        &self,
        offer: &str,
        action: Action,
    ) -> Result<FinancingOffer, SandboxError> {
        let mut financing = self.load(offer).await?;
        let before = financing.offer.status.clone();
        let paid_before = financing.paid;
        if action == Action::PayOut && financing.offer.is_refill() {
            return self.pay_out_refill(financing).await;
        }
        machine::apply(&mut financing, &action, now())?;
        let mut batch = self.batch().await?;
        batch.tx.save(&financing).await?;
        if let Action::Repay { .. } | Action::RepayInFull = action {
            let amount = financing.paid - paid_before;
            if amount > 0 {
                self.record_transaction(
                    &mut batch,
                    &financing,
                    "payment",
                    amount,
                    "requested_by_user",
                )
                .await?;
            }
        }
        if financing.offer.status != before {
            let event = match &financing.offer.status {
                OfferStatus::Accepted => Some("capital.financing_offer.accepted"),
                OfferStatus::PaidOut => Some("capital.financing_offer.paid_out"),
                OfferStatus::FullyRepaid => Some("capital.financing_offer.fully_repaid"),
                OfferStatus::Rejected => Some("capital.financing_offer.rejected"),
                OfferStatus::Canceled => Some("capital.financing_offer.canceled"),
                OfferStatus::Expired => Some("capital.financing_offer.expired"),
                _ => None,
            };
            if let Some(event) = event {
                Self::emit(&mut batch, event, &financing.offer)?;
            }
        }
        self.finish(batch).await?;
        Ok(financing.offer)
    }

    /// A refill's payout repays the financing it refills (less the discount on its remaining
    /// fee) and pays out the difference.
    async fn pay_out_refill(&self, mut refill: Financing) -> Result<FinancingOffer, SandboxError> {
        let account = refill.offer.account.clone().unwrap_or_default();
        let previous = self
            .financings(&account)
            .await?
            .into_iter()
            .find(|f| f.offer.status == OfferStatus::PaidOut && f.offer.id != refill.offer.id);
        machine::apply(&mut refill, &Action::PayOut, now())?;
        let mut batch = self.batch().await?;
        if let Some(mut previous) = previous {
            let rate = refill
                .offer
                .offered_terms
                .as_ref()
                .and_then(|t| t.previous_financing_fee_discount_rate);
            let (discount, owed) = machine::refill_settlement(&previous, rate);
            if let Some(terms) = refill.offer.accepted_terms.as_mut() {
                terms.previous_financing_fee_discount_amount = discount;
            }
            // The old financing closes in full: the refill pays `owed`, the discount is forgiven.
            machine::apply(&mut previous, &Action::RepayInFull, now())?;
            batch.tx.save(&previous).await?;
            self.record_transaction(&mut batch, &previous, "payment", owed, "refill")
                .await?;
            Self::emit(
                &mut batch,
                "capital.financing_offer.fully_repaid",
                &previous.offer,
            )?;
            let advance = refill
                .offer
                .accepted_terms
                .as_ref()
                .and_then(|t| t.advance_amount)
                .unwrap_or(0);
            self.record_transaction(
                &mut batch,
                &refill,
                "payout",
                (advance - owed).max(0),
                "refill",
            )
            .await?;
        }
        batch.tx.save(&refill).await?;
        Self::emit(
            &mut batch,
            "capital.financing_offer.paid_out",
            &refill.offer,
        )?;
        self.finish(batch).await?;
        Ok(refill.offer)
    }

    /// Replaces an open, never-replaced offer with a new delivered one (default: 1.5 × amount).
    pub async fn replace(
        &self,
        offer: &str,
        advance_amount: Option<i64>,
    ) -> Result<FinancingOffer, SandboxError> {
        if let Some(amount) = advance_amount {
            within("advance_amount", amount, 1, MAX_AMOUNT)?;
        }
        let _writing = self.writing.lock().await;
        let mut old = self.load(offer).await?;
        let new_id = new_id("financingoffer");
        machine::apply(
            &mut old,
            &Action::MarkReplaced {
                replacement: new_id.clone(),
            },
            now(),
        )?;
        let mut new = old.offer.clone();
        new.id = new_id;
        new.status = OfferStatus::Delivered;
        new.replacement = None;
        new.replacement_for = Some(old.offer.id.clone());
        new.created = Some(now());
        new.status_transitions = Some(Default::default());
        if let Some(terms) = new.offered_terms.as_mut() {
            let current = terms.advance_amount.unwrap_or(0);
            let amount =
                advance_amount.unwrap_or(current.saturating_add(current / 2).min(MAX_AMOUNT));
            if amount < 1 {
                return Err(SandboxError::InvalidRequest(
                    "advance_amount must be positive".into(),
                ));
            }
            terms.fee_amount = terms
                .fee_amount
                .map(|fee| ((fee as i128 * amount as i128) / current.max(1) as i128) as i64);
            terms.advance_amount = Some(amount);
        }
        let new = Financing {
            offer: new,
            paid: 0,
        };
        let mut batch = self.batch().await?;
        batch.tx.save(&old).await?;
        batch.tx.save(&new).await?;
        Self::emit(
            &mut batch,
            "capital.financing_offer.replacement_created",
            &new.offer,
        )?;
        self.finish(batch).await?;
        Ok(new.offer)
    }

    /// Offers a refill once at least half of the account's financing in progress is repaid.
    pub async fn create_refill(
        &self,
        account: &str,
        advance_amount: Option<i64>,
        discount_rate: Option<f64>,
    ) -> Result<FinancingOffer, SandboxError> {
        let _writing = self.writing.lock().await;
        let current = self
            .financings(account)
            .await?
            .into_iter()
            .find(|f| f.offer.status == OfferStatus::PaidOut)
            .ok_or_else(|| {
                SandboxError::Conflict("a refill needs financing in progress (paid_out)".into())
            })?;
        if current.paid * 2 < current.total_owed() {
            return Err(SandboxError::Conflict(
                "a refill is offered once at least half of the current financing is repaid".into(),
            ));
        }
        if self
            .financings(account)
            .await?
            .iter()
            .any(|f| f.offer.is_refill() && f.offer.status.is_open())
        {
            return Err(SandboxError::Conflict(
                "the account already has an open refill offer".into(),
            ));
        }
        let terms = current.offer.accepted_terms.clone().unwrap_or_default();
        let amount =
            advance_amount.unwrap_or_else(|| terms.advance_amount.unwrap_or(100_000) * 3 / 2);
        self.create_offer_locked(CreateOffer {
            account: account.to_owned(),
            advance_amount: amount,
            fee_amount: None,
            withhold_rate: terms.withhold_rate.unwrap_or(0.1),
            currency: terms
                .currency
                .map(|c| c.as_str().to_owned())
                .unwrap_or_else(default_currency),
            product_type: Some("refill".into()),
            campaign_type: Some("repeat_user".into()),
            // A refill is of the same kind, and from the same lender, as what it refills.
            financing_type: current
                .offer
                .effective_financing_type()
                .map(|t| t.as_str().to_owned()),
            status: Some("delivered".into()),
            previous_financing_fee_discount_rate: Some(discount_rate.unwrap_or(0.5)),
            repayment_interval_days: None,
            repayment_interval_minimum: None,
            disclaimer_variant: current
                .offer
                .disclaimer_variant
                .as_ref()
                .map(|v| v.as_str().to_owned()),
        })
        .await
    }

    /// Expires open offers whose `expires_after` has passed (run periodically).
    pub async fn expire_due(&self) -> Result<usize, SandboxError> {
        let _writing = self.writing.lock().await;
        let mut expired = 0;
        for offer in self.store.all_offers().await? {
            if offer.status.is_open() && offer.expires_after.is_some_and(|at| at < now() as f64) {
                self.act_locked(&offer.id, Action::Expire).await?;
                expired += 1;
            }
        }
        Ok(expired)
    }

    // ---- hosted pages ----

    pub async fn link(&self, token: &str) -> Result<Option<HostedLink>, SandboxError> {
        Ok(self.store.link(token).await?)
    }

    /// Moves a link forward (fresh → opened → done); `false` if another request got there first.
    pub async fn advance_link(&self, token: &str, from: LinkState) -> Result<bool, SandboxError> {
        let to = match from {
            LinkState::Fresh => LinkState::Opened,
            LinkState::Opened => LinkState::Done,
            LinkState::Done => return Ok(false),
        };
        Ok(self.store.advance_link(token, from, to).await?)
    }

    /// The account's offers and repayments, for the reporting page and the control panel.
    pub async fn financings(&self, account: &str) -> Result<Vec<Financing>, SandboxError> {
        Ok(self.store.financings(account).await?)
    }

    pub async fn transactions(&self, account: &str) -> Result<Vec<Value>, SandboxError> {
        Ok(self.store.transactions(account).await?)
    }

    // ---- internals ----

    /// Starts an action's writes; `finish` commits them, then sends their events.
    async fn batch(&self) -> Result<Batch, SandboxError> {
        Ok(Batch {
            tx: self.store.begin().await?,
            events: Vec::new(),
        })
    }

    /// Commits an action's writes together, then sends its events in order: as Stripe, an event
    /// only for a change that was made.
    async fn finish(&self, batch: Batch) -> Result<(), SandboxError> {
        batch.tx.commit().await?;
        for (event_type, account, object) in batch.events {
            self.emit_value(&event_type, account.as_deref(), object)
                .await?;
        }
        Ok(())
    }

    async fn load(&self, offer: &str) -> Result<Financing, SandboxError> {
        self.store
            .financing(offer)
            .await?
            .ok_or(SandboxError::NotFound("financing offer"))
    }

    async fn save(&self, financing: &Financing) -> Result<(), SandboxError> {
        Ok(self.store.save(financing).await?)
    }

    async fn record_transaction(
        &self,
        batch: &mut Batch,
        financing: &Financing,
        kind: &str,
        amount: i64,
        reason: &str,
    ) -> Result<(), SandboxError> {
        let terms = financing.offer.accepted_terms.clone().unwrap_or_default();
        let total = financing.total_owed().max(1);
        let fee_share =
            ((terms.fee_amount.unwrap_or(0) as i128 * amount as i128) / total as i128) as i64;
        let created = now();
        let transaction = json!({
            "id": new_id("cptxn"), "object": "capital.financing_transaction",
            "account": financing.offer.account, "created_at": created, "financing_offer": financing.offer.id,
            "livemode": false, "type": kind, "user_facing_description": null,
            "details": {"advance_amount": amount - fee_share, "fee_amount": fee_share, "total_amount": amount,
                        "currency": terms.currency, "reason": reason},
        });
        batch
            .tx
            .insert_transaction(
                &financing.offer.id,
                financing.offer.account.as_deref().unwrap_or_default(),
                &transaction,
                created,
            )
            .await?;
        batch.events.push((
            "capital.financing_transaction.created".to_owned(),
            financing.offer.account.clone(),
            transaction,
        ));
        Ok(())
    }

    /// Queues `event_type` about `offer`, sent once the batch is committed.
    fn emit(
        batch: &mut Batch,
        event_type: &str,
        offer: &FinancingOffer,
    ) -> Result<(), SandboxError> {
        batch.events.push((
            event_type.to_owned(),
            offer.account.clone(),
            serde_json::to_value(offer)?,
        ));
        Ok(())
    }

    /// Signs an event and hands it to the platform; returns once the platform has taken it.
    async fn emit_value(
        &self,
        event_type: &str,
        account: Option<&str>,
        object: Value,
    ) -> Result<(), SandboxError> {
        let event = json!({
            "id": new_id("evt"), "object": "event", "type": event_type, "created": now(),
            "api_version": crate::stripe::client::STRIPE_VERSION, "livemode": false, "account": account,
            "data": {"object": object},
        });
        let body = event.to_string();
        let signature = webhook_signature::sign(body.as_bytes(), &self.webhook_secret, now());
        let refused = |reason: String| SandboxError::Delivery {
            event_type: event_type.to_owned(),
            reason,
        };
        let (taken, answer) = oneshot::channel();
        self.events
            .send(SignedEvent {
                event_type: event_type.to_owned(),
                signature,
                body,
                taken,
            })
            .await
            .map_err(|_| refused("nothing receives the sandbox's events".into()))?;
        answer
            .await
            .map_err(|_| refused("the platform dropped the event".into()))?
            .map_err(refused)
    }
}
