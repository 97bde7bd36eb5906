//! Applying fixes (`check --fix`, `--diff`): in rounds, as ruff does, each round verified on
//! the text it would write.
//!
//! A round asks for the fixes of the current texts ([`Candidate`]s: a rule's finding's
//! [`Fix`], or one from elsewhere — the caller's `propose` decides), keeps those of the
//! selected safety, and takes the ones whose edits touch no other's, in file order. Fixes
//! that must change no connection go first, in rounds of their own; fixes whose purpose is to
//! change connections only once none of those is left, so that each kind is judged alone.
//! The round's patch is applied to the texts, which are loaded and built again
//! ([`crate::fix::verify`]): a fix must add no problem to the input (a text that no longer
//! reads, a field the API server refuses), must leave a JSON file JSON, and a fix that does
//! not say changing connections is its purpose must leave every connection as it was
//! (`engine::diff`). When the round as a whole fails,
//! each of its fixes is tried alone: the ones failing alone are refused, and said why (`it
//! would change 3 connections`), the others applied. Then the next round starts from the
//! patched texts, where the findings (and their fixes) are found again: a fix that another
//! overlapped, or that only applies once another did, is taken then. Rounds stop when no fix
//! is left, or after [`Options::max_rounds`].
//!
//! A caller may add [`Hooks`]: candidates that change connections and are costly to find
//! (the fixes of failing expectations, `src/cli/check_fix.rs`), asked for only once no fix
//! that must change nothing is left, and a check of every round that changes connections
//! (that every expectation holding before still holds): a round failing it is refused as
//! above, its fixes then tried each alone.
//!
//! Positions in what is reported (`at`) are those of the texts before the first round, so
//! that they point where the user's files said it when `check` started. A fix refused once is
//! not proposed again (it is known by its origin, title and that first position).

use std::collections::HashSet;

use crate::base::edit::{Edit, FileChange, Patch, PatchError};
use crate::base::span::{FileId, Span};
use crate::engine::diff::Diff;
use crate::fix::verify::{self, Patched};
use crate::lint::Finding;
use crate::lint::fix::{Fix, Safety};
use crate::load::source::{SourceFile, SourceMap};
use crate::load::{LoadOptions, Problem};
use crate::model::{BuildOptions, Cluster};

/// A fix proposed for a round.
#[derive(Clone, Debug)]
pub struct Candidate {
    /// Who proposes it: `NP201 ignored-ingress-rules`, or another fixer's name.
    pub origin: String,
    /// Where the finding it remedies is, in the texts of the round.
    pub span: Span,
    /// The fix.
    pub fix: Fix,
    /// `file:line:col` of the finding, when it is not in the texts being fixed (an
    /// expectations file); None: found from `span`.
    pub at: Option<String>,
}

impl Candidate {
    /// The fix of a finding, when it has one.
    pub fn of(f: &Finding) -> Option<Candidate> {
        Some(Candidate {
            origin: format!("{} {}", f.rule.code, f.rule.name),
            span: f.span,
            fix: f.fix.clone()?,
            at: None,
        })
    }
}

/// The texts of a round, loaded and built.
pub struct State {
    /// The manifests.
    pub sources: SourceMap,
    /// The cluster they describe.
    pub cluster: Cluster,
    /// The problems of reading them.
    pub problems: Vec<Problem>,
}

impl State {
    /// Loads and builds `sources` as every round will (so that the first round compares
    /// like with like).
    pub fn load(sources: &SourceMap, load: &LoadOptions, build: &BuildOptions) -> State {
        let patched =
            verify::apply(sources, &Patch::default(), load, build).expect("an empty patch applies");
        State::from(patched)
    }
}

impl From<Patched> for State {
    fn from(p: Patched) -> State {
        State {
            sources: p.sources,
            cluster: p.cluster,
            problems: p.problems,
        }
    }
}

/// How to apply.
pub struct Options<'a> {
    /// Also apply unsafe fixes.
    pub unsafe_fixes: bool,
    /// The most rounds.
    pub max_rounds: usize,
    /// How the texts are read (as they were at first).
    pub load: &'a LoadOptions,
    /// How the cluster is built (as it was at first).
    pub build: &'a BuildOptions,
}

