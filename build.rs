//! Extracts the module doc comment (`//!` lines) of every lint rule file in
//! `src/lint/rules/` into a table, so that a rule's doc comment is the documentation
//! `kubectl netpol rules NAME` prints: written once, next to the code.

use std::fmt::Write;
use std::path::Path;

fn main() {
    let dir = Path::new("src/lint/rules");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut entries: Vec<(String, String)> = Vec::new();
    if let Ok(read) = std::fs::read_dir(dir) {
        for entry in read.flatten() {
            let path = entry.path();
            let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
                continue;
            };
            if path.extension().and_then(|e| e.to_str()) != Some("rs") || stem == "mod" {
                continue;
            }
            println!("cargo:rerun-if-changed={}", path.display());
            let text = std::fs::read_to_string(&path).expect("rule files are readable");
            let doc: Vec<&str> = text
                .lines()
                .take_while(|l| l.starts_with("//!"))
                .map(|l| {
                    l.strip_prefix("//! ")
                        .or_else(|| l.strip_prefix("//!"))
                        .unwrap_or("")
                })
                .collect();
            entries.push((stem.to_string(), doc.join("\n")));
        }
    }
    entries.sort();
    let mut out = String::from(
        "/// (module name, doc comment) of every rule file.\npub const RULE_DOCS: &[(&str, &str)] = &[\n",
    );
    for (name, doc) in entries {
        writeln!(out, "    ({name:?}, {doc:?}),").unwrap();
    }
    out.push_str("];\n");
    let dest =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("rule_docs.rs");
    std::fs::write(dest, out).expect("OUT_DIR is writable");
}
