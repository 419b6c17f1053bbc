//! Property tests of edit composition.
//!
//! - [`apply_edits`] on random sets of non-conflicting edits over random texts (multi-byte
//!   characters, CRLF, edits at the start and the end, insertions, empty edits): the same result
//!   as applying them one by one from the end, whatever order they are given in, and every byte
//!   outside the edited ranges kept in order. [`Edit::conflicts_with`] on random pairs: edits
//!   that touch the same bytes or start at one place conflict; the others commute.
//! - [`Engine::fix`] on generated TypeScript programs with codemods whose fixes overlap (an
//!   identifier renamed inside a call the same codemod rewrites, nested calls, list elements
//!   deleted next to each other, statements deleted, statements inserted at one place by two
//!   fixes): the engine composes them over several passes; the output parses, is exactly what a
//!   model of the codemods predicts, is a fixpoint, keeps the text outside the ranges each step
//!   matched and edited, and is the same on every run.

use iacfix_core::ast_grep_config::{self, SerializableRuleConfig};
use iacfix_core::{
    Applicability, Codemod, Context, Docs, Edit, Effect, Engine, FixOptions, FixOutcome, Lang,
    Meta, Place, Rule, Severity, SupportLang, Template, apply_edits, syntax_error,
};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::strategy::Union;
use proptest::test_runner::TestCaseError;
use std::sync::LazyLock;

/// `cases` cases a property, or `PROPTEST_CASES` when set (a longer local run).
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(cases),
        // No `proptest-regressions/` files written next to the tests: a failure prints its
        // minimal input, which goes into a named test.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------------
// apply_edits

/// What texts are made of: ASCII, characters of 2, 3 and 4 bytes, LF and CRLF line breaks.
const TEXT_PIECES: &[&str] = &[
    "a", "x", " ", "(", ")", ",", ";", "é", "€", "𝄞", "\n", "\r\n", "\t",
];
/// What replacement texts are made of (an empty text is a deletion, or an edit doing nothing).
const EDIT_PIECES: &[&str] = &["Z", "ü", "🦀", " ", "\n", "\r\n"];

/// A text and the offsets between its pieces: char boundaries, never inside a CRLF.
#[derive(Clone, Debug)]
struct Doc {
    text: String,
    /// `bounds[i]` is where piece `i` starts; the last is the text's length.
    bounds: Vec<usize>,
}

fn doc() -> impl Strategy<Value = Doc> {
    vec(select(TEXT_PIECES), 0..16).prop_map(|pieces| {
        let mut text = String::new();
        let mut bounds = vec![0];
        for piece in pieces {
            text.push_str(piece);
            bounds.push(text.len());
        }
        Doc { text, bounds }
    })
}

fn edit_text() -> impl Strategy<Value = String> {
    vec(select(EDIT_PIECES), 0..3).prop_map(|pieces| pieces.concat())
}

/// Edits laid out left to right: each skips `gap` pieces after the previous one and replaces the
/// next `len` (none: an insertion). Edits may be adjacent, an insertion may follow a replacement
/// at its end, but two never start at one place (they would conflict).
fn lay_out(doc: &Doc, layout: &[(usize, usize, String)]) -> Vec<Edit> {
    let pieces = doc.bounds.len() - 1;
    let mut edits = Vec::new();
    let mut at = 0;
    let mut insertion_at = None;
    for (gap, len, text) in layout {
        let mut start = at + gap;
        if insertion_at == Some(start) {
            start += 1;
        }
        if start > pieces {
            break;
        }
        let end = (start + len).min(pieces);
        edits.push(Edit {
            range: doc.bounds[start]..doc.bounds[end],
            text: text.clone(),
        });
        insertion_at = (start == end).then_some(start);
        at = end;
    }
    edits
}

/// A text and non-conflicting edits of it, in random order.
fn doc_and_edits() -> impl Strategy<Value = (Doc, Vec<Edit>)> {
    (doc(), vec((0usize..3, 0usize..4, edit_text()), 0..8)).prop_flat_map(|(doc, layout)| {
        let edits = lay_out(&doc, &layout);
        (Just(doc), Just(edits).prop_shuffle())
    })
}

