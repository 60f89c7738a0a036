//! Crash points for the tests that kill the server mid-work (`tests/crash.rs`): with
//! `CAPITAL_FAILPOINT=<name>` in its environment, the process aborts when it reaches that point,
//! as a crash or a power cut would end it. Without the variable (always, outside those tests) a
//! point costs one environment lookup, made once.

use std::sync::OnceLock;

/// Aborts the process if `CAPITAL_FAILPOINT` names this point.
pub fn hit(name: &str) {
    static ARMED: OnceLock<Option<String>> = OnceLock::new();
    let armed = ARMED.get_or_init(|| std::env::var("CAPITAL_FAILPOINT").ok());
    if armed.as_deref() == Some(name) {
        eprintln!("failpoint {name}: aborting");
        std::process::abort();
    }
}
