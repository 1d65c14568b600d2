//! The process' own metrics (feature `process`, Linux): CPU time, memory, file descriptors,
//! start time and network bytes, read from `/proc` at each exposition, under the names and
//! meanings of the Go client's process collector, so dashboards made for it work unchanged.
//!
//! ```
//! use solti_metrics::{Format, MetricsSet, Registry, process::ProcessMetrics};
//!
//! let registry = Registry::new();
//! ProcessMetrics::register(&registry)?;
//! let mut body = Vec::new();
//! registry.encode(&mut body, Format::Prometheus)?;
//! let text = String::from_utf8(body).unwrap();
//! assert!(text.contains("# TYPE process_cpu_seconds_total counter\n"));
//! assert!(text.contains("# TYPE process_resident_memory_bytes gauge\n"));
//! # Ok::<(), solti_metrics::Error>(())
//! ```
//!
//! Each metric reads what it needs when it is written: `/proc/self/stat` (CPU time, virtual
//! memory), `/proc/self/status` (resident memory), `/proc/self/fd`, `/proc/self/limits`,
//! `/proc/self/net/netstat`, and once `/proc/stat` (boot time, for the start time). A value
//! that cannot be read (a `/proc` mounted without it) keeps the last one read, `0` before any;
//! the exposition never fails for it.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::{Counter, Gauge, IntCounter, IntGauge, MetricsSet};

/// The process' own metrics, as the Go client's process collector exports them.
///
/// Register one per registry that should show them, like any set; the values are read from
/// `/proc` at each exposition. CPU times are counted in the kernel's clock ticks, 100 a second
/// on Linux (the Go client's `procfs` assumes the same).
#[derive(MetricsSet)]
#[metrics(crate = crate)]
pub struct ProcessMetrics {
    /// Total user and system CPU time spent in seconds.
    #[metric(collect = cpu_seconds)]
    pub process_cpu_seconds_total: Counter,
    /// Number of open file descriptors.
    #[metric(collect = open_fds)]
    pub process_open_fds: IntGauge,
    /// Maximum number of open file descriptors.
    #[metric(collect = max_fds)]
    pub process_max_fds: Gauge,
    /// Virtual memory size in bytes.
    #[metric(collect = virtual_memory)]
    pub process_virtual_memory_bytes: IntGauge,
    /// Maximum amount of virtual memory available in bytes.
    #[metric(collect = virtual_memory_max)]
    pub process_virtual_memory_max_bytes: Gauge,
    /// Resident memory size in bytes.
    #[metric(collect = resident_memory)]
    pub process_resident_memory_bytes: IntGauge,
    /// Start time of the process since unix epoch in seconds.
    #[metric(collect = start_time)]
    pub process_start_time_seconds: Gauge,
    /// Number of bytes received by the process over the network.
    #[metric(collect = network_received)]
    pub process_network_receive_bytes_total: IntCounter,
    /// Number of bytes sent by the process over the network.
    #[metric(collect = network_sent)]
    pub process_network_transmit_bytes_total: IntCounter,
}

/// Clock ticks per second of the times in `/proc/<pid>/stat` (`USER_HZ`): 100 on every Linux
/// architecture's user-space ABI.
const TICKS_PER_SECOND: f64 = 100.0;

/// The last value each metric read, as `f64` bits: what it shows when `/proc` fails it.
struct Last(AtomicU64);

impl Last {
    const fn new() -> Self {
        Self(AtomicU64::new(0))
    }

    /// `read`, remembered; the last value remembered when `read` is `None`.
    fn or_keep(&self, read: Option<f64>) -> f64 {
        match read {
            // Relaxed (both): one value, read and written whole, published with nothing.
            Some(value) => {
                self.0.store(value.to_bits(), Ordering::Relaxed);
                value
            }
            None => f64::from_bits(self.0.load(Ordering::Relaxed)),
        }
    }
}

fn read(path: &str) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

fn cpu_seconds() -> f64 {
    static LAST: Last = Last::new();
    LAST.or_keep(read("/proc/self/stat").and_then(|text| Stat::parse(&text)).map(|stat| stat.cpu_seconds()))
}

fn open_fds() -> i64 {
    static LAST: Last = Last::new();
    let count = std::fs::read_dir("/proc/self/fd").ok().map(|entries| entries.count() as f64);
    LAST.or_keep(count) as i64
}

fn max_fds() -> f64 {
    static LAST: Last = Last::new();
    LAST.or_keep(read("/proc/self/limits").and_then(|text| soft_limit(&text, "Max open files")))
}

