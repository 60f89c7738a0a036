//! How an offer reaches its user, and so when it is marked delivered (`--offer-notice`).

/// How offers are marked delivered (`--offer-notice`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OfferNotice {
    /// The guide's flow: an offer email, and delivered once the mail server took it.
    Email,
    /// Delivered once the element has shown the offer (no email).
    Element,
    /// Both: an email, and delivered by whichever comes first.
    Both,
}

impl OfferNotice {
    pub fn sends_email(self) -> bool {
        matches!(self, OfferNotice::Email | OfferNotice::Both)
    }

    pub fn element_marks(self) -> bool {
        matches!(self, OfferNotice::Element | OfferNotice::Both)
    }
}
