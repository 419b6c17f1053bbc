//! Text positions and edits on source text.

use std::ops::Range;

/// A 1-based line and 1-based column (in characters) in a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Point {
    pub line: usize,
    pub column: usize,
}

impl Point {
    /// The point of byte `offset` in `text` (clamped to the text, and to a char boundary).
    pub fn of_offset(text: &str, offset: usize) -> Point {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Point {
            line: before.bytes().filter(|b| *b == b'\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
        }
    }
}

impl std::fmt::Display for Point {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Replace the bytes in `range` by `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub text: String,
}

impl Edit {
    /// Whether two edits touch the same text, or insert at the same place (their relative order
    /// would then be ambiguous).
    pub fn conflicts_with(&self, other: &Edit) -> bool {
        let (a, b) = (&self.range, &other.range);
        (a.start < b.end && b.start < a.end) || a.start == b.start
    }
}

/// Applies edits that do not conflict with each other (see [`Edit::conflicts_with`]).
pub fn apply_edits(text: &str, edits: &[Edit]) -> String {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|edit| (edit.range.start, edit.range.end));
    let mut out = String::with_capacity(text.len() + 64);
    let mut last = 0;
    for edit in sorted {
        debug_assert!(edit.range.start >= last, "apply_edits: overlapping edits");
        out.push_str(&text[last..edit.range.start]);
        out.push_str(&edit.text);
        last = edit.range.end;
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_are_one_based_and_count_characters() {
        let text = "ab\nçd\n";
        assert_eq!(Point::of_offset(text, 0), Point { line: 1, column: 1 });
        assert_eq!(Point::of_offset(text, 3), Point { line: 2, column: 1 });
        // `ç` is two bytes: the byte after it is the second character of the line.
        assert_eq!(Point::of_offset(text, 5), Point { line: 2, column: 2 });
        // Past the end and inside a character both clamp.
        assert_eq!(Point::of_offset(text, 4), Point { line: 2, column: 1 });
        assert_eq!(Point::of_offset(text, 99), Point { line: 3, column: 1 });
    }

    #[test]
    fn applies_edits_in_any_order() {
        let edits = [
            Edit {
                range: 4..5,
                text: "E".into(),
            },
            Edit {
                range: 0..1,
                text: "AA".into(),
            },
        ];
        assert_eq!(apply_edits("abcdef", &edits), "AAbcdEf");
    }

    #[test]
    fn conflicts() {
        let edit = |start, end| Edit {
            range: start..end,
            text: String::new(),
        };
        assert!(edit(0, 3).conflicts_with(&edit(2, 4)));
        assert!(!edit(0, 2).conflicts_with(&edit(2, 4)));
        // Two insertions at one place, or an insertion where a replacement starts.
        assert!(edit(2, 2).conflicts_with(&edit(2, 2)));
        assert!(edit(2, 2).conflicts_with(&edit(2, 4)));
        assert!(!edit(3, 3).conflicts_with(&edit(0, 3)));
    }
}
