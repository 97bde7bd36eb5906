//! `check --fix` for failing expectations (`expectation-failed`, NP501): the can-reach fixer
//! ([`crate::fix::reach`]) asked for each failing (from, to, port) of an expectation, its
//! verified change turned into an unsafe [`Fix`] that changes connections on purpose.
//!
//! - An expectation that names one party on each side and a port gets the fixer's change
//!   for that connection; one over sets (labels, a CIDR, no port) the changes of the
//!   connections it stands for that fail, one after the other on the text the previous one
//!   left, when there are at most [`MOST_PAIRS`] of them. Otherwise, or when the fixer finds
//!   no change as narrow as the connection, the finding says why in a note: it is never
//!   skipped without a word.
//! - The fixes of every failing expectation are proposed together, in one round of
//!   [`crate::lint::apply`] (through its `propose_changing` hook: only once no fix that must
//!   change nothing is left). The round's combined change is then verified against every
//!   expectation ([`Expectations::verify`]): an expectation that held before the round must
//!   still hold, and one the round fixes must hold after it; when not, the round is refused
//!   with the expectation that broke, and its fixes are tried each alone.
//! - Computing a fix searches and verifies a change (each candidate loaded and built
//!   again), so `check` marks NP501 findings as fixable only with `--fix`, `--diff` or
//!   `--unsafe-fixes`.
//!
//! The glue is here, in the command layer: `lint` does not know the fixers.

use std::cell::RefCell;
use std::hash::{Hash, Hasher};

use crate::base::edit::{Edit, FileChange, NewText, Patch};
use crate::base::span::{FileId, Span};
use crate::engine::Party;
use crate::engine::evaluate::allowed_ports;
use crate::engine::explain::party_name;
use crate::fix::reach::{self, Request};
use crate::fix::verify::{self, Patched};
use crate::lint::apply::{Candidate, State};
use crate::lint::expect::{self, Expectation, Outcome, Verdict};
use crate::lint::fix::{Fix, Safety};
use crate::lint::{Context, Finding, World};
use crate::load::LoadOptions;
use crate::load::source::SourceMap;
use crate::model::{BuildOptions, Cluster, Protocol};

/// Who proposes the fixes, as [`Candidate::of`] names a rule's.
pub const ORIGIN: &str = "NP501 expectation-failed";

/// The most failing connections of one expectation that are fixed automatically.
pub const MOST_PAIRS: usize = 8;

/// The expectations of a check, and how to fix them.
pub struct Expectations<'a> {
    /// Every expectation.
    list: &'a [Expectation],
    /// `file:line` of each.
    lines: Vec<String>,
    /// `file:line:col` of each one's finding.
    shown: Vec<String>,
    /// The span of each one's finding (its first line).
    spans: Vec<Span>,
    default_namespace: &'a str,
    world: World,
    load: &'a LoadOptions,
    build: &'a BuildOptions,
    /// Whether each expectation holds, for the texts of a hash (the last state asked about).
    before: RefCell<Option<(u64, Vec<Option<bool>>)>>,
}

