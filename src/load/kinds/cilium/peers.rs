//! The peer fields of a rule list's item that need more than a list of selectors or
//! strings (`cidr.go`, `service.go`, `fqdn.go`, `groups.go`): the items of
//! `fromCIDRSet` / `toCIDRSet`, `toServices` and `toFQDNs`, and `fromGroups` / `toGroups`.
//! Endpoints, requirements, nodes, CIDRs and entities are read where the item is, in
//! `super::policy`.

use super::{strings_at, text_at};
use crate::base::span::Span;
use crate::load::decode::{Decoder, N};
use crate::load::kinds::network_policy;
use crate::model::cilium::{CidrRule, FqdnSelector, ServiceRef};

/// `fromGroups` / `toGroups` (`api.Groups`: AWS security groups), checked for its shape
/// only: where its key is written.
pub(super) fn groups_at<'d>(d: &mut Decoder<'d>, parent: N<'d>, key: &str) -> Option<Span> {
    let list = parent.get(key)?;
    for g in d.list(list) {
        let Some(g) = d.map(g) else { continue };
        d.unknown_fields(g, &["aws"]);
        let Some(aws) = g.get("aws").and_then(|a| d.map(a)) else {
            continue;
        };
        d.unknown_fields(
            aws,
            &[
                "labels",
                "region",
                "securityGroupsIds",
                "securityGroupsNames",
            ],
        );
        if let Some(l) = aws.get("labels") {
            d.string_map(l);
        }
        text_at(d, aws, "region");
        strings_at(d, aws, "securityGroupsIds");
        strings_at(d, aws, "securityGroupsNames");
    }
    Some(parent.key_span(key).unwrap_or(list.span()))
}

/// An item of `fromCIDRSet` / `toCIDRSet`.
pub(super) fn cidr_rule<'d>(d: &mut Decoder<'d>, n: N<'d>) -> Option<CidrRule> {
    let n = d.map(n)?;
    d.unknown_fields(n, &["cidr", "cidrGroupRef", "cidrGroupSelector", "except"]);
    Some(CidrRule {
        span: n.span(),
        cidr: text_at(d, n, "cidr"),
        group_ref: text_at(d, n, "cidrGroupRef"),
        group_selector: n
            .get("cidrGroupSelector")
            .and_then(|s| network_policy::selector(d, s)),
        except: strings_at(d, n, "except").unwrap_or_default(),
    })
}

/// An item of `toServices`. When both `k8sServiceSelector` and `k8sService` are written,
/// Cilium matches with the selector alone (`serviceMatches`), and so does the result.
pub(super) fn service<'d>(d: &mut Decoder<'d>, n: N<'d>) -> Option<ServiceRef> {
    let n = d.map(n)?;
    d.unknown_fields(n, &["k8sService", "k8sServiceSelector"]);
    let mut s = ServiceRef {
        span: n.span(),
        name: None,
        namespace: None,
        selector: None,
    };
    if let Some(k) = n.get("k8sService").and_then(|k| d.map(k)) {
        d.unknown_fields(k, &["serviceName", "namespace"]);
        s.name = text_at(d, k, "serviceName");
        s.namespace = text_at(d, k, "namespace");
    }
    if let Some(k) = n.get("k8sServiceSelector").and_then(|k| d.map(k)) {
        d.unknown_fields(k, &["selector", "namespace"]);
        s.selector = match k.get("selector") {
            Some(sel) => network_policy::selector(d, sel),
            None => {
                d.missing(k, "selector");
                None
            }
        };
        s.name = None;
        s.namespace = text_at(d, k, "namespace");
    }
    Some(s)
}

