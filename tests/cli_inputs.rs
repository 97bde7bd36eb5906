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
    assert_eq!(r.code, 2, "{}", r.shown());
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
