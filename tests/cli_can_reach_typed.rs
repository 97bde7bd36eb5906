//! End to end: `can-reach` FROM, TO and `--port` as people type them (issue 12) — a bare
//! name unique across namespaces, pod IPs, addresses and CIDRs, DNS names without Cilium,
//! ports with the protocol before or after, port ranges; and the errors that say what was
//! wrong.

mod support;
use support::{Run, netpol, root};

/// Two namespaces with a `web` each; `shop/api` with a known pod IP, open on TCP 8080-8085;
/// shop's web may reach the api and 203.0.113.0/24 except its upper half.
const CLUSTER: &str = r#"apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Namespace
metadata: {name: dev}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec: {selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: web}]}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: dev}
spec: {selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: web}]}}}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
spec: {containers: [{name: api, image: api, ports: [{name: http, containerPort: 8080}, {name: dns, containerPort: 53, protocol: UDP}]}]}
status: {podIP: 10.0.1.10}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
  - ports: [{port: 8080, endPort: 8085}, {port: 53, protocol: UDP}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-egress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress:
  - to: [{ipBlock: {cidr: 203.0.113.0/24, except: [203.0.113.128/25]}}]
  - to: [{podSelector: {matchLabels: {app: api}}}]
"#;

/// can-reach on [`CLUSTER`] (from standard input).
fn ask(args: &[&str]) -> Run {
    let mut all = vec!["can-reach"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["-f", "-"]);
    netpol(root(), &all, &[] as &[(&str, &str)], Some(CLUSTER))
}

/// can-reach on testdata/demo.
fn demo(args: &[&str]) -> Run {
    let mut all = vec!["can-reach"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["-f", "testdata/demo"]);
    netpol(root(), &all, &[] as &[(&str, &str)], None)
}

#[test]
fn the_protocol_comes_before_or_after_the_port_in_any_case() {
    let plain = demo(&["shop/frontend", "shop/api", "--port", "8080"]);
    assert_eq!(plain.code, 0, "{}", plain.stderr);
    for port in ["tcp/8080", "TCP/8080", "8080/tcp", "8080/TCP", "Tcp/8080"] {
        let r = demo(&["shop/frontend", "shop/api", "--port", port]);
        assert_eq!(
            (r.code, &r.stdout),
            (0, &plain.stdout),
            "{port}: {}",
            r.stderr
        );
    }
    // UDP and named ports, with the protocol first.
    let r = ask(&["shop/web", "shop/api", "-p", "udp/53", "-q"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    let r = ask(&["shop/web", "shop/api", "-p", "tcp/53", "-q"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let r = ask(&["shop/web", "shop/api", "-p", "udp/dns"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .starts_with("ALLOWED: shop/deploy/web → shop/api on UDP 53\n"),
        "{}",
        r.stdout
    );
    let r = ask(&["shop/web", "shop/api", "-p", "tcp/http", "-q"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = ask(&["shop/web", "shop/api", "-p", "sctp/8080", "-q"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
}

#[test]
fn bad_ports_are_usage_errors_that_say_what_is_wrong() {
    for (port, why) in [
        ("99999", "port 99999 is out of range 1-65535"),
        ("8090-8080", "8090-8080: range end before start"),
        ("tcp/", "tcp/: missing port"),
        ("tcpp/80", "tcpp/80: unknown protocol (TCP, UDP, SCTP)"),
        ("80/icmp", "80/icmp: unknown protocol (TCP, UDP, SCTP)"),
        ("8080-", "8080-: missing range end (write FIRST-LAST)"),
    ] {
        let r = demo(&["shop/frontend", "shop/api", "--port", port]);
        assert_eq!(r.code, 2, "{port}");
        assert!(
            r.stderr.starts_with(&format!(
                "error: invalid value '{port}' for '--port <[PROTO/]PORT>': {why}\n"
            )),
            "{port}: {}",
            r.stderr
        );
    }
}

#[test]
fn a_port_range_says_on_which_part_the_connection_is_allowed() {
    let r = ask(&["shop/web", "shop/api", "--port", "8080-8090"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    insta::assert_snapshot!("range_part_allowed", r.stdout);
    assert!(
        r.stdout.contains(
            "PARTLY ALLOWED: shop/deploy/web → shop/api on TCP 8080-8090: allowed on TCP 8080-8085, denied on 8086-8090\n"
        ),
        "{}",
        r.stdout
    );
    // All of it, none of it, the protocol matters.
    let r = ask(&["shop/web", "shop/api", "--port", "tcp/8080-8085"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("ALLOWED: shop/deploy/web → shop/api on TCP 8080-8085\n"),
        "{}",
        r.stdout
    );
    let r = ask(&["shop/web", "shop/api", "--port", "9000-9010"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout
            .contains("DENIED: shop/deploy/web → shop/api on TCP 9000-9010\n"),
        "{}",
        r.stdout
    );
    let r = ask(&["shop/web", "shop/api", "--port", "8080-8085/udp", "-q"]);
    assert_eq!(r.code, 1);
    // A range of one port is the port.
    let r = ask(&["shop/web", "shop/api", "--port", "8085-8085"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("on TCP 8085\n"), "{}", r.stdout);
}

#[test]
fn a_port_range_as_json_names_both_parts() {
    let r = ask(&["shop/web", "shop/api", "-p", "8080-8090", "-o", "json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["port"], "TCP 8080-8090");
    assert_eq!(v["allowed"], false);
    let c = &v["connections"][0];
    assert_eq!(c["port"], "TCP 8080-8090");
    assert_eq!(c["allowed"], false);
    assert_eq!(c["allowed_in_range"], "TCP 8080-8085");
    assert_eq!(c["denied_in_range"], "TCP 8086-8090");
    assert_eq!(c["egress"]["allowed"], true);
    assert_eq!(c["ingress"]["allowed"], false);
    assert_eq!(c["ingress"]["allowed_in_range"], "TCP 8080-8085");
    // One port: no such fields.
    let r = ask(&["shop/web", "shop/api", "-p", "8080", "-o", "json"]);
    assert!(r.json()["connections"][0].get("allowed_in_range").is_none());
}

#[test]
fn ranges_are_refused_where_one_port_is_needed() {
    let r = netpol(
        root(),
        &["matrix", "testdata/demo", "--port", "8080-8090"],
        &[] as &[(&str, &str)],
        None,
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains(
            "8080-8090: a range of ports (TCP 8080-8090) is not accepted here: give one port"
        ),
        "{}",
        r.stderr
    );
    let r = demo(&[
        "ingress-nginx/controller",
        "shop/svc/frontend",
        "-p",
        "80-90",
    ]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "error: a range of ports (TCP 80-90) cannot be asked of a Service: its ports map to targetPorts one by one; ask about one port of shop/svc/frontend, or about a range of its pods' ports (shop/NAME)\n"
    );
}

#[test]
fn a_bare_name_unique_across_namespaces_is_resolved_and_said() {
    let r = demo(&["frontend", "db", "-p", "5432"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout.starts_with(
            "note: frontend is shop/deploy/frontend, the only pod or workload of that name\nnote: db is shop/sts/db, the only pod or workload of that name\nDENIED: shop/deploy/frontend → shop/sts/db on TCP 5432\n"
        ),
        "{}",
        r.stdout
    );
    // A kind and a name, in any namespace.
    let r = demo(&["deploy/frontend", "sts/db", "-p", "5432", "-q"]);
    assert_eq!((r.code, r.stderr.as_str()), (1, ""));
    // Not found: the closest name, with its namespace.
    let r = demo(&["frontnd", "db"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "error: no pod or workload is named frontnd in any namespace (did you mean `shop/frontend`?)\n"
    );
    // A Service by name alone.
    let r = demo(&["controller", "svc/frontend", "-p", "80"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("note: svc/frontend is shop/svc/frontend, the only Service of that name\n"),
        "{}",
        r.stdout
    );
    let r = demo(&["controller", "svc/frontnd"]);
    assert_eq!(
        r.stderr,
        "error: no Service is named frontnd in any namespace (did you mean `shop/svc/frontend`?)\n"
    );
    let r = demo(&["shop", "db"]);
    assert_eq!(
        r.stderr,
        "error: no pod or workload is named shop in any namespace (shop is a namespace: write shop/NAME for one of its pods or workloads)\n"
    );
}

#[test]
fn a_bare_name_in_several_namespaces_is_ambiguous() {
    let r = ask(&["web", "api"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "error: `web`: ambiguous: dev/web, shop/web (write NAMESPACE/NAME)\n"
    );
    // -n says which namespace.
    let r = ask(&["web", "api", "-n", "shop", "-p", "8080"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .starts_with("ALLOWED: shop/deploy/web → shop/api on TCP 8080\n"),
        "{}",
        r.stdout
    );
    let r = ask(&["web", "shop/api", "-n", "dev", "-p", "8080", "-q"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn an_address_is_the_pod_whose_ip_it_is_or_outside_the_cluster() {
    let r = ask(&["shop/web", "10.0.1.10", "-p", "8080"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .starts_with("note: 10.0.1.10 is the IP of shop/api\nALLOWED: shop/deploy/web → shop/api on TCP 8080\n"),
        "{}",
        r.stdout
    );
    // Another address is outside the cluster, matched by ipBlocks.
    let r = ask(&["shop/web", "203.0.113.7", "-p", "443"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("to[0]: ipBlock 203.0.113.0/24 except 203.0.113.128/25 holds 203.0.113.7"),
        "{}",
        r.stdout
    );
    let r = ask(&["shop/web", "203.0.113.200", "-p", "443"]);
    assert_eq!(r.code, 1);
    // As a source too.
    let r = ask(&["10.0.1.10", "shop/web", "-q"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn a_cidr_stands_for_its_pods_and_each_part_the_policies_treat_alike() {
    let r = ask(&["shop/web", "203.0.113.0/24", "-p", "443"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    insta::assert_snapshot!("cidr_two_parts", r.stdout);
    assert!(
        r.stdout.starts_with(
            "note: 203.0.113.0/24 holds 2 ranges of addresses outside the cluster, each treated alike by the policies: 203.0.113.0/25 (asked as 203.0.113.0), 203.0.113.128/25 (asked as 203.0.113.128)\nDENIED: shop/web → 203.0.113.0/24 on TCP 443: 1 of 2 connections allowed\n"
        ),
        "{}",
        r.stdout
    );
    // Inside one part: one answer.
    let r = ask(&["shop/web", "203.0.113.0/25", "-p", "443"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with(
            "note: 203.0.113.0/25 holds only addresses outside the cluster, which the policies treat alike (asked as 203.0.113.0)\nALLOWED: shop/deploy/web → 203.0.113.0 on TCP 443\n"
        ),
        "{}",
        r.stdout
    );
    // A CIDR holding a pod IP: the pod, and the other addresses.
    let r = ask(&["shop/web", "10.0.1.0/24", "-p", "8080"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout.starts_with(
            "note: 10.0.1.0/24 holds the IPs of shop/api (10.0.1.10); and otherwise addresses outside the cluster, which the policies treat alike (asked as 10.0.1.0)\nDENIED: shop/web → 10.0.1.0/24 on TCP 8080: 1 of 2 connections allowed\n\nALLOWED: shop/deploy/web → shop/api on TCP 8080\n"
        ),
        "{}",
        r.stdout
    );
    // A host CIDR is the address.
    let r = ask(&["shop/web", "10.0.1.10/32", "-p", "8080", "-q"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = ask(&["shop/web", "10.0.0.0/33"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "error: `10.0.0.0/33` is not a CIDR: prefix length 33 is over 32\n"
    );
}

#[test]
fn a_dns_name_without_cilium_needs_an_address() {
    let r = ask(&["shop/web", "api.example.com", "-p", "443"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "error: `api.example.com` is a DNS name, and only Cilium's toFQDNs match names (the network plugin here is kubernetes; see --cni): other policies match addresses, and its address is not known offline, so it cannot be evaluated without one; ask about an IP address it resolves to (`dig +short api.example.com`), or a CIDR\n"
    );
    assert_eq!(r.stdout, "");
}

#[test]
fn what_cannot_be_a_target_is_refused_with_the_accepted_forms() {
    let forms = "write NAMESPACE/NAME, NAMESPACE/KIND/NAME (KIND: pod, deploy, sts, ds, rs, job, cronjob, rc; svc for a Service), NAME (unique across namespaces, or in the -n namespace), an IP address or CIDR, a DNS name (under Cilium), or a described pod NAMESPACE{KEY=VALUE,...}";
    for (target, why) in [
        ("a/b/c/d", format!("`a/b/c/d` cannot be a target: {forms}")),
        ("shop api", format!("`shop api` cannot be a target: {forms}")),
        ("", format!("an empty target: {forms}")),
        (
            "https://api.example.com/v1",
            "`https://api.example.com/v1` is a URL: write its host, `api.example.com` (and the port with --port)".to_string(),
        ),
        (
            "shop/api:8080",
            "`shop/api:8080`: write the port with --port, not in the target (`shop/api --port 8080`)"
                .to_string(),
        ),
        (
            "shop/web/api",
            "`web` is not a kind of pod or workload (pod, deploy, sts, ds, rs, job, cronjob, rc, svc)"
                .to_string(),
        ),
    ] {
        let r = ask(&["shop/web", target]);
        assert_eq!(r.code, 2, "{target}");
        assert_eq!(r.stderr, format!("error: {why}\n"), "{target}");
    }
}
