//! `#[metrics(crate = ..)]` and `#[label(crate = ..)]` (on a `LabelValue` enum and on a
//! `LabelSet` struct) for a crate that re-exports solti-metrics under another path.

mod telemetry {
    pub use ::solti_metrics as metrics;
}

use telemetry::metrics;

#[derive(Clone, Copy, metrics::LabelValue)]
#[label(crate = telemetry::metrics)]
enum Side {
    Buy,
    Sell,
}

#[derive(metrics::LabelSet)]
#[label(crate = telemetry::metrics)]
struct Trade {
    side: Side,
    venue: &'static str,
}

#[derive(metrics::MetricsSet)]
#[metrics(crate = telemetry::metrics, namespace = "exchange")]
struct Orders {
    /// Orders placed.
    #[metric(labels(side: Side))]
    orders_total: metrics::IntCounterVec,

    /// Trades made.
    #[metric(labels = Trade)]
    trades_total: metrics::IntCounterVec,
}

pub fn main() {
    use metrics::MetricsSet as _;
    let registry = metrics::prometheus::Registry::new();
    let orders = Orders::register(&registry).unwrap();
    orders.orders_total(Side::Sell).inc_by(3);
    orders.orders_total(Side::Buy).inc();
    assert_eq!(orders.orders_total(Side::Sell).get(), 3);
    assert_eq!(Orders::METRICS[0].name, "exchange_orders_total");
    orders.trades_total(Trade { side: Side::Buy, venue: "lse" }).inc();
    assert_eq!(Orders::METRICS[1].labels, ["side", "venue"]);
}
