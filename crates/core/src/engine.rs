//! The engine: parse a file once, match every codemod of its language in one tree walk, and
//! fix: compose non-overlapping edits codemod by codemod, re-run to a fixpoint, and refuse any
//! edit that would break the file's syntax.

use crate::codemod::{Applicability, Codemod, Condition, FileCount, Rule, Scope, Var};
use crate::effects::{Fix, Match, build_fix, refers_to, required_var, var_text};
use crate::manifest::{DependencyRequest, ProviderVersions};
use crate::prefilter::Prefilter;
use crate::suppress::{UnusedSuppression, suppressions};
use crate::text::{Edit, Point, apply_edits};
use crate::{Lang, SyntaxError, syntax};
use ast_grep_core::AstGrep;
use ast_grep_core::matcher::MatcherExt;
use ast_grep_core::tree_sitter::{LanguageExt, StrDoc};
use ast_grep_language::SupportLang;
use bit_set::BitSet;
use std::collections::HashMap;
use std::ops::Range;

type Root = AstGrep<StrDoc<SupportLang>>;

/// How many times a codemod is re-run on its own output, and how many rounds of the whole
/// catalogue are made, before a file is reported as not converging.
pub const DEFAULT_MAX_PASSES: usize = 8;

/// The codemods to run, compiled and indexed by language and node kind.
pub struct Engine {
    codemods: Vec<Codemod>,
    by_lang: Vec<LangIndex>,
    /// Every codemod id of the catalogue, run or not (a suppression naming another id is a
    /// mistake); `None`: only the engine's own are known.
    known: Option<Vec<String>>,
}

/// For one language: which rules can match a node of each kind.
struct LangIndex {
    /// (codemod, rule) of every rule of the language, in catalogue order.
    rules: Vec<(usize, usize)>,
    /// `by_kind[kind_id]` lists indices into `rules`, ascending.
    by_kind: Vec<Vec<usize>>,
    /// Which of `rules` may match a text, from the literals each needs.
    prefilter: Prefilter,
    /// Which program-scope conditions ([`Engine::program_conditions`] order) may match a text.
    facts_prefilter: Prefilter,
}

impl Default for LangIndex {
    fn default() -> Self {
        LangIndex {
            rules: Vec::new(),
            by_kind: Vec::new(),
            prefilter: Prefilter::new([]),
            facts_prefilter: Prefilter::new([]),
        }
    }
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
    pub fix: Option<Fix>,
    /// Secret text the finding is about (a literal password): masked in every output but patch
    /// files (see [`crate::mask_secrets`]).
    pub secrets: Vec<String>,
}

/// What the engine knows about the program a file belongs to.
#[derive(Clone, Debug, Default)]
pub struct Context {
    /// Provider majors declared by the program's manifests.
    pub providers: ProviderVersions,
    /// What program-scope conditions find in the program's files ([`Engine::facts`]), computed
    /// the first time a match needs them (a program where nothing needs them never reads its
    /// files for them).
    pub facts: ProgramFacts,
    /// The program's files, relative to its root: given when a codemod has file conditions
    /// or vars ([`Engine::needs_files`]).
    pub files: ProgramFiles,
}

/// The files of a program, relative to its root with `/` separators, sorted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProgramFiles(std::sync::Arc<Vec<String>>);

impl ProgramFiles {
    /// From paths relative to the program's root (`./`, `\\` and doubled `/` are normalised).
    pub fn new(paths: impl IntoIterator<Item = String>) -> ProgramFiles {
        let mut paths: Vec<String> = paths.into_iter().map(|p| normalize_path(&p)).collect();
        paths.sort();
        paths.dedup();
        ProgramFiles(std::sync::Arc::new(paths))
    }

    /// Whether `path` is a file of the program, or a directory holding some.
    pub fn exists(&self, path: &str) -> bool {
        let path = normalize_path(path);
        if path.is_empty() {
            return !self.0.is_empty();
        }
        let dir = format!("{path}/");
        self.0.binary_search(&path).is_ok() || self.0.iter().any(|f| f.starts_with(&dir))
    }

    /// The files matching `globs`.
    pub fn matching<'a>(
        &'a self,
        globs: &'a globset::GlobSet,
    ) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(|f| globs.is_match(f.as_str()))
            .map(String::as_str)
    }
}

/// `./a//b/` is `a/b`, with `/` separators.
fn normalize_path(path: &str) -> String {
    path.replace('\\', "/")
        .split('/')
        .filter(|part| !part.is_empty() && *part != ".")
        .collect::<Vec<_>>()
        .join("/")
}

/// The facts of a program: given, or computed on first use by the edge's function (which reads
/// the program's files).
#[derive(Clone, Default)]
pub struct ProgramFacts(std::sync::Arc<ProgramFactsInner>);

#[derive(Default)]
struct ProgramFactsInner {
    facts: std::sync::OnceLock<Facts>,
    compute: Option<Box<dyn Fn() -> Facts + Send + Sync>>,
}

impl ProgramFacts {
    /// Facts known already.
    pub fn ready(facts: Facts) -> ProgramFacts {
        let inner = ProgramFactsInner::default();
        let _ = inner.facts.set(facts);
        ProgramFacts(std::sync::Arc::new(inner))
    }

