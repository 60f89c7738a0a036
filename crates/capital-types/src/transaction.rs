//! `capital.financing_transaction`: a payout, payment or reversal on a financing.

use serde::{Deserialize, Serialize};

use crate::money::Currency;
use crate::open_enum;

open_enum! {
    /// `type` of a financing transaction.
    pub enum TransactionType {
        Payment = "payment",
        Payout = "payout",
        Reversal = "reversal",
    }
}

/// `details` of a financing transaction.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TransactionDetails {
    #[serde(default)]
    pub advance_amount: Option<i64>,
    #[serde(default)]
    pub currency: Option<Currency>,
    #[serde(default)]
    pub fee_amount: Option<i64>,
    #[serde(default)]
    pub total_amount: Option<i64>,
    #[serde(default)]
    pub reason: Option<String>,
}

/// A `capital.financing_transaction` (note: `created_at`, not `created`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FinancingTransaction {
    pub id: String,
    #[serde(default)]
    pub object: Option<String>,
    #[serde(default)]
    pub account: Option<String>,
    #[serde(default)]
    pub created_at: Option<i64>,
    #[serde(default)]
    pub details: Option<TransactionDetails>,
    #[serde(default)]
    pub financing_offer: Option<String>,
    #[serde(default)]
    pub livemode: Option<bool>,
    #[serde(rename = "type")]
    pub transaction_type: TransactionType,
    #[serde(default)]
    pub user_facing_description: Option<String>,
}
