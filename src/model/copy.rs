//! The tile's copy in English, French and German, chosen by the `locale` attribute (BCP 47).
//!
//! Templates hold `{name}` placeholders filled by [`fill`]; the result is always inserted into the
//! page as text, never as markup.

use capital_types::{CampaignType, DisclaimerVariant, FinancingType};

/// A language the tile has copy for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Fr,
    De,
}

impl Lang {
    /// The language of a BCP 47 tag (`fr-CA` → French); English for anything else.
    pub fn from_locale(locale: &str) -> Lang {
        let primary = locale
            .trim()
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        match primary.as_str() {
            "fr" => Lang::Fr,
            "de" => Lang::De,
            _ => Lang::En,
        }
    }

    pub fn text(self) -> &'static Text {
        match self {
            Lang::En => &EN,
            Lang::Fr => &FR,
            Lang::De => &DE,
        }
    }
}

/// Every string the tile shows.
#[derive(Debug)]
pub struct Text {
    pub heading_new: &'static str,
    pub heading_previous: &'static str,
    pub heading_repeat: &'static str,
    pub heading_refill: &'static str,
    pub heading_default: &'static str,
    pub lede_new: &'static str,
    pub lede_previous: &'static str,
    pub lede_repeat: &'static str,
    pub lede_refill: &'static str,
    pub lede_default: &'static str,
    pub amount_label: &'static str,
    pub fee_label: &'static str,
    pub withhold_label: &'static str,
    pub withhold_value: &'static str,
    pub discount_label: &'static str,
    pub discount_value: &'static str,
    pub expiry_label: &'static str,
    pub interval_every: &'static str,
    pub interval_minimum: &'static str,
    pub interval_maximum: &'static str,
    pub payback_estimate: &'static str,
    pub cta_offer: &'static str,
    pub review_heading: &'static str,
    pub review_body: &'static str,
    pub cta_review: &'static str,
    pub progress_heading: &'static str,
    pub paid_label: &'static str,
    pub remaining_label: &'static str,
    pub progress_value: &'static str,
    /// The progress bar's accessible name.
    pub progress_label: &'static str,
    pub interval_heading: &'static str,
    pub interval_status: &'static str,
    pub interval_due: &'static str,
    pub cta_progress: &'static str,
    pub repaid_heading: &'static str,
    pub repaid_body: &'static str,
    pub cta_repaid: &'static str,
    pub rejected_heading: &'static str,
    pub rejected_body: &'static str,
    pub cta_rejected: &'static str,
    pub loading: &'static str,
    pub opening: &'static str,
    pub load_failed: &'static str,
    pub retry: &'static str,
    pub link_failed: &'static str,
    pub unsafe_link: &'static str,
    pub type_flex_loan: &'static str,
    pub type_cash_advance: &'static str,
    pub type_fixed_term_loan: &'static str,
    pub new_tab: &'static str,
    pub disclaimer_celtic: &'static str,
    pub disclaimer_youlend: &'static str,
    pub disclaimer_fundbox: &'static str,
    pub disclaimer_default: &'static str,
}

impl Text {
    pub fn offer_heading(&self, campaign: Option<&CampaignType>, refill: bool) -> &'static str {
        if refill {
            return self.heading_refill;
        }
        match campaign {
            Some(CampaignType::NewlyEligibleUser) => self.heading_new,
            Some(CampaignType::PreviouslyEligibleUser) => self.heading_previous,
            Some(CampaignType::RepeatUser) => self.heading_repeat,
            _ => self.heading_default,
        }
    }

    pub fn offer_lede(&self, campaign: Option<&CampaignType>, refill: bool) -> &'static str {
        if refill {
            return self.lede_refill;
        }
        match campaign {
            Some(CampaignType::NewlyEligibleUser) => self.lede_new,
            Some(CampaignType::PreviouslyEligibleUser) => self.lede_previous,
            Some(CampaignType::RepeatUser) => self.lede_repeat,
            _ => self.lede_default,
        }
    }

    /// A short name for the financing type, or `None` for unknown types (then nothing is shown).
    pub fn financing_type(&self, financing_type: Option<&FinancingType>) -> Option<&'static str> {
        match financing_type? {
            FinancingType::FlexLoan => Some(self.type_flex_loan),
            FinancingType::CashAdvance => Some(self.type_cash_advance),
            FinancingType::FixedTermLoan => Some(self.type_fixed_term_loan),
            FinancingType::Other(_) => None,
        }
    }

    /// The lender's legal notice for a disclaimer variant; a generic notice for unknown variants.
    pub fn disclaimer(&self, variant: &DisclaimerVariant) -> &'static str {
        match variant {
            DisclaimerVariant::CelticUsLoan => self.disclaimer_celtic,
            DisclaimerVariant::FundboxAuFinancing => self.disclaimer_fundbox,
            DisclaimerVariant::YoulendDeFinancing
            | DisclaimerVariant::YoulendFrFinancing
            | DisclaimerVariant::YoulendUkMca
            | DisclaimerVariant::YoulendUsMca => self.disclaimer_youlend,
            DisclaimerVariant::Other(_) => self.disclaimer_default,
        }
    }
}

