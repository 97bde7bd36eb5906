//! What every candidate change is made of: the context of one step, the peers and ports of
//! the connection written in each policy API, and the nodes of the user's text the edits go
//! to.
//!
//! Values are built as [`serde_json::Value`]s (key order as written here, the order people
//! write the fields in) and placed by [`crate::base::yaml_edit`], which writes them in the
//! style of the collection they join. New objects are whole YAML documents in block style,
//! with a comment saying what they are for.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use super::{EditNote, ObjectRef, ObjectText, Port};
use crate::base::edit::{Edit, NewText, Patch};
use crate::base::span::{FileId, Span};
use crate::base::yaml_edit::{self, Tree};
use crate::engine::Party;
use crate::fix::labels::{Choice, choose, choose_where};
use crate::load::source::SourceMap;
use crate::model::cluster_policy::{ClusterPolicy, ClusterPolicyKind};
use crate::model::{Cluster, Direction, NAMESPACE_NAME_LABEL, Protocol};

/// Candidates are tried by rank, lowest first. Within a kind, a candidate adds to its base
/// how much wider it is likely to be.
pub mod rank {
    /// An exception in (or narrowing of) the rule of a higher tier that decides the flow.
    pub const EXCEPTION: u32 = 0;
    /// A peer or port added to a rule that already nearly matches, or a peer narrowed.
    pub const EDIT_RULE: u32 = 100;
    /// A rule added to a policy that selects the workload.
    pub const ADD_RULE: u32 = 200;
    /// A new policy.
    pub const NEW_POLICY: u32 = 300;
    /// A new object of a higher tier (needs its owner).
    pub const NEW_ADMIN: u32 = 400;
}

/// One step of the search: the inputs as changed so far, and the connection in them.
pub struct Ctx<'a> {
    /// The files as changed so far.
    pub sources: &'a SourceMap,
    /// The cluster they describe.
    pub cluster: &'a Cluster,
    /// The source.
    pub src: Party,
    /// The destination.
    pub dst: Party,
    /// The port.
    pub port: &'a Port,
    /// Where new policies go, when the user said.
    pub fix_file: Option<&'a Path>,
}

/// A change to try.
#[derive(Clone, Debug)]
pub struct Candidate {
    /// The edits, on the files as changed so far.
    pub patch: Patch,
    /// What they do, one note per object.
    pub edits: Vec<EditNote>,
    /// The order candidates are tried in (see [`rank`]).
    pub rank: u32,
}

impl Candidate {
    /// A candidate of one edit of one object.
    pub fn one(edit: Edit, note: EditNote, rank: u32) -> Candidate {
        Candidate {
            patch: Patch {
                edits: vec![edit],
                new_texts: Vec::new(),
            },
            edits: vec![note],
            rank,
        }
    }
}

/// The note of an edit (its location is filled in from the final text).
pub fn note(side: Direction, object: ObjectRef, what: String) -> EditNote {
    EditNote {
        side,
        object,
        what,
        new_object: false,
        needs_owner: None,
        location: String::new(),
    }
}

