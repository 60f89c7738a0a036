//! Stripe's side of the world when the sandbox plays it: its offers, their payments and the
//! Account Links it has handed out, in `sandbox_*` tables of their own. They share the platform's
//! database file (and, in tests, its one in-memory connection) but no table and no query with it.

use capital_types::{AccountLinkType, FinancingOffer};
use serde_json::Value;
use sqlx::{Any, AnyPool, Executor, Row, Transaction};

use super::machine::Financing;
use crate::store::{StoreError, WriteTurns};
use tokio::sync::OwnedMutexGuard;

/// An Account Link token as the hosted pages see it.
#[derive(Debug, Clone)]
pub struct HostedLink {
    pub token: String,
    pub account: String,
    pub link_type: AccountLinkType,
    pub state: LinkState,
    pub expires_at: i64,
    pub refresh_url: String,
    pub return_url: String,
}

/// A link works once: opened, then submitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    Fresh,
    Opened,
    Done,
}

impl LinkState {
    fn column(self) -> i64 {
        match self {
            LinkState::Fresh => 0,
            LinkState::Opened => 1,
            LinkState::Done => 2,
        }
    }
}

/// One sandbox action's writes: an offer saved with its transactions, or both offers of a
/// replacement or a refill, are committed together.
pub struct SandboxTx {
    tx: Transaction<'static, Any>,
    /// Held until the commit: the platform's write queue (`WriteTurns`).
    _turn: Option<OwnedMutexGuard<()>>,
}

impl SandboxTx {
    pub async fn save(&mut self, financing: &Financing) -> Result<(), StoreError> {
        save(&mut *self.tx, financing).await
    }

    /// A `capital.financing_transaction`, as Stripe would list it.
    pub async fn insert_transaction(
        &mut self,
        offer: &str,
        account: &str,
        transaction: &Value,
        created: i64,
    ) -> Result<(), StoreError> {
        insert_transaction(&mut *self.tx, offer, account, transaction, created).await
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        Ok(self.tx.commit().await?)
    }
}

async fn save<'e>(
    executor: impl Executor<'e, Database = Any>,
    financing: &Financing,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sandbox_offers (id, account, body, paid_amount) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE SET body = excluded.body, paid_amount = excluded.paid_amount",
    )
    .bind(&financing.offer.id)
    .bind(financing.offer.account.as_deref().unwrap_or_default())
    .bind(serde_json::to_string(&financing.offer)?)
    .bind(financing.paid)
    .execute(executor)
    .await?;
    Ok(())
}

async fn insert_transaction<'e>(
    executor: impl Executor<'e, Database = Any>,
    offer: &str,
    account: &str,
    transaction: &Value,
    created: i64,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO sandbox_transactions (id, offer, account, body, created) VALUES ($1, $2, $3, $4, $5)")
        .bind(transaction["id"].as_str())
        .bind(offer)
        .bind(account)
        .bind(transaction.to_string())
        .bind(created)
        .execute(executor)
        .await?;
    Ok(())
}

#[derive(Clone)]
pub struct SandboxStore {
    pool: AnyPool,
    turns: WriteTurns,
}

impl SandboxStore {
    /// The sandbox's tables in the database behind `pool` (the platform's migrations create
    /// them).
    pub fn open(pool: AnyPool, turns: WriteTurns) -> SandboxStore {
        SandboxStore { pool, turns }
    }

    pub async fn begin(&self) -> Result<SandboxTx, StoreError> {
        let turn = self.turns.take().await;
        Ok(SandboxTx {
            tx: self.pool.begin().await?,
            _turn: turn,
        })
    }

    /// Saves one offer on its own (a write that is a whole action by itself).
    pub async fn save(&self, financing: &Financing) -> Result<(), StoreError> {
        save(&self.pool, financing).await
    }

    pub async fn offers(&self, account: &str) -> Result<Vec<FinancingOffer>, StoreError> {
        let rows = sqlx::query("SELECT body FROM sandbox_offers WHERE account = $1")
            .bind(account)
            .fetch_all(&self.pool)
            .await?;
        bodies(&rows)
    }

    /// Every offer of every account (for the periodic expiry).
    pub async fn all_offers(&self) -> Result<Vec<FinancingOffer>, StoreError> {
        let rows = sqlx::query("SELECT body FROM sandbox_offers")
            .fetch_all(&self.pool)
            .await?;
        bodies(&rows)
    }

