//! A proposed change (`can-reach --fix`), for people and as data.
//!
//! # Text
//! [`summary`]: what was asked and how the search ended, then one paragraph per edited or
//! added object — the side of the connection it is for, the object and where it is, what the
//! edit does, and `needs its owner: WHY` for an object of a higher tier — then the notes.
//! [`objects`]: every changed or added object, complete, as the change leaves it, each after a
//! `# FILE:LINE` comment, separated by `---`. [`proof`]: the last line, the verified diff in
//! one line (`verified: opens 1 connection: A → B on TCP 5432; closes none`).
//!
//! # JSON
//! [`json()`] gives one object whose shape is stable (fields are only ever added):
//!
//! ```text
//! {
//!   "version": 1,
//!   "from": "shop/deploy/frontend", "to": "shop/sts/db",
//!   "port": {"protocol": "TCP", "port": 5432, "name": "postgres"},  // name: null when none
//!   "expect": "allow",                    // or "deny"
//!   "outcome": "fixed",                   // already | fixed | wider | too-wide | none
//!   "applicable": true,                   // a verified change to apply (fixed, wider)
//!   "edits": [{
//!     "side": "egress",                   // or "ingress"
//!     "object": {"kind": "NetworkPolicy", "name": "shop/frontend"},
//!     "change": "adds a rule allowing egress to ...",
//!     "new": false,                       // whether the object is added
//!     "needs_owner": null,                // or why the object's owner must make the change
//!     "location": "policies/shop.yaml:30" // the object in the input (new: after)
//!   }],
//!   "objects": [{"kind": ..., "name": ..., "file": ..., "line": 30, "yaml": "..."}],
//!   "files": [{"name": "policies/shop.yaml", "path": "policies/shop.yaml", "created": false}],
//!   "patch": "--- a/policies/shop.yaml\n+++ b/...",   // unified diff; "" when none
//!   "proof": {                            // null when nothing changes
//!     "line": "opens 1 connection: ...; closes none",
//!     "narrow": true,                     // nothing changed but the asked flow
//!     "connections": [{"src": ..., "dst": ..., "opened": "TCP 5432", "closed": "none",
//!                      "asked": true, "expected": true}]
//!   },
//!   "notes": [],
//!   "written": []                         // files written (--write)
//! }
//! ```

use serde_json::{Value, json};

use crate::fix::reach::{Expect, Outcome, Proposal};
use crate::report::patch::unified;
use crate::report::style::Painter;

/// `ALLOWED`/`DENIED` and the flow: `DENIED: a → b on TCP 5432 (postgres)`.
fn flow(p: &Proposal) -> String {
    let name = p
        .port
        .name
        .as_ref()
        .map(|n| format!(" ({n})"))
        .unwrap_or_default();
    format!("{} → {} on {}{name}", p.from, p.to, p.port.describe())
}

/// The answer now, and what the search found.
pub fn summary(p: &Proposal, paint: &Painter) -> String {
    let (now, goal) = match p.expect {
        Expect::Allow => (paint.bad("DENIED"), "allows"),
        Expect::Deny => (paint.good("ALLOWED"), "denies"),
    };
    let mut out = String::new();
    let head = match p.outcome {
        Outcome::Already => {
            let word = match p.expect {
                Expect::Allow => paint.good("ALLOWED"),
                Expect::Deny => paint.bad("DENIED"),
            };
            out.push_str(&format!("{word}: {} already; nothing to change\n", flow(p)));
            for n in &p.notes {
                out.push_str(&format!("note: {n}\n"));
            }
            return out;
        }
        Outcome::Fixed => format!("the smallest change that {goal} it:"),
        Outcome::Wider => format!(
            "the narrowest change that {goal} it changes other connections too (accepted with --allow-wider):"
        ),
        Outcome::TooWide => format!(
            "no change {goal} only this connection; the narrowest changes others too (--allow-wider accepts it):"
        ),
        Outcome::None => format!("no change found that {goal} it"),
    };
    out.push_str(&format!("{now}: {}; {head}\n", flow(p)));
    for e in &p.edits {
        let subject = match e.side {
            crate::model::Direction::Egress => &p.from,
            crate::model::Direction::Ingress => &p.to,
        };
        let what = if e.new_object { "new " } else { "" };
        out.push_str(&format!(
            "\n  {} at {subject}: {what}{} {}\n    {}\n",
            e.side,
            e.object,
            paint.dim(&format!("({})", e.location)),
            e.what
        ));
        if let Some(why) = &e.needs_owner {
            out.push_str(&format!("    {} {why}\n", paint.warn("needs its owner:")));
        }
    }
    if !p.notes.is_empty() {
        out.push('\n');
        for n in &p.notes {
            out.push_str(&format!("note: {n}\n"));
        }
    }
    out
}