/// Any edit of a text, on piece boundaries.
fn any_edit(doc: &Doc) -> impl Strategy<Value = Edit> + use<> {
    let bounds = doc.bounds.clone();
    (any::<Index>(), any::<Index>(), edit_text()).prop_map(move |(a, b, text)| {
        let (a, b) = (a.get(&bounds), b.get(&bounds));
        Edit {
            range: *a.min(b)..*a.max(b),
            text,
        }
    })
}

/// The reference: each edit applied to the text on its own, the last one first (so that the
/// offsets of the others still hold).
fn one_by_one_from_the_end(text: &str, edits: &[Edit]) -> String {
    let mut edits = edits.to_vec();
    edits.sort_by_key(|edit| std::cmp::Reverse(edit.range.start));
    let mut text = text.to_owned();
    for edit in edits {
        text.replace_range(edit.range, &edit.text);
    }
    text
}

/// Every byte of `text` outside the edits' ranges, and every edit's text, is where the edits'
/// lengths say it is in `result`, and `result` holds nothing else.
fn assert_only_edited(text: &str, edits: &[Edit], result: &str) -> Result<(), TestCaseError> {
    let mut edits = edits.to_vec();
    edits.sort_by_key(|edit| (edit.range.start, edit.range.end));
    let mut shift = 0isize;
    let mut kept_from = 0;
    let moved = |offset: usize, shift: isize| offset.checked_add_signed(shift).unwrap();
    for edit in &edits {
        let at = moved(kept_from, shift);
        let kept = &text[kept_from..edit.range.start];
        prop_assert_eq!(
            result.get(at..at + kept.len()),
            Some(kept),
            "kept text at {}",
            at
        );
        let at = moved(edit.range.start, shift);
        prop_assert_eq!(
            result.get(at..at + edit.text.len()),
            Some(edit.text.as_str()),
            "edit text at {}",
            at
        );
        shift += edit.text.len() as isize - edit.range.len() as isize;
        kept_from = edit.range.end;
    }
    let at = moved(kept_from, shift);
    prop_assert_eq!(
        result.get(at..),
        Some(&text[kept_from..]),
        "kept tail at {}",
        at
    );
    Ok(())
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn non_conflicting_edits_compose_like_one_by_one_and_keep_everything_else(
        (doc, edits) in doc_and_edits()
    ) {
        // The generator's premise.
        for (i, a) in edits.iter().enumerate() {
            for b in &edits[i + 1..] {
                prop_assert!(!a.conflicts_with(b), "{:?} conflicts with {:?}", a, b);
            }
        }
        let result = apply_edits(&doc.text, &edits);
        prop_assert_eq!(&result, &one_by_one_from_the_end(&doc.text, &edits));
        assert_only_edited(&doc.text, &edits, &result)?;
        // Whatever order the edits are given in.
        let mut in_order = edits.clone();
        in_order.sort_by_key(|edit| edit.range.start);
        prop_assert_eq!(&apply_edits(&doc.text, &in_order), &result);
        in_order.reverse();
        prop_assert_eq!(&apply_edits(&doc.text, &in_order), &result);
    }

    #[test]
    fn edits_that_touch_conflict_and_the_others_commute(
        (doc, a, b) in doc().prop_flat_map(|doc| {
            let (a, b) = (any_edit(&doc), any_edit(&doc));
            (Just(doc), a, b)
        })
    ) {
        prop_assert_eq!(a.conflicts_with(&b), b.conflicts_with(&a));
        let same_start = a.range.start == b.range.start;
        let share_bytes = a.range.start.max(b.range.start) < a.range.end.min(b.range.end);
        if same_start || share_bytes {
            prop_assert!(a.conflicts_with(&b));
        }
        if !a.conflicts_with(&b) {
            let pair = [a.clone(), b.clone()];
            let result = apply_edits(&doc.text, &pair);
            prop_assert_eq!(&apply_edits(&doc.text, &[b, a]), &result);
            prop_assert_eq!(&one_by_one_from_the_end(&doc.text, &pair), &result);
            assert_only_edited(&doc.text, &pair, &result)?;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Engine::fix: overlapping fixes

fn rule(yaml: &str) -> Rule {
    let config: SerializableRuleConfig<SupportLang> =
        ast_grep_config::from_str(&format!("language: TypeScript\n{yaml}"))
            .expect("valid rule YAML");
    Rule::compile(Lang::TypeScript, config).expect("rule compiles")
}

fn codemod(id: &str, rules: Vec<Rule>) -> Codemod {
    Codemod {
        meta: Meta {
            id: id.to_owned(),
            title: id.to_owned(),
            message: id.to_owned(),
            severity: Severity::Hygiene,
            applicability: Applicability::Safe,
            since: "0.1.0".into(),
            opt_in: false,
            references: vec![],
            docs: Docs::default(),
            origin: format!("test:{id}"),
        },
        rules,
    }
}

/// The catalogue, in the order the codemods run:
/// - `rewrite`, whose fixes overlap each other: `a` → `alpha`, `f(X)` → `g(X)` (around an `a`, or
///   another `f(...)`), a `drop(...);` statement deleted, a `b` element of an array deleted
///   (with its comma: next to another deleted `b`, the two deletions can overlap);
/// - `note`: `c` → `cc`, and `note();` inserted before the statement (two `c` in a statement:
///   two insertions at one place);
/// - `wrap`: `wrap(X)` → `wrap(` X on a line of its own `)`, which matches its own output;
/// - `once`: a `once(...);` statement deleted and `twice();` inserted after it.
fn catalogue() -> Engine {
    let mut note = rule("rule: { kind: identifier, regex: ^c$ }\nfix: cc");
    note.effects.push(Effect::Insert {
        anchor: None,
        place: Place::Before,
        template: Template::parse("note();"),
    });
    let mut once =
        rule("rule: { kind: expression_statement, has: { pattern: 'once($$$X)' } }\nfix: ''");
    once.effects.push(Effect::Insert {
        anchor: None,
        place: Place::After,
        template: Template::parse("twice();"),
    });
    Engine::new(vec![
        codemod(
            "rewrite",
            vec![
                rule("rule: { kind: identifier, regex: ^a$ }\nfix: alpha"),
                rule("rule: { pattern: 'f($X)' }\nfix: 'g($X)'"),
                rule(
                    "rule: { kind: expression_statement, has: { pattern: 'drop($$$X)' } }\nfix: ''",
                ),
                rule("rule: { kind: identifier, regex: ^b$, inside: { kind: array } }\nfix: ''"),
            ],
        ),
        codemod("note", vec![note]),
        codemod(
            "wrap",
            vec![rule(
                "rule: { pattern: 'wrap($X)' }\nfix: \"wrap(\\n  $X\\n)\"",
            )],
        ),
        codemod("once", vec![once]),
    ])
}

static ENGINE: LazyLock<Engine> = LazyLock::new(catalogue);
/// Built separately: the result must not depend on the engine instance either.
static OTHER_ENGINE: LazyLock<Engine> = LazyLock::new(catalogue);

fn fix(engine: &Engine, text: &str) -> FixOutcome {
    engine
        .fix(
            Lang::TypeScript,
            text,
            &FixOptions::default(),
            &Context::default(),
        )
        .expect("the program parses")
}

/// String literals (one looks like a call `rewrite` rewrites, one is multi-byte).
const STRINGS: &[&str] = &["\"é€𝄞\"", "'f(a)'", "`b`"];
/// Comment lines (matched text inside comments is no match).
const COMMENTS: &[&str] = &["// é€𝄞 c", "// drop(a);", "/* f(a) [b] */"];

#[derive(Clone, Debug)]
enum Expr {
    A,
    B,
    C,
    Num(u8),
    Str(usize),
    /// `` `é${X}` ``
    Template(Box<Expr>),
    /// `f(X)`
    F(Box<Expr>),
    /// `k(X, Y)`
    K(Box<Expr>, Box<Expr>),
    Array(Vec<Expr>),
}

#[derive(Clone, Debug)]
enum Stmt {
    /// `X;`
    Expr(Expr),
    /// `const vN = X;`
    Const(u8, Expr),
    /// `drop(X);`
    Drop(Expr),
    /// `wrap(X);`
    Wrap(Expr),
    /// `once(X);`
    Once(Expr),
    Comment(usize),
    Blank,
    /// `if (X) {`, the statements indented, `}`.
    If(Expr, Vec<Stmt>),
}

/// One statement a line.
#[derive(Clone, Debug)]
struct Program {
    statements: Vec<Stmt>,
    crlf: bool,
    final_newline: bool,
}

fn expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        2 => Just(Expr::A),
        3 => Just(Expr::B),
        2 => Just(Expr::C),
        1 => (0u8..10).prop_map(Expr::Num),
        1 => (0..STRINGS.len()).prop_map(Expr::Str),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            2 => inner.clone().prop_map(|x| Expr::F(Box::new(x))),
            1 => inner.clone().prop_map(|x| Expr::Template(Box::new(x))),
            1 => (inner.clone(), inner.clone()).prop_map(|(x, y)| Expr::K(Box::new(x), Box::new(y))),
            2 => vec(inner, 0..4).prop_map(Expr::Array),
        ]
    })
}