/// The most rounds `check --fix` runs.
pub const MAX_ROUNDS: usize = 10;

/// A fix applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    /// Who proposed it.
    pub origin: String,
    /// What it does.
    pub title: String,
    /// Safe or unsafe.
    pub safety: Safety,
    /// Whether changing connections is its purpose.
    pub changes_connections: bool,
    /// `file:line:col` of its finding, in the texts as they were.
    pub at: String,
}

/// A fix not applied, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    /// Who proposed it.
    pub origin: String,
    /// What it does.
    pub title: String,
    /// `file:line:col` of its finding, in the texts as they were.
    pub at: String,
    /// Why: `it would change 3 connections`.
    pub why: String,
}

impl Refused {
    /// `fix of NP304 duplicate-rule at a.yaml:13:5 (delete shop/web ingress[1]) was not
    /// applied: it would change 2 connections`.
    pub fn line(&self) -> String {
        format!(
            "fix of {} at {} ({}) was not applied: {}",
            self.origin, self.at, self.title, self.why
        )
    }
}

/// What applying did.
pub struct Outcome {
    /// Every file changed, from its text before the first round to its text after the last.
    pub changes: Vec<FileChange>,
    /// The fixes applied, in order.
    pub applied: Vec<Applied>,
    /// The fixes refused.
    pub refused: Vec<Refused>,
    /// Rounds that applied something.
    pub rounds: usize,
    /// Whether fixes were still proposed when the rounds ran out.
    pub unfinished: bool,
    /// What the applied fixes changed in connections, when one of them was meant to (None
    /// otherwise: every round was verified to change none).
    pub diff: Option<Diff>,
    /// The texts after the last round.
    pub state: State,
}

/// The identity of a fix across rounds: who, what, and where in the first texts.
type Key = (String, String, FileId, u32);

/// A candidate of a round, with its identity and where its finding was at first.
#[derive(Clone)]
struct Proposed {
    key: Key,
    shown: String,
    c: Candidate,
}

fn refuse(refused: &mut Vec<Refused>, keys: &mut HashSet<Key>, p: Proposed, why: String) {
    keys.insert(p.key);
    refused.push(Refused {
        origin: p.c.origin,
        title: p.c.fix.title,
        at: p.shown,
        why,
    });
}

/// Applies fixes in rounds, starting from `first`; `propose` gives the candidates of a state.
pub fn run(first: State, opts: &Options, propose: impl FnMut(&State) -> Vec<Candidate>) -> Outcome {
    run_with(first, opts, propose, Hooks::default())
}

/// Verifies a round's combined change beyond what [`run`] does itself: the texts before the
/// round, after it, and the round's candidates. Err: why the change is refused.
pub type Verify<'h> = &'h dyn Fn(&State, &Patched, &[&Candidate]) -> Result<(), String>;

/// A source of candidates for [`Hooks::propose_changing`].
pub type Propose<'h> = &'h mut dyn FnMut(&State) -> Vec<Candidate>;

/// What a caller adds to the rounds of [`run`].
#[derive(Default)]
pub struct Hooks<'h> {
    /// Candidates that change connections on purpose and are costly to find (the fixes of
    /// failing expectations): asked for only in a round where no fix that must change
    /// nothing is left, beside those of `propose`.
    pub propose_changing: Option<Propose<'h>>,
    /// A check of every round's combined change that changes connections (and of each of
    /// its fixes alone when the whole fails), after [`run`]'s own.
    pub verify: Option<Verify<'h>>,
}

