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
fn binary_and_empty_files_are_not_errors() {
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
    assert_eq!(out.stderr, "");
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
         --max-filesize)\n"
    );
    assert_eq!(project.read("big.ts"), BROKEN_TS.repeat(100));
    assert_eq!(project.read("ok.ts"), FIXED_TS);
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