fn statement() -> impl Strategy<Value = Stmt> {
    let simple: Vec<(u32, BoxedStrategy<Stmt>)> = vec![
        (3, expr().prop_map(Stmt::Expr).boxed()),
        (
            1,
            (0u8..3, expr())
                .prop_map(|(n, x)| Stmt::Const(n, x))
                .boxed(),
        ),
        (2, expr().prop_map(Stmt::Drop).boxed()),
        (1, expr().prop_map(Stmt::Wrap).boxed()),
        (1, (0..COMMENTS.len()).prop_map(Stmt::Comment).boxed()),
        (1, Just(Stmt::Blank).boxed()),
        (1, expr().prop_map(Stmt::Once).boxed()),
    ];
    Union::new_weighted(simple).prop_recursive(2, 12, 4, |inner| {
        (expr(), vec(inner, 0..4)).prop_map(|(condition, body)| Stmt::If(condition, body))
    })
}

fn program() -> impl Strategy<Value = Program> {
    (vec(statement(), 0..8), any::<bool>(), any::<bool>()).prop_map(
        |(statements, crlf, final_newline)| Program {
            statements,
            crlf,
            final_newline,
        },
    )
}

/// `x` as source, or (`fixed`) as the catalogue leaves it.
fn show(x: &Expr, fixed: bool) -> String {
    match x {
        Expr::A if fixed => "alpha".into(),
        Expr::A => "a".into(),
        Expr::B => "b".into(),
        Expr::C if fixed => "cc".into(),
        Expr::C => "c".into(),
        Expr::Num(n) => n.to_string(),
        Expr::Str(i) => STRINGS[*i].into(),
        Expr::Template(x) => format!("`é${{{}}}`", show(x, fixed)),
        Expr::F(x) => format!("{}({})", if fixed { "g" } else { "f" }, show(x, fixed)),
        Expr::K(x, y) => format!("k({}, {})", show(x, fixed), show(y, fixed)),
        Expr::Array(elements) => {
            let kept: Vec<String> = elements
                .iter()
                .filter(|x| !(fixed && matches!(x, Expr::B)))
                .map(|x| show(x, fixed))
                .collect();
            format!("[{}]", kept.join(", "))
        }
    }
}

