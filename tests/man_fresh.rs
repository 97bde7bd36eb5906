//! The man pages in `man/` are generated from the CLI definition (clap_mangen), like
//! `--help`, with two sections clap has no field for, from the tables below: EXAMPLES and
//! EXIT STATUS. This test fails when the pages are stale. Regenerate with
//! `UPDATE_MAN=1 cargo test --test man_fresh`.
//!
//! The tables are checked too: every page has both sections, every example is a command
//! line the CLI accepts, and every exit status is one of `EXIT_*` and the one the
//! subcommand's `--help` states.

use clap::{CommandFactory, Parser};
use clap_mangen::roff::{Roff, bold, roman};
use kubectl_netpol::cli::{Cli, EXIT_ERROR, EXIT_NO, EXIT_OK};

/// Examples of each page, by subcommand ("" for the main page): (command line, what it does).
const EXAMPLES: &[(&str, &[(&str, &str)])] = &[
    (
        "",
        &[
            (
                "kubectl netpol can-reach shop/frontend shop/db -f deploy/ --port 5432",
                "Whether the frontend may open a connection to the database on port 5432, and why.",
            ),
            (
                "kubectl netpol matrix --from-cluster -A",
                "Who may reach whom in the live cluster.",
            ),
            (
                "kubectl netpol check deploy/",
                "Lint the policies of a directory; fails (exit status 1) on warnings and errors.",
            ),
            (
                "kubectl netpol diff --base main deploy/",
                "What the changes to deploy/ since the branch main open and close.",
            ),
        ],
    ),
    (
        "can-reach",
        &[
            (
                "kubectl netpol can-reach shop/frontend shop/db -f deploy/",
                "Every port the frontend may open towards the database, with the rules that allow \
                 it, or why nothing does.",
            ),
            (
                "kubectl netpol can-reach shop/frontend shop/svc/api --port http deploy/",
                "Through a Service: its port is mapped to the targetPort of the pods it selects.",
            ),
            (
                "kubectl netpol can-reach -n shop frontend 203.0.113.7 --port tcp/443 deploy/",
                "Towards an address outside the cluster (ipBlock rules), naming the pod without \
                 its namespace.",
            ),
            (
                "kubectl netpol can-reach 'ingress-nginx{app.kubernetes.io/name=ingress-nginx}' \
                 shop/frontend --port 80 deploy/",
                "From a pod the files do not hold, described by its namespace and labels.",
            ),
            (
                "kubectl netpol can-reach shop/frontend shop/db --port 5432 --fix --diff deploy/ | git apply",
                "The smallest change that lets the frontend reach the database on that port and \
                 nothing else, verified, applied as a patch.",
            ),
            (
                "kubectl netpol can-reach shop/api shop/db --port 5432 --expect deny --fix --write deploy/",
                "The smallest change that blocks it and closes nothing else, written to the files.",
            ),
            (
                "kubectl netpol can-reach shop/api shop/db --from-cluster -q",
                "In the live cluster, answering with the exit status only (for scripts).",
            ),
        ],
    ),
    (
        "matrix",
        &[
            ("kubectl netpol matrix deploy/", "Every pair, as a grid."),
            (
                "kubectl netpol matrix deploy/ --from shop --to 'kube-system/*' --port 53/UDP",
                "Whether the pods of shop may ask the DNS of kube-system.",
            ),
            (
                "kubectl netpol matrix --from-cluster -A -o dot",
                "The allowed connections of the live cluster as a Graphviz graph, for dot -Tsvg.",
            ),
            (
                "kubectl netpol matrix deploy/ -o csv --group-by pod",
                "One row and column per pod, as CSV.",
            ),
        ],
    ),
    (
        "diff",
        &[
            (
                "kubectl netpol diff old/ new/",
                "What the policies of new/ open and close compared with old/.",
            ),
            (
                "kubectl netpol diff --base main deploy/ --exit-code",
                "deploy/ at the revision main against the working tree; exit status 1 when a \
                 connection changed.",
            ),
            (
                "kubectl netpol diff --old a.yaml b.yaml --new c.yaml d.yaml -o json",
                "Several files a side, as JSON.",
            ),
        ],
    ),
    (
        "generate",
        &[
            (
                "kubectl netpol generate deploy/ --expect flows.yaml --output-dir policies --check",
                "One file of least-privilege policies per namespace for the flows listed, proven.",
            ),
            (
                "kubectl netpol generate deploy/ --flows flows.json > policies.yaml",
                "Policies for what Hubble recorded (hubble observe -o json), to standard output.",
            ),
        ],
    ),
    (
        "replay",
        &[
            (
                "kubectl netpol replay --flows flows.json deploy/",
                "What deploy/ would drop of the flows Hubble recorded (hubble observe -o json).",
            ),
            (
                "kubectl netpol replay --flows flows.csv --base main deploy/ -o md",
                "The flows of a CSV under deploy/ at main and in the working tree, as a \
                 Markdown comment.",
            ),
        ],
    ),
    (
        "check",
        &[
            (
                "kubectl netpol check deploy/",
                "Lint every manifest of deploy/, at file:line:column.",
            ),
            (
                "kubectl netpol check deploy/ --expect deploy/expectations.yaml -o sarif",
                "With connectivity expectations, as SARIF for code scanning.",
            ),
            (
                "kubectl netpol check deploy/shop.yaml --topology deploy/",
                "Check one file against the pods, namespaces and policies of the rest of deploy/.",
            ),
            (
                "kubectl netpol check deploy/ -o github --fail-on error",
                "Annotations for GitHub Actions; only errors fail the run.",
            ),
            (
                "kubectl netpol check deploy/ --baseline main",
                "Also report every flow deploy/ allows that it did not allow at the revision main.",
            ),
            (
                "kubectl netpol check deploy/ --diff",
                "Show the safe fixes as a unified diff, writing nothing.",
            ),
            (
                "kubectl netpol check deploy/ --fix --unsafe-fixes",
                "Apply every fix, each verified first, and report what is left.",
            ),
        ],
    ),
    (
        "rules",
        &[
            ("kubectl netpol rules", "The rule catalogue of check."),
            (
                "kubectl netpol rules shadowed-rule",
                "What one rule finds, why it matters and how to fix it (a code works too: NP101).",
            ),
            (
                "kubectl netpol rules --markdown",
                "The whole catalogue, documentation included, as Markdown.",
            ),
        ],
    ),
    (
        "migrate",
        &[
            (
                "kubectl netpol migrate legacy/",
                "Print networking.k8s.io/v1 versions of the alpha and beta policies of legacy/.",
            ),
            (
                "kubectl netpol migrate --from-cluster -A --isolation-model annotation",
                "The same for a live cluster of Kubernetes 1.3 to 1.6.",
            ),
        ],
    ),
    (
        "report",
        &[
            (
                "kubectl netpol report deploy/",
                "Write netpol-report.html: the matrix as a heat map, why each cell, the findings.",
            ),
            (
                "kubectl netpol report --from-cluster -A -O cluster.html --no-findings",
                "The live cluster, without the findings of check.",
            ),
        ],
    ),
    (
        "completions",
        &[
            (
                "kubectl netpol completions bash",
                "The bash script, to save as \
                 ~/.local/share/bash-completion/completions/kubectl-netpol.",
            ),
            (
                "kubectl netpol completions zsh",
                "The zsh script, to save as _kubectl-netpol in a directory of $fpath.",
            ),
            (
                "kubectl netpol completions fish",
                "The fish script, to save as ~/.config/fish/completions/kubectl-netpol.fish.",
            ),
        ],
    ),
];

