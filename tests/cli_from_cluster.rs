//! End-to-end: `--from-cluster` with a stub `kubectl` on PATH. The stub is a shell script
//! written by each test into its own directory: it logs its arguments, checks them, and
//! prints the dump of testdata/cluster-dump (what `kubectl get -o json` prints for a small
//! cluster) or fails the way kubectl fails.
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use kubectl_netpol::cli::cluster::{CLUSTER_KINDS, KINDS};

mod support;
use support::{Run, netpol, root};

/// A directory of its own for one test, holding the stub and its log.
struct Sandbox {
    dir: PathBuf,
}

impl Sandbox {
    fn new(name: &str) -> Sandbox {
        let dir =
            std::env::temp_dir().join(format!("kubectl-netpol-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Sandbox { dir }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("kubectl.log")).unwrap_or_default()
    }

    /// Writes `kubectl` as a script whose body follows the argument checks.
    fn kubectl(&self, body: &str) {
        let path = self.dir.join("kubectl");
        let script = format!(
            "#!/bin/sh\n\
             # Test double for kubectl: logs and checks its arguments, prints recorded output.\n\
             echo \"$*\" >> '{log}'\n\
             DUMP='{dump}'\n\
             {body}\n",
            log = self.dir.join("kubectl.log").display(),
            dump = dump_dir().display(),
        );
        std::fs::write(&path, script).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    /// A kubectl that answers like the cluster of testdata/cluster-dump, context `kind-shop`,
    /// with the AdminNetworkPolicy CRDs installed and no ClusterNetworkPolicy CRD.
    fn cluster(&self) {
        let [anp, banp, cnp] = CLUSTER_KINDS;
        self.kubectl(&format!(
            r#"if [ "$1" = --kubeconfig ]; then
  [ "$2" = /home/me/.kube/lab ] || {{ echo "stub: unexpected kubeconfig $2" >&2; exit 9; }}
  shift 2
fi
if [ "$1" = --context ]; then
  [ "$2" = kind-shop ] || {{ echo "error: context was not found for specified context: $2" >&2; exit 1; }}
  shift 2
fi
case "$*" in
  "config current-context") echo kind-shop ;;
  "config get-contexts -o name") printf 'kind-prod\nkind-shop\n' ;;
  "get {KINDS} --all-namespaces -o json") cat "$DUMP/get-all-namespaces.json" ;;
  "get {KINDS} --namespace shop -o json") cat "$DUMP/get-namespace-shop.json" ;;
  "get {anp} -o json") cat "$DUMP/adminnetworkpolicies.json" ;;
  "get {banp} -o json") cat "$DUMP/baselineadminnetworkpolicies.json" ;;
  "get {cnp} -o json")
    echo 'error: the server doesn'"'"'t have a resource type "clusternetworkpolicies"' >&2
    exit 1 ;;
  *) echo "stub kubectl: unexpected arguments: $*" >&2; exit 9 ;;
esac"#
        ));
    }

    /// Runs the binary with the sandbox first on PATH (or as the whole PATH).
    fn run(&self, args: &[&str], whole_path: bool) -> Run {
        let path = if whole_path {
            self.dir.display().to_string()
        } else {
            format!(
                "{}:{}",
                self.dir.display(),
                std::env::var("PATH").unwrap_or_default()
            )
        };
        netpol(root(), args, &[("PATH", path)], None)
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn dump_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/cluster-dump")
}

#[test]
fn the_live_cluster_is_read_with_kubectl_and_owners_are_folded() {
    let s = Sandbox::new("matrix");
    s.cluster();
    let r = s.run(&["matrix", "--from-cluster", "-A", "-o", "list"], false);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stderr, "");
    // Pods and ReplicaSets are folded into their Deployments, Jobs into their CronJob; the
    // completed Job's pod is left out; kube-proxy runs on the host network.
    insta::assert_snapshot!("from_cluster_matrix", r.stdout);
    let log = s.log();
    let mut calls: Vec<&str> = log.lines().collect();
    calls.sort_unstable();
    let mut want = vec![
        "config current-context".to_string(),
        format!("get {KINDS} --all-namespaces -o json"),
    ];
    want.extend(CLUSTER_KINDS.iter().map(|k| format!("get {k} -o json")));
    want.sort_unstable();
    assert_eq!(calls, want);
}

