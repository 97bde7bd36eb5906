//! Inputs that used to be read as if they were not there: near misses of known kinds,
//! typed lists, JSON arrays, policy kinds of other plugins.

mod support;

use support::{Run, netpol, root};

fn run(args: &[&str]) -> Run {
    netpol(
        &root().join("testdata/inputs"),
        args,
        &[] as &[(&str, &str)],
        None,
    )
}

#[test]
fn an_unknown_version_of_network_policy_is_an_error_at_its_api_version() {
    let r = run(&["check", "policy-v7.yaml"]);
    // An object of a known kind the API server refuses: a finding (exit status 1), not input
    // that cannot be read.
    assert_eq!(r.code, 1, "{}", r.shown());
    assert!(
        r.stdout.contains(
            "networking.k8s.io/v7 is not a version of NetworkPolicy: networking.k8s.io/v1 is"
        ) && r.stdout.contains("policy-v7.yaml:1:13"),
        "{}",
        r.shown()
    );
}

#[test]
fn pods_of_a_pod_list_and_of_a_json_array_are_read() {
    for file in ["pod-list.yaml", "pods.json"] {
        let r = run(&["can-reach", "app/p1", "app/p1", "-f", file]);
        assert_eq!(r.code, 0, "{file}: {}", r.shown());
    }
}

#[test]
fn an_antrea_policy_is_not_evaluated_with_a_warning() {
    let r = run(&["can-reach", "app/p1", "app/p1", "-f", "antrea.yaml"]);
    assert!(
        r.stderr
            .contains("ClusterNetworkPolicy deny-all: not evaluated")
            && r.stderr.contains("Antrea"),
        "{}",
        r.shown()
    );
    assert_eq!(r.stderr.matches("warning:").count(), 1, "{}", r.shown());
    // check reports it as a finding, so CI sees it.
    let r = run(&["check", "--no-config", "antrea.yaml", "-o", "json"]);
    assert!(
        r.stdout.contains("\"code\": \"NP807\"") && r.stdout.contains("Antrea"),
        "{}",
        r.shown()
    );
}

/// A port written as a quoted number is a port name to the API server; when the number is
/// out of range too, the error says that besides (issue 10).
#[test]
fn a_quoted_port_number_is_named_for_what_it_is() {
    let r = run(&["check", "--no-config", "quoted-port.yaml", "-o", "json"]);
    assert_eq!(r.code, 1, "{}", r.shown());
    assert!(
        r.stdout.contains(
            "`99999` is not a valid port name: must hold at least one letter; as a number, port 99999 is out of range 1-65535"
        ) && r.stdout.contains("write the number without quotes"),
        "{}",
        r.shown()
    );
}

/// An unrendered chart template is an error at its first `{{` that says to render it; the
/// documents around it are still read, templates in quotes and comments are data.
#[test]
fn a_helm_template_is_an_error_that_says_to_render_it() {
    let r = run(&[
        "can-reach",
        "app/web-0",
        "app/web-0",
        "-f",
        "chart-template.yaml",
    ]);
    assert_eq!(r.code, 2, "{}", r.shown());
    let render = "this is a Helm chart template, not a manifest; render it first (`helm template RELEASE CHART | kubectl netpol check -f -`)";
    assert!(
        r.stderr.contains(&format!(
            "error: chart-template.yaml:2:1: template syntax `{{{{- if .Values.networkPolicy.enabled }}}}`: {render}"
        )) && r.stderr.contains(&format!(
            "error: chart-template.yaml:25:13: template syntax `{{{{ .Release.Name }}}}`: {render}"
        )),
        "{}",
        r.shown()
    );
    assert_eq!(
        r.stderr.matches("template syntax").count(),
        2,
        "{}",
        r.shown()
    );
    // The pod between them, with a template in a quoted annotation, is read.
    assert!(r.stdout.contains("allowed"), "{}", r.shown());
    assert!(!r.stderr.contains("YAML syntax error"), "{}", r.shown());
}

/// One unknown field does not hide the other errors of the same policy: the unknown fields
/// and what the API server refuses besides are all reported, each at its place.
#[test]
fn every_error_of_a_policy_is_reported_at_once() {
    let r = run(&["can-reach", "app/a", "app/a", "-f", "unknown-fields.yaml"]);
    assert_eq!(r.code, 2, "{}", r.shown());
    assert_eq!(
        r.stderr.matches("error: unknown-fields.yaml:").count(),
        3,
        "{}",
        r.shown()
    );
    // check: the same three, as findings (the policy is refused as a whole, as the API server
    // refuses it).
    let r = run(&["check", "--no-config", "-o", "json", "unknown-fields.yaml"]);
    assert_ne!(r.code, 0, "{}", r.shown());
    let v = r.json();
    let got: Vec<String> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "NP001")
        .map(|f| format!("{}:{} {}", f["line"], f["column"], f["message"]))
        .collect();
    assert_eq!(got.len(), 3, "{}", r.shown());
    assert!(
        got[0].starts_with("8:3 ") && got[0].contains("unknown field `ingres`"),
        "{got:?}"
    );
    assert!(
        got[1].starts_with("11:13 ") && got[1].contains("99999 is out of range 1-65535"),
        "{got:?}"
    );
    assert!(
        got[2].starts_with("12:7 ") && got[2].contains("unknown field `protocl`"),
        "{got:?}"
    );
}

