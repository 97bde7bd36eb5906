//! Silencing findings on one object: the annotation `netpol.kubectl.dev/ignore` holds a comma
//! separated list of rule names or codes (or `all`) that do not apply to it.
//!
//! ```yaml
//! metadata:
//!   annotations:
//!     netpol.kubectl.dev/ignore: "ingress-from-anywhere, NP407"
//! ```

use super::{Finding, Subject};
use crate::model::{Cluster, Labels};

/// The annotation.
pub const ANNOTATION: &str = "netpol.kubectl.dev/ignore";

/// Whether the finding's subject carries the annotation naming its rule.
pub fn is_ignored(cluster: &Cluster, f: &Finding) -> bool {
    let annotations: &Labels = match f.subject {
        Subject::Policy(i) => &cluster.policies[i].annotations,
        Subject::Endpoint(i) => &cluster.endpoints[i].annotations,
        Subject::Namespace(i) => &cluster.ns(i).annotations,
        Subject::ClusterPolicy(i) => &cluster.cluster_policies[i].annotations,
        Subject::CalicoPolicy(i) => &cluster.calico_policies[i].annotations,
        Subject::CiliumPolicy(i) => &cluster.cilium_policies[i].annotations,
        Subject::None => return false,
    };
    let Some(list) = annotations.get(ANNOTATION) else {
        return false;
    };
    list.split(',')
        .map(str::trim)
        .any(|item| item == "all" || item == f.rule.name || item.eq_ignore_ascii_case(f.rule.code))
}
