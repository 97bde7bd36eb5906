//! The smallest verified change that makes one connection allowed ([`fix_allow`]) or denied
//! ([`fix_deny`]): `can-reach FROM TO --port P --fix`.
//!
//! # How a change is found
//! The engine's trace of the connection ([`crate::engine::evaluate`]) says where it is
//! decided: for each side (egress at the source, ingress at the destination), the tier and the
//! rule that denied the port, or the tier whose end action did because nothing allowed it
//! (`allow::Block`); for the opposite question, every rule that allows it, or that no policy
//! isolates the side at all (`deny`). For the first side that answers wrongly, the
//! candidates ([`candidates::Candidate`]) are generated from that point, most specific first:
//! - to allow: add the peer to the rule whose ports already match, or the port to the rule
//!   whose peer already matches; add a rule to a policy that selects the workload; write a
//!   new policy that selects it; for a Deny of a higher tier (AdminNetworkPolicy, a Calico
//!   Deny, a Cilium deny), an exception in that policy, marked as needing its owner;
//! - to deny: narrow every peer that lets the source in with `NotIn` on its workload's label
//!   (adding back, for it, the other ports of the rule), a Deny rule of exactly the flow in
//!   the Calico or cluster-wide policy that allows it, or, where nothing isolates the side, a
//!   new policy isolating it that allows every current source but the flow.
//!
//! Each candidate is applied to the text ([`crate::fix::verify::apply`]), loaded and built
//! again, and diffed against the original cluster; the first whose diff changes nothing but
//! the asked flow (between the replicas of the two workloads, [`proof`]) and that moves the
//! decision on is taken, else the one that changes the fewest other connections. Then the
//! connection is asked again, and the next side fixed, until it answers as asked (a few
//! steps at most). The proposal's proof is the diff of the final text against the original.
//!
//! Invariants: what is shown is what was verified, on the reloaded text; a change that adds
//! a load problem or makes a policy invalid is never proposed; peers are selected by the
//! labels of their workload ([`crate::fix::labels`]), never by pod name or a whole namespace
//! unless nothing narrower exists (then the proposal says what else it opens, and is only
//! taken with `allow_wider`).

mod allow;
pub mod candidates;
mod deny;
pub mod proof;

use std::path::PathBuf;

use crate::base::edit::FileChange;
use crate::base::span::FileId;
use crate::engine::Party;
use crate::engine::explain::{Explanation, explain, party_name};
use crate::fix::verify::{Patched, apply};
use crate::load::LoadOptions;
use crate::load::source::SourceMap;
use crate::model::{BuildOptions, Cluster, Direction, Protocol};
use candidates::{Candidate, Ctx};
pub use proof::{Flow, Proof};

/// What the connection should become.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// Allowed on the port.
    Allow,
    /// Denied on the port.
    Deny,
}

impl Expect {
    /// `allow`, `deny`.
    pub fn as_str(self) -> &'static str {
        match self {
            Expect::Allow => "allow",
            Expect::Deny => "deny",
        }
    }
}

/// The port of the connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Port {
    /// Its protocol.
    pub protocol: Protocol,
    /// Its number at the destination.
    pub number: u16,
    /// The destination's name for it (a container port of that number and protocol), which
    /// a rule writes rather than the number.
    pub name: Option<String>,
}

impl Port {
    /// The port at a destination, named as the destination names it.
    pub fn at(cluster: &Cluster, dst: Party, protocol: Protocol, number: u16) -> Port {
        let name = match dst {
            Party::Endpoint(d) => cluster.endpoints[d]
                .ports
                .iter()
                .find(|c| c.protocol == protocol && c.port == number)
                .and_then(|c| c.name.clone())
                .filter(|n| !n.is_empty()),
            Party::Address(_) => None,
        };
        Port {
            protocol,
            number,
            name,
        }
    }

    /// `TCP 5432`.
    pub fn describe(&self) -> String {
        format!("{} {}", self.protocol, self.number)
    }
}

/// What a fix is asked for.
pub struct Request<'a> {
    /// The files as loaded.
    pub sources: &'a SourceMap,
    /// The cluster they describe.
    pub cluster: &'a Cluster,
    /// How they were loaded.
    pub load: &'a LoadOptions,
    /// How the cluster was built.
    pub build: &'a BuildOptions,
    /// The number of problems loading them had (a fix must not add any).
    pub problems: usize,
    /// The source.
    pub src: Party,
    /// The destination.
    pub dst: Party,
    /// The port, by protocol and number at the destination.
    pub protocol: Protocol,
    /// The port number.
    pub port: u16,
    /// Where new policies go (default: a file next to the workload they select).
    pub fix_file: Option<PathBuf>,
    /// Accept a change that changes more than the flow when nothing narrower exists.
    pub allow_wider: bool,
}

