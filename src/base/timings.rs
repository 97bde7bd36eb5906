//! Phase timings for performance work: with `KUBECTL_NETPOL_TIMINGS` set in the
//! environment, [`phase`] prints the seconds since the first call, the resident memory
//! (where /proc tells it) and the phase that just ended to standard error. Unset (the
//! normal case) it costs one cached check.

use std::sync::OnceLock;
use std::time::Instant;

/// The start of timing, or None when timings are off.
fn start() -> Option<Instant> {
    static START: OnceLock<Option<Instant>> = OnceLock::new();
    *START.get_or_init(|| std::env::var_os("KUBECTL_NETPOL_TIMINGS").map(|_| Instant::now()))
}

/// Marks the end of phase `name`.
pub fn phase(name: &str) {
    if let Some(t) = start() {
        // statm's second field: resident pages (4 KiB).
        let rss = std::fs::read_to_string("/proc/self/statm")
            .ok()
            .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
            .map_or(String::new(), |pages| {
                format!("{:>6} MB", (pages * 4096) >> 20)
            });
        eprintln!("timing: {:>8.3} s {rss}  {name}", t.elapsed().as_secs_f64());
    }
}
