//! Loading manifests: inputs → files → YAML documents → Kubernetes objects.
//!
//! [`load`] takes the inputs as typed (files, directories, globs, `-` for stdin), reads and
//! parses every file (in parallel), flattens `List` kinds, and decodes the kinds the model
//! understands. Nothing stops at the first problem: every problem is collected with its
//! file, line, column and field path, an object with a problem is left out, and the rest
//! is still used. What was used and what was ignored, and why, is kept in the inventory
//! for `-v`.

pub mod decode;
pub mod discover;
pub mod git;
pub mod kinds;
pub mod objects;
pub mod source;
pub mod yaml;

use std::fmt;
use std::io::Read;

use rayon::prelude::*;

use crate::base::span::Span;
pub use discover::Input;
use source::{SourceFile, SourceMap};
pub use yaml::Limits;

use crate::model::Object;

/// A problem with the input: bad YAML, a wrong field type, an unreadable file...
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Where (None for problems with an input path as a whole).
    pub span: Option<Span>,
    /// The field path within the object (`spec.ingress[1].from[0].ipBlock.cidr`), if any.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl Problem {
    /// A problem at a place, with no field path.
    pub fn new(span: Span, message: impl Into<String>) -> Problem {
        Problem {
            span: Some(span),
            path: String::new(),
            message: message.into(),
        }
    }

    /// A problem at a field.
    pub fn at_path(span: Span, path: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            span: Some(span),
            path: path.into(),
            message: message.into(),
        }
    }

    /// A problem with an input as a whole (`path: message`).
    pub fn input(message: impl Into<String>) -> Problem {
        Problem {
            span: None,
            path: String::new(),
            message: message.into(),
        }
    }

    /// `file:line:col: path: message`.
    pub fn render(&self, sources: &SourceMap) -> String {
        let mut out = String::new();
        if let Some(span) = self.span {
            out.push_str(&format!("{}: ", sources.location(span)));
        }
        if !self.path.is_empty() {
            out.push_str(&format!("{}: ", self.path));
        }
        out.push_str(&self.message);
        out
    }
}

/// What happened to one object of the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Used by the model.
    Used,
    /// Skipped, with the reason.
    Ignored(String),
    /// Left out because of problems.
    Broken,
    /// Of a kind that carries network policy meaning but is not modelled, with the reason.
    NotEvaluated(String),
}

/// One object of the input, for `-v`.
#[derive(Clone, Debug)]
pub struct InventoryEntry {
    /// The object.
    pub span: Span,
    /// `kind` as written.
    pub kind: String,
    /// `namespace/name` or `name`.
    pub name: String,
    /// Used or not.
    pub outcome: Outcome,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Used => f.write_str("used"),
            Outcome::Ignored(why) => write!(f, "ignored: {why}"),
            Outcome::Broken => f.write_str("left out: it has problems"),
            Outcome::NotEvaluated(why) => write!(f, "not evaluated: {why}"),
        }
    }
}

/// How to load.
#[derive(Clone, Debug)]
pub struct LoadOptions {
    /// Namespace of objects that name none (`-n`, default `default`), as `kubectl apply`.
    pub default_namespace: String,
    /// Parser limits.
    pub limits: Limits,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            default_namespace: "default".into(),
            limits: Limits::default(),
        }
    }
}

/// Everything read.
#[derive(Debug, Default)]
pub struct Loaded {
    /// The files read.
    pub sources: SourceMap,
    /// The objects the model understands, in input order.
    pub objects: Vec<Object>,
    /// Every problem found.
    pub problems: Vec<Problem>,
    /// Every object seen and what was done with it.
    pub inventory: Vec<InventoryEntry>,
    /// Objects of kinds that carry network policy meaning but that the model does not
    /// evaluate (a Calico HostEndpoint or Profile), one at each such object.
    pub warnings: Vec<Problem>,
}

/// Maximum size of one input file.
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

/// Loads inputs as typed on the command line.
pub fn load(inputs: &[String], opts: &LoadOptions) -> Loaded {
    load_with(&[], inputs, opts)
}

/// Loads texts already in memory (`--from-cluster`: `(name, text)`), then inputs as typed
/// on the command line, in that order: a file's object replaces an in-memory one of the
/// same name, as `kubectl apply` of the file would.
pub fn load_with(texts: &[(String, String)], inputs: &[String], opts: &LoadOptions) -> Loaded {
    let (files, problems) = read_inputs(inputs);
    let mut sources: Vec<SourceFile> = texts
        .iter()
        .map(|(name, text)| SourceFile::new(name.as_str(), None, text.as_str()))
        .collect();
    sources.extend(files);
    load_files(sources, problems, opts)
}

