//! The git-aware applier on real repositories, checked with the `git` command line.

use crate::util::{Output, Project, run_with};

/// A repository with the bundled examples committed, an identity in its config, and nothing
/// from the user's own git configuration.
fn repo() -> Project {
    let project = Project::new();
    project.copy_from_repo("tests/examples", "examples");
    project.git(&["init", "-q", "-b", "main"]);
    project.git(&["config", "user.name", "Ada Lovelace"]);
    project.git(&["config", "user.email", "ada@example.org"]);
    project.git(&["add", "."]);
    project.git(&["commit", "-q", "-m", "Initial"]);
    project
}

/// Runs iacfix with no global git configuration (HOME is an empty directory).
fn iacfix(project: &Project, args: &[&str]) -> Output {
    iacfix_input(project, args, None)
}

/// The codemods these tests apply: the applier is tested on a fixed set, so the findings and
/// commits they expect do not change as the catalogue grows.
const CODEMODS: &str =
    "vpc-flow-logs,s3-bucket-replication-config,route53-reserved-domain,hardcoded-db-password";

fn iacfix_input(project: &Project, args: &[&str], stdin: Option<&str>) -> Output {
    let mut args = args.to_vec();
    if args.first() == Some(&"apply") && !args.contains(&"--select") {
        args.splice(1..1, ["--select", CODEMODS]);
    }
    let args = args.as_slice();
    let home = project.path(".home");
    std::fs::create_dir_all(&home).unwrap();
    let home = home.to_str().unwrap().to_owned();
    run_with(
        project.root(),
        args,
        &[
            ("HOME", &home),
            ("XDG_CONFIG_HOME", &home),
            ("GIT_CONFIG_NOSYSTEM", "1"),
        ],
        stdin,
    )
}

