//! The engine: parse a file once, match every codemod of its language in one tree walk, and
//! fix: compose non-overlapping edits codemod by codemod, re-run to a fixpoint, and refuse any
//! edit that would break the file's syntax.

use crate::codemod::{Applicability, Codemod, Rule};
use crate::text::{Edit, Point, apply_edits};
use crate::{Lang, SyntaxError, syntax};
use ast_grep_core::matcher::MatcherExt;
use ast_grep_core::tree_sitter::{LanguageExt, StrDoc};
use ast_grep_core::{AstGrep, NodeMatch};
use ast_grep_language::SupportLang;
use std::ops::Range;

type Root = AstGrep<StrDoc<SupportLang>>;

/// How many times a codemod is re-run on its own output, and how many rounds of the whole
/// catalogue are made, before a file is reported as not converging.
pub const DEFAULT_MAX_PASSES: usize = 8;

/// The codemods to run, compiled and indexed by language and node kind.
pub struct Engine {
    codemods: Vec<Codemod>,
    by_lang: Vec<LangIndex>,
}

/// For one language: which rules can match a node of each kind.
#[derive(Default)]
struct LangIndex {
    /// (codemod, rule) of every rule of the language, in catalogue order.
    rules: Vec<(usize, usize)>,
    /// `by_kind[kind_id]` lists indices into `rules`, ascending.
    by_kind: Vec<Vec<usize>>,
}

/// What a codemod found in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Index of the codemod in [`Engine::codemods`].
    pub codemod: usize,
    /// Index of the rule within the codemod.
    pub rule: usize,
    /// Byte range of the matched node.
    pub range: Range<usize>,
    pub start: Point,
    pub end: Point,
    pub message: String,
    /// The rewrite the rule proposes, if it has one (even when the codemod is `manual` or not
    /// enabled for fixing: see [`Engine::fix_enabled`]).
    pub fix: Option<Vec<Edit>>,
}

/// Options for [`Engine::fix`].
#[derive(Clone, Copy, Debug)]
pub struct FixOptions {
    /// Also apply fixes of `unsafe` codemods.
    pub unsafe_fixes: bool,
    /// See [`DEFAULT_MAX_PASSES`].
    pub max_passes: usize,
}

impl Default for FixOptions {
    fn default() -> Self {
        FixOptions {
            unsafe_fixes: false,
            max_passes: DEFAULT_MAX_PASSES,
        }
    }
}

/// The text of a file after one codemod's fixes, in the order they were applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub codemod: usize,
    /// How many fixes the codemod applied in this step.
    pub fixes: usize,
    /// The whole file after this step.
    pub text: String,
}

/// Why a fix was not applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The codemod's edits would have left the file with a syntax error; none of that pass's
    /// edits were applied.
    BreaksSyntax {
        codemod: usize,
        /// Where the first rejected edit starts, in the text the edit was made on.
        at: Point,
        /// The syntax error the edit would have produced, in the edited text.
        error: SyntaxError,
    },
    /// The codemod kept finding something to rewrite in its own output; its changes to the file
    /// were discarded.
    NotConverged { codemod: usize, passes: usize },
}

/// The result of [`Engine::fix`] on one file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FixOutcome {
    /// What was found in the original text.
    pub findings: Vec<Finding>,
    /// The text after each codemod that changed it; empty when nothing changed.
    pub steps: Vec<Step>,
    /// What is still found in the final text (reported, unsafe without `--unsafe`, rejected).
    pub remaining: Vec<Finding>,
    pub problems: Vec<Problem>,
}

impl FixOutcome {
    /// The fixed text, if anything changed.
    pub fn fixed_text(&self) -> Option<&str> {
        self.steps.last().map(|step| step.text.as_str())
    }
}

