//! The README says what is true.
//!
//! **Example outputs.** Every ```` ```console ```` block of `README.md` is a terminal session:
//! a line `$ COMMAND` is a command, and the lines after it, up to the next command or the end
//! of the block, are what it prints on standard output. A command is run when it starts with
//! `kubectl netpol` or `kubectl-netpol` (the built binary, given the words after that), and
//! does not need a cluster or kubectl (`--from-cluster`, `-k`/`--kustomize`) nor a shell
//! (pipes, redirections, substitutions); other commands and their output are left alone, and
//! the test says how many it checked and skipped. It fails when it checked none, and when a
//! console block does not open with a command (output alone goes in a ```` ```text ```` block).
//!
//! Commands run in a scratch directory that mirrors the repository root (a symbolic link to
//! each top-level entry), so paths read as in the README and a file a command writes
//! (`report --output-file`) lands outside the tree; with standard input empty, `NO_COLOR=1`
//! and `COLUMNS` unset (standard output is a pipe, so tables keep their natural width).
//! Outputs are compared line by line, blanks at the end of a line ignored; a line that is
//! `...` alone (indentation aside) stands for any run of lines, for an excerpt.
//!
//! `UPDATE_README=1 cargo test --test readme_examples` rewrites each block that differs with
//! what its command printed. An excerpt that differs loses its `...` lines: abbreviate it again
//! by hand.
//!
//! **Exit status.** The table of `## Exit status` has a row per subcommand and a column per
//! status; a status a subcommand never exits with is written `—`. Its statuses are held to
//! the man pages' EXIT STATUS sections (generated from the table of `tests/man_fresh.rs`) and
//! to the "Exit status:" paragraph of each subcommand's `--help`.

use std::path::Path;
use std::process::{Command, Stdio};

use clap::CommandFactory;
use kubectl_netpol::cli::Cli;

const UPDATE_HINT: &str = "UPDATE_README=1 cargo test --test readme_examples";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn readme() -> String {
    std::fs::read_to_string(root().join("README.md")).expect("README.md is readable")
}

/// One `$ COMMAND` of a console block and the output written under it.
#[derive(Debug, Clone, PartialEq)]
struct Example {
    /// The text after `$ `.
    command: String,
    /// Line number (1-based) of the command in the README.
    line: usize,
    /// The output lines, the block's indentation taken off.
    expected: Vec<String>,
    /// Lines `[start, end)` of the README (0-based) holding the output.
    start: usize,
    end: usize,
    /// The indentation of the block's fence, which every line of it carries.
    indent: String,
}

/// Every command of every console block, in README order; Err names a console block that
/// does not open with a command.
fn examples(text: &str) -> Result<Vec<Example>, String> {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let fence = lines[i];
        let indent = &fence[..fence.len() - fence.trim_start().len()];
        if fence.trim() != "```console" {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        let mut current: Option<Example> = None;
        while j < lines.len() && lines[j].trim() != "```" {
            let line = lines[j]
                .strip_prefix(indent)
                .unwrap_or(lines[j].trim_start());
            if let Some(command) = line.strip_prefix("$ ") {
                if let Some(mut done) = current.take() {
                    done.end = j;
                    out.push(done);
                }
                current = Some(Example {
                    command: command.trim().to_string(),
                    line: j + 1,
                    expected: Vec::new(),
                    start: j + 1,
                    end: j + 1,
                    indent: indent.to_string(),
                });
            } else if let Some(example) = current.as_mut() {
                example.expected.push(line.to_string());
            } else {
                return Err(format!(
                    "README.md:{}: a console block opens with `$ COMMAND`; put output alone in a text block",
                    i + 1
                ));
            }
            j += 1;
        }
        if let Some(mut done) = current.take() {
            done.end = j;
            out.push(done);
        }
        i = j + 1;
    }
    Ok(out)
}