/// How many `c` an expression holds (each gets a `note();` before its statement).
fn cs(x: &Expr) -> usize {
    match x {
        Expr::C => 1,
        Expr::A | Expr::B | Expr::Num(_) | Expr::Str(_) => 0,
        Expr::Template(x) | Expr::F(x) => cs(x),
        Expr::K(x, y) => cs(x) + cs(y),
        Expr::Array(elements) => elements.iter().map(cs).sum(),
    }
}

/// A line of a rendered program, and how many `note();` lines go before its statement.
struct Line {
    text: String,
    notes: usize,
}

fn line(text: String, notes: usize) -> Line {
    Line { text, notes }
}

fn source_lines(statements: &[Stmt], indent: &str, lines: &mut Vec<Line>) {
    for statement in statements {
        let text = match statement {
            Stmt::Expr(x) => format!("{indent}{};", show(x, false)),
            Stmt::Const(n, x) => format!("{indent}const v{n} = {};", show(x, false)),
            Stmt::Drop(x) => format!("{indent}drop({});", show(x, false)),
            Stmt::Wrap(x) => format!("{indent}wrap({});", show(x, false)),
            Stmt::Once(x) => format!("{indent}once({});", show(x, false)),
            Stmt::Comment(i) => format!("{indent}{}", COMMENTS[*i]),
            Stmt::Blank => String::new(),
            Stmt::If(condition, body) => {
                lines.push(line(
                    format!("{indent}if ({}) {{", show(condition, false)),
                    0,
                ));
                source_lines(body, &format!("{indent}  "), lines);
                format!("{indent}}}")
            }
        };
        lines.push(line(text, 0));
    }
}