/// How the search ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The connection already answers as asked: nothing to change.
    Already,
    /// A verified change that changes exactly the flow (and the same flow between other
    /// replicas of the two workloads).
    Fixed,
    /// A verified change that also changes other connections, accepted (`allow_wider`).
    Wider,
    /// The narrowest change found also changes other connections (see the proof), and
    /// wider changes were not accepted.
    TooWide,
    /// No change was found.
    None,
}

impl Outcome {
    /// `already`, `fixed`, `wider`, `too-wide`, `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Already => "already",
            Outcome::Fixed => "fixed",
            Outcome::Wider => "wider",
            Outcome::TooWide => "too-wide",
            Outcome::None => "none",
        }
    }

    /// Whether the proposal is a change to apply.
    pub fn is_fix(self) -> bool {
        matches!(self, Outcome::Fixed | Outcome::Wider)
    }
}

/// One object the change edits or adds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EditNote {
    /// The side of the connection the edit is for.
    pub side: Direction,
    /// The object, for identification.
    pub object: ObjectRef,
    /// What the edit does, in words.
    pub what: String,
    /// Whether it adds the object.
    pub new_object: bool,
    /// Why the edit needs the owner of the object (a higher tier's policy), when it does.
    pub needs_owner: Option<String>,
    /// `file:line` of the object: where it is in the input, or, for an added one, where it
    /// will be.
    pub location: String,
}

/// A policy object, as the diff engine keys it: its API kind and `ns/name` (or `name`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ObjectRef {
    /// `NetworkPolicy`, `AdminNetworkPolicy`, `GlobalNetworkPolicy`...
    pub kind: String,
    /// `ns/name` or `name`.
    pub name: String,
}

impl std::fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.kind, self.name)
    }
}

/// An object as the change leaves it: its complete text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectText {
    /// The object.
    pub object: ObjectRef,
    /// The file it is in.
    pub file: String,
    /// Its first line there.
    pub line: u32,
    /// Its text.
    pub text: String,
}

/// The answer: the change, and its proof.
#[derive(Clone, Debug)]
pub struct Proposal {
    /// What was asked.
    pub expect: Expect,
    /// `shop/deploy/frontend`.
    pub from: String,
    /// `shop/sts/db`.
    pub to: String,
    /// The port.
    pub port: Port,
    /// How the search ended.
    pub outcome: Outcome,
    /// The objects changed, one note each, in the order the edits were made.
    pub edits: Vec<EditNote>,
    /// The files before and after.
    pub changes: Vec<FileChange>,
    /// The changed and added objects as they end up.
    pub objects: Vec<ObjectText>,
    /// What the change opens and closes (None when nothing changes).
    pub proof: Option<Proof>,
    /// What else is worth saying (why no change was found, what was left out).
    pub notes: Vec<String>,
}

/// The change that makes `src → dst` allowed on the port.
pub fn fix_allow(req: &Request) -> Proposal {
    search(req, Expect::Allow)
}

/// The change that makes `src → dst` denied on the port.
pub fn fix_deny(req: &Request) -> Proposal {
    search(req, Expect::Deny)
}

/// Most steps (one side, one tier each) a change may take.
const MAX_STEPS: usize = 8;

/// Most candidates tried in one step (by rank: the likeliest to be narrow first). Each is
/// loaded, built and diffed whole.
const MAX_TRIALS: usize = 16;

/// The inputs as changed so far.
struct State<'a> {
    req: &'a Request<'a>,
    /// The last accepted change (None: the original).
    current: Option<Patched>,
    edits: Vec<EditNote>,
    changes: Vec<FileChange>,
}

impl<'a> State<'a> {
    fn sources(&self) -> &SourceMap {
        self.current
            .as_ref()
            .map_or(self.req.sources, |p| &p.sources)
    }

    fn cluster(&self) -> &Cluster {
        self.current
            .as_ref()
            .map_or(self.req.cluster, |p| &p.cluster)
    }

