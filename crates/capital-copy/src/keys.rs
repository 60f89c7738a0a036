//! The key table: the languages, every piece of the tile's copy, its name (how a platform replaces
//! it), which offers it is written for and its built-in text in each language; how copy may speak
//! of a financing ([`Terms`]); and which key an offer's campaign, refill, financing type and
//! lender's notice call for.

use capital_types::{CampaignType, DisclaimerVariant, FinancingType};

/// A language the tile has built-in copy for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Fr,
    De,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Fr, Lang::De];

    /// The language of a BCP 47 tag (`fr-CA` → French); English for anything else.
    pub fn from_locale(locale: &str) -> Lang {
        match primary_subtag(locale).as_str() {
            "fr" => Lang::Fr,
            "de" => Lang::De,
            _ => Lang::En,
        }
    }

    /// The built-in text of `key`.
    pub fn text(self, key: Key) -> &'static str {
        let table = match self {
            Lang::En => EN,
            Lang::Fr => FR,
            Lang::De => DE,
        };
        nth(table, key)
    }
}

pub(crate) fn primary_subtag(locale: &str) -> String {
    locale
        .trim()
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// How the copy may speak of a financing: loans have minimum payments, periods and due dates;
/// a cash advance is a purchase of future receivables and has none of them. A type the element
/// cannot name gets the cash advance's words, which promise nothing a loan has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Terms {
    Loan,
    CashAdvance,
}

impl Terms {
    pub fn of(financing_type: Option<&FinancingType>) -> Terms {
        match financing_type {
            Some(FinancingType::FlexLoan | FinancingType::FixedTermLoan) => Terms::Loan,
            _ => Terms::CashAdvance,
        }
    }
}

/// Which offers a key's text is written for: the tests hold it to the words banned there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Every financing type.
    All,
    /// Loans only (flex and fixed-term): minimum payments, due dates, balances.
    Loans,
    /// Cash advances only.
    CashAdvances,
}

