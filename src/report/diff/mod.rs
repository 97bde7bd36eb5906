//! Rendering `diff`: what a change opens or closes, and the object changes responsible.
//!
//! - [`text`]: for people, grouped into opened / closed / changed connections, each with its
//!   ports and causes (with `file:line`), then the objects that changed;
//! - [`json`]: data, `"version": 1`, for scripts (the shape is in the README);
//! - [`markdown`]: a pull-request comment: the counts, and a table per group.
//!
//! Locations in the old input are rendered with its own files (`REV:path` for a revision
//! read from git), those in the new input with the new files.

pub mod json;
pub mod markdown;
pub mod text;

use crate::base::span::Span;
use crate::engine::diff::{Change, Connection, Diff, Version};
use crate::load::source::SourceMap;

/// What to render: the diff, and the files of each side to place its objects.
pub struct Report<'a> {
    /// The diff.
    pub diff: &'a Diff,
    /// The files of the old input.
    pub old: &'a SourceMap,
    /// The files of the new input.
    pub new: &'a SourceMap,
    /// How the old input was named (`HEAD~1`, `old/`).
    pub old_label: String,
    /// How the new input was named (`working tree`, `new/`).
    pub new_label: String,
}

impl Report<'_> {
    /// The files of one side.
    pub fn sources(&self, v: Version) -> &SourceMap {
        match v {
            Version::Old => self.old,
            Version::New => self.new,
        }
    }

    /// `file:line` of a span of one side.
    pub fn file_line(&self, v: Version, span: Span) -> String {
        self.sources(v).file_line(span)
    }

    /// Where the changed object is (`file:line`): in the new input, else in the old one.
    pub fn change_location(&self, c: &Change) -> Option<String> {
        c.location().map(|(v, s)| self.file_line(v, s))
    }

    /// `NetworkPolicy shop/api edited: egress[1] added`.
    pub fn change_text(&self, c: &Change) -> String {
        let mut s = format!("{} {}", c.title(), c.change);
        if !c.details.is_empty() {
            s.push_str(": ");
            s.push_str(&c.details.join(", "));
        }
        s
    }

    /// The causes of a connection change.
    pub fn causes<'d>(&'d self, conn: &'d Connection) -> impl Iterator<Item = &'d Change> + 'd {
        conn.causes.iter().map(|&i| &self.diff.changes[i])
    }
}

/// `opens TCP 443; closes TCP 80` for a changed connection.
pub fn delta_text(conn: &Connection) -> String {
    let (opened, closed) = (conn.opened(), conn.closed());
    let mut parts = Vec::new();
    if !opened.is_empty() {
        parts.push(format!("opens {opened}"));
    }
    if !closed.is_empty() {
        parts.push(format!("closes {closed}"));
    }
    parts.join("; ")
}

/// `2 opened, 1 closed, 1 changed`, or `no connection changed`.
pub fn counts_text(diff: &Diff) -> String {
    let c = diff.counts();
    if diff.is_empty() {
        return "no connection changed".into();
    }
    format!(
        "{} opened, {} closed, {} changed",
        c.opened, c.closed, c.changed
    )
}

/// `3 objects changed`, `1 object changed`.
pub fn objects_text(diff: &Diff) -> String {
    let n = diff.changes.len();
    format!("{n} object{} changed", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::load::{LoadOptions, Loaded, load};
    use crate::model::Cluster;

    /// The demo variants of `testdata/diff`: (old files, new files, diff).
    pub fn demo() -> (SourceMap, SourceMap, Diff) {
        let side = |dir: &str| -> (SourceMap, Cluster) {
            let Loaded {
                sources, objects, ..
            } = load(
                &[format!(
                    "{}/testdata/diff/{dir}",
                    env!("CARGO_MANIFEST_DIR")
                )],
                &LoadOptions::default(),
            );
            (sources, Cluster::build(objects))
        };
        let (so, co) = side("old");
        let (sn, cn) = side("new");
        let d = Diff::compute(&co, &cn);
        (so, sn, d)
    }

    pub fn report<'a>(old: &'a SourceMap, new: &'a SourceMap, diff: &'a Diff) -> Report<'a> {
        Report {
            diff,
            old,
            new,
            old_label: "old".into(),
            new_label: "new".into(),
        }
    }
}
