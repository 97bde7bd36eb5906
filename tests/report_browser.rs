//! The HTML report drawn by a real browser: headless Chromium loads the demo page from a
//! file, runs its script, and we read back the DOM it built and a screenshot.
//!
//! Needs /usr/bin/chromium (the Debian package `chromium`; `.ci/run` installs it). Without
//! it the test says so and passes: it installs nothing itself.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";

/// A fresh directory for one test's files.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("report_browser-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn chromium_present() -> bool {
    if Path::new(CHROMIUM).exists() {
        return true;
    }
    eprintln!("skipped: chromium not found at {CHROMIUM} (install the Debian package `chromium`)");
    false
}

/// Writes the demo report into `dir`.
fn write_report(dir: &Path) -> PathBuf {
    let out = dir.join("report.html");
    let status = Command::new(env!("CARGO_BIN_EXE_kubectl-netpol"))
        .args(["report", "testdata/demo", "--no-config", "--output-file"])
        .arg(&out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::null())
        .status()
        .expect("the binary runs");
    assert!(status.success());
    out
}

/// Writes into `dir` a dump of bare pods policies cannot tell apart
/// ([`kubectl_netpol::synth::crowd`] with 100 pods a namespace), and its report.
fn write_crowd_report(dir: &Path) -> PathBuf {
    let input = dir.join("crowd.yaml");
    std::fs::write(&input, kubectl_netpol::synth::crowd(100)).unwrap();
    let out = dir.join("crowd.html");
    let status = Command::new(env!("CARGO_BIN_EXE_kubectl-netpol"))
        .args(["report", "--no-config", "--output-file"])
        .arg(&out)
        .arg(&input)
        .stdout(Stdio::null())
        .status()
        .expect("the binary runs");
    assert!(status.success());
    out
}

/// The text of the element with `id` (its tags removed).
fn text_of(dom: &str, id: &str, end_tag: &str) -> String {
    let at = dom
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id}"));
    let part = &dom[at..];
    let part = &part[..part.find(end_tag).unwrap_or(part.len())];
    let mut out = String::new();
    let mut in_tag = true;
    for ch in part.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(ch),
            _ => {}
        }
    }
    out
}

