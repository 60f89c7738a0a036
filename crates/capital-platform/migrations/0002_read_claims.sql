-- A cold read from Stripe claimed by one instance: the others wait for its result instead of
-- calling Stripe too (src/stripe_reads.rs). A claim past `expires_at` may be taken over.
CREATE TABLE read_claims (
    key TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