impl Engine {
    /// Indexes `codemods` (in catalogue order: the order fixes are applied and reported in).
    pub fn new(codemods: Vec<Codemod>) -> Engine {
        let mut by_lang: Vec<LangIndex> = Lang::ALL.iter().map(|_| LangIndex::default()).collect();
        for (c, codemod) in codemods.iter().enumerate() {
            for (r, rule) in codemod.rules.iter().enumerate() {
                let index = &mut by_lang[lang_slot(rule.lang)];
                let slot = index.rules.len();
                index.rules.push((c, r));
                // `RuleConfig::try_from` refuses rules without potential kinds.
                if let Some(kinds) = ast_grep_core::Matcher::potential_kinds(&rule.config.matcher) {
                    for kind in kinds.iter() {
                        if index.by_kind.len() <= kind {
                            index.by_kind.resize_with(kind + 1, Vec::new);
                        }
                        index.by_kind[kind].push(slot);
                    }
                }
            }
        }
        Engine { codemods, by_lang }
    }

    /// The codemods, in catalogue order.
    pub fn codemods(&self) -> &[Codemod] {
        &self.codemods
    }

    /// Whether any codemod has a rule for `lang` (files of other languages need not be read).
    pub fn handles(&self, lang: Lang) -> bool {
        !self.by_lang[lang_slot(lang)].rules.is_empty()
    }

    /// Whether codemod `index`'s fixes are applied under `options`.
    pub fn fix_enabled(&self, index: usize, options: &FixOptions) -> bool {
        match self.codemods[index].meta.applicability {
            Applicability::Safe => true,
            Applicability::Unsafe => options.unsafe_fixes,
            Applicability::Manual => false,
        }
    }

    /// Every finding of every codemod in `text`, in source order (then catalogue order).
    pub fn check(&self, lang: Lang, text: &str) -> Result<Vec<Finding>, SyntaxError> {
        let root = parse(lang, text)?;
        Ok(self.scan(lang, &root, |_| true))
    }

    /// Finds, then fixes: each enabled codemod in catalogue order is applied to the output of the
    /// previous one, re-run on its own output until it finds nothing more to rewrite, and the
    /// whole catalogue is re-run until nothing changes (both capped by `max_passes`). A pass
    /// whose edits would add a syntax error is not applied and is reported.
    pub fn fix(
        &self,
        lang: Lang,
        text: &str,
        options: &FixOptions,
    ) -> Result<FixOutcome, SyntaxError> {
        let mut root = parse(lang, text)?;
        let findings = self.scan(lang, &root, |_| true);
        let mut outcome = FixOutcome {
            findings,
            ..FixOutcome::default()
        };
        let fixable =
            |finding: &Finding| finding.fix.is_some() && self.fix_enabled(finding.codemod, options);
        if !outcome.findings.iter().any(fixable) {
            outcome.remaining = outcome.findings.clone();
            return Ok(outcome);
        }
        // Findings of the initial scan stay valid until the text first changes.
        let mut cached: Option<&[Finding]> = Some(&outcome.findings);
        let mut current = text.to_owned();
        let mut steps = Vec::new();
        let mut problems = Vec::new();
        let mut converged = false;
        for _round in 0..options.max_passes.max(1) {
            let mut changed = false;
            for codemod in 0..self.codemods.len() {
                if !self.fix_enabled(codemod, options) || !self.has_rules(codemod, lang) {
                    continue;
                }
                let before = current.clone();
                let mut applied = 0;
                let mut passes = 0;
                loop {
                    let fixes: Vec<Finding> = match cached {
                        Some(all) => all
                            .iter()
                            .filter(|f| f.codemod == codemod)
                            .cloned()
                            .collect(),
                        None => self.scan(lang, &root, |c| c == codemod),
                    }
                    .into_iter()
                    .filter(|f| f.fix.is_some())
                    .collect();
                    if fixes.is_empty() {
                        break;
                    }
                    if passes == options.max_passes {
                        problems.push(Problem::NotConverged { codemod, passes });
                        current = before.clone();
                        root = parse(lang, &current)?;
                        cached = None;
                        applied = 0;
                        break;
                    }
                    passes += 1;
                    let (edits, count) = compose(&fixes);
                    let candidate = apply_edits(&current, &edits);
                    match parse(lang, &candidate) {
                        Ok(new_root) => {
                            current = candidate;
                            root = new_root;
                            cached = None;
                            applied += count;
                        }
                        Err(error) => {
                            let at = Point::of_offset(&current, edits[0].range.start);
                            problems.push(Problem::BreaksSyntax { codemod, at, error });
                            break;
                        }
                    }
                }
                if current != before {
                    changed = true;
                    steps.push(Step {
                        codemod,
                        fixes: applied,
                        text: current.clone(),
                    });
                }
            }
            if !changed {
                converged = true;
                break;
            }
        }
        if !converged {
            // The catalogue as a whole oscillates: keep nothing, report every codemod involved.
            let mut involved: Vec<usize> = steps.iter().map(|s: &Step| s.codemod).collect();
            involved.sort_unstable();
            involved.dedup();
            for codemod in involved {
                problems.push(Problem::NotConverged {
                    codemod,
                    passes: options.max_passes,
                });
            }
            steps.clear();
            current = text.to_owned();
            root = parse(lang, &current)?;
            cached = Some(&outcome.findings);
        }
        outcome.remaining = match cached {
            Some(all) => all.to_vec(),
            None => self.scan(lang, &root, |_| true),
        };
        outcome.steps = steps;
        outcome.problems = problems;
        Ok(outcome)
    }

