//! Text edits of the user's files: byte-range replacements and new files, applied together.
//!
//! A fix never re-serialises a manifest: it replaces the bytes of the nodes it changes (the
//! spans the loader recorded), so comments, quoting, key order and blank lines elsewhere stay
//! as the user wrote them and only the changed lines differ. [`yaml`](super::yaml_edit)
//! builds edits that insert list items and mapping entries at the right indentation.
//!
//! Invariants: the edits of one [`Patch`] never overlap (two edits inserting at the same
//! offset are applied in the order they were added); applying a patch is all or nothing.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::base::span::{FileId, Span};

/// Replace the bytes `start..end` of one file with `text` (an insertion when the range is
/// empty, a deletion when the text is).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    /// The file.
    pub file: FileId,
    /// First byte replaced.
    pub start: u32,
    /// One past the last byte replaced.
    pub end: u32,
    /// The new text.
    pub text: String,
}

impl Edit {
    /// Replaces the bytes of a span.
    pub fn replace(span: Span, text: impl Into<String>) -> Edit {
        Edit {
            file: span.file,
            start: span.start,
            end: span.end,
            text: text.into(),
        }
    }

    /// Inserts text at a byte offset.
    pub fn insert(file: FileId, at: u32, text: impl Into<String>) -> Edit {
        Edit {
            file,
            start: at,
            end: at,
            text: text.into(),
        }
    }

    /// Deletes the bytes of a span.
    pub fn delete(span: Span) -> Edit {
        Edit::replace(span, "")
    }
}

/// A file the patch creates, or appends documents to when it exists already.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewText {
    /// Where it goes.
    pub path: PathBuf,
    /// The text (complete YAML documents, each starting with `---`).
    pub text: String,
}

/// A set of edits and new texts that together make one change.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Patch {
    /// Edits of loaded files.
    pub edits: Vec<Edit>,
    /// Documents for files that are not loaded (created, or appended to).
    pub new_texts: Vec<NewText>,
}

/// One file before and after a patch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileChange {
    /// The name shown to the user (the loaded file's name, or the new file's path).
    pub name: String,
    /// Its path on disk, when it has one (`None` for stdin).
    pub path: Option<PathBuf>,
    /// The loaded file it is, when it is one.
    pub file: Option<FileId>,
    /// The text before (empty for a file the patch creates).
    pub before: String,
    /// The text after.
    pub after: String,
}

/// Why a patch cannot be applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PatchError {
    /// Two edits replace overlapping bytes of one file.
    Overlap {
        /// The file.
        file: FileId,
        /// Where the second edit starts.
        at: u32,
    },
    /// An edit lies outside its file or splits a character.
    OutOfRange {
        /// The file.
        file: FileId,
        /// The offending offset.
        at: u32,
    },
}

impl std::fmt::Display for PatchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PatchError::Overlap { file, at } => {
                write!(f, "two edits overlap in file #{} at byte {at}", file.0)
            }
            PatchError::OutOfRange { file, at } => {
                write!(f, "an edit lies outside file #{} at byte {at}", file.0)
            }
        }
    }
}

impl Patch {
    /// Whether the patch changes nothing.
    pub fn is_empty(&self) -> bool {
        self.edits.is_empty() && self.new_texts.is_empty()
    }

    /// Adds the edits and new texts of another patch.
    pub fn extend(&mut self, other: Patch) {
        self.edits.extend(other.edits);
        self.new_texts.extend(other.new_texts);
    }

    /// Applies the patch to the files it edits: `file(id)` gives a loaded file's name, path
    /// and text; `read(path)` the current text of a file that is not loaded (None when it does
    /// not exist). New texts for a path that is loaded are appended to it. Returns every
    /// changed file, loaded files first in id order, then new paths in order.
    pub fn apply<'a>(
        &self,
        file: impl Fn(FileId) -> (&'a str, Option<&'a std::path::Path>, &'a str),
        read: impl Fn(&std::path::Path) -> Option<String>,
    ) -> Result<Vec<FileChange>, PatchError> {
        let mut by_file: BTreeMap<FileId, Vec<(usize, &Edit)>> = BTreeMap::new();
        for (i, e) in self.edits.iter().enumerate() {
            by_file.entry(e.file).or_default().push((i, e));
        }
        let mut appended: Vec<(PathBuf, String)> = Vec::new();
        for n in &self.new_texts {
            match appended.iter_mut().find(|(p, _)| p == &n.path) {
                Some((_, t)) => t.push_str(&n.text),
                None => appended.push((n.path.clone(), n.text.clone())),
            }
        }
        let mut out = Vec::new();
        // New texts aimed at a loaded file become appends to it.
        let mut ids: Vec<FileId> = by_file.keys().copied().collect();
        let loaded_path = |path: &std::path::Path| -> Option<FileId> {
            // The caller's `file` cannot be enumerated; edits name the files they touch, so
            // only those are known here. Appends to other loaded files go through `read`.
            ids.iter().copied().find(|&id| file(id).1 == Some(path))
        };
        let mut appends: BTreeMap<FileId, String> = BTreeMap::new();
        appended.retain(|(p, t)| match loaded_path(p) {
            Some(id) => {
                appends.entry(id).or_default().push_str(t);
                false
            }
            None => true,
        });
        ids.sort();
        for id in ids {
            let (name, path, text) = file(id);
            let mut edits = by_file.remove(&id).unwrap_or_default();
            edits.sort_by_key(|(i, e)| (e.start, e.end, *i));
            let mut after = String::with_capacity(text.len() + 256);
            let mut at = 0usize;
            for (_, e) in &edits {
                let (s, t) = (e.start as usize, e.end as usize);
                if s < at {
                    return Err(PatchError::Overlap {
                        file: id,
                        at: e.start,
                    });
                }
                if t > text.len() || !text.is_char_boundary(s) || !text.is_char_boundary(t) {
                    return Err(PatchError::OutOfRange {
                        file: id,
                        at: e.end,
                    });
                }
                after.push_str(&text[at..s]);
                after.push_str(&e.text);
                at = t;
            }
            after.push_str(&text[at..]);
            if let Some(extra) = appends.remove(&id) {
                append_documents(&mut after, &extra);
            }
            out.push(FileChange {
                name: name.to_string(),
                path: path.map(|p| p.to_path_buf()),
                file: Some(id),
                before: text.to_string(),
                after,
            });
        }
        for (path, text) in appended {
            let before = read(&path).unwrap_or_default();
            let mut after = before.clone();
            append_documents(&mut after, &text);
            out.push(FileChange {
                name: path.display().to_string(),
                path: Some(path),
                file: None,
                before,
                after,
            });
        }
        out.retain(|c| c.before != c.after);
        Ok(out)
    }
}