impl<'a> Ctx<'a> {
    /// The text of a file.
    pub fn text(&self, f: FileId) -> &'a str {
        &self.sources.file(f).text
    }

    /// The style of the document at a span, for the lines edits add there.
    pub fn style(&self, at: Span) -> yaml_edit::Style {
        yaml_edit::Style::near(self.text(at.file), at.start)
    }

    /// Appends an item to a sequence of the text, in the document's style.
    pub fn append(&self, seq: Span, item: &Value) -> Edit {
        yaml_edit::append_item_in(self.text(seq.file), seq, item, self.style(seq))
    }

    /// Adds `key: value` to a mapping of the text, in the document's style.
    pub fn insert_entry(&self, map: Span, key: &str, value: &Value) -> Edit {
        yaml_edit::insert_entry_in(self.text(map.file), map, key, value, self.style(map))
    }

    /// Inserts an item before another of a sequence of the text, in the document's style.
    pub fn insert_before(&self, seq: Span, item: Span, value: &Value) -> Edit {
        yaml_edit::insert_item_before_in(self.text(seq.file), seq, item, value, self.style(seq))
    }

    /// The style new documents for a file are written in: the file's when it is loaded,
    /// else that of the file holding the party's workload.
    pub fn style_for(&self, path: &Path, near: Party) -> yaml_edit::Style {
        if let Some(f) = self
            .sources
            .files()
            .iter()
            .find(|f| f.path.as_deref() == Some(path))
        {
            return yaml_edit::Style::of(&f.text);
        }
        match near {
            Party::Endpoint(i) => {
                yaml_edit::Style::of(self.text(self.cluster.endpoints[i].span.file))
            }
            Party::Address(_) => yaml_edit::Style::default(),
        }
    }

    /// The document holding a span, parsed again.
    pub fn tree(&self, span: Span) -> Option<Tree> {
        Tree::at(span.file, self.text(span.file), span.start)
    }

    /// The endpoint a side's policies apply to: the source for egress, the destination for
    /// ingress.
    pub fn subject(&self, d: Direction) -> Party {
        match d {
            Direction::Egress => self.src,
            Direction::Ingress => self.dst,
        }
    }

    /// The other end of a side: what its rules' peers must match.
    pub fn other(&self, d: Direction) -> Party {
        match d {
            Direction::Egress => self.dst,
            Direction::Ingress => self.src,
        }
    }

    /// `shop/deploy/frontend`, an address.
    pub fn name(&self, p: Party) -> String {
        crate::engine::explain::party_name(self.cluster, p)
    }

    /// How a party is selected as a peer.
    pub fn peer(&self, p: Party) -> Option<Sel> {
        sel_of(self.cluster, p, |_| true)
    }

    /// How a party is selected as a Cilium peer (identity labels only).
    pub fn cilium_peer(&self, p: Party) -> Option<Sel> {
        sel_of(self.cluster, p, |k| {
            !crate::model::ir::lower::cilium::filtered_out(k)
        })
    }

    /// A short name for a party, for names of new objects and rules: its workload's name
    /// label (`frontend`), else its name, or its address.
    pub fn short(&self, p: Party) -> String {
        let raw = match p {
            Party::Endpoint(i) => {
                let e = &self.cluster.endpoints[i];
                match choose(self.cluster, i) {
                    Some(c) if e.kind == crate::model::EndpointKind::Pod => c.labels[0].1.clone(),
                    _ => e.name.clone(),
                }
            }
            Party::Address(ip) => ip.to_string(),
        };
        dns_label(&raw)
    }

    /// The port as a name part: its name at the destination, else its number (`udp-53`
    /// for another protocol).
    pub fn port_part(&self) -> String {
        let p = self
            .port
            .name
            .clone()
            .unwrap_or_else(|| self.port.number.to_string());
        match self.port.protocol {
            Protocol::Tcp => dns_label(&p),
            other => dns_label(&format!("{}-{p}", other.as_str())),
        }
    }

    /// A name for a new object: `base`, or `base-2`... when `taken` says it is in use.
    pub fn unique(&self, base: &str, taken: impl Fn(&str) -> bool) -> String {
        let base: String = base.chars().take(60).collect();
        let base = base.trim_end_matches('-').to_string();
        if !taken(&base) {
            return base;
        }
        (2..)
            .map(|n| format!("{base}-{n}"))
            .find(|n| !taken(n))
            .expect("some suffix is free")
    }

    /// A candidate that writes `object` as a new document, under `comment`, in the file
    /// [`Ctx::new_file`] gives for it and in that file's style; `note` is marked as adding a
    /// new object.
    pub fn new_document(
        &self,
        subject: Party,
        name: &str,
        comment: &str,
        object: &Value,
        mut note: EditNote,
        rank: u32,
    ) -> Candidate {
        note.new_object = true;
        let path = self.new_file(subject, name);
        let style = self.style_for(&path, subject);
        new_object(path, document(comment, object, style), note, rank)
    }

    /// Where a new object selecting `subject` goes: the file the user named, else a file of
    /// that name next to the file that holds the subject's workload (the current directory
    /// when that file has no path).
    pub fn new_file(&self, subject: Party, name: &str) -> PathBuf {
        if let Some(f) = self.fix_file {
            return f.to_path_buf();
        }
        let dir = match subject {
            Party::Endpoint(i) => {
                let span = self.cluster.endpoints[i].span;
                self.sources
                    .files()
                    .get(span.file.0 as usize)
                    .and_then(|f| f.path.as_deref())
                    .and_then(Path::parent)
                    .map(Path::to_path_buf)
            }
            Party::Address(_) => None,
        };
        let file = format!("{name}.yaml");
        match dir {
            Some(d) if !d.as_os_str().is_empty() => d.join(file),
            _ => PathBuf::from(file),
        }
    }

    /// The one-line description of the flow, for comments in new objects.
    pub fn flow_text(&self) -> String {
        format!(
            "{} → {} on {}",
            self.name(self.src),
            self.name(self.dst),
            self.port.describe()
        )
    }
}

