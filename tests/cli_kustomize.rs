//! End-to-end: kustomizations (issue 10). `-k DIR` renders with the real `kubectl kustomize`
//! (tests that need it are skipped, with a note, when kubectl is not on PATH); a
//! kustomization read as plain files is a warning, an error with `--strict`.

mod support;

use std::process::Command;

use support::{Run, netpol, root};

fn run(args: &[&str]) -> Run {
    netpol(
        &root().join("testdata/inputs"),
        args,
        &[] as &[(&str, &str)],
        None,
    )
}

/// Whether kubectl can render kustomizations here; prints why a test is skipped otherwise.
fn kubectl() -> bool {
    let ok = Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("note: kubectl is not on PATH: this -k test is skipped");
    }
    ok
}

#[test]
fn the_overlay_s_namespace_and_patch_are_applied() {
    if !kubectl() {
        return;
    }
    let base = ["--port", "5432", "-k", "kustomize/overlay"];
    // The patch lets the api pods in, and no longer the web pods...
    let r = run(&[&["can-reach", "shop/api", "shop/db"][..], &base].concat());
    assert_eq!(r.code, 0, "{}", r.shown());
    let r = run(&[&["can-reach", "shop/web", "shop/db"][..], &base].concat());
    assert_eq!(r.code, 1, "{}", r.shown());
    // ...and positions are lines of the rendered output, named after the kustomization.
    assert!(
        r.stdout
            .contains("from[0] (kustomize:kustomize/overlay:9): podSelector {app=api}"),
        "{}",
        r.shown()
    );
    assert!(r.stderr.is_empty(), "{}", r.shown());
    // The same with -v says what was run.
    let r = run(&[&["can-reach", "shop/web", "shop/db", "-v"][..], &base].concat());
    assert!(
        r.stderr.contains(
            "input: -k kustomize/overlay: read the output of `kubectl kustomize kustomize/overlay` as kustomize:kustomize/overlay"
        ) && r
            .stderr
            .contains("input: kustomize:kustomize/overlay:1:1: NetworkPolicy shop/db-ingress: used"),
        "{}",
        r.shown()
    );
}

#[test]
fn the_raw_resources_read_as_files_warn_and_fail_with_strict() {
    // Read as files, the base is in namespace default unless -n says otherwise, and without
    // the overlay's patch the web pods get in: a warning says to use -k.
    let r = run(&[
        "can-reach",
        "shop/web",
        "shop/db",
        "--port",
        "5432",
        "-n",
        "shop",
        "kustomize/overlay",
        "kustomize/base",
    ]);
    assert_eq!(r.code, 0, "{}", r.shown());
    let warning = "warning: kustomize/overlay/kustomization.yaml:1:1: kustomize/overlay is a kustomization: its resources are read as they are, without its namespace, name prefixes, patches and generators; read it with `-k kustomize/overlay`";
    assert!(r.stderr.contains(warning), "{}", r.shown());
    assert!(
        r.stderr.contains(
            "warning: kustomize/base/kustomization.yaml:1:1: kustomize/base is a kustomization"
        ),
        "{}",
        r.shown()
    );
    let r = run(&[
        "can-reach",
        "shop/web",
        "shop/db",
        "-n",
        "shop",
        "--strict",
        "-f",
        "kustomize/base",
    ]);
    assert_eq!(r.code, 2, "{}", r.shown());
    assert!(
        r.stderr.contains(
            "error: kustomize/base/kustomization.yaml:1:1: kustomize/base is a kustomization"
        ) && r.stderr.contains("(an error with --strict)")
            && !r.stderr.contains("warning:"),
        "{}",
        r.shown()
    );
    // check reports it as a finding: a warning, an error with --strict.
    let r = run(&["check", "--no-config", "-o", "json", "kustomize/base"]);
    assert!(
        r.stdout.contains("\"code\": \"NP807\"") && r.stdout.contains("is a kustomization"),
        "{}",
        r.shown()
    );
    let r = run(&[
        "check",
        "--no-config",
        "--strict",
        "-o",
        "json",
        "kustomize/base",
    ]);
    assert_eq!(r.code, 2, "{}", r.shown());
    assert!(
        r.stdout.contains("\"code\": \"NP001\"") && r.stdout.contains("is a kustomization"),
        "{}",
        r.shown()
    );
}

#[test]
fn errors_in_a_rendered_kustomization_name_it() {
    if !kubectl() {
        return;
    }
    let r = run(&["can-reach", "shop/web", "shop/db", "-k", "kustomize/broken"]);
    assert_eq!(r.code, 2, "{}", r.shown());
    assert!(
        r.stderr.contains(
            "error: kustomize:kustomize/broken:13:13: spec.ingress[0].ports[0].port: 99999 is out of range 1-65535"
        ),
        "{}",
        r.shown()
    );
    let r = run(&[
        "check",
        "--no-config",
        "-k",
        "kustomize/broken",
        "-o",
        "json",
    ]);
    let v = r.json();
    let found = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .any(|f| f["code"] == "NP105" && f["file"] == "kustomize:kustomize/broken");
    assert!(found, "{}", r.shown());
}

#[test]
fn kubectl_s_own_failure_is_shown_and_the_other_inputs_still_read() {
    if !kubectl() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("kustomization.yaml"),
        "resources:\n- missing.yaml\n",
    )
    .unwrap();
    let d = dir.path().display().to_string();
    let r = run(&[
        "can-reach",
        "shop/api",
        "shop/db",
        "-k",
        &d,
        "-k",
        "kustomize/overlay",
    ]);
    assert_eq!(r.code, 2, "{}", r.shown());
    assert!(
        r.stderr.contains(&format!(
            "error: -k {d}: `kubectl kustomize {d}` exited with 1:"
        )) && r.stderr.contains("missing.yaml"),
        "{}",
        r.shown()
    );
    assert!(r.stdout.contains("allowed"), "{}", r.shown());
}

#[test]
fn without_kubectl_the_missing_program_is_named() {
    let empty = tempfile::tempdir().unwrap();
    let r = netpol(
        &root().join("testdata/inputs"),
        &["check", "--no-config", "-k", "kustomize/overlay"],
        &[("PATH", empty.path().as_os_str())],
        None,
    );
    assert_eq!(r.code, 2, "{}", r.shown());
    assert!(
        r.stderr.contains(
            "error: -k kustomize/overlay: kubectl is not on PATH: -k renders the kustomization with `kubectl kustomize`"
        ),
        "{}",
        r.shown()
    );
    // diff compares paths: -k is refused there, not ignored.
    let r = run(&[
        "diff",
        "kustomize/base",
        "kustomize/base",
        "-k",
        "kustomize/overlay",
    ]);
    assert_eq!(r.code, 2, "{}", r.shown());
    assert!(
        r.stderr
            .contains("-k is not taken by diff: render each side first"),
        "{}",
        r.shown()
    );
    // Not a kustomization: said before anything runs.
    let r = run(&["matrix", "-k", "kustomize"]);
    assert_eq!(r.code, 2, "{}", r.shown());
    assert!(
        r.stderr.contains(
            "error: -k kustomize: no kustomization here (none of kustomization.yaml, kustomization.yml, Kustomization)"
        ),
        "{}",
        r.shown()
    );
}
