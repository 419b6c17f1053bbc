//! Runs over many repositories: a list of 20+ real git repositories (TypeScript and Python
//! projects, a monorepo with two projects, a dirty repository, one without a Pulumi project), a
//! directory outside git and a missing path. The JSON report's statuses and counts are checked
//! exactly; shards cover the list once and merge back into the whole report.

use crate::util::{Output, Project, run_with};
use serde_json::Value;

const TS: &str = "import * as aws from \"@pulumi/aws\";\n\
    export const zone = new aws.route53.Zone(\"z\", { name: \"db.example.com\" });\n\
    export const r = new aws.s3.BucketReplication(\"r\", { role: \"arn\", bucket: \"b\", rules: [] });\n";
const PY: &str = "import pulumi_aws as aws\n\n\
    r = aws.s3.BucketReplication(\"r\", role=\"arn\", bucket=\"b\", rules=[])\n\
    db = aws.rds.Cluster(\"db\", master_username=\"app\", master_password=\"literal-password-1\")\n";
const CLEAN_TS: &str = "import * as aws from \"@pulumi/aws\";\n\
    export const zone = new aws.route53.Zone(\"z\", { name: \"db.test.local\" });\n";
/// A finding no codemod fixes: left for a human.
const MANUAL_TS: &str = "import * as aws from \"@pulumi/aws\";\n\
    new aws.s3.BucketReplicationConfig(\"r\", { role: \"a\", bucket: \"b\", rules: [{ status: \"Enabled\", \
    destination: { bucket: \"c\", encryptionConfiguration: { replicaKmsKeyId: \"k1\" }, replicaKmsKeyId: \"k2\" } }] });\n";

fn git(project: &Project, dir: &str, args: &[&str]) {
    project.git_in(&project.path(dir), args);
}

fn repository(project: &Project, dir: &str, files: &[(&str, &str)]) {
    for (path, text) in files {
        project.file(&format!("{dir}/{path}"), text);
    }
    git(project, dir, &["init", "-q", "-b", "main"]);
    git(project, dir, &["add", "."]);
    git(
        project,
        dir,
        &[
            "-c",
            "user.name=Fleet Bot",
            "-c",
            "user.email=fleet@example.org",
            "commit",
            "-q",
            "-m",
            "Initial",
        ],
    );
}

fn ts_project(name: &str, index: &str) -> Vec<(String, String)> {
    vec![
        (
            "Pulumi.yaml".into(),
            format!("name: {name}\nruntime: nodejs\n"),
        ),
        ("Pulumi.dev.yaml".into(), "config: {}\n".into()),
        ("index.ts".into(), index.into()),
    ]
}

