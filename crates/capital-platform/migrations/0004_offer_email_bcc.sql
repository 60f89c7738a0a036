-- Stripe's integration guide: every offer email is BCC'd to Stripe (`--email-bcc`); the address
-- each email went to in BCC, as sent (none for emails sent before this column).
ALTER TABLE offer_emails ADD COLUMN bcc TEXT;
