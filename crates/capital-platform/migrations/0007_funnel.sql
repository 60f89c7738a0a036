-- The Capital funnel (src/store/funnel.rs): each stage an offer reached, once, with the three
-- labels a Capital program looks at it by. Written with the webhook that moved the offer (and
-- the Account Link minted for it), so it is right after a restart and across instances.
CREATE TABLE funnel (
    offer TEXT NOT NULL,
    -- created, delivered, link_minted, accepted, paid_out, fully_repaid, expired, rejected
    stage TEXT NOT NULL,
    account TEXT NOT NULL,
    campaign_type TEXT NOT NULL,
    product_type TEXT NOT NULL,
    financing_type TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (offer, stage)
);
