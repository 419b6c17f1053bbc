//! The report of a run over repositories: one row per repository (and per Pulumi project in
//! it), printed as a table and written as JSON (`--report FILE.json`). The JSON format is
//! versioned ([`REPORT_VERSION`]) and its schema, generated from these types, is
//! `docs/report.schema.json`.

use anyhow::{Context, bail};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::path::Path;

/// The version of the report format. A change that removes or renames a field, or changes its
/// meaning, makes a new version.
pub const REPORT_VERSION: u32 = 1;

/// A run of `iacfix check` or `iacfix apply` over repositories.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(title = "iacfix report")]
pub struct Report {
    /// The report format's version.
    pub version: u32,
    /// The iacfix version that made the report.
    pub iacfix: String,
    /// `check` or `apply`.
    pub command: String,
    /// The share of the repository list this run covered (`K/N`), if sharded.
    pub shard: Option<String>,
    /// One entry per repository, in the order of the repository list.
    pub repos: Vec<RepoReport>,
    pub totals: Totals,
}

/// What happened in one repository.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RepoReport {
    /// Position in the whole repository list (kept by shards, so merged reports keep the order).
    pub index: usize,
    /// The repository as given.
    pub repo: String,
    pub status: Status,
    /// Why the repository was skipped or failed.
    pub reason: Option<String>,
    /// The Pulumi projects found in it.
    pub projects: Vec<ProjectReport>,
    /// Findings, by severity (for `apply`: what was found before fixing).
    pub findings: Severities,
    /// Findings fixed.
    pub fixed: usize,
    /// Findings left after the run.
    pub remaining: usize,
    /// Remaining findings no codemod can fix: left for a human.
    pub manual: usize,
    /// The codemods that changed something, in catalogue order.
    pub codemods: Vec<String>,
    /// Files written (sources and manifests), or that a dry run would write.
    pub files_changed: usize,
    /// Commits made.
    pub commits: usize,
    /// Files that could not be processed.
    pub errors: usize,
    /// Wall time in milliseconds (not comparable between runs).
    pub elapsed_ms: u64,
}

/// The outcome of a repository.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Nothing to fix.
    Clean,
    /// Findings reported (`check`), or left after `apply`.
    Findings,
    /// Files changed (or would change, with `--dry-run`).
    Changed,
    /// Not processed, on purpose (uncommitted changes, no Pulumi project).
    Skipped,
    /// Could not be processed (missing, unreadable, not a git repository for `--commit`).
    Failed,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Clean => "clean",
            Status::Findings => "findings",
            Status::Changed => "changed",
            Status::Skipped => "skipped",
            Status::Failed => "failed",
        }
    }
}

/// A Pulumi project of a repository.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ProjectReport {
    /// The directory of its `Pulumi.yaml`.
    pub path: String,
    pub name: String,
    pub runtime: String,
    pub main: Option<String>,
    pub stacks: Vec<String>,
    pub findings: Severities,
    pub fixed: usize,
    pub files_changed: usize,
    pub manual: usize,
}

/// Counts by severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Severities {
    pub deploy_blocker: usize,
    pub security: usize,
    pub hygiene: usize,
}

impl Severities {
    pub fn add(&mut self, severity: iacfix_core::Severity) {
        match severity {
            iacfix_core::Severity::DeployBlocker => self.deploy_blocker += 1,
            iacfix_core::Severity::Security => self.security += 1,
            iacfix_core::Severity::Hygiene => self.hygiene += 1,
        }
    }

    pub fn total(&self) -> usize {
        self.deploy_blocker + self.security + self.hygiene
    }

    fn plus(&self, other: &Severities) -> Severities {
        Severities {
            deploy_blocker: self.deploy_blocker + other.deploy_blocker,
            security: self.security + other.security,
            hygiene: self.hygiene + other.hygiene,
        }
    }
}

/// The sums over all repositories.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Totals {
    pub repos: usize,
    pub projects: usize,
    pub clean: usize,
    pub findings_repos: usize,
    pub changed: usize,
    pub skipped: usize,
    pub failed: usize,
    pub findings: Severities,
    pub fixed: usize,
    pub remaining: usize,
    pub manual: usize,
    pub files_changed: usize,
    pub commits: usize,
}

impl Report {
    /// A report of `repos` (sorted by index), with its totals.
    pub fn new(command: &str, shard: Option<String>, mut repos: Vec<RepoReport>) -> Report {
        repos.sort_by_key(|r| r.index);
        let mut totals = Totals {
            repos: repos.len(),
            ..Totals::default()
        };
        for repo in &repos {
            totals.projects += repo.projects.len();
            match repo.status {
                Status::Clean => totals.clean += 1,
                Status::Findings => totals.findings_repos += 1,
                Status::Changed => totals.changed += 1,
                Status::Skipped => totals.skipped += 1,
                Status::Failed => totals.failed += 1,
            }
            totals.findings = totals.findings.plus(&repo.findings);
            totals.fixed += repo.fixed;
            totals.remaining += repo.remaining;
            totals.manual += repo.manual;
            totals.files_changed += repo.files_changed;
            totals.commits += repo.commits;
        }
        Report {
            version: REPORT_VERSION,
            iacfix: env!("CARGO_PKG_VERSION").to_owned(),
            command: command.to_owned(),
            shard,
            repos,
            totals,
        }
    }

