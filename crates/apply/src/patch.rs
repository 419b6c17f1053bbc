//! Patch files: the change as a series of patches in git's mbox format, one per codemod, that
//! `git apply` and `git am` take on a clean checkout of the commit iacfix ran on.
//!
//! A patch carries the real bytes, secrets included: it is made to be applied, not shown.

use crate::plan::ChangePlan;
use git2::{ObjectType, Oid};
use similar::{ChangeTag, TextDiff};
use std::fmt::Write;

/// What a patch says about itself: the commit message it would make.
#[derive(Clone, Debug)]
pub struct PatchMessage {
    /// One line.
    pub subject: String,
    /// The rest of the message (may be empty).
    pub body: String,
}

/// The change as an mbox of patches, `messages[i]` describing `plan.codemods[i]`. `path_of`
/// gives each file's path as `git apply` will see it (relative to the repository root).
pub fn mbox(
    plan: &ChangePlan,
    messages: &[PatchMessage],
    author: &str,
    unix_time: i64,
    version: &str,
    path_of: impl Fn(usize) -> String,
) -> String {
    let total = plan.codemods.len();
    let mut out = String::new();
    for (number, (change, message)) in plan.codemods.iter().zip(messages).enumerate() {
        let tag = if total == 1 {
            "[PATCH]".to_owned()
        } else {
            format!("[PATCH {}/{total}]", number + 1)
        };
        let _ = write!(
            out,
            "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n\
             From: {author}\nDate: {}\nSubject: {tag} {}\n\n",
            rfc2822(unix_time),
            message.subject
        );
        if !message.body.trim().is_empty() {
            out.push_str(message.body.trim_end());
            out.push('\n');
        }
        out.push_str("---\n");
        let mut diffs = String::new();
        let mut stats = Vec::new();
        for (file, before, after) in &change.files {
            let planned = &plan.files[*file];
            let path = path_of(*file);
            let old = bytes_text(&planned.source.to_bytes(before));
            let new = bytes_text(&planned.source.to_bytes(after));
            let diff = TextDiff::from_lines(&old, &new);
            let (mut added, mut removed) = (0, 0);
            for change in diff.iter_all_changes() {
                match change.tag() {
                    ChangeTag::Insert => added += 1,
                    ChangeTag::Delete => removed += 1,
                    ChangeTag::Equal => {}
                }
            }
            stats.push((path.clone(), added, removed));
            let mode = if planned.executable {
                "100755"
            } else {
                "100644"
            };
            let _ = write!(
                diffs,
                "diff --git a/{path} b/{path}\nindex {}..{} {mode}\n--- a/{path}\n+++ b/{path}\n{}",
                blob_id(old.as_bytes()),
                blob_id(new.as_bytes()),
                diff.unified_diff()
                    .context_radius(3)
                    .missing_newline_hint(true)
            );
        }
        let width = stats.iter().map(|(p, _, _)| p.len()).max().unwrap_or(0);
        let (mut added, mut removed) = (0, 0);
        for (path, a, r) in &stats {
            let _ = writeln!(
                out,
                " {path:<width$} | {:>3} {}{}",
                a + r,
                "+".repeat((*a).min(40)),
                "-".repeat((*r).min(40))
            );
            added += a;
            removed += r;
        }
        let _ = writeln!(
            out,
            " {} file{} changed, {added} insertion{}(+), {removed} deletion{}(-)\n",
            stats.len(),
            if stats.len() == 1 { "" } else { "s" },
            if added == 1 { "" } else { "s" },
            if removed == 1 { "" } else { "s" },
        );
        out.push_str(&diffs);
        let _ = write!(out, "-- \niacfix {version}\n\n");
    }
    out
}

fn bytes_text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("source files are UTF-8")
}

/// The id git gives a blob with these bytes.
fn blob_id(bytes: &[u8]) -> String {
    Oid::hash_object(ObjectType::Blob, bytes)
        .map(|oid| oid.to_string())
        .unwrap_or_else(|_| "0".repeat(40))
}

/// `Mon, 23 Nov 2026 20:45:36 +0000` for a Unix time (UTC).
pub fn rfc2822(unix_time: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = unix_time.div_euclid(86_400);
    let seconds = unix_time.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{}, {day} {} {year} {:02}:{:02}:{:02} +0000",
        DAYS[days.rem_euclid(7) as usize],
        MONTHS[(month - 1) as usize],
        seconds / 3600,
        seconds % 3600 / 60,
        seconds % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_rfc2822() {
        assert_eq!(rfc2822(0), "Thu, 1 Jan 1970 00:00:00 +0000");
        assert_eq!(rfc2822(1_795_466_736), "Mon, 23 Nov 2026 20:45:36 +0000");
        assert_eq!(rfc2822(951_782_400), "Tue, 29 Feb 2000 00:00:00 +0000");
    }

    #[test]
    fn blob_ids_are_gits() {
        // `printf 'hello\n' | git hash-object --stdin`
        assert_eq!(
            blob_id(b"hello\n"),
            "ce013625030ba8dba906f756967f9e9ca394464a"
        );
    }
}