impl<'a> Expectations<'a> {
    /// `sources`: the files the expectations were read from are among them.
    pub fn new(
        list: &'a [Expectation],
        sources: &SourceMap,
        default_namespace: &'a str,
        world: World,
        load: &'a LoadOptions,
        build: &'a BuildOptions,
    ) -> Expectations<'a> {
        let spans: Vec<Span> = list
            .iter()
            .map(|e| expect::first_line(sources, e.span))
            .collect();
        Expectations {
            list,
            lines: list.iter().map(|e| sources.file_line(e.span)).collect(),
            shown: spans
                .iter()
                .map(|&s| sources.location(s).to_string())
                .collect(),
            spans,
            default_namespace,
            world,
            load,
            build,
            before: RefCell::new(None),
        }
    }

    /// Whether there is anything to fix or to verify.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    fn context<'c>(
        &'c self,
        cluster: &'c Cluster,
        sources: &'c SourceMap,
        problems: &'c [crate::load::Problem],
    ) -> Context<'c> {
        let mut cx = Context::new(cluster, sources, problems);
        cx.expectations = self.list;
        cx.default_namespace = self.default_namespace;
        cx.world = self.world;
        cx
    }

    /// The fixes of the failing expectations of a state of the manifests, for a round.
    pub fn candidates(&self, state: &State) -> Vec<Candidate> {
        let cx = self.context(&state.cluster, &state.sources, &state.problems);
        let mut out = Vec::new();
        for (i, outcome) in cx.expectation_outcomes().iter().enumerate() {
            if !fails(outcome) {
                continue;
            }
            if let Ok(fix) = self.fix(&cx, i, &state.sources, state.problems.len()) {
                out.push(Candidate {
                    origin: ORIGIN.to_string(),
                    span: self.spans[i],
                    fix,
                    at: Some(self.shown[i].clone()),
                });
            }
        }
        out
    }

    /// Gives the NP501 findings of `cx` their fix, or a note saying why they have none.
    /// `manifests`: the files of `cx.sources` that are manifests (the first ones); `problems`:
    /// how many problems loading them had. Each fix is verified alone against every
    /// expectation.
    pub fn attach(&self, cx: &Context, manifests: usize, findings: &mut [Finding]) {
        if self.list.is_empty() || !findings.iter().any(|f| f.rule.code == "NP501") {
            return;
        }
        let mut sources = SourceMap::default();
        for f in &cx.sources.files()[..manifests] {
            sources.add(crate::load::source::SourceFile::new(
                f.name.clone(),
                f.path.clone(),
                f.text.clone(),
            ));
        }
        let held: Vec<Option<bool>> = cx.expectation_outcomes().iter().map(holds).collect();
        for (i, outcome) in cx.expectation_outcomes().iter().enumerate() {
            if !fails(outcome) {
                continue;
            }
            let Some(f) = findings
                .iter_mut()
                .find(|f| f.rule.code == "NP501" && f.span == self.spans[i] && f.fix.is_none())
            else {
                continue;
            };
            let fix = self
                .fix(cx, i, &sources, cx.problems.len())
                .and_then(|fix| {
                    let patched = verify::apply(&sources, &fix.patch, self.load, self.build)
                        .map_err(|e| format!("its edits do not apply: {e}"))?;
                    self.judge(&held, &patched, &[i])?;
                    Ok(fix)
                });
            match fix {
                Ok(fix) => f.fix = Some(fix),
                Err(why) => f
                    .notes
                    .insert(0, format!("not fixable automatically: {why}")),
            }
        }
    }

    /// Verifies a round's combined change against every expectation (the hook of
    /// [`crate::lint::apply::Hooks::verify`]): one that held before the round must hold
    /// after it, and one the round fixes must hold. Err: which expectation broke.
    pub fn verify(
        &self,
        before: &State,
        after: &Patched,
        batch: &[&Candidate],
    ) -> Result<(), String> {
        let key = fingerprint(&before.sources);
        let held = {
            let mut cache = self.before.borrow_mut();
            match cache.as_ref() {
                Some((k, h)) if *k == key => h.clone(),
                _ => {
                    let cx = self.context(&before.cluster, &before.sources, &before.problems);
                    let h: Vec<Option<bool>> =
                        cx.expectation_outcomes().iter().map(holds).collect();
                    *cache = Some((key, h.clone()));
                    h
                }
            }
        };
        let fixed: Vec<usize> = batch
            .iter()
            .filter(|c| c.origin == ORIGIN)
            .filter_map(|c| self.spans.iter().position(|&s| s == c.span))
            .collect();
        self.judge(&held, after, &fixed)
    }

    /// Err when, after the change, an expectation that held (`holds`) no longer does, or one
    /// of `fixed` still fails.
    fn judge(&self, held: &[Option<bool>], after: &Patched, fixed: &[usize]) -> Result<(), String> {
        let cx = self.context(&after.cluster, &after.sources, &after.problems);
        let now: Vec<Option<bool>> = cx.expectation_outcomes().iter().map(holds).collect();
        for (i, e) in self.list.iter().enumerate() {
            if held[i] == Some(true) && now[i] != Some(true) {
                return Err(format!(
                    "it would break the expectation `{}` ({}), which holds now",
                    e.describe(),
                    self.lines[i]
                ));
            }
        }
        for &i in fixed {
            if now[i] != Some(true) {
                return Err(format!(
                    "the expectation `{}` ({}) would still fail",
                    self.list[i].describe(),
                    self.lines[i]
                ));
            }
        }
        Ok(())
    }

    /// The fix of expectation `i`, failing in `cx` (whose cluster `sources`, the manifests,
    /// describe). Err: why there is none.
    fn fix(
        &self,
        cx: &Context,
        i: usize,
        sources: &SourceMap,
        problems: usize,
    ) -> Result<Fix, String> {
        let e = &self.list[i];
        let cluster = cx.cluster;
        let (pairs, total) = expect::failing_pairs(cx, e, MOST_PAIRS + 1)
            .ok_or_else(|| "a side of it matches nothing".to_string())?;
        if total > MOST_PAIRS {
            return Err(format!(
                "it stands for {total} failing connections, more than the {MOST_PAIRS} fixed automatically: fix them one by one with `kubectl netpol can-reach FROM TO --port PORT --fix`, or narrow the expectation"
            ));
        }
        let mut connections: Vec<(Party, Party, Protocol, u16)> = Vec::new();
        for (src, dst, query) in pairs {
            match query {
                Err(why) => return Err(why),
                Ok(Some((p, n))) => connections.push((src, dst, p, n)),
                Ok(None) => connections.extend(
                    ports_of(cluster, e.expect, src, dst)?
                        .into_iter()
                        .map(|(p, n)| (src, dst, p, n)),
                ),
            }
        }
        if connections.len() > MOST_PAIRS {
            return Err(format!(
                "it stands for {} failing connections (every port counts), more than the {MOST_PAIRS} fixed automatically: give the expectation a port",
                connections.len()
            ));
        }
        let mut current: Option<Patched> = None;
        for (src, dst, protocol, port) in connections {
            let (now_sources, now_cluster, now_problems) = match &current {
                Some(p) => (&p.sources, &p.cluster, p.problems.len()),
                None => (sources, cluster, problems),
            };
            let (Some(src), Some(dst)) = (
                same_party(cluster, now_cluster, src),
                same_party(cluster, now_cluster, dst),
            ) else {
                return Err("an end of the connection went missing after an edit".into());
            };
            let req = Request {
                sources: now_sources,
                cluster: now_cluster,
                load: self.load,
                build: self.build,
                problems: now_problems,
                src,
                dst,
                protocol,
                port,
                fix_file: None,
                allow_wider: false,
            };
            let proposal = match e.expect {
                Verdict::Allow => reach::fix_allow(&req),
                Verdict::Deny => reach::fix_deny(&req),
            };
            let asked = format!(
                "kubectl netpol can-reach {} {} --port {port}/{protocol}{} --fix",
                party_name(now_cluster, src),
                party_name(now_cluster, dst),
                match e.expect {
                    Verdict::Allow => "",
                    Verdict::Deny => " --expect deny",
                }
            );
            match proposal.outcome {
                reach::Outcome::Already => continue,
                reach::Outcome::Fixed => {}
                reach::Outcome::TooWide | reach::Outcome::Wider => {
                    return Err(format!(
                        "the narrowest change found also changes other connections (`{asked}` shows it)"
                    ));
                }
                reach::Outcome::None => {
                    let why = proposal
                        .notes
                        .last()
                        .cloned()
                        .unwrap_or_else(|| "no change was found".into());
                    return Err(format!("{why} (`{asked}`)"));
                }
            }
            let patch = patch_between(now_sources, &proposal.changes);
            let patched = verify::apply(now_sources, &patch, self.load, self.build)
                .map_err(|e| format!("the change does not apply: {e}"))?;
            current = Some(patched);
        }
        let Some(last) = current else {
            return Err("no connection of it needs a change".into());
        };
        let changes = crate::lint::apply::changes(sources, &last.sources);
        let verb = match e.expect {
            Verdict::Allow => "allow",
            Verdict::Deny => "deny",
        };
        // The file by its name alone: the finding says where it is.
        let line = self.lines[i].rsplit('/').next().unwrap_or(&self.lines[i]);
        let title = format!("{verb} {} ({line})", e.describe());
        Ok(
            Fix::patch(Safety::Unsafe, title, patch_between(sources, &changes))
                .changing_connections(),
        )
    }
}

