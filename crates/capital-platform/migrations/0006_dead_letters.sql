-- Signed events that can never be ingested (no account, not a financing offer, not an event at
-- all): acknowledged to Stripe, so it does not retry them for days and disable the endpoint, and
-- kept here with the reason, for whoever looks (src/routes/webhooks.rs).
CREATE TABLE dead_letters (
    -- the event's id, or `sha256:<hex>` of a body with none
    event_id TEXT PRIMARY KEY,
    event_type TEXT,
    reason TEXT NOT NULL,
    body TEXT NOT NULL,
    received_at BIGINT NOT NULL
);