/// The model: the lines the catalogue leaves, each with the `note();` count of its statement.
fn fixed_lines(statements: &[Stmt], indent: &str, lines: &mut Vec<Line>) {
    for statement in statements {
        match statement {
            Stmt::Expr(x) => lines.push(line(format!("{indent}{};", show(x, true)), cs(x))),
            Stmt::Const(n, x) => lines.push(line(
                format!("{indent}const v{n} = {};", show(x, true)),
                cs(x),
            )),
            Stmt::Drop(_) => {}
            Stmt::Wrap(x) => {
                // ast-grep indents the lines of a multi-line fix like the matched node's line.
                lines.push(line(format!("{indent}wrap("), cs(x)));
                lines.push(line(format!("{indent}  {}", show(x, true)), 0));
                lines.push(line(format!("{indent});"), 0));
            }
            // Deleted with the line break before it, `twice();` inserted on a line of its own.
            Stmt::Once(x) => lines.push(line(format!("{indent}twice();"), cs(x))),
            Stmt::Comment(i) => lines.push(line(format!("{indent}{}", COMMENTS[*i]), 0)),
            Stmt::Blank => lines.push(line(String::new(), 0)),
            Stmt::If(condition, body) => {
                let head = format!("{indent}if ({}) {{", show(condition, true));
                let drops = body.iter().filter(|s| matches!(s, Stmt::Drop(_))).count();
                let only_blanks_left = body
                    .iter()
                    .all(|s| matches!(s, Stmt::Drop(_) | Stmt::Blank));
                if drops == 1 && only_blanks_left {
                    // Deleting the only statement of a block leaves `{}`.
                    lines.push(line(format!("{head}}}"), cs(condition)));
                } else {
                    lines.push(line(head, cs(condition)));
                    fixed_lines(body, &format!("{indent}  "), lines);
                    lines.push(line(format!("{indent}}}"), 0));
                }
            }
        }
    }
}

/// `note();` lines inserted before each statement that has some, and before the comment lines
/// right above it (comments stay with their statement).
fn insert_notes(lines: &mut Vec<Line>) {
    for i in (0..lines.len()).rev() {
        let notes = lines[i].notes;
        if notes == 0 {
            continue;
        }
        let text = &lines[i].text;
        let indent = text[..text.len() - text.trim_start().len()].to_owned();
        let mut at = i;
        while at > 0 {
            let above = lines[at - 1].text.trim();
            if above.is_empty() || !(above.starts_with("//") || above.starts_with("/*")) {
                break;
            }
            at -= 1;
        }
        for _ in 0..notes {
            lines.insert(at, line(format!("{indent}note();"), 0));
        }
    }
}