/// Whether an expectation's outcome is a failure.
fn fails(o: &Outcome) -> bool {
    matches!(o, Outcome::Checked { failing, .. } if *failing > 0)
}

/// Whether an expectation holds (None: a side matches nothing).
fn holds(o: &Outcome) -> Option<bool> {
    match o {
        Outcome::Checked { failing, .. } => Some(*failing == 0),
        Outcome::Unmatched(_) => None,
    }
}

/// A hash of the texts.
fn fingerprint(sources: &SourceMap) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for f in sources.files() {
        f.name.hash(&mut h);
        f.text.hash(&mut h);
    }
    h.finish()
}

/// The ports of a connection an expectation without one stands for: to allow, the one port
/// the destination declares; to deny, every port allowed now, when they are few.
fn ports_of(
    cluster: &Cluster,
    verdict: Verdict,
    src: Party,
    dst: Party,
) -> Result<Vec<(Protocol, u16)>, String> {
    match verdict {
        Verdict::Allow => {
            let declared: Vec<(Protocol, u16)> = match dst {
                Party::Endpoint(d) => {
                    let mut v: Vec<(Protocol, u16)> = cluster.endpoints[d]
                        .ports
                        .iter()
                        .map(|c| (c.protocol, c.port))
                        .collect();
                    v.sort();
                    v.dedup();
                    v
                }
                Party::Address(_) => Vec::new(),
            };
            match declared.as_slice() {
                [one] => Ok(vec![*one]),
                _ => Err(format!(
                    "it names no port, and {} declares {}: which to allow is a guess (give the expectation a port)",
                    party_name(cluster, dst),
                    if declared.is_empty() {
                        "none".to_string()
                    } else {
                        format!("{}", declared.len())
                    }
                )),
            }
        }
        Verdict::Deny => {
            let allowed = allowed_ports(cluster, src, dst);
            if allowed.count() > MOST_PAIRS as u64 {
                return Err(format!(
                    "it names no port, and {} ports are allowed from {} to {}: give the expectation a port",
                    allowed.count(),
                    party_name(cluster, src),
                    party_name(cluster, dst)
                ));
            }
            let mut out = Vec::new();
            for p in [Protocol::Tcp, Protocol::Udp, Protocol::Sctp] {
                for &(from, to) in allowed.ranges(p) {
                    out.extend((from..=to).map(|n| (p, n)));
                }
            }
            Ok(out)
        }
    }
}

