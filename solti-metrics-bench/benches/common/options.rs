//! The command line of the timed benchmarks (`hot_path`, `scrape`), included with `#[path]`.

pub struct Options {
    pub rounds: usize,
    pub target_ms: f64,
    pub case: Option<String>,
    pub side: Option<String>,
    pub iters: u64,
    pub list: bool,
}

/// The options given, over `defaults`: `--rounds N`, `--target-ms MS`, `--case NAME`,
/// `--side SIDE`, `--iters N`, `--list`.
pub fn options(defaults: Options) -> Options {
    let mut options = defaults;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--rounds" => options.rounds = args.next().and_then(|v| v.parse().ok()).unwrap_or(options.rounds),
            "--target-ms" => options.target_ms = args.next().and_then(|v| v.parse().ok()).unwrap_or(options.target_ms),
            "--case" => options.case = args.next(),
            "--side" => options.side = args.next(),
            "--iters" => options.iters = args.next().and_then(|v| v.parse().ok()).unwrap_or(options.iters),
            "--list" => options.list = true,
            // `cargo bench` passes `--bench`; anything else is ignored too.
            _ => {}
        }
    }
    options
}
