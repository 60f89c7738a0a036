//! The offer email's own words (the reference backend's `offer_emails.rs`), beside the tile's
//! copy it reuses (heading, lede, labels, notice). Kept apart from the tile's key table so that
//! the element's wasm carries none of it.

use crate::Lang;

/// The email's sentences in one language.
#[derive(Debug)]
pub struct EmailText {
    /// `{business}`: the platform's name.
    pub subject: &'static str,
    /// Why the user gets this email, before the unsubscribe link.
    pub why: &'static str,
    pub unsubscribe: &'static str,
    /// Short month names, for the expiry date.
    pub months: [&'static str; 12],
}

impl EmailText {
    pub fn of(lang: Lang) -> &'static EmailText {
        match lang {
            Lang::En => &EN,
            Lang::Fr => &FR,
            Lang::De => &DE,
        }
    }

    /// Every sentence, for the tests that hold them to the guidance.
    pub fn sentences(&self) -> [&'static str; 3] {
        [self.subject, self.why, self.unsubscribe]
    }
}

static EN: EmailText = EmailText {
    subject: "{business}: a financing offer through Stripe Capital",
    why: "You get this email because your business has an account with {business}.",
    unsubscribe: "Stop offer emails",
    months: [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ],
};

static FR: EmailText = EmailText {
    subject: "{business} : une offre de financement via Stripe Capital",
    why: "Vous recevez cet e-mail car votre entreprise a un compte chez {business}.",
    unsubscribe: "Ne plus recevoir d’offres par e-mail",
    months: [
        "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
        "déc.",
    ],
};

static DE: EmailText = EmailText {
    subject: "{business}: ein Finanzierungsangebot über Stripe Capital",
    why: "Sie erhalten diese E-Mail, weil Ihr Unternehmen ein Konto bei {business} hat.",
    unsubscribe: "Keine Angebots-E-Mails mehr",
    months: [
        "Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.",
        "Dez.",
    ],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::banned;

    #[test]
    fn the_emails_sentences_keep_to_the_guidance_for_every_financing_type() {
        for lang in Lang::ALL {
            for sentence in EmailText::of(lang).sentences() {
                let mut terms = banned::everywhere(lang).to_vec();
                terms.extend(banned::outside_notices(lang));
                terms.extend(banned::cash_advances(lang));
                assert!(
                    banned::found(sentence, &terms).is_empty(),
                    "{lang:?}: {sentence}"
                );
                assert!(!sentence.trim().is_empty());
            }
            assert!(EmailText::of(lang).subject.contains("{business}"));
        }
    }
}