/// Lower-case letters, digits and dashes, as object and rule names want them.
pub fn dns_label(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

/// How a party is selected.
#[derive(Clone, Debug)]
pub enum Sel {
    /// Pods of a namespace by labels (the labels of their workload).
    Labels {
        /// The namespace.
        ns: String,
        /// The labels.
        choice: Choice,
    },
    /// Every pod of a namespace: the party has no labels that tell its workload apart.
    Namespace {
        /// The namespace.
        ns: String,
    },
    /// Addresses: outside the cluster, or a host-network pod's.
    Addresses(Vec<IpAddr>),
}

fn sel_of(cluster: &Cluster, p: Party, usable: impl Fn(&str) -> bool) -> Option<Sel> {
    match p {
        Party::Address(ip) => Some(Sel::Addresses(vec![ip])),
        Party::Endpoint(i) => {
            let e = &cluster.endpoints[i];
            if e.host_network {
                return (!e.ips.is_empty()).then(|| Sel::Addresses(e.ips.clone()));
            }
            Some(match choose_where(cluster, i, usable) {
                Some(choice) => Sel::Labels {
                    ns: e.namespace.clone(),
                    choice,
                },
                None => Sel::Namespace {
                    ns: e.namespace.clone(),
                },
            })
        }
    }
}

impl Sel {
    /// Whether it selects the workload and nothing else of its namespace.
    pub fn exact(&self) -> bool {
        match self {
            Sel::Labels { choice, .. } => choice.exact(),
            Sel::Namespace { .. } => false,
            Sel::Addresses(_) => true,
        }
    }

    /// `{app=frontend} in shop`, `every pod of namespace shop`, `10.0.0.1/32`.
    pub fn describe(&self) -> String {
        match self {
            Sel::Labels { ns, choice } => {
                format!("pods {{{}}} of namespace {ns}", choice.describe())
            }
            Sel::Namespace { ns } => format!("every pod of namespace {ns}"),
            Sel::Addresses(ips) => {
                let list: Vec<String> = ips.iter().map(|ip| host_cidr(*ip)).collect();
                list.join(", ")
            }
        }
    }

    /// The labels as a `matchLabels` mapping.
    pub fn match_labels(&self) -> Option<Value> {
        match self {
            Sel::Labels { choice, .. } => Some(Value::Object(
                choice
                    .labels
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                    .collect(),
            )),
            _ => None,
        }
    }

    /// The namespace, for pods.
    pub fn namespace(&self) -> Option<&str> {
        match self {
            Sel::Labels { ns, .. } | Sel::Namespace { ns } => Some(ns),
            Sel::Addresses(_) => None,
        }
    }
}

/// `10.0.0.1/32`, `fd00::1/128`.
pub fn host_cidr(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(_) => format!("{ip}/32"),
        IpAddr::V6(_) => format!("{ip}/128"),
    }
}

