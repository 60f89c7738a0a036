//! The offer lifecycle's rules, in one place: which statuses are open, which end a financing,
//! how they order, and how they group into the phases everyone downstream acts on (the store's
//! ordering of events, the backend's choice of the current offer and of the summaries it drops,
//! the sandbox's state machine, the element's status → card mapping).
//!
//! ```text
//! undelivered → delivered → accepted → paid_out → fully_repaid
//!      │            │           └────→ rejected
//!      └────────────┴─→ expired | canceled | replaced
//! ```

use crate::offer::OfferStatus;

/// Where an offer is in its life, as the platform and the element group statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LifecyclePhase {
    /// `undelivered`, `delivered`: the account can still apply.
    Open,
    /// `accepted`: the application is under review.
    UnderReview,
    /// `paid_out`: financing in progress, paid through sales.
    InProgress,
    /// `fully_repaid` (and the retired `completed`): paid in full.
    PaidInFull,
    /// `rejected`: the application was not approved.
    Rejected,
    /// `expired`, `canceled`, `replaced`, or a status this version does not know: nothing to show.
    Gone,
}

impl OfferStatus {
    /// The phase this status belongs to. Unknown future statuses are [`LifecyclePhase::Gone`]:
    /// showing nothing is safer than showing terms that may no longer hold.
    pub fn phase(&self) -> LifecyclePhase {
        match self {
            OfferStatus::Undelivered | OfferStatus::Delivered => LifecyclePhase::Open,
            OfferStatus::Accepted => LifecyclePhase::UnderReview,
            OfferStatus::PaidOut => LifecyclePhase::InProgress,
            OfferStatus::FullyRepaid | OfferStatus::Completed => LifecyclePhase::PaidInFull,
            OfferStatus::Rejected => LifecyclePhase::Rejected,
            OfferStatus::Expired
            | OfferStatus::Canceled
            | OfferStatus::Replaced
            | OfferStatus::Other(_) => LifecyclePhase::Gone,
        }
    }

    /// The offer can still be accepted by the connected account.
    pub fn is_open(&self) -> bool {
        self.phase() == LifecyclePhase::Open
    }

    /// Statuses an offer never leaves.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            OfferStatus::FullyRepaid
                | OfferStatus::Completed
                | OfferStatus::Rejected
                | OfferStatus::Expired
                | OfferStatus::Canceled
                | OfferStatus::Replaced
        )
    }

    /// The status's place in the lifecycle: breaks ties between events created in the same
    /// second, so that a later stage is never overwritten by an earlier one.
    pub fn order(&self) -> i64 {
        match self {
            OfferStatus::Undelivered => 0,
            OfferStatus::Delivered => 1,
            OfferStatus::Accepted => 2,
            OfferStatus::PaidOut => 3,
            _ => 4,
        }
    }

    /// Reaching this status starts or ends a financing, so the account's financing summary
    /// changes with it.
    pub fn changes_summary(&self) -> bool {
        matches!(
            self,
            OfferStatus::PaidOut
                | OfferStatus::FullyRepaid
                | OfferStatus::Canceled
                | OfferStatus::Completed
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [&str; 11] = [
        "undelivered",
        "delivered",
        "accepted",
        "paid_out",
        "fully_repaid",
        "completed",
        "rejected",
        "expired",
        "canceled",
        "replaced",
        "some_future_status",
    ];

    #[test]
    fn open_statuses_are_the_open_phase_and_never_terminal() {
        for name in ALL {
            let status = OfferStatus::from(name);
            assert_eq!(
                status.is_open(),
                matches!(name, "undelivered" | "delivered")
            );
            assert!(!(status.is_open() && status.is_terminal()), "{name}");
        }
    }

    #[test]
    fn order_follows_the_lifecycle_and_terminal_statuses_come_last() {
        let path = [
            "undelivered",
            "delivered",
            "accepted",
            "paid_out",
            "fully_repaid",
        ];
        for pair in path.windows(2) {
            assert!(OfferStatus::from(pair[0]).order() < OfferStatus::from(pair[1]).order());
        }
        for name in ALL {
            let status = OfferStatus::from(name);
            if status.is_terminal() {
                assert_eq!(status.order(), 4, "{name}");
            }
        }
    }

    #[test]
    fn unknown_statuses_show_nothing() {
        assert_eq!(
            OfferStatus::from("some_future_status").phase(),
            LifecyclePhase::Gone
        );
        assert_eq!(
            OfferStatus::from("completed").phase(),
            LifecyclePhase::PaidInFull
        );
    }
}
