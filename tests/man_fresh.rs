//! The man pages in `man/` are generated from the CLI definition (clap_mangen), like
//! `--help`; this test fails when they are stale. Regenerate with
//! `UPDATE_MAN=1 cargo test --test man_fresh`.

use clap::CommandFactory;
use kubectl_netpol::cli::Cli;

/// `(file name, roff)`: kubectl-netpol.1, then kubectl-netpol-SUBCOMMAND.1 for each visible
/// subcommand.
fn pages() -> Vec<(String, Vec<u8>)> {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut commands = vec![cmd.clone()];
    commands.extend(cmd.get_subcommands().filter(|s| !s.is_hide_set()).cloned());
    commands
        .into_iter()
        .map(|c| {
            let man = clap_mangen::Man::new(c).manual("kubectl plugins");
            let mut roff = Vec::new();
            man.render(&mut roff)
                .expect("rendering to memory cannot fail");
            (man.get_filename(), roff)
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
