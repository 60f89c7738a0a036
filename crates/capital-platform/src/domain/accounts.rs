//! Connected accounts as the platform names them.

/// A connected account id as Stripe writes them: `acct_` followed by letters and digits.
pub fn is_account_id(text: &str) -> bool {
    text.strip_prefix("acct_").is_some_and(|rest| {
        !rest.is_empty() && rest.len() <= 250 && rest.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}