fn join(lines: &[Line], newline: &str, final_newline: bool) -> String {
    let mut text = lines
        .iter()
        .map(|l| l.text.as_str())
        .collect::<Vec<_>>()
        .join(newline);
    if final_newline && !lines.is_empty() {
        text.push_str(newline);
    }
    text
}

impl Program {
    fn newline(&self) -> &'static str {
        if self.crlf { "\r\n" } else { "\n" }
    }

    fn source(&self) -> String {
        let mut lines = Vec::new();
        source_lines(&self.statements, "", &mut lines);
        join(&lines, self.newline(), self.final_newline)
    }

    fn fixed(&self) -> String {
        let mut lines = Vec::new();
        fixed_lines(&self.statements, "", &mut lines);
        insert_notes(&mut lines);
        // On the first line, there is no line break before `once(...);` to delete with it: the
        // line is left blank.
        if lines.first().is_some_and(|l| l.text == "twice();") {
            lines.insert(0, line(String::new(), 0));
        }
        // Deleting the last line of a file without a final line break leaves the one before it.
        let last_deleted = matches!(self.statements.last(), Some(Stmt::Drop(_)));
        // A file without a line break gives no line-break style to follow: the lines a fix adds
        // end in LF.
        let newline = if self.source().contains('\n') {
            self.newline()
        } else {
            "\n"
        };
        join(&lines, newline, self.final_newline || last_deleted)
    }
}

/// One pass of a codemod over `text`, as documented: its findings in source order, each fix
/// chosen unless one of its edits conflicts with an edit of a fix chosen before it, and the
/// chosen edits applied together; `None` when the codemod finds nothing to fix. `crlf`: the
/// file as read has CRLF line breaks, which the lines a fix adds follow even when the fixes
/// before left none (`check` on the text alone cannot know).
fn pass(codemod: usize, text: &str, crlf: bool) -> Result<Option<String>, TestCaseError> {
    let findings = ENGINE
        .check(Lang::TypeScript, text, &Context::default())
        .expect("each pass's input parses");
    let mut chosen: Vec<Edit> = Vec::new();
    for finding in findings.iter().filter(|f| f.codemod == codemod) {
        let Some(mut fix) = finding.fix.clone() else {
            continue;
        };
        if crlf && !text.contains("\r\n") {
            for edit in &mut fix.edits {
                edit.text = edit.text.replace('\n', "\r\n");
            }
        }
        let conflicts = fix
            .edits
            .iter()
            .any(|edit| chosen.iter().any(|c| c.conflicts_with(edit)));
        if !conflicts {
            // A fix's own edits do not conflict with each other either.
            for (i, a) in fix.edits.iter().enumerate() {
                for b in &fix.edits[i + 1..] {
                    prop_assert!(!a.conflicts_with(b), "{:?} in {:?}", finding, text);
                }
            }
            chosen.extend(fix.edits.iter().cloned());
        }
    }
    if chosen.is_empty() {
        return Ok(None);
    }
    let next = apply_edits(text, &chosen);
    // The pass touches nothing outside the chosen edits.
    assert_only_edited(text, &chosen, &next)?;
    prop_assert_ne!(&next, text, "a pass that changes nothing");
    Ok(Some(next))
}