/// The repositories and the list file `repos.txt`; returns the list's paths in order.
fn fleet(project: &Project) -> Vec<String> {
    let home = project.path(".home");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(
        home.join(".gitconfig"),
        "[user]\n\tname = Fleet Bot\n\temail = fleet@example.org\n",
    )
    .unwrap();
    let mut list = Vec::new();
    for i in 1..=8 {
        let dir = format!("repos/ts-{i:02}");
        let files = ts_project(&format!("ts-{i:02}"), TS);
        let files: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        repository(project, &dir, &files);
        list.push(dir);
    }
    for i in 1..=8 {
        let dir = format!("repos/py-{i:02}");
        repository(
            project,
            &dir,
            &[
                ("Pulumi.yaml", "name: py\nruntime: python\n"),
                ("__main__.py", PY),
            ],
        );
        list.push(dir);
    }
    let clean = ts_project("clean", CLEAN_TS);
    let clean: Vec<(&str, &str)> = clean
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    repository(project, "repos/clean", &clean);
    list.push("repos/clean".into());
    let manual = ts_project("manual", MANUAL_TS);
    let manual: Vec<(&str, &str)> = manual
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    repository(project, "repos/manual", &manual);
    list.push("repos/manual".into());
    repository(
        project,
        "repos/monorepo",
        &[
            (
                "infra/network/Pulumi.yaml",
                "name: network\nruntime: nodejs\n",
            ),
            ("infra/network/index.ts", TS),
            (
                "infra/data/Pulumi.yaml",
                "name: data\nruntime:\n  name: python\n",
            ),
            ("infra/data/Pulumi.prod.yaml", "config: {}\n"),
            ("infra/data/__main__.py", PY),
        ],
    );
    list.push("repos/monorepo".into());
    let dirty = ts_project("dirty", TS);
    let dirty: Vec<(&str, &str)> = dirty
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    repository(project, "repos/dirty", &dirty);
    project.file("repos/dirty/Pulumi.dev.yaml", "config: { changed: true }\n");
    list.push("repos/dirty".into());
    repository(
        project,
        "repos/no-pulumi",
        &[("README.md", "docs only\n"), ("tool.ts", TS)],
    );
    list.push("repos/no-pulumi".into());
    for (path, text) in ts_project("plain", TS) {
        project.file(&format!("plain/{path}"), text);
    }
    list.push("plain".into());
    list.push("repos/missing".into());
    let mut file = String::from("# The fleet\n\n");
    for path in &list {
        file.push_str(path);
        file.push('\n');
    }
    file.push_str("   # trailing comment\n");
    project.file("repos.txt", file);
    list
}

fn iacfix(project: &Project, args: &[&str]) -> Output {
    let home = project.path(".home");
    let home = home.to_str().unwrap();
    run_with(
        project.root(),
        args,
        &[
            ("HOME", home),
            ("XDG_CONFIG_HOME", home),
            ("GIT_CONFIG_NOSYSTEM", "1"),
        ],
        None,
    )
}

fn report(project: &Project, file: &str) -> Value {
    serde_json::from_str(&project.read(file)).unwrap()
}

/// `repo → (status, reason, findings [blocker, security, hygiene], fixed, remaining, manual,
/// files changed, commits, projects)` of a report.
/// (repo, status, reason, findings, counts).
type Row = (String, String, Option<String>, [u64; 3], [u64; 6]);

fn rows(report: &Value) -> Vec<Row> {
    report["repos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let f = &r["findings"];
            (
                r["repo"].as_str().unwrap().to_owned(),
                r["status"].as_str().unwrap().to_owned(),
                r["reason"].as_str().map(str::to_owned),
                [
                    f["deploy-blocker"].as_u64().unwrap(),
                    f["security"].as_u64().unwrap(),
                    f["hygiene"].as_u64().unwrap(),
                ],
                [
                    r["fixed"].as_u64().unwrap(),
                    r["remaining"].as_u64().unwrap(),
                    r["manual"].as_u64().unwrap(),
                    r["filesChanged"].as_u64().unwrap(),
                    r["commits"].as_u64().unwrap(),
                    r["projects"].as_array().unwrap().len() as u64,
                ],
            )
        })
        .collect()
}

