//! `docs/rules.md` is generated from the rules' doc comments (`kubectl netpol rules
//! --markdown`); this test fails when it is stale. Regenerate with
//! `UPDATE_DOCS=1 cargo test --test rules_doc_fresh`.

#[test]
fn the_rule_catalogue_in_docs_is_fresh() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md");
    let fresh = kubectl_netpol::cli::rules::markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &fresh).unwrap();
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == fresh,
        "docs/rules.md is stale: run UPDATE_DOCS=1 cargo test --test rules_doc_fresh"
    );
}