/// Reads inputs as typed on the command line into files (in parallel), with the problems of
/// inputs that could not be read.
pub fn read_inputs(inputs: &[String]) -> (Vec<SourceFile>, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut files = Vec::new();
    for input in inputs {
        match discover::expand(input) {
            Ok(found) => files.extend(found),
            Err(p) => problems.push(p),
        }
    }
    // An input named twice (`-f a.yaml -f a.yaml`, or a file inside a directory also given)
    // is read once, where it first appears.
    let mut seen = std::collections::BTreeSet::new();
    files.retain(|input| seen.insert(input.clone()));
    let texts: Vec<(Input, Result<String, String>)> = files
        .into_par_iter()
        .map(|input| {
            let text = read(&input);
            (input, text)
        })
        .collect();
    let mut sources = Vec::new();
    for (input, text) in texts {
        match text {
            Ok(t) => sources.push(SourceFile::new(
                input.display_name(),
                input.path().map(Into::into),
                t,
            )),
            Err(e) => problems.push(Problem::input(format!("{}: {e}", input.display_name()))),
        }
    }
    (sources, problems)
}

/// Loads files already read (from disk, from git), after the given input problems.
pub fn load_files(sources: Vec<SourceFile>, problems: Vec<Problem>, opts: &LoadOptions) -> Loaded {
    let mut loaded = Loaded {
        problems,
        ..Loaded::default()
    };
    add_sources(&mut loaded, sources, opts);
    loaded
}

/// Loads texts already in memory (tests, benches, `--from-cluster`).
pub fn load_texts(texts: &[(&str, &str)], opts: &LoadOptions) -> Loaded {
    let mut loaded = Loaded::default();
    let sources = texts
        .iter()
        .map(|(name, text)| SourceFile::new(*name, None, *text))
        .collect();
    add_sources(&mut loaded, sources, opts);
    loaded
}

fn add_sources(loaded: &mut Loaded, sources: Vec<SourceFile>, opts: &LoadOptions) {
    let ids: Vec<_> = sources.into_iter().map(|s| loaded.sources.add(s)).collect();
    let files: Vec<_> = ids
        .iter()
        .map(|&id| (id, loaded.sources.file(id).clone()))
        .collect();
    let results: Vec<objects::FileObjects> = files
        .par_iter()
        .map(|(id, file)| objects::read_file(*id, &file.text, opts))
        .collect();
    for r in results {
        loaded.objects.extend(r.objects);
        loaded.problems.extend(r.problems);
        loaded.inventory.extend(r.inventory);
        loaded.warnings.extend(r.warnings);
    }
    // Report in reading order: by file, then by position.
    loaded
        .problems
        .sort_by_key(|p| p.span.map(|s| (s.file, s.start)));
    loaded
        .warnings
        .sort_by_key(|p| p.span.map(|s| (s.file, s.start)));
}

fn read(input: &Input) -> Result<String, String> {
    let bytes = match input {
        Input::Stdin => read_limited(std::io::stdin().lock(), 0, MAX_FILE_BYTES)
            .map_err(|e| format!("cannot read standard input: {e}"))?,
        Input::File(path) => {
            let f = std::fs::File::open(path)
                .map_err(|e| format!("cannot read: {}", io_message(&e)))?;
            // A regular file says its size; a stream (FIFO, device) says 0 and grows as read.
            let hint = f.metadata().map_or(0, |m| m.len().min(MAX_FILE_BYTES));
            read_limited(f, hint as usize, MAX_FILE_BYTES)
                .map_err(|e| format!("cannot read: {}", io_message(&e)))?
        }
    };
    let Some(bytes) = bytes else {
        return Err(format!("larger than {} MiB; refused", MAX_FILE_BYTES >> 20));
    };
    // A UTF-8 byte order mark is allowed, as kubectl allows it.
    let bytes = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .map(<[u8]>::to_vec)
        .unwrap_or(bytes);
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}

/// Reads a file or a stream (a FIFO, a pipe, `/dev/zero`) in chunks, keeping at most `limit`
/// bytes: `None` as soon as there are more, so an endless stream ends quickly.
fn read_limited(mut r: impl Read, capacity: usize, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::with_capacity(capacity);
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = match r.read(&mut chunk) {
            Ok(0) => return Ok(Some(bytes)),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if (bytes.len() + n) as u64 > limit {
            return Ok(None);
        }
        bytes.extend_from_slice(&chunk[..n]);
    }
}

fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_read_up_to_the_limit_and_no_further() {
        let ok = read_limited(&b"abcdef"[..], 0, 6).unwrap();
        assert_eq!(ok.as_deref(), Some(&b"abcdef"[..]));
        assert_eq!(read_limited(&b"abcdefg"[..], 0, 6).unwrap(), None);
        // An endless stream ends as soon as the limit is passed.
        assert_eq!(read_limited(std::io::repeat(0), 0, 1 << 20).unwrap(), None);
    }
}