/// A quoted value spanning lines whose last line is at its key's indentation (as written on
/// Windows, in CRLF) is refused as YAML 1.2 says, at the line at fault, saying how to fix it.
#[test]
fn a_quoted_value_continued_at_its_key_s_indentation_is_named_precisely() {
    let r = run(&["can-reach", "app/a", "app/a", "-f", "nad-crlf.yaml"]);
    assert_eq!(r.code, 2, "{}", r.shown());
    assert!(
        r.stderr.contains("error: nad-crlf.yaml:10:3: YAML syntax error: ")
            && r.stderr.contains(
                "this line continues the quoted value begun on line 7 and must be indented more than its key `config` (column 3), by at least 3 spaces"
            ),
        "{}",
        r.shown()
    );
}

/// `--strict`: what is not evaluated is an error, exit 2, on every command.
#[test]
fn strict_makes_what_is_not_evaluated_an_error() {
    let r = run(&[
        "can-reach",
        "app/p1",
        "app/p1",
        "--strict",
        "-f",
        "antrea.yaml",
    ]);
    assert_eq!(r.code, 2, "{}", r.shown());
    assert!(
        r.stderr.contains("error: antrea.yaml:")
            && r.stderr
                .contains("ClusterNetworkPolicy deny-all: not evaluated")
            && r.stderr.contains("(an error with --strict)")
            && !r.stderr.contains("warning:"),
        "{}",
        r.shown()
    );
    for args in [
        &["matrix", "--strict", "antrea.yaml"][..],
        &["check", "--no-config", "--strict", "antrea.yaml"],
    ] {
        let r = run(args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.shown());
    }
    // The same from check's configuration: the warning is an invalid-manifest error.
    let r = run(&[
        "check",
        "--config",
        "strict-config.yaml",
        "-o",
        "json",
        "antrea.yaml",
    ]);
    assert_eq!(r.code, 2, "{}", r.shown());
    assert!(
        r.stdout.contains("\"code\": \"NP001\"")
            && r.stdout.contains("(an error with --strict)")
            && !r.stdout.contains("\"code\": \"NP807\""),
        "{}",
        r.shown()
    );
    let r = run(&["check", "--no-config", "-o", "json", "antrea.yaml"]);
    assert_ne!(r.code, 2, "{}", r.shown());
}

/// Text in other encodings: UTF-16 and UTF-32 with a byte order mark are read; what is not
/// text is refused at its line and column.
#[test]
fn encodings_are_read_or_refused_at_their_line_and_column() {
    let dir = std::env::temp_dir().join(format!("netpol-encodings-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p1, namespace: app, labels: {a: é}}\n";
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(pod.encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(dir.join("utf16.yaml"), utf16).unwrap();
    let mut latin1 = pod.replace('é', "x").into_bytes();
    latin1.extend(b"# caf\xE9\n");
    std::fs::write(dir.join("latin1.yaml"), latin1).unwrap();
    std::fs::write(
        dir.join("binary.yaml"),
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    )
    .unwrap();
    let d = |f: &str| dir.join(f).display().to_string();
    let r = run(&["can-reach", "app/p1", "app/p1", "-f", &d("utf16.yaml")]);
    assert_eq!(r.code, 0, "{}", r.shown());
    let r = run(&["can-reach", "app/p1", "app/p1", "-f", &d("latin1.yaml")]);
    assert_eq!(r.code, 2, "{}", r.shown());
    assert!(
        r.stderr.contains(&format!(
            "error: {}:4:6: not UTF-8 text: the bytes 0xE9 are not a UTF-8 character",
            d("latin1.yaml")
        )),
        "{}",
        r.shown()
    );
    let r = run(&["check", "--no-config", &d("binary.yaml")]);
    assert_eq!(r.code, 2, "{}", r.shown());
    assert!(
        r.stderr.contains(&format!(
            "error: {}:3:1: binary data (a NUL byte), not a YAML or JSON manifest",
            d("binary.yaml")
        )),
        "{}",
        r.shown()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
