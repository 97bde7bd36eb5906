//! The completion scripts in `completions/` are what `kubectl-netpol completions SHELL`
//! prints; this test fails when they are stale. Regenerate with
//! `UPDATE_COMPLETIONS=1 cargo test --test completions_fresh`. Whether they complete well is
//! for `tests/completion_shells.rs`, which runs them in the shells.

use kubectl_netpol::cli::completions::{SHIPPED, render};

#[test]
fn shipped_completions_match_the_cli_definition() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    let update = std::env::var_os("UPDATE_COMPLETIONS").is_some();
    let mut stale = Vec::new();
    for (shell, file) in SHIPPED {
        let path = dir.join(file);
        let fresh = render(shell);
        if update {
            std::fs::write(&path, &fresh).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(fresh.as_str()) {
            stale.push(file);
        }
    }
    assert!(
        stale.is_empty(),
        "stale completion scripts {stale:?}: run UPDATE_COMPLETIONS=1 cargo test --test completions_fresh"
    );
}
