//! Sets declared as `static`s: registered in the default registry on first use, from any
//! thread, once; a set whose names are taken still records, unexported, and says why.

use solti_metrics::{Error, Format, Global, IntCounter, IntCounterVec, MetricsSet, default_registry};

#[derive(MetricsSet)]
#[metrics(namespace = "global")]
struct Jobs {
    /// Jobs run.
    #[metric(labels(queue))]
    runs_total: IntCounterVec,
}

/// Exports `global_runs_total` too.
#[derive(MetricsSet)]
#[metrics(namespace = "global")]
struct Clashing {
    /// Runs.
    runs_total: IntCounter,
}

static JOBS: Global<Jobs> = Global::new();
static CLASHING: Global<Clashing> = Global::new();

mod elsewhere {
    pub fn record() {
        super::JOBS.runs_total("mail").inc();
    }
}

fn exposition() -> String {
    let mut body = Vec::new();
    default_registry().encode(&mut body, Format::Prometheus).unwrap();
    String::from_utf8(body).unwrap()
}

#[test]
fn statics_register_once_on_first_use_and_clashes_are_reported() {
    std::thread::scope(|scope| {
        for _ in 0..8 {
            scope.spawn(|| {
                for _ in 0..1000 {
                    elsewhere::record();
                }
            });
        }
    });
    assert!(JOBS.registration_error().is_none());
    assert!(exposition().contains("global_runs_total{queue=\"mail\"} 8000\n"), "{}", exposition());

    // Its name is taken: it records into its own series, which are not exported.
    CLASHING.runs_total().inc();
    assert_eq!(CLASHING.runs_total().get(), 1);
    assert!(matches!(CLASHING.registration_error(), Some(Error::AlreadyRegistered { .. })));
    assert!(!exposition().contains("global_runs_total 1"), "{}", exposition());
}
