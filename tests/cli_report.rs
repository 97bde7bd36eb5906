//! End to end: `kubectl-netpol report` on the demo shop writes one self-contained HTML page
//! whose embedded data parses and matches the matrix. (`report_browser.rs` draws it in a real
//! browser.)

use std::path::PathBuf;

mod support;
use support::{Run, netpol, root};

fn run_with_stdin(args: &[&str], stdin: Option<&str>) -> Run {
    netpol(root(), args, &[] as &[(&str, &str)], stdin)
}

/// A fresh directory for one test's files.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("cli_report-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The JSON document embedded in the page.
fn embedded(html: &str) -> serde_json::Value {
    let open = r#"<script type="application/json" id="netpol-data">"#;
    let start = html.find(open).expect("the data element") + open.len();
    let end = start
        + html[start..]
            .find("</script>")
            .expect("the data element closes");
    serde_json::from_str(&html[start..end]).expect("the embedded data is JSON")
}

/// The demo page, written to a file.
fn demo_page(name: &str, extra: &[&str]) -> (String, Run) {
    let out = scratch(name).join("report.html");
    let out_s = out.to_str().unwrap();
    let r = run_with_stdin(
        &[&["report", "testdata/demo", "--output-file", out_s], extra].concat(),
        None,
    );
    let html = std::fs::read_to_string(&out).unwrap_or_default();
    (html, r)
}

#[test]
fn writes_the_page_and_says_where() {
    let (html, r) = demo_page("writes", &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stderr, "");
    assert!(r.stdout.starts_with("wrote ") && r.stdout.ends_with("report.html\n"));
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
}