/// Replaces each `{name}` in `template` with its value. Values are not scanned for placeholders,
/// so text from the backend can never expand into more template.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match values.iter().find(|(key, _)| *key == name) {
                    Some((_, value)) => out.push_str(value),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

static EN: Text = Text {
    heading_new: "You’re eligible for financing",
    heading_previous: "Your financing offer is waiting",
    heading_repeat: "Welcome back: more financing is available",
    heading_refill: "Refill your financing",
    heading_default: "Financing offer",
    lede_new: "Grow your business with financing based on your sales. One fixed fee, no credit check to apply.",
    lede_previous: "Your pre-qualified offer is still available. One fixed fee, repaid automatically as you make sales.",
    lede_repeat: "Thanks for being a Capital customer. Your new offer comes with one fixed fee and automatic repayments.",
    lede_refill: "Top up your financing now. The new financing pays off your current balance and you receive the difference.",
    lede_default: "One fixed fee, repaid automatically as a share of your sales.",
    amount_label: "Up to",
    fee_label: "Fixed fee",
    withhold_label: "Repayment rate",
    withhold_value: "{rate} of daily sales",
    discount_label: "Refill discount",
    discount_value: "{rate} off the remaining fee of your current financing",
    expiry_label: "Offer expires",
    interval_every: "Repayments every {days} days",
    interval_minimum: "at least {amount} per period",
    interval_maximum: "at most {amount} per period",
    payback_estimate: "Estimated payback in about {days} days",
    cta_offer: "View offer",
    review_heading: "Application under review",
    review_body: "Your application for {amount} is being reviewed. You’ll receive the decision by email.",
    cta_review: "Track application",
    progress_heading: "Financing in progress",
    paid_label: "Paid",
    remaining_label: "Remaining",
    progress_value: "{percent} repaid",
    progress_label: "Paid so far",
    interval_heading: "Current period",
    interval_status: "{paid} paid, {remaining} to go",
    interval_due: "due {date}",
    cta_progress: "View financing",
    repaid_heading: "Paid in full",
    repaid_body: "You’ve fully repaid your financing of {amount}. Your history stays available.",
    cta_repaid: "View history",
    rejected_heading: "Application not approved",
    rejected_body: "Your application wasn’t approved this time. We’ve sent the details by email.",
    cta_rejected: "View details",
    loading: "Loading your financing offer",
    opening: "Opening…",
    load_failed: "We couldn’t load your financing offer.",
    retry: "Try again",
    link_failed: "We couldn’t open that page. Please try again.",
    unsafe_link: "That link can’t be opened safely, so it was blocked.",
    type_flex_loan: "Loan",
    type_cash_advance: "Cash advance",
    type_fixed_term_loan: "Term loan",
    new_tab: "opens in a new tab",
    disclaimer_celtic: "Loans are issued by Celtic Bank. All loans are subject to credit approval.",
    disclaimer_youlend: "Financing is provided by YouLend and is subject to eligibility and approval.",
    disclaimer_fundbox: "Financing is provided by Fundbox and is subject to eligibility and approval.",
    disclaimer_default: "Financing is subject to eligibility and approval.",
};