fn subjects(project: &Project) -> Vec<String> {
    project
        .git(&["log", "--format=%s", "main"])
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn commit_makes_one_readable_commit_per_codemod_in_catalogue_order() {
    let project = repo();
    std::fs::write(project.path(".gitignore"), ".home/\n").unwrap();
    project.git(&["add", ".gitignore"]);
    project.git(&["commit", "-q", "-m", "Ignore the test home"]);
    let out = iacfix(&project, &["apply", "--unsafe", "--commit", "examples"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        subjects(&project),
        [
            "iacfix: vpc-flow-logs: Give every VPC flow logs to CloudWatch Logs",
            "iacfix: s3-bucket-replication-config: Use aws.s3.BucketReplicationConfig, the replication resource the AWS provider has",
            "iacfix: route53-reserved-domain: Name Route 53 zones on a domain AWS lets you create, not a reserved example domain",
            "iacfix: hardcoded-db-password: Generate database passwords with random.RandomPassword instead of writing them in the code",
            "Ignore the test home",
            "Initial",
        ]
    );
    // Each commit holds its codemod's files only, with trailers and the author from git config.
    let password = project.git(&["show", "--stat", "--format=%an <%ae>%n%B", "HEAD~3"]);
    assert!(
        password.starts_with("Ada Lovelace <ada@example.org>\niacfix: hardcoded-db-password:"),
        "{password}"
    );
    assert!(
        password.contains("\nIacfix-Codemod: hardcoded-db-password\nIacfix-Version: 0.1.0\n"),
        "{password}"
    );
    assert!(password.contains("Files changed:\n- examples/broken-python/__main__.py\n- examples/broken-python/requirements.txt\n- examples/broken-typescript/index.ts\n- examples/broken-typescript/package.json\n"), "{password}");
    assert!(password.contains(" 4 files changed,"), "{password}");
    let trailers = project.git(&[
        "log",
        "--format=%(trailers:key=Iacfix-Codemod,valueonly)",
        "-4",
    ]);
    assert_eq!(
        trailers.split_whitespace().collect::<Vec<_>>(),
        [
            "vpc-flow-logs",
            "s3-bucket-replication-config",
            "route53-reserved-domain",
            "hardcoded-db-password"
        ]
    );
    // The work tree and the index match the last commit; the repository is sound.
    assert_eq!(project.git(&["status", "--porcelain"]), "");
    project.git(&["fsck", "--strict"]);
    assert!(
        out.stdout
            .contains("] iacfix: vpc-flow-logs: Give every VPC flow logs to CloudWatch Logs\n"),
        "{out:?}"
    );

    // Running again makes no commit.
    let again = iacfix(&project, &["apply", "--unsafe", "--commit", "examples"]);
    assert_eq!(again.code, 0, "{again:?}");
    assert_eq!(subjects(&project).len(), 6);
}

#[test]
fn branch_is_created_refused_or_reused() {
    let project = repo();
    project.file(".git/info/exclude", ".home/\n");
    let out = iacfix(&project, &["apply", "--branch", "iacfix/fixes", "examples"]);
    assert_eq!(out.code, 1, "unsafe findings remain: {out:?}");
    assert!(
        out.stdout
            .starts_with("switched to a new branch `iacfix/fixes`\n"),
        "{out:?}"
    );
    assert_eq!(
        project.git(&["rev-parse", "--abbrev-ref", "HEAD"]).trim(),
        "iacfix/fixes"
    );
    assert_eq!(subjects(&project), ["Initial"], "main is untouched");
    let on_branch = project.git(&["log", "--format=%s", "iacfix/fixes"]);
    assert_eq!(on_branch.lines().count(), 3, "{on_branch}");

    project.git(&["checkout", "-q", "main"]);
    let out = iacfix(&project, &["apply", "--branch", "iacfix/fixes", "examples"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("branch `iacfix/fixes` already exists"),
        "{out:?}"
    );
    assert_eq!(
        project.git(&["rev-parse", "--abbrev-ref", "HEAD"]).trim(),
        "main"
    );

    // Reused: it already has the fixes, so no new commit.
    let out = iacfix(
        &project,
        &[
            "apply",
            "--branch",
            "iacfix/fixes",
            "--branch-exists",
            "reuse",
            "examples",
        ],
    );
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stdout
            .starts_with("switched to branch `iacfix/fixes`\n"),
        "{out:?}"
    );
    assert_eq!(
        project
            .git(&["log", "--format=%s", "iacfix/fixes"])
            .lines()
            .count(),
        3
    );
    assert_eq!(project.git(&["status", "--porcelain"]), "");
}

#[test]
fn a_dirty_tree_is_refused_unless_allowed_and_dry_runs_never_mind() {
    let project = repo();
    project.file(".git/info/exclude", ".home/\n");
    let before = project.read("examples/broken-typescript/index.ts");
    project.file(
        "examples/broken-python/Pulumi.yaml",
        "name: edited\nruntime: python\n",
    );
    let out = iacfix(&project, &["apply", "examples"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains(
            "has uncommitted changes to tracked files:\n  examples/broken-python/Pulumi.yaml\n"
        ),
        "{out:?}"
    );
    assert_eq!(
        project.read("examples/broken-typescript/index.ts"),
        before,
        "nothing was written"
    );

    let dry = iacfix(&project, &["apply", "--dry-run", "examples"]);
    assert_eq!(dry.code, 1, "{dry:?}");
    let allowed = iacfix(&project, &["apply", "--allow-dirty", "examples"]);
    assert_eq!(allowed.code, 1, "{allowed:?}");
    assert_ne!(project.read("examples/broken-typescript/index.ts"), before);
}

#[test]
fn the_users_staged_and_untracked_files_stay_out_of_the_commits() {
    let project = repo();
    project.file(".git/info/exclude", ".home/\n");
    project.file("notes.md", "staged by the user\n");
    project.git(&["add", "notes.md"]);
    project.file("scratch.txt", "untracked\n");
    let out = iacfix(
        &project,
        &["apply", "--commit", "--allow-dirty", "examples"],
    );
    assert_eq!(out.code, 1, "{out:?}");
    let files = project.git(&["log", "--format=", "--name-only", "-2"]);
    assert!(
        !files.contains("notes.md") && !files.contains("scratch.txt"),
        "{files}"
    );
    assert_eq!(
        project.git(&["diff", "--cached", "--name-only"]),
        "notes.md\n"
    );
    assert_eq!(
        project.git(&["status", "--porcelain"]),
        "A  notes.md\n?? scratch.txt\n"
    );
}

#[test]
fn a_patch_applies_with_git_apply_and_git_am_on_a_fresh_clone() {
    let project = repo();
    project.file(".git/info/exclude", ".home/\n");
    let out = iacfix(
        &project,
        &["apply", "--unsafe", "--patch", "../fixes.patch", "examples"],
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stderr.contains("wrote 4 patches to ../fixes.patch"),
        "{out:?}"
    );
    assert!(
        out.stderr
            .contains("warning: the patch contains 2 secrets in clear text"),
        "{out:?}"
    );
    assert_eq!(
        project.git(&["status", "--porcelain"]),
        "",
        "the tree is untouched"
    );
    let patch =
        std::fs::read_to_string(project.root().parent().unwrap().join("fixes.patch")).unwrap();
    std::fs::remove_file(project.root().parent().unwrap().join("fixes.patch")).unwrap();
    assert!(patch.starts_with("From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\nFrom: Ada Lovelace <ada@example.org>\n"), "{patch}");
    assert!(
        patch.contains("Subject: [PATCH 1/4] iacfix: hardcoded-db-password:"),
        "{patch}"
    );
    assert!(
        patch.contains("Tr4d1ng-Pa55w0rd"),
        "a patch carries the real bytes"
    );

    let clone = Project::new();
    clone.git(&["clone", "-q", project.root().to_str().unwrap(), "."]);
    clone.git(&["config", "user.name", "Reviewer"]);
    clone.git(&["config", "user.email", "reviewer@example.org"]);
    clone.file("../fixes.patch", &patch);
    let patch_path = clone.root().parent().unwrap().join("fixes.patch");
    let patch_path = patch_path.to_str().unwrap();
    clone.git(&["apply", "--check", patch_path]);
    clone.git(&["am", "-q", patch_path]);
    assert_eq!(clone.git(&["log", "--format=%s"]).lines().count(), 5);
    // The same result as applying directly.
    let direct = iacfix(&project, &["apply", "--unsafe", "examples"]);
    assert_eq!(direct.code, 0, "{direct:?}");
    for file in [
        "examples/broken-typescript/index.ts",
        "examples/broken-python/__main__.py",
        "examples/broken-typescript/package.json",
    ] {
        assert_eq!(clone.read(file), project.read(file), "{file}");
    }
    let _ = std::fs::remove_file(patch_path);
}

#[test]
fn a_patch_can_go_to_standard_output() {
    let project = repo();
    let out = iacfix(
        &project,
        &[
            "apply",
            "--patch",
            "-",
            "--select",
            "s3-bucket-replication-config",
            "examples/broken-typescript",
        ],
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout
            .starts_with("From 0000000000000000000000000000000000000000"),
        "{out:?}"
    );
    assert!(
        out.stdout
            .contains("Subject: [PATCH] iacfix: s3-bucket-replication-config:"),
        "{out:?}"
    );
    assert!(out.stdout.contains("diff --git a/examples/broken-typescript/index.ts b/examples/broken-typescript/index.ts\nindex "), "{out:?}");
    assert!(
        out.stderr.contains("The patch fixes 2 findings in 1 file."),
        "{out:?}"
    );
}

#[test]
fn commit_outside_a_repository_or_without_an_identity_is_a_clear_error() {
    let project = Project::new();
    project.copy_from_repo("tests/examples", "examples");
    let before = project.read("examples/broken-typescript/index.ts");
    let out = iacfix(&project, &["apply", "--commit", "examples"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .contains("examples is not in a git repository: --commit and --branch need one"),
        "{out:?}"
    );
    // Without --commit, writing outside git works.
    let out = iacfix(&project, &["apply", "examples"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert_ne!(project.read("examples/broken-typescript/index.ts"), before);

    let project = Project::new();
    project.copy_from_repo("tests/examples", "examples");
    project.git(&["init", "-q"]);
    project.file(".git/info/exclude", ".home/\n");
    project.git(&["add", "."]);
    project.git(&[
        "-c",
        "user.name=x",
        "-c",
        "user.email=x@y",
        "commit",
        "-q",
        "-m",
        "Initial",
    ]);
    let before = project.read("examples/broken-typescript/index.ts");
    let out = iacfix(&project, &["apply", "--commit", "examples"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .contains("git has no author: set `user.name` and `user.email`"),
        "{out:?}"
    );
    assert_eq!(
        project.read("examples/broken-typescript/index.ts"),
        before,
        "nothing was written"
    );
    let out = iacfix(
        &project,
        &[
            "apply",
            "--commit",
            "--author",
            "Bot <bot@example.org>",
            "examples",
        ],
    );
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(
        project.git(&["log", "-1", "--format=%an <%ae>"]).trim(),
        "Bot <bot@example.org>"
    );
}

#[test]
fn line_endings_byte_order_marks_and_the_executable_bit_survive() {
    let project = repo();
    project.file(".git/info/exclude", ".home/\n");
    let crlf = "\u{feff}import * as aws from \"@pulumi/aws\";\r\n\r\nexport const vpc = new aws.ec2.Vpc(\"vpc\", { cidrBlock: \"10.0.0.0/16\" });\r\nexport const r = new aws.s3.BucketReplication(\"r\", { role: \"a\", bucket: \"b\", rules: [] });\r\n";
    project.file("crlf/index.ts", crlf);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            project.path("crlf/index.ts"),
            std::fs::Permissions::from_mode(0o755),
        )
        .unwrap();
    }
    project.git(&["add", "crlf"]);
    project.git(&["commit", "-q", "-m", "CRLF"]);
    let out = iacfix(&project, &["apply", "--unsafe", "--commit", "crlf"]);
    assert_eq!(out.code, 0, "{out:?}");
    let bytes = project.read_bytes("crlf/index.ts");
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(
        text.starts_with("\u{feff}import * as aws"),
        "the BOM is kept"
    );
    assert!(
        text.contains("new aws.s3.BucketReplicationConfig(\"r\""),
        "{text}"
    );
    assert!(text.contains("const vpcFlowLogGroup"), "{text}");
    let bare = text.replace("\r\n", "");
    assert!(!bare.contains('\n'), "every line ends with CRLF:\n{text:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(project.path("crlf/index.ts"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o755);
        assert!(
            project
                .git(&["ls-tree", "HEAD", "crlf/index.ts"])
                .starts_with("100755 ")
        );
    }
    assert_eq!(project.git(&["status", "--porcelain"]), "");
}

#[test]
fn nothing_is_written_outside_the_paths_given() {
    let project = Project::new();
    project
        .file("Pulumi.yaml", "name: p\nruntime: nodejs\n")
        .file("package.json", "{\n  \"dependencies\": {}\n}\n")
        .file(
            "src/index.ts",
            "import * as aws from \"@pulumi/aws\";\nexport const db = new aws.rds.Cluster(\"db\", { masterUsername: \"a\", masterPassword: \"secret-value-1\" });\nexport const r = new aws.s3.BucketReplication(\"r\", { role: \"a\", bucket: \"b\", rules: [] });\n",
        );
    let out = iacfix(&project, &["apply", "--unsafe", "src"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("`hardcoded-db-password` needs `@pulumi/random` declared in package.json, which is outside the paths given"), "{out:?}");
    assert_eq!(
        project.read("package.json"),
        "{\n  \"dependencies\": {}\n}\n"
    );
    let text = project.read("src/index.ts");
    assert!(
        text.contains("BucketReplicationConfig") && text.contains("secret-value-1"),
        "{text}"
    );
}

#[test]
fn interactive_asks_per_codemod_and_file() {
    let project = repo();
    project.file(".git/info/exclude", ".home/\n");
    // Four safe changes in catalogue order: route53 (py, ts), then s3 (py, ts). Yes, no, no, yes.
    let out = iacfix_input(
        &project,
        &["apply", "--interactive", "examples"],
        Some("y\nn\nwhat\nn\ny\n"),
    );
    assert_eq!(out.stderr.matches("[y,n,a,q,?]").count(), 5, "{out:?}");
    assert!(out.stderr.contains("y - apply this change"), "{out:?}");
    let python = project.read("examples/broken-python/__main__.py");
    let typescript = project.read("examples/broken-typescript/index.ts");
    assert!(
        python.contains(".test.local\"") && python.contains("aws.s3.BucketReplication("),
        "{python}"
    );
    assert!(
        typescript.contains(".example.com`") && typescript.contains("BucketReplicationConfig"),
        "{typescript}"
    );

    // `q` stops asking and applies nothing more; `a` applies everything left.
    let project = repo();
    project.file(".git/info/exclude", ".home/\n");
    let out = iacfix_input(
        &project,
        &["apply", "--interactive", "examples"],
        Some("a\n"),
    );
    assert_eq!(out.stderr.matches("[y,n,a,q,?]").count(), 1, "{out:?}");
    assert!(
        project
            .read("examples/broken-typescript/index.ts")
            .contains("BucketReplicationConfig")
    );
    let project = repo();
    project.file(".git/info/exclude", ".home/\n");
    let out = iacfix_input(
        &project,
        &["apply", "--interactive", "examples"],
        Some("q\n"),
    );
    assert_eq!(
        out.stdout.lines().last(),
        Some("Fixed 0 findings in 0 files; 11 findings remain (4 fixable with --unsafe)."),
        "{out:?}"
    );
    assert_eq!(project.git(&["status", "--porcelain"]), "");
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let project = repo();
    let always = iacfix(
        &project,
        &["apply", "--dry-run", "--color", "always", "examples"],
    );
    assert!(always.stdout.contains("\u{1b}["), "{always:?}");
    let never = iacfix(
        &project,
        &["apply", "--dry-run", "--color", "never", "examples"],
    );
    assert!(!never.stdout.contains('\u{1b}'), "{never:?}");
    // Not a terminal: plain by default.
    let auto = iacfix(&project, &["apply", "--dry-run", "examples"]);
    assert!(!auto.stdout.contains('\u{1b}'), "{auto:?}");
    assert_eq!(never.stdout, auto.stdout);
}