#[test]
fn apply_with_commit_over_a_fleet_reports_every_repository_exactly() {
    let project = Project::new();
    let list = fleet(&project);
    assert!(list.len() >= 20);
    let out = iacfix(
        &project,
        &[
            "apply",
            "--repos",
            "repos.txt",
            "--commit",
            "--report",
            "report.json",
            "--jobs",
            "4",
        ],
    );
    assert_eq!(out.code, 2, "failed repositories make exit 2: {out:?}");
    let first = report(&project, "report.json");
    assert_eq!(first["version"], 1);
    assert_eq!(first["command"], "apply");
    let rows = rows(&first);
    let mut expected = Vec::new();
    for i in 1..=8 {
        expected.push((
            format!("repos/ts-{i:02}"),
            "changed".into(),
            None,
            [2, 0, 0],
            [2, 0, 0, 1, 2, 1],
        ));
    }
    for i in 1..=8 {
        // The literal password's fix is unsafe: it remains (it has a fix, so it is not manual).
        expected.push((
            format!("repos/py-{i:02}"),
            "changed".into(),
            None,
            [1, 1, 0],
            [1, 1, 0, 1, 1, 1],
        ));
    }
    expected.push((
        "repos/clean".into(),
        "clean".into(),
        None,
        [0, 0, 0],
        [0, 0, 0, 0, 0, 1],
    ));
    expected.push((
        "repos/manual".into(),
        "findings".into(),
        None,
        [1, 0, 0],
        [0, 1, 1, 0, 0, 1],
    ));
    expected.push((
        "repos/monorepo".into(),
        "changed".into(),
        None,
        [3, 1, 0],
        [3, 1, 0, 2, 2, 2],
    ));
    expected.push((
        "repos/dirty".into(),
        "skipped".into(),
        Some("uncommitted changes to 1 tracked file".into()),
        [0, 0, 0],
        [0, 0, 0, 0, 0, 0],
    ));
    expected.push((
        "repos/no-pulumi".into(),
        "skipped".into(),
        Some("no Pulumi project".into()),
        [0, 0, 0],
        [0, 0, 0, 0, 0, 0],
    ));
    expected.push((
        "plain".into(),
        "failed".into(),
        Some("plain is not in a git repository: --commit and --branch need one (run `git init`, or apply without them)".into()),
        [0, 0, 0],
        [0, 0, 0, 0, 0, 0],
    ));
    expected.push((
        "repos/missing".into(),
        "failed".into(),
        Some("repos/missing: no such file or directory".into()),
        [0, 0, 0],
        [0, 0, 0, 0, 0, 0],
    ));
    assert_eq!(rows, expected);
    let totals = &first["totals"];
    assert_eq!(
        (
            totals["repos"].as_u64(),
            totals["changed"].as_u64(),
            totals["clean"].as_u64(),
            totals["skipped"].as_u64(),
            totals["failed"].as_u64()
        ),
        (Some(23), Some(17), Some(1), Some(2), Some(2))
    );
    assert_eq!(totals["commits"].as_u64(), Some(8 * 2 + 8 + 2));
    // Projects and stacks are attributed.
    let monorepo = &first["repos"][18]["projects"];
    assert_eq!(monorepo[0]["name"], "data");
    assert_eq!(monorepo[0]["runtime"], "python");
    assert_eq!(monorepo[0]["stacks"], serde_json::json!(["prod"]));
    assert_eq!(monorepo[0]["findings"]["security"], 1);
    assert_eq!(monorepo[1]["name"], "network");
    assert_eq!(monorepo[1]["findings"]["deploy-blocker"], 2);
    // Each repository got its own commits; the dirty one was left alone.
    let log = project.git_in(&project.path("repos/ts-03"), &["log", "--format=%s"]);
    assert_eq!(log.lines().count(), 3, "{log}");
    let dirty = project.git_in(&project.path("repos/dirty"), &["log", "--format=%s"]);
    assert_eq!(dirty.lines().count(), 1);
    // The table ends the output; progress lines (not a terminal) are on stderr.
    assert!(out.stdout.contains("\nREPO "), "{out:?}");
    assert!(out.stdout.contains("total: 23 repos"), "{out:?}");
    assert!(
        out.stderr
            .contains("] repos/missing: failed (repos/missing: no such file or directory)"),
        "{out:?}"
    );
    assert_eq!(out.stderr.matches("] ").count(), 23, "{out:?}");

    // Running again makes no new commit anywhere.
    let again = iacfix(
        &project,
        &[
            "apply",
            "--repos",
            "repos.txt",
            "--commit",
            "--report",
            "again.json",
            "-q",
        ],
    );
    assert_eq!(again.code, 2, "{again:?}");
    let again = report(&project, "again.json");
    assert_eq!(again["totals"]["commits"], 0);
    assert_eq!(again["totals"]["changed"], 0);
    assert_eq!(
        project
            .git_in(&project.path("repos/ts-03"), &["log", "--format=%s"])
            .lines()
            .count(),
        3
    );
}