/// `{matchLabels: {kubernetes.io/metadata.name: NS}}`.
pub fn ns_selector(ns: &str) -> Value {
    json!({"matchLabels": {NAMESPACE_NAME_LABEL: ns}})
}

// ---------------------------------------------------------------------------------------
// Kubernetes NetworkPolicy.

/// The peer of a Kubernetes rule of a policy of namespace `policy_ns` (one item per address).
pub fn k8s_peers(sel: &Sel, policy_ns: &str) -> Vec<Value> {
    match sel {
        Sel::Addresses(ips) => ips
            .iter()
            .map(|ip| json!({"ipBlock": {"cidr": host_cidr(*ip)}}))
            .collect(),
        Sel::Labels { ns, .. } | Sel::Namespace { ns } => {
            let mut m = Map::new();
            if ns != policy_ns {
                m.insert("namespaceSelector".into(), ns_selector(ns));
            }
            let pods = match sel.match_labels() {
                Some(labels) => json!({"matchLabels": labels}),
                None => json!({}),
            };
            m.insert("podSelector".into(), pods);
            vec![Value::Object(m)]
        }
    }
}

/// The port item of a Kubernetes rule: by the destination's name for it when it has one.
pub fn k8s_port(port: &Port, by_name: bool) -> Value {
    let mut m = Map::new();
    if port.protocol != Protocol::Tcp {
        m.insert("protocol".into(), json!(port.protocol.as_str()));
    }
    match (&port.name, by_name) {
        (Some(n), true) => m.insert("port".into(), json!(n)),
        _ => m.insert("port".into(), json!(port.number)),
    };
    Value::Object(m)
}

/// A Kubernetes rule of one direction.
pub fn k8s_rule(d: Direction, peers: Vec<Value>, ports: Vec<Value>) -> Value {
    let mut m = Map::new();
    m.insert(d.peers_field().into(), Value::Array(peers));
    if !ports.is_empty() {
        m.insert("ports".into(), Value::Array(ports));
    }
    Value::Object(m)
}

/// A new Kubernetes NetworkPolicy.
pub fn k8s_policy(
    name: &str,
    ns: &str,
    pod_selector: Value,
    d: Direction,
    rules: Vec<Value>,
) -> Value {
    json!({
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": ns},
        "spec": {
            "podSelector": pod_selector,
            "policyTypes": [d.as_str()],
            d.field(): rules,
        }
    })
}

/// A new object as the text of a document: a comment, then the object in block style.
pub fn document(comment: &str, object: &Value, style: yaml_edit::Style) -> String {
    let mut out = String::new();
    for line in comment.lines() {
        out.push_str("# ");
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(&yaml_edit::block_in(object, 0, style));
    out
}

/// The word before the other end of the flow: `from` on the ingress side, `to` on egress.
pub fn dir_word(d: Direction) -> &'static str {
    match d {
        Direction::Ingress => "from",
        Direction::Egress => "to",
    }
}

/// A candidate that adds a new object in a file.
pub fn new_object(path: PathBuf, text: String, note: EditNote, rank: u32) -> Candidate {
    Candidate {
        patch: Patch {
            edits: Vec::new(),
            new_texts: vec![NewText { path, text }],
        },
        edits: vec![note],
        rank,
    }
}

// ---------------------------------------------------------------------------------------
// Cluster-wide policies (AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy).

/// A peer of a cluster-wide rule (None: it cannot be written, an address as a source).
pub fn cluster_peers(sel: &Sel, d: Direction) -> Option<Vec<Value>> {
    match sel {
        Sel::Addresses(ips) if d == Direction::Egress => {
            let nets: Vec<String> = ips.iter().map(|ip| host_cidr(*ip)).collect();
            Some(vec![json!({"networks": nets})])
        }
        Sel::Addresses(_) => None,
        Sel::Labels { ns, .. } | Sel::Namespace { ns } => {
            let pods = match sel.match_labels() {
                Some(l) => json!({"matchLabels": l}),
                None => json!({}),
            };
            Some(vec![
                json!({"pods": {"namespaceSelector": ns_selector(ns), "podSelector": pods}}),
            ])
        }
    }
}

