//! The tile's words: built-in copy in English, French and German, and the platform's approved
//! replacements ([`PlatformCopy`]) laid over it, key by key.
//!
//! The built-in copy follows Stripe's Capital marketing guidance (docs.stripe.com/capital/marketing
//! and, for cash advances, /capital/mca-marketing-guidelines): "pay", "payment" and "paid", never
//! "repay"; "financing" rather than "loan"; prequalified, and approved only "if approved"; the
//! offer comes through Stripe Capital; a cash advance shows no loan concepts (no minimum payment,
//! no due date, no amount owed). `tests` below holds every string to that, language by language.
//! Platforms still submit what their users see to Stripe for approval, and replace any key with
//! the approved text (README, "Before you go live").
//!
//! Templates hold `{name}` placeholders filled by [`fill`]; the result is always inserted into the
//! page as text, never as markup.

use std::sync::Arc;

pub mod email;

use capital_types::{CampaignType, DisclaimerVariant, FinancingType, PlatformCopy};

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

/// The `key`th of the texts in `table`, which are joined by a unit separator: one string per
/// language instead of an array of pointers into one (a 16-byte pointer and length per text
/// in the wasm's data, which compresses poorly).
fn nth(table: &'static str, key: Key) -> &'static str {
    table.split('\u{1f}').nth(key as usize).unwrap_or_default()
}

fn primary_subtag(locale: &str) -> String {
    locale
        .trim()
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
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

        const NAMES: &str = concat!($($name, "\u{1f}"),+);
        const EN: &str = concat!($($en, "\u{1f}"),+);
        const FR: &str = concat!($($fr, "\u{1f}"),+);
        const DE: &str = concat!($($de, "\u{1f}"),+);
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

/// The words in effect for one locale: the platform's approved text where it has some (the
/// `strings` property first, then the backend's `copy`), else the built-in copy.
#[derive(Debug, Clone)]
pub struct Wording {
    lang: Lang,
    /// Lower-case tags the platform's copy is looked up under, most specific first (`fr-ca`, `fr`).
    languages: [String; 2],
    platform: [Option<Arc<PlatformCopy>>; 2],
}

impl Wording {
    /// `locale` is the BCP 47 tag in effect; `platform` the platform's copy, first match wins.
    pub fn new(locale: &str, platform: [Option<Arc<PlatformCopy>>; 2]) -> Wording {
        Wording {
            lang: Lang::from_locale(locale),
            languages: [locale.trim().to_ascii_lowercase(), primary_subtag(locale)],
            platform,
        }
    }

    /// The built-in copy of `lang` alone.
    pub fn builtin(lang: Lang) -> Wording {
        Wording {
            lang,
            languages: Default::default(),
            platform: [None, None],
        }
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The text of `key`.
    pub fn get(&self, key: Key) -> &str {
        let languages = [self.languages[0].as_str(), self.languages[1].as_str()];
        self.platform
            .iter()
            .flatten()
            .find_map(|copy| copy.get(&languages, key.name()))
            .unwrap_or_else(|| self.lang.text(key))
    }
}

/// Replaces each `{name}` in `template` with its value. Values are not scanned for placeholders,
/// so text from the backend can never expand into more template.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some((before, after)) = rest.split_once('{') {
        out.push_str(before);
        match after.split_once('}') {
            Some((name, tail)) => {
                match values.iter().find(|(key, _)| *key == name) {
                    Some((_, value)) => out.push_str(value),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = tail;
            }
            None => {
                out.push('{');
                rest = after;
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

/// What Stripe's Capital marketing guidance keeps out of copy, as the tests check it. A term
/// ending in `*` matches every word it begins; any other term matches whole words only.
#[cfg(not(target_arch = "wasm32"))]
pub mod banned {
    use super::Lang;

    /// Banned in every string: "repay" and its forms (pay, payment, paid instead), the claim of
    /// no credit check, promised outcomes, and "we" (the offer comes through Stripe Capital; a
    /// decision is Stripe Capital's).
    pub fn everywhere(lang: Lang) -> &'static [&'static str] {
        match lang {
            Lang::En => &[
                "repay*",
                "repaid",
                "pay back",
                "payback",
                "no credit check",
                "guarantee*",
                "you’re eligible",
                "you are eligible",
                "we",
                "we’ve",
                "we’ll",
                "our",
                "us",
            ],
            Lang::Fr => &[
                "rembours*",
                "sans vérification de crédit",
                "garanti*",
                "êtes éligible",
                "nous",
                "notre",
                "nos",
            ],
            Lang::De => &[
                "rückzahl*",
                "zurückgezahlt",
                "zurückzuzahlen",
                "zurückzahl*",
                "tilgung*",
                "keine bonitätsprüfung",
                "ohne bonitätsprüfung",
                "garantiert*",
                "können eine finanzierung erhalten",
                "wir",
                "uns",
                "unser*",
            ],
        }
    }

    /// Banned outside the lenders' notices: the product is "financing", not a loan.
    pub fn outside_notices(lang: Lang) -> &'static [&'static str] {
        match lang {
            Lang::En => &["loan*"],
            Lang::Fr => &["prêt*"],
            Lang::De => &["darlehen*"],
        }
    }

    /// Banned wherever a cash advance may be described: loan concepts (a debt, an amount owed, a
    /// minimum payment, a due date, interest, a term, credit).
    pub fn cash_advances(lang: Lang) -> &'static [&'static str] {
        match lang {
            Lang::En => &[
                "loan*",
                "lend*",
                "borrow*",
                "owe*",
                "owing",
                "debt*",
                "due",
                "minimum*",
                "at least",
                "interest",
                "credit*",
                "balance*",
                "term",
                "installment*",
                "instalment*",
            ],
            Lang::Fr => &[
                "prêt*",
                "emprunt*",
                "dette*",
                "dû",
                "due",
                "échéance*",
                "minimum*",
                "au moins",
                "intérêt*",
                "crédit*",
                "solde*",
                "mensualité*",
            ],
            Lang::De => &[
                "darlehen*",
                "kredit*",
                "schuld*",
                "fällig*",
                "mindest*",
                "zins*",
                "saldo",
                "laufzeit*",
                "rate",
                "raten*",
            ],
        }
    }

    /// The terms of `terms` that `text` contains.
    /// `{placeholders}` are not words.
    pub fn found(text: &str, terms: &[&'static str]) -> Vec<&'static str> {
        let mut text = text.to_lowercase().replace('\'', "’");
        while let Some((before, rest)) = text.split_once('{') {
            let after = rest.split_once('}').map_or("", |(_, after)| after);
            text = format!("{before} {after}");
        }
        let words: Vec<&str> = text
            .split(|c: char| !(c.is_alphanumeric() || c == '’' || c == '-'))
            .filter(|w| !w.is_empty())
            .collect();
        let joined = format!(" {} ", words.join(" "));
        terms
            .iter()
            .copied()
            .filter(|term| match term.strip_suffix('*') {
                Some(stem) => joined.contains(&format!(" {stem}")),
                None => joined.contains(&format!(" {term} ")),
            })
            .collect()
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn languages_from_bcp47_tags() {
        assert_eq!(Lang::from_locale("fr-CA"), Lang::Fr);
        assert_eq!(Lang::from_locale("de"), Lang::De);
        assert_eq!(Lang::from_locale("DE_at"), Lang::De);
        assert_eq!(Lang::from_locale("en-GB"), Lang::En);
        assert_eq!(Lang::from_locale("ja-JP"), Lang::En);
        assert_eq!(Lang::from_locale(""), Lang::En);
    }

    #[test]
    fn fill_replaces_known_placeholders_only_once() {
        assert_eq!(
            fill("Up to {amount}", &[("amount", "$1,000")]),
            "Up to $1,000"
        );
        assert_eq!(
            fill("{a} and {b}", &[("a", "{b}"), ("b", "x")]),
            "{b} and x"
        );
        assert_eq!(fill("{unknown} {", &[]), "{unknown} {");
        assert_eq!(fill("no placeholders", &[("a", "b")]), "no placeholders");
    }

    /// The guidance, table-driven over the whole built-in copy: every string of every language is
    /// checked against the words banned for each financing type it may be shown for.
    #[test]
    fn no_built_in_string_uses_a_word_the_guidance_bans_where_it_is_banned() {
        let mut failures = Vec::new();
        for lang in Lang::ALL {
            for &key in Key::ALL {
                let text = lang.text(key);
                let mut check = |terms: &[&'static str], rule: &str| {
                    for term in banned::found(text, terms) {
                        failures.push(format!(
                            "{lang:?} {} ({rule}): {term:?} in {text:?}",
                            key.name()
                        ));
                    }
                };
                check(banned::everywhere(lang), "every type");
                if !key.is_notice() {
                    check(banned::outside_notices(lang), "outside notices");
                }
                if key.audience() != Audience::Loans {
                    check(banned::cash_advances(lang), "cash advances");
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn the_banned_word_matcher_matches_words_not_fragments() {
        let terms = &["repay*", "due", "at least", "us"];
        assert_eq!(banned::found("Repayments every 30 days", terms), ["repay*"]);
        assert_eq!(banned::found("Due today", terms), ["due"]);
        assert!(banned::found("Overdue? Residue. Business", terms).is_empty());
        assert_eq!(banned::found("pay at least $5", terms), ["at least"]);
        assert_eq!(banned::found("Contact us.", terms), ["us"]);
    }

    #[test]
    fn the_guidance_words_are_there() {
        for lang in Lang::ALL {
            let notices: BTreeSet<_> = Key::ALL
                .iter()
                .filter(|k| k.is_notice())
                .map(|k| lang.text(*k))
                .collect();
            assert_eq!(
                notices.len(),
                6,
                "{lang:?}: one notice per variant, none shared"
            );
        }
        let en = |key| Lang::En.text(key);
        assert!(en(Key::OfferHeadingNewlyEligible).contains("prequalified"));
        assert!(en(Key::OfferLedeNewlyEligible).contains("If approved"));
        assert!(en(Key::OfferLedeNewlyEligible).contains("Stripe Capital"));
        assert!(en(Key::RejectedBody).contains("Stripe Capital"));
        assert_eq!(en(Key::RateLabel), "Payment rate");
        assert_eq!(en(Key::TypeFlexLoan), "Business financing");
    }

    #[test]
    fn every_language_has_the_same_placeholders_and_none_is_empty() {
        let placeholders = |text: &str| -> BTreeSet<String> {
            text.split('{')
                .skip(1)
                .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned()))
                .collect()
        };
        for &key in Key::ALL {
            let english = placeholders(Lang::En.text(key));
            for lang in Lang::ALL {
                let text = lang.text(key);
                assert!(!text.trim().is_empty(), "{lang:?} {}", key.name());
                assert_eq!(placeholders(text), english, "{lang:?} {}", key.name());
            }
        }
    }

    /// docs/contract.md lists every key with its English text, generated from this table.
    #[test]
    fn the_contract_lists_every_key() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/contract.md");
        let contract = std::fs::read_to_string(path).unwrap();
        let (start, end) = (
            "(UPDATE_DOCS=1 cargo test -p capital-copy) -->\n",
            "<!-- end of copy keys -->",
        );
        let from = contract.find(start).expect("the copy keys marker") + start.len();
        let to = contract.find(end).expect("the end marker");
        let mut table = String::new();
        for &key in Key::ALL {
            let audience = match key.audience() {
                Audience::All => "all",
                Audience::Loans => "loans",
                Audience::CashAdvances => "cash advances",
            };
            let text = Lang::En.text(key).replace('|', "\\|");
            table.push_str(&format!("| `{}` | {audience} | {text} |\n", key.name()));
        }
        if std::env::var_os("UPDATE_DOCS").is_some() {
            let updated = format!("{}{table}{}", &contract[..from], &contract[to..]);
            std::fs::write(path, updated).unwrap();
            return;
        }
        assert_eq!(
            &contract[from..to],
            table,
            "docs/contract.md's copy keys are stale: UPDATE_DOCS=1 cargo test -p capital-copy"
        );
    }

    #[test]
    fn key_names_are_unique_and_dotted_lower_case() {
        let names: BTreeSet<_> = Key::ALL.iter().map(|k| k.name()).collect();
        assert_eq!(names.len(), Key::ALL.len());
        for table in [NAMES, EN, FR, DE] {
            assert_eq!(
                table.split('\u{1f}').count(),
                Key::ALL.len() + 1,
                "one text per key"
            );
        }
        for name in names {
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_'),
                "{name}"
            );
        }
    }

    #[test]
    fn copy_varies_with_campaign_product_and_financing_type() {
        let keys = [
            Key::offer_heading(Some(&CampaignType::NewlyEligibleUser), false),
            Key::offer_heading(Some(&CampaignType::PreviouslyEligibleUser), false),
            Key::offer_heading(Some(&CampaignType::RepeatUser), false),
            Key::offer_heading(Some(&CampaignType::RepeatUser), true),
            Key::offer_heading(Some(&CampaignType::Other("x".into())), false),
        ];
        let unique: BTreeSet<_> = keys.iter().map(|k| k.name()).collect();
        assert_eq!(unique.len(), keys.len());
        assert_eq!(Key::offer_heading(None, false), Key::OfferHeading);
        assert_eq!(
            Key::offer_lede(None, true, Terms::CashAdvance),
            Key::OfferLedeRefillCashAdvance
        );
        assert_eq!(
            Key::offer_lede(None, true, Terms::Loan),
            Key::OfferLedeRefill
        );
        assert_eq!(Terms::of(Some(&FinancingType::FixedTermLoan)), Terms::Loan);
        assert_eq!(
            Terms::of(Some(&FinancingType::Other("new".into()))),
            Terms::CashAdvance
        );
        assert_eq!(Terms::of(None), Terms::CashAdvance);
    }

    #[test]
    fn unknown_enum_values_get_no_words() {
        assert_eq!(
            Key::financing_type(Some(&FinancingType::Other("new".into()))),
            None
        );
        assert_eq!(
            Key::notice(&DisclaimerVariant::Other("new_lender".into())),
            None
        );
        assert_eq!(
            Key::notice(&DisclaimerVariant::YoulendUkMca),
            Some(Key::NoticeYoulendUkMca)
        );
    }

    fn platform(json: &str) -> Option<Arc<PlatformCopy>> {
        Some(Arc::new(serde_json::from_str(json).unwrap()))
    }

    #[test]
    fn platform_copy_replaces_key_by_key_and_the_property_wins() {
        let strings = platform(r#"{"offer.cta": "Property CTA", "de": {"retry": "Nochmal"}}"#);
        let copy = platform(
            r#"{"offer.cta": "Backend CTA", "offer.fee_label": "Fee", "unknown.key": "x",
                "fr-ca": {"offer.fee_label": "Frais (CA)"}, "notice.celtic_us_loan": " "}"#,
        );
        let en = Wording::new("en-US", [strings.clone(), copy.clone()]);
        assert_eq!(en.get(Key::OfferCta), "Property CTA");
        assert_eq!(en.get(Key::OfferFeeLabel), "Fee");
        assert_eq!(en.get(Key::Retry), "Try again");
        assert_eq!(
            en.get(Key::NoticeCelticUsLoan),
            Lang::En.text(Key::NoticeCelticUsLoan),
            "blank text never blanks a notice"
        );
        let fr_ca = Wording::new("fr-CA", [strings.clone(), copy.clone()]);
        assert_eq!(fr_ca.get(Key::OfferFeeLabel), "Frais (CA)");
        assert_eq!(fr_ca.get(Key::OfferAmountLabel), "Jusqu’à");
        let de = Wording::new("de-DE", [strings, copy]);
        assert_eq!(de.get(Key::Retry), "Nochmal");
        assert_eq!(de.get(Key::OfferFeeLabel), "Fee");
        let es = Wording::new(
            "es",
            [platform(r#"{"es": {"offer.cta": "Ver oferta"}}"#), None],
        );
        assert_eq!(
            es.get(Key::OfferCta),
            "Ver oferta",
            "any language the platform writes"
        );
        assert_eq!(es.get(Key::Retry), "Try again");
    }
}