    /// Applies a candidate to the current text and judges the result against the original.
    fn trial(&self, c: &Candidate) -> Result<Trial, String> {
        let patched = apply(self.sources(), &c.patch, self.req.load, self.req.build)
            .map_err(|e| format!("the edit cannot be applied: {e}"))?;
        if patched.problems.len() > self.req.problems {
            let first = patched
                .problems
                .first()
                .map(|p| p.message.clone())
                .unwrap_or_default();
            return Err(format!("the edited text does not load cleanly: {first}"));
        }
        if not_applied(&patched.cluster) > not_applied(self.req.cluster) {
            return Err("the edited policy would be refused by the API server".into());
        }
        Ok(Trial { patched })
    }

    fn accept(&mut self, c: Candidate, t: Trial) {
        let originals = self.req.sources.files().len() as u32;
        for change in &t.patched.changes {
            let same = |x: &FileChange| match change.file {
                Some(FileId(id)) if id < originals => x.file == change.file,
                _ => {
                    x.path.is_some()
                        && x.path == change.path
                        && x.file.is_none_or(|f| f.0 >= originals)
                }
            };
            match self.changes.iter_mut().find(|x| same(x)) {
                Some(x) => x.after = change.after.clone(),
                None => {
                    let mut c = change.clone();
                    if c.file.is_some_and(|f| f.0 >= originals) {
                        c.file = None;
                    }
                    self.changes.push(c);
                }
            }
        }
        self.edits.extend(c.edits);
        self.current = Some(t.patched);
    }
}

/// A candidate applied.
struct Trial {
    patched: Patched,
}

/// How many policies of the input are not applied (invalid or replaced).
fn not_applied(c: &Cluster) -> usize {
    c.not_applied.len()
        + c.cluster_not_applied.len()
        + c.calico_not_applied.len()
        + c.cilium_not_applied.len()
}

/// The same party in another build of the cluster (endpoints by id).
fn same_party(from: &Cluster, to: &Cluster, p: Party) -> Option<Party> {
    match p {
        Party::Address(_) => Some(p),
        Party::Endpoint(i) => {
            let id = from.endpoints[i].id();
            let guess = to.endpoints.get(i).filter(|e| e.id() == id);
            match guess {
                Some(_) => Some(Party::Endpoint(i)),
                None => to
                    .endpoints
                    .iter()
                    .position(|e| e.id() == id)
                    .map(Party::Endpoint),
            }
        }
    }
}

fn wanted(e: &Explanation, expect: Expect) -> bool {
    e.is_allowed() == (expect == Expect::Allow)
}