/// The words of a command line as a POSIX shell splits them (quotes, backslashes, `#`
/// comments); None when it uses more of the shell than that.
fn words(line: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => {
                out.extend(word.take());
            }
            '#' if word.is_none() => break,
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next()? {
                        '\'' => break,
                        c => w.push(c),
                    }
                }
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next()? {
                        '"' => break,
                        '\\' => match chars.next()? {
                            c @ ('"' | '\\' | '$' | '`') => w.push(c),
                            c => {
                                w.push('\\');
                                w.push(c);
                            }
                        },
                        '$' | '`' => return None,
                        c => w.push(c),
                    }
                }
            }
            '\\' => word.get_or_insert_with(String::new).push(chars.next()?),
            '|' | '&' | ';' | '<' | '>' | '(' | ')' | '$' | '`' => return None,
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    out.extend(word);
    Some(out)
}

/// The arguments to run the binary with, or why the command is not run.
fn arguments(command: &str) -> Result<Vec<String>, &'static str> {
    let words = words(command).ok_or("uses the shell")?;
    let args = match words.as_slice() {
        [k, n, rest @ ..] if k == "kubectl" && n == "netpol" => rest,
        [p, rest @ ..] if p == "kubectl-netpol" => rest,
        _ => return Err("not kubectl netpol"),
    };
    let needs_kubectl = |a: &String| {
        a == "--from-cluster"
            || a.starts_with("--from-cluster=")
            || a == "-k"
            || a.starts_with("--kustomize")
    };
    if args.iter().any(needs_kubectl) {
        return Err("needs kubectl");
    }
    Ok(args.to_vec())
}

/// A directory mirroring the repository root: a symbolic link to each top-level entry but
/// the build output.
fn scratch_root() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a scratch directory");
    for entry in std::fs::read_dir(root()).expect("the repository root is readable") {
        let entry = entry.expect("a directory entry");
        let name = entry.file_name();
        if name == "target" {
            continue;
        }
        symlink(&entry.path(), &dir.path().join(&name));
    }
    dir
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).expect("a symbolic link");
}

#[cfg(windows)]
fn symlink(target: &Path, link: &Path) {
    if target.is_dir() {
        std::os::windows::fs::symlink_dir(target, link).expect("a symbolic link");
    } else {
        std::os::windows::fs::symlink_file(target, link).expect("a symbolic link");
    }
}

/// Standard output of the binary run with `args` in `dir`, one line per item, blanks at the
/// end of lines taken off.
fn run(dir: &Path, command: &str, args: &[String]) -> Vec<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_kubectl-netpol"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("COLUMNS")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("GITHUB_STEP_SUMMARY")
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8(out.stdout).expect("UTF-8 output");
    // Exit statuses 0, 1 and 2 are answers; anything else (a panic, a signal) is a bug.
    assert!(
        matches!(out.status.code(), Some(0..=2)),
        "`{command}` ended with {}:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout.lines().map(|l| l.trim_end().to_string()).collect()
}

fn is_elision(line: &str) -> bool {
    line.trim() == "..."
}

/// Whether `actual` is what `expected` shows: equal lines, blanks at line ends aside, a
/// `...` line standing for any run of lines.
fn matches(expected: &[String], actual: &[String]) -> bool {
    let (n, m) = (expected.len(), actual.len());
    // fits[i][j]: expected[i..] shows actual[j..].
    let mut fits = vec![vec![false; m + 1]; n + 1];
    fits[n][m] = true;
    for i in (0..n).rev() {
        for j in (0..=m).rev() {
            fits[i][j] = if is_elision(&expected[i]) {
                fits[i + 1][j] || (j < m && fits[i][j + 1])
            } else {
                j < m && expected[i].trim_end() == actual[j] && fits[i + 1][j + 1]
            };
        }
    }
    fits[0][0]
}

