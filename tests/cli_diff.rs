//! End to end: `kubectl-netpol diff` between `testdata/diff/old` (the demo shop) and
//! `testdata/diff/new` (a pull request on it: a cache added, a label renamed, Prometheus
//! scraping metrics, the worker's egress narrowed, a redundant policy removed), in every
//! format; against a git revision (`--base`) in a repository the tests create; and the exit
//! statuses. Snapshots are in `tests/snapshots/` (review changes with `cargo insta review`).

use std::path::{Path, PathBuf};
use std::process::Command;

mod support;
use support::{Run, netpol, root};

fn run_env(dir: &Path, args: &[&str], env: &[(&str, &Path)]) -> Run {
    netpol(dir, args, env, None)
}

/// Runs the binary in `dir`, colour off both ways it can be turned off.
fn run_in(dir: &Path, args: &[&str]) -> Run {
    run_env(dir, args, &[])
}

fn run(args: &[&str]) -> Run {
    run_in(root(), args)
}

/// The stdout of a run that exits 0 with nothing on standard error.
fn ok(args: &[&str]) -> String {
    let r = run(args);
    assert_eq!(r.code, 0, "{args:?} failed: {}", r.stderr);
    assert_eq!(r.stderr, "", "{args:?}");
    assert!(!r.stdout.contains('\x1b'), "colour while NO_COLOR is set");
    r.stdout
}

const OLD: &str = "testdata/diff/old";
const NEW: &str = "testdata/diff/new";

#[test]
fn text() {
    insta::assert_snapshot!("text", ok(&["diff", OLD, NEW]));
}

