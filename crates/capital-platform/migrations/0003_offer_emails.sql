-- Offer emails (src/offer_emails.rs): one job per offer, written with the webhook that created
-- the offer; claimed by one instance at a time; its outcome recorded.
CREATE TABLE offer_emails (
    offer TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    -- pending, sent, skipped or failed
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    due_at BIGINT NOT NULL,
    claimed_by TEXT,
    claimed_until BIGINT,
    recipient TEXT,
    -- the SMTP server's answer, or why it was skipped or failed
    detail TEXT,
    subject TEXT,
    html TEXT,
    text_body TEXT,
    sent_at BIGINT,
    -- 1 once the offer is marked delivered because of this email
    delivered_marked BIGINT NOT NULL DEFAULT 0,
    created BIGINT NOT NULL
);
CREATE INDEX offer_emails_due ON offer_emails (status, due_at);
-- Accounts that asked for no more offer emails (the link in every email).
CREATE TABLE unsubscribed (account TEXT PRIMARY KEY, at BIGINT NOT NULL);
-- Connected accounts' email addresses as read from Stripe, once.
CREATE TABLE account_emails (account TEXT PRIMARY KEY, email TEXT NOT NULL);