/// A line diff of the README's block (`-`) against the output (`+`), with two lines of
/// context around each change.
fn diff(expected: &[String], actual: &[String]) -> String {
    let expected: Vec<&str> = expected.iter().map(|l| l.trim_end()).collect();
    let (n, m) = (expected.len(), actual.len());
    // common[i][j]: the longest common subsequence of expected[i..] and actual[j..].
    let mut common = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            common[i][j] = if expected[i] == actual[j] {
                common[i + 1][j + 1] + 1
            } else {
                common[i + 1][j].max(common[i][j + 1])
            };
        }
    }
    let mut ops: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && expected[i] == actual[j] {
            ops.push((' ', expected[i]));
            i += 1;
            j += 1;
        } else if i < n && (j == m || common[i + 1][j] >= common[i][j + 1]) {
            ops.push(('-', expected[i]));
            i += 1;
        } else {
            ops.push(('+', &actual[j]));
            j += 1;
        }
    }
    const CONTEXT: usize = 2;
    let near_change = |k: usize| {
        let from = k.saturating_sub(CONTEXT);
        let to = (k + CONTEXT + 1).min(ops.len());
        ops[from..to].iter().any(|(op, _)| *op != ' ')
    };
    let mut out = String::new();
    let mut skipped = 0;
    for (k, (op, line)) in ops.iter().enumerate() {
        if near_change(k) {
            if skipped > 0 {
                out.push_str(&format!("  @@ {skipped} unchanged lines @@\n"));
                skipped = 0;
            }
            out.push_str(&format!("{op} {line}\n"));
        } else {
            skipped += 1;
        }
    }
    if skipped > 0 {
        out.push_str(&format!("  @@ {skipped} unchanged lines @@\n"));
    }
    out
}

/// `text` with the output of each example of `updates` (as it was parsed from an earlier
/// reading) replaced by the new lines. Examples are found again in `text` by command and
/// output, so edits made elsewhere in the file meanwhile are kept; an example no longer
/// there is left out of the count returned.
fn rewrite(text: &str, updates: &[(Example, Vec<String>)]) -> (String, usize) {
    let now = examples(text).unwrap_or_default();
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    let mut found: Vec<(&Example, &Vec<String>)> = updates
        .iter()
        .filter_map(|(old, new)| {
            now.iter()
                .find(|e| e.command == old.command && e.expected == old.expected)
                .map(|e| (e, new))
        })
        .collect();
    found.sort_by_key(|(e, _)| std::cmp::Reverse(e.start));
    for (e, new) in &found {
        let replacement = new.iter().map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{}{l}", e.indent)
            }
        });
        lines.splice(e.start..e.end, replacement);
    }
    (lines.join("\n"), found.len())
}

#[test]
fn readme_example_outputs_are_what_the_commands_print() {
    let text = readme();
    let all = examples(&text).unwrap_or_else(|e| panic!("{e}"));
    let scratch = scratch_root();
    let mut checked = 0;
    let mut skipped = Vec::new();
    let mut wrong: Vec<(Example, Vec<String>)> = Vec::new();
    let mut report = String::new();
    for example in &all {
        let args = match arguments(&example.command) {
            Ok(args) => args,
            Err(why) => {
                skipped.push(format!(
                    "  README.md:{}: `{}` ({why})",
                    example.line, example.command
                ));
                continue;
            }
        };
        checked += 1;
        let actual = run(scratch.path(), &example.command, &args);
        if !matches(&example.expected, &actual) {
            report.push_str(&format!(
                "README.md:{}: `$ {}` prints something else (- README, + output):\n{}\n",
                example.line,
                example.command,
                diff(&example.expected, &actual)
            ));
            wrong.push((example.clone(), actual));
        }
    }
    let blocks = text.lines().filter(|l| l.trim() == "```console").count();
    println!(
        "README.md: {checked} example commands checked, {} skipped, in {blocks} console blocks",
        skipped.len()
    );
    for s in &skipped {
        println!("{s}");
    }
    assert!(checked > 0, "no example of README.md was checked");
    if wrong.is_empty() {
        return;
    }
    if std::env::var_os("UPDATE_README").is_some() {
        // Read again just before writing: others may have edited the file meanwhile.
        let (updated, n) = rewrite(&readme(), &wrong);
        std::fs::write(root().join("README.md"), updated).expect("README.md is writable");
        println!(
            "{report}rewrote {n} of {} examples of README.md",
            wrong.len()
        );
        return;
    }
    panic!(
        "{report}{} of {checked} README examples are out of date; `{UPDATE_HINT}` rewrites them \
         with what the commands print (review the change: an excerpt loses its `...` lines)",
        wrong.len()
    );
}