    /// Facts `compute` gives the first time they are needed (once, whatever the threads).
    pub fn lazy(compute: impl Fn() -> Facts + Send + Sync + 'static) -> ProgramFacts {
        ProgramFacts(std::sync::Arc::new(ProgramFactsInner {
            facts: std::sync::OnceLock::new(),
            compute: Some(Box::new(compute)),
        }))
    }

    /// The facts, computed now if they were not yet.
    pub fn get(&self) -> &Facts {
        self.0.facts.get_or_init(|| {
            self.0
                .compute
                .as_ref()
                .map(|compute| compute())
                .unwrap_or_default()
        })
    }

    /// Whether they have been computed (for tests of laziness).
    pub fn computed(&self) -> bool {
        self.0.facts.get().is_some()
    }
}

impl std::fmt::Debug for ProgramFacts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0.facts.get() {
            Some(facts) => f.debug_tuple("ProgramFacts").field(facts).finish(),
            None => f.write_str("ProgramFacts(not computed)"),
        }
    }
}

/// For each program-scope condition (by codemod, rule and condition index), the texts its
/// shared metavariables bound in each match anywhere in the program.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts(HashMap<(usize, usize, usize), Vec<Vec<String>>>);

impl Facts {
    /// Adds another file's facts.
    pub fn merge(&mut self, other: Facts) {
        for (key, mut bindings) in other.0 {
            self.0.entry(key).or_default().append(&mut bindings);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Options for [`Engine::fix`].
#[derive(Clone, Debug)]
pub struct FixOptions {
    /// Also apply fixes of `unsafe` codemods.
    pub unsafe_fixes: bool,
    /// See [`DEFAULT_MAX_PASSES`].
    pub max_passes: usize,
    /// Codemods (by index) whose fixes are not applied here, e.g. because the dependency they
    /// need cannot be declared; their findings remain.
    pub skip: Vec<usize>,
}

impl Default for FixOptions {
    fn default() -> Self {
        FixOptions {
            unsafe_fixes: false,
            max_passes: DEFAULT_MAX_PASSES,
            skip: Vec::new(),
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
    /// Dependencies the applied fixes need in the program's manifest.
    pub dependencies: Vec<DependencyRequest>,
    /// Secrets of the applied fixes' findings (to mask when showing this step).
    pub secrets: Vec<String>,
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
    /// Suppression comments of the original text that suppressed nothing.
    pub unused_suppressions: Vec<UnusedSuppression>,
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
        let mut engine = Engine {
            codemods,
            by_lang,
            known: None,
        };
        for lang in Lang::ALL {
            let slot = lang_slot(lang);
            let index = &engine.by_lang[slot];
            let prefilter = Prefilter::new(
                index
                    .rules
                    .iter()
                    .map(|&(c, r)| engine.codemods[c].rules[r].literals.as_deref()),
            );
            let facts_prefilter = Prefilter::new(engine.program_conditions(lang).map(
                |(_, condition)| match condition {
                    Condition::Related { literals, .. } => literals.as_deref(),
                    _ => None,
                },
            ));
            let index = &mut engine.by_lang[slot];
            index.prefilter = prefilter;
            index.facts_prefilter = facts_prefilter;
        }
        engine
    }

    /// The rules of `lang` (indices into its index) that may match `text`: those one of whose
    /// literals it contains, or that need none.
    fn candidates(&self, lang: Lang, text: &str) -> BitSet {
        self.by_lang[lang_slot(lang)].prefilter.candidates(text)
    }

    /// The engine, told every codemod id of the catalogue (including those not run), so that
    /// a suppression naming an id that exists nowhere is reported as unused.
    pub fn with_known_ids(mut self, ids: Vec<String>) -> Engine {
        self.known = Some(ids);
        self
    }

    /// Whether `id` is a codemod of the catalogue (run or not).
    pub fn knows(&self, id: &str) -> bool {
        match &self.known {
            Some(known) => known.iter().any(|k| k == id),
            None => self.codemods.iter().any(|c| c.meta.id == id),
        }
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
        if options.skip.contains(&index) {
            return false;
        }
        match self.codemods[index].meta.applicability {
            Applicability::Safe => true,
            Applicability::Unsafe => options.unsafe_fixes,
            Applicability::Manual => false,
        }
    }

    /// Whether some rule looks at the program's files (a file condition or var), so the edge
    /// must list them in the [`Context`].
    pub fn needs_files(&self) -> bool {
        self.codemods.iter().flat_map(|c| &c.rules).any(|rule| {
            rule.conditions
                .iter()
                .any(|c| matches!(c, Condition::File { .. } | Condition::FileCount { .. }))
                || rule.vars.iter().any(|(_, v)| matches!(v, Var::File { .. }))
        })
    }

    /// Whether some rule of `lang` has a program-scope condition, so the program's files must be
    /// scanned for [`Engine::facts`] first.
    pub fn needs_facts(&self, lang: Lang) -> bool {
        self.program_conditions(lang).next().is_some()
    }

    fn program_conditions(
        &self,
        lang: Lang,
    ) -> impl Iterator<Item = ((usize, usize, usize), &Condition)> + '_ {
        self.by_lang[lang_slot(lang)]
            .rules
            .iter()
            .flat_map(move |&(c, r)| {
                self.codemods[c].rules[r]
                    .conditions
                    .iter()
                    .enumerate()
                    .filter(|(_, cond)| {
                        matches!(
                            cond,
                            Condition::Related {
                                scope: Scope::Program,
                                ..
                            }
                        )
                    })
                    .map(move |(i, cond)| ((c, r, i), cond))
            })
    }

    /// What the program-scope conditions of `lang`'s rules find in one file of a program; merge
    /// the facts of every file of the program into the [`Context`] of each.
    pub fn facts(&self, lang: Lang, text: &str) -> Result<Facts, SyntaxError> {
        let mut facts = Facts::default();
        if !self.needs_facts(lang) {
            return Ok(facts);
        }
        let candidates = self.by_lang[lang_slot(lang)]
            .facts_prefilter
            .candidates(text);
        if candidates.is_empty() {
            return Ok(facts);
        }
        let root = parse(lang, text)?;
        for (i, (key, condition)) in self.program_conditions(lang).enumerate() {
            if !candidates.contains(i) {
                continue;
            }
            if let Condition::Related { rule, shared, .. } = condition {
                for found in root.root().find_all(&**rule) {
                    let bound = shared
                        .iter()
                        .map(|v| var_text(&found, text, v).unwrap_or_default())
                        .collect();
                    facts.0.entry(key).or_default().push(bound);
                }
            }
        }
        Ok(facts)
    }

    /// Every finding of every codemod in `text`, in source order (then catalogue order),
    /// suppression comments applied.
    pub fn check(
        &self,
        lang: Lang,
        text: &str,
        context: &Context,
    ) -> Result<Vec<Finding>, SyntaxError> {
        self.check_file(lang, text, context)
            .map(|(findings, _)| findings)
    }

    /// [`Engine::check`], and the suppression comments that suppressed nothing.
    pub fn check_file(
        &self,
        lang: Lang,
        text: &str,
        context: &Context,
    ) -> Result<(Vec<Finding>, Vec<UnusedSuppression>), SyntaxError> {
        let candidates = self.candidates(lang, text);
        if candidates.is_empty() && !has_suppressions(text) {
            // No rule can match: the file need not even be parsed.
            return Ok((Vec::new(), Vec::new()));
        }
        let root = parse(lang, text)?;
        Ok(self.scan_all(lang, &root, context, &candidates))
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
        context: &Context,
    ) -> Result<FixOutcome, SyntaxError> {
        let mut candidates = self.candidates(lang, text);
        if candidates.is_empty() && !has_suppressions(text) {
            return Ok(FixOutcome::default());
        }
        let mut root = parse(lang, text)?;
        let crlf = text.contains("\r\n");
        let (findings, unused_suppressions) = self.scan_all(lang, &root, context, &candidates);
        let mut outcome = FixOutcome {
            findings,
            unused_suppressions,
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
                let mut step = Step {
                    codemod,
                    fixes: 0,
                    text: String::new(),
                    dependencies: Vec::new(),
                    secrets: Vec::new(),
                };
                let mut passes = 0;
                loop {
                    let fixes: Vec<Finding> = match cached {
                        Some(all) => all
                            .iter()
                            .filter(|f| f.codemod == codemod)
                            .cloned()
                            .collect(),
                        None => {
                            self.scan(lang, &root, context, &candidates, crlf, |c| c == codemod)
                        }
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
                        candidates = self.candidates(lang, &current);
                        root = parse(lang, &current)?;
                        cached = None;
                        step.fixes = 0;
                        break;
                    }
                    passes += 1;
                    let chosen = compose(&fixes);
                    if chosen.is_empty() {
                        break;
                    }
                    let edits: Vec<Edit> = chosen
                        .iter()
                        .flat_map(|f| f.fix.iter().flat_map(|fix| fix.edits.iter().cloned()))
                        .collect();
                    let candidate = apply_edits(&current, &edits);
                    match parse(lang, &candidate) {
                        Ok(new_root) => {
                            // A fix may add what another rule needs (an import, a resource).
                            candidates = self.candidates(lang, &candidate);
                            current = candidate;
                            root = new_root;
                            cached = None;
                            step.fixes += chosen.len();
                            for finding in chosen {
                                let fix = finding.fix.as_ref().expect("chosen fixes have a fix");
                                step.dependencies.extend(fix.dependencies.iter().cloned());
                                step.secrets.extend(finding.secrets.iter().cloned());
                            }
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
                    step.text = current.clone();
                    step.dependencies.sort();
                    step.dependencies.dedup();
                    step.secrets.sort();
                    step.secrets.dedup();
                    steps.push(step);
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
            candidates = self.candidates(lang, &current);
            root = parse(lang, &current)?;
            cached = Some(&outcome.findings);
        }
        outcome.remaining = match cached {
            Some(all) => all.to_vec(),
            None => self.scan(lang, &root, context, &candidates, crlf, |_| true),
        };
        outcome.steps = steps;
        outcome.problems = problems;
        Ok(outcome)
    }

    fn has_rules(&self, codemod: usize, lang: Lang) -> bool {
        self.codemods[codemod].rules.iter().any(|r| r.lang == lang)
    }

    /// Every codemod's findings, and the suppressions that suppressed nothing.
    fn scan_all(
        &self,
        lang: Lang,
        root: &Root,
        context: &Context,
        candidates: &BitSet,
    ) -> (Vec<Finding>, Vec<UnusedSuppression>) {
        let text = root.get_text();
        let comments = suppressions(lang, &root.root(), text);
        let crlf = text.contains("\r\n");
        let findings = self.scan_unsuppressed(lang, root, context, candidates, crlf, |_| true);
        let mut used = vec![Vec::<String>::new(); comments.len()];
        let kept = findings
            .into_iter()
            .filter(|finding| {
                let id = &self.codemods[finding.codemod].meta.id;
                match comments
                    .iter()
                    .position(|s| s.covers(id, finding.start.line))
                {
                    Some(index) => {
                        used[index].push(id.clone());
                        false
                    }
                    None => true,
                }
            })
            .collect();
        let enabled = |id: &str| self.codemods.iter().any(|c| c.meta.id == id);
        let unused = comments
            .iter()
            .zip(&used)
            .filter_map(|(comment, used)| {
                let ids: Vec<String> = comment
                    .ids
                    .iter()
                    .filter(|id| {
                        if *id == "all" {
                            used.is_empty()
                        } else if !self.knows(id) {
                            // A typo, or a codemod that no longer exists.
                            self.known.is_some()
                        } else {
                            enabled(id) && !used.contains(id)
                        }
                    })
                    .cloned()
                    .collect();
                (!ids.is_empty()).then_some(UnusedSuppression {
                    at: comment.at,
                    ids,
                })
            })
            .collect();
        (kept, unused)
    }

    /// Findings of the codemods `wanted` accepts, suppression comments applied.
    fn scan(
        &self,
        lang: Lang,
        root: &Root,
        context: &Context,
        candidates: &BitSet,
        crlf: bool,
        wanted: impl Fn(usize) -> bool,
    ) -> Vec<Finding> {
        let comments = suppressions(lang, &root.root(), root.get_text());
        self.scan_unsuppressed(lang, root, context, candidates, crlf, wanted)
            .into_iter()
            .filter(|f| {
                let id = &self.codemods[f.codemod].meta.id;
                !comments.iter().any(|s| s.covers(id, f.start.line))
            })
            .collect()
    }

    /// One walk over the tree; each node is offered only to the rules whose kinds can match it.
    /// `crlf`: the file's line breaks are CRLF (a fix's new lines end in CRLF).
    fn scan_unsuppressed(
        &self,
        lang: Lang,
        root: &Root,
        context: &Context,
        candidates: &BitSet,
        crlf: bool,
        wanted: impl Fn(usize) -> bool,
    ) -> Vec<Finding> {
        let index = &self.by_lang[lang_slot(lang)];
        let text = root.get_text();
        let mut findings = Vec::new();
        for node in root.root().dfs() {
            let Some(slots) = index.by_kind.get(usize::from(node.kind_id())) else {
                continue;
            };
            for &slot in slots {
                let (c, r) = index.rules[slot];
                if !candidates.contains(slot) || !wanted(c) {
                    continue;
                }
                let rule = &self.codemods[c].rules[r];
                if let Some(found) = rule.config.matcher.match_node(node.clone())
                    && conditions_hold(rule, (c, r), &found, root, text, context)
                    && let Some(finding) =
                        make_finding(lang, (c, r), rule, &found, text, crlf, context)
                {
                    findings.push(finding);
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

/// Whether the text may hold suppression comments (then it is parsed even when no rule can
/// match, so that unused ones are reported).
fn has_suppressions(text: &str) -> bool {
    text.contains(crate::suppress::MARKER)
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

/// Whether every condition of `rule` holds for a match.
fn conditions_hold(
    rule: &Rule,
    (codemod, rule_index): (usize, usize),
    found: &Match<'_>,
    root: &Root,
    text: &str,
    context: &Context,
) -> bool {
    rule.conditions
        .iter()
        .enumerate()
        .all(|(i, condition)| match condition {
            Condition::Provider {
                provider,
                requirement,
            } => requirement.matches(context.providers.major(provider)),
            Condition::Related {
                present,
                scope,
                rule: related,
                shared,
                distinct,
                ..
            } => {
                let wanted: Vec<String> = shared
                    .iter()
                    .map(|v| var_text(found, text, v).unwrap_or_default())
                    .collect();
                // The related match binds each shared metavariable to text that refers to the
                // match's (`vpc.id` refers to `vpc`), or, when `distinct`, to other text.
                let related_to = |bound: &[String]| {
                    bound.iter().zip(&wanted).all(|(b, w)| {
                        if *distinct {
                            !b.is_empty() && b != w
                        } else {
                            refers_to(b, w)
                        }
                    })
                };
                let mut exists = root.root().find_all(&**related).any(|other| {
                    let bound: Vec<String> = shared
                        .iter()
                        .map(|v| var_text(&other, text, v).unwrap_or_default())
                        .collect();
                    related_to(&bound)
                });
                if !exists && *scope == Scope::Program {
                    exists = context
                        .facts
                        .get()
                        .0
                        .get(&(codemod, rule_index, i))
                        .is_some_and(|all| all.iter().any(|bound| related_to(bound)));
                }
                exists == *present
            }
            Condition::File { path, exists } => {
                let path = path.render(|n| Some(var_text(found, text, n).unwrap_or_default()));
                path.is_ok_and(|path| {
                    let path = path.trim_matches(|c| c == '"' || c == '\'');
                    context.files.exists(path) == *exists
                })
            }
            Condition::FileCount { among, count } => {
                let Ok(globs) = crate::codemod::path_globs(among) else {
                    return false;
                };
                let found = context.files.matching(&globs).take(2).count();
                match count {
                    FileCount::None => found == 0,
                    FileCount::One => found == 1,
                    FileCount::Many => found > 1,
                }
            }
        })
}

/// The finding of one match of `rule` (rule `rule_index` of codemod `codemod`), or `None` when
/// its fix would change nothing: the code already has the form the codemod wants (a rule that
/// also matches its own output must not loop).
fn make_finding(
    lang: Lang,
    (codemod, rule_index): (usize, usize),
    rule: &Rule,
    found: &Match<'_>,
    text: &str,
    crlf: bool,
    context: &Context,
) -> Option<Finding> {
    let range = found.range();
    // Required variables (table lookups and the like) go into the match's environment, where
    // the `fix`, the message and the effects' templates find them; one that cannot be computed
    // means the match is not a finding.
    let mut owned;
    let found = if rule.vars.iter().any(|(_, var)| var.is_required()) {
        owned = found.clone();
        for (name, var) in &rule.vars {
            if var.is_required() {
                let value = required_var(var, &owned, text, &context.files)?;
                owned.get_env_mut().insert_transformation(
                    &ast_grep_core::meta_var::MetaVariable::Dropped(false),
                    name,
                    value.into_bytes(),
                );
            }
        }
        &owned
    } else {
        found
    };
    let mut fix = build_fix(lang, rule, found, text);
    if let Some(fix) = &mut fix {
        // A CRLF file stays CRLF, whatever line breaks the template has (the file as read
        // decides, not what earlier fixes left of it); converted before the edits that change
        // nothing are dropped, or a fix whose output it matches never converges in a CRLF file.
        if crlf {
            for edit in &mut fix.edits {
                if edit.text.contains('\n') {
                    edit.text = edit.text.replace("\r\n", "\n").replace('\n', "\r\n");
                }
            }
        }
        fix.edits
            .retain(|edit| text[edit.range.clone()] != edit.text);
        if fix.edits.is_empty() {
            return None;
        }
        // Deletions widened (their comma, their line left blank), unless that would make them
        // overlap another edit of the same fix: a statement deleted and another inserted after
        // it then takes the line break before it instead, or stays as it is.
        for i in 0..fix.edits.len() {
            if !fix.edits[i].text.is_empty() {
                continue;
            }
            let range = fix.edits[i].range.clone();
            let fits = |range: &Range<usize>| {
                let widened = Edit {
                    range: range.clone(),
                    text: String::new(),
                };
                fix.edits
                    .iter()
                    .enumerate()
                    .all(|(j, other)| j == i || !widened.conflicts_with(other))
            };
            let tidy = tidy_deletion(text, range.clone());
            // Something inserted after the deleted code, on the lines it leaves: the new code
            // takes the deleted code's place (no blank line left between them).
            let replaced = fix.edits.iter().any(|other| {
                other.range.is_empty()
                    && !other.text.is_empty()
                    && (range.end..=tidy.end).contains(&other.range.start)
            });
            let line_break = with_line_break_before(text, range);
            let candidates = if replaced {
                [line_break, Some(tidy)]
            } else {
                [Some(tidy), line_break]
            };
            if let Some(widened) = candidates.into_iter().flatten().find(fits) {
                fix.edits[i].range = widened;
            }
        }
    }
    let secrets = rule
        .secrets
        .iter()
        .filter_map(|name| var_text(found, text, name))
        .map(|secret| {
            secret
                .trim_matches(|c| c == '"' || c == '\'' || c == '`')
                .to_owned()
        })
        .filter(|secret| !secret.is_empty())
        .collect();
    Some(Finding {
        codemod,
        rule: rule_index,
        start: Point::of_offset(text, range.start),
        end: Point::of_offset(text, range.end),
        range,
        message: rule.config.get_message(found),
        fix,
        secrets,
    })
}

/// Widens a deletion so it leaves no debris: the comma separating a deleted list element (an
/// argument, a property) goes with it — the one after it, or for the last element the one
/// before it; a line left blank is removed whole; otherwise the blanks after the deleted text
/// go too when blanks precede it (`{ a: 1, b: 2, c }` less `b: 2,` is `{ a: 1, c }`, not
/// `{ a: 1,  c }`).
fn tidy_deletion(text: &str, range: Range<usize>) -> Range<usize> {
    let is_blank = |c: char| c == ' ' || c == '\t';
    // The only element of a list: the list is left empty, `{}` (not `{ }` or `{\n}`).
    let before = text[..range.start].trim_end();
    let after = text[range.end..].trim_start();
    let after = after.strip_prefix(',').unwrap_or(after).trim_start();
    let pair = |open: char, close: char| before.ends_with(open) && after.starts_with(close);
    if pair('{', '}') || pair('(', ')') || pair('[', ']') {
        return before.len()..text.len() - after.len();
    }
    let mut range = range;
    let rest = &text[range.end..];
    let blanks = rest.len() - rest.trim_start_matches(is_blank).len();
    if !text[range.clone()].trim_end().ends_with(',') {
        if rest[blanks..].starts_with(',') {
            range.end += blanks + 1;
        } else if rest.trim_start().starts_with([')', '}', ']']) {
            let before = text[..range.start].trim_end();
            if before.ends_with(',') {
                range.start = before.len() - 1;
            }
        }
    }
    let line_start = text[..range.start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[range.end..]
        .find('\n')
        .map_or(text.len(), |i| range.end + i);
    let before = &text[line_start..range.start];
    let after = &text[range.end..line_end];
    if before.chars().all(is_blank) && after.trim_end_matches('\r').chars().all(is_blank) {
        let end = if line_end < text.len() {
            line_end + 1
        } else {
            line_end
        };
        return line_start..end;
    }
    if before.ends_with(is_blank) || before.ends_with(['(', '[', '{']) {
        let trailing = after.len() - after.trim_start_matches(is_blank).len();
        return range.start..range.end + trailing;
    }
    range
}

/// A deletion of all that is on its line but blanks after it, widened to the line break and
/// indentation before it (`None` when something precedes it on its line, or it is on the first
/// line).
fn with_line_break_before(text: &str, range: Range<usize>) -> Option<Range<usize>> {
    let line_start = text[..range.start].rfind('\n')? + 1;
    if !text[line_start..range.start]
        .chars()
        .all(|c| c == ' ' || c == '\t')
    {
        return None;
    }
    let rest = &text[range.end..];
    let line_end = rest.find('\n').unwrap_or(rest.len());
    if !rest[..line_end].chars().all(|c| c.is_ascii_whitespace()) {
        return None;
    }
    let start = line_start - 1;
    let start = if text[..start].ends_with('\r') {
        start - 1
    } else {
        start
    };
    Some(start..range.end)
}

/// Chooses the fixes to apply together: in source order, each fix whose edits conflict with
/// none already chosen (a fix's edits are all applied or none). The others are found again, on
/// the new text, by the next pass.
fn compose(fixes: &[Finding]) -> Vec<&Finding> {
    let mut chosen_edits: Vec<&Edit> = Vec::new();
    let mut chosen = Vec::new();
    for finding in fixes {
        let Some(fix) = &finding.fix else { continue };
        let conflicts = fix
            .edits
            .iter()
            .any(|edit| chosen_edits.iter().any(|c| c.conflicts_with(edit)));
        if !conflicts {
            chosen_edits.extend(fix.edits.iter());
            chosen.push(finding);
        }
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codemod::{Docs, Meta, Severity};
    use ast_grep_config::SerializableRuleConfig;

    /// A codemod from ast-grep rule YAML (one rule, `language: TypeScript` or `Python`).
    fn codemod(id: &str, applicability: Applicability, rule_yaml: &str) -> Codemod {
        let config: SerializableRuleConfig<SupportLang> =
            ast_grep_config::from_str(rule_yaml).expect("valid rule YAML");
        let lang = match config.language {
            SupportLang::Python => Lang::Python,
            _ => Lang::TypeScript,
        };
        Codemod {
            meta: Meta {
                id: id.to_owned(),
                title: id.to_owned(),
                message: id.to_owned(),
                severity: Severity::Hygiene,
                applicability,
                since: "0.1.0".into(),
                opt_in: false,
                references: vec![],
                docs: Docs::default(),
                origin: format!("test:{id}"),
            },
            rules: vec![Rule::compile(lang, config).expect("rule compiles")],
        }
    }

    fn fix(engine: &Engine, text: &str) -> FixOutcome {
        engine
            .fix(
                Lang::TypeScript,
                text,
                &FixOptions::default(),
                &Context::default(),
            )
            .expect("input parses")
    }

    #[test]
    fn findings_are_in_source_order_with_one_based_points() {
        let engine = Engine::new(vec![codemod(
            "calls",
            Applicability::Manual,
            "language: TypeScript\nrule: { pattern: 'f($A)' }\nmessage: f of $A",
        )]);
        let findings = engine
            .check(
                Lang::TypeScript,
                "f(1);\nconst x = f(2);\n",
                &Context::default(),
            )
            .unwrap();
        let points: Vec<_> = findings
            .iter()
            .map(|f| (f.start, f.message.as_str()))
            .collect();
        assert_eq!(
            points,
            [
                (Point { line: 1, column: 1 }, "f of 1"),
                (
                    Point {
                        line: 2,
                        column: 11
                    },
                    "f of 2"
                )
            ]
        );
        assert!(findings.iter().all(|f| f.fix.is_none()));
    }

    #[test]
    fn nested_matches_of_one_codemod_are_fixed_over_several_passes() {
        // `f(f(x))`: the outer and inner fixes overlap; the outer is applied first, the inner on
        // the next pass.
        let engine = Engine::new(vec![codemod(
            "f-to-g",
            Applicability::Safe,
            "language: TypeScript\nrule: { pattern: 'f($A)' }\nfix: 'g($A)'",
        )]);
        let outcome = fix(&engine, "f(f(x));\n");
        assert_eq!(outcome.fixed_text(), Some("g(g(x));\n"));
        assert_eq!(outcome.steps.len(), 1);
        assert_eq!(outcome.steps[0].fixes, 2);
        assert!(outcome.remaining.is_empty());
        assert!(outcome.problems.is_empty());
    }

    #[test]
    fn codemods_apply_in_catalogue_order_one_after_the_other() {
        // The second codemod only matches what the first one produces.
        let engine = Engine::new(vec![
            codemod(
                "a-to-b",
                Applicability::Safe,
                "language: TypeScript\nrule: { kind: identifier, regex: ^a$ }\nfix: b",
            ),
            codemod(
                "b-to-c",
                Applicability::Safe,
                "language: TypeScript\nrule: { kind: identifier, regex: ^b$ }\nfix: c",
            ),
        ]);
        let outcome = fix(&engine, "a + b;\n");
        let steps: Vec<_> = outcome
            .steps
            .iter()
            .map(|s| (s.codemod, s.text.as_str()))
            .collect();
        assert_eq!(steps, [(0, "b + b;\n"), (1, "c + c;\n")]);
        // Applying again changes nothing.
        assert!(fix(&engine, "c + c;\n").steps.is_empty());
    }

    /// A codemod whose rule needs `literal`.
    fn with_literal(mut codemod: Codemod, literal: &str) -> Codemod {
        codemod.rules[0].literals = Some(vec![literal.to_owned()]);
        codemod
    }

    #[test]
    fn files_no_rule_can_match_are_not_parsed_and_fixes_open_the_way_for_later_codemods() {
        let engine = Engine::new(vec![
            with_literal(
                codemod(
                    "old-to-mid",
                    Applicability::Safe,
                    "language: TypeScript\nrule: { kind: identifier, regex: ^oldName$ }\nfix: midName",
                ),
                "oldName",
            ),
            with_literal(
                codemod(
                    "mid-to-new",
                    Applicability::Safe,
                    "language: TypeScript\nrule: { kind: identifier, regex: ^midName$ }\nfix: newName",
                ),
                "midName",
            ),
        ]);
        let context = Context::default();
        // Without any rule's literal, even a file that does not parse is not looked at.
        assert_eq!(
            engine.check(Lang::TypeScript, "const x = (;\n", &context),
            Ok(Vec::new())
        );
        assert!(
            engine
                .check(Lang::TypeScript, "const oldName = (;\n", &context)
                .is_err()
        );
        // The second codemod's literal appears only once the first one has fixed the file.
        let outcome = fix(&engine, "const oldName = 1;\n");
        let steps: Vec<_> = outcome.steps.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(steps, ["const midName = 1;\n", "const newName = 1;\n"]);
        // A suppression comment is still seen (and reported unused) in a file no rule needs.
        let (_, unused) = engine
            .check_file(
                Lang::TypeScript,
                "// iacfix-ignore: old-to-mid legacy\nconst x = 1;\n",
                &context,
            )
            .unwrap();
        assert_eq!(unused.len(), 1);
    }

    #[test]
    fn program_facts_are_computed_only_when_a_match_needs_them() {
        let mut codemod = codemod(
            "needs-a-flow-log",
            Applicability::Manual,
            "language: TypeScript\nrule: { pattern: new Vpc($NAME) }",
        );
        let rule = ast_grep_config::from_str::<ast_grep_config::SerializableRule>(
            "pattern: new FlowLog($NAME)",
        )
        .unwrap();
        let condition = Condition::related(
            Lang::TypeScript,
            false,
            Scope::Program,
            rule,
            None,
            false,
            &codemod.rules[0],
        )
        .unwrap();
        codemod.rules[0].conditions.push(condition);
        let engine = Engine::new(vec![codemod]);
        let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = calls.clone();
        let context = Context {
            facts: ProgramFacts::lazy(move || {
                counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                Facts::default()
            }),
            ..Context::default()
        };
        // No match: the program's other files are never read for the condition.
        let found = engine
            .check(Lang::TypeScript, "const x = 1;\n", &context)
            .unwrap();
        assert!(found.is_empty());
        assert!(!context.facts.computed());
        // A match: computed once, then reused.
        for _ in 0..2 {
            let found = engine
                .check(Lang::TypeScript, "new Vpc(\"a\");\n", &context)
                .unwrap();
            assert_eq!(found.len(), 1);
        }
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 1);
    }

    #[test]
    fn a_codemod_that_never_settles_is_dropped_and_reported() {
        let engine = Engine::new(vec![codemod(
            "grows",
            Applicability::Safe,
            "language: TypeScript\nrule: { kind: identifier, regex: ^x, pattern: $A }\nfix: x$A",
        )]);
        let outcome = fix(&engine, "x;\n");
        assert_eq!(outcome.fixed_text(), None, "nothing is kept");
        assert_eq!(
            outcome.problems,
            [Problem::NotConverged {
                codemod: 0,
                passes: DEFAULT_MAX_PASSES
            }]
        );
        assert_eq!(outcome.remaining.len(), 1);
    }

    #[test]
    fn a_fix_that_breaks_the_syntax_is_refused() {
        let engine = Engine::new(vec![codemod(
            "breaks",
            Applicability::Safe,
            "language: TypeScript\nrule: { kind: identifier, regex: ^bad$ }\nfix: ')('",
        )]);
        let outcome = fix(&engine, "const ok = 1;\nbad();\n");
        assert_eq!(outcome.fixed_text(), None);
        match outcome.problems.as_slice() {
            [Problem::BreaksSyntax { codemod: 0, at, .. }] => {
                assert_eq!(*at, Point { line: 2, column: 1 })
            }
            other => panic!("unexpected problems {other:?}"),
        }
    }

    #[test]
    fn unparsable_input_is_not_touched() {
        let engine = Engine::new(vec![codemod(
            "f-to-g",
            Applicability::Safe,
            "language: TypeScript\nrule: { pattern: 'f($A)' }\nfix: 'g($A)'",
        )]);
        let error = engine
            .fix(
                Lang::TypeScript,
                "f(1);\nconst = ;\n",
                &FixOptions::default(),
                &Context::default(),
            )
            .unwrap_err();
        assert_eq!(error.at.line, 2);
    }

    #[test]
    fn applicability_decides_what_is_fixed() {
        let rule = "language: TypeScript\nrule: { kind: identifier, regex: ^a$ }\nfix: b";
        let engine = Engine::new(vec![codemod("unsafe", Applicability::Unsafe, rule)]);
        assert!(fix(&engine, "a;\n").steps.is_empty());
        let with_unsafe = engine
            .fix(
                Lang::TypeScript,
                "a;\n",
                &FixOptions {
                    unsafe_fixes: true,
                    ..FixOptions::default()
                },
                &Context::default(),
            )
            .unwrap();
        assert_eq!(with_unsafe.fixed_text(), Some("b;\n"));
    }

    #[test]
    fn a_fix_that_changes_nothing_is_no_finding() {
        // The rule also matches its own output; that output is not a finding and does not loop.
        let engine = Engine::new(vec![codemod(
            "quote",
            Applicability::Safe,
            "language: TypeScript\nrule: { pattern: 'f($A)' }\nfix: 'f(\"x\")'",
        )]);
        let outcome = fix(&engine, "f(1);\n");
        assert_eq!(outcome.fixed_text(), Some("f(\"x\");\n"));
        assert!(outcome.problems.is_empty());
        assert!(
            engine
                .check(Lang::TypeScript, "f(\"x\");\n", &Context::default())
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn deletions_leave_no_blank_line_or_double_space() {
        assert_eq!(tidy_deletion("{ a: 1, b: 2, c }", 8..13), 8..14);
        let text = "{\n    a: 1,\n    b: 2,\n}\n";
        let b = text.find("b: 2,").unwrap();
        let line = tidy_deletion(text, b..b + 5);
        assert_eq!(&text[line], "    b: 2,\n");
        // Deleting in the middle of code leaves the rest alone.
        assert_eq!(tidy_deletion("f(a,b)", 2..4), 2..4);
        // A list element takes its comma: the one after it, or, last, the one before it.
        let text = "f(a=1, b=2, c=3)";
        assert_eq!(&text[tidy_deletion(text, 7..10)], "b=2, ");
        assert_eq!(&text[tidy_deletion(text, 12..15)], ", c=3");
        let text = "f(\n    a=1,\n    b=2\n)\n";
        let b = text.find("b=2").unwrap();
        assert_eq!(&text[tidy_deletion(text, b..b + 3)], ",\n    b=2");
        let text = "{\n    a: 1,\n    b: 2\n}\n";
        let b = text.find("b: 2").unwrap();
        assert_eq!(&text[tidy_deletion(text, b..b + 4)], ",\n    b: 2");
        // The first element of a one-line list: its comma and the blank after it.
        let text = "{\"A\": 1, \"B\": 2}";
        assert_eq!(&text[tidy_deletion(text, 1..7)], "\"A\": 1, ");
        // The only element: the list is left empty.
        assert_eq!(tidy_deletion("f(a)", 2..3), 2..3);
        assert_eq!(tidy_deletion("f({ a: 1 })", 4..8), 3..9);
        let text = "f({\n    a: 1,\n})";
        let a = text.find("a: 1,").unwrap();
        assert_eq!(&text[tidy_deletion(text, a..a + 5)], "\n    a: 1,\n");
        assert_eq!(&text[tidy_deletion(text, a..a + 4)], "\n    a: 1,\n");
    }

    #[test]
    fn a_crlf_file_gets_crlf_from_a_multi_line_fix() {
        let engine = Engine::new(vec![codemod(
            "split",
            Applicability::Safe,
            "language: TypeScript\nrule: { pattern: 'f($A)' }\nfix: \"g($A);\\nh($A)\"",
        )]);
        let outcome = fix(&engine, "f(1);\r\nx;\r\n");
        assert_eq!(outcome.fixed_text(), Some("g(1);\r\nh(1);\r\nx;\r\n"));
    }

    #[test]
    fn rules_only_see_their_language() {
        let engine = Engine::new(vec![codemod(
            "py",
            Applicability::Safe,
            "language: Python\nrule: { kind: identifier, regex: ^a$ }\nfix: b",
        )]);
        assert!(engine.handles(Lang::Python));
        assert!(!engine.handles(Lang::TypeScript));
        assert!(
            engine
                .check(Lang::TypeScript, "a;\n", &Context::default())
                .unwrap()
                .is_empty()
        );
        let outcome = engine
            .fix(
                Lang::Python,
                "a = 1\n",
                &FixOptions::default(),
                &Context::default(),
            )
            .unwrap();
        assert_eq!(outcome.fixed_text(), Some("b = 1\n"));
    }
}
