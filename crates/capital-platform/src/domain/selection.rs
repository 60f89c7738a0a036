//! Which of an account's offers the element shows (contract section 2, `GET /offer`).

use std::collections::HashSet;

use capital_types::{FinancingOffer, LifecyclePhase};

use crate::domain::whole::Whole;

/// Anything that is a financing offer: the typed object, or one kept whole.
pub trait AnOffer {
    fn offer(&self) -> &FinancingOffer;
}

impl AnOffer for FinancingOffer {
    fn offer(&self) -> &FinancingOffer {
        self
    }
}

impl AnOffer for Whole<FinancingOffer> {
    fn offer(&self) -> &FinancingOffer {
        self.typed()
    }
}

/// The account's current offer:
/// 1. an open refill offer: it is about the financing in progress, so it goes first;
/// 2. financing in progress: `accepted`, then `paid_out`;
/// 3. an open offer (`undelivered`, `delivered`);
/// 4. finished financing (`fully_repaid`, `completed`, `rejected`), for its reporting link;
/// 5. nothing when only `expired`, `canceled` or `replaced` offers (or unknown statuses) remain.
///
/// Replacements are followed: an offer named as another's `replacement_for`, or carrying a
/// `replacement`, is never current, even when its own `replaced` event has not arrived yet.
/// Within a rank, the newest offer wins.
pub fn current_offer<O: AnOffer>(offers: &[O]) -> Option<&O> {
    let replaced: HashSet<&str> = offers
        .iter()
        .filter_map(|o| o.offer().replacement_for.as_deref())
        .chain(
            offers
                .iter()
                .filter(|o| o.offer().replacement.is_some())
                .map(|o| o.offer().id.as_str()),
        )
        .collect();
    offers
        .iter()
        .filter(|o| !replaced.contains(o.offer().id.as_str()))
        .filter_map(|o| rank(o.offer()).map(|rank| (rank, o.offer().created.unwrap_or(0), o)))
        .max_by(|a, b| {
            (a.0, a.1)
                .cmp(&(b.0, b.1))
                .then_with(|| a.2.offer().id.cmp(&b.2.offer().id))
        })
        .map(|(_, _, o)| o)
}

fn rank(offer: &FinancingOffer) -> Option<u8> {
    Some(match offer.status.phase() {
        LifecyclePhase::Open if offer.is_refill() => 5,
        LifecyclePhase::UnderReview => 4,
        LifecyclePhase::InProgress => 3,
        LifecyclePhase::Open => 2,
        LifecyclePhase::PaidInFull | LifecyclePhase::Rejected => 1,
        LifecyclePhase::Gone => return None,
    })
}

/// The account's financing in progress, whose summary the element shows.
pub(crate) fn financing_in_progress<O: AnOffer>(offers: &[O]) -> Option<&O> {
    offers
        .iter()
        .filter(|o| o.offer().status.phase() == LifecyclePhase::InProgress)
        .max_by_key(|o| o.offer().created.unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn offer(id: &str, status: &str, created: i64) -> FinancingOffer {
        serde_json::from_value(
            json!({"id": id, "status": status, "created": created, "account": "acct_1"}),
        )
        .unwrap()
    }

    fn refill(id: &str, status: &str, created: i64) -> FinancingOffer {
        let mut o = offer(id, status, created);
        o.product_type = Some(capital_types::ProductType::Refill);
        o
    }

    fn pick(offers: &[FinancingOffer]) -> Option<String> {
        current_offer(offers).map(|o| o.id.clone())
    }

    #[test]
    fn in_progress_financing_beats_an_open_offer() {
        assert_eq!(
            pick(&[
                offer("open", "delivered", 20),
                offer("paid", "paid_out", 10)
            ])
            .as_deref(),
            Some("paid")
        );
        assert_eq!(
            pick(&[offer("open", "delivered", 20), offer("acc", "accepted", 10)]).as_deref(),
            Some("acc")
        );
    }

    #[test]
    fn a_refill_offer_beats_the_financing_it_refills() {
        assert_eq!(
            pick(&[
                offer("paid", "paid_out", 10),
                refill("refill", "delivered", 20)
            ])
            .as_deref(),
            Some("refill")
        );
    }

    #[test]
    fn replacements_are_followed() {
        let mut new = offer("new", "delivered", 30);
        new.replacement_for = Some("old".into());
        // The old offer's own `replaced` event may not have arrived yet.
        assert_eq!(
            pick(&[offer("old", "delivered", 10), new.clone()]).as_deref(),
            Some("new")
        );
        let mut old = offer("old", "replaced", 10);
        old.replacement = Some("new".into());
        assert_eq!(pick(&[old, new]).as_deref(), Some("new"));
    }

    #[test]
    fn only_dead_offers_means_none() {
        assert_eq!(
            pick(&[
                offer("a", "expired", 1),
                offer("b", "canceled", 2),
                offer("c", "replaced", 3)
            ]),
            None
        );
        assert_eq!(pick(&[offer("d", "revoked", 4)]), None);
        assert_eq!(pick(&[]), None);
    }

    #[test]
    fn finished_financing_shows_when_nothing_else_does() {
        assert_eq!(
            pick(&[offer("done", "fully_repaid", 1), offer("x", "expired", 5)]).as_deref(),
            Some("done")
        );
        assert_eq!(
            pick(&[
                offer("done", "fully_repaid", 1),
                offer("new", "delivered", 5)
            ])
            .as_deref(),
            Some("new")
        );
    }

    #[test]
    fn newest_wins_within_a_rank() {
        assert_eq!(
            pick(&[offer("a", "delivered", 1), offer("b", "undelivered", 9)]).as_deref(),
            Some("b")
        );
    }
}
