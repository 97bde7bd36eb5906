//! A change to the user's files as a unified diff (`--diff`), the format `git apply` and
//! `patch -p1` read: `--- a/PATH` / `+++ b/PATH` headers, three lines of context.

use similar::TextDiff;

use crate::base::edit::FileChange;

/// The unified diff of every changed file, in order; empty when nothing changes.
pub fn unified(changes: &[FileChange]) -> String {
    let mut out = String::new();
    for c in changes {
        let old = if c.before.is_empty() && c.file.is_none() {
            "/dev/null".to_string()
        } else {
            format!("a/{}", c.name)
        };
        let new = format!("b/{}", c.name);
        let diff = TextDiff::from_lines(&c.before, &c.after);
        let text = diff
            .unified_diff()
            .context_radius(3)
            .header(&old, &new)
            .to_string();
        out.push_str(&text);
        if !out.is_empty() && !out.ends_with('\n') {
            out.push_str("\n\\ No newline at end of file\n");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_is_a_git_style_unified_diff() {
        let c = FileChange {
            name: "np.yaml".into(),
            path: Some("np.yaml".into()),
            file: None,
            before: "a: 1\nb: 2\n".into(),
            after: "a: 1\nb: 3\n".into(),
        };
        assert_eq!(
            unified(&[c]),
            "--- a/np.yaml\n+++ b/np.yaml\n@@ -1,2 +1,2 @@\n a: 1\n-b: 2\n+b: 3\n"
        );
    }

    #[test]
    fn a_new_file_diffs_against_dev_null() {
        let c = FileChange {
            name: "new.yaml".into(),
            path: Some("new.yaml".into()),
            file: None,
            before: String::new(),
            after: "kind: X\n".into(),
        };
        assert!(
            unified(&[c]).starts_with("--- /dev/null\n+++ b/new.yaml\n@@ -0,0 +1 @@\n+kind: X\n")
        );
    }
}
