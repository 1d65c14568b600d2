//! `promtool check metrics` on the expositions the tests produce: the Prometheus project's own
//! parser and linter (naming, help, types, histogram layout) as a second opinion on the text.
//!
//! Runs when `promtool` is on `PATH` (Debian package `prometheus`); without it the check is
//! skipped with a note, unless `SOLTI_REQUIRE_PROMTOOL` is set (CI sets it), which makes a
//! missing `promtool` a failure.

use std::io::Write as _;
use std::process::{Command, Stdio};

/// Fails the test when `promtool check metrics` reports anything on `text`: a parse error or a
/// lint finding.
#[track_caller]
pub fn check(text: &str) {
    if let Err(message) = run(text) {
        panic!("{message}\n----- exposition -----\n{text}");
    }
}

/// Whether `promtool` can be run here.
///
/// # Panics
///
/// When it cannot and `SOLTI_REQUIRE_PROMTOOL` is set.
pub fn available() -> bool {
    let found = Command::new("promtool").arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok();
    assert!(found || std::env::var_os(REQUIRE).is_none(), "promtool is required ({REQUIRE} is set) but cannot run");
    found
}

/// Set (to anything) to make a missing `promtool` fail the tests instead of skipping the check.
const REQUIRE: &str = "SOLTI_REQUIRE_PROMTOOL";

fn run(text: &str) -> Result<(), String> {
    let child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(error) if std::env::var_os(REQUIRE).is_some() => {
            return Err(format!("promtool is required ({REQUIRE} is set) but cannot run: {error}"));
        }
        Err(error) => {
            eprintln!("note: promtool check metrics skipped: {error} (install Debian's `prometheus` package)");
            return Ok(());
        }
    };
    let written = child.stdin.take().map(|mut stdin| stdin.write_all(text.as_bytes()));
    let output = child.wait_with_output().map_err(|error| format!("promtool did not finish: {error}"))?;
    if let Some(Err(error)) = written {
        return Err(format!("could not send the exposition to promtool: {error}"));
    }
    let findings = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    if output.status.success() && findings.trim().is_empty() {
        Ok(())
    } else {
        Err(format!("promtool check metrics ({}):\n{}", output.status, findings.trim_end()))
    }
}