#[test]
fn json() {
    let out = ok(&["diff", OLD, NEW, "-o", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(v["version"], 1);
    insta::assert_snapshot!("json", out);
}

#[test]
fn markdown() {
    insta::assert_snapshot!("md", ok(&["diff", OLD, NEW, "-o", "md"]));
}

#[test]
fn old_and_new_take_several_paths() {
    let split = ok(&[
        "diff",
        "--old",
        "testdata/diff/old/namespaces.yaml",
        "testdata/diff/old/platform.yaml",
        "testdata/diff/old/shop.yaml",
        "testdata/diff/old/policies",
        "--new",
        "testdata/diff/new/namespaces.yaml",
        "testdata/diff/new/platform.yaml",
        "testdata/diff/new/shop.yaml",
        "testdata/diff/new/policies",
        "-o",
        "json",
    ]);
    let whole = ok(&["diff", OLD, NEW, "-o", "json"]);
    let v = |s: &str| -> serde_json::Value { serde_json::from_str(s).unwrap() };
    assert_eq!(v(&split)["connections"], v(&whole)["connections"]);
    assert_eq!(v(&split)["summary"], v(&whole)["summary"]);
}

#[test]
fn the_other_way_round_opened_and_closed_swap() {
    let v = |s: String| -> serde_json::Value { serde_json::from_str(&s).unwrap() };
    let ahead = v(ok(&["diff", OLD, NEW, "-o", "json"]));
    let back = v(ok(&["diff", NEW, OLD, "-o", "json"]));
    assert_eq!(back["summary"]["opened"], ahead["summary"]["closed"]);
    assert_eq!(back["summary"]["closed"], ahead["summary"]["opened"]);
    assert_eq!(back["summary"]["objects"], ahead["summary"]["objects"]);
}

#[test]
fn topology_is_read_on_both_sides() {
    // Only the policies differ: the workloads of the new side are shared, so the cache is
    // there before and after, and the label rename is no change.
    let out = ok(&[
        "diff",
        "testdata/diff/old/policies",
        "testdata/diff/new/policies",
        "--topology",
        "testdata/diff/new/shop.yaml",
        "--topology",
        "testdata/diff/new/namespaces.yaml",
        "--topology",
        "testdata/diff/new/platform.yaml",
    ]);
    insta::assert_snapshot!("topology", out);
}

#[test]
fn exit_code_says_whether_anything_changed() {
    let changed = run(&["diff", OLD, NEW, "--exit-code"]);
    assert_eq!(changed.code, 1, "{}", changed.stderr);
    assert!(changed.stdout.starts_with("opened ("));
    let same = run(&["diff", OLD, OLD, "--exit-code"]);
    assert_eq!(same.code, 0, "{}", same.stderr);
    assert_eq!(
        same.stdout,
        "no change (testdata/diff/old → testdata/diff/old)\n"
    );
    // Without --exit-code a change is a success.
    assert_eq!(run(&["diff", OLD, NEW]).code, 0);
    // Input errors win over both.
    let broken = run(&["diff", OLD, "testdata/broken", "--exit-code"]);
    assert_eq!(broken.code, 2);
    assert!(broken.stderr.contains("error: "), "{}", broken.stderr);
    assert!(!broken.stdout.is_empty(), "the diff is still printed");
    let missing = run(&["diff", OLD, "testdata/diff/nope", "--exit-code"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing
            .stderr
            .contains("testdata/diff/nope: no such file or directory"),
        "{}",
        missing.stderr
    );
}

#[test]
fn usage_errors_say_what_to_give() {
    for (args, want) in [
        (vec!["diff"], "nothing to compare"),
        (vec!["diff", OLD], "give the new side too"),
        (vec!["diff", OLD, NEW, OLD], "3 paths"),
        (
            vec!["diff", "-f", OLD, NEW],
            "-f names the paths compared with --base",
        ),
        (vec!["diff", "--old", OLD], "--old and --new go together"),
        (
            vec!["diff", "--old", OLD, "--new", NEW, "--", OLD],
            "unexpected",
        ),
        (vec!["diff", "--base", "HEAD"], "give the paths"),
    ] {
        let r = run(&args);
        assert_eq!(r.code, 2, "{args:?}");
        assert!(r.stderr.contains(want), "{args:?}: {}", r.stderr);
        assert_eq!(r.stdout, "", "{args:?}");
    }
}

/// A git repository in the system's temporary directory, removed when dropped.
struct Repo(PathBuf);

impl Repo {
    fn new(name: &str) -> Repo {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!(
            "kubectl-netpol-cli-diff-{name}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let repo = Repo(dir);
        repo.git(&["init", "-q"]);
        repo.git(&["config", "user.name", "Test"]);
        repo.git(&["config", "user.email", "test@example.com"]);
        repo.git(&["config", "commit.gpgsign", "false"]);
        repo
    }

    fn git(&self, args: &[&str]) {
        let out = Command::new("git")
            .arg("-C")
            .arg(&self.0)
            .args(args)
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Replaces `dir` in the repository with a copy of a directory of the package.
    fn put(&self, dir: &str, from: &str) {
        let dst = self.0.join(dir);
        let _ = std::fs::remove_dir_all(&dst);
        copy(&Path::new(env!("CARGO_MANIFEST_DIR")).join(from), &dst);
    }

    fn commit(&self, msg: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", msg]);
    }
}

impl Drop for Repo {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dst = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy(&e.path(), &dst);
        } else {
            std::fs::copy(e.path(), dst).unwrap();
        }
    }
}

#[test]
fn base_reads_the_old_side_from_a_git_revision() {
    let repo = Repo::new("base");
    repo.put("k8s", OLD);
    repo.commit("the demo shop");
    repo.put("k8s", NEW);
    repo.commit("cache, metrics, payment provider");

    // HEAD~1 against the working tree (= HEAD): the same connections as old/ → new/.
    let r = run_in(&repo.0, &["diff", "--base", "HEAD~1", "k8s"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stderr, "");
    insta::assert_snapshot!("base_text", r.stdout);
    let v = |s: &str| -> serde_json::Value { serde_json::from_str(s).unwrap() };
    let base = run_in(&repo.0, &["diff", "--base", "HEAD~1", "k8s", "-o", "json"]);
    let dirs = ok(&["diff", OLD, NEW, "-o", "json"]);
    assert_eq!(v(&base.stdout)["connections"], v(&dirs)["connections"]);
    assert_eq!(v(&base.stdout)["old"], "HEAD~1");
    assert_eq!(v(&base.stdout)["new"], "working tree");

    // -f names the same paths; from a subdirectory, paths are relative to it.
    let sub = run_in(
        &repo.0.join("k8s"),
        &[
            "diff",
            "--base",
            "HEAD~1",
            "-f",
            "policies",
            "-f",
            "shop.yaml",
            "--exit-code",
        ],
    );
    assert_eq!(sub.code, 1, "{}", sub.stderr);
    assert!(
        sub.stdout
            .contains("NetworkPolicy shop/cache added (policies/shop.yaml:"),
        "{}",
        sub.stdout
    );
    assert!(
        sub.stdout.contains("(HEAD~1:k8s/policies/platform.yaml:1)"),
        "{}",
        sub.stdout
    );

    // Uncommitted work is what is compared; a file new in the working tree has no old side.
    let same = run_in(&repo.0, &["diff", "--base", "HEAD", "k8s", "--exit-code"]);
    assert_eq!(same.code, 0, "{}", same.stderr);
    assert_eq!(same.stdout, "no change (HEAD → working tree)\n");
    std::fs::write(
        repo.0.join("k8s/policies/lockdown.yaml"),
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: lockdown, namespace: monitoring}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n",
    )
    .unwrap();
    let added = run_in(
        &repo.0,
        &[
            "diff",
            "--base",
            "HEAD",
            "k8s/policies/lockdown.yaml",
            "k8s/shop.yaml",
            "k8s/namespaces.yaml",
            "k8s/platform.yaml",
            "--exit-code",
            "-v",
        ],
    );
    assert_eq!(added.code, 1, "{}", added.stderr);
    assert!(
        added
            .stderr
            .contains("k8s/policies/lockdown.yaml: not at HEAD: that side has no such file"),
        "{}",
        added.stderr
    );
    assert!(
        added.stdout.starts_with("closed (")
            && added
                .stdout
                .contains("NetworkPolicy monitoring/lockdown added (k8s/policies/lockdown.yaml:1)"),
        "{}",
        added.stdout
    );
}

#[test]
fn base_errors_are_clear() {
    let repo = Repo::new("errors");
    repo.put("k8s", OLD);
    repo.commit("one");
    let unknown = run_in(&repo.0, &["diff", "--base", "no-such-branch", "k8s"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains(
            "error: --base no-such-branch: unknown revision `no-such-branch` in the repository at"
        ),
        "{}",
        unknown.stderr
    );
    let stdin = run_in(&repo.0, &["diff", "--base", "HEAD", "-"]);
    assert_eq!(stdin.code, 2);
    assert!(
        stdin.stderr.contains("standard input has no revision"),
        "{}",
        stdin.stderr
    );
    // Outside any repository.
    let outside = std::env::temp_dir().join(format!(
        "kubectl-netpol-cli-diff-norepo-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(
        outside.join("a.yaml"),
        "kind: Namespace\napiVersion: v1\nmetadata: {name: a}\n",
    )
    .unwrap();
    // Git must not look above the temporary directory (which might be in a repository).
    let ceiling = std::env::temp_dir();
    let r = run_env(
        &outside,
        &["diff", "--base", "HEAD", "a.yaml"],
        &[("GIT_CEILING_DIRECTORIES", &ceiling)],
    );
    let _ = std::fs::remove_dir_all(&outside);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "error: --base HEAD: a.yaml: not in a git repository (a revision is read from git)\n"
    );
}

#[test]
fn check_baseline_reports_the_flows_a_change_opens() {
    let repo = Repo::new("check");
    repo.put("k8s", OLD);
    repo.commit("the demo shop");
    repo.put("k8s", NEW); // uncommitted: the pull request being checked

    let r = run_in(
        &repo.0,
        &[
            "check",
            "k8s",
            "--baseline",
            "HEAD",
            "--no-config",
            "--fail-on",
            "error",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    // A failing check says why, in one line.
    assert_eq!(
        r.stderr,
        "failed: 3 findings at or above --fail-on error (3 errors; exit status 1)\n"
    );
    let np701: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.contains("new flow"))
        .collect();
    assert_eq!(np701.len(), 3, "{}", r.stdout);
    assert!(
        r.stdout.contains(
            "1 new flow since HEAD, opened by NetworkPolicy shop/allow-prometheus (added), StatefulSet"
        ),
        "{}",
        r.stdout
    );
    // Closed flows (the worker's internet egress, api → db) are not findings.
    assert!(!r.stdout.contains("shop/deploy/worker →"), "{}", r.stdout);
    // The other rules still run.
    assert!(r.stdout.contains("NP402"), "{}", r.stdout);

    // Against itself nothing is new: only the usual findings, none an error.
    repo.commit("the pull request");
    let same = run_in(
        &repo.0,
        &[
            "check",
            "k8s",
            "--baseline",
            "HEAD",
            "--no-config",
            "--fail-on",
            "error",
        ],
    );
    assert_eq!(same.code, 0, "{}", same.stdout);
    assert!(!same.stdout.contains("NP701"));

    // Against the parent, with the new flows acknowledged where they are opened.
    let policies = repo.0.join("k8s/policies/shop.yaml");
    let text = std::fs::read_to_string(&policies).unwrap();
    let acknowledged = text
        .replace(
            "  name: allow-prometheus\n",
            "  name: allow-prometheus\n  annotations: {netpol.kubectl.dev/ignore: new-flow-opened}\n",
        )
        .replace(
            "  name: api\n  namespace: shop\n",
            "  name: api\n  namespace: shop\n  annotations: {netpol.kubectl.dev/ignore: NP701}\n",
        );
    std::fs::write(&policies, acknowledged).unwrap();
    let workloads = repo.0.join("k8s/shop.yaml");
    let text = std::fs::read_to_string(&workloads).unwrap();
    std::fs::write(
        &workloads,
        text.replace(
            "  name: cache\n  namespace: shop\n",
            "  name: cache\n  namespace: shop\n  annotations: {netpol.kubectl.dev/ignore: new-flow-opened}\n",
        ),
    )
    .unwrap();
    let quiet = run_in(
        &repo.0,
        &[
            "check",
            "k8s",
            "--baseline",
            "HEAD~1",
            "--no-config",
            "--fail-on",
            "error",
        ],
    );
    assert_eq!(quiet.code, 0, "{}", quiet.stdout);
    assert!(!quiet.stdout.contains("NP701"), "{}", quiet.stdout);

    let bad = run_in(
        &repo.0,
        &["check", "k8s", "--baseline", "nope", "--no-config"],
    );
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr
            .contains("error: --baseline nope: unknown revision `nope`"),
        "{}",
        bad.stderr
    );
}

/// `testdata/calico` with a Calico policy that denies the frontend at the api, at `order`.
fn calico_with_quarantine(order: &str) -> String {
    let base = std::fs::read_to_string(root().join("testdata/calico/cluster.yaml")).unwrap();
    format!(
        "{base}---
# The frontend is quarantined from the api.
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {{name: api-quarantine, namespace: shop}}
spec:
  order: {order}
  selector: app == 'api'
  ingress:
  - action: Deny
    source: {{selector: app == 'frontend'}}
"
    )
}

#[test]
fn calico_order_change_that_lets_a_deny_win_closes_and_is_attributed() {
    // At order 1500 the Deny comes after the Kubernetes policy (order 1000 in the default
    // tier) that allows the frontend; at 500 it comes first.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("old.yaml"), calico_with_quarantine("1500")).unwrap();
    std::fs::write(dir.path().join("new.yaml"), calico_with_quarantine("500")).unwrap();
    let r = run_in(dir.path(), &["diff", "old.yaml", "new.yaml"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!("calico_order_change", r.stdout);
    let r = run_in(dir.path(), &["diff", "old.yaml", "new.yaml", "-o", "json"]);
    let v = r.json();
    assert_eq!(v["summary"]["closed"], 1);
    assert_eq!(v["connections"][0]["from"], "shop/frontend");
    assert_eq!(v["connections"][0]["to"], "shop/api");
    assert_eq!(
        v["connections"][0]["causes"][0]["id"],
        "shop/api-quarantine"
    );
    assert_eq!(v["objects"][0]["details"][0], "order: 1500 → 500");
}

#[test]
fn the_readme_sample_is_current() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let sample = format!(
        "$ kubectl netpol diff testdata/diff/old testdata/diff/new\n{}```",
        ok(&["diff", OLD, NEW])
    );
    assert!(
        readme.contains(&sample),
        "README.md's diff sample is stale:\n{sample}"
    );
}

#[test]
fn cilium_policies_are_compared_and_named() {
    // The database's `ingressDeny` removed (the Kubernetes NetworkPolicy lets dev in), a
    // deny-only CiliumClusterwideNetworkPolicy added at the api.
    const OLD: &str = "testdata/diff/cilium-old";
    const NEW: &str = "testdata/diff/cilium-new";
    insta::assert_snapshot!("cilium", ok(&["diff", OLD, NEW]));
    let v: serde_json::Value =
        serde_json::from_str(&ok(&["diff", OLD, NEW, "-o", "json"])).unwrap();
    assert_eq!(v["summary"]["opened"], 1);
    assert_eq!(v["summary"]["closed"], 1);
    assert_eq!(
        v["connections"][0]["causes"][0]["kind"],
        "CiliumNetworkPolicy"
    );
    assert_eq!(v["connections"][0]["causes"][0]["id"], "shop/db");
    assert_eq!(v["objects"][0]["details"][0], "ingressDeny: 1 rule → none");
    assert_eq!(
        v["connections"][1]["causes"][0]["kind"],
        "CiliumClusterwideNetworkPolicy"
    );
    // The other way round: the deny closes again, the removed policy opens.
    let back: serde_json::Value =
        serde_json::from_str(&ok(&["diff", NEW, OLD, "-o", "json"])).unwrap();
    assert_eq!(back["summary"]["opened"], 1);
    assert_eq!(back["summary"]["closed"], 1);
    assert_eq!(
        back["objects"][0]["details"][0],
        "ingressDeny: none → 1 rule"
    );
}
