//! Bad input gets a clear message naming the file (and position), loses no data, and never stops
//! the rest of the run; a bad catalogue stops the run before anything is written.

use crate::util::Project;

const BROKEN_TS: &str = "const r = new aws.s3.BucketReplication(\"r\", {});\n";
const FIXED_TS: &str = "const r = new aws.s3.BucketReplicationConfig(\"r\", {});\n";

#[test]
fn an_unparsable_file_is_reported_and_left_alone_while_others_are_fixed() {
    let project = Project::new();
    let unparsable = "const r = new aws.s3.BucketReplication(\"r\", {;\nconst x = ;\n";
    project
        .file("a/bad.ts", unparsable)
        .file("b/good.ts", BROKEN_TS);

    let out = project.iacfix(&["check"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.starts_with("error: a/bad.ts:1:"), "{out:?}");
    assert!(out.stderr.contains("syntax error"), "{out:?}");
    assert!(
        out.stdout
            .starts_with("b/good.ts:1:22: s3-bucket-replication-config"),
        "{out:?}"
    );

    let out = project.iacfix(&["apply"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert_eq!(project.read("a/bad.ts"), unparsable);
    assert_eq!(project.read("b/good.ts"), FIXED_TS);
}

#[test]
fn invalid_utf8_is_reported_with_its_position() {
    let project = Project::new();
    project
        .file(
            "latin1.py",
            b"# caf\xe9\nx = aws.s3.BucketReplication('r')\n".as_slice(),
        )
        .file("ok.ts", BROKEN_TS);
    let out = project.iacfix(&["apply"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert_eq!(
        out.stderr,
        "error: latin1.py:1:6: not valid UTF-8; the file is left as it is\n"
    );
    assert_eq!(
        project.read_bytes("latin1.py"),
        b"# caf\xe9\nx = aws.s3.BucketReplication('r')\n"
    );
    assert_eq!(project.read("ok.ts"), FIXED_TS);
}

#[test]
fn binary_files_are_skipped_with_a_warning_and_empty_files_are_fine() {
    let project = Project::new();
    project
        .file(
            "blob.ts",
            b"\x00\x01\x02aws.s3.BucketReplication\xff".as_slice(),
        )
        .file("empty.py", "")
        .file("ok.ts", BROKEN_TS);
    let out = project.iacfix(&["check"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(
        out.stderr,
        "warning: blob.ts:1:1: skipped: a NUL byte, so the file is taken for binary\n"
    );
    assert!(out.stdout.starts_with("ok.ts:1:22: "), "{out:?}");
    assert!(
        out.stdout
            .ends_with("Found 1 finding in 1 of 2 files (1 fixable with `iacfix apply`).\n"),
        "{out:?}"
    );
}

#[test]
fn a_huge_file_is_skipped_with_a_warning() {
    let project = Project::new();
    project
        .file("big.ts", BROKEN_TS.repeat(100))
        .file("ok.ts", BROKEN_TS);
    let out = project.iacfix(&["apply", "--max-filesize", "1000"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        out.stderr,
        "warning: big.ts: skipped: 4900 bytes is over the 1000-byte limit (raise it with \
         --max-filesize or `max-filesize` in iacfix.toml)\n"
    );
    assert_eq!(project.read("big.ts"), BROKEN_TS.repeat(100));
    assert_eq!(project.read("ok.ts"), FIXED_TS);
}

#[test]
fn a_50_mb_file_is_skipped_by_default_and_the_limit_is_configurable() {
    let project = Project::new();
    let mut big = BROKEN_TS
        .repeat(50 * 1024 * 1024 / BROKEN_TS.len() + 1)
        .into_bytes();
    big.truncate(50 * 1024 * 1024);
    project.file("big.ts", &big).file("ok.ts", BROKEN_TS);
    let out = project.iacfix(&["apply"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        out.stderr,
        "warning: big.ts: skipped: 52428800 bytes is over the 10485760-byte limit (raise it with \
         --max-filesize or `max-filesize` in iacfix.toml)\n"
    );
    assert!(project.read_bytes("big.ts") == big, "big.ts changed");
    assert_eq!(project.read("ok.ts"), FIXED_TS);

    // In iacfix.toml; the command line overrides it.
    let project = Project::new();
    project
        .file("iacfix.toml", "max-filesize = 100\n")
        .file("a.ts", BROKEN_TS.repeat(3));
    let out = project.iacfix(&["check"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stderr
            .starts_with("warning: a.ts: skipped: 147 bytes is over the 100-byte limit"),
        "{out:?}"
    );
    let out = project.iacfix(&["check", "--max-filesize", "1000"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(out.stderr, "");
    let out = project.iacfix(&["config"]);
    assert!(out.stdout.contains("\nmax-filesize = 100\n"), "{out:?}");
}

/// UTF-16 with a byte-order mark: `check` reads it (as ripgrep does); `apply` does not write
/// it (diffs, patches and commits are UTF-8) and says so; the other files are fixed.
#[test]
fn a_utf16_file_with_a_bom_is_checked_but_not_rewritten() {
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(BROKEN_TS.encode_utf16().flat_map(u16::to_le_bytes));
    let project = Project::new();
    project.file("wide.ts", &utf16).file("ok.ts", BROKEN_TS);
    let out = project.iacfix(&["check"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(out.stderr, "");
    assert!(
        out.stdout
            .contains("wide.ts:1:22: s3-bucket-replication-config"),
        "{out:?}"
    );
    let out = project.iacfix(&["apply"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert_eq!(
        out.stderr,
        "error: wide.ts: encoded in UTF-16LE: iacfix checks it but writes only UTF-8, so its \
         fixes are not applied (convert it to UTF-8 to apply them); the file is left as it is\n"
    );
    assert_eq!(project.read_bytes("wide.ts"), utf16);
    assert_eq!(project.read("ok.ts"), FIXED_TS);
}

/// 100,000 nested brackets (and other nesting: calls, objects; in Python too) are refused with
/// their position, quickly and without overflowing a stack; the other files are fixed.
#[test]
fn deeply_nested_code_is_reported_and_the_run_goes_on() {
    let n = 100_000;
    let project = Project::new();
    project
        .file(
            "brackets.ts",
            format!("{BROKEN_TS}const x = {}{};\n", "[".repeat(n), "]".repeat(n)),
        )
        .file(
            "calls.ts",
            format!(
                "{BROKEN_TS}const y = {}aws.s3.BucketReplication{};\n",
                "f(".repeat(n),
                ")".repeat(n)
            ),
        )
        .file(
            "objects.ts",
            format!(
                "{BROKEN_TS}const z = {}1{};\n",
                "{a: ".repeat(n),
                "}".repeat(n)
            ),
        )
        .file(
            "deep.py",
            format!(
                "r = aws.s3.BucketReplication('r')\nx = {}{}\n",
                "[".repeat(n),
                "]".repeat(n)
            ),
        )
        .file("ok.ts", BROKEN_TS);
    let out = project.iacfix(&["apply"]);
    assert_eq!(out.code, 2, "{out:?}");
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 4, "{out:?}");
    for (line, file) in lines.iter().zip([
        "brackets.ts:2:",
        "calls.ts:2:",
        "deep.py:2:",
        "objects.ts:2:",
    ]) {
        assert!(line.starts_with(&format!("error: {file}")), "{line}");
        assert!(
            line.ends_with(
                ": nested more than 1000 levels deep: iacfix does not check code this deep; the \
                 file is left as it is"
            ),
            "{line}"
        );
    }
    assert!(project.read("brackets.ts").starts_with(BROKEN_TS));
    assert_eq!(project.read("ok.ts"), FIXED_TS);
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_is_reported_and_the_run_goes_on() {
    let project = Project::new();
    project.file("ok.ts", BROKEN_TS);
    std::os::unix::fs::symlink("b.ts", project.path("a.ts")).unwrap();
    std::os::unix::fs::symlink("a.ts", project.path("b.ts")).unwrap();
    std::os::unix::fs::symlink(".", project.path("here")).unwrap();
    let out = project.iacfix(&["apply"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        out.stderr,
        "warning: a.ts: skipped: a symbolic link (iacfix does not follow links)\n\
         warning: b.ts: skipped: a symbolic link (iacfix does not follow links)\n"
    );
    assert_eq!(project.read("ok.ts"), FIXED_TS);
    // Named on the command line, the loop is an error naming it.
    let out = project.iacfix(&["check", "a.ts", "ok.ts"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .starts_with("error: a.ts: Too many levels of symbolic links"),
        "{out:?}"
    );
}

/// A directory iacfix may not read: an error naming it, and the rest is checked. Permissions do
/// not stop root, so as root the run is made as `nobody` (with util-linux's `setpriv`).
#[cfg(unix)]
#[test]
fn a_directory_without_read_permission_is_reported_and_the_run_goes_on() {
    use std::os::unix::fs::PermissionsExt;
    let project = Project::new();
    project
        .file("locked/secret.ts", BROKEN_TS)
        .file("open/ok.ts", BROKEN_TS);
    let mode = |path: &std::path::Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    mode(project.root(), 0o755);
    mode(&project.path("open"), 0o755);
    mode(&project.path("open/ok.ts"), 0o644);
    mode(&project.path("locked"), 0o000);
    let privileged = std::fs::read_dir(project.path("locked")).is_ok();
    let out = if privileged {
        let output = std::process::Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(env!("CARGO_BIN_EXE_iacfix"))
            .arg("check")
            .current_dir(project.root())
            .env("NO_COLOR", "1")
            .output()
            .expect("run iacfix as nobody with setpriv (util-linux)");
        crate::util::Output {
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
            code: output.status.code().unwrap(),
        }
    } else {
        project.iacfix(&["check"])
    };
    mode(&project.path("locked"), 0o755);
    assert_eq!(out.code, 2, "{out:?}");
    assert_eq!(
        out.stderr, "error: locked: Permission denied (os error 13)\n",
        "{out:?}"
    );
    assert!(
        out.stdout
            .starts_with("open/ok.ts:1:22: s3-bucket-replication-config"),
        "{out:?}"
    );
}

/// A read-only file is not rewritten (not even by root, whom a rename would let): it is
/// reported, and the other files are fixed.
#[test]
fn a_read_only_file_is_reported_on_apply_and_the_others_are_written() {
    let project = Project::new();
    project
        .file("locked.ts", BROKEN_TS)
        .file("ok.ts", BROKEN_TS);
    let mut permissions = std::fs::metadata(project.path("locked.ts"))
        .unwrap()
        .permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(project.path("locked.ts"), permissions).unwrap();
    let out = project.iacfix(&["apply"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert_eq!(
        out.stderr,
        "error: locked.ts: read-only: its fixes are not applied (make it writable to apply \
         them); the file is left as it is\n"
    );
    assert_eq!(project.read("locked.ts"), BROKEN_TS);
    assert_eq!(project.read("ok.ts"), FIXED_TS);
    // `check` reads it as any other.
    let out = project.iacfix(&["check"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(out.stderr, "");
}

#[cfg(unix)]
#[test]
fn symlinks_are_not_followed() {
    let project = Project::new();
    project
        .file("outside/target.ts", BROKEN_TS)
        .file("repo/ok.ts", BROKEN_TS);
    std::os::unix::fs::symlink(
        project.path("outside/target.ts"),
        project.path("repo/link.ts"),
    )
    .unwrap();
    let out = project.iacfix(&["apply", "repo"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(project.read("outside/target.ts"), BROKEN_TS);
    assert_eq!(project.read("repo/ok.ts"), FIXED_TS);
}

#[test]
fn a_missing_path_is_an_error_and_the_other_paths_still_run() {
    let project = Project::new();
    project.file("here/ok.ts", BROKEN_TS);
    let out = project.iacfix(&["check", "nowhere", "here"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert_eq!(out.stderr, "error: nowhere: no such file or directory\n");
    assert!(out.stdout.starts_with("here/ok.ts:1:22: "), "{out:?}");
}

/// A valid user codemod with one piece replaced.
fn codemod_with(from: &str, to: &str) -> String {
    let codemod = crate::util::rename_codemod("safe");
    assert!(codemod.contains(from), "{from}");
    codemod.replace(from, to)
}

fn assert_catalogue_error(codemod: &str, expected_stderr_start: &str) {
    let project = Project::new();
    project
        .file("codemods/my-codemod.yaml", codemod)
        .file("src/index.ts", BROKEN_TS);
    for args in [&["apply", "src"][..], &["check", "src"][..], &["list"][..]] {
        let out = project.iacfix(&[args, &["--codemods", "codemods"]].concat());
        assert_eq!(out.code, 2, "{args:?}: {out:?}");
        assert_eq!(out.stdout, "", "nothing runs with a bad catalogue");
        assert!(
            out.stderr.starts_with(expected_stderr_start),
            "{args:?}:\n{}\ndoes not start with\n{expected_stderr_start}",
            out.stderr
        );
        assert!(out.stderr.contains("\n  help: "), "{}", out.stderr);
    }
    assert_eq!(
        project.read("src/index.ts"),
        BROKEN_TS,
        "nothing was written"
    );
}

#[test]
fn a_codemod_value_of_the_wrong_type_is_an_error_with_its_position() {
    assert_catalogue_error(
        &codemod_with("severity: hygiene", "severity: [hygiene]"),
        "error: the codemods in codemods are invalid; nothing was changed\n  caused by: \
         codemods/my-codemod.yaml:2:11: ",
    );
}

#[test]
fn an_unknown_key_is_an_error_with_its_position() {
    assert_catalogue_error(
        &codemod_with("    rule:\n", "    rulez: {}\n    rule:\n"),
        "error: the codemods in codemods are invalid; nothing was changed\n  caused by: \
         codemods/my-codemod.yaml:12:5: unknown field `rulez`, expected one of languages, \
         message, rule, constraints, utils, transform, fix, rewriters, secrets, vars, effects, conditions, prefilter\n  \
         help: remove the key",
    );
}

#[test]
fn an_unknown_severity_lists_the_valid_ones() {
    assert_catalogue_error(
        &codemod_with("severity: hygiene", "severity: critical"),
        "error: the codemods in codemods are invalid; nothing was changed\n  caused by: \
         codemods/my-codemod.yaml:2:11: unknown variant `critical`, expected one of \
         deploy-blocker, security, hygiene\n  help: use one of the listed values",
    );
}

#[test]
fn a_bad_pattern_is_an_error_at_its_rule() {
    assert_catalogue_error(
        &codemod_with(
            "kind: identifier\n      regex: ^oldName$",
            "pattern: \"new (\"",
        ),
        "error: the codemods in codemods are invalid; nothing was changed\n  caused by: \
         codemods/my-codemod.yaml:13:7: rule for typescript: pattern `new (` is not valid \
         typescript code: 1:",
    );
}

#[test]
fn a_bad_kind_is_an_error_at_its_rule() {
    assert_catalogue_error(
        &codemod_with("kind: identifier", "kind: no_such_kind"),
        "error: the codemods in codemods are invalid; nothing was changed\n  caused by: \
         codemods/my-codemod.yaml:13:7: rule for typescript: invalid kind matcher: Kind `no_such_kind` is invalid",
    );
}

#[test]
fn a_case_without_an_expectation_is_an_error() {
    assert_catalogue_error(
        &codemod_with("    expect: unchanged\n", ""),
        "error: the codemods in codemods are invalid; nothing was changed\n  caused by: \
         codemods/my-codemod.yaml:22:5: test case `leaves others` does not say what it expects",
    );
}

#[test]
fn a_codemod_that_is_not_yaml_is_an_error() {
    assert_catalogue_error(
        "title: [unclosed\n",
        "error: the codemods in codemods are invalid; nothing was changed\n  caused by: \
         codemods/my-codemod.yaml:1:",
    );
}

#[test]
fn a_bad_file_name_is_an_error() {
    let project = Project::new();
    project.file(
        "codemods/My_Codemod.yaml",
        crate::util::rename_codemod("safe"),
    );
    let out = project.iacfix(&["list", "--codemods", "codemods"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains(
            "codemods/My_Codemod.yaml:1:1: `My_Codemod` is not a valid codemod id (the file name \
             is the id)\n  help: rename the file to kebab-case"
        ),
        "{out:?}"
    );
}

#[test]
fn every_error_of_a_catalogue_is_reported_at_once() {
    let project = Project::new();
    project
        .file(
            "codemods/one.yaml",
            codemod_with("severity: hygiene", "severity: bad"),
        )
        .file(
            "codemods/two.yaml",
            codemod_with("since: 0.1.0", "since: soon"),
        );
    let out = project.iacfix(&["list", "--codemods", "codemods"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .contains("codemods/one.yaml:2:11: unknown variant `bad`"),
        "{out:?}"
    );
    assert!(
        out.stderr
            .contains("codemods/two.yaml:1:1: `since: soon` is not a version"),
        "{out:?}"
    );
}

#[test]
fn a_duplicate_id_is_an_error() {
    let project = Project::new();
    project.file(
        "codemods/s3-bucket-replication-config.yaml",
        crate::util::rename_codemod("safe"),
    );
    let out = project.iacfix(&["list", "--codemods", "codemods"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains(
        "codemods/s3-bucket-replication-config.yaml:1:1: codemod id `s3-bucket-replication-config` \
         is already defined by codemods/s3-bucket-replication-config.yaml"
    ), "{out:?}");
}
