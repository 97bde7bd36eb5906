//! Source files, byte spans and the line index that turns spans into `file:line:col`.
//!
//! Every node read from a manifest keeps a [`Span`]: the file it came from and a byte range.
//! Lines and columns are computed on demand from a per-file line index (binary search), so
//! rendering thousands of diagnostics stays linear in their number, not in the file size.
//! Columns are 1-based and count Unicode scalar values, as editors and SARIF
//! (`columnKind: unicodeCodePoints`) do.

use std::fmt;

use crate::base::span::{FileId, Span};
use std::path::PathBuf;
use std::sync::Arc;

/// A human position: 1-based line and column (column in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LineCol {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, counted in Unicode scalar values.
    pub column: u32,
}

/// One loaded input: its display name, text and line index.
#[derive(Debug)]
pub struct SourceFile {
    /// The name shown in diagnostics (the path as given, or `<stdin>`).
    pub name: String,
    /// The path on disk, when there is one.
    pub path: Option<PathBuf>,
    /// The whole text.
    pub text: Arc<str>,
    /// Byte offset of the start of every line.
    line_starts: Vec<u32>,
}

impl SourceFile {
    /// Wraps a text and indexes its lines.
    pub fn new(name: impl Into<String>, path: Option<PathBuf>, text: impl Into<Arc<str>>) -> Self {
        let text: Arc<str> = text.into();
        let mut line_starts = Vec::with_capacity(text.len() / 24 + 1);
        line_starts.push(0);
        line_starts.extend(memchr_newlines(text.as_bytes()).map(|i| (i + 1) as u32));
        SourceFile {
            name: name.into(),
            path,
            text,
            line_starts,
        }
    }

    /// The line and column of a byte offset.
    pub fn line_col(&self, offset: u32) -> LineCol {
        let offset = offset.min(self.text.len() as u32);
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line] as usize;
        let mut end = offset as usize;
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let column = self.text[start..end].chars().count() as u32 + 1;
        LineCol {
            line: line as u32 + 1,
            column,
        }
    }

    /// The text of a 1-based line, without its line break.
    pub fn line_text(&self, line: u32) -> &str {
        let i = (line as usize).saturating_sub(1);
        let Some(&start) = self.line_starts.get(i) else {
            return "";
        };
        let end = self
            .line_starts
            .get(i + 1)
            .map_or(self.text.len(), |&e| e as usize);
        self.text[start as usize..end].trim_end_matches(['\n', '\r'])
    }

    /// Byte offset where a 1-based line starts.
    pub fn line_start(&self, line: u32) -> u32 {
        let i = (line as usize)
            .saturating_sub(1)
            .min(self.line_starts.len() - 1);
        self.line_starts[i]
    }

    /// Number of lines.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

fn memchr_newlines(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i)
}

/// All files of one run. Files are added by the loader and never removed, so a [`FileId`]
/// stays valid for the whole run.
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<Arc<SourceFile>>,
}

impl SourceMap {
    /// Adds a file and returns its id.
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(Arc::new(file));
        FileId(self.files.len() as u32 - 1)
    }

    /// The file behind an id.
    pub fn file(&self, id: FileId) -> &Arc<SourceFile> {
        &self.files[id.0 as usize]
    }

    /// All files, in the order they were added.
    pub fn files(&self) -> &[Arc<SourceFile>] {
        &self.files
    }

    /// Start position of a span.
    pub fn start(&self, span: Span) -> LineCol {
        self.file(span.file).line_col(span.start)
    }

    /// End position of a span (the column after its last character).
    pub fn end(&self, span: Span) -> LineCol {
        self.file(span.file).line_col(span.end)
    }

    /// `file:line:col` of a span's start.
    pub fn location(&self, span: Span) -> Location<'_> {
        Location {
            file: &self.file(span.file).name,
            pos: self.start(span),
        }
    }

    /// `file:line` of a span's start, the short form used in explanations.
    pub fn file_line(&self, span: Span) -> String {
        let pos = self.start(span);
        format!("{}:{}", self.file(span.file).name, pos.line)
    }

    /// The text a span covers.
    pub fn snippet(&self, span: Span) -> &str {
        let text = &self.file(span.file).text;
        text.get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }
}

/// A displayable `file:line:col`.
#[derive(Clone, Copy, Debug)]
pub struct Location<'a> {
    /// File display name.
    pub file: &'a str,
    /// Line and column.
    pub pos: LineCol,
}

impl fmt::Display for Location<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.pos.line, self.pos.column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let f = SourceFile::new("t.yaml", None, "a: 1\nbé: ü2\n\nlast");
        assert_eq!(f.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(f.line_col(5), LineCol { line: 2, column: 1 });
        // "bé: " is 5 bytes, 4 characters: 'ü' starts at byte 10, column 5.
        assert_eq!(f.line_col(10), LineCol { line: 2, column: 5 });
        assert_eq!(f.line_col(14), LineCol { line: 3, column: 1 });
        assert_eq!(f.line_col(15), LineCol { line: 4, column: 1 });
        assert_eq!(f.line_text(2), "bé: ü2");
        assert_eq!(f.line_text(4), "last");
        assert_eq!(f.line_count(), 4);
    }

    #[test]
    fn offsets_past_the_end_clamp() {
        let f = SourceFile::new("t", None, "ab");
        assert_eq!(f.line_col(99), LineCol { line: 1, column: 3 });
    }
}