/// The changed and added objects, complete, as the change leaves them.
pub fn objects(p: &Proposal) -> String {
    let mut out = String::new();
    for (i, o) in p.objects.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        out.push_str(&format!("# {}:{}\n", o.file, o.line));
        out.push_str(&o.text);
        if !o.text.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// The proof line (empty when nothing changes).
pub fn proof(p: &Proposal, paint: &Painter) -> String {
    match &p.proof {
        Some(proof) if proof.narrow => format!("{} {}\n", paint.good("verified:"), proof.line),
        Some(proof) => format!("{} {}\n", paint.warn("verified, wider:"), proof.line),
        None => String::new(),
    }
}

/// The whole text: summary, objects, proof.
pub fn text(p: &Proposal, paint: &Painter) -> String {
    let mut out = summary(p, paint);
    let objects = objects(p);
    if !objects.is_empty() {
        out.push('\n');
        out.push_str(&objects);
    }
    let proof = proof(p, paint);
    if !proof.is_empty() {
        out.push('\n');
        out.push_str(&proof);
    }
    out
}

/// The proposal as data (see the module documentation); `written` are the files `--write`
/// wrote.
pub fn json(p: &Proposal, written: &[String]) -> Value {
    let edits: Vec<Value> = p
        .edits
        .iter()
        .map(|e| {
            json!({
                "side": e.side.field(),
                "object": {"kind": e.object.kind, "name": e.object.name},
                "change": e.what,
                "new": e.new_object,
                "needs_owner": e.needs_owner,
                "location": e.location,
            })
        })
        .collect();
    let objects: Vec<Value> = p
        .objects
        .iter()
        .map(|o| {
            json!({
                "kind": o.object.kind,
                "name": o.object.name,
                "file": o.file,
                "line": o.line,
                "yaml": o.text,
            })
        })
        .collect();
    let files: Vec<Value> = p
        .changes
        .iter()
        .map(|c| {
            json!({
                "name": c.name,
                "path": c.path.as_ref().map(|p| p.display().to_string()),
                "created": c.file.is_none() && c.before.is_empty(),
            })
        })
        .collect();
    let proof = p.proof.as_ref().map(|pr| {
        let conns: Vec<Value> = pr
            .flows
            .iter()
            .map(|f| {
                json!({
                    "src": f.src,
                    "dst": f.dst,
                    "opened": f.opened,
                    "closed": f.closed,
                    "asked": f.asked,
                    "expected": f.expected,
                })
            })
            .collect();
        json!({"line": pr.line, "narrow": pr.narrow, "connections": conns})
    });
    json!({
        "version": 1,
        "from": p.from,
        "to": p.to,
        "port": {
            "protocol": p.port.protocol.as_str(),
            "port": p.port.number,
            "name": p.port.name,
        },
        "expect": p.expect.as_str(),
        "outcome": p.outcome.as_str(),
        "applicable": p.outcome.is_fix(),
        "edits": edits,
        "objects": objects,
        "files": files,
        "patch": unified(&p.changes),
        "proof": proof,
        "notes": p.notes,
        "written": written,
    })
}