/// Who must agree to a change of the cluster-wide policy `cp`.
pub fn cluster_owner(cp: &ClusterPolicy) -> String {
    format!(
        "{} is cluster-wide: the cluster's administrators own it",
        cp.label()
    )
}

/// A rule of the cluster-wide policy `cp`, on side `d`, with `action` for exactly the flow
/// (named `<action>-<source>-<destination>-<port>`), and the peer it names.
pub fn cluster_rule(
    ctx: &Ctx,
    d: Direction,
    cp: &ClusterPolicy,
    action: &str,
) -> Option<(Value, Sel)> {
    let sel = ctx.peer(ctx.other(d))?;
    let peers = cluster_peers(&sel, d)?;
    let v1alpha2 = cp.kind == ClusterPolicyKind::Cnp;
    let name = format!(
        "{}-{}-{}-{}",
        action.to_ascii_lowercase(),
        ctx.short(ctx.src),
        ctx.short(ctx.dst),
        ctx.port_part()
    );
    let (ports_key, ports) = cluster_ports(ctx.port, v1alpha2);
    let mut m = Map::new();
    m.insert("name".into(), json!(name));
    m.insert("action".into(), json!(action));
    m.insert(d.peers_field().into(), Value::Array(peers));
    m.insert(ports_key.into(), ports);
    Some((Value::Object(m), sel))
}

/// A candidate that inserts `rule` just before the rule at `rule_span` of the cluster-wide
/// policy `cp` (the rule that decides the flow the other way); `what` is given that rule's
/// label and says what the change does. It needs the cluster's administrators.
pub fn cluster_insert_before(
    ctx: &Ctx,
    d: Direction,
    cp: &ClusterPolicy,
    rule_span: Span,
    rule: &Value,
    what: impl FnOnce(&str) -> String,
    rank: u32,
) -> Option<Candidate> {
    let tree = ctx.tree(rule_span)?;
    let seq = parent_seq(&tree, rule_span)?;
    let label = cp
        .rules(d)
        .iter()
        .find(|r| r.span == rule_span)
        .map_or_else(|| "the rule".to_string(), |r| r.label());
    let mut n = note(
        d,
        ObjectRef {
            kind: cp.kind.kind().into(),
            name: cp.name.clone(),
        },
        what(&label),
    );
    n.needs_owner = Some(cluster_owner(cp));
    Some(Candidate::one(
        ctx.insert_before(seq, rule_span, rule),
        n,
        rank,
    ))
}

/// The ports of a cluster-wide rule: `ports` (v1alpha1) or `protocols` (v1alpha2).
pub fn cluster_ports(port: &Port, v1alpha2: bool) -> (&'static str, Value) {
    if v1alpha2 {
        let proto = port.protocol.as_str().to_ascii_lowercase();
        let item = match &port.name {
            Some(n) => json!({"destinationNamedPort": n}),
            None => json!({proto: {"destinationPort": {"number": port.number}}}),
        };
        return ("protocols", json!([item]));
    }
    let item = match &port.name {
        Some(n) => json!({"namedPort": n}),
        None => json!({"portNumber": {"protocol": port.protocol.as_str(), "port": port.number}}),
    };
    ("ports", json!([item]))
}

// ---------------------------------------------------------------------------------------
// Calico.

/// A Calico selector expression of labels: `app == 'web' && tier == 'api'`.
pub fn calico_selector(labels: &[(String, String)]) -> String {
    let parts: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{k} == '{}'", v.replace('\'', "\\'")))
        .collect();
    parts.join(" && ")
}