fn search(req: &Request, expect: Expect) -> Proposal {
    let cluster = req.cluster;
    let port = Port::at(cluster, req.dst, req.protocol, req.port);
    let query = Some((req.protocol, req.port));
    let mut proposal = Proposal {
        expect,
        from: party_name(cluster, req.src),
        to: party_name(cluster, req.dst),
        port: port.clone(),
        outcome: Outcome::None,
        edits: Vec::new(),
        changes: Vec::new(),
        objects: Vec::new(),
        proof: None,
        notes: Vec::new(),
    };
    let first = explain(cluster, req.src, req.dst, query);
    if wanted(&first, expect) {
        proposal.outcome = Outcome::Already;
        return proposal;
    }
    if first.loopback {
        proposal
            .notes
            .push("a pod's connections to itself never leave it: no policy applies to them".into());
        return proposal;
    }
    if let (Party::Address(_), Party::Address(_)) = (req.src, req.dst) {
        proposal
            .notes
            .push("both ends are outside the cluster: no policy applies to the connection".into());
        return proposal;
    }
    let judge = proof::Judge::new(cluster, req.src, req.dst, &port, expect);
    let mut state = State {
        req,
        current: None,
        edits: Vec::new(),
        changes: Vec::new(),
    };
    let mut reached = false;
    for _ in 0..MAX_STEPS {
        let (sources, now) = (state.sources(), state.cluster());
        let (Some(src), Some(dst)) = (
            same_party(cluster, now, req.src),
            same_party(cluster, now, req.dst),
        ) else {
            proposal
                .notes
                .push("an end of the connection went missing after an edit".into());
            break;
        };
        let e = explain(now, src, dst, query);
        if wanted(&e, expect) {
            reached = true;
            break;
        }
        let ctx = Ctx {
            sources,
            cluster: now,
            src,
            dst,
            port: &port,
            fix_file: req.fix_file.as_deref(),
        };
        let (mut cands, notes) = match expect {
            Expect::Allow => allow::candidates(&ctx, &e),
            Expect::Deny => deny::candidates(&ctx, &e),
        };
        for n in notes {
            if !proposal.notes.contains(&n) {
                proposal.notes.push(n);
            }
        }
        cands.sort_by_key(|c| c.rank);
        let mut best: Option<(Candidate, Trial, proof::Verdict)> = None;
        let mut refused = Vec::new();
        for c in cands.into_iter().take(MAX_TRIALS) {
            let t = match state.trial(&c) {
                Ok(t) => t,
                Err(why) => {
                    refused.push(why);
                    continue;
                }
            };
            let after = explain(&t.patched.cluster, src, dst, query);
            if !allow::progress(&e, &after, query, expect) {
                continue;
            }
            let v = judge.verdict(&t.patched.diff(cluster));
            let narrow = v.narrow();
            if best.as_ref().is_none_or(|(_, _, b)| v.extra() < b.extra()) {
                best = Some((c, t, v));
            }
            if narrow {
                break;
            }
        }
        match best {
            Some((c, t, _)) => state.accept(c, t),
            None => {
                if let Some(r) = refused.first() {
                    proposal
                        .notes
                        .push(format!("a candidate was left out: {r}"));
                }
                break;
            }
        }
    }
    let Some(patched) = state.current.as_ref() else {
        return proposal;
    };
    if !reached {
        // The last step may have reached it.
        let (src, dst) = (
            same_party(cluster, &patched.cluster, req.src),
            same_party(cluster, &patched.cluster, req.dst),
        );
        reached = matches!((src, dst), (Some(s), Some(d)) if wanted(&explain(&patched.cluster, s, d, query), expect));
    }
    let diff = patched.diff(cluster);
    let verdict = judge.verdict(&diff);
    if !verdict.narrow() {
        proposal.notes.extend(why_wide(cluster, req));
    }
    proposal.proof = Some(judge.proof(&verdict));
    proposal.objects = candidates::objects_after(&patched.sources, &patched.cluster, &state.edits);
    proposal.edits = state
        .edits
        .iter()
        .map(|e| {
            let mut e = e.clone();
            // An object of the input where it is now; an added one where it will be.
            let before = candidates::object_span(cluster, &e.object)
                .filter(|_| !e.new_object)
                .map(|s| req.sources.file_line(s));
            let after = proposal
                .objects
                .iter()
                .find(|o| o.object == e.object)
                .map(|o| format!("{}:{}", o.file, o.line));
            e.location = before.or(after).unwrap_or_default();
            e
        })
        .collect();
    proposal.changes = std::mem::take(&mut state.changes);
    proposal.outcome = if !reached {
        // Part of the way is no change to show: say what could be done, and stop there.
        let done: Vec<String> = proposal
            .edits
            .iter()
            .map(|e| format!("{} at {}: {}", e.object, e.side, e.what))
            .collect();
        proposal.notes.push(format!(
            "no change found makes the connection {} on {}{}",
            match expect {
                Expect::Allow => "allowed",
                Expect::Deny => "denied",
            },
            port.describe(),
            if done.is_empty() {
                String::new()
            } else {
                format!(" (the part that could be changed: {})", done.join("; "))
            }
        ));
        proposal.edits.clear();
        proposal.changes.clear();
        proposal.objects.clear();
        proposal.proof = None;
        Outcome::None
    } else if verdict.narrow() {
        Outcome::Fixed
    } else if req.allow_wider {
        Outcome::Wider
    } else {
        Outcome::TooWide
    };
    proposal
}

/// Why no change can be exactly as narrow as the flow: an end whose workload no label set
/// tells apart in its namespace.
fn why_wide(cluster: &Cluster, req: &Request) -> Vec<String> {
    let mut out = Vec::new();
    for p in [req.src, req.dst] {
        let Party::Endpoint(i) = p else { continue };
        let e = &cluster.endpoints[i];
        match crate::fix::labels::choose(cluster, i) {
            None if !e.host_network => out.push(format!(
                "{} has no labels that tell its workload apart from the other pods of namespace {}: a selector can only pick every pod there (label it to get a narrower fix)",
                e.id(),
                e.namespace
            )),
            Some(c) if !c.exact() => {
                let others: Vec<String> = c
                    .extra()
                    .iter()
                    .take(5)
                    .map(|&x| cluster.endpoints[x].id())
                    .collect();
                out.push(format!(
                    "the labels of {} ({}) also select {}",
                    e.id(),
                    c.describe(),
                    others.join(", ")
                ));
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests;
