//! An independent OpenMetrics parser on the OpenMetrics expositions the tests produce: the
//! parser of the Prometheus project's Python client (`prometheus_client.openmetrics.parser`),
//! which follows the OpenMetrics 1.0 grammar strictly (`# EOF`, `_total` on counter samples,
//! histogram layout, escaping, numbers).
//!
//! Runs when `python3` can import `prometheus_client` (`pip install prometheus-client`);
//! without it the check is skipped with a note, unless `SOLTI_REQUIRE_OPENMETRICS_PARSER` is
//! set (CI sets it), which makes a missing parser a failure.

use std::io::Write as _;
use std::process::{Command, Stdio};

/// Set (to anything) to make a missing parser fail the tests instead of skipping the check.
const REQUIRE: &str = "SOLTI_REQUIRE_OPENMETRICS_PARSER";

/// Parses `text` and prints, per family, `name type samples`, one line each.
const SCRIPT: &str = r#"
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
for family in text_string_to_metric_families(sys.stdin.read()):
    print(family.name, family.type, len(family.samples))
"#;

/// Prints, per sample with an exemplar, `name{labels} # {exemplar labels} value timestamp`:
/// labels sorted by name, values as read and escaped again (`\\`, `\n`, `\"`), numbers as
/// Python's `repr` writes them.
const EXEMPLARS_SCRIPT: &str = r#"
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
def escape(value):
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')
def pairs(labels):
    return ",".join(f'{k}="{escape(v)}"' for k, v in sorted(labels.items()))
for family in text_string_to_metric_families(sys.stdin.read()):
    for sample in family.samples:
        if sample.exemplar:
            exemplar = sample.exemplar
            timestamp = float(exemplar.timestamp) if exemplar.timestamp is not None else None
            print(f"{sample.name}{{{pairs(sample.labels)}}} # {{{pairs(exemplar.labels)}}} {exemplar.value!r} {timestamp!r}")
"#;

/// Prints, per sample, `name{labels} value` with the parser named by the first argument
/// (`openmetrics` or `text`, the Prometheus text parser): names as read, labels sorted by name,
/// each name and value in JSON quotes, numbers as Python's `repr` writes them.
const SAMPLES_SCRIPT: &str = r#"
import json, sys
if sys.argv[1] == "openmetrics":
    from prometheus_client.openmetrics.parser import text_string_to_metric_families
else:
    from prometheus_client.parser import text_string_to_metric_families
for family in text_string_to_metric_families(sys.stdin.read()):
    for sample in family.samples:
        labels = ",".join(f"{json.dumps(k, ensure_ascii=False)}={json.dumps(v, ensure_ascii=False)}" for k, v in sorted(sample.labels.items()))
        print(f"{json.dumps(sample.name, ensure_ascii=False)}{{{labels}}} {float(sample.value)!r}")
"#;

/// The samples of `text` as the Python client's parser for `format` (`openmetrics` or `text`)
/// reads them (see [`SAMPLES_SCRIPT`]), or `None` when the parser is not installed. Fails the
/// test when the parser rejects `text`.
#[track_caller]
pub fn samples(format: &str, text: &str) -> Option<Vec<String>> {
    run_with(SAMPLES_SCRIPT, &[format], text)
}

/// The families of `text` as the parser reads them (`name type samples` lines), or `None`
/// when the parser is not installed. Fails the test when the parser rejects `text`.
#[track_caller]
pub fn parse(text: &str) -> Option<Vec<String>> {
    run(SCRIPT, text)
}

/// The exemplars of `text` as the parser reads them, one line per sample that has one (see
/// [`EXEMPLARS_SCRIPT`]), or `None` when the parser is not installed. Fails the test when the
/// parser rejects `text`.
#[track_caller]
pub fn exemplars(text: &str) -> Option<Vec<String>> {
    run(EXEMPLARS_SCRIPT, text)
}

#[track_caller]
fn run(script: &str, text: &str) -> Option<Vec<String>> {
    run_with(script, &[], text)
}

#[track_caller]
fn run_with(script: &str, args: &[&str], text: &str) -> Option<Vec<String>> {
    let found = Command::new("python3")
        .args(["-c", "import prometheus_client.openmetrics.parser"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !found {
        assert!(
            std::env::var_os(REQUIRE).is_none(),
            "the OpenMetrics parser is required ({REQUIRE} is set) but python3 cannot import prometheus_client"
        );
        eprintln!(
            "note: OpenMetrics parse skipped: python3 cannot import prometheus_client (pip install prometheus-client)"
        );
        return None;
    }
    let mut child = Command::new("python3")
        .args(["-c", script])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child.stdin.take().expect("piped stdin").write_all(text.as_bytes()).expect("the parser reads the exposition");
    let output = child.wait_with_output().expect("the parser finishes");
    assert!(
        output.status.success(),
        "the OpenMetrics parser rejects the exposition: {}\n----- exposition -----\n{text}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(String::from_utf8_lossy(&output.stdout).lines().map(str::to_owned).collect())
}
