//! Unified diffs of a file's change, in git's `a/` `b/` form.

use similar::TextDiff;

/// The unified diff of one file (three lines of context), empty if nothing changed.
pub fn file_diff(path: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .missing_newline_hint(true)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_has_git_style_headers() {
        let diff = file_diff("src/index.ts", "a\nb\n", "a\nc\n");
        assert!(diff.starts_with("--- a/src/index.ts\n+++ b/src/index.ts\n@@ -1,2 +1,2 @@\n"));
        assert!(diff.contains("-b\n+c\n"));
        assert_eq!(file_diff("x", "same", "same"), "");
    }
}
