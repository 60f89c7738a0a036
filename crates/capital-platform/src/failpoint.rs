//! Fault points for the tests that stop the server mid-work (`tests/backend/instances.rs`,
//! `tests/backend/hostile.rs`): with `CAPITAL_FAILPOINT=<name>` in its environment, the process aborts
//! when it reaches that point, as a crash or a power cut would end it; with
//! `CAPITAL_FAILPOINT=pause:<name>`, it waits there three seconds, as slow work would (a signal
//! can then arrive mid-request). Without the variable (always, outside those tests) a point costs
//! one environment lookup, made once.

use std::sync::OnceLock;
use std::time::Duration;

fn armed() -> Option<&'static str> {
    static ARMED: OnceLock<Option<String>> = OnceLock::new();
    ARMED
        .get_or_init(|| std::env::var("CAPITAL_FAILPOINT").ok())
        .as_deref()
}

/// Aborts the process if `CAPITAL_FAILPOINT` names this point; waits three seconds if it names
/// `pause:` and this point.
pub(crate) async fn hit(name: &str) {
    let Some(armed) = armed() else { return };
    if armed == name {
        eprintln!("failpoint {name}: aborting");
        std::process::abort();
    }
    if armed.strip_prefix("pause:") == Some(name) {
        eprintln!("failpoint {name}: pausing");
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
}