/// The entity (`source` or `destination`) of a Calico rule for a party; `global`: in a
/// GlobalNetworkPolicy (selectors see every namespace), else the policy's namespace.
pub fn calico_entity(sel: &Sel, policy_ns: Option<&str>) -> Map<String, Value> {
    let mut m = Map::new();
    match sel {
        Sel::Addresses(ips) => {
            let nets: Vec<String> = ips.iter().map(|ip| host_cidr(*ip)).collect();
            m.insert("nets".into(), json!(nets));
        }
        Sel::Labels { ns, choice } => {
            m.insert("selector".into(), json!(calico_selector(&choice.labels)));
            if policy_ns != Some(ns.as_str()) {
                m.insert(
                    "namespaceSelector".into(),
                    json!(format!("{NAMESPACE_NAME_LABEL} == '{ns}'")),
                );
            }
        }
        Sel::Namespace { ns } => {
            m.insert("selector".into(), json!("all()"));
            if policy_ns != Some(ns.as_str()) {
                m.insert(
                    "namespaceSelector".into(),
                    json!(format!("{NAMESPACE_NAME_LABEL} == '{ns}'")),
                );
            }
        }
    }
    m
}

/// A Calico rule of exactly the flow: `action`, the protocol, the other end as the peer
/// entity and the subject as the local one, the port at the destination.
pub fn calico_rule(
    action: &str,
    d: Direction,
    peer: &Sel,
    local: Option<&Sel>,
    policy_ns: Option<&str>,
    port: &Port,
) -> Value {
    let mut peer_e = calico_entity(peer, policy_ns);
    let mut local_e = local.map_or_else(Map::new, |l| calico_entity(l, policy_ns));
    let port_v = match &port.name {
        Some(n) => json!(n),
        None => json!(port.number),
    };
    let (source, mut destination) = match d {
        Direction::Ingress => (std::mem::take(&mut peer_e), std::mem::take(&mut local_e)),
        Direction::Egress => (std::mem::take(&mut local_e), std::mem::take(&mut peer_e)),
    };
    destination.insert("ports".into(), json!([port_v]));
    let mut m = Map::new();
    m.insert("action".into(), json!(action));
    m.insert("protocol".into(), json!(port.protocol.as_str()));
    if !source.is_empty() {
        m.insert("source".into(), Value::Object(source));
    }
    m.insert("destination".into(), Value::Object(destination));
    Value::Object(m)
}

// ---------------------------------------------------------------------------------------
// Cilium.

/// The peer fields of a Cilium rule for a party (`fromEndpoints`, `toCIDR`...), in a
/// policy of namespace `policy_ns` (None: clusterwide).
pub fn cilium_peer(sel: &Sel, d: Direction, policy_ns: Option<&str>) -> Map<String, Value> {
    let f = |name: &str| match d {
        Direction::Ingress => format!("from{name}"),
        Direction::Egress => format!("to{name}"),
    };
    let mut m = Map::new();
    match sel {
        Sel::Addresses(ips) => {
            let nets: Vec<String> = ips.iter().map(|ip| host_cidr(*ip)).collect();
            m.insert(f("CIDR"), json!(nets));
        }
        Sel::Labels { ns, .. } | Sel::Namespace { ns } => {
            let mut labels = match sel.match_labels() {
                Some(Value::Object(l)) => l,
                _ => Map::new(),
            };
            if policy_ns != Some(ns.as_str()) {
                labels.insert(
                    format!("k8s:{}", crate::model::ir::lower::cilium::POD_NAMESPACE),
                    json!(ns),
                );
            }
            m.insert(f("Endpoints"), json!([{"matchLabels": labels}]));
        }
    }
    m
}

/// `toPorts` of a Cilium rule for the port.
pub fn cilium_ports(port: &Port) -> Value {
    let p = match &port.name {
        Some(n) => n.clone(),
        None => port.number.to_string(),
    };
    json!([{"ports": [{"port": p, "protocol": port.protocol.as_str()}]}])
}

// ---------------------------------------------------------------------------------------
// Objects.

