//! The change of a run as reviewers see it: for each codemod that changed something (in
//! catalogue order), every file it changed with its text before and after that codemod. Dry-run
//! output, patch files and commits are all made from this plan, so they agree.

use crate::run::{FileKind, RunReport};
use crate::source::SourceText;
use iacfix_core::manifest::ensure_dependency;
use iacfix_core::{Step, mask_secrets};
use std::collections::BTreeSet;
use std::path::PathBuf;

/// A file the run changes.
#[derive(Clone, Debug)]
pub struct PlannedFile {
    pub path: PathBuf,
    pub display: String,
    /// The text as read (and the BOM to write back).
    pub source: SourceText,
    /// The file's bytes as read.
    pub original: Vec<u8>,
    /// The text after every codemod.
    pub final_text: String,
    /// Secrets to mask when showing this file.
    pub secrets: Vec<String>,
    /// Whether the file is executable (kept on write; shown in patches).
    pub executable: bool,
}

/// One codemod's share of the change.
#[derive(Clone, Debug)]
pub struct CodemodChange {
    /// Index of the codemod in the engine.
    pub codemod: usize,
    /// How many findings it fixed.
    pub fixes: usize,
    /// The files it changed: index into [`ChangePlan::files`], text before it, text after it.
    pub files: Vec<(usize, String, String)>,
}

/// Every change of a run, per codemod.
#[derive(Clone, Debug, Default)]
pub struct ChangePlan {
    pub files: Vec<PlannedFile>,
    pub codemods: Vec<CodemodChange>,
}

impl ChangePlan {
    /// The plan of a fix run's report (sources and manifests).
    pub fn of(report: &RunReport) -> ChangePlan {
        // Per file: the text after each codemod, in catalogue order.
        struct Timeline {
            file: usize,
            texts: Vec<(usize, String, usize)>,
        }
        let mut plan = ChangePlan::default();
        let mut timelines: Vec<Timeline> = Vec::new();
        for result in &report.files {
            let FileKind::Fixed {
                source,
                original,
                outcome,
                ..
            } = &result.kind
            else {
                continue;
            };
            let Some(final_text) = outcome.fixed_text() else {
                continue;
            };
            let secrets: BTreeSet<String> = outcome
                .findings
                .iter()
                .flat_map(|f| f.secrets.iter().cloned())
                .chain(outcome.steps.iter().flat_map(|s| s.secrets.iter().cloned()))
                .collect();
            plan.files.push(PlannedFile {
                path: result.path.clone(),
                display: result.display.clone(),
                source: source.clone(),
                original: original.clone(),
                final_text: final_text.to_owned(),
                secrets: secrets.into_iter().collect(),
                executable: is_executable(&result.path),
            });
            timelines.push(Timeline {
                file: plan.files.len() - 1,
                texts: per_codemod(&outcome.steps),
            });
        }
        for manifest in &report.manifests {
            plan.files.push(PlannedFile {
                path: manifest.path.clone(),
                display: manifest.display.clone(),
                source: manifest.source.clone(),
                original: manifest.original.clone(),
                final_text: manifest.new_text.clone(),
                secrets: Vec::new(),
                executable: is_executable(&manifest.path),
            });
            // The manifest after each codemod: the dependencies it asked for, added in order.
            let mut codemods: Vec<usize> = manifest.requests.iter().map(|(c, _)| *c).collect();
            codemods.sort_unstable();
            codemods.dedup();
            let mut text = manifest.source.text.clone();
            let mut texts = Vec::new();
            for codemod in codemods {
                for (_, request) in manifest.requests.iter().filter(|(c, _)| *c == codemod) {
                    if let Ok(Some(new)) = ensure_dependency(manifest.kind, &text, request) {
                        text = new;
                    }
                }
                texts.push((codemod, text.clone(), 0));
            }
            timelines.push(Timeline {
                file: plan.files.len() - 1,
                texts,
            });
        }
        let mut codemods: Vec<usize> = timelines
            .iter()
            .flat_map(|t| t.texts.iter().map(|(c, _, _)| *c))
            .collect();
        codemods.sort_unstable();
        codemods.dedup();
        for codemod in codemods {
            let mut change = CodemodChange {
                codemod,
                fixes: 0,
                files: Vec::new(),
            };
            for timeline in &timelines {
                let Some(at) = timeline.texts.iter().position(|(c, _, _)| *c == codemod) else {
                    continue;
                };
                let before = match at {
                    0 => plan.files[timeline.file].source.text.clone(),
                    _ => timeline.texts[at - 1].1.clone(),
                };
                let (_, after, fixes) = &timeline.texts[at];
                change.fixes += fixes;
                change.files.push((timeline.file, before, after.clone()));
            }
            change
                .files
                .sort_by(|a, b| plan.files[a.0].path.cmp(&plan.files[b.0].path));
            plan.codemods.push(change);
        }
        plan
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The secrets of every file (to mask in what is shown).
    pub fn secrets(&self) -> Vec<String> {
        self.files
            .iter()
            .flat_map(|f| f.secrets.iter().cloned())
            .collect()
    }

    /// `text` with the plan's secrets masked.
    pub fn mask(&self, text: &str) -> String {
        mask_secrets(text, &self.secrets())
    }
}

/// A file's text after each codemod, in catalogue order, with the fixes it made: `(codemod,
/// text, fixes)`. Steps normally come in catalogue order; if a codemod ran again after a later
/// one (a second round), its later changes count with the latest codemod before it in order.
fn per_codemod(steps: &[Step]) -> Vec<(usize, String, usize)> {
    let mut texts: Vec<(usize, String, usize)> = Vec::new();
    for step in steps {
        match texts.last_mut() {
            Some(last) if step.codemod <= last.0 => {
                last.1 = step.text.clone();
                last.2 += step.fixes;
            }
            _ => texts.push((step.codemod, step.text.clone(), step.fixes)),
        }
    }
    texts
}

#[cfg(unix)]
fn is_executable(path: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(_path: &std::path::Path) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(codemod: usize, text: &str) -> Step {
        Step {
            codemod,
            fixes: 1,
            text: text.to_owned(),
            dependencies: Vec::new(),
            secrets: Vec::new(),
        }
    }

    #[test]
    fn steps_are_attributed_in_catalogue_order() {
        let texts = per_codemod(&[step(0, "a"), step(2, "b"), step(1, "c")]);
        assert_eq!(
            texts,
            [(0, "a".to_owned(), 1), (2, "c".to_owned(), 2)],
            "a codemod running again after a later one counts with the later one"
        );
    }
}
