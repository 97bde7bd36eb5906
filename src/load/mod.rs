//! Loading manifests: inputs → files → YAML documents → Kubernetes objects.
//!
//! [`load`] takes the inputs as typed (files, directories, globs, `-` for stdin), reads
//! every file as text ([`text`]: UTF-8, UTF-16 or UTF-32), parses its documents (in
//! parallel, each decoded as soon as it is parsed, so memory stays a few times the input),
//! flattens `List` kinds, and decodes the kinds the model understands. Kustomizations are
//! rendered first ([`kustomize`]) and read as streams. Nothing stops at the first problem: every problem is collected with its
//! file, line, column and field path, an object with a problem is left out, and the rest
//! is still used. What was used and what was ignored, and why, is kept in the inventory
//! for `-v`.

pub mod decode;
pub mod discover;
pub mod flows;
pub mod git;
pub mod kinds;
pub mod kustomize;
pub mod objects;
pub mod source;
pub mod text;
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
    /// Whether it is inside an object of a kind the loader knows (an unknown, missing or
    /// mistyped field): the API server would refuse that object and it is left out, as the
    /// cluster would leave it out, while the rest of the input is read. False for what
    /// leaves input unread: a path, a file that is not YAML or JSON, a document without a
    /// kind.
    pub in_object: bool,
}

impl Problem {
    /// A problem at a place, with no field path.
    pub fn new(span: Span, message: impl Into<String>) -> Problem {
        Problem {
            span: Some(span),
            path: String::new(),
            message: message.into(),
            in_object: false,
        }
    }

    /// A problem at a field.
    pub fn at_path(span: Span, path: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            span: Some(span),
            path: path.into(),
            message: message.into(),
            in_object: false,
        }
    }

    /// A problem with an input as a whole (`path: message`).
    pub fn input(message: impl Into<String>) -> Problem {
        Problem {
            span: None,
            path: String::new(),
            message: message.into(),
            in_object: false,
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
    /// Whether to keep the [`Loaded::inventory`] (for `-v`): off, a cluster dump of many
    /// small objects costs no memory per object it ignores.
    pub inventory: bool,
    /// Most bytes one input may hold (`--max-input-size`).
    pub max_input_bytes: u64,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            default_namespace: "default".into(),
            limits: Limits::default(),
            inventory: true,
            max_input_bytes: MAX_FILE_BYTES,
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
    let (files, problems) = read_inputs_limited(inputs, opts.max_input_bytes);
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
    read_inputs_limited(inputs, MAX_FILE_BYTES)
}

/// [`read_inputs`], refusing any input of more than `max_bytes`.
pub fn read_inputs_limited(inputs: &[String], max_bytes: u64) -> (Vec<SourceFile>, Vec<Problem>) {
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
            let text = read(&input, max_bytes);
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
            Err(e) => problems.push(Problem::input(e)),
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
    // A kustomization read as plain files: its resources are read without what it does to
    // them.
    for &id in &ids {
        if let Some(path) = &loaded.sources.file(id).path
            && kustomize::is_kustomization(path)
        {
            let message = kustomize::read_as_files_warning(path);
            loaded
                .warnings
                .push(Problem::new(Span::new(id, 0, 0), message));
        }
    }
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

/// Reads an input as text. Err: the whole message, starting with the input's name (and the
/// line and column where the bytes stop being text).
fn read(input: &Input, max_bytes: u64) -> Result<String, String> {
    let name = input.display_name();
    let bytes = match input {
        Input::Stdin => read_limited(std::io::stdin().lock(), 0, max_bytes)
            .map_err(|e| format!("{name}: cannot read standard input: {e}"))?,
        Input::File(path) => {
            let f = std::fs::File::open(path)
                .map_err(|e| format!("{name}: cannot read: {}", io_message(&e)))?;
            // A regular file says its size; a stream (FIFO, device) says 0 and grows as read.
            let size = f.metadata().map_or(0, |m| m.len());
            if size > max_bytes {
                return Err(too_large(&name, max_bytes));
            }
            read_limited(f, size as usize, max_bytes)
                .map_err(|e| format!("{name}: cannot read: {}", io_message(&e)))?
        }
    };
    let Some(bytes) = bytes else {
        return Err(too_large(&name, max_bytes));
    };
    text::decode(bytes).map_err(|e| format!("{name}:{e}"))
}

/// The message of an input larger than the limit.
pub fn too_large(name: &str, max_bytes: u64) -> String {
    format!(
        "{name}: larger than {}; refused (--max-input-size)",
        size_text(max_bytes)
    )
}

/// A size as `--max-input-size` takes it: `512MiB`, `1GiB`, `300KiB`, or bytes.
pub fn size_text(bytes: u64) -> String {
    for (unit, shift) in [("GiB", 30), ("MiB", 20), ("KiB", 10)] {
        if bytes >= 1 << shift && bytes % (1 << shift) == 0 {
            return format!("{} {unit}", bytes >> shift);
        }
    }
    format!("{bytes} bytes")
}

/// Reads a size: a number of bytes, with an optional unit `K`, `M`, `G` (powers of 1024;
/// `KiB`, `MB`... are read alike), as `--max-input-size` takes it.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(digits);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("`{s}` is not a size: write a number of bytes, or 300K, 64M, 1G"))?;
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        _ => {
            return Err(format!(
                "`{s}` is not a size: the unit `{}` is none of K, M, G",
                unit.trim()
            ));
        }
    };
    number
        .checked_mul(1 << shift)
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("`{s}` is not a size a file can have"))
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
    fn sizes_read_and_print_in_binary_units() {
        assert_eq!(parse_size("512M"), Ok(512 << 20));
        assert_eq!(parse_size("1GiB"), Ok(1 << 30));
        assert_eq!(parse_size("300 kb"), Ok(300 << 10));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert!(parse_size("0").is_err());
        assert!(parse_size("12T").unwrap_err().contains("unit `T`"));
        assert!(parse_size("M").is_err());
        assert!(parse_size("99999999999G").is_err());
        assert_eq!(size_text(512 << 20), "512 MiB");
        assert_eq!(size_text(1 << 30), "1 GiB");
        assert_eq!(size_text(1000), "1000 bytes");
    }

    #[test]
    fn streams_are_read_up_to_the_limit_and_no_further() {
        let ok = read_limited(&b"abcdef"[..], 0, 6).unwrap();
        assert_eq!(ok.as_deref(), Some(&b"abcdef"[..]));
        assert_eq!(read_limited(&b"abcdefg"[..], 0, 6).unwrap(), None);
        // An endless stream ends as soon as the limit is passed.
        assert_eq!(read_limited(std::io::repeat(0), 0, 1 << 20).unwrap(), None);
    }
}