/// The same party in another build of the cluster (endpoints by id).
fn same_party(from: &Cluster, to: &Cluster, p: Party) -> Option<Party> {
    match p {
        Party::Address(_) => Some(p),
        Party::Endpoint(i) => {
            let id = from.endpoints[i].id();
            if to.endpoints.get(i).is_some_and(|e| e.id() == id) {
                return Some(p);
            }
            to.endpoints
                .iter()
                .position(|e| e.id() == id)
                .map(Party::Endpoint)
        }
    }
}

/// The patch that turns `sources` into the texts after `changes`: for each loaded file, an
/// edit per run of changed lines (so that fixes of other lines do not overlap it); a new
/// file, or documents appended to a file that is not loaded, as new text.
pub fn patch_between(sources: &SourceMap, changes: &[FileChange]) -> Patch {
    let mut patch = Patch::default();
    for c in changes {
        let loaded = c
            .file
            .filter(|f| (f.0 as usize) < sources.files().len())
            .or_else(|| {
                sources
                    .files()
                    .iter()
                    .position(|f| f.path.is_some() && f.path == c.path)
                    .map(|k| FileId(k as u32))
            });
        match loaded {
            Some(file) => {
                let before = &*sources.file(file).text;
                patch.edits.extend(line_edits(file, before, &c.after));
            }
            None => {
                let Some(path) = c.path.clone() else { continue };
                let text = c
                    .after
                    .strip_prefix(c.before.as_str())
                    .unwrap_or(&c.after)
                    .trim_start_matches(['\r', '\n'])
                    .to_string();
                patch.new_texts.push(NewText { path, text });
            }
        }
    }
    patch
}

/// The edits that turn `before` into `after`, one per run of changed lines.
fn line_edits(file: FileId, before: &str, after: &str) -> Vec<Edit> {
    use similar::{DiffTag, TextDiff};
    let diff = TextDiff::from_lines(before, after);
    let starts = |lines: &[&str]| {
        let mut v = Vec::with_capacity(lines.len() + 1);
        let mut at = 0usize;
        v.push(0);
        for l in lines {
            at += l.len();
            v.push(at);
        }
        v
    };
    let old = starts(diff.old_slices());
    let new = starts(diff.new_slices());
    diff.ops()
        .iter()
        .filter_map(|op| {
            let (tag, o, n) = op.as_tag_tuple();
            (tag != DiffTag::Equal).then(|| Edit {
                file,
                start: old[o.start] as u32,
                end: old[o.end] as u32,
                text: after[new[n.start]..new[n.end]].to_string(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_edits_rebuild_the_text() {
        let before = "a\nb\nc\nd\n";
        let after = "a\nB\nc\nx\nd\ne";
        let edits = line_edits(FileId(0), before, after);
        assert_eq!(edits.len(), 3, "{edits:?}");
        let patch = Patch {
            edits,
            new_texts: Vec::new(),
        };
        let changes = patch
            .apply(|_| ("f", None, before), |_| None)
            .expect("applies");
        assert_eq!(changes[0].after, after);
    }
}
