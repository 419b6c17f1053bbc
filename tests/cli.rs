//! End-to-end tests of the commands on temporary directories.

use crate::util::{Project, rename_codemod, repo_path, run_in};

const BROKEN_TS: &str = r#"import * as aws from "@pulumi/aws";

const replication = new aws.s3.BucketReplication("replication", {
    role: role.arn,
    bucket: source.id,
    rules: [{ status: "Enabled", destination: { bucket: replica.arn } }],
});
"#;

const FIXED_TS: &str = r#"import * as aws from "@pulumi/aws";

const replication = new aws.s3.BucketReplicationConfig("replication", {
    role: role.arn,
    bucket: source.id,
    rules: [{ status: "Enabled", destination: { bucket: replica.arn } }],
});
"#;

const BROKEN_PY: &str =
    "import pulumi_aws as aws\n\nr = aws.s3.BucketReplication(\"r\", role=role.arn)\n";
const FIXED_PY: &str =
    "import pulumi_aws as aws\n\nr = aws.s3.BucketReplicationConfig(\"r\", role=role.arn)\n";

#[test]
fn check_reports_findings_with_positions_and_exits_1() {
    let project = Project::new();
    project
        .file("infra/index.ts", BROKEN_TS)
        .file("infra/__main__.py", BROKEN_PY);
    let out = project.iacfix(&["check"]);
    assert_eq!(out.code, 1, "{out:?}");
    let message = "s3-bucket-replication-config [*] `BucketReplication` does not exist in the \
                   AWS provider: S3 replication is `BucketReplicationConfig`";
    let expected = [
        format!("infra/__main__.py:3:12: {message}"),
        "  |".to_owned(),
        r#"3 | r = aws.s3.BucketReplication("r", role=role.arn)"#.to_owned(),
        format!("  | {}{}", " ".repeat(11), "^".repeat(17)),
        String::new(),
        format!("infra/index.ts:3:32: {message}"),
        "  |".to_owned(),
        r#"3 | const replication = new aws.s3.BucketReplication("replication", {"#.to_owned(),
        format!("  | {}{}", " ".repeat(31), "^".repeat(17)),
        String::new(),
        "Found 2 findings in 2 of 2 files (2 fixable with `iacfix apply`).".to_owned(),
    ];
    assert_eq!(out.stdout, expected.join("\n") + "\n");
    assert_eq!(out.stderr, "");
    let concise = project.iacfix(&["check", "--format", "concise"]);
    assert_eq!(
        concise.stdout,
        "infra/__main__.py:3:12: s3-bucket-replication-config [*] `BucketReplication` does not \
         exist in the AWS provider: S3 replication is `BucketReplicationConfig`\n\
         infra/index.ts:3:32: s3-bucket-replication-config [*] `BucketReplication` does not \
         exist in the AWS provider: S3 replication is `BucketReplicationConfig`\n\
         Found 2 findings in 2 of 2 files (2 fixable with `iacfix apply`).\n"
    );
}

#[test]
fn check_on_clean_code_exits_0() {
    let project = Project::new();
    project
        .file("index.ts", FIXED_TS)
        .file("notes.md", "aws.s3.BucketReplication");
    let out = project.iacfix(&["check", "."]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout, "No findings in 1 file.\n");
}

#[test]
fn dry_run_prints_the_diff_and_writes_nothing() {
    let project = Project::new();
    project.file("index.ts", BROKEN_TS);
    for flag in ["--dry-run", "--diff"] {
        let out = project.iacfix(&["apply", flag]);
        assert_eq!(out.code, 1, "changes are needed: {out:?}");
        assert_eq!(
            out.stdout,
            "iacfix: s3-bucket-replication-config: Use aws.s3.BucketReplicationConfig, the \
             replication resource the AWS provider has\n  safe · 1 fix · The AWS provider has no \
             `BucketReplication` resource: TypeScript fails to compile (`Property \
             'BucketReplication' does not exist`) and Python fails with `AttributeError` before \
             any resource is registered.\n\
             --- a/index.ts\n+++ b/index.ts\n@@ -1,6 +1,6 @@\n import * as aws from \"@pulumi/aws\";\n \n\
             -const replication = new aws.s3.BucketReplication(\"replication\", {\n\
             +const replication = new aws.s3.BucketReplicationConfig(\"replication\", {\n     \
             role: role.arn,\n     bucket: source.id,\n     rules: [{ status: \"Enabled\", \
             destination: { bucket: replica.arn } }],\nWould fix 1 finding in 1 file.\n"
        );
        assert_eq!(project.read("index.ts"), BROKEN_TS);
    }
}