/// The policy objects of the input by reference: where each is (the applied one of its
/// name, else the last).
pub fn object_span(cluster: &Cluster, o: &ObjectRef) -> Option<Span> {
    let last = |it: &mut dyn Iterator<Item = (bool, Span)>| {
        let all: Vec<(bool, Span)> = it.collect();
        all.iter()
            .rev()
            .find(|(applied, _)| *applied)
            .or(all.last())
            .map(|(_, s)| *s)
    };
    if o.kind == "NetworkPolicy" {
        return last(
            &mut cluster
                .policies
                .iter()
                .enumerate()
                .filter(|(_, p)| p.id() == o.name)
                .map(|(i, p)| (cluster.is_applied(i), p.span)),
        );
    }
    if let Some(s) = last(
        &mut cluster
            .cluster_policies
            .iter()
            .enumerate()
            .filter(|(_, p)| p.kind.kind() == o.kind && p.name == o.name)
            .map(|(i, p)| (!cluster.cluster_not_applied.contains_key(&i), p.span)),
    ) {
        return Some(s);
    }
    if let Some(s) = last(
        &mut cluster
            .calico_policies
            .iter()
            .enumerate()
            .filter(|(_, p)| p.kind.title() == o.kind && p.id() == o.name)
            .map(|(i, p)| (cluster.calico_applied(i), p.span)),
    ) {
        return Some(s);
    }
    last(
        &mut cluster
            .cilium_policies
            .iter()
            .enumerate()
            .filter(|(_, p)| p.kind.as_str() == o.kind && p.qualified_name() == o.name)
            .map(|(i, p)| (cluster.cilium_applied(i), p.span)),
    )
}

/// The changed and added objects as the final text has them, in the order of the notes.
pub fn objects_after(
    sources: &SourceMap,
    cluster: &Cluster,
    edits: &[EditNote],
) -> Vec<ObjectText> {
    let mut out: Vec<ObjectText> = Vec::new();
    for e in edits {
        if out.iter().any(|o| o.object == e.object) {
            continue;
        }
        let Some(span) = object_span(cluster, &e.object) else {
            continue;
        };
        let file = sources.file(span.file);
        let end = yaml_edit::content_end(&file.text, span) as usize;
        let text = file.text[span.start as usize..end.max(span.start as usize)].to_string();
        out.push(ObjectText {
            object: e.object.clone(),
            file: file.name.clone(),
            line: file.line_col(span.start).line,
            text,
        });
    }
    out
}

/// The sequence node holding an item (by the item's span), with its span.
pub fn parent_seq(tree: &Tree, item: Span) -> Option<Span> {
    let node = tree.find(item)?;
    let parent = tree.parent(node)?;
    tree.is_seq(parent).then(|| tree.span(parent))
}

/// Adds a list of one item under `key` of a mapping, or appends the item to the list there.
pub fn add_to_list(ctx: &Ctx, tree: &Tree, map: Span, key: &str, item: Value) -> Option<Edit> {
    let text = ctx.text(map.file);
    let node = tree.find(map)?;
    if !tree.is_map(node) && !text[map.start as usize..].starts_with('{') {
        return None;
    }
    match tree.get(node, key) {
        Some(list) if tree.is_seq(list) => Some(ctx.append(tree.span(list), &item)),
        Some(other) => {
            // `key:` with no value, or `key: null`: replace it with the list.
            let v = tree.scalar(other)?;
            crate::load::yaml::is_null_text(v)
                .then(|| null_value(text, tree.span(other), json!([item])))
                .flatten()
        }
        None => Some(ctx.insert_entry(map, key, &json!([item]))),
    }
}

/// Replaces a null value (written or empty) with a value in flow style.
fn null_value(text: &str, span: Span, v: Value) -> Option<Edit> {
    if span.is_empty() || text[span.start as usize..].starts_with(':') {
        // An empty value sits on its `:`: write after it.
        let at = if text[span.start as usize..].starts_with(':') {
            span.start + 1
        } else {
            span.start
        };
        return Some(Edit::insert(
            span.file,
            at,
            format!(" {}", yaml_edit::flow(&v)),
        ));
    }
    Some(yaml_edit::replace_node(text, span, &v))
}