fn check_composition(program: &Program) -> Result<(), TestCaseError> {
    let source = program.source();
    prop_assert_eq!(
        syntax_error(Lang::TypeScript, &source),
        None,
        "generated {:?}",
        source
    );
    let outcome = fix(&ENGINE, &source);
    let output = outcome.fixed_text().unwrap_or(&source).to_owned();
    prop_assert!(
        outcome.problems.is_empty(),
        "problems {:?}",
        outcome.problems
    );
    prop_assert_eq!(
        syntax_error(Lang::TypeScript, &output),
        None,
        "fixed {:?}",
        output
    );
    prop_assert_eq!(&output, &program.fixed(), "from {:?}", source);
    // A fixpoint: nothing left to fix, applying again changes nothing.
    prop_assert!(
        outcome.remaining.iter().all(|f| f.fix.is_none()),
        "{:?}",
        outcome.remaining
    );
    let again = fix(&ENGINE, &output);
    prop_assert!(
        again.steps.is_empty() && again.problems.is_empty(),
        "again {:?}",
        again
    );
    // Deterministic: the same outcome on every run, and from another engine.
    prop_assert_eq!(&fix(&ENGINE, &source), &outcome);
    prop_assert_eq!(&fix(&OTHER_ENGINE, &source), &outcome);
    // Each step is its codemod's passes, each composing that pass's fixes (see `pass`), until
    // one finds nothing.
    let mut before = source.clone();
    for step in &outcome.steps {
        let mut text = before.clone();
        let mut passes = 0;
        while let Some(next) = pass(step.codemod, &text, source.contains("\r\n"))? {
            text = next;
            passes += 1;
            prop_assert!(passes <= 8, "codemod {} never settles", step.codemod);
        }
        prop_assert_eq!(&text, &step.text, "step of codemod {}", step.codemod);
        before.clone_from(&step.text);
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(96))]

    #[test]
    fn overlapping_fixes_compose_to_the_model_and_touch_nothing_else(program in program()) {
        check_composition(&program)?;
    }
}

/// A multi-line fix that matches its own output converges in a CRLF file as in an LF one:
/// `make_finding` turns the template's LF into CRLF *before* it drops the edits that change
/// nothing (it once did it after, and `wrap(\r\n  1\r\n)` came back on every pass until
/// `NotConverged`).
#[test]
fn a_multi_line_fix_converges_in_a_crlf_file() {
    let lf = fix(&ENGINE, "wrap(1);\n");
    assert_eq!(lf.fixed_text(), Some("wrap(\n  1\n);\n"));
    assert!(lf.problems.is_empty());
    let crlf = fix(&ENGINE, "wrap(1);\r\n");
    assert!(crlf.problems.is_empty(), "{:?}", crlf.problems);
    assert_eq!(crlf.fixed_text(), Some("wrap(\r\n  1\r\n);\r\n"));
    // Already in the wanted form: no finding.
    let found = ENGINE
        .check(
            Lang::TypeScript,
            "wrap(\r\n  1\r\n);\r\n",
            &Context::default(),
        )
        .unwrap();
    assert!(found.is_empty(), "{found:?}");
}

/// A fix that deletes a whole statement and inserts after it: the deletion is widened to the
/// line break before the statement instead of its whole line (which would hold the insertion
/// point, and once panicked with `apply_edits: overlapping edits`), so the new statement takes
/// the old one's place; on the first line, the line is left blank.
#[test]
fn a_deleted_statement_with_an_insertion_after_it_is_replaced_in_place() {
    for (source, expected) in [
        ("x;\n  once(1);\ny;\n", "x;\n  twice();\ny;\n"),
        ("x;\r\nonce(1);\r\ny;\r\n", "x;\r\ntwice();\r\ny;\r\n"),
        ("once(1);\nx;\n", "\ntwice();\nx;\n"),
    ] {
        let outcome = fix(&ENGINE, source);
        assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
        let output = outcome.fixed_text().unwrap_or(source);
        assert_eq!(output, expected, "from {source:?}");
        assert_eq!(syntax_error(Lang::TypeScript, output), None);
        assert!(fix(&ENGINE, output).steps.is_empty(), "{output:?}");
    }
}
/// A fix that inserts a statement before the one it rewrites, whose first token is what it
/// rewrites: the insertion and the replacement start at one place, and are made as one edit
/// (they were once taken for a conflict, and the fix dropped).
#[test]
fn an_insertion_where_the_same_fix_replaces_goes_before_the_new_text() {
    for (source, expected) in [
        ("c;", "note();\ncc;"),
        ("x;\r\n  c.d();\r\n", "x;\r\n  note();\r\n  cc.d();\r\n"),
    ] {
        let outcome = fix(&ENGINE, source);
        assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
        assert_eq!(outcome.fixed_text(), Some(expected), "from {source:?}");
        assert!(fix(&ENGINE, expected).steps.is_empty(), "{expected:?}");
    }
}
