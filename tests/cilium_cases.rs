//! Cilium policy cases with known answers, translated from upstream Cilium: the manifests and
//! expectations of `cilium connectivity test` (cilium/cilium `cilium-cli/connectivity/`), the
//! policy examples (`examples/policies/`) and the policy documentation
//! (`Documentation/security/policy/`).
//!
//! Each directory of `testdata/cilium-cases/` is one case: `manifests.yaml` (a whole small
//! cluster: Nodes, Namespaces, Pods, Services, then the policies) and `expect.txt`, one probe a
//! line:
//!
//! ```text
//! FROM TO PORT/PROTO allow|deny   # a comment
//! ```
//!
//! FROM and TO are `namespace/pod`, an IP address outside the cluster (or a node's), or a DNS
//! name for `toFQDNs`; PORT is what `--port` takes (`8080/TCP`, `53/UDP`, a port name). `#`
//! starts a comment; each case says where it comes from (`Source:`) and why each answer is
//! what it is. A probe marked `# KNOWN-DIFF: reason` is one where the simulator disagrees with
//! upstream: it is run, but its answer is reported, not checked.
//!
//! Every probe is `kubectl-netpol can-reach FROM TO -f manifests.yaml --port PORT --cni cilium
//! -o json`: exit 0 allowed, 1 denied, and `allowed` saying the same. A case whose manifests
//! hold something Cilium refuses says `# EXPECT-INPUT-ERRORS`: there exit 2 (the input error
//! reported, the refused object left out) is expected, and `allowed` is the answer. All
//! mismatches are reported at once.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

const BIN: &str = env!("CARGO_BIN_EXE_kubectl-netpol");

#[derive(Debug)]
struct Probe {
    line: usize,
    from: String,
    to: String,
    port: String,
    allow: bool,
    known_diff: Option<String>,
}

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/cilium-cases")
}

/// The probes of an expect.txt, and the lines that are not probes.
fn parse(text: &str) -> (Vec<Probe>, Vec<String>) {
    let mut probes = Vec::new();
    let mut errors = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let (body, comment) = match raw.find('#') {
            Some(at) => (&raw[..at], Some(&raw[at + 1..])),
            None => (raw, None),
        };
        let words: Vec<&str> = body.split_whitespace().collect();
        if words.is_empty() {
            continue;
        }
        let known_diff = comment.and_then(|c| {
            c.find("KNOWN-DIFF:")
                .map(|at| c[at + "KNOWN-DIFF:".len()..].trim().to_string())
        });
        match words.as_slice() {
            [from, to, port, verdict] if *verdict == "allow" || *verdict == "deny" => {
                probes.push(Probe {
                    line,
                    from: from.to_string(),
                    to: to.to_string(),
                    port: port.to_string(),
                    allow: *verdict == "allow",
                    known_diff,
                })
            }
            _ => errors.push(format!(
                "line {line}: expected `FROM TO PORT/PROTO allow|deny`, got `{}`",
                raw.trim()
            )),
        }
    }
    (probes, errors)
}

/// "allow", "deny", or what went wrong. The verdict is the `allowed` of `-o json`; the exit
/// status must agree with it (0 allowed, 1 denied), or be 2 (input errors, reported on standard
/// error, the answer still given) where the case says `# EXPECT-INPUT-ERRORS`.
fn can_reach(manifests: &Path, p: &Probe, input_errors_expected: bool) -> String {
    let out = Command::new(BIN)
        .args(["can-reach", &p.from, &p.to, "-f"])
        .arg(manifests)
        .args(["--port", &p.port, "--cni", "cilium", "-o", "json"])
        .env("NO_COLOR", "1")
        .output()
        .expect("run kubectl-netpol");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let allowed = serde_json::from_slice::<serde_json::Value>(&out.stdout)
        .ok()
        .and_then(|v| v["allowed"].as_bool());
    match (out.status.code(), allowed) {
        (Some(0), Some(true)) => "allow".to_string(),
        (Some(1), Some(false)) => "deny".to_string(),
        (Some(2), Some(a)) if input_errors_expected => if a { "allow" } else { "deny" }.to_string(),
        (code, allowed) => format!(
            "an error (exit {code:?}, allowed {allowed:?}: {})",
            stderr.trim()
        ),
    }
}

