//! Kustomizations: `-k DIR` renders one with `kubectl kustomize DIR`, as `kubectl apply -k`
//! does, and its output is read like any stream, named `kustomize:DIR` so that every
//! diagnostic says which kustomization it comes from (its lines are those of the output
//! `kubectl kustomize DIR` prints).
//!
//! A directory holding a kustomization that is read as plain files (`-f DIR`) would be read
//! as its raw resources, without the namespace, name prefixes, patches and generators the
//! kustomization applies: the answer would be about manifests that are never applied. The
//! loader warns of it ([`is_kustomization`]), pointing to `-k`.

use std::path::Path;
use std::process::Command;

/// The file names of a kustomization, as kustomize looks for them.
pub const FILE_NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Whether a file is a kustomization, by its name.
pub fn is_kustomization(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| FILE_NAMES.contains(&n))
}

/// The warning for a kustomization read as plain files, at its kustomization file.
pub fn read_as_files_warning(file: &Path) -> String {
    let dir = match file.parent().map(|d| d.display().to_string()) {
        Some(d) if !d.is_empty() => d,
        _ => ".".to_string(),
    };
    format!(
        "{dir} is a kustomization: its resources are read as they are, without its namespace, name prefixes, patches and generators; read it with `-k {dir}` to get what `kubectl apply -k` applies"
    )
}

/// The name the output of `kubectl kustomize DIR` is read under.
pub fn stream_name(dir: &str) -> String {
    format!("kustomize:{dir}")
}

/// A kustomization rendered.
#[derive(Debug)]
pub struct Rendered {
    /// The name its output is read under ([`stream_name`]).
    pub name: String,
    /// What `kubectl kustomize` printed.
    pub text: String,
    /// What kubectl printed on standard error although it succeeded (deprecation notes...).
    pub warnings: Vec<String>,
}

/// Renders the kustomization in `dir` with `kubectl kustomize`, refusing output of more than
/// `max_bytes`. Err: the whole message, starting with `-k DIR:`.
pub fn render(dir: &str, max_bytes: u64) -> Result<Rendered, String> {
    render_with("kubectl", dir, max_bytes)
}

fn render_with(program: &str, dir: &str, max_bytes: u64) -> Result<Rendered, String> {
    let path = Path::new(dir);
    let remote = dir.contains("://") || dir.starts_with("git@") || dir.starts_with("github.com/");
    if !remote {
        if !path.is_dir() {
            let what = if path.exists() {
                "not a directory: -k takes the directory that holds the kustomization"
            } else {
                "no such directory"
            };
            return Err(format!("-k {dir}: {what}"));
        }
        if !FILE_NAMES.iter().any(|f| path.join(f).is_file()) {
            return Err(format!(
                "-k {dir}: no kustomization here (none of {})",
                FILE_NAMES.join(", ")
            ));
        }
    }
    let out = Command::new(program)
        .arg("kustomize")
        .arg(dir)
        .output()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                format!(
                    "-k {dir}: {program} is not on PATH: -k renders the kustomization with `{program} kustomize`; install kubectl, or render it another way and pass the output (`kustomize build {dir} | kubectl netpol check -f -`)"
                )
            } else {
                format!("-k {dir}: cannot run {program}: {e}")
            }
        })?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    let said: Vec<String> = stderr
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .map(plain)
        .collect();
    if !out.status.success() {
        let how = out
            .status
            .code()
            .map_or("was killed".to_string(), |c| format!("exited with {c}"));
        let shown = if said.is_empty() {
            String::new()
        } else {
            format!(":\n    {}", said.join("\n    "))
        };
        return Err(format!(
            "-k {dir}: `{program} kustomize {dir}` {how}{shown}"
        ));
    }
    if out.stdout.len() as u64 > max_bytes {
        return Err(super::too_large(&stream_name(dir), max_bytes));
    }
    let text = super::text::decode(out.stdout).map_err(|e| format!("{}:{e}", stream_name(dir)))?;
    Ok(Rendered {
        name: stream_name(dir),
        text,
        warnings: said
            .into_iter()
            .map(|l| format!("-k {dir}: {program}: {l}"))
            .collect(),
    })
}

/// A line kubectl logged, without klog's header (`E1207 01:56:35.484289   27204 run.go:72] `)
/// and with a `"command failed" err="..."` record said as its error.
fn plain(line: &str) -> String {
    let b = line.as_bytes();
    let klog = b.len() > 22
        && matches!(b[0], b'I' | b'W' | b'E' | b'F')
        && b[1..5].iter().all(u8::is_ascii_digit)
        && b[5] == b' ';
    let rest = match line.find("] ") {
        Some(end) if klog => &line[end + 2..],
        _ => line,
    };
    match rest
        .strip_prefix("\"command failed\" err=\"")
        .and_then(|r| r.strip_suffix('"'))
    {
        Some(err) => err.replace("\\\"", "\""),
        None => rest.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kustomization_files_are_known_by_name() {
        assert!(is_kustomization(Path::new("base/kustomization.yaml")));
        assert!(is_kustomization(Path::new("kustomization.yml")));
        assert!(is_kustomization(Path::new("a/Kustomization")));
        assert!(!is_kustomization(Path::new("a/kustomization.json")));
        assert!(!is_kustomization(Path::new("a/my-kustomization.yaml")));
        assert!(
            read_as_files_warning(Path::new("overlays/prod/kustomization.yaml"))
                .starts_with("overlays/prod is a kustomization")
        );
        assert!(read_as_files_warning(Path::new("kustomization.yaml")).contains("`-k .`"));
    }

    #[test]
    fn what_is_not_a_kustomization_is_refused_before_kubectl_runs() {
        let e = render_with("no-such-program", "no/such/dir", 1 << 20).unwrap_err();
        assert_eq!(e, "-k no/such/dir: no such directory");
        let e = render_with("no-such-program", "Cargo.toml", 1 << 20).unwrap_err();
        assert!(e.contains("not a directory"), "{e}");
        let e = render_with("no-such-program", "src", 1 << 20).unwrap_err();
        assert!(e.contains("no kustomization here"), "{e}");
    }

    #[test]
    fn klog_headers_are_taken_off_kubectl_s_words() {
        assert_eq!(
            plain(
                r#"E1207 01:56:35.484289   27204 run.go:72] "command failed" err="accumulating resources: 'a.yaml': \"x\" missing""#
            ),
            r#"accumulating resources: 'a.yaml': "x" missing"#
        );
        assert_eq!(
            plain("Warning: 'bases' is deprecated"),
            "Warning: 'bases' is deprecated"
        );
    }

    #[test]
    fn a_missing_program_is_named() {
        let dir = "testdata/inputs/kustomize/overlay";
        let e = render_with("no-such-kubectl", dir, 1 << 20).unwrap_err();
        assert!(
            e.starts_with(&format!("-k {dir}: no-such-kubectl is not on PATH")),
            "{e}"
        );
    }
}