/// Exit statuses of each page, by subcommand ("" for the main page).
const EXIT_STATUS: &[(&str, &[(u8, &str)])] = &[
    (
        "",
        &[
            (EXIT_OK, "Success: allowed, no finding, nothing changed."),
            (
                EXIT_NO,
                "The negative answer: denied (can-reach), findings or a violated expectation \
                 (check), connections changed (diff --exit-code).",
            ),
            (EXIT_ERROR, "A usage or input error."),
        ],
    ),
    (
        "can-reach",
        &[
            (
                EXIT_OK,
                "Allowed (on every port of a range); with --expect deny, denied; with --fix, as \
                 expected already or a verified change printed or written.",
            ),
            (
                EXIT_NO,
                "Denied (on some port of a range); with --expect deny, allowed; with --fix, no \
                 change narrow enough found.",
            ),
            (EXIT_ERROR, "A usage or input error."),
        ],
    ),
    (
        "matrix",
        &[
            (EXIT_OK, "Success."),
            (EXIT_ERROR, "A usage or input error."),
        ],
    ),
    (
        "diff",
        &[
            (
                EXIT_OK,
                "Success (with --exit-code: no connection changed).",
            ),
            (
                EXIT_NO,
                "With --exit-code: a connection was opened, closed or changed.",
            ),
            (EXIT_ERROR, "A usage or input error."),
        ],
    ),
    (
        "generate",
        &[
            (
                EXIT_OK,
                "The policies are written (and, with --check, proven).",
            ),
            (
                EXIT_NO,
                "With --check: a flow not allowed, a deny allowed, or an undocumented extra.",
            ),
            (
                EXIT_ERROR,
                "A usage or input error, a flow whose ends map to nothing among them.",
            ),
        ],
    ),
    (
        "replay",
        &[
            (EXIT_OK, "No flow newly denied."),
            (EXIT_NO, "Some flow newly denied."),
            (
                EXIT_ERROR,
                "A usage or input error, a line of the flows that cannot be read among them.",
            ),
        ],
    ),
    (
        "check",
        &[
            (
                EXIT_OK,
                "No finding at or above --fail-on (warning unless configured); with --diff, no \
                 fix to apply.",
            ),
            (
                EXIT_NO,
                "A finding at or above --fail-on, a violated expectation among them, and an \
                 object the API server would reject (a bad value; an unknown, missing or \
                 mistyped field), left out of the analysis as the cluster would refuse it; with \
                 --diff, fixes to apply.",
            ),
            (
                EXIT_ERROR,
                "The check could not run over the whole input, whatever --fail-on and the rules' \
                 configuration say: a usage error, a path that cannot be read, a file that is not \
                 YAML or JSON, a document that names no kind, a bad configuration or \
                 expectations file (and with --strict, what the model does not evaluate).",
            ),
        ],
    ),
    (
        "rules",
        &[
            (EXIT_OK, "Success."),
            (
                EXIT_ERROR,
                "No rule of that name or code, or a usage error.",
            ),
        ],
    ),
    (
        "migrate",
        &[
            (EXIT_OK, "Success (nothing to migrate included)."),
            (EXIT_ERROR, "A usage or input error."),
        ],
    ),
    (
        "report",
        &[
            (EXIT_OK, "The page is written."),
            (
                EXIT_ERROR,
                "A usage or input error (the page is still written when the input had errors), or \
                 a matrix of more classes than --max-classes (no page is written).",
            ),
        ],
    ),
    (
        "completions",
        &[(EXIT_OK, "Success."), (EXIT_ERROR, "A usage error.")],
    ),
];