/// An item of `toFQDNs`.
pub(super) fn fqdn<'d>(d: &mut Decoder<'d>, n: N<'d>) -> Option<FqdnSelector> {
    let n = d.map(n)?;
    d.unknown_fields(n, &["matchName", "matchPattern"]);
    Some(FqdnSelector {
        span: n.span(),
        match_name: text_at(d, n, "matchName"),
        match_pattern: text_at(d, n, "matchPattern"),
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::{FULL, policy, slice, values};

    #[test]
    fn every_peer_field_decodes() {
        let p = policy(FULL);
        let r = &p.specs[0];
        let i = &r.ingress.as_ref().unwrap()[0];
        assert_eq!(i.index, 0);
        let endpoints = i.endpoints.as_ref().unwrap();
        assert_eq!(endpoints.len(), 2);
        // Keys keep their source prefix as written.
        let keys: Vec<&str> = endpoints[0]
            .match_labels
            .iter()
            .map(|(k, _)| k.value.as_str())
            .collect();
        assert_eq!(keys, ["k8s:app", "any:tier"]);
        assert!(endpoints[1].match_labels.is_empty());
        assert_eq!(i.requires.as_ref().unwrap().len(), 1);
        assert_eq!(values(&i.cidr), ["10.0.0.0/8"]);
        let set = i.cidr_set.as_ref().unwrap();
        assert_eq!(set[0].cidr.as_ref().unwrap().value, "192.168.0.0/16");
        assert_eq!(set[0].except[0].value, "192.168.1.0/24");
        assert!(set[0].group_ref.is_none() && set[0].group_selector.is_none());
        assert_eq!(set[1].group_ref.as_ref().unwrap().value, "office");
        assert!(set[1].cidr.is_none() && set[1].except.is_empty());
        let gs = set[2].group_selector.as_ref().unwrap();
        assert_eq!(gs.match_labels[0].0.value, "zone");
        assert_eq!(values(&i.entities), ["world", "host"]);
        assert_eq!(i.nodes.as_ref().unwrap().len(), 1);
        assert_eq!(slice(FULL, i.groups.unwrap()), "fromGroups");
        assert_eq!(i.authentication.as_ref().unwrap().value, "required");
        assert!(i.services.is_none() && i.fqdns.is_none());
        assert!(i.to_ports.is_none() && i.icmps.is_none());
        assert!(i.has_l3());

        let deny = r.ingress_deny.as_ref().unwrap();
        assert_eq!(values(&deny[0].entities), ["world"]);
        let ports = &deny[0].to_ports.as_ref().unwrap()[0];
        assert_eq!(ports.ports[0].port.as_ref().unwrap().value, "22");
        assert_eq!(ports.ports[0].protocol.as_ref().unwrap().value, "TCP");
        assert!(ports.l7.is_empty() && ports.tls.is_none());
        assert_eq!(deny[1].index, 1);
        assert_eq!(deny[1].icmps.as_ref().unwrap()[0].fields, ["IPv4 8"]);
        assert!(!deny[1].has_l3());

        let e = &r.egress.as_ref().unwrap()[0];
        let services = e.services.as_ref().unwrap();
        assert_eq!(services[0].name.as_ref().unwrap().value, "db");
        assert_eq!(services[0].namespace.as_ref().unwrap().value, "data");
        assert!(services[0].selector.is_none());
        assert!(services[1].name.is_none());
        assert_eq!(services[1].namespace.as_ref().unwrap().value, "data");
        let sel = services[1].selector.as_ref().unwrap();
        assert_eq!(sel.match_labels[0].1.value, "cache");
        // With both, Cilium matches with the selector alone.
        assert!(services[2].name.is_none() && services[2].namespace.is_none());
        assert!(services[2].selector.is_some());
        let fqdns = e.fqdns.as_ref().unwrap();
        assert_eq!(
            fqdns[0].match_name.as_ref().unwrap().value,
            "api.example.com"
        );
        assert!(fqdns[0].match_pattern.is_none());
        assert_eq!(
            fqdns[1].match_pattern.as_ref().unwrap().value,
            "*.example.com"
        );
        assert_eq!(e.endpoints.as_ref().unwrap().len(), 1);
        assert_eq!(e.requires.as_ref().unwrap().len(), 1);
        assert_eq!(values(&e.cidr), ["1.2.3.4/32"]);
        assert_eq!(e.cidr_set.as_ref().unwrap()[0].except.len(), 1);
        assert_eq!(values(&e.entities), ["kube-apiserver"]);
        assert_eq!(e.nodes.as_ref().unwrap().len(), 1);
        assert_eq!(slice(FULL, e.groups.unwrap()), "toGroups");
        assert!(e.authentication.is_none());

        let ed = &r.egress_deny.as_ref().unwrap()[0];
        assert_eq!(values(&ed.cidr), ["169.254.169.254/32"]);
        let svc = &ed.services.as_ref().unwrap()[0];
        assert_eq!(svc.name.as_ref().unwrap().value, "metadata");
        assert!(svc.namespace.is_none());
    }
}
