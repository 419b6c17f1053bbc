//! `iacfix.toml`: discovery (nested directories, `--config`, `--isolated`), every key, errors
//! with positions, `iacfix config`, and one configuration per repository in bulk runs.

use crate::util::{Project, rename_codemod};

const ZONE_TS: &str = "import * as aws from \"@pulumi/aws\";\n\nconst zone = new aws.route53.Zone(\"zone\", \
                       { name: \"db.example.com\" });\n";
const REPLICATION_TS: &str = "import * as aws from \"@pulumi/aws\";\n\nconst r = new aws.s3.BucketReplication(\"r\", \
                              { role: \"arn\" });\n";
const VPC_TS: &str = "import * as aws from \"@pulumi/aws\";\n\nconst vpc = new aws.ec2.Vpc(\"vpc\", { \
                      cidrBlock: \"10.0.0.0/16\" });\n";

/// The codemod ids of the findings `check --format concise` prints.
fn ids(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter(|l| !l.starts_with("Found") && !l.starts_with("No findings"))
        .filter_map(|l| l.split(": ").nth(1))
        .map(|rest| rest.split(' ').next().unwrap().to_owned())
        .collect()
}

#[test]
fn the_nearest_iacfix_toml_above_the_paths_is_used() {
    let project = Project::new();
    project
        .file(
            "iacfix.toml",
            "ignore = [\"s3-bucket-replication-config\"]\n",
        )
        .file(
            "infra/app/index.ts",
            format!("{ZONE_TS}{}", &REPLICATION_TS[36..]),
        )
        .file(
            "infra/other/iacfix.toml",
            "select = [\"s3-bucket-replication-config\"]\n",
        )
        .file(
            "infra/other/index.ts",
            format!("{ZONE_TS}{}", &REPLICATION_TS[36..]),
        );
    // From the root, and from a nested directory (walking up).
    let out = project.iacfix(&["check", "--format", "concise", "infra/app"]);
    assert_eq!(ids(&out.stdout), ["route53-reserved-domain"], "{out:?}");
    let nested = crate::util::run_in(
        &project.path("infra/app"),
        &["check", "--format", "concise"],
    );
    assert_eq!(
        ids(&nested.stdout),
        ["route53-reserved-domain"],
        "{nested:?}"
    );
    // A nearer file wins (files are not merged).
    let out = project.iacfix(&["check", "--format", "concise", "infra/other"]);
    assert_eq!(
        ids(&out.stdout),
        ["s3-bucket-replication-config"],
        "{out:?}"
    );
    // Paths with different files: refused, naming both.
    let out = project.iacfix(&["check", "infra/app", "infra/other"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("have different configuration files")
            && out.stderr.contains("infra/other/iacfix.toml"),
        "{out:?}"
    );
}

#[test]
fn config_names_a_file_and_isolated_ignores_every_file() {
    let project = Project::new();
    project
        .file("iacfix.toml", "select = [\"vpc-flow-logs\"]\n")
        .file("ci/strict.toml", "select = [\"route53-reserved-domain\"]\n")
        .file("index.ts", format!("{ZONE_TS}{}", &VPC_TS[36..]));
    let concise = |extra: &[&str]| {
        let mut args = vec!["check", "--format", "concise"];
        args.extend_from_slice(extra);
        ids(&project.iacfix(&args).stdout)
    };
    assert_eq!(concise(&[]), ["vpc-flow-logs"]);
    assert_eq!(
        concise(&["--config", "ci/strict.toml"]),
        ["route53-reserved-domain"]
    );
    assert_eq!(
        concise(&["--isolated"]),
        ["route53-reserved-domain", "vpc-flow-logs"]
    );
    let out = project.iacfix(&["check", "--config", "missing.toml"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("missing.toml: cannot read the configuration"),
        "{out:?}"
    );
    let out = project.iacfix(&["check", "--config", "ci/strict.toml", "--isolated"]);
    assert_eq!(out.code, 2, "clap refuses both: {out:?}");
}

#[test]
fn malformed_configuration_is_an_error_at_its_position_and_nothing_is_written() {
    let project = Project::new();
    project.file("index.ts", ZONE_TS);
    let cases: [(&str, &str); 6] = [
        (
            "select = [\"route53-reserved-domain\"]\nselcet = []\n",
            "iacfix.toml:2:1: unknown field `selcet`, expected one of",
        ),
        (
            "select = [\n",
            "iacfix.toml:1:11: unclosed array, expected `]`",
        ),
        (
            "ignore = [\"route53-reserved-domian\"]\n",
            "iacfix.toml:1:11: unknown codemod `route53-reserved-domian` in `ignore`\n  help: \
             correct the id; did you mean `route53-reserved-domain`?",
        ),
        (
            "fail-on = \"sometimes\"\n",
            "iacfix.toml:1:11: unknown variant `sometimes`, expected one of `deploy-blocker`, \
             `security`, `hygiene`",
        ),
        (
            "[options.vpc-flow-logs]\nretention = 91\n",
            "iacfix.toml:2:13: option `vpc-flow-logs.retention`: `91` does not match",
        ),
        (
            "[options.route53-reserved-domain]\ndomian = \"internal.test\"\n",
            "iacfix.toml:2:1: the codemod `route53-reserved-domain` has no option `domian`\n  \
             help: its options are: domain",
        ),
    ];
    for (config, expected) in cases {
        project.file("iacfix.toml", config);
        for command in ["check", "apply"] {
            let out = project.iacfix(&[command]);
            assert_eq!(out.code, 2, "{config}: {out:?}");
            assert!(
                out.stderr.contains(expected),
                "{config}\nexpected: {expected}\nstderr: {}",
                out.stderr
            );
        }
        assert_eq!(project.read("index.ts"), ZONE_TS, "nothing written");
    }
    project.file("iacfix.toml", b"select = [\"\xff\"]\n");
    let out = project.iacfix(&["check"]);
    assert!(out.stderr.contains("iacfix.toml: not UTF-8"), "{out:?}");
    project.file("iacfix.toml", "exclude = [\"gen/{a\"]\n");
    let out = project.iacfix(&["check"]);
    assert!(
        out.stderr
            .contains("iacfix.toml:1:12: invalid exclude pattern `gen/{a`"),
        "{out:?}"
    );
}

#[test]
fn exclude_skips_walked_files_and_force_exclude_named_ones() {
    let project = Project::new();
    project
        .file("iacfix.toml", "exclude = [\"generated/\", \"*.gen.ts\"]\n")
        .file("index.ts", ZONE_TS)
        .file("generated/index.ts", ZONE_TS)
        .file("stacks/zone.gen.ts", ZONE_TS);
    let out = project.iacfix(&["check", "--format", "concise"]);
    assert!(out.stdout.starts_with("index.ts:"), "{out:?}");
    assert!(out.stdout.contains("in 1 of 1 file"), "{out:?}");
    // Named on the command line: processed, unless --force-exclude (pre-commit).
    let out = project.iacfix(&["check", "--format", "concise", "generated/index.ts"]);
    assert_eq!(out.code, 1, "{out:?}");
    let out = project.iacfix(&[
        "check",
        "--force-exclude",
        "generated/index.ts",
        "stacks/zone.gen.ts",
    ]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("No findings in 0 files"), "{out:?}");
}

#[test]
fn fix_applicability_is_promoted_and_demoted() {
    let project = Project::new();
    project.file("index.ts", format!("{ZONE_TS}{}", &VPC_TS[36..]));
    // vpc-flow-logs is unsafe: `apply` leaves it; promoted, it is applied.
    project.file("iacfix.toml", "extend-safe-fixes = [\"vpc-flow-logs\"]\n");
    let out = project.iacfix(&["apply", "--dry-run"]);
    assert!(out.stdout.contains("aws.ec2.FlowLog"), "{out:?}");
    // route53-reserved-domain is safe: demoted, it needs --unsafe.
    project.file(
        "iacfix.toml",
        "extend-unsafe-fixes = [\"route53-reserved-domain\"]\n",
    );
    let out = project.iacfix(&["apply", "--dry-run"]);
    assert!(!out.stdout.contains("test.local"), "{out:?}");
    let out = project.iacfix(&["apply", "--dry-run", "--unsafe"]);
    assert!(out.stdout.contains("test.local"), "{out:?}");
    // unfixable: reported, never applied, even with --unsafe.
    project.file("iacfix.toml", "unfixable = [\"route53-reserved-domain\"]\n");
    let out = project.iacfix(&["apply", "--dry-run", "--unsafe"]);
    assert!(!out.stdout.contains("test.local"), "{out:?}");
    assert!(out.stdout.contains("aws.ec2.FlowLog"), "{out:?}");
    let out = project.iacfix(&["check", "--format", "json"]);
    assert!(
        out.stdout.contains("\"applicability\": \"manual\""),
        "{out:?}"
    );
    // Both ways at once: refused.
    project.file(
        "iacfix.toml",
        "extend-safe-fixes = [\"vpc-flow-logs\"]\nunfixable = [\"vpc-flow-logs\"]\n",
    );
    let out = project.iacfix(&["check"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("keep it in one list"), "{out:?}");
}

#[test]
fn options_codemods_and_fail_on_come_from_the_file_under_the_command_line() {
    let project = Project::new();
    project
        .file(
            "iacfix.toml",
            "codemods = [\"team-codemods\"]\nfail-on = \"deploy-blocker\"\n\n\
             [options.route53-reserved-domain]\ndomain = \"corp.internal\"\n",
        )
        .file("team-codemods/rename.yaml", rename_codemod("safe"))
        .file("index.ts", format!("{ZONE_TS}const oldName = 1;\n"));
    let out = project.iacfix(&["apply", "--dry-run"]);
    assert!(out.stdout.contains("db.corp.internal"), "{out:?}");
    assert!(out.stdout.contains("+const newName = 1;"), "{out:?}");
    let out = project.iacfix(&[
        "apply",
        "--dry-run",
        "--option",
        "route53-reserved-domain.domain=cli.test",
    ]);
    assert!(out.stdout.contains("db.cli.test"), "--option wins: {out:?}");
    // fail-on = deploy-blocker: the hygiene finding alone passes; --fail-on overrides.
    project.file("index.ts", "const oldName = 1;\n");
    assert_eq!(project.iacfix(&["check"]).code, 0);
    assert_eq!(project.iacfix(&["check", "--fail-on", "hygiene"]).code, 1);
    // `list` and `explain` know the file's codemods, with its applicability overrides.
    project.file(
        "iacfix.toml",
        "codemods = [\"team-codemods\"]\nextend-unsafe-fixes = [\"rename\"]\n",
    );
    let list = project.iacfix(&["list"]);
    assert!(
        list.stdout
            .lines()
            .any(|l| l.starts_with("rename ") && l.contains(" unsafe ")),
        "{list:?}"
    );
    let explain = project.iacfix(&["explain", "rename"]);
    assert_eq!(explain.code, 0, "{explain:?}");
    assert!(explain.stdout.contains("Renames `oldName`."), "{explain:?}");
    // The codemods directory is relative to the file, wherever iacfix runs.
    let nested = crate::util::run_in(&project.path("team-codemods"), &["check", ".."]);
    assert!(nested.stdout.contains("rename"), "{nested:?}");
}

#[test]
fn iacfix_config_prints_the_configuration_in_effect_as_toml() {
    let project = Project::new();
    project
        .file(
            "iacfix.toml",
            "ignore = [\"vpc-flow-logs\"]\nextend-unsafe-fixes = [\"route53-reserved-domain\"]\n\
             exclude = [\"generated/\"]\n\n[options.route53-reserved-domain]\ndomain = \"corp.internal\"\n",
        )
        .file("index.ts", ZONE_TS);
    let out = project.iacfix(&["config"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout
            .starts_with("# Configuration file: iacfix.toml\n"),
        "{out:?}"
    );
    assert!(
        out.stdout
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>()
                == [
                    "#",
                    "route53-reserved-domain",
                    "unsafe",
                    "applied",
                    "with",
                    "--unsafe"
                ]),
        "{}",
        out.stdout
    );
    let effective: toml::Table = toml::from_str(&out.stdout).expect("valid TOML");
    // Every codemod that runs by default (not opt-in) but the ignored one.
    let catalogue = iacfix_catalog::load_builtin()
        .unwrap_or_else(|e| panic!("{e}"))
        .iter()
        .filter(|c| !c.codemod.meta.opt_in)
        .count();
    assert!(catalogue > 4, "the bundled catalogue");
    assert_eq!(
        effective["select"].as_array().unwrap().len(),
        catalogue - 1,
        "all but the ignored one: {effective}"
    );
    assert_eq!(effective["ignore"][0].as_str(), Some("vpc-flow-logs"));
    assert_eq!(
        effective["options"]["route53-reserved-domain"]["domain"].as_str(),
        Some("corp.internal")
    );
    assert_eq!(
        effective["options"].get("vpc-flow-logs"),
        None,
        "ignored codemods' options are not shown"
    );
    assert_eq!(effective["fail-on"].as_str(), Some("hygiene"));
    // What it prints is itself a valid configuration, with the same effect.
    let copy = Project::new();
    copy.file("iacfix.toml", &out.stdout)
        .file("index.ts", ZONE_TS);
    let again = copy.iacfix(&["config"]);
    assert_eq!(
        again.stdout.lines().skip(1).collect::<Vec<_>>(),
        out.stdout.lines().skip(1).collect::<Vec<_>>()
    );
    let isolated = project.iacfix(&["config", "--isolated"]);
    assert!(
        isolated
            .stdout
            .starts_with("# No configuration file (--isolated)"),
        "{isolated:?}"
    );
}

#[test]
fn each_repository_of_a_bulk_run_uses_its_own_configuration() {
    let project = Project::new();
    for repo in ["a", "b", "c"] {
        project.file(&format!("{repo}/Pulumi.yaml"), "name: x\nruntime: nodejs\n");
        project.file(&format!("{repo}/index.ts"), ZONE_TS);
        project.git_in(
            &std::fs::canonicalize(project.path(repo)).unwrap(),
            &["init", "-q"],
        );
    }
    project.file("b/iacfix.toml", "ignore = [\"route53-reserved-domain\"]\n");
    project.file("c/iacfix.toml", "selct = []\n");
    let out = project.iacfix(&["check", "--report", "report.json", "a", "b", "c"]);
    assert_eq!(out.code, 2, "c's configuration is broken: {out:?}");
    assert!(
        out.stderr
            .contains("c/iacfix.toml:1:1: unknown field `selct`"),
        "{out:?}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&project.read("report.json")).expect("a JSON report");
    let status = |i: usize| report["repos"][i]["status"].as_str().unwrap().to_owned();
    assert_eq!(
        [status(0), status(1), status(2)],
        ["findings", "clean", "failed"],
        "{report}"
    );
}

#[test]
fn opt_in_codemods_run_only_when_selected_by_id() {
    let project = Project::new();
    let opt_in = rename_codemod("safe").replace("since: 0.1.0", "since: 0.1.0\noptIn: true");
    project
        .file("codemods/rename-old-name.yaml", &opt_in)
        .file("src/index.ts", format!("{ZONE_TS}const oldName = 1;\n"));
    let check = |args: &[&str]| {
        let mut all = vec!["check", "--format", "concise", "--codemods", "codemods"];
        all.extend_from_slice(args);
        all.push("src");
        ids(&project.iacfix(&all).stdout)
    };
    // Not by default, nor by a `select` that does not name it.
    assert_eq!(check(&[]), ["route53-reserved-domain"]);
    // Named: by --extend-select (with the rest), or by --select (alone).
    assert_eq!(
        check(&["--extend-select", "rename-old-name"]),
        ["route53-reserved-domain", "rename-old-name"]
    );
    assert_eq!(check(&["--select", "rename-old-name"]), ["rename-old-name"]);
    // ...and by `extend-select` in iacfix.toml, which `--ignore` still overrides.
    project.file("iacfix.toml", "extend-select = [\"rename-old-name\"]\n");
    assert_eq!(check(&[]), ["route53-reserved-domain", "rename-old-name"]);
    assert_eq!(
        check(&["--ignore", "rename-old-name"]),
        ["route53-reserved-domain"]
    );
    // `iacfix list` shows it, marked.
    let list = project.iacfix(&["list", "--codemods", "codemods"]);
    let row = list
        .stdout
        .lines()
        .find(|l| l.starts_with("rename-old-name"))
        .unwrap_or_else(|| panic!("{list:?}"));
    assert!(row.contains("safe, opt-in"), "{row}");
    // An unknown id in extend-select is an error with its position.
    project.file("iacfix.toml", "extend-select = [\"no-such-codemod\"]\n");
    let out = project.iacfix(&["check", "--codemods", "codemods", "src"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .contains("iacfix.toml:1:18: unknown codemod `no-such-codemod` in `extend-select`"),
        "{}",
        out.stderr
    );
}