fn table<'t, T>(table: &'t [(&str, T)], name: &str) -> Option<&'t T> {
    table.iter().find(|(n, _)| *n == name).map(|(_, t)| t)
}

/// The paragraph of `--help` stating the exit status, if any.
fn stated_exit_status(cmd: &clap::Command) -> Option<String> {
    let help = cmd.get_after_help()?.to_string();
    let at = help.find("Exit status:")?;
    let paragraph = &help[at..];
    let end = paragraph.find("\n\n").unwrap_or(paragraph.len());
    Some(paragraph[..end].to_string())
}

/// The EXAMPLES and EXIT STATUS sections of the page of `cmd` (`name` "" for the main page).
fn extra_sections(name: &str) -> String {
    let mut roff = Roff::default();
    if let Some(examples) = table(EXAMPLES, name) {
        roff.control("SH", ["EXAMPLES"]);
        for (line, what) in *examples {
            roff.control("TP", []);
            roff.text([bold(*line)]);
            roff.text([roman(*what)]);
        }
    }
    if let Some(statuses) = table(EXIT_STATUS, name) {
        roff.control("SH", ["EXIT STATUS"]);
        for (code, what) in *statuses {
            roff.control("TP", []);
            roff.text([bold(code.to_string())]);
            roff.text([roman(*what)]);
        }
    }
    let text = roff.render();
    // The apostrophe preamble is already at the top of the page.
    let preamble_end = text.match_indices('\n').nth(1).map_or(0, |(at, _)| at + 1);
    text[preamble_end..].to_string()
}

