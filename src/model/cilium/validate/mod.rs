//! What the API server (the CRD's OpenAPI schema) and the Cilium agent (`Rule.Validate` and
//! `Rule.Sanitize`) refuse in a CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy or
//! CiliumCIDRGroup, so that a policy the cluster would refuse is never simulated and `check`
//! says exactly what is wrong and where. Reported by `invalid-cilium-policy`.
//!
//! The rules are Cilium 1.19's. The schema comes from the kubebuilder markers of
//! `pkg/policy/api/*.go` (rendered in `pkg/k8s/apis/cilium.io/client/crds/v2/*.yaml`); the
//! agent's checks from `pkg/policy/api/rule_validation.go` and
//! `rule_validation_helpers.go`, which `CiliumNetworkPolicy.Parse` and
//! `CiliumClusterwideNetworkPolicy.Parse` (`pkg/k8s/apis/cilium.io/v2/cnp_types.go`,
//! `ccnp_types.go`) run on `spec` and each item of `specs`: one refused rule refuses the whole
//! object (its status says `Valid: False`), although `kubectl apply` succeeded.
//!
//! Checks that depend on agent flags assume their defaults: `--enable-l7-proxy` and
//! `--enable-icmp-rules` on (nothing refused), `--enable-node-selector-labels` and
//! `--enable-extended-ip-protocols` off (`fromNodes`/`toNodes` and port-less entries
//! refused).

mod peers;
mod ports;
mod rule;
#[cfg(test)]
mod tests;

use super::{CidrGroup, CiliumPolicy};
use crate::base::span::Span;
use crate::model::ip::parse_cidr;
use crate::model::validate::Violation;

pub use peers::ENTITIES;
pub use ports::{PROTOCOLS, go_port_number, is_svc_name};

/// The rule that reports what the API server or the agent refuses.
pub const POLICY_RULE: &str = "invalid-cilium-policy";

#[derive(Default)]
struct Out {
    items: Vec<Violation>,
}

impl Out {
    fn push(&mut self, span: Span, path: impl Into<String>, message: impl Into<String>) {
        self.items.push(Violation {
            rule: POLICY_RULE,
            span,
            path: path.into(),
            message: message.into(),
        });
    }
}

/// What is refused in a policy (empty: it is applied).
pub fn policy(p: &CiliumPolicy) -> Vec<Violation> {
    let mut out = Out::default();
    // Custom resources' names are DNS subdomains (apiextensions-apiserver validates a custom
    // resource's ObjectMeta with `NameIsDNSSubdomain`).
    if let Err(e) = dns_subdomain(&p.name) {
        out.push(
            p.name_span,
            "metadata.name",
            format!("`{}` is not a valid name: {e}", p.name),
        );
    }
    // `ErrEmptyCNP` / `ErrEmptyCCNP` (`cnp_types.go`, `ccnp_types.go` `Parse`): neither `spec`
    // nor `specs`.
    if p.specs.is_empty() {
        out.push(
            p.span,
            "spec",
            format!(
                "a {} needs `spec` or `specs`: Cilium refuses an empty policy",
                p.kind.as_str()
            ),
        );
    }
    for r in &p.specs {
        rule::rule(p, r, &mut out);
    }
    out.items
}

/// What is refused in a CIDR group (its invalid CIDRs match nothing).
pub fn cidr_group(g: &CidrGroup) -> Vec<Violation> {
    let mut out = Out::default();
    // Cluster-scoped custom resource: a DNS subdomain, as for policies.
    if let Err(e) = dns_subdomain(&g.name) {
        out.push(
            g.span,
            "metadata.name",
            format!("`{}` is not a valid name: {e}", g.name),
        );
    }
    // `externalCIDRs` items are `format: cidr` (`api.CIDR`, `cidrgroups_types.go`).
    for (i, c) in g.cidrs.iter().enumerate() {
        if let Err(e) = parse_cidr(c) {
            out.push(c.span, format!("spec.externalCIDRs[{i}]"), e);
        }
    }
    out.items
}

/// A DNS-1123 subdomain: at most 253 characters, dot-separated labels of lower-case letters,
/// digits and `-`, each starting and ending with a letter or digit.
fn dns_subdomain(s: &str) -> Result<(), &'static str> {
    if s.is_empty() || s.len() > 253 {
        return Err("a name is 1 to 253 characters");
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if s.split('.').all(label_ok) {
        Ok(())
    } else {
        Err("lower-case letters, digits, `-` and `.`, starting and ending with a letter or digit")
    }
}