    pub async fn financing(&self, offer: &str) -> Result<Option<Financing>, StoreError> {
        let row = sqlx::query("SELECT body, paid_amount FROM sandbox_offers WHERE id = $1")
            .bind(offer)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(financing).transpose()
    }

    /// The account's offers with what has been paid on each, newest first.
    pub async fn financings(&self, account: &str) -> Result<Vec<Financing>, StoreError> {
        let rows = sqlx::query("SELECT body, paid_amount FROM sandbox_offers WHERE account = $1")
            .bind(account)
            .fetch_all(&self.pool)
            .await?;
        let mut financings: Vec<Financing> = rows
            .iter()
            .map(financing)
            .collect::<Result<_, StoreError>>()?;
        financings.sort_by_key(|f| std::cmp::Reverse((f.offer.created, f.offer.id.clone())));
        Ok(financings)
    }

    /// The account's transactions, newest first.
    pub async fn transactions(&self, account: &str) -> Result<Vec<Value>, StoreError> {
        let rows = sqlx::query("SELECT body FROM sandbox_transactions WHERE account = $1 ORDER BY created DESC, id DESC")
            .bind(account)
            .fetch_all(&self.pool)
            .await?;
        bodies(&rows)
    }

    /// What was paid on `offer` in `[start, end)`.
    pub async fn paid_between(&self, offer: &str, start: i64, end: i64) -> Result<i64, StoreError> {
        let rows = sqlx::query("SELECT body FROM sandbox_transactions WHERE offer = $1 AND created >= $2 AND created < $3")
            .bind(offer)
            .bind(start)
            .bind(end)
            .fetch_all(&self.pool)
            .await?;
        let mut total = 0;
        for row in rows {
            let body: Value = serde_json::from_str(row.get::<&str, _>("body"))?;
            if body["type"] == "payment" {
                total += body["details"]["total_amount"].as_i64().unwrap_or(0);
            }
        }
        Ok(total)
    }

    pub async fn insert_link(&self, link: &HostedLink) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO sandbox_links (token, account, link_type, expires_at, used, refresh_url, return_url) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(&link.token)
            .bind(&link.account)
            .bind(link.link_type.as_str())
            .bind(link.expires_at)
            .bind(link.state.column())
            .bind(&link.refresh_url)
            .bind(&link.return_url)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn link(&self, token: &str) -> Result<Option<HostedLink>, StoreError> {
        let row = sqlx::query("SELECT account, link_type, expires_at, used, refresh_url, return_url FROM sandbox_links WHERE token = $1")
            .bind(token)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|row| HostedLink {
            token: token.to_owned(),
            account: row.get("account"),
            link_type: AccountLinkType::from(row.get::<String, _>("link_type")),
            state: match row.get::<i64, _>("used") {
                0 => LinkState::Fresh,
                1 => LinkState::Opened,
                _ => LinkState::Done,
            },
            expires_at: row.get("expires_at"),
            refresh_url: row.get("refresh_url"),
            return_url: row.get("return_url"),
        }))
    }

    /// Moves a link from `from` to `to`; `false` if another request got there first.
    pub async fn advance_link(
        &self,
        token: &str,
        from: LinkState,
        to: LinkState,
    ) -> Result<bool, StoreError> {
        let result =
            sqlx::query("UPDATE sandbox_links SET used = $1 WHERE token = $2 AND used = $3")
                .bind(to.column())
                .bind(token)
                .bind(from.column())
                .execute(&self.pool)
                .await?;
        Ok(result.rows_affected() == 1)
    }
}

/// A `sandbox_offers` row: the offer and what has been paid on it.
fn financing(row: &sqlx::any::AnyRow) -> Result<Financing, StoreError> {
    Ok(Financing {
        offer: serde_json::from_str(row.get::<&str, _>("body"))?,
        paid: row.get("paid_amount"),
    })
}

/// The `body` column of each row, as the JSON it was written from.
fn bodies<T: serde::de::DeserializeOwned>(
    rows: &[sqlx::any::AnyRow],
) -> Result<Vec<T>, StoreError> {
    rows.iter()
        .map(|r| Ok(serde_json::from_str(r.get::<&str, _>("body"))?))
        .collect()
}