/// Appends YAML documents to a text: on a new line, and with a `---` separator when the text
/// already holds something and the documents do not start with one.
fn append_documents(text: &mut String, docs: &str) {
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    let holds_content = text
        .lines()
        .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
    if holds_content && !docs.starts_with("---") {
        text.push_str("---\n");
    }
    text.push_str(docs);
    if !text.ends_with('\n') {
        text.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, patch: &Patch) -> Result<Vec<FileChange>, PatchError> {
        let path = std::path::Path::new("a.yaml");
        patch.apply(|_| ("a.yaml", Some(path), text), |_| None)
    }

    #[test]
    fn edits_apply_in_offset_order_and_keep_the_rest() {
        let text = "a: 1\nb: 2 # two\nc: 3\n";
        let f = FileId(0);
        let patch = Patch {
            edits: vec![
                Edit::replace(Span::new(f, 19, 20), "30"),
                Edit::replace(Span::new(f, 3, 4), "10"),
                Edit::insert(f, 5, "a2: 1\n"),
            ],
            new_texts: vec![],
        };
        let out = run(text, &patch).unwrap();
        assert_eq!(out[0].after, "a: 10\na2: 1\nb: 2 # two\nc: 30\n");
    }

    #[test]
    fn insertions_at_one_offset_keep_their_order() {
        let f = FileId(0);
        let patch = Patch {
            edits: vec![Edit::insert(f, 0, "x\n"), Edit::insert(f, 0, "y\n")],
            new_texts: vec![],
        };
        assert_eq!(run("z\n", &patch).unwrap()[0].after, "x\ny\nz\n");
    }

    #[test]
    fn overlapping_edits_are_refused() {
        let f = FileId(0);
        let patch = Patch {
            edits: vec![
                Edit::replace(Span::new(f, 0, 3), "x"),
                Edit::replace(Span::new(f, 2, 4), "y"),
            ],
            new_texts: vec![],
        };
        assert_eq!(
            run("abcdef", &patch),
            Err(PatchError::Overlap { file: f, at: 2 })
        );
    }

    #[test]
    fn out_of_range_edits_are_refused_not_panicking() {
        let f = FileId(0);
        let patch = Patch {
            edits: vec![Edit::replace(Span::new(f, 2, 40), "x")],
            new_texts: vec![],
        };
        assert!(matches!(
            run("abc", &patch),
            Err(PatchError::OutOfRange { .. })
        ));
    }

    #[test]
    fn new_texts_create_files_or_append_documents() {
        let patch = Patch {
            edits: vec![],
            new_texts: vec![NewText {
                path: "new.yaml".into(),
                text: "kind: A\n".into(),
            }],
        };
        let created = patch.apply(|_| unreachable!(), |_| None).unwrap();
        assert_eq!(created[0].before, "");
        assert_eq!(created[0].after, "kind: A\n");
        let appended = patch
            .apply(|_| unreachable!(), |_| Some("kind: B".to_string()))
            .unwrap();
        assert_eq!(appended[0].after, "kind: B\n---\nkind: A\n");
    }

    #[test]
    fn a_new_text_for_an_edited_file_is_appended_after_the_edits() {
        let f = FileId(0);
        let patch = Patch {
            edits: vec![Edit::replace(Span::new(f, 6, 7), "C")],
            new_texts: vec![NewText {
                path: "a.yaml".into(),
                text: "---\nkind: D\n".into(),
            }],
        };
        let out = run("kind: B\n", &patch).unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].after, "kind: C\n---\nkind: D\n");
    }
}