macro_rules! copy_table {
    ($(
        $(#[$doc:meta])*
        $key:ident $name:literal $audience:ident {
            en: $en:literal,
            fr: $fr:literal,
            de: $de:literal $(,)?
        }
    )+) => {
        /// One piece of the tile's copy. Its [`name`](Key::name) is how a platform replaces it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Key {
            $($(#[$doc])* $key,)+
        }

        impl Key {
            pub const ALL: &[Key] = &[$(Key::$key),+];

            /// The key's name in `copy` and `strings` (docs/contract.md lists them all).
            pub fn name(self) -> &'static str {
                nth(NAMES, self)
            }

            pub fn audience(self) -> Audience {
                [$(Audience::$audience),+][self as usize]
            }
        }

        pub(crate) const NAMES: &str = concat!($($name, "\u{1f}"),+);
        pub(crate) const EN: &str = concat!($($en, "\u{1f}"),+);
        pub(crate) const FR: &str = concat!($($fr, "\u{1f}"),+);
        pub(crate) const DE: &str = concat!($($de, "\u{1f}"),+);
    };
}

copy_table! {
    OfferHeading "offer.heading" All {
        en: "A financing offer for your business",
        fr: "Une offre de financement pour votre entreprise",
        de: "Ein Finanzierungsangebot für Ihr Unternehmen",
    }
    OfferHeadingNewlyEligible "offer.heading.newly_eligible" All {
        en: "Your business is prequalified for financing",
        fr: "Votre entreprise est présélectionnée pour un financement",
        de: "Ihr Unternehmen ist für eine Finanzierung vorqualifiziert",
    }
    OfferHeadingPreviouslyEligible "offer.heading.previously_eligible" All {
        en: "Your prequalified offer is still open",
        fr: "Votre offre présélectionnée est toujours ouverte",
        de: "Ihr vorqualifiziertes Angebot ist weiterhin offen",
    }
    OfferHeadingRepeatUser "offer.heading.repeat_user" All {
        en: "You’re prequalified for new financing",
        fr: "Vous êtes présélectionné pour un nouveau financement",
        de: "Sie sind für eine neue Finanzierung vorqualifiziert",
    }
    OfferHeadingRefill "offer.heading.refill" All {
        en: "You’re prequalified to refill your financing",
        fr: "Vous êtes présélectionné pour compléter votre financement",
        de: "Sie sind für eine Aufstockung Ihrer Finanzierung vorqualifiziert",
    }
    OfferLede "offer.lede" All {
        en: "Offered through Stripe Capital. If approved, you pay one fixed fee, and payments are taken automatically as a share of your sales.",
        fr: "Proposé via Stripe Capital. Sous réserve d’acceptation, vous payez des frais fixes uniques, et les paiements sont prélevés automatiquement sur une part de vos ventes.",
        de: "Angeboten über Stripe Capital. Vorbehaltlich der Genehmigung zahlen Sie eine feste Gebühr, und die Zahlungen erfolgen automatisch als Anteil Ihrer Umsätze.",
    }
    OfferLedeNewlyEligible "offer.lede.newly_eligible" All {
        en: "Based on your sales, Stripe Capital has prequalified your business. If approved, you pay one fixed fee, and payments are taken automatically as a share of your sales.",
        fr: "D’après vos ventes, Stripe Capital a présélectionné votre entreprise. Sous réserve d’acceptation, vous payez des frais fixes uniques, et les paiements sont prélevés automatiquement sur une part de vos ventes.",
        de: "Auf Basis Ihrer Umsätze hat Stripe Capital Ihr Unternehmen vorqualifiziert. Vorbehaltlich der Genehmigung zahlen Sie eine feste Gebühr, und die Zahlungen erfolgen automatisch als Anteil Ihrer Umsätze.",
    }
    OfferLedePreviouslyEligible "offer.lede.previously_eligible" All {
        en: "Your offer through Stripe Capital is still available. If approved, you pay one fixed fee, and payments are taken automatically from your sales.",
        fr: "Votre offre via Stripe Capital est toujours disponible. Sous réserve d’acceptation, vous payez des frais fixes uniques, et les paiements sont prélevés automatiquement sur vos ventes.",
        de: "Ihr Angebot über Stripe Capital ist weiterhin verfügbar. Vorbehaltlich der Genehmigung zahlen Sie eine feste Gebühr, und die Zahlungen erfolgen automatisch aus Ihren Umsätzen.",
    }
    OfferLedeRepeatUser "offer.lede.repeat_user" All {
        en: "Thanks for financing with Stripe Capital before. If approved, your new offer has one fixed fee and automatic payments from your sales.",
        fr: "Merci d’avoir déjà choisi Stripe Capital. Sous réserve d’acceptation, votre nouvelle offre comprend des frais fixes uniques et des paiements automatiques sur vos ventes.",
        de: "Danke, dass Sie schon einmal mit Stripe Capital finanziert haben. Vorbehaltlich der Genehmigung hat Ihr neues Angebot eine feste Gebühr und automatische Zahlungen aus Ihren Umsätzen.",
    }
    OfferLedeRefill "offer.lede.refill" Loans {
        en: "Add to your current financing through Stripe Capital. If approved, the new financing first pays what is left of your current financing, and you receive the rest.",
        fr: "Complétez votre financement actuel via Stripe Capital. Sous réserve d’acceptation, le nouveau financement règle d’abord ce qu’il reste de votre financement actuel, et vous recevez le reste.",
        de: "Stocken Sie Ihre Finanzierung über Stripe Capital auf. Vorbehaltlich der Genehmigung begleicht die neue Finanzierung zuerst den Rest Ihrer aktuellen Finanzierung, und Sie erhalten die Differenz.",
    }
    OfferLedeRefillCashAdvance "offer.lede.refill.cash_advance" CashAdvances {
        en: "Get more financing through Stripe Capital. If approved, the new advance first covers your unpaid advance amount, and you receive the rest.",
        fr: "Obtenez un financement supplémentaire via Stripe Capital. Sous réserve d’acceptation, la nouvelle avance couvre d’abord le montant non payé de votre avance, et vous recevez le reste.",
        de: "Erhalten Sie weitere Finanzierung über Stripe Capital. Vorbehaltlich der Genehmigung deckt der neue Vorschuss zuerst Ihren unbezahlten Vorschussbetrag, und Sie erhalten die Differenz.",
    }
    OfferAmountLabel "offer.amount_label" All {
        en: "Up to",
        fr: "Jusqu’à",
        de: "Bis zu",
    }
    OfferFeeLabel "offer.fee_label" All {
        en: "Fixed fee",
        fr: "Frais fixes",
        de: "Feste Gebühr",
    }
    /// The withhold rate's label, in the offer and in progress.
    RateLabel "rate.label" All {
        en: "Payment rate",
        fr: "Taux de paiement",
        de: "Zahlungsanteil",
    }
    RateValue "rate.value" All {
        en: "{rate} of daily sales",
        fr: "{rate} des ventes quotidiennes",
        de: "{rate} der täglichen Umsätze",
    }
    OfferDiscountLabel "offer.discount_label" All {
        en: "Refill discount",
        fr: "Remise de renouvellement",
        de: "Aufstockungsrabatt",
    }
    OfferDiscountValue "offer.discount_value" All {
        en: "{rate} off the remaining fee of your current financing",
        fr: "{rate} de remise sur les frais restants de votre financement actuel",
        de: "{rate} Rabatt auf die Restgebühr Ihrer aktuellen Finanzierung",
    }
    OfferExpiryLabel "offer.expiry_label" All {
        en: "Offer expires",
        fr: "Offre valable jusqu’au",
        de: "Angebot gültig bis",
    }
    OfferIntervalEvery "offer.interval_every" Loans {
        en: "Payments every {days} days",
        fr: "Paiements tous les {days} jours",
        de: "Zahlungen alle {days} Tage",
    }
    OfferIntervalMinimum "offer.interval_minimum" Loans {
        en: "at least {amount} per period",
        fr: "au moins {amount} par période",
        de: "mindestens {amount} pro Zeitraum",
    }
    OfferIntervalMaximum "offer.interval_maximum" Loans {
        en: "at most {amount} per period",
        fr: "au plus {amount} par période",
        de: "höchstens {amount} pro Zeitraum",
    }
    OfferPaybackEstimate "offer.payback_estimate" Loans {
        en: "Expected to be paid in about {days} days",
        fr: "Paiement complet prévu en {days} jours environ",
        de: "Voraussichtlich in etwa {days} Tagen bezahlt",
    }
    OfferPaybackEstimateCashAdvance "offer.payback_estimate.cash_advance" CashAdvances {
        en: "At your current sales, payments would take about {days} days (an estimate)",
        fr: "Au rythme de vos ventes actuelles, environ {days} jours de paiements (estimation)",
        de: "Bei Ihren aktuellen Umsätzen etwa {days} Tage Zahlungen (eine Schätzung)",
    }
    OfferCta "offer.cta" All {
        en: "View offer",
        fr: "Voir l’offre",
        de: "Angebot ansehen",
    }
    ReviewHeading "review.heading" All {
        en: "Application under review",
        fr: "Demande en cours d’examen",
        de: "Antrag wird geprüft",
    }
    ReviewBody "review.body" All {
        en: "Stripe Capital is reviewing your application for {amount}. You’ll get the decision by email.",
        fr: "Stripe Capital examine votre demande de {amount}. Vous recevrez la décision par e-mail.",
        de: "Stripe Capital prüft Ihren Antrag über {amount}. Sie erhalten die Entscheidung per E-Mail.",
    }
    ReviewCta "review.cta" All {
        en: "Track application",
        fr: "Suivre la demande",
        de: "Antrag verfolgen",
    }
    ProgressHeading "progress.heading" All {
        en: "Financing in progress",
        fr: "Financement en cours",
        de: "Laufende Finanzierung",
    }
    ProgressPaidLabel "progress.paid_label" All {
        en: "Paid",
        fr: "Payé",
        de: "Bezahlt",
    }
    ProgressRemainingLabel "progress.remaining_label" Loans {
        en: "Remaining",
        fr: "Restant",
        de: "Offen",
    }
    ProgressRemainingLabelCashAdvance "progress.remaining_label.cash_advance" CashAdvances {
        en: "Unpaid advance",
        fr: "Avance non payée",
        de: "Unbezahlter Vorschuss",
    }
    /// The progress bar's caption and `aria-valuetext`.
    ProgressValue "progress.value" All {
        en: "{percent} paid",
        fr: "{percent} payé",
        de: "{percent} bezahlt",
    }
    /// The progress bar's accessible name.
    ProgressBarLabel "progress.bar_label" All {
        en: "Paid so far",
        fr: "Montant déjà payé",
        de: "Bisher gezahlt",
    }
    ProgressPeriodHeading "progress.period_heading" Loans {
        en: "Current period",
        fr: "Période en cours",
        de: "Aktueller Zeitraum",
    }
    ProgressPeriodStatus "progress.period_status" Loans {
        en: "{paid} paid, {remaining} to go",
        fr: "{paid} payé, {remaining} restant",
        de: "{paid} bezahlt, {remaining} offen",
    }
    ProgressPeriodDue "progress.period_due" Loans {
        en: "due {date}",
        fr: "échéance le {date}",
        de: "fällig am {date}",
    }
    ProgressCta "progress.cta" All {
        en: "View financing",
        fr: "Voir le financement",
        de: "Finanzierung ansehen",
    }
    PaidHeading "paid.heading" All {
        en: "Paid in full",
        fr: "Entièrement payé",
        de: "Vollständig bezahlt",
    }
    PaidBody "paid.body" Loans {
        en: "You’ve paid your financing of {amount} in full. Your history stays available.",
        fr: "Vous avez entièrement payé votre financement de {amount}. Votre historique reste disponible.",
        de: "Sie haben Ihre Finanzierung über {amount} vollständig bezahlt. Ihr Verlauf bleibt verfügbar.",
    }
    PaidBodyCashAdvance "paid.body.cash_advance" CashAdvances {
        en: "Your cash advance of {amount} is fully paid. Your history stays available.",
        fr: "Votre avance de trésorerie de {amount} est entièrement payée. Votre historique reste disponible.",
        de: "Ihr Barvorschuss über {amount} ist vollständig bezahlt. Ihr Verlauf bleibt verfügbar.",
    }
    PaidCta "paid.cta" All {
        en: "View history",
        fr: "Voir l’historique",
        de: "Verlauf ansehen",
    }
    RejectedHeading "rejected.heading" All {
        en: "Application not approved",
        fr: "Demande non approuvée",
        de: "Antrag nicht genehmigt",
    }
    RejectedBody "rejected.body" All {
        en: "Stripe Capital couldn’t approve your application this time. The details have been sent to you by email.",
        fr: "Stripe Capital n’a pas pu approuver votre demande cette fois-ci. Les détails vous ont été envoyés par e-mail.",
        de: "Stripe Capital konnte Ihren Antrag dieses Mal nicht genehmigen. Die Einzelheiten wurden Ihnen per E-Mail gesendet.",
    }
    RejectedCta "rejected.cta" All {
        en: "View details",
        fr: "Voir les détails",
        de: "Details ansehen",
    }
    TypeFlexLoan "type.flex_loan" Loans {
        en: "Business financing",
        fr: "Financement professionnel",
        de: "Unternehmensfinanzierung",
    }
    TypeFixedTermLoan "type.fixed_term_loan" Loans {
        en: "Fixed-term financing",
        fr: "Financement à durée fixe",
        de: "Finanzierung mit fester Laufzeit",
    }
    TypeCashAdvance "type.cash_advance" CashAdvances {
        en: "Cash advance",
        fr: "Avance de trésorerie",
        de: "Barvorschuss",
    }
    /// Announced while the offer loads.
    Loading "loading" All {
        en: "Loading your financing offer",
        fr: "Chargement de votre offre de financement",
        de: "Ihr Finanzierungsangebot wird geladen",
    }
    /// The button's label, and the announcement, while a link is requested.
    Opening "opening" All {
        en: "Opening…",
        fr: "Ouverture…",
        de: "Wird geöffnet …",
    }
    LoadFailed "load_failed" All {
        en: "Your financing offer couldn’t be loaded.",
        fr: "Impossible de charger votre offre de financement.",
        de: "Ihr Finanzierungsangebot konnte nicht geladen werden.",
    }
    Retry "retry" All {
        en: "Try again",
        fr: "Réessayer",
        de: "Erneut versuchen",
    }
    LinkFailed "link_failed" All {
        en: "That page couldn’t be opened. Please try again.",
        fr: "Impossible d’ouvrir cette page. Veuillez réessayer.",
        de: "Die Seite konnte nicht geöffnet werden. Bitte versuchen Sie es erneut.",
    }
    UnsafeLink "unsafe_link" All {
        en: "That link can’t be opened safely, so it was blocked.",
        fr: "Ce lien ne peut pas être ouvert en toute sécurité ; il a été bloqué.",
        de: "Dieser Link kann nicht sicher geöffnet werden und wurde blockiert.",
    }
    /// Read after the call to action's label when it opens a new tab.
    NewTab "new_tab" All {
        en: "opens in a new tab",
        fr: "s’ouvre dans un nouvel onglet",
        de: "öffnet in einem neuen Tab",
    }
    /// The lender's notice for `disclaimer_variant: celtic_us_loan` (US loans).
    NoticeCelticUsLoan "notice.celtic_us_loan" Loans {
        en: "Stripe Capital loans are issued by Celtic Bank, a Utah-chartered, FDIC-insured bank. Every loan is subject to credit approval.",
        fr: "Les prêts Stripe Capital sont accordés par Celtic Bank, banque agréée dans l’Utah et assurée par la FDIC. Tout prêt est soumis à l’acceptation du dossier de crédit.",
        de: "Darlehen von Stripe Capital vergibt die Celtic Bank, eine in Utah zugelassene, FDIC-versicherte Bank. Jedes Darlehen setzt eine Kreditgenehmigung voraus.",
    }
    /// `youlend_us_mca`: US merchant cash advances.
    NoticeYoulendUsMca "notice.youlend_us_mca" CashAdvances {
        en: "Stripe Capital cash advances are provided by YouLend, which buys a share of your future receivables. Subject to eligibility and approval.",
        fr: "Les avances de trésorerie Stripe Capital sont fournies par YouLend, qui achète une part de vos futures créances. Sous réserve d’éligibilité et d’acceptation.",
        de: "Barvorschüsse von Stripe Capital stellt YouLend bereit, das einen Teil Ihrer künftigen Forderungen kauft. Vorbehaltlich Berechtigung und Genehmigung.",
    }
    /// `youlend_uk_mca`: UK merchant cash advances.
    NoticeYoulendUkMca "notice.youlend_uk_mca" CashAdvances {
        en: "In the UK, Stripe Capital cash advances are provided by YouLend Limited, which buys a share of your future card sales. Subject to eligibility and approval.",
        fr: "Au Royaume-Uni, les avances de trésorerie Stripe Capital sont fournies par YouLend Limited, qui achète une part de vos futures ventes par carte. Sous réserve d’éligibilité et d’acceptation.",
        de: "Im Vereinigten Königreich stellt YouLend Limited die Barvorschüsse von Stripe Capital bereit und kauft dafür einen Teil Ihrer künftigen Kartenumsätze. Vorbehaltlich Berechtigung und Genehmigung.",
    }
    /// `youlend_fr_financing`: financing in France.
    NoticeYoulendFrFinancing "notice.youlend_fr_financing" All {
        en: "In France, Stripe Capital financing is provided by YouLend. Subject to eligibility and approval.",
        fr: "En France, le financement Stripe Capital est fourni par YouLend. Sous réserve d’éligibilité et d’acceptation.",
        de: "In Frankreich stellt YouLend die Finanzierung von Stripe Capital bereit. Vorbehaltlich Berechtigung und Genehmigung.",
    }
    /// `youlend_de_financing`: financing in Germany.
    NoticeYoulendDeFinancing "notice.youlend_de_financing" All {
        en: "In Germany, Stripe Capital financing is provided by YouLend. Subject to eligibility and approval.",
        fr: "En Allemagne, le financement Stripe Capital est fourni par YouLend. Sous réserve d’éligibilité et d’acceptation.",
        de: "In Deutschland stellt YouLend die Finanzierung von Stripe Capital bereit. Vorbehaltlich Berechtigung und Genehmigung.",
    }
    /// `fundbox_au_financing`: financing in Australia.
    NoticeFundboxAuFinancing "notice.fundbox_au_financing" All {
        en: "In Australia, Stripe Capital financing is provided by Fundbox. Subject to eligibility and approval.",
        fr: "En Australie, le financement Stripe Capital est fourni par Fundbox. Sous réserve d’éligibilité et d’acceptation.",
        de: "In Australien stellt Fundbox die Finanzierung von Stripe Capital bereit. Vorbehaltlich Berechtigung und Genehmigung.",
    }
}

impl Key {
    /// The offer's heading, by campaign; refills have their own.
    pub fn offer_heading(campaign: Option<&CampaignType>, refill: bool) -> Key {
        if refill {
            return Key::OfferHeadingRefill;
        }
        match campaign {
            Some(CampaignType::NewlyEligibleUser) => Key::OfferHeadingNewlyEligible,
            Some(CampaignType::PreviouslyEligibleUser) => Key::OfferHeadingPreviouslyEligible,
            Some(CampaignType::RepeatUser) => Key::OfferHeadingRepeatUser,
            _ => Key::OfferHeading,
        }
    }

    /// The offer's lede, by campaign; a refill's says what happens to the current financing.
    pub fn offer_lede(campaign: Option<&CampaignType>, refill: bool, terms: Terms) -> Key {
        match (refill, terms) {
            (true, Terms::Loan) => Key::OfferLedeRefill,
            (true, Terms::CashAdvance) => Key::OfferLedeRefillCashAdvance,
            (false, _) => match campaign {
                Some(CampaignType::NewlyEligibleUser) => Key::OfferLedeNewlyEligible,
                Some(CampaignType::PreviouslyEligibleUser) => Key::OfferLedePreviouslyEligible,
                Some(CampaignType::RepeatUser) => Key::OfferLedeRepeatUser,
                _ => Key::OfferLede,
            },
        }
    }

    /// The financing type's chip; `None` for types without a name (nothing is shown then).
    pub fn financing_type(financing_type: Option<&FinancingType>) -> Option<Key> {
        match financing_type? {
            FinancingType::FlexLoan => Some(Key::TypeFlexLoan),
            FinancingType::CashAdvance => Some(Key::TypeCashAdvance),
            FinancingType::FixedTermLoan => Some(Key::TypeFixedTermLoan),
            FinancingType::Other(_) => None,
        }
    }

    /// The lender's notice for a disclaimer variant; `None` for a variant this release does not
    /// know, whose notice it cannot give.
    pub fn notice(variant: &DisclaimerVariant) -> Option<Key> {
        Some(match variant {
            DisclaimerVariant::CelticUsLoan => Key::NoticeCelticUsLoan,
            DisclaimerVariant::YoulendUsMca => Key::NoticeYoulendUsMca,
            DisclaimerVariant::YoulendUkMca => Key::NoticeYoulendUkMca,
            DisclaimerVariant::YoulendFrFinancing => Key::NoticeYoulendFrFinancing,
            DisclaimerVariant::YoulendDeFinancing => Key::NoticeYoulendDeFinancing,
            DisclaimerVariant::FundboxAuFinancing => Key::NoticeFundboxAuFinancing,
            DisclaimerVariant::Other(_) => return None,
        })
    }

    /// A lender's notice (`notice.…`).
    pub fn is_notice(self) -> bool {
        self.name().starts_with("notice.")
    }
}

/// The `key`th of the texts in `table`, which are joined by a unit separator: one string per
/// language instead of an array of pointers into one (a 16-byte pointer and length per text
/// in the wasm's data, which compresses poorly).
pub(crate) fn nth(table: &'static str, key: Key) -> &'static str {
    table.split('\u{1f}').nth(key as usize).unwrap_or_default()
}