/// `(file name, roff)`: kubectl-netpol.1, then kubectl-netpol-SUBCOMMAND.1 for each visible
/// subcommand.
fn pages() -> Vec<(String, Vec<u8>)> {
    // The version of Cargo.toml, not the commit: the pages change with releases only.
    let mut cmd = Cli::command()
        .version(env!("CARGO_PKG_VERSION"))
        .disable_help_subcommand(true);
    cmd.build();
    let mut commands = vec![(String::new(), cmd.clone())];
    commands.extend(
        cmd.get_subcommands()
            .filter(|s| !s.is_hide_set())
            .map(|s| (s.get_name().to_string(), s.clone())),
    );
    commands
        .into_iter()
        .map(|(name, mut c)| {
            // EXIT STATUS says it: the paragraph of `--help` is not repeated under EXTRA.
            if let Some(stated) = stated_exit_status(&c) {
                let help = c.get_after_help().unwrap().to_string();
                let rest = help.replace(&stated, "");
                let rest = rest.trim_end().to_string();
                c = if rest.is_empty() {
                    c.after_help(None::<&str>)
                } else {
                    c.after_help(rest)
                };
            }
            let man = clap_mangen::Man::new(c).manual("kubectl plugins");
            let mut roff = Vec::new();
            man.render(&mut roff)
                .expect("rendering to memory cannot fail");
            let mut page = String::from_utf8(roff).expect("roff is UTF-8");
            let at = page.find(".SH VERSION").unwrap_or(page.len());
            page.insert_str(at, &extra_sections(&name));
            (man.get_filename(), page.into_bytes())
        })
        .collect()
}

#[test]
fn shipped_man_pages_match_the_cli_definition() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    let update = std::env::var_os("UPDATE_MAN").is_some();
    let pages = pages();
    let mut stale = Vec::new();
    if update {
        std::fs::create_dir_all(&dir).unwrap();
    }
    for (file, roff) in &pages {
        let path = dir.join(file);
        if update {
            std::fs::write(&path, roff).unwrap();
        } else if std::fs::read(&path).ok().as_deref() != Some(roff.as_slice()) {
            stale.push(file.clone());
        }
    }
    // A page left behind by a subcommand that is gone is stale too.
    let names: Vec<&str> = pages.iter().map(|(f, _)| f.as_str()).collect();
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".1") && !names.contains(&name.as_str()) {
            if update {
                std::fs::remove_file(entry.path()).unwrap();
            } else {
                stale.push(name);
            }
        }
    }
    assert!(
        stale.is_empty(),
        "stale man pages {stale:?}: run UPDATE_MAN=1 cargo test --test man_fresh"
    );
}

#[test]
fn every_subcommand_has_a_page_naming_its_flags() {
    let pages = pages();
    let root = pages
        .iter()
        .find(|(f, _)| f == "kubectl-netpol.1")
        .expect("the main page");
    let root = String::from_utf8_lossy(&root.1);
    assert!(
        root.contains("can\\-reach"),
        "the main page lists the subcommands"
    );
    let can_reach = pages
        .iter()
        .find(|(f, _)| f == "kubectl-netpol-can-reach.1")
        .expect("a page per subcommand");
    let text = String::from_utf8_lossy(&can_reach.1);
    assert!(text.contains("from\\-cluster"), "{text}");
    assert!(!pages.iter().any(|(f, _)| f.contains("__complete")));
}

