-- The platform's own tables, fed by webhooks and Stripe's answers (src/store.rs), and the
-- sandbox's, which play Stripe's side (src/sandbox/store.rs). IF NOT EXISTS: a database from before
-- versioned migrations is adopted as it is.
CREATE TABLE IF NOT EXISTS offers (
    id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    status TEXT NOT NULL,
    body TEXT NOT NULL,
    event_created BIGINT NOT NULL,
    status_rank BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS offers_by_account ON offers (account);
CREATE TABLE IF NOT EXISTS processed_events (
    id TEXT PRIMARY KEY,
    event_type TEXT NOT NULL,
    created BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS summaries (
    account TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    stale BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS listed_accounts (account TEXT PRIMARY KEY, listed_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS pending_retrievals (
    offer TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    event_created BIGINT NOT NULL,
    due_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE IF NOT EXISTS sandbox_offers (
    id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    body TEXT NOT NULL,
    paid_amount BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS sandbox_offers_by_account ON sandbox_offers (account);
CREATE TABLE IF NOT EXISTS sandbox_transactions (
    id TEXT PRIMARY KEY,
    offer TEXT NOT NULL,
    account TEXT NOT NULL,
    body TEXT NOT NULL,
    created BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS sandbox_links (
    token TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    link_type TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    used BIGINT NOT NULL DEFAULT 0,
    refresh_url TEXT NOT NULL,
    return_url TEXT NOT NULL
);