#[test]
fn the_sources_are_named_after_the_context_and_cluster_wide_policies_apply() {
    let s = Sandbox::new("can-reach");
    s.cluster();
    // shop/frontend only admits ingress-nginx, but the AdminNetworkPolicy (read by its own
    // kubectl get) allows Prometheus' scrapes everywhere.
    let r = s.run(
        &[
            "can-reach",
            "monitoring/prometheus",
            "shop/frontend",
            "--port",
            "9090",
            "--from-cluster",
            "--all-namespaces",
            "--context",
            "kind-shop",
        ],
        false,
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("<cluster:kind-shop/adminnetworkpolicies>:"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("<cluster:kind-shop>:"), "{}", r.stdout);
    assert!(!s.log().contains("current-context"), "{}", s.log());
    // -v says what was run, and that the server has no ClusterNetworkPolicy.
    let r = s.run(
        &[
            "matrix",
            "--from-cluster",
            "-A",
            "-v",
            "--kubeconfig",
            "/home/me/.kube/lab",
        ],
        false,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "input: <cluster:kind-shop>: read `kubectl --kubeconfig /home/me/.kube/lab get {KINDS} --all-namespaces -o json`"
        )),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("input: <cluster:kind-shop>: no clusternetworkpolicies (the server doesn't have the resource type)"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("input: <cluster:kind-shop>:1517:9: ignored: Pod shop/report-28845180-x7k2p has terminated (phase Succeeded)"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_namespace_scopes_the_namespaced_kinds_only() {
    let s = Sandbox::new("namespace");
    s.cluster();
    let r = s.run(
        &[
            "matrix",
            "--from-cluster",
            "-n",
            "shop",
            "-o",
            "list",
            "--no-external",
        ],
        false,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        s.log()
            .contains(&format!("get {KINDS} --namespace shop -o json")),
        "{}",
        s.log()
    );
    // Only shop's workloads, but every namespace with its labels: the DNS rule's
    // namespaceSelector still picks kube-system (which has no pod here).
    assert!(!r.stdout.contains("ingress-nginx"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("shop/deploy/api => shop/sts/db : TCP 5432"),
        "{}",
        r.stdout
    );
    let r = s.run(&["matrix", "--from-cluster", "-n", "shop", "-A"], false);
    assert_eq!(r.code, 2, "-n and -A conflict: {}", r.stderr);
}

#[test]
fn files_are_read_after_the_cluster_and_replace_what_they_name() {
    let s = Sandbox::new("what-if");
    s.cluster();
    let args = [
        "can-reach",
        "monitoring/prometheus",
        "shop/api",
        "--port",
        "9090",
        "--from-cluster",
        "-A",
        "-q",
    ];
    assert_eq!(s.run(&args, false).code, 0);
    // Allowed by the AdminNetworkPolicy at shop/api; but what if monitoring had a
    // default-deny for egress?
    let change = s.dir.join("change.yaml");
    std::fs::write(
        &change,
        "apiVersion: networking.k8s.io/v1\n\
         kind: NetworkPolicy\n\
         metadata: {name: default-deny, namespace: monitoring}\n\
         spec: {podSelector: {}, policyTypes: [Egress]}\n",
    )
    .unwrap();
    let mut with_file = args.to_vec();
    let change = change.display().to_string();
    with_file.extend(["-f", &change]);
    let r = s.run(&with_file, false);
    assert_eq!(r.code, 1, "{}", r.stderr);
}

#[test]
fn kubectl_missing_from_path_is_a_clear_error() {
    let s = Sandbox::new("missing");
    let r = s.run(&["matrix", "--from-cluster"], true);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "error: --from-cluster: kubectl is not on PATH (it reads the cluster with your kubectl and kubeconfig; install kubectl, or pass manifest files instead)\n"
    );
    assert_eq!(r.stdout, "");
}

#[test]
fn a_failing_kubectl_is_reported_with_its_command_line_and_its_words() {
    let s = Sandbox::new("failing");
    s.kubectl(
        "case \"$1\" in config) echo kind-shop; exit 0 ;; esac\n\
         echo 'E1104 09:12:31.000000 memcache.go:265] couldn'\"'\"'t get current server API group list' >&2\n\
         echo 'error: You must be logged in to the server (Unauthorized)' >&2\n\
         exit 1",
    );
    let r = s.run(&["check", "--from-cluster", "-n", "shop"], false);
    assert_eq!(r.code, 2, "{}", r.stdout);
    let first = format!(
        "error: --from-cluster: `kubectl get {KINDS} --namespace shop -o json` failed (exit status 1):\n"
    );
    assert!(r.stderr.starts_with(&first), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("\n  error: You must be logged in to the server (Unauthorized)\n"),
        "{}",
        r.stderr
    );
}

#[test]
fn output_that_is_not_json_is_refused() {
    let s = Sandbox::new("not-json");
    s.kubectl(
        "case \"$*\" in *' -o json') echo 'NAME     STATUS   AGE'; echo 'default  Active   3d' ;; *) echo kind-shop ;; esac",
    );
    let r = s.run(&["migrate", "--from-cluster", "-A"], false);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.starts_with(&format!(
            "error: --from-cluster: `kubectl get {KINDS} --all-namespaces -o json` printed something that is not JSON ("
        )),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("it begins `NAME     STATUS   AGE`"),
        "{}",
        r.stderr
    );
}

#[test]
fn warnings_kubectl_prints_are_passed_on() {
    let s = Sandbox::new("warnings");
    s.cluster();
    let body = std::fs::read_to_string(s.dir.join("kubectl"))
        .unwrap()
        .replacen(
            "DUMP=",
            "echo 'Warning: policy/v1beta1 PodSecurityPolicy is deprecated' >&2\nDUMP=",
            1,
        );
    std::fs::write(s.dir.join("kubectl"), body).unwrap();
    let r = s.run(&["matrix", "--from-cluster", "-A", "-o", "list"], false);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "warning: kubectl: Warning: policy/v1beta1 PodSecurityPolicy is deprecated\n"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn live_cluster_flags_need_from_cluster() {
    let s = Sandbox::new("requires");
    for flag in [&["-A"][..], &["--context", "x"], &["--kubeconfig", "y"]] {
        let mut args = vec!["matrix", "testdata/demo"];
        args.extend_from_slice(flag);
        let r = s.run(&args, false);
        assert_eq!(r.code, 2, "{flag:?}");
        assert!(r.stderr.contains("--from-cluster"), "{}", r.stderr);
    }
}

#[test]
fn completion_reads_the_cluster_the_line_names() {
    let s = Sandbox::new("complete");
    s.cluster();
    let r = s.run(
        &[
            "__complete",
            "can-reach",
            "--from-cluster",
            "-A",
            "kube-system/",
        ],
        false,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "kube-system/coredns\tDeployment\n\
         kube-system/kube-proxy\tDaemonSet\n\
         kube-system/svc/kube-dns\tService: the pods it selects\n\
         :4\n"
    );
    let r = s.run(
        &["__complete", "matrix", "--from-cluster", "--context", ""],
        false,
    );
    assert_eq!(
        r.stdout,
        "kind-prod\tkubeconfig context\nkind-shop\tkubeconfig context\n:4\n"
    );
}