fn virtual_memory() -> i64 {
    static LAST: Last = Last::new();
    LAST.or_keep(read("/proc/self/stat").and_then(|text| Stat::parse(&text)).map(|stat| stat.virtual_bytes as f64))
        as i64
}

fn virtual_memory_max() -> f64 {
    static LAST: Last = Last::new();
    LAST.or_keep(read("/proc/self/limits").and_then(|text| soft_limit(&text, "Max address space")))
}

fn resident_memory() -> i64 {
    static LAST: Last = Last::new();
    LAST.or_keep(read("/proc/self/status").and_then(|text| resident_bytes(&text))) as i64
}

fn start_time() -> f64 {
    // Neither the boot time nor the process' start moves: read once.
    static START: OnceLock<Option<f64>> = OnceLock::new();
    let start = START.get_or_init(|| {
        let boot = read("/proc/stat").and_then(|text| boot_time(&text))?;
        let stat = read("/proc/self/stat").and_then(|text| Stat::parse(&text))?;
        Some(boot as f64 + stat.start_ticks as f64 / TICKS_PER_SECOND)
    });
    start.unwrap_or(0.0)
}

fn network_received() -> u64 {
    static LAST: Last = Last::new();
    LAST.or_keep(read("/proc/self/net/netstat").and_then(|text| ip_octets(&text, "InOctets"))) as u64
}

fn network_sent() -> u64 {
    static LAST: Last = Last::new();
    LAST.or_keep(read("/proc/self/net/netstat").and_then(|text| ip_octets(&text, "OutOctets"))) as u64
}

/// The fields of `/proc/<pid>/stat` the metrics use.
#[derive(Debug, PartialEq)]
struct Stat {
    user_ticks: u64,
    system_ticks: u64,
    /// Since boot.
    start_ticks: u64,
    virtual_bytes: u64,
}

impl Stat {
    /// Parses `/proc/<pid>/stat`. The command name (field 2) is in parentheses and may hold
    /// spaces and parentheses itself, so the fields are counted from the last `)`.
    fn parse(text: &str) -> Option<Self> {
        let after_name = &text[text.rfind(')')? + 1..];
        // Field 3 (the state) is the first after the name; `proc(5)` numbers from 1.
        let mut fields = after_name.split_whitespace();
        let mut field = |number: usize| -> Option<u64> { fields.nth(number)?.parse().ok() };
        let user_ticks = field(14 - 3)?;
        let system_ticks = field(0)?;
        let start_ticks = field(22 - 16)?;
        let virtual_bytes = field(0)?;
        Some(Self { user_ticks, system_ticks, start_ticks, virtual_bytes })
    }

    fn cpu_seconds(&self) -> f64 {
        (self.user_ticks + self.system_ticks) as f64 / TICKS_PER_SECOND
    }
}