static FR: Text = Text {
    heading_new: "Vous êtes éligible à un financement",
    heading_previous: "Votre offre de financement vous attend",
    heading_repeat: "Bon retour : un nouveau financement est disponible",
    heading_refill: "Renouvelez votre financement",
    heading_default: "Offre de financement",
    lede_new: "Développez votre activité grâce à un financement basé sur vos ventes. Des frais fixes uniques, sans vérification de crédit pour postuler.",
    lede_previous: "Votre offre présélectionnée est toujours disponible. Des frais fixes uniques, remboursés automatiquement sur vos ventes.",
    lede_repeat: "Merci de votre fidélité. Votre nouvelle offre comprend des frais fixes uniques et des remboursements automatiques.",
    lede_refill: "Complétez votre financement dès maintenant. Le nouveau financement solde votre encours et vous recevez la différence.",
    lede_default: "Des frais fixes uniques, remboursés automatiquement sur une part de vos ventes.",
    amount_label: "Jusqu’à",
    fee_label: "Frais fixes",
    withhold_label: "Taux de remboursement",
    withhold_value: "{rate} des ventes quotidiennes",
    discount_label: "Remise de renouvellement",
    discount_value: "{rate} de remise sur les frais restants de votre financement actuel",
    expiry_label: "Offre valable jusqu’au",
    interval_every: "Remboursements tous les {days} jours",
    interval_minimum: "au moins {amount} par période",
    interval_maximum: "au plus {amount} par période",
    payback_estimate: "Remboursement estimé en {days} jours environ",
    cta_offer: "Voir l’offre",
    review_heading: "Demande en cours d’examen",
    review_body: "Votre demande de {amount} est en cours d’examen. Vous recevrez la décision par e-mail.",
    cta_review: "Suivre la demande",
    progress_heading: "Financement en cours",
    paid_label: "Remboursé",
    remaining_label: "Restant",
    progress_value: "{percent} remboursé",
    progress_label: "Montant déjà payé",
    interval_heading: "Période en cours",
    interval_status: "{paid} payé, {remaining} restant",
    interval_due: "échéance le {date}",
    cta_progress: "Voir le financement",
    repaid_heading: "Entièrement remboursé",
    repaid_body: "Vous avez entièrement remboursé votre financement de {amount}. Votre historique reste disponible.",
    cta_repaid: "Voir l’historique",
    rejected_heading: "Demande non approuvée",
    rejected_body: "Votre demande n’a pas été approuvée cette fois-ci. Les détails vous ont été envoyés par e-mail.",
    cta_rejected: "Voir les détails",
    loading: "Chargement de votre offre de financement",
    opening: "Ouverture…",
    load_failed: "Impossible de charger votre offre de financement.",
    retry: "Réessayer",
    link_failed: "Impossible d’ouvrir cette page. Veuillez réessayer.",
    unsafe_link: "Ce lien ne peut pas être ouvert en toute sécurité ; il a été bloqué.",
    type_flex_loan: "Prêt",
    type_cash_advance: "Avance de trésorerie",
    type_fixed_term_loan: "Prêt à terme",
    new_tab: "s’ouvre dans un nouvel onglet",
    disclaimer_celtic: "Les prêts sont accordés par Celtic Bank, sous réserve d’acceptation du dossier.",
    disclaimer_youlend: "Le financement est fourni par YouLend, sous réserve d’éligibilité et d’acceptation.",
    disclaimer_fundbox: "Le financement est fourni par Fundbox, sous réserve d’éligibilité et d’acceptation.",
    disclaimer_default: "Financement sous réserve d’éligibilité et d’acceptation.",
};