#[test]
fn every_page_has_examples_and_exit_status_before_version() {
    for (file, roff) in pages() {
        let text = String::from_utf8(roff).unwrap();
        let examples = text.find(".SH EXAMPLES\n");
        let status = text.find(".SH \"EXIT STATUS\"\n");
        let version = text.find(".SH VERSION\n");
        assert!(
            examples.is_some() && status.is_some() && version.is_some(),
            "{file}: {text}"
        );
        assert!(examples < status && status < version, "{file}");
        assert_eq!(
            text.matches(".ie \\n(.g").count(),
            1,
            "{file}: one preamble"
        );
        // Told once, under EXIT STATUS.
        assert!(!text.contains("Exit status:"), "{file}");
    }
    let pages = pages();
    let page =
        |f: &str| String::from_utf8(pages.iter().find(|(n, _)| n == f).unwrap().1.clone()).unwrap();
    let check = page("kubectl-netpol-check.1");
    assert!(
        check.contains(".TP\n\\fBkubectl netpol check deploy/\\fR\nLint every manifest"),
        "{check}"
    );
    assert!(check.contains(".SH \"EXIT STATUS\"\n.TP\n\\fB0\\fR\nNo finding"));
    // The version of Cargo.toml, without the commit.
    let version = format!(".SH VERSION\nv{}\n", env!("CARGO_PKG_VERSION"));
    assert!(check.contains(&version), "{check}");
    // What --help says beside the exit status stays under EXTRA.
    assert!(check.contains(".SH EXTRA\n"), "{check}");
}

#[test]
fn every_visible_subcommand_is_in_both_tables() {
    let cmd = Cli::command();
    let mut names = vec![String::new()];
    names.extend(
        cmd.get_subcommands()
            .filter(|s| !s.is_hide_set())
            .map(|s| s.get_name().to_string()),
    );
    for name in &names {
        assert!(
            table(EXAMPLES, name).is_some_and(|e| !e.is_empty()),
            "{name:?}: no examples"
        );
        assert!(
            table(EXIT_STATUS, name).is_some(),
            "{name:?}: no exit status"
        );
    }
    let listed = EXAMPLES
        .iter()
        .map(|(n, _)| *n)
        .chain(EXIT_STATUS.iter().map(|(n, _)| *n));
    for name in listed {
        assert!(names.iter().any(|n| n == name), "{name:?} is no subcommand");
    }
}

/// The words of an example, as the shell splits them (single quotes only).
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                any = true;
            }
            ' ' if !quoted => {
                if any {
                    words.push(std::mem::take(&mut word));
                    any = false;
                }
            }
            c => {
                word.push(c);
                any = true;
            }
        }
    }
    assert!(!quoted, "unbalanced quotes in {line}");
    if any {
        words.push(word);
    }
    words
}

#[test]
fn every_example_is_a_command_line_the_cli_accepts() {
    for (name, examples) in EXAMPLES {
        for (line, what) in *examples {
            let rest = line
                .strip_prefix("kubectl netpol ")
                .unwrap_or_else(|| panic!("{line}: starts with `kubectl netpol`"));
            let mut argv = vec!["kubectl-netpol".to_string()];
            argv.extend(shell_words(rest));
            if !name.is_empty() {
                assert_eq!(argv[1], *name, "{line} is on the page of {name}");
            }
            if let Err(e) = Cli::try_parse_from(&argv) {
                panic!("{line}: {e}");
            }
            assert!(what.ends_with('.'), "{what}");
        }
    }
}

#[test]
fn exit_statuses_are_those_the_help_states() {
    let cmd = Cli::command();
    for (name, statuses) in EXIT_STATUS {
        let codes: Vec<u8> = statuses.iter().map(|(c, _)| *c).collect();
        for code in &codes {
            assert!(
                [EXIT_OK, EXIT_NO, EXIT_ERROR].contains(code),
                "{name}: {code}"
            );
        }
        let mut sorted = codes.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, codes, "{name}: each once, in order");
        if name.is_empty() {
            assert_eq!(codes, [EXIT_OK, EXIT_NO, EXIT_ERROR]);
            continue;
        }
        let sub = cmd.find_subcommand(name).unwrap();
        let Some(stated) = stated_exit_status(sub) else {
            continue;
        };
        // The codes stated are the digits standing alone in the paragraph.
        let stated_codes: Vec<u8> = stated
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter_map(|w| w.parse::<u8>().ok())
            .filter(|c| *c <= EXIT_ERROR)
            .collect();
        let mut stated_sorted = stated_codes.clone();
        stated_sorted.sort();
        stated_sorted.dedup();
        assert_eq!(stated_sorted, codes, "{name}: --help says {stated:?}");
    }
}