#[test]
fn console_blocks_are_parsed_into_commands_and_outputs() {
    let text = "intro\n\n```console\n$ kubectl netpol a 'b c'\nout 1\n\n$ kubectl-netpol x\n```\n\n  ```console\n  $ kubectl netpol y\n    indented\n  ```\n";
    let all = examples(text).unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all[0].command, "kubectl netpol a 'b c'");
    assert_eq!(all[0].expected, ["out 1", ""]);
    assert_eq!((all[0].line, all[0].start, all[0].end), (4, 4, 6));
    assert_eq!(all[1].expected, Vec::<String>::new());
    assert_eq!(all[2].expected, ["  indented"]);
    assert_eq!(all[2].indent, "  ");
    assert!(examples("```console\noutput alone\n```\n").is_err());

    // The update rewrites outputs in place, keeping the indentation and the rest.
    let updates = vec![
        (all[0].clone(), vec!["new".to_string()]),
        (
            all[2].clone(),
            vec!["a".to_string(), String::new(), "b".to_string()],
        ),
    ];
    let (updated, n) = rewrite(&format!("edited meanwhile\n{text}"), &updates);
    assert_eq!(n, 2);
    assert_eq!(
        updated,
        "edited meanwhile\nintro\n\n```console\n$ kubectl netpol a 'b c'\nnew\n$ kubectl-netpol x\n```\n\n  ```console\n  $ kubectl netpol y\n  a\n\n  b\n  ```\n"
    );
}

#[test]
fn commands_are_split_as_the_shell_splits_them() {
    let w = |s: &str| words(s).map(|v| v.join("|"));
    assert_eq!(
        w("a 'b c' \"d\\\"e\" f\\ g ''").as_deref(),
        Some("a|b c|d\"e|f g|")
    );
    assert_eq!(w("a # comment").as_deref(), Some("a"));
    assert_eq!(w("a > f"), None);
    assert_eq!(w("a <(b)"), None);
    assert_eq!(w("a \"$HOME\""), None);
    assert_eq!(
        arguments("kubectl netpol matrix testdata/demo"),
        Ok(vec!["matrix".to_string(), "testdata/demo".to_string()])
    );
    assert_eq!(
        arguments("kubectl-netpol __complete can-reach ''"),
        Ok(vec![
            "__complete".to_string(),
            "can-reach".to_string(),
            String::new()
        ])
    );
    assert!(arguments("kubectl netpol matrix --from-cluster -A").is_err());
    assert!(arguments("kubectl netpol check -k overlays/prod").is_err());
    assert!(arguments("kubectl krew install netpol").is_err());
    assert!(arguments("cargo run -q -- check testdata/demo").is_err());
}

#[test]
fn an_ellipsis_line_stands_for_any_run_of_lines() {
    let v = |s: &[&str]| s.iter().map(|l| l.to_string()).collect::<Vec<_>>();
    let actual = v(&["a", "b", "c", "d"]);
    assert!(matches(&v(&["a", "b", "c", "d  "]), &actual));
    assert!(matches(&v(&["a", "  ...", "d"]), &actual));
    assert!(matches(&v(&["...", "b", "...", "d", "..."]), &actual));
    assert!(!matches(&v(&["a", "...", "c"]), &actual));
    assert!(!matches(&v(&["a", "b", "c"]), &actual));
    assert_eq!(
        diff(&v(&["a", "x", "c", "d"]), &actual),
        "  a\n- x\n+ b\n  c\n  d\n"
    );
}

