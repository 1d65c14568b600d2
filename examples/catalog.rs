//! Prints the catalog of the Solti runner backend's metrics as a markdown table: the table of
//! the README's "Runner metrics" section (`tests/catalog.rs` keeps the two the same).
//!
//! ```text
//! cargo run --example catalog
//! ```

use solti_metrics::RunnerMetrics;

fn main() {
    print!("{}", solti_metrics::catalog::markdown::<RunnerMetrics>());
}