/// [`run`], with the caller's [`Hooks`].
pub fn run_with(
    first: State,
    opts: &Options,
    mut propose: impl FnMut(&State) -> Vec<Candidate>,
    mut hooks: Hooks,
) -> Outcome {
    let mut history: Vec<Vec<Edit>> = Vec::new();
    let mut state: Option<State> = None;
    let mut applied: Vec<Applied> = Vec::new();
    let mut refused: Vec<Refused> = Vec::new();
    let mut refused_keys: HashSet<Key> = HashSet::new();
    let mut rounds = 0;
    let mut unfinished = false;
    loop {
        let current = state.as_ref().unwrap_or(&first);
        let mut candidates = proposed(
            propose(current),
            current,
            &first,
            &history,
            &refused_keys,
            opts,
        );
        if let Some(more) = hooks.propose_changing.as_mut()
            && candidates.iter().all(|p| p.c.fix.changes_connections)
        {
            let more = proposed(
                more(current),
                current,
                &first,
                &history,
                &refused_keys,
                opts,
            );
            candidates.extend(more);
        }
        if candidates.is_empty() {
            break;
        }
        if rounds == opts.max_rounds {
            unfinished = true;
            break;
        }
        candidates.sort_by_key(|p| first_offset(&p.c));
        // Fixes that must change nothing first, alone.
        let neutral = candidates.iter().any(|p| !p.c.fix.changes_connections);
        candidates.retain(|p| p.c.fix.changes_connections != neutral);
        let batch = disjoint(candidates);
        let (accepted, patched) = match verified(current, &batch, opts, hooks.verify) {
            Ok(patched) => (batch, Some(patched)),
            Err(why) if batch.len() == 1 => {
                let p = batch.into_iter().next().expect("one");
                refuse(&mut refused, &mut refused_keys, p, why);
                (Vec::new(), None)
            }
            Err(_) => {
                // Each alone: refuse those failing alone, keep the others.
                let mut alone: Vec<(Proposed, Patched)> = Vec::new();
                for p in batch {
                    match verified(current, std::slice::from_ref(&p), opts, hooks.verify) {
                        Ok(patched) => alone.push((p, patched)),
                        Err(why) => refuse(&mut refused, &mut refused_keys, p, why),
                    }
                }
                let together: Vec<Proposed> = alone.iter().map(|(p, _)| p.clone()).collect();
                match together.len() {
                    0 => (Vec::new(), None),
                    1 => {
                        let (p, patched) = alone.pop().expect("one");
                        (vec![p], Some(patched))
                    }
                    _ => match verified(current, &together, opts, hooks.verify) {
                        Ok(patched) => (together, Some(patched)),
                        // They interact: the first alone this round, the others later.
                        Err(_) => {
                            let (p, patched) = alone.swap_remove(0);
                            (vec![p], Some(patched))
                        }
                    },
                }
            }
        };
        let Some(patched) = patched else {
            continue;
        };
        rounds += 1;
        let mut edits: Vec<Edit> = Vec::new();
        for p in accepted {
            edits.extend(p.c.fix.patch.edits.iter().cloned());
            applied.push(Applied {
                origin: p.c.origin,
                title: p.c.fix.title,
                safety: p.c.fix.safety,
                changes_connections: p.c.fix.changes_connections,
                at: p.shown,
            });
        }
        history.push(edits);
        state = Some(State::from(patched));
    }
    let last = state.unwrap_or_else(|| first_copy(&first));
    let changes = changes(&first.sources, &last.sources);
    let diff = applied
        .iter()
        .any(|a| a.changes_connections)
        .then(|| Diff::compute(&first.cluster, &last.cluster));
    Outcome {
        changes,
        applied,
        refused,
        rounds,
        unfinished,
        diff,
        state: last,
    }
}

/// The candidates of a round that apply, with their identity, less those refused before.
fn proposed(
    list: Vec<Candidate>,
    current: &State,
    first: &State,
    history: &[Vec<Edit>],
    refused_keys: &HashSet<Key>,
    opts: &Options,
) -> Vec<Proposed> {
    list.into_iter()
        .filter(|c| c.fix.applies(opts.unsafe_fixes) && !c.fix.patch.is_empty())
        .map(|mut c| {
            normalize_line_breaks(&mut c.fix.patch, &current.sources);
            let offset = map_back(history, c.span.file, c.span.start);
            let shown = if let Some(at) = &c.at {
                at.clone()
            } else if (c.span.file.0 as usize) < first.sources.files().len() {
                let span = Span::new(c.span.file, offset, offset);
                first.sources.location(span).to_string()
            } else {
                current.sources.location(c.span).to_string()
            };
            let key = (c.origin.clone(), c.fix.title.clone(), c.span.file, offset);
            Proposed { key, shown, c }
        })
        .filter(|p| !refused_keys.contains(&p.key))
        .collect()
}

