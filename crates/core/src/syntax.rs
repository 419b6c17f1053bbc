//! Syntax errors in a parsed tree (tree-sitter recovers from them; iacfix refuses to edit them).

use crate::text::Point;
use ast_grep_core::AstGrep;
use ast_grep_core::tree_sitter::{LanguageExt, StrDoc};
use std::fmt;

/// The first syntax error in a text: where it is and what tree-sitter saw there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub at: Point,
    /// `unexpected <text>` or `missing <kind>`.
    pub message: String,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: syntax error: {}", self.at, self.message)
    }
}

impl std::error::Error for SyntaxError {}

/// The first error or missing node of the tree, in source order.
pub fn first_error<L: LanguageExt>(root: &AstGrep<StrDoc<L>>) -> Option<SyntaxError> {
    let tree_root = root.root();
    if !tree_root.get_inner_node().has_error() {
        return None;
    }
    let text = root.get_text();
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
    })
}

/// The first syntax error of `text` parsed as `lang`, if any.
pub fn syntax_error(lang: crate::Lang, text: &str) -> Option<SyntaxError> {
    first_error(&lang.support_lang().ast_grep(text))
}