#[test]
fn a_matrix_too_large_for_a_page_is_refused_before_it_is_computed() {
    // The page decodes the class grid into classes² cells; past --max-classes no browser
    // would open it, so nothing is written and the user is told what to do instead.
    let (html, r) = demo_page("too-large", &["--max-classes", "3"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(html.is_empty(), "no page is written");
    assert!(
        r.stderr
            .contains("more than one page can draw (--max-classes 3)")
            && r.stderr.contains("`matrix -o json`"),
        "{}",
        r.stderr
    );
    let (_, r) = demo_page("large-enough", &["--max-classes", "1000"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn the_page_is_self_contained() {
    let (html, r) = demo_page("self_contained", &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for needle in [
        "http://",
        "https://",
        "//cdn",
        " src=",
        " href=",
        "url(",
        "@import",
        "@font-face",
    ] {
        assert!(!html.contains(needle), "the page refers to {needle}");
    }
    // Inline style and script only; the policy forbids every fetch anyway.
    assert!(html.contains("<style>") && html.contains("<script>"));
    assert!(html.contains("default-src 'none'"));
    // Two script elements (the data and the code), each closed once.
    assert_eq!(html.matches("</script").count(), 2);
}

#[test]
fn the_embedded_data_parses_and_matches_the_matrix() {
    let (html, r) = demo_page("data", &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let d = embedded(&html);
    assert_eq!(d["version"], 2);
    let members = d["members"].as_array().unwrap();
    assert_eq!(members.len(), 10);
    assert_eq!(members[0]["id"], "ingress-nginx/deploy/controller");
    assert_eq!(members[7]["ext"], true);
    assert_eq!(d["summary"]["endpoints"], 7);
    // Every demo member is its own unit, grouped by class or workload: the page draws it as
    // it always did.
    for by in ["class", "workload"] {
        let units = d["groups"][by]["units"].as_array().unwrap();
        assert_eq!(units.len(), 10, "{by}");
        assert!(units.iter().all(|u| u["n"] == 1), "{by}");
        assert_eq!(units[0]["id"], "ingress-nginx/deploy/controller");
        assert_eq!(units[0]["ns"], "ingress-nginx");
        let of: Vec<u64> = d["groups"][by]["of"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u.as_u64().unwrap())
            .collect();
        assert_eq!(of, (0..10).collect::<Vec<u64>>(), "{by}");
    }
    // The class grid, run-length encoded, holds every class pair.
    let classes = d["summary"]["classes"].as_u64().unwrap();
    let runs: u64 = d["grid"]
        .as_array()
        .unwrap()
        .chunks(2)
        .map(|c| c[1].as_u64().unwrap())
        .sum();
    assert_eq!(runs, classes * classes);
    // Every non-blank pair of the demo is explained, one by one.
    assert_eq!(d["explain"]["mode"], "pair");
    assert_eq!(d["explain"]["embedded"], 91);
    let cells = d["cells"].as_object().unwrap();
    assert_eq!(cells.len(), 91);
    // frontend (member 5) -> api (member 3): allowed on TCP 8080 by the api policy.
    let cell = &cells["5,3"];
    let ports = &d["ports"][cell["ports"].as_u64().unwrap() as usize];
    assert_eq!(ports["text"], "TCP 8080");
    assert_eq!(ports["level"], 1);
    let ingress = &d["sides"][cell["i"].as_u64().unwrap() as usize];
    assert_eq!(ingress["dir"], "ingress");
    // What can-reach prints, line by line: isolated by default-deny and api, then the rules
    // that allow.
    let items = ingress["items"].as_array().unwrap();
    assert_eq!(items[0]["t"], "iso");
    assert_eq!(items[0]["text"], "isolated for Ingress by ");
    let rule = items.iter().find(|i| i["t"] == "rule").unwrap();
    assert_eq!(rule["mark"], "ok");
    assert_eq!(
        d["policies"][rule["p"].as_u64().unwrap() as usize]["id"],
        "shop/api"
    );
    assert!(
        rule["loc"]
            .as_str()
            .unwrap()
            .starts_with("testdata/demo/policies/shop.yaml:")
    );
    // The findings of check, with their place.
    let findings = d["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    for f in findings {
        assert!(f["code"].as_str().unwrap().starts_with("NP"));
        assert!(["error", "warning", "info"].contains(&f["severity"].as_str().unwrap()));
        assert!(f["loc"].as_str().unwrap().contains(".yaml:"));
    }
}

#[test]
fn no_findings_leaves_them_out() {
    let (html, r) = demo_page("no_findings", &["--no-findings"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(embedded(&html)["findings"].is_null());
}

#[test]
fn dash_writes_to_standard_output() {
    let r = run_with_stdin(&["report", "testdata/demo", "--output-file", "-"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("<!DOCTYPE html>"));
    assert_eq!(embedded(&r.stdout)["members"].as_array().unwrap().len(), 10);
}

#[test]
fn names_cannot_break_out_of_the_page() {
    // Names are not validated on input: one that spells HTML stays text in the data.
    let evil = r#"
apiVersion: v1
kind: Pod
metadata: {name: "</script><script>alert(1)</script><!--", namespace: "x&<y>"}
spec: {containers: [{name: c, image: i}]}
"#;
    let r = run_with_stdin(&["report", "-f", "-", "-O", "-"], Some(evil));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.matches("</script").count(), 2);
    assert!(!r.stdout.contains("<!--"));
    let d = embedded(&r.stdout);
    assert_eq!(
        d["members"][0]["id"],
        "x&<y>/</script><script>alert(1)</script><!--"
    );
}

#[test]
fn input_errors_still_write_the_page_then_exit_2() {
    let dir = scratch("broken");
    let out = dir.join("r.html");
    let broken = "apiVersion: v1\nkind: Pod\nmetadata: {name: stray\n";
    let r = run_with_stdin(
        &[
            "report",
            "testdata/demo",
            "-f",
            "-",
            "-O",
            out.to_str().unwrap(),
        ],
        Some(broken),
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("error:"), "{}", r.stderr);
    let d = embedded(&std::fs::read_to_string(&out).unwrap());
    assert_eq!(d["summary"]["errors"], 1);
    // The problem is a finding too.
    assert!(
        d["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "invalid-manifest")
    );
}

#[test]
fn an_unwritable_output_is_an_error() {
    let dir = scratch("unwritable");
    let r = run_with_stdin(
        &[
            "report",
            "testdata/demo",
            "--output-file",
            dir.join("no/such/dir/r.html").to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("cannot write the report"), "{}", r.stderr);
    let r = run_with_stdin(&["report"], None);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no input"), "{}", r.stderr);
}

#[test]
fn calico_cells_are_explained_tier_by_tier() {
    let out = scratch("calico").join("report.html");
    let r = run_with_stdin(
        &["report", "testdata/calico", "-O", out.to_str().unwrap()],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let d = embedded(&std::fs::read_to_string(&out).unwrap());
    let members = d["members"].as_array().unwrap();
    let at = |id: &str| members.iter().position(|m| m["id"] == id).unwrap();
    let (frontend, db) = (at("shop/frontend"), at("shop/db"));
    let cell = &d["cells"][format!("{frontend},{db}")];
    assert_eq!(
        d["ports"][cell["ports"].as_u64().unwrap() as usize]["text"],
        "none"
    );
    // The ingress side at the database: the security tier passes, then the default tier's
    // Calico policy denies.
    let ingress = &d["sides"][cell["i"].as_u64().unwrap() as usize];
    assert_eq!(ingress["ok"], false);
    let rules: Vec<_> = ingress["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["t"] == "rule")
        .collect();
    assert_eq!(rules.len(), 2, "{ingress}");
    assert_eq!(
        (&rules[0]["tier"], &rules[0]["mark"]),
        (&"security".into(), &"pass".into())
    );
    assert_eq!(
        (&rules[1]["tier"], &rules[1]["mark"]),
        (&"default".into(), &"no".into())
    );
    let policy = &d["policies"][rules[1]["p"].as_u64().unwrap() as usize];
    assert_eq!(
        policy["id"],
        "[Calico NetworkPolicy shop/db-ingress (tier default, order 100)]"
    );
    // Calico's findings are in the page too.
    let codes: Vec<&str> = d["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"NP803"), "{codes:?}");
}

#[test]
fn without_an_output_file_the_page_is_netpol_report_html() {
    let dir = scratch("default_file");
    let r = netpol(
        &dir,
        &["report", root().join("testdata/demo").to_str().unwrap()],
        &[] as &[(&str, &str)],
        None,
    );
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "wrote netpol-report.html\n"),
        "{}",
        r.stderr
    );
    let html = std::fs::read_to_string(dir.join("netpol-report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    // `-o html` is the default format, said out loud.
    let r = netpol(
        &dir,
        &[
            "report",
            root().join("testdata/demo").to_str().unwrap(),
            "-o",
            "html",
            "-O",
            "p.html",
        ],
        &[] as &[(&str, &str)],
        None,
    );
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "wrote p.html\n"),
        "{}",
        r.stderr
    );
    assert!(dir.join("p.html").exists());
    assert!(
        !dir.join("html").exists(),
        "-o is a format, not a file name"
    );
}

#[test]
fn json_is_the_document_the_page_renders() {
    let (html, r) = demo_page("json_same", &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run_with_stdin(&["report", "testdata/demo", "-o", "json"], None);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON on standard output");
    assert_eq!(doc, embedded(&html));
    assert_eq!(doc["version"], 2);
    // To a file with --output-file.
    let out = scratch("json_file").join("r.json");
    let r = run_with_stdin(
        &[
            "report",
            "testdata/demo",
            "-o",
            "json",
            "--output-file",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("wrote ") && r.stdout.ends_with("r.json\n"));
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(written, doc);
}

#[test]
fn a_path_given_to_dash_o_suggests_output_file() {
    for (value, file) in [
        ("out.html", "out.html"),
        ("-", "-"),
        ("reports/r", "reports/r"),
    ] {
        let r = run_with_stdin(&["report", "testdata/demo", "-o", value], None);
        assert_eq!((r.code, r.stdout.as_str()), (2, ""), "{value}");
        assert!(
            r.stderr.starts_with(&format!(
                "error: invalid value '{value}' for '--output <FORMAT>': -o is the output format (html or json); to write to {file}, use --output-file {file}\n"
            )),
            "{value}: {}",
            r.stderr
        );
    }
    // Nothing was written under the path's name.
    assert!(!root().join("out.html").exists());
    // Any other word: the formats.
    let r = run_with_stdin(&["report", "testdata/demo", "-o", "xml"], None);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("invalid value 'xml' for '--output <FORMAT>'")
            && r.stderr.contains("[possible values: html, json]"),
        "{}",
        r.stderr
    );
}

/// Every subcommand's `-o` is a format: an unknown one is refused, never written to.
#[test]
fn every_dash_o_is_a_format() {
    for cmd in ["can-reach", "check", "diff", "matrix", "report"] {
        let r = run_with_stdin(&[cmd, "-o", "nosuchformat"], None);
        assert_eq!(r.code, 2, "{cmd}");
        assert!(
            r.stderr
                .contains("invalid value 'nosuchformat' for '--output <"),
            "{cmd}: {}",
            r.stderr
        );
    }
}

/// The output file completes as any file, not as a manifest.
#[test]
fn the_output_file_completes_as_any_file() {
    let r = run_with_stdin(&["__complete", "report", "--output-file", ""], None);
    assert_eq!((r.code, r.stdout.as_str()), (0, ":0\n"), "{}", r.stderr);
    let r = run_with_stdin(&["__complete", "report", "-o", ""], None);
    assert!(
        r.stdout.starts_with("html\t") && r.stdout.contains("\njson\t"),
        "{}",
        r.stdout
    );
}
