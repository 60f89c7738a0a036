//! The Capital offer lifecycle as the sandbox plays it (the seeds' state machine), pure:
//! undelivered → delivered → accepted → paid_out → fully_repaid, with expired, rejected,
//! canceled (within 48 hours of acceptance) and replaced (once, while open) on the side.

use capital_types::{AcceptedTerms, FinancingOffer, OfferStatus, StatusTransitions};

/// Cancellation is possible only this long after acceptance.
pub const CANCEL_WINDOW_SECONDS: i64 = 48 * 3600;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidTransition {
    #[error("offer {id} is {status}; {action} needs it to be {needed}")]
    WrongStatus {
        id: String,
        status: String,
        action: &'static str,
        needed: &'static str,
    },
    #[error("the amount must be between 1 and {maximum}")]
    AmountOutOfRange { maximum: i64 },
    #[error("cancellation is only possible within 48 hours of acceptance")]
    CancelWindowClosed,
    #[error("offer {0} has been replaced before")]
    AlreadyReplaced(String),
    #[error("offer {0} has no terms to work with")]
    MissingTerms(String),
}

/// One step of the lifecycle.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    MarkDelivered,
    /// The application was submitted for `advance_amount` (up to the offered amount).
    Accept {
        advance_amount: i64,
    },
    /// Approve the application and disburse the funds.
    PayOut,
    /// Record a repayment of `amount` (capped at what is owed).
    Repay {
        amount: i64,
    },
    RepayInFull,
    Reject,
    Cancel,
    Expire,
    /// This offer is replaced by `replacement`.
    MarkReplaced {
        replacement: String,
    },
}

impl Action {
    /// The action a dashboard tool names in its path (`/offers/{offer}/{name}`), with the
    /// amount its body gave; `replace` is no action on this offer (the sandbox makes a new one)
    /// and is the caller's. The error is a sentence for the caller to show.
    pub fn named(name: &str, amount: Option<i64>) -> Result<Action, String> {
        let needs_amount = || amount.ok_or_else(|| format!("{name} needs an amount"));
        Ok(match name {
            "accept" => Action::Accept {
                advance_amount: needs_amount()?,
            },
            "approve" => Action::PayOut,
            "repay" => Action::Repay {
                amount: needs_amount()?,
            },
            "repay_in_full" => Action::RepayInFull,
            "reject" => Action::Reject,
            "cancel" => Action::Cancel,
            "expire" => Action::Expire,
            other => return Err(format!("unknown sandbox action {other}")),
        })
    }

    pub fn name(&self) -> &'static str {
        match self {
            Action::MarkDelivered => "mark delivered",
            Action::Accept { .. } => "accept",
            Action::PayOut => "approve and disburse",
            Action::Repay { .. } => "record a repayment",
            Action::RepayInFull => "repay in full",
            Action::Reject => "reject",
            Action::Cancel => "cancel",
            Action::Expire => "expire",
            Action::MarkReplaced { .. } => "replace",
        }
    }
}

/// An offer as the sandbox keeps it: Stripe's object and what has been repaid.
#[derive(Debug, Clone, PartialEq)]
pub struct Financing {
    pub offer: FinancingOffer,
    pub paid: i64,
}

impl Financing {
    /// Advance plus fee of the accepted terms: what is owed in all.
    pub fn total_owed(&self) -> i64 {
        self.offer.accepted_terms.as_ref().map_or(0, |t| {
            t.advance_amount
                .unwrap_or(0)
                .saturating_add(t.fee_amount.unwrap_or(0))
        })
    }

    pub fn remaining(&self) -> i64 {
        self.total_owed().saturating_sub(self.paid).max(0)
    }

    /// The share of the fee still owed: repayments pay advance and fee in proportion.
    pub fn remaining_fee(&self) -> i64 {
        let total = self.total_owed();
        let fee = self
            .offer
            .accepted_terms
            .as_ref()
            .and_then(|t| t.fee_amount)
            .unwrap_or(0);
        if total == 0 {
            0
        } else {
            ((fee as i128 * self.remaining() as i128) / total as i128) as i64
        }
    }
}