/// A state with the same texts (what the last state is when no round applied anything).
fn first_copy(first: &State) -> State {
    State {
        sources: copy(&first.sources),
        cluster: first.cluster.clone(),
        problems: first.problems.clone(),
    }
}

/// A copy of a source map (its texts are shared).
pub fn copy(sources: &SourceMap) -> SourceMap {
    let mut out = SourceMap::default();
    for f in sources.files() {
        out.add(SourceFile::new(
            f.name.clone(),
            f.path.clone(),
            f.text.clone(),
        ));
    }
    out
}

/// Where a candidate's first edit is, for file order.
fn first_offset(c: &Candidate) -> (FileId, u32) {
    c.fix
        .patch
        .edits
        .iter()
        .map(|e| (e.file, e.start))
        .min()
        .unwrap_or((c.span.file, c.span.start))
}

/// The candidates, in order, whose edits touch none of an earlier one's (edits that only
/// meet at one offset count as touching: which goes first would be a guess).
fn disjoint(candidates: Vec<Proposed>) -> Vec<Proposed> {
    let mut taken: Vec<(FileId, u32, u32)> = Vec::new();
    let mut paths: Vec<std::path::PathBuf> = Vec::new();
    let mut out = Vec::new();
    for p in candidates {
        let c = &p.c;
        let ranges: Vec<(FileId, u32, u32)> = c
            .fix
            .patch
            .edits
            .iter()
            .map(|e| (e.file, e.start, e.end))
            .collect();
        let clash = ranges.iter().any(|&(f, s, e)| {
            taken
                .iter()
                .any(|&(tf, ts, te)| tf == f && s <= te && ts <= e)
        }) || c
            .fix
            .patch
            .new_texts
            .iter()
            .any(|n| paths.contains(&n.path));
        if clash {
            continue;
        }
        taken.extend(ranges);
        paths.extend(c.fix.patch.new_texts.iter().map(|n| n.path.clone()));
        out.push(p);
    }
    out
}

/// Applies the candidates together to the state's texts and verifies the result. Err: why
/// it is refused.
fn verified(
    state: &State,
    batch: &[Proposed],
    opts: &Options,
    verify: Option<Verify>,
) -> Result<Patched, String> {
    let mut patch = Patch::default();
    for p in batch {
        patch.extend(p.c.fix.patch.clone());
    }
    let patched = verify::apply(&state.sources, &patch, opts.load, opts.build)
        .map_err(|e: PatchError| format!("its edits do not apply: {e}"))?;
    // Edits are written in YAML's flow style: a JSON file must stay JSON.
    if let Some(c) = patched.changes.iter().find(|c| {
        serde_json::from_str::<serde_json::Value>(&c.before).is_ok()
            && serde_json::from_str::<serde_json::Value>(&c.after).is_err()
    }) {
        return Err(format!("{} would no longer be JSON", c.name));
    }
    if let Some(p) = added_problems(&state.problems, &patched.problems).first() {
        return Err(format!(
            "the input would not read as it does: {}",
            p.render(&patched.sources)
        ));
    }
    if batch.iter().any(|p| !p.c.fix.changes_connections) {
        let diff = patched.diff(&state.cluster);
        if !diff.is_empty() {
            let n = diff.connections.len();
            return Err(format!(
                "it would change {n} connection{}",
                if n == 1 { "" } else { "s" }
            ));
        }
    }
    if let Some(verify) = verify
        && batch.iter().any(|p| p.c.fix.changes_connections)
    {
        let candidates: Vec<&Candidate> = batch.iter().map(|p| &p.c).collect();
        verify(state, &patched, &candidates)?;
    }
    Ok(patched)
}