#[test]
fn shards_cover_the_list_once_and_merge_into_the_whole_report() {
    let project = Project::new();
    fleet(&project);
    let whole = iacfix(
        &project,
        &[
            "check",
            "--repos",
            "repos.txt",
            "--report",
            "whole.json",
            "--quiet",
        ],
    );
    assert_eq!(whole.code, 2, "{whole:?}");
    assert!(
        whole.stderr.is_empty() || !whole.stderr.contains("] "),
        "no progress with --quiet: {whole:?}"
    );
    let mut seen = Vec::new();
    for k in 1..=3 {
        let out = iacfix(
            &project,
            &[
                "check",
                "--repos",
                "repos.txt",
                "--shard",
                &format!("{k}/3"),
                "--report",
                &format!("shard-{k}.json"),
                "-q",
            ],
        );
        assert_ne!(out.code, 3, "{out:?}");
        let shard = report(&project, &format!("shard-{k}.json"));
        assert_eq!(shard["shard"], format!("{k}/3"));
        for repo in shard["repos"].as_array().unwrap() {
            seen.push(repo["index"].as_u64().unwrap());
        }
    }
    seen.sort_unstable();
    assert_eq!(
        seen,
        (0..23).collect::<Vec<_>>(),
        "every repository exactly once"
    );

    let merged = iacfix(
        &project,
        &[
            "report",
            "merge",
            "shard-1.json",
            "shard-2.json",
            "shard-3.json",
            "--output",
            "merged.json",
        ],
    );
    assert_eq!(merged.code, 0, "{merged:?}");
    assert!(merged.stdout.starts_with("REPO "), "{merged:?}");
    let strip = |mut report: Value| {
        for repo in report["repos"].as_array_mut().unwrap() {
            repo["elapsedMs"] = Value::from(0);
        }
        report
    };
    assert_eq!(
        strip(report(&project, "merged.json")),
        strip(report(&project, "whole.json"))
    );
    // Shards of different lists do not merge.
    let dup = iacfix(
        &project,
        &["report", "merge", "shard-1.json", "shard-1.json"],
    );
    assert_eq!(dup.code, 2, "{dup:?}");
    assert!(dup.stderr.contains("is in two reports"), "{dup:?}");
}

#[test]
fn several_repositories_on_the_command_line_are_a_bulk_run() {
    let project = Project::new();
    fleet(&project);
    let out = iacfix(
        &project,
        &[
            "check",
            "repos/ts-01",
            "repos/py-01",
            "repos/ts-01/index.ts",
        ],
    );
    assert_eq!(out.code, 1, "{out:?}");
    // Two repositories (the file is in the first), each with its findings, then the table.
    assert!(
        out.stdout
            .starts_with("== repos/ts-01\nrepos/ts-01/index.ts:2:"),
        "{out:?}"
    );
    assert!(
        out.stdout
            .contains("== repos/py-01\nrepos/py-01/__main__.py:3:"),
        "{out:?}"
    );
    assert!(out.stdout.contains("total: 2 repos"), "{out:?}");
}

/// On a terminal, the progress display runs beside the output (it once deadlocked on stderr).
#[test]
fn progress_on_a_terminal_shows_counts_and_finishes() {
    let project = Project::new();
    fleet(&project);
    let binary = env!("CARGO_BIN_EXE_iacfix");
    let mut child = std::process::Command::new("script")
        .args([
            "-qec",
            &format!("{binary} check --repos repos.txt --jobs 2"),
            "/dev/null",
        ])
        .current_dir(project.root())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("`script` (util-linux) runs the binary on a pseudo-terminal");
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(60) {
            let _ = child.kill();
            panic!("iacfix did not finish on a terminal within 60 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let output = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("/23 repos · "), "{text}");
    assert!(text.contains("total: 23 repos"), "{text}");
}
