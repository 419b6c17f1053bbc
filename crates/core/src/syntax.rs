//! Syntax errors in a parsed tree (tree-sitter recovers from them; iacfix refuses to edit them).

use crate::text::Point;
use ast_grep_core::AstGrep;
use ast_grep_core::tree_sitter::{LanguageExt, StrDoc};
use std::fmt;

/// How deep a tree iacfix walks: deeper code (100,000 nested brackets, a generated chain of
/// thousands of `+`) is refused. Matching relational rules (`inside`, `has`) over such a tree
/// costs time quadratic in its depth (a tree-sitter node finds its parent from the root: 16,000
/// nested brackets took 40 s in a debug build), and no program people write nests anywhere
/// near this deep.
pub const MAX_DEPTH: usize = 1_000;

/// The first syntax error in a text: where it is and what tree-sitter saw there; or where the
/// code nests deeper than [`MAX_DEPTH`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub at: Point,
    /// `unexpected <text>` or `missing <kind>`; for [`ErrorKind::TooDeep`], what is too deep.
    pub message: String,
    pub kind: ErrorKind,
}

/// What [`SyntaxError`] is about.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ErrorKind {
    /// Text the grammar does not accept.
    #[default]
    Syntax,
    /// Code nested deeper than [`MAX_DEPTH`]: valid, perhaps, but not walked.
    TooDeep,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            ErrorKind::Syntax => write!(f, "{}: syntax error: {}", self.at, self.message),
            ErrorKind::TooDeep => write!(f, "{}: {}", self.at, self.message),
        }
    }
}

impl std::error::Error for SyntaxError {}

/// The first error or missing node of the tree, in source order.
pub fn first_error<L: LanguageExt>(root: &AstGrep<StrDoc<L>>) -> Option<SyntaxError> {
    let tree_root = root.root();
    let text = root.get_text();
    if !tree_root.get_inner_node().has_error() {
        return too_deep(root).map(|offset| SyntaxError {
            at: Point::of_offset(text, offset),
            message: format!(
                "nested more than {MAX_DEPTH} levels deep: iacfix does not check code this deep"
            ),
            kind: ErrorKind::TooDeep,
        });
    }
    let node = tree_root.dfs().find(|n| n.is_error() || n.is_missing())?;
    let message = if node.is_missing() {
        format!("missing `{}`", node.kind())
    } else {
        let snippet: String = node.text().chars().take(40).collect();
        let snippet = snippet.lines().next().unwrap_or("").trim().to_owned();
        if snippet.is_empty() {
            "unexpected input".to_owned()
        } else {
            format!("unexpected `{snippet}`")
        }
    };
    Some(SyntaxError {
        at: Point::of_offset(text, node.range().start),
        message,
        kind: ErrorKind::Syntax,
    })
}

/// Where the tree first gets deeper than [`MAX_DEPTH`] (the start of that node), if it does: one
/// walk with a cursor, which needs no parent lookups.
fn too_deep<L: LanguageExt>(root: &AstGrep<StrDoc<L>>) -> Option<usize> {
    let mut cursor = root.root().get_inner_node().walk();
    let mut depth = 0usize;
    loop {
        if cursor.goto_first_child() {
            depth += 1;
            if depth > MAX_DEPTH {
                return Some(cursor.node().start_byte());
            }
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return None;
            }
            depth -= 1;
        }
    }
}

/// The first syntax error of `text` parsed as `lang`, if any.
pub fn syntax_error(lang: crate::Lang, text: &str) -> Option<SyntaxError> {
    first_error(&lang.support_lang().ast_grep(text))
}