    /// Reads a report file, refusing other versions.
    pub fn read(path: &Path) -> anyhow::Result<Report> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let value: serde_json::Value = serde_json::from_str(&text)
            .with_context(|| format!("{} is not JSON", path.display()))?;
        let version = value.get("version").and_then(|v| v.as_u64());
        if version != Some(u64::from(REPORT_VERSION)) {
            bail!(
                "{} is a report of version {}; this iacfix reads version {REPORT_VERSION}",
                path.display(),
                version.map_or_else(|| "(none)".to_owned(), |v| v.to_string())
            );
        }
        serde_json::from_value(value)
            .with_context(|| format!("{} is not an iacfix report", path.display()))
    }

    /// The reports of several shards as one (each repository once, in list order).
    pub fn merge(reports: Vec<Report>) -> anyhow::Result<Report> {
        let Some(first) = reports.first() else {
            bail!("no report to merge");
        };
        let command = first.command.clone();
        let mut repos: Vec<RepoReport> = Vec::new();
        for report in reports {
            if report.command != command {
                bail!(
                    "cannot merge a report of `{}` with one of `{command}`",
                    report.command
                );
            }
            for repo in report.repos {
                if let Some(other) = repos.iter().find(|r| r.index == repo.index) {
                    bail!(
                        "repository #{} ({}) is in two reports (as {}): were the shards of \
                         different lists?",
                        repo.index,
                        repo.repo,
                        other.repo
                    );
                }
                repos.push(repo);
            }
        }
        Ok(Report::new(&command, None, repos))
    }

    /// The summary table.
    pub fn table(&self) -> String {
        let header = [
            "REPO", "PROJECTS", "BLOCKERS", "SECURITY", "HYGIENE", "FIXED", "CODEMODS", "FILES",
            "COMMITS", "MANUAL", "STATUS",
        ];
        let mut rows: Vec<[String; 11]> = self
            .repos
            .iter()
            .map(|r| {
                let status = match &r.reason {
                    Some(reason) => format!("{} ({reason})", r.status.name()),
                    None => r.status.name().to_owned(),
                };
                [
                    r.repo.clone(),
                    r.projects.len().to_string(),
                    r.findings.deploy_blocker.to_string(),
                    r.findings.security.to_string(),
                    r.findings.hygiene.to_string(),
                    r.fixed.to_string(),
                    r.codemods.len().to_string(),
                    r.files_changed.to_string(),
                    r.commits.to_string(),
                    r.manual.to_string(),
                    status,
                ]
            })
            .collect();
        let t = &self.totals;
        rows.push([
            format!("total: {} repos", t.repos),
            t.projects.to_string(),
            t.findings.deploy_blocker.to_string(),
            t.findings.security.to_string(),
            t.findings.hygiene.to_string(),
            t.fixed.to_string(),
            String::new(),
            t.files_changed.to_string(),
            t.commits.to_string(),
            t.manual.to_string(),
            format!(
                "{} changed, {} clean, {} with findings, {} skipped, {} failed",
                t.changed, t.clean, t.findings_repos, t.skipped, t.failed
            ),
        ]);
        let mut widths = [0usize; 11];
        for row in std::iter::once(&header.map(String::from)).chain(&rows) {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let mut out = String::new();
        for row in std::iter::once(header.map(String::from)).chain(rows) {
            let mut line = String::new();
            for (i, cell) in row.iter().enumerate() {
                let pad = widths[i].saturating_sub(cell.chars().count());
                match i {
                    0 | 10 => {
                        line.push_str(cell);
                        if i == 0 {
                            line.push_str(&" ".repeat(pad));
                        }
                    }
                    // Counts right-aligned (headers too, over their column).
                    _ => {
                        line.push_str(&" ".repeat(pad));
                        line.push_str(cell);
                    }
                }
                if i < 10 {
                    line.push_str("  ");
                }
            }
            let _ = writeln!(out, "{}", line.trim_end());
        }
        out
    }
}

/// The JSON schema of a report, pretty-printed.
pub fn report_schema() -> String {
    let schema = schemars::schema_for!(Report);
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema serialises to JSON");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo(index: usize, name: &str, status: Status) -> RepoReport {
        RepoReport {
            index,
            repo: name.to_owned(),
            status,
            reason: None,
            projects: vec![],
            findings: Severities {
                deploy_blocker: index,
                security: 1,
                hygiene: 0,
            },
            fixed: 1,
            remaining: 0,
            manual: 0,
            codemods: vec!["a".into()],
            files_changed: 1,
            commits: 1,
            errors: 0,
            elapsed_ms: 5,
        }
    }

    #[test]
    fn merging_shards_gives_the_whole_report() {
        let whole = Report::new(
            "apply",
            None,
            vec![
                repo(0, "a", Status::Changed),
                repo(1, "b", Status::Clean),
                repo(2, "c", Status::Failed),
            ],
        );
        let one = Report::new(
            "apply",
            Some("1/2".into()),
            vec![repo(2, "c", Status::Failed), repo(0, "a", Status::Changed)],
        );
        let two = Report::new(
            "apply",
            Some("2/2".into()),
            vec![repo(1, "b", Status::Clean)],
        );
        assert_eq!(
            Report::merge(vec![two.clone(), one.clone()]).unwrap(),
            whole
        );
        assert_eq!(whole.totals.findings.deploy_blocker, 3);
        assert_eq!(
            (
                whole.totals.changed,
                whole.totals.clean,
                whole.totals.failed
            ),
            (1, 1, 1)
        );
        // The same repository twice is refused.
        assert!(Report::merge(vec![one.clone(), one]).is_err());
        let check = Report::new("check", None, vec![]);
        assert!(Report::merge(vec![two, check]).is_err());
    }

    #[test]
    fn the_table_has_a_row_per_repo_and_totals() {
        let report = Report::new("check", None, vec![repo(0, "repos/a", Status::Findings)]);
        let table = report.table();
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("REPO"));
        assert!(lines[1].starts_with("repos/a "));
        assert!(lines[1].ends_with("findings"));
        assert!(lines[2].starts_with("total: 1 repos"));
    }
}