fn wrong(financing: &Financing, action: &Action, needed: &'static str) -> InvalidTransition {
    InvalidTransition::WrongStatus {
        id: financing.offer.id.clone(),
        status: financing.offer.status.as_str().to_owned(),
        action: action.name(),
        needed,
    }
}

fn transitions(offer: &mut FinancingOffer) -> &mut StatusTransitions {
    offer
        .status_transitions
        .get_or_insert_with(StatusTransitions::default)
}

/// Applies `action` at time `now`; on error nothing changes.
pub fn apply(
    financing: &mut Financing,
    action: &Action,
    now: i64,
) -> Result<(), InvalidTransition> {
    let status = financing.offer.status.clone();
    match action {
        Action::MarkDelivered => match status {
            OfferStatus::Undelivered => financing.offer.status = OfferStatus::Delivered,
            // Idempotent, as Stripe's endpoint.
            OfferStatus::Delivered => {}
            _ => return Err(wrong(financing, action, "undelivered")),
        },
        Action::Accept { advance_amount } => {
            if !status.is_open() {
                return Err(wrong(financing, action, "undelivered or delivered"));
            }
            let terms = financing
                .offer
                .offered_terms
                .clone()
                .ok_or_else(|| InvalidTransition::MissingTerms(financing.offer.id.clone()))?;
            let maximum = terms.advance_amount.unwrap_or(0);
            if *advance_amount < 1 || *advance_amount > maximum {
                return Err(InvalidTransition::AmountOutOfRange { maximum });
            }
            // The fee scales with the amount chosen on the application's slider.
            let fee = ((terms.fee_amount.unwrap_or(0) as i128 * *advance_amount as i128)
                / maximum as i128) as i64;
            financing.offer.accepted_terms = Some(AcceptedTerms {
                advance_amount: Some(*advance_amount),
                currency: terms.currency.clone(),
                fee_amount: Some(fee),
                previous_financing_fee_discount_amount: None,
                repayment_interval_configuration: terms.repayment_interval_configuration.clone(),
                target_payback_days: terms.target_payback_days,
                withhold_rate: terms.withhold_rate,
            });
            financing.offer.status = OfferStatus::Accepted;
            transitions(&mut financing.offer).accepted_at = Some(now);
        }
        Action::PayOut => {
            if status != OfferStatus::Accepted {
                return Err(wrong(financing, action, "accepted"));
            }
            financing.offer.status = OfferStatus::PaidOut;
            transitions(&mut financing.offer).paid_out_at = Some(now);
        }
        Action::Repay { amount } => {
            if status != OfferStatus::PaidOut {
                return Err(wrong(financing, action, "paid_out"));
            }
            let remaining = financing.remaining();
            if *amount < 1 {
                return Err(InvalidTransition::AmountOutOfRange { maximum: remaining });
            }
            financing.paid += (*amount).min(remaining);
            if financing.remaining() == 0 {
                financing.offer.status = OfferStatus::FullyRepaid;
                transitions(&mut financing.offer).fully_repaid_at = Some(now);
            }
        }
        Action::RepayInFull => {
            if status != OfferStatus::PaidOut {
                return Err(wrong(financing, action, "paid_out"));
            }
            financing.paid = financing.total_owed();
            financing.offer.status = OfferStatus::FullyRepaid;
            transitions(&mut financing.offer).fully_repaid_at = Some(now);
        }
        Action::Reject => {
            if status != OfferStatus::Accepted {
                return Err(wrong(financing, action, "accepted"));
            }
            financing.offer.status = OfferStatus::Rejected;
            transitions(&mut financing.offer).rejected_at = Some(now);
        }
        Action::Cancel => {
            if !matches!(status, OfferStatus::Accepted | OfferStatus::PaidOut) {
                return Err(wrong(financing, action, "accepted or paid_out"));
            }
            let accepted_at = financing
                .offer
                .status_transitions
                .as_ref()
                .and_then(|t| t.accepted_at)
                .unwrap_or(i64::MIN);
            if now.saturating_sub(accepted_at) > CANCEL_WINDOW_SECONDS {
                return Err(InvalidTransition::CancelWindowClosed);
            }
            financing.offer.status = OfferStatus::Canceled;
            transitions(&mut financing.offer).canceled_at = Some(now);
        }
        Action::Expire => {
            if !status.is_open() {
                return Err(wrong(financing, action, "undelivered or delivered"));
            }
            financing.offer.status = OfferStatus::Expired;
        }
        Action::MarkReplaced { replacement } => {
            if !status.is_open() {
                return Err(wrong(financing, action, "undelivered or delivered"));
            }
            if financing.offer.replacement.is_some() || financing.offer.replacement_for.is_some() {
                return Err(InvalidTransition::AlreadyReplaced(
                    financing.offer.id.clone(),
                ));
            }
            financing.offer.status = OfferStatus::Replaced;
            financing.offer.replacement = Some(replacement.clone());
            transitions(&mut financing.offer).replaced_at = Some(now);
        }
    }
    Ok(())
}

