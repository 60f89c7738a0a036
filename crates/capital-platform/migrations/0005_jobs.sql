-- One job mechanism (src/store/jobs.rs) for the work a write leaves behind: retrieving a replaced
-- offer, sending an offer email, marking an emailed offer delivered. Claims are leases on the
-- database's clock; only the claimer finishes or retries a job. The outcome of an offer email
-- stays in `offer_emails`; `jobs` only holds what is still to do.
CREATE TABLE jobs (
    -- retrieve_offer, offer_email or mark_delivered
    kind TEXT NOT NULL,
    -- the offer the job is about
    subject TEXT NOT NULL,
    account TEXT NOT NULL,
    -- a retrieval's result is stored as of this event time
    event_created BIGINT NOT NULL DEFAULT 0,
    due_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    claimed_by TEXT,
    claimed_until BIGINT,
    last_error TEXT,
    PRIMARY KEY (kind, subject)
);
CREATE INDEX jobs_due ON jobs (kind, due_at);

-- The work already queued the old ways moves here as it is.
INSERT INTO jobs (kind, subject, account, event_created, due_at, attempts)
    SELECT 'retrieve_offer', offer, account, event_created, due_at, attempts FROM pending_retrievals;
INSERT INTO jobs (kind, subject, account, due_at, attempts)
    SELECT 'offer_email', offer, account, due_at, attempts FROM offer_emails WHERE status = 'pending';
INSERT INTO jobs (kind, subject, account, due_at)
    SELECT 'mark_delivered', offer, account, 0 FROM offer_emails
    WHERE status = 'sent' AND delivered_marked = 0;

DROP TABLE pending_retrievals;
DROP INDEX offer_emails_due;
ALTER TABLE offer_emails DROP COLUMN due_at;
ALTER TABLE offer_emails DROP COLUMN claimed_by;
ALTER TABLE offer_emails DROP COLUMN claimed_until;
-- Why marking the offer delivered was given up (Stripe refused it for good: the offer moved on).
ALTER TABLE offer_emails ADD COLUMN delivered_detail TEXT;