/// Problems of `after` that `before` does not have (compared by field path and message:
/// their places move with the edits).
fn added_problems<'a>(before: &[Problem], after: &'a [Problem]) -> Vec<&'a Problem> {
    let mut old: Vec<(&str, &str)> = before
        .iter()
        .map(|p| (p.path.as_str(), p.message.as_str()))
        .collect();
    after
        .iter()
        .filter(|p| {
            match old
                .iter()
                .position(|&(path, m)| path == p.path && m == p.message)
            {
                Some(i) => {
                    old.swap_remove(i);
                    false
                }
                None => true,
            }
        })
        .collect()
}

/// Line breaks of new text as the file writes them (`\r\n` in a file that does).
fn normalize_line_breaks(patch: &mut Patch, sources: &SourceMap) {
    for e in &mut patch.edits {
        if (e.file.0 as usize) < sources.files().len()
            && sources.file(e.file).text.contains("\r\n")
            && e.text.contains('\n')
        {
            e.text = e.text.replace("\r\n", "\n").replace('\n', "\r\n");
        }
    }
}

/// The offset in the first texts that an offset of the texts after the rounds of `history`
/// stands for (a place inside inserted text maps to where it was inserted).
fn map_back(history: &[Vec<Edit>], file: FileId, offset: u32) -> u32 {
    let mut q = i64::from(offset);
    for round in history.iter().rev() {
        let mut edits: Vec<&Edit> = round.iter().filter(|e| e.file == file).collect();
        edits.sort_by_key(|e| (e.start, e.end));
        let mut shift: i64 = 0;
        let mut mapped = None;
        for e in edits {
            let start_after = i64::from(e.start) + shift;
            if q < start_after {
                break;
            }
            let len = e.text.len() as i64;
            if q < start_after + len {
                mapped = Some(i64::from(e.start));
                break;
            }
            shift += len - i64::from(e.end - e.start);
        }
        q = mapped.unwrap_or(q - shift);
    }
    q.max(0) as u32
}

/// The files whose text differs between two source maps (the later may hold new files).
pub fn changes(before: &SourceMap, after: &SourceMap) -> Vec<FileChange> {
    let mut out = Vec::new();
    for (i, f) in after.files().iter().enumerate() {
        let old = before.files().get(i);
        let before_text = match old {
            Some(o) => o.text.to_string(),
            None => f
                .path
                .as_ref()
                .and_then(|p| std::fs::read_to_string(p).ok())
                .unwrap_or_default(),
        };
        if before_text == *f.text {
            continue;
        }
        out.push(FileChange {
            name: f.name.clone(),
            path: f.path.clone(),
            file: old.map(|_| FileId(i as u32)),
            before: before_text,
            after: f.text.to_string(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_back_through_rounds() {
        let f = FileId(0);
        // Round 1 in "abcdef": replace "b" (1..2) with "XYZ", delete "e" (4..5).
        // After: "aXYZcdf". Round 2: insert "!" at 0: "!aXYZcdf".
        let history = vec![
            vec![
                Edit::replace(Span::new(f, 1, 2), "XYZ"),
                Edit::delete(Span::new(f, 4, 5)),
            ],
            vec![Edit::insert(f, 0, "!")],
        ];
        // "c" is at 5 after both rounds, at 2 before.
        assert_eq!(map_back(&history, f, 5), 2);
        // "f" is at 7 after, at 5 before.
        assert_eq!(map_back(&history, f, 7), 5);
        // Inside the inserted "XYZ": where it was inserted.
        assert_eq!(map_back(&history, f, 3), 1);
        // Another file is not moved.
        assert_eq!(map_back(&history, FileId(1), 3), 3);
    }

    #[test]
    fn added_problems_are_compared_by_path_and_message() {
        let p = |m: &str| Problem::input(m.to_string());
        let before = vec![p("a"), p("b")];
        let after = vec![p("b"), p("a"), p("a")];
        let added = added_problems(&before, &after);
        assert_eq!(added.len(), 1);
        assert_eq!(added[0].message, "a");
    }
}