/// The statuses of each row of the README's exit status table, by subcommand.
fn readme_exit_table(text: &str) -> Vec<(String, Vec<u8>)> {
    let section = text
        .split("\n## ")
        .find(|s| s.starts_with("Exit status\n"))
        .expect("README.md has a `## Exit status` section");
    let rows: Vec<Vec<String>> = section
        .lines()
        .filter(|l| l.starts_with('|'))
        .map(|l| {
            l.trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect();
    let header = &rows[0];
    let columns: Vec<(usize, u8)> = header
        .iter()
        .enumerate()
        .filter_map(|(k, h)| h.parse::<u8>().ok().map(|code| (k, code)))
        .collect();
    assert_eq!(
        columns.iter().map(|(_, c)| *c).collect::<Vec<_>>(),
        [0, 1, 2],
        "the table has a column per status: {header:?}"
    );
    rows[2..]
        .iter()
        .map(|row| {
            let name = row[0].trim_matches('`').to_string();
            let codes = columns
                .iter()
                .filter(|(k, _)| !matches!(row[*k].as_str(), "" | "—" | "-"))
                .map(|(_, code)| *code)
                .collect();
            (name, codes)
        })
        .collect()
}

/// The statuses listed under EXIT STATUS in the man page of `sub`.
fn man_exit_statuses(sub: &str) -> Vec<u8> {
    let page = std::fs::read_to_string(root().join(format!("man/kubectl-netpol-{sub}.1")))
        .unwrap_or_else(|e| {
            panic!(
                "man/kubectl-netpol-{sub}.1: {e} (UPDATE_MAN=1 cargo test --test man_fresh writes it)"
            )
        });
    let section = page
        .split(".SH \"EXIT STATUS\"\n")
        .nth(1)
        .unwrap_or_else(|| panic!("the man page of {sub} has EXIT STATUS"));
    let section = section.split("\n.SH").next().unwrap();
    section
        .lines()
        .filter_map(|l| l.strip_prefix("\\fB")?.strip_suffix("\\fR")?.parse().ok())
        .collect()
}

/// The statuses the "Exit status:" paragraph of a subcommand's `--help` names (the digits
/// standing alone in it), if it has one.
fn help_exit_statuses(cmd: &clap::Command) -> Option<Vec<u8>> {
    let help = cmd.get_after_help()?.to_string();
    let paragraph = &help[help.find("Exit status:")?..];
    let paragraph = &paragraph[..paragraph.find("\n\n").unwrap_or(paragraph.len())];
    let mut codes: Vec<u8> = paragraph
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter_map(|w| w.parse::<u8>().ok())
        .filter(|c| *c <= 2)
        .collect();
    codes.sort();
    codes.dedup();
    Some(codes)
}

#[test]
fn readme_exit_status_table_agrees_with_help_and_man_pages() {
    let table = readme_exit_table(&readme());
    let cli = Cli::command();
    let mut subcommands: Vec<String> = cli
        .get_subcommands()
        .filter(|c| !c.is_hide_set())
        .map(|c| c.get_name().to_string())
        .collect();
    subcommands.sort();
    let mut rows: Vec<String> = table.iter().map(|(n, _)| n.clone()).collect();
    rows.sort();
    assert_eq!(rows, subcommands, "a row per subcommand");
    for (name, codes) in &table {
        assert_eq!(
            codes,
            &man_exit_statuses(name),
            "{name}: README.md's exit statuses and the man page's (tests/man_fresh.rs)"
        );
        let sub = cli.find_subcommand(name).unwrap();
        if let Some(stated) = help_exit_statuses(sub) {
            assert_eq!(
                codes, &stated,
                "{name}: README.md's exit statuses and those `{name} --help` states"
            );
        }
    }
}

#[test]
fn readme_names_the_license_cargo_toml_declares() {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let spdx = manifest
        .lines()
        .find_map(|l| l.strip_prefix("license = "))
        .expect("Cargo.toml declares a license")
        .trim_matches('"');
    let license = std::fs::read_to_string(root().join("LICENSE")).expect("a LICENSE file");
    let text = readme();
    let section = text
        .split("\n## ")
        .find(|s| s.starts_with("License\n"))
        .expect("README.md has a `## License` section");
    assert!(
        section.contains(&format!("`{spdx}`")),
        "README.md's license section names `{spdx}`"
    );
    // The file holds the text of the license the SPDX id names.
    let title = match spdx {
        "Apache-2.0" => "Apache License\n                        Version 2.0",
        "MIT" => "MIT License",
        other => panic!("{other}: name its title here"),
    };
    assert!(license.contains(title), "LICENSE is the {spdx} text");
}