/// What Chromium printed.
struct Output {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

/// Runs headless Chromium on `url` with `extra` flags, in a profile of its own, without any
/// of the background requests it would otherwise make; killed after a minute. Its output goes
/// to files (a pipe nobody reads while waiting would fill up and stall it).
fn chromium(dir: &Path, url: &str, extra: &[&str]) -> Output {
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = RUNS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let profile = dir.join(format!("profile-{n}"));
    let _ = std::fs::remove_dir_all(&profile);
    let (out_path, err_path) = (
        dir.join(format!("stdout-{n}")),
        dir.join(format!("stderr-{n}")),
    );
    let mut child = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1400,1000",
            "--virtual-time-budget=2000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .expect("chromium starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    while child
        .try_wait()
        .expect("chromium can be waited for")
        .is_none()
    {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish within a minute on {url}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Output {
        stdout: std::fs::read(&out_path).unwrap_or_default(),
        stderr: std::fs::read(&err_path).unwrap_or_default(),
    }
}

/// The DOM after the page's script ran.
fn dom(dir: &Path, page: &Path, hash: &str) -> String {
    let url = format!("file://{}{hash}", page.display());
    let out = chromium(dir, &url, &["--dump-dom"]);
    let dom = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        dom.contains("<html"),
        "no DOM from chromium: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The scripts are in the DOM too; what they hold is not what they drew.
    match dom.find("<script") {
        Some(i) => dom[..i].to_string(),
        None => dom,
    }
}

/// The value of `attr` on the element with `id`.
fn attr(dom: &str, id: &str, attr: &str) -> Option<String> {
    let at = dom.find(&format!("id=\"{id}\""))?;
    let tag_start = dom[..at].rfind('<')?;
    let tag = &dom[tag_start..tag_start + dom[tag_start..].find('>')?];
    let key = format!("{attr}=\"");
    let v = tag.find(&key)? + key.len();
    Some(tag[v..v + tag[v..].find('"')?].to_string())
}

#[test]
fn the_browser_draws_the_heat_map_the_explanations_and_the_findings() {
    if !chromium_present() {
        return;
    }
    let dir = scratch("draws");
    let page = write_report(&dir);

    // The whole matrix, with the frontend -> db cell pinned by the address.
    let d = dom(
        &dir,
        &page,
        "#from=shop%2Fdeploy%2Ffrontend&to=shop%2Fsts%2Fdb",
    );
    assert!(
        d.contains("data-rendered=\"ok\""),
        "the script did not finish: {}",
        d.lines()
            .filter(|l| l.contains("failure"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert_eq!(attr(&d, "heatmap", "data-rows").as_deref(), Some("10"));
    assert_eq!(attr(&d, "heatmap", "data-cols").as_deref(), Some("10"));
    assert_eq!(d.matches("class=\"hm-row\"").count(), 10);
    // Grouped by class by default, yet every demo member is its own unit: no note says so.
    assert_eq!(attr(&d, "matrix-note", "hidden").as_deref(), Some(""));
    // Every namespace label fits its columns (wrapped when one line would not): none is cut,
    // as the browser measured it (ingress-nginx has one narrow column).
    assert_eq!(
        d.matches("data-cut=\"false\"").count(),
        5,
        "namespace labels measured"
    );
    assert!(!d.contains("data-cut=\"true\""), "a namespace label is cut");
    assert!(
        d.contains("class=\"wrap\" data-cut=\"false\""),
        "no label needed wrapping"
    );
    assert_eq!(d.matches("<td class=\"cell").count(), 100);
    // Three external ranges: nine blank cells between them.
    assert_eq!(d.matches("<td class=\"cell blank").count(), 9);
    assert_eq!(d.matches(" pinned\"").count(), 1);
    assert_eq!(d.matches("class=\"cell lv0 pinned\"").count(), 1);
    // The summary counts the pairs from the grid.
    assert!(d.contains("37 of 91 pairs allowed"), "summary missing");
    // The pinned cell's explanation: both sides, their policies, file:line.
    assert_eq!(
        attr(&d, "details", "data-from").as_deref(),
        Some("shop/deploy/frontend")
    );
    assert_eq!(
        attr(&d, "details", "data-to").as_deref(),
        Some("shop/sts/db")
    );
    let details = &d[d.find("id=\"details\"").unwrap()..];
    let details = &details[..details.find("</aside>").unwrap()];
    assert!(details.contains("DENIED on every port"), "{details}");
    assert!(details.contains("shop/default-deny"), "{details}");
    assert!(
        details.contains("testdata/demo/policies/shop.yaml:"),
        "{details}"
    );
    assert!(details.contains("kubectl netpol can-reach shop/deploy/frontend shop/sts/db"));
    // The findings table is filled, one row per finding, with counts per severity.
    let findings = d.matches("<tr class=\"finding ").count();
    assert!(findings > 0);
    assert_eq!(
        attr(&d, "finding-table", "data-shown"),
        Some(findings.to_string())
    );
    assert!(d.contains("namespace-without-default-deny"));

    // Filters from the address: sources in shop, allowed cells only.
    let d = dom(&dir, &page, "#fromNs=shop&show=allowed");
    assert!(d.contains("data-rendered=\"ok\""));
    // Every shop member reaches DNS; the columns are those some shop member reaches.
    assert_eq!(attr(&d, "heatmap", "data-rows").as_deref(), Some("4"));
    assert_eq!(attr(&d, "heatmap", "data-cols").as_deref(), Some("5"));
    assert_eq!(d.matches("<td class=\"cell").count(), 20);
    assert_eq!(d.matches("<td class=\"cell lv0").count(), 0);
    // Hiding the external ranges.
    let d = dom(&dir, &page, "#hideExt=1");
    assert_eq!(attr(&d, "heatmap", "data-rows").as_deref(), Some("7"));
    assert_eq!(d.matches("<td class=\"cell blank").count(), 0);
}

#[test]
fn the_browser_takes_a_screenshot_of_the_page() {
    if !chromium_present() {
        return;
    }
    let dir = scratch("screenshot");
    let page = write_report(&dir);
    let shot = dir.join("report.png");
    let url = format!(
        "file://{}#from=monitoring%2Fdeploy%2Fprometheus&to=shop%2Fdeploy%2Fapi",
        page.display()
    );
    let out = chromium(&dir, &url, &[&format!("--screenshot={}", shot.display())]);
    let png = std::fs::read(&shot).unwrap_or_else(|e| {
        panic!(
            "no screenshot ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    // 1400x1000 in the IHDR chunk.
    assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), 1400);
    assert_eq!(u32::from_be_bytes(png[20..24].try_into().unwrap()), 1000);
    // A blank or nearly blank page compresses to a few kilobytes; the report is far richer.
    assert!(
        png.len() > 40_000,
        "suspiciously small screenshot: {} bytes",
        png.len()
    );
    eprintln!("screenshot: {}", shot.display());
}

#[test]
fn the_browser_draws_one_row_and_column_per_unit_of_alike_members() {
    if !chromium_present() {
        return;
    }
    let dir = scratch("units");
    let page = write_crowd_report(&dir);

    // By default, grouped by class: a's web pods, b's and c's (several namespaces), the two
    // pods apart and the external range. A pinned member selects its unit's cell.
    let d = dom(&dir, &page, "#from=b%2Fweb-17&to=a%2Fdb");
    assert!(
        d.contains("data-rendered=\"ok\""),
        "the script did not finish"
    );
    assert_eq!(attr(&d, "heatmap", "data-rows").as_deref(), Some("5"));
    assert_eq!(attr(&d, "heatmap", "data-cols").as_deref(), Some("5"));
    assert_eq!(d.matches("class=\"hm-row\"").count(), 5);
    assert_eq!(d.matches("<td class=\"cell").count(), 25);
    assert!(
        d.contains(">a/db<"),
        "a unit of one member is named as the member"
    );
    assert!(
        d.contains(">app=web (100 pods)<"),
        "a unit's label: its name and count"
    );
    assert!(d.contains(">200 pods in 2 namespaces, like b/web-0<"));
    let headers: Vec<&str> = d
        .split("<th class=\"ns-col\"")
        .skip(1)
        .map(|h| {
            let t = &h[h.find("title=\"").unwrap() + 7..];
            &t[..t.find('"').unwrap()]
        })
        .collect();
    assert_eq!(
        headers,
        ["a", "b", "several namespaces", "outside the cluster"]
    );
    assert!(
        text_of(&d, "matrix-note", "</p>").contains("5 rows and columns stand for 303 members")
    );
    // The whole dump's pairs are counted, not the units'.
    assert!(d.contains("91605 of 91808 pairs allowed"), "summary");
    assert_eq!(d.matches(" pinned\"").count(), 1);
    assert_eq!(
        attr(&d, "details", "data-from").as_deref(),
        Some("200 pods in 2 namespaces, like b/web-0")
    );
    assert_eq!(attr(&d, "details", "data-to").as_deref(), Some("a/db"));
    let details = text_of(&d, "details", "</aside>");
    assert!(
        details.contains("This cell stands for 200 sources × 1 destination"),
        "{details}"
    );
    assert!(details.contains("shown for b/web-17 → a/db"), "{details}");
    assert!(details.contains("DENIED on every port"), "{details}");
    // The explanation embedded for the class pair, on its representative.
    assert!(details.contains("Explained on b/web-0 → a/db"), "{details}");
    assert!(details.contains("no peer matches b/web-0"), "{details}");
    assert!(
        details.contains("kubectl netpol can-reach b/web-17 a/db"),
        "{details}"
    );

    // Grouped by workload: c's app=shop pods apart from b's app=web ones.
    let d = dom(&dir, &page, "#groupBy=workload&from=c%2Fweb-3&to=a%2Fdb");
    assert_eq!(attr(&d, "heatmap", "data-rows").as_deref(), Some("6"));
    assert!(d.contains(">app=shop (100 pods)<"));
    assert_eq!(
        attr(&d, "details", "data-from").as_deref(),
        Some("c/app=shop (100 pods)")
    );
    assert_eq!(
        attr(&d, "group-by", "aria-label").as_deref(),
        Some("Group members by")
    );

    // Every pod its own row: 303 members, the first 200 drawn.
    let d = dom(&dir, &page, "#groupBy=pod&from=b%2Fweb-17&to=a%2Fdb");
    assert_eq!(attr(&d, "heatmap", "data-all-rows").as_deref(), Some("303"));
    assert_eq!(attr(&d, "heatmap", "data-rows").as_deref(), Some("200"));
    assert_eq!(
        attr(&d, "details", "data-from").as_deref(),
        Some("b/web-17")
    );
    assert!(!text_of(&d, "details", "</aside>").contains("This cell stands for"));
    assert!(!text_of(&d, "matrix-note", "</p>").contains("stand for"));
    // The namespace filter keeps a unit with a member there.
    let d = dom(&dir, &page, "#fromNs=c&toNs=a");
    assert_eq!(attr(&d, "heatmap", "data-rows").as_deref(), Some("1"));
    assert_eq!(attr(&d, "heatmap", "data-cols").as_deref(), Some("2"));
}