/// `VmRSS` of `/proc/<pid>/status`, in bytes (it is written in kB).
fn resident_bytes(status: &str) -> Option<f64> {
    let line = status.lines().find_map(|line| line.strip_prefix("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().next()?.parse().ok()?;
    Some((kib * 1024) as f64)
}

/// The soft limit named `name` in `/proc/<pid>/limits`; `unlimited` is `u64::MAX`, as the Go
/// client reports it.
fn soft_limit(limits: &str, name: &str) -> Option<f64> {
    let soft = limits.lines().find_map(|line| line.strip_prefix(name))?.split_whitespace().next()?;
    match soft {
        "unlimited" => Some(u64::MAX as f64),
        number => number.parse::<u64>().ok().map(|limit| limit as f64),
    }
}

/// `btime` of `/proc/stat`: when the system booted, in seconds since the epoch.
fn boot_time(stat: &str) -> Option<u64> {
    stat.lines().find_map(|line| line.strip_prefix("btime "))?.trim().parse().ok()
}

/// The `IpExt` counter `name` of `/proc/<pid>/net/netstat`: a line of names, then a line of
/// values, both starting with `IpExt:`.
fn ip_octets(netstat: &str, name: &str) -> Option<f64> {
    let mut lines = netstat.lines().filter_map(|line| line.strip_prefix("IpExt:"));
    let (names, values) = (lines.next()?, lines.next()?);
    let position = names.split_whitespace().position(|field| field == name)?;
    values.split_whitespace().nth(position)?.parse::<u64>().ok().map(|octets| octets as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_are_counted_from_the_last_parenthesis() {
        let line = "4242 (a (b) c) S 1 4242 4242 0 -1 4194560 2500 0 0 0 175 25 0 0 20 0 3 0 123456 104857600 2560 \
                    18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 17 1 0 0 0 0 0";
        let stat = Stat::parse(line).unwrap();
        assert_eq!(stat, Stat { user_ticks: 175, system_ticks: 25, start_ticks: 123_456, virtual_bytes: 104_857_600 });
        assert_eq!(stat.cpu_seconds(), 2.0);
        assert_eq!(Stat::parse("4242 (name"), None, "no closing parenthesis");
        assert_eq!(Stat::parse("4242 (name) S 1 2"), None, "too few fields");
    }

    #[test]
    fn limits_status_boot_time_and_netstat_are_read_by_name() {
        let limits = "Limit                     Soft Limit           Hard Limit           Units     \n\
                      Max open files            1024                 524288               files     \n\
                      Max address space         unlimited            unlimited            bytes     \n";
        assert_eq!(soft_limit(limits, "Max open files"), Some(1024.0));
        assert_eq!(soft_limit(limits, "Max address space"), Some(18_446_744_073_709_551_615.0));
        assert_eq!(soft_limit(limits, "Max locked memory"), None);

        assert_eq!(resident_bytes("Name:\tx\nVmRSS:\t    2048 kB\nThreads:\t1\n"), Some(2_097_152.0));
        assert_eq!(resident_bytes("Name:\tx\n"), None);

        assert_eq!(boot_time("cpu  1 2 3\nbtime 1700000000\nprocesses 9\n"), Some(1_700_000_000));

        let netstat = "TcpExt: SyncookiesSent\nTcpExt: 0\nIpExt: InNoRoutes InOctets OutOctets\nIpExt: 0 5000 7000\n";
        assert_eq!(ip_octets(netstat, "InOctets"), Some(5000.0));
        assert_eq!(ip_octets(netstat, "OutOctets"), Some(7000.0));
        assert_eq!(ip_octets("TcpExt: A\nTcpExt: 1\n", "InOctets"), None);
    }

    #[test]
    fn a_value_that_cannot_be_read_keeps_the_last_one() {
        let last = Last::new();
        assert_eq!(last.or_keep(None), 0.0);
        assert_eq!(last.or_keep(Some(12.5)), 12.5);
        assert_eq!(last.or_keep(None), 12.5);
    }

    /// Against this process: the values are the ones `/proc` gives, and move with it.
    #[test]
    fn this_process_is_measured() {
        let registry = crate::Registry::new();
        let process = ProcessMetrics::register(&registry).unwrap();
        let mut body = Vec::new();
        registry.encode(&mut body, crate::Format::Prometheus).unwrap();
        let text = String::from_utf8(body).unwrap();
        for name in ProcessMetrics::METRICS.iter().map(|metric| metric.name) {
            assert!(text.contains(&format!("\n{name} ")), "{name} in\n{text}");
        }

        // Other tests of this binary open and close files on their own threads meanwhile: the
        // exported count is compared with one taken just before and just after, once they agree.
        let open_now = || std::fs::read_dir("/proc/self/fd").unwrap().count() as i64;
        let measured = || {
            (0..1000).find_map(|_| {
                let before = open_now();
                registry.encode(&mut Vec::new(), crate::Format::Prometheus).unwrap();
                let exported = process.process_open_fds.get();
                (open_now() == before).then_some((exported, before))
            })
        };
        let (exported, actual) = measured().expect("a moment without files opened or closed");
        assert_eq!(exported, actual);
        let files: Vec<std::fs::File> = (0..5).map(|_| std::fs::File::open("/proc/self/stat").unwrap()).collect();
        let (with_files, actual) = measured().expect("a moment without files opened or closed");
        assert_eq!(with_files, actual, "the 5 files opened counted");
        drop(files);
        let before = exported;

        assert!(process.process_resident_memory_bytes.get() > 0);
        assert!(process.process_virtual_memory_bytes.get() >= process.process_resident_memory_bytes.get());
        assert!(process.process_max_fds.get() >= before as f64);
        assert!(process.process_virtual_memory_max_bytes.get() > 0.0);
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs_f64();
        let start = process.process_start_time_seconds.get();
        assert!(start <= now + 1.0 && start > now - 3600.0, "started at {start}, now {now}");

        // Burn some CPU time and see it counted (at the clock's 10 ms grain).
        let cpu = process.process_cpu_seconds_total.get();
        let spin = std::time::Instant::now();
        let mut x = 0u64;
        while spin.elapsed() < std::time::Duration::from_millis(100) {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(std::hint::black_box(1));
        }
        std::hint::black_box(x);
        registry.encode(&mut Vec::new(), crate::Format::Prometheus).unwrap();
        assert!(process.process_cpu_seconds_total.get() > cpu, "{cpu} -> {}", process.process_cpu_seconds_total.get());
    }
}