struct Outcome {
    cases: usize,
    probes: usize,
    mismatches: Vec<String>,
    known_diffs: Vec<String>,
}

fn run_case(dir: &Path, out: &Mutex<Outcome>) {
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    let manifests = dir.join("manifests.yaml");
    let mut mismatches = Vec::new();
    let mut known_diffs = Vec::new();
    let mut count = 0;
    let expect = fs::read_to_string(dir.join("expect.txt"));
    match (&expect, manifests.is_file()) {
        (Err(e), _) => mismatches.push(format!("{name}: cannot read expect.txt: {e}")),
        (Ok(_), false) => mismatches.push(format!("{name}: no manifests.yaml")),
        (Ok(text), true) => {
            let input_errors_expected = text.contains("# EXPECT-INPUT-ERRORS");
            if !text.contains("Source:") {
                mismatches.push(format!("{name}: expect.txt cites no `Source:`"));
            }
            let (probes, errors) = parse(text);
            mismatches.extend(errors.iter().map(|e| format!("{name}: {e}")));
            if probes.is_empty() {
                mismatches.push(format!("{name}: expect.txt has no probe"));
            }
            for p in &probes {
                count += 1;
                let expected = if p.allow { "allow" } else { "deny" };
                let got = can_reach(&manifests, p, input_errors_expected);
                let what = format!(
                    "{name}: {} {} {} expected {expected} got {got}",
                    p.from, p.to, p.port
                );
                match &p.known_diff {
                    Some(reason) => known_diffs.push(format!(
                        "{what}{} (expect.txt:{}, KNOWN-DIFF: {reason})",
                        if got == expected {
                            ": agrees now, the mark can go"
                        } else {
                            ""
                        },
                        p.line
                    )),
                    None if got != expected => {
                        mismatches.push(format!("{what} (expect.txt:{})", p.line))
                    }
                    None => {}
                }
            }
        }
    }
    let mut out = out.lock().unwrap();
    out.cases += 1;
    out.probes += count;
    out.mismatches.extend(mismatches);
    out.known_diffs.extend(known_diffs);
}

#[test]
fn cilium_cases_agree_with_upstream() {
    let mut dirs: Vec<PathBuf> = fs::read_dir(cases_dir())
        .expect("testdata/cilium-cases")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(
        dirs.len() >= 30,
        "expected at least 30 cases, found {}",
        dirs.len()
    );
    let outcome = Mutex::new(Outcome {
        cases: 0,
        probes: 0,
        mismatches: Vec::new(),
        known_diffs: Vec::new(),
    });
    let next = Mutex::new(dirs.iter());
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().min(8));
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let dir = next.lock().unwrap().next();
                    match dir {
                        Some(dir) => run_case(dir, &outcome),
                        None => break,
                    }
                }
            });
        }
    });
    let mut o = outcome.into_inner().unwrap();
    o.mismatches.sort();
    o.known_diffs.sort();
    eprintln!(
        "{} Cilium cases, {} probes, {} known differences",
        o.cases,
        o.probes,
        o.known_diffs.len()
    );
    for d in &o.known_diffs {
        eprintln!("  known difference, not checked: {d}");
    }
    assert!(
        o.mismatches.is_empty(),
        "{} problems in {} probes:\n{}",
        o.mismatches.len(),
        o.probes,
        o.mismatches.join("\n")
    );
}

#[test]
fn expect_lines_parse() {
    let text = "# Source: x\n\
                a/b 1.1.1.1 80/TCP allow # why\n\
                \n\
                a/b c/d 53/UDP deny # upstream says so # KNOWN-DIFF: because\n";
    let (probes, errors) = parse(text);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(probes.len(), 2);
    assert_eq!(probes[0].line, 2);
    assert!(probes[0].allow && probes[0].known_diff.is_none());
    assert_eq!(probes[1].port, "53/UDP");
    assert!(!probes[1].allow);
    assert_eq!(probes[1].known_diff.as_deref(), Some("because"));
    assert_eq!(parse("a/b c/d 80 maybe\n").1.len(), 1);
    assert_eq!(parse("a/b c/d allow\n").1.len(), 1);
}