static DE: Text = Text {
    heading_new: "Sie können eine Finanzierung erhalten",
    heading_previous: "Ihr Finanzierungsangebot wartet",
    heading_repeat: "Willkommen zurück: weitere Finanzierung verfügbar",
    heading_refill: "Finanzierung aufstocken",
    heading_default: "Finanzierungsangebot",
    lede_new: "Lassen Sie Ihr Unternehmen wachsen – mit einer Finanzierung auf Basis Ihrer Umsätze. Eine feste Gebühr, keine Bonitätsprüfung für den Antrag.",
    lede_previous: "Ihr vorab geprüftes Angebot ist weiterhin verfügbar. Eine feste Gebühr, automatisch aus Ihren Umsätzen zurückgezahlt.",
    lede_repeat: "Danke, dass Sie Capital nutzen. Ihr neues Angebot hat eine feste Gebühr und automatische Rückzahlungen.",
    lede_refill: "Stocken Sie Ihre Finanzierung jetzt auf. Die neue Finanzierung löst Ihren offenen Betrag ab, Sie erhalten die Differenz.",
    lede_default: "Eine feste Gebühr, automatisch als Anteil Ihrer Umsätze zurückgezahlt.",
    amount_label: "Bis zu",
    fee_label: "Feste Gebühr",
    withhold_label: "Rückzahlungsrate",
    withhold_value: "{rate} der täglichen Umsätze",
    discount_label: "Aufstockungsrabatt",
    discount_value: "{rate} Rabatt auf die Restgebühr Ihrer aktuellen Finanzierung",
    expiry_label: "Angebot gültig bis",
    interval_every: "Rückzahlung alle {days} Tage",
    interval_minimum: "mindestens {amount} pro Zeitraum",
    interval_maximum: "höchstens {amount} pro Zeitraum",
    payback_estimate: "Voraussichtlich in etwa {days} Tagen zurückgezahlt",
    cta_offer: "Angebot ansehen",
    review_heading: "Antrag wird geprüft",
    review_body: "Ihr Antrag über {amount} wird geprüft. Sie erhalten die Entscheidung per E-Mail.",
    cta_review: "Antrag verfolgen",
    progress_heading: "Laufende Finanzierung",
    paid_label: "Bezahlt",
    remaining_label: "Offen",
    progress_value: "{percent} zurückgezahlt",
    progress_label: "Bisher gezahlt",
    interval_heading: "Aktueller Zeitraum",
    interval_status: "{paid} bezahlt, {remaining} offen",
    interval_due: "fällig am {date}",
    cta_progress: "Finanzierung ansehen",
    repaid_heading: "Vollständig zurückgezahlt",
    repaid_body: "Sie haben Ihre Finanzierung über {amount} vollständig zurückgezahlt. Ihr Verlauf bleibt verfügbar.",
    cta_repaid: "Verlauf ansehen",
    rejected_heading: "Antrag nicht genehmigt",
    rejected_body: "Ihr Antrag wurde dieses Mal nicht genehmigt. Die Einzelheiten haben wir Ihnen per E-Mail gesendet.",
    cta_rejected: "Details ansehen",
    loading: "Ihr Finanzierungsangebot wird geladen",
    opening: "Wird geöffnet …",
    load_failed: "Ihr Finanzierungsangebot konnte nicht geladen werden.",
    retry: "Erneut versuchen",
    link_failed: "Die Seite konnte nicht geöffnet werden. Bitte versuchen Sie es erneut.",
    unsafe_link: "Dieser Link kann nicht sicher geöffnet werden und wurde blockiert.",
    type_flex_loan: "Darlehen",
    type_cash_advance: "Händlerfinanzierung",
    type_fixed_term_loan: "Laufzeitdarlehen",
    new_tab: "öffnet in einem neuen Tab",
    disclaimer_celtic: "Darlehen werden von der Celtic Bank vergeben und setzen eine Kreditgenehmigung voraus.",
    disclaimer_youlend: "Die Finanzierung wird von YouLend bereitgestellt und setzt Berechtigung und Genehmigung voraus.",
    disclaimer_fundbox: "Die Finanzierung wird von Fundbox bereitgestellt und setzt Berechtigung und Genehmigung voraus.",
    disclaimer_default: "Die Finanzierung setzt Berechtigung und Genehmigung voraus.",
};

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

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

    #[test]
    fn copy_varies_with_campaign_and_product() {
        let en = Lang::En.text();
        let headings: Vec<_> = [
            en.offer_heading(Some(&CampaignType::NewlyEligibleUser), false),
            en.offer_heading(Some(&CampaignType::PreviouslyEligibleUser), false),
            en.offer_heading(Some(&CampaignType::RepeatUser), false),
            en.offer_heading(Some(&CampaignType::RepeatUser), true),
            en.offer_heading(Some(&CampaignType::Other("x".into())), false),
        ]
        .to_vec();
        let unique: std::collections::HashSet<_> = headings.iter().collect();
        assert_eq!(
            unique.len(),
            headings.len(),
            "each campaign has its own heading: {headings:?}"
        );
        assert_eq!(en.offer_heading(None, false), en.heading_default);
    }

    #[test]
    fn every_language_has_every_placeholder() {
        let placeholders = |text: &Text| {
            [
                (text.withhold_value, "{rate}"),
                (text.discount_value, "{rate}"),
                (text.review_body, "{amount}"),
                (text.repaid_body, "{amount}"),
                (text.progress_value, "{percent}"),
                (text.interval_every, "{days}"),
                (text.interval_minimum, "{amount}"),
                (text.interval_maximum, "{amount}"),
                (text.payback_estimate, "{days}"),
                (text.interval_due, "{date}"),
                (text.interval_status, "{paid}"),
                (text.interval_status, "{remaining}"),
            ]
        };
        for lang in [Lang::En, Lang::Fr, Lang::De] {
            for (template, placeholder) in placeholders(lang.text()) {
                assert!(
                    template.contains(placeholder),
                    "{lang:?}: {template:?} lacks {placeholder}"
                );
            }
        }
    }

    #[test]
    fn unknown_enum_values_get_safe_copy() {
        let de = Lang::De.text();
        assert_eq!(
            de.financing_type(Some(&FinancingType::Other("new".into()))),
            None
        );
        assert_eq!(
            de.financing_type(Some(&FinancingType::FlexLoan)),
            Some("Darlehen")
        );
        assert_eq!(
            de.disclaimer(&DisclaimerVariant::Other("x".into())),
            de.disclaimer_default
        );
    }
}