    fn has_rules(&self, codemod: usize, lang: Lang) -> bool {
        self.codemods[codemod].rules.iter().any(|r| r.lang == lang)
    }

    /// One walk over the tree; each node is offered only to the rules whose kinds can match it.
    fn scan(&self, lang: Lang, root: &Root, wanted: impl Fn(usize) -> bool) -> Vec<Finding> {
        let index = &self.by_lang[lang_slot(lang)];
        let text = root.get_text();
        let mut findings = Vec::new();
        for node in root.root().dfs() {
            let Some(slots) = index.by_kind.get(usize::from(node.kind_id())) else {
                continue;
            };
            for &slot in slots {
                let (c, r) = index.rules[slot];
                if !wanted(c) {
                    continue;
                }
                let rule = &self.codemods[c].rules[r];
                if let Some(found) = rule.config.matcher.match_node(node.clone()) {
                    findings.push(make_finding(c, r, rule, &found, text));
                }
            }
        }
        findings.sort_by(|a, b| {
            (a.range.start, a.codemod, a.rule, a.range.end).cmp(&(
                b.range.start,
                b.codemod,
                b.rule,
                b.range.end,
            ))
        });
        findings.dedup();
        findings
    }
}

fn lang_slot(lang: Lang) -> usize {
    Lang::ALL
        .iter()
        .position(|l| *l == lang)
        .expect("every Lang is in Lang::ALL")
}

fn parse(lang: Lang, text: &str) -> Result<Root, SyntaxError> {
    let root = lang.support_lang().ast_grep(text);
    match syntax::first_error(&root) {
        Some(error) => Err(error),
        None => Ok(root),
    }
}

fn make_finding(
    codemod: usize,
    rule_index: usize,
    rule: &Rule,
    found: &NodeMatch<'_, StrDoc<SupportLang>>,
    text: &str,
) -> Finding {
    let range = found.range();
    let fix = rule.config.fixer.first().map(|fixer| {
        let edit = found.make_edit(&rule.config.matcher, fixer);
        vec![Edit {
            range: edit.position..edit.position + edit.deleted_length,
            text: String::from_utf8(edit.inserted_text)
                .expect("a fix built from UTF-8 text and UTF-8 templates is UTF-8"),
        }]
    });
    Finding {
        codemod,
        rule: rule_index,
        start: Point::of_offset(text, range.start),
        end: Point::of_offset(text, range.end),
        range,
        message: rule.config.get_message(found),
        fix,
    }
}

/// Chooses the fixes to apply together: in source order, each fix whose edits conflict with
/// none already chosen (a fix's edits are all applied or none). Returns the edits and how many
/// fixes they come from; the others are found again, on the new text, by the next pass.
fn compose(fixes: &[Finding]) -> (Vec<Edit>, usize) {
    let mut chosen: Vec<Edit> = Vec::new();
    let mut count = 0;
    for finding in fixes {
        let Some(edits) = &finding.fix else { continue };
        let conflicts = edits.iter().enumerate().any(|(i, edit)| {
            chosen.iter().any(|c| c.conflicts_with(edit))
                || edits[..i].iter().any(|e| e.conflicts_with(edit))
        });
        if !conflicts {
            chosen.extend(edits.iter().cloned());
            count += 1;
        }
    }
    (chosen, count)
}
