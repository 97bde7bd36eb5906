//! The completion scripts in `completions/` are generated from the CLI definition; this test
//! fails when they are stale. Regenerate with `UPDATE_COMPLETIONS=1 cargo test --test completions_fresh`.

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
