//! Proving a change before showing it: apply a [`Patch`] to the texts that were loaded,
//! load and build the result exactly as the original was built, and diff the two clusters.
//!
//! Invariant: a fix is judged on the text the user would get, never on a model edited in
//! memory — what is verified is what is written.

use crate::base::edit::{FileChange, Patch, PatchError};
use crate::base::span::FileId;
use crate::engine::diff::Diff;
use crate::load::source::{SourceFile, SourceMap};
use crate::load::{self, LoadOptions, Problem};
use crate::model::{BuildOptions, Cluster};

/// The inputs with a patch applied, loaded and built again.
pub struct Patched {
    /// The changed files, before and after.
    pub changes: Vec<FileChange>,
    /// The files as patched (the same ids as the original for loaded files; new files
    /// after them).
    pub sources: SourceMap,
    /// The cluster they describe.
    pub cluster: Cluster,
    /// Problems of the patched input (a fix must not add any).
    pub problems: Vec<Problem>,
}

/// Applies a patch to the loaded files and builds the cluster they then describe, with the
/// options the original was built with. Files named by the patch that were not loaded are
/// read from disk (to append to them) or created.
pub fn apply(
    sources: &SourceMap,
    patch: &Patch,
    load: &LoadOptions,
    build: &BuildOptions,
) -> Result<Patched, PatchError> {
    let changes = patch.apply(
        |id| {
            let f = sources.file(id);
            (f.name.as_str(), f.path.as_deref(), &*f.text)
        },
        |path| {
            // A new text for a loaded file that no edit touches is appended to it too.
            sources
                .files()
                .iter()
                .find(|f| f.path.as_deref() == Some(path))
                .map(|f| f.text.to_string())
                .or_else(|| std::fs::read_to_string(path).ok())
        },
    )?;
    let mut files: Vec<SourceFile> = sources
        .files()
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let changed = changes.iter().find(|c| {
                c.file == Some(FileId(i as u32))
                    || (c.file.is_none() && c.path.is_some() && c.path == f.path)
            });
            let text = changed.map_or_else(|| f.text.clone(), |c| c.after.as_str().into());
            SourceFile::new(f.name.clone(), f.path.clone(), text)
        })
        .collect();
    for c in &changes {
        let loaded = c.file.is_some()
            || sources
                .files()
                .iter()
                .any(|f| f.path.is_some() && f.path == c.path);
        if !loaded {
            files.push(SourceFile::new(
                c.name.clone(),
                c.path.clone(),
                c.after.as_str(),
            ));
        }
    }
    let loaded = load::load_files(files, Vec::new(), load);
    let cluster = Cluster::build_with(loaded.objects, build);
    Ok(Patched {
        changes,
        sources: loaded.sources,
        cluster,
        problems: loaded.problems,
    })
}

impl Patched {
    /// What the change opens and closes, from `before` (the original cluster) to this one.
    pub fn diff(&self, before: &Cluster) -> Diff {
        Diff::compute(before, &self.cluster)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::edit::Edit;
    use crate::base::span::Span;
    use crate::engine::diff::ConnectionKind;

    const PODS: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: n, labels: {app: a}}\nspec: {containers: [{name: c, ports: [{containerPort: 80}]}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: n, labels: {app: b}}\nspec: {containers: [{name: c, ports: [{containerPort: 80}]}]}\n";
    const DENY: &str = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: n}\nspec:\n  podSelector: {matchLabels: {app: b}}\n  ingress: []\n";

    #[test]
    fn a_patch_is_judged_on_the_reloaded_text() {
        let loaded = load::load_texts(
            &[("pods.yaml", PODS), ("np.yaml", DENY)],
            &LoadOptions::default(),
        );
        let before = Cluster::build(loaded.objects);
        // `ingress: []` → `ingress: [{}]`: b opens to everyone (a, and every address
        // outside the cluster).
        let at = DENY.find("[]").unwrap() as u32;
        let np = crate::base::span::FileId(1);
        let patch = Patch {
            edits: vec![Edit::replace(Span::new(np, at, at + 2), "[{}]")],
            new_texts: vec![],
        };
        let patched = apply(
            &loaded.sources,
            &patch,
            &LoadOptions::default(),
            &BuildOptions::default(),
        )
        .unwrap();
        assert_eq!(patched.changes.len(), 1);
        assert!(patched.changes[0].after.contains("ingress: [{}]"));
        assert!(patched.problems.is_empty());
        let diff = patched.diff(&before);
        let opened: Vec<_> = diff.of_kind(ConnectionKind::Opened).collect();
        assert_eq!(opened.len(), 2, "{opened:?}");
        assert!(opened.iter().all(|c| c.dst.id() == "n/b"));
    }
}