/// What a refill's payout does to the financing it refills: the discount on its remaining fee
/// (`None` without a discount rate) and what is still owed on it after the discount.
pub fn refill_settlement(previous: &Financing, discount_rate: Option<f64>) -> (Option<i64>, i64) {
    let discount = discount_rate
        .filter(|rate| rate.is_finite() && *rate > 0.0)
        .map(|rate| (previous.remaining_fee() as f64 * rate.min(1.0)).round() as i64);
    (discount, previous.remaining() - discount.unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn financing(status: &str) -> Financing {
        let offer = serde_json::from_value(json!({
            "id": "financingoffer_1", "account": "acct_1", "status": status, "created": 100,
            "offered_terms": {"advance_amount": 1_000_000, "fee_amount": 100_000, "currency": "usd", "withhold_rate": 0.1},
        }))
        .unwrap();
        Financing { offer, paid: 0 }
    }

    fn through(actions: &[Action]) -> Financing {
        let mut f = financing("undelivered");
        for action in actions {
            apply(&mut f, action, 1_000).unwrap();
        }
        f
    }

    #[test]
    fn the_happy_path() {
        let f = through(&[
            Action::MarkDelivered,
            Action::Accept {
                advance_amount: 500_000,
            },
            Action::PayOut,
        ]);
        assert_eq!(f.offer.status, OfferStatus::PaidOut);
        let terms = f.offer.accepted_terms.as_ref().unwrap();
        assert_eq!(
            terms.fee_amount,
            Some(50_000),
            "the fee scales with the accepted amount"
        );
        assert_eq!(f.total_owed(), 550_000);
        let mut f = f;
        apply(&mut f, &Action::Repay { amount: 50_000 }, 2_000).unwrap();
        assert_eq!(f.remaining(), 500_000);
        apply(&mut f, &Action::Repay { amount: 10_000_000 }, 3_000).unwrap();
        assert_eq!(f.offer.status, OfferStatus::FullyRepaid);
        assert_eq!(f.paid, 550_000, "repayments are capped at what is owed");
    }

    #[test]
    fn invalid_transitions_are_refused_and_change_nothing() {
        let mut f = financing("delivered");
        let before = f.clone();
        for action in [
            Action::PayOut,
            Action::Repay { amount: 1 },
            Action::Reject,
            Action::Cancel,
            Action::RepayInFull,
        ] {
            assert!(apply(&mut f, &action, 1).is_err(), "{action:?}");
            assert_eq!(f, before);
        }
        assert_eq!(
            apply(&mut f, &Action::Accept { advance_amount: 0 }, 1),
            Err(InvalidTransition::AmountOutOfRange { maximum: 1_000_000 })
        );
        assert_eq!(
            apply(
                &mut f,
                &Action::Accept {
                    advance_amount: 1_000_001
                },
                1
            ),
            Err(InvalidTransition::AmountOutOfRange { maximum: 1_000_000 })
        );
    }

    #[test]
    fn cancel_only_within_48_hours() {
        let mut f = through(&[Action::Accept {
            advance_amount: 1_000,
        }]);
        assert_eq!(
            apply(
                &mut f.clone(),
                &Action::Cancel,
                1_000 + CANCEL_WINDOW_SECONDS
            ),
            Ok(())
        );
        assert_eq!(
            apply(&mut f, &Action::Cancel, 1_001 + CANCEL_WINDOW_SECONDS),
            Err(InvalidTransition::CancelWindowClosed)
        );
    }

    #[test]
    fn replaced_once_and_only_while_open() {
        let mut f = financing("delivered");
        apply(
            &mut f,
            &Action::MarkReplaced {
                replacement: "new".into(),
            },
            5,
        )
        .unwrap();
        assert_eq!(f.offer.status, OfferStatus::Replaced);
        assert_eq!(f.offer.replacement.as_deref(), Some("new"));
        let mut replacement = financing("delivered");
        replacement.offer.replacement_for = Some("old".into());
        assert_eq!(
            apply(
                &mut replacement,
                &Action::MarkReplaced {
                    replacement: "newer".into()
                },
                6
            ),
            Err(InvalidTransition::AlreadyReplaced(
                "financingoffer_1".into()
            ))
        );
        assert!(
            apply(
                &mut through(&[Action::Accept { advance_amount: 5 }]),
                &Action::MarkReplaced {
                    replacement: "x".into()
                },
                7
            )
            .is_err()
        );
    }

    #[test]
    fn refill_discount_applies_to_the_remaining_fee() {
        let mut f = through(&[
            Action::Accept {
                advance_amount: 1_000_000,
            },
            Action::PayOut,
        ]);
        apply(&mut f, &Action::Repay { amount: 550_000 }, 2).unwrap();
        // 550,000 of 1,100,000 repaid: half the fee (50,000) remains; 50% off is 25,000.
        assert_eq!(f.remaining_fee(), 50_000);
        assert_eq!(refill_settlement(&f, Some(0.5)), (Some(25_000), 525_000));
        assert_eq!(refill_settlement(&f, None), (None, 550_000));
    }

    fn any_action() -> impl Strategy<Value = Action> {
        prop_oneof![
            Just(Action::MarkDelivered),
            (-10i64..2_000_000).prop_map(|a| Action::Accept { advance_amount: a }),
            Just(Action::PayOut),
            (-10i64..2_000_000).prop_map(|a| Action::Repay { amount: a }),
            Just(Action::RepayInFull),
            Just(Action::Reject),
            Just(Action::Cancel),
            Just(Action::Expire),
            Just(Action::MarkReplaced {
                replacement: "financingoffer_new".into()
            }),
        ]
    }

    fn allowed(from: &OfferStatus, to: &OfferStatus) -> bool {
        use OfferStatus::*;
        from == to
            || matches!(
                (from, to),
                (Undelivered, Delivered | Accepted | Expired | Replaced)
                    | (Delivered, Accepted | Expired | Replaced)
                    | (Accepted, PaidOut | Rejected | Canceled)
                    | (PaidOut, FullyRepaid | Canceled)
            )
    }

    proptest! {
        #[test]
        fn lifecycle_invariants(actions in prop::collection::vec((any_action(), 0i64..400_000), 0..40)) {
            let mut f = financing("undelivered");
            let mut now = 0;
            for (action, step) in actions {
                now += step;
                let before = f.clone();
                match apply(&mut f, &action, now) {
                    Ok(()) => prop_assert!(allowed(&before.offer.status, &f.offer.status), "{:?} -> {:?} by {:?}", before.offer.status, f.offer.status, action),
                    Err(_) => prop_assert_eq!(&f, &before, "a refused action changes nothing"),
                }
                if before.offer.status.is_terminal() {
                    prop_assert_eq!(&f.offer.status, &before.offer.status, "terminal states stay terminal");
                }
                prop_assert!(f.paid >= 0 && f.remaining() >= 0 && f.remaining_fee() >= 0);
                if f.offer.accepted_terms.is_some() {
                    let terms = f.offer.accepted_terms.as_ref().unwrap();
                    prop_assert_eq!(f.paid + f.remaining(), terms.advance_amount.unwrap() + terms.fee_amount.unwrap());
                }
            }
        }
    }
}