#[test]
fn apply_writes_the_fix_and_a_second_run_changes_nothing() {
    let project = Project::new();
    project
        .file("index.ts", BROKEN_TS)
        .file("app/__main__.py", BROKEN_PY);
    let out = project.iacfix(&["apply"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        out.stdout,
        "fixed app/__main__.py (s3-bucket-replication-config ×1)\n\
         fixed index.ts (s3-bucket-replication-config ×1)\n\
         Fixed 2 findings in 2 files.\n"
    );
    assert_eq!(project.read("index.ts"), FIXED_TS);
    assert_eq!(project.read("app/__main__.py"), FIXED_PY);

    let again = project.iacfix(&["apply"]);
    assert_eq!(again.code, 0, "{again:?}");
    assert_eq!(again.stdout, "Fixed 0 findings in 0 files.\n");
    assert_eq!(project.read("index.ts"), FIXED_TS);
}

#[test]
fn the_bundled_example_is_fixed_and_stays_fixed() {
    let project = Project::new();
    project.copy_from_repo("tests/examples", "examples");
    // Safe fixes only: the unsafe ones remain, and say how to apply them.
    let out = project.iacfix(&["apply", "examples"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stdout.contains("fixable with --unsafe)."), "{out:?}");
    assert!(project.read("examples/broken-typescript/index.ts").contains(
        "new aws.s3.BucketReplicationConfig(`trading-archive-replication-${environmentSuffix}`"
    ));
    assert!(
        project
            .read("examples/broken-typescript/index.ts")
            .contains("masterPassword: \"Tr4d1ng-Pa55w0rd\"")
    );

    let out = project.iacfix(&["apply", "--unsafe", "examples"]);
    assert_eq!(out.code, 0, "{out:?}");
    let typescript = project.read("examples/broken-typescript/index.ts");
    assert!(
        typescript.contains("name: `tradingdb-${environmentSuffix}.test.local`"),
        "{typescript}"
    );
    assert!(
        typescript.contains("masterPassword: clusterPassword.result,"),
        "{typescript}"
    );
    assert!(!typescript.contains("Tr4d1ng-Pa55w0rd"), "{typescript}");
    assert!(
        project
            .read("examples/broken-typescript/package.json")
            .contains("\"@pulumi/random\": \"^4.0.0\"")
    );
    let python = project.read("examples/broken-python/__main__.py");
    assert!(python.contains("encryption_configuration=aws.s3.BucketReplicationConfigRuleDestinationEncryptionConfigurationArgs(replica_kms_key_id=replica_key.arn),"), "{python}");
    assert!(
        python.contains("master_password=warehouse_password.result,"),
        "{python}"
    );
    assert!(
        project
            .read("examples/broken-python/requirements.txt")
            .contains("pulumi-random>=4.0.0,<5.0.0")
    );
    // The secrets never reached the terminal.
    assert!(
        !out.stdout.contains("Tr4d1ng-Pa55w0rd") && !out.stdout.contains("An4lyt1cs-Pa55"),
        "{out:?}"
    );

    let check = project.iacfix(&["check", "examples"]);
    assert_eq!(check.code, 0, "{check:?}");
    let again = project.iacfix(&["apply", "--unsafe", "examples"]);
    assert_eq!(again.stdout, "Fixed 0 findings in 0 files.\n", "{again:?}");
}

#[test]
fn unsafe_fixes_need_the_flag_and_manual_codemods_are_never_applied() {
    let project = Project::new();
    project
        .file("codemods/rename-unsafe.yaml", rename_codemod("unsafe"))
        .file(
            "manual/rename-manual.yaml",
            rename_codemod("manual").replace("newName", "other"),
        )
        .file("src/index.ts", "const oldName = 1;\n");

    let out = project.iacfix(&["apply", "src", "--codemods", "codemods"]);
    assert_eq!(out.code, 1, "the finding remains: {out:?}");
    assert!(
        out.stdout
            .contains("src/index.ts:1:7: rename-unsafe `oldName` is called `newName` now\n"),
        "{out:?}"
    );
    assert!(
        out.stdout.ends_with(
            "Fixed 0 findings in 0 files; 1 finding remain (1 fixable with --unsafe).\n"
        ),
        "{out:?}"
    );
    assert_eq!(project.read("src/index.ts"), "const oldName = 1;\n");

    let out = project.iacfix(&["apply", "src", "--codemods", "manual"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(project.read("src/index.ts"), "const oldName = 1;\n");

    let out = project.iacfix(&["apply", "--unsafe", "src", "--codemods", "codemods"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(project.read("src/index.ts"), "const newName = 1;\n");
}

#[test]
fn select_and_ignore_choose_codemods() {
    let project = Project::new();
    project.file("index.ts", BROKEN_TS);
    let out = project.iacfix(&["check", "--ignore", "s3-bucket-replication-config"]);
    assert_eq!(out.code, 0, "{out:?}");
    let out = project.iacfix(&["check", "--select", "s3-bucket-replication-config"]);
    assert_eq!(out.code, 1, "{out:?}");
    let out = project.iacfix(&["check", "--select", "s3-bucket-replication"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert_eq!(
        out.stderr,
        "error: unknown codemod `s3-bucket-replication` in --select; did you mean \
         `s3-bucket-replication-config`?\n"
    );
}

#[test]
fn gitignored_files_are_skipped_unless_named() {
    let project = Project::new();
    project.git(&["init", "-q"]);
    project
        .file(".gitignore", "generated/\n")
        .file("generated/index.ts", BROKEN_TS)
        .file("node_modules/@pulumi/x/index.ts", BROKEN_TS)
        .file(".hidden/index.ts", BROKEN_TS)
        .file("src/index.ts", BROKEN_TS);
    let out = project.iacfix(&["check"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stdout.starts_with("src/index.ts:3:32: "), "{out:?}");
    assert!(
        out.stdout
            .ends_with("Found 1 finding in 1 of 1 file (1 fixable with `iacfix apply`).\n"),
        "{out:?}"
    );

    // A file given by name is processed even where the walk would skip it (as ripgrep does).
    let out = project.iacfix(&["check", "generated/index.ts"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stdout.starts_with("generated/index.ts:3:32: "),
        "{out:?}"
    );
}

#[test]
fn output_is_the_same_with_one_and_four_jobs() {
    let project = Project::new();
    for i in 0..60 {
        let dir = format!("stack-{:02}", (i * 37) % 60);
        if i % 3 == 0 {
            project.file(&format!("{dir}/__main__.py"), BROKEN_PY);
        } else {
            project.file(&format!("{dir}/index.ts"), BROKEN_TS);
        }
        project.file(&format!("{dir}/clean.ts"), FIXED_TS);
    }
    for command in [&["check"][..], &["apply", "--dry-run"][..]] {
        let one = project.iacfix(&[command, &["--jobs", "1"]].concat());
        let four = project.iacfix(&[command, &["--jobs", "4"]].concat());
        assert_eq!(one.code, 1);
        assert_eq!(one.stdout, four.stdout, "{command:?}");
        assert!(one.stdout.lines().count() >= 60, "{one:?}");
        // Sorted by path.
        let paths: Vec<&str> = one
            .stdout
            .lines()
            .filter(|l| l.starts_with("stack-"))
            .collect();
        let mut sorted = paths.clone();
        sorted.sort();
        assert_eq!(paths, sorted);
    }
}

#[test]
fn list_prints_the_catalogue() {
    let out = run_in(&repo_path("."), &["list"]);
    assert_eq!(out.code, 0, "{out:?}");
    let mut lines = out.stdout.lines();
    assert_eq!(
        lines.next().unwrap().split_whitespace().collect::<Vec<_>>(),
        ["ID", "LANGUAGES", "SEVERITY", "FIX", "TITLE"]
    );
    let row: Vec<Vec<&str>> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("s3-bucket-replication-config "))
        .map(|l| l.split_whitespace().take(5).collect())
        .collect();
    assert_eq!(
        row,
        [[
            "s3-bucket-replication-config",
            "typescript,tsx,javascript,python",
            "deploy-blocker",
            "safe",
            "Use"
        ]],
        "{}",
        out.stdout
    );
}

#[test]
fn explain_shows_the_docs_under_fixed_headings() {
    let out = run_in(
        &repo_path("."),
        &["explain", "s3-bucket-replication-config"],
    );
    assert_eq!(out.code, 0, "{out:?}");
    let headings: Vec<&str> = out.stdout.lines().filter(|l| l.starts_with('#')).collect();
    assert_eq!(
        headings,
        [
            "# s3-bucket-replication-config: Use aws.s3.BucketReplicationConfig, the replication resource the AWS provider has",
            "## What it does",
            "## Why",
            "## Example",
            "## Fix safety",
            "## References",
        ]
    );
    assert!(out.stdout.contains("```typescript\nimport * as aws"));
    assert!(out.stdout.contains("After `iacfix apply`:\n\n```python\nimport pulumi_aws as aws\n\nsource = aws.s3.Bucket(\"source\")"));

    let out = run_in(&repo_path("."), &["explain", "s3-bucket-replicaton-config"]);
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        "error: unknown codemod `s3-bucket-replicaton-config`; did you mean \
         `s3-bucket-replication-config`?\n"
    );
}

#[test]
fn test_runs_the_builtin_catalogue() {
    let out = run_in(&repo_path("."), &["test"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.contains("ok    s3-bucket-replication-config ("),
        "{out:?}"
    );
    assert!(out.stdout.ends_with(" passed, 0 failed.\n"), "{out:?}");
}

#[test]
fn test_runs_a_user_catalogue_with_snapshots() {
    let project = Project::new();
    project.file("my/codemods/rename-old-name.yaml", rename_codemod("safe"));

    // No snapshot yet: the run fails and says how to accept one.
    let out = project.iacfix(&["test", "--codemods", "my/codemods"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stdout
            .contains("no snapshot at my/snapshots/rename-old-name.snap"),
        "{out:?}"
    );

    let out = project.iacfix(&["test", "--codemods", "my/codemods", "--update"]);
    assert_eq!(out.code, 0, "{out:?}");
    let snapshot = project.read("my/snapshots/rename-old-name.snap");
    assert!(snapshot.contains("=== renames (typescript, fixed)\nfindings:\n  1:7-1:14 [safe fix] `oldName` is called `newName` now\n--- index.ts\n+++ index.ts\n@@ -1 +1 @@\n-const oldName = 1;\n+const newName = 1;\n"), "{snapshot}");
    let out = project.iacfix(&["test", "--codemods", "my/codemods"]);
    assert_eq!(out.code, 0, "{out:?}");

    // A codemod whose behaviour changed no longer matches its snapshot.
    project.file(
        "my/codemods/rename-old-name.yaml",
        rename_codemod("safe").replace("`oldName` is called", "`oldName` is named"),
    );
    let out = project.iacfix(&["test", "--codemods", "my/codemods"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stdout.contains("-  1:7-1:14 [safe fix] `oldName` is called `newName` now\n    +  1:7-1:14 [safe fix] `oldName` is named `newName` now"), "{out:?}");

    // An orphaned snapshot fails, and --update deletes it.
    project.file("my/snapshots/gone.snap", "---\nsource: x\n---\nold\n");
    let out = project.iacfix(&["test", "--codemods", "my/codemods", "--update"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!project.path("my/snapshots/gone.snap").exists());
}

#[test]
fn test_reports_failing_cases_with_their_position() {
    let project = Project::new();
    project.file(
        "codemods/rename-old-name.yaml",
        rename_codemod("safe").replace(
            "output: \"const newName = 1;\\n\"",
            "output: \"const newname = 1;\\n\"",
        ),
    );
    let out = project.iacfix(&["test", "--codemods", "codemods", "--update"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stdout.contains(
        "FAIL  rename-old-name (2 cases)\n  codemods/rename-old-name.yaml:17: case `renames` (typescript): the fixed text differs from `output` (- expected, + actual):"
    ), "{out:?}");
    assert!(
        out.stdout
            .contains("-const newname = 1;\n    +const newName = 1;"),
        "{out:?}"
    );
}

#[test]
fn main_with_args_runs_in_process() {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let code = iacfix::main_with_args(["iacfix", "list"], &mut out, &mut err);
    assert_eq!(code, std::process::ExitCode::SUCCESS);
    assert!(
        String::from_utf8(out)
            .unwrap()
            .contains("s3-bucket-replication-config")
    );

    let mut out = Vec::new();
    let mut err = Vec::new();
    let code = iacfix::main_with_args(["iacfix", "frobnicate"], &mut out, &mut err);
    assert_eq!(code, std::process::ExitCode::from(2));
    assert!(
        String::from_utf8(err)
            .unwrap()
            .contains("unrecognized subcommand 'frobnicate'")
    );
}

#[test]
fn test_with_select_keeps_the_other_snapshots() {
    let project = Project::new();
    project
        .file("codemods/rename-a.yaml", rename_codemod("safe"))
        .file("codemods/rename-b.yaml", rename_codemod("unsafe"));
    let out = project.iacfix(&["test", "--codemods", "codemods", "--update"]);
    assert_eq!(out.code, 0, "{out:?}");
    let out = project.iacfix(&[
        "test",
        "--codemods",
        "codemods",
        "--select",
        "rename-a",
        "--update",
    ]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        out.stdout,
        "ok    rename-a (2 cases)\n\n1 codemod: 1 passed, 0 failed.\n"
    );
    assert!(project.path("snapshots/rename-b.snap").exists());
}

#[test]
fn the_readme_codemod_example_works() {
    let readme = std::fs::read_to_string(repo_path("README.md")).unwrap();
    let start = readme
        .find("# my-codemods/rename-old-name.yaml\n")
        .expect("the README has the example codemod");
    let end = start + readme[start..].find("```").unwrap();
    let project = Project::new();
    project
        .file("my-codemods/rename-old-name.yaml", &readme[start..end])
        .file("src/app.py", "oldName = 1\n");
    let out = project.iacfix(&["test", "--codemods", "my-codemods", "--update"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(project.path("snapshots/rename-old-name.snap").exists());
    let out = project.iacfix(&["apply", "--codemods", "my-codemods", "src"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(project.read("src/app.py"), "newName = 1\n");
}

const PASSWORD_TS: &str = r#"import * as aws from "@pulumi/aws";

export const db = new aws.rds.Cluster("orders", {
    engine: "aurora-postgresql",
    masterUsername: "app",
    masterPassword: "hunter2-but-longer",
});
export const replication = new aws.s3.BucketReplication("r", { role: "arn", bucket: "b", rules: [] });
"#;

#[test]
fn secrets_are_masked_in_every_terminal_output() {
    let project = Project::new();
    project
        .file("Pulumi.yaml", "name: p\nruntime: nodejs\n")
        .file(
            "package.json",
            "{\n  \"dependencies\": {\n    \"@pulumi/aws\": \"^7.0.0\"\n  }\n}\n",
        )
        .file("index.ts", PASSWORD_TS);
    for args in [
        &["check"][..],
        &["apply", "--dry-run", "--unsafe"][..],
        &["apply", "--dry-run"][..],
    ] {
        let out = project.iacfix(args);
        assert_eq!(out.code, 1, "{args:?}: {out:?}");
        assert!(
            !out.stdout.contains("hunter2") && !out.stderr.contains("hunter2"),
            "{args:?}: {out:?}"
        );
    }
    let diff = project.iacfix(&["apply", "--dry-run", "--unsafe"]);
    assert!(
        diff.stdout.contains(
            "-    masterPassword: \"********\",\n+    masterPassword: ordersPassword.result,"
        ) || diff.stdout.contains(
            "-    masterPassword: \"********\",\n+    masterPassword: dbPassword.result,"
        ),
        "{diff:?}"
    );
    assert!(
        diff.stdout.contains("+    \"@pulumi/random\": \"^4.0.0\""),
        "{diff:?}"
    );

    let out = project.iacfix(&["apply", "--unsafe"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!out.stdout.contains("hunter2"), "{out:?}");
    assert!(!project.read("index.ts").contains("hunter2"));
}

#[test]
fn a_dependency_that_cannot_be_declared_drops_only_that_codemod() {
    let project = Project::new();
    project
        .file("Pulumi.yaml", "name: p\nruntime: nodejs\n")
        .file("package.json", "{ this is not json")
        .file("index.ts", PASSWORD_TS);
    let out = project.iacfix(&["apply", "--unsafe"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains(
            "error: index.ts: some fixes were not applied: `hardcoded-db-password` needs \
             `@pulumi/random` declared in package.json: package.json is not a JSON object"
        ),
        "{out:?}"
    );
    let text = project.read("index.ts");
    // The other codemod's fix is applied; the password codemod's is not (nor half of it).
    assert!(
        text.contains("new aws.s3.BucketReplicationConfig(\"r\""),
        "{text}"
    );
    assert!(
        text.contains("masterPassword: \"hunter2-but-longer\""),
        "{text}"
    );
    assert!(!text.contains("@pulumi/random"), "{text}");
    assert_eq!(project.read("package.json"), "{ this is not json");
}

#[test]
fn options_change_what_a_codemod_writes() {
    let project = Project::new();
    project.file(
        "index.ts",
        "import * as aws from \"@pulumi/aws\";\nexport const z = new aws.route53.Zone(\"z\", { name: \"db.example.com\" });\n",
    );
    let out = project.iacfix(&[
        "apply",
        "--dry-run",
        "--option",
        "route53-reserved-domain.domain=corp.internal",
    ]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stdout.contains(
            "+export const z = new aws.route53.Zone(\"z\", { name: \"db.corp.internal\" });"
        ),
        "{out:?}"
    );

    let out = project.iacfix(&[
        "check",
        "--option",
        "route53-reserved-domain.domain=Not A Domain",
    ]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .contains("option `domain`: `Not A Domain` does not match"),
        "{out:?}"
    );
    let out = project.iacfix(&["check", "--option", "route53-reserved-domain.zone=x"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .contains("the codemod has no option `zone`\n  help: its options are: domain"),
        "{out:?}"
    );
    let out = project.iacfix(&["check", "--option", "no-such-codemod.domain=x"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .contains("no codemod `no-such-codemod` to set options of"),
        "{out:?}"
    );
    let out = project.iacfix(&["check", "--option", "nonsense"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .contains("is not of the form `<codemod-id>.<name>=<value>`"),
        "{out:?}"
    );
}

/// A codemod's file conditions and vars see the program's files on disk (relative to the
/// directory of its Pulumi.yaml, `node_modules` skipped).
#[test]
fn file_conditions_see_the_program_files_on_disk() {
    let project = Project::new();
    project
        .file(
            "codemods/main-entry.yaml",
            r#"title: Point main at the program
severity: deploy-blocker
applicability: safe
since: 0.1.0
message: "`main: $MAIN` does not exist"
docs: { whatItDoes: x, why: y, fixSafety: z }
rules:
  - languages: [yaml]
    rule:
      kind: flow_node
      pattern: $MAIN
      inside: { kind: block_mapping_pair, field: value, has: { field: key, regex: ^main$ } }
    conditions:
      - missingFile: $MAIN
    vars:
      - name: $ENTRY
        file: { among: ["**/*.ts"] }
    effects:
      - replace: { with: $ENTRY }
tests:
  - name: fixed
    language: yaml
    path: Pulumi.yaml
    example: true
    input: "main: a.ts\n"
    output: "main: b.ts\n"
    files: { b.ts: { input: "export {};\n" } }
  - name: exists
    language: yaml
    path: Pulumi.yaml
    input: "main: b.ts\n"
    files: { b.ts: { input: "export {};\n" } }
    expect: unchanged
"#,
        )
        .file(
            "infra/Pulumi.yaml",
            "name: tap\nruntime: nodejs\nmain: src/index.ts\n",
        )
        .file("infra/bin/tap.ts", "export {};\n")
        .file("infra/node_modules/pkg/index.ts", "export {};\n");
    let out = project.iacfix(&[
        "apply",
        "--isolated",
        "--codemods",
        "codemods",
        "--select",
        "main-entry",
        "infra",
    ]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        project.read("infra/Pulumi.yaml"),
        "name: tap\nruntime: nodejs\nmain: bin/tap.ts\n"
    );
    // Once it exists, nothing to do.
    let again = project.iacfix(&["check", "--isolated", "--codemods", "codemods", "infra"]);
    assert!(!again.stdout.contains("main-entry"), "{again:?}");
}
