//! Suppression comments through the CLI: on the line, on the line before, for the whole file,
//! in TypeScript and Python; suppressed findings are neither reported nor fixed; comments that
//! suppress nothing are reported with `--report-unused-suppressions` (or the config key).

use crate::util::Project;

const IMPORT_TS: &str = "import * as aws from \"@pulumi/aws\";\n";

fn check(project: &Project, extra: &[&str]) -> crate::util::Output {
    let mut args = vec!["check", "--format", "concise"];
    args.extend_from_slice(extra);
    project.iacfix(&args)
}

#[test]
fn a_comment_on_the_line_or_the_line_before_suppresses_the_codemods_it_names() {
    let project = Project::new();
    project.file(
        "index.ts",
        format!(
            "{IMPORT_TS}\n\
             // iacfix-ignore: route53-reserved-domain a fixture, never deployed\n\
             const a = new aws.route53.Zone(\"a\", {{ name: \"a.example.com\" }});\n\
             const b = new aws.route53.Zone(\"b\", {{ name: \"b.example.com\" }}); // iacfix-ignore: route53-reserved-domain, vpc-flow-logs fixture\n\
             // iacfix-ignore: route53-reserved-domain\n\
             \n\
             const c = new aws.route53.Zone(\"c\", {{ name: \"c.example.com\" }});\n\
             const d = new aws.route53.Zone(\"d\", {{ name: \"d.example.com\" }}); // iacfix-ignore: vpc-flow-logs wrong id\n\
             const e = new aws.route53.Zone(\"e\", {{ name: \"e.example.com\" }}); // iacfix-ignore: all\n\
             const f = \"iacfix-ignore: route53-reserved-domain\"; new aws.route53.Zone(\"f\", {{ name: \"f.example.com\" }});\n"
        ),
    );
    let out = check(&project, &[]);
    let lines: Vec<&str> = out.stdout.lines().collect();
    // a: a comment on a line of its own covers the next line; b: same line; c: the comment is
    // two lines up (does not count); d: another codemod; e: `all`; f: inside a string (not a
    // comment).
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.contains("route53-reserved-domain"))
            .map(|l| l.split(':').nth(1).unwrap())
            .collect::<Vec<_>>(),
        ["8", "9", "11"],
        "{}",
        out.stdout
    );
    // Apply leaves the suppressed ones alone.
    let out = project.iacfix(&["apply"]);
    assert_eq!(out.code, 0, "{out:?}");
    let text = project.read("index.ts");
    for (zone, fixed) in [
        ("a", false),
        ("b", false),
        ("c", true),
        ("d", true),
        ("e", false),
        ("f", true),
    ] {
        assert_eq!(
            text.contains(&format!("\"{zone}.test.local\"")),
            fixed,
            "zone {zone}:\n{text}"
        );
    }
}

#[test]
fn a_file_level_comment_at_the_top_suppresses_in_the_whole_file() {
    let project = Project::new();
    project
        .file(
            "fixtures.ts",
            format!(
                "// Test fixtures.\n// iacfix-ignore-file: route53-reserved-domain not deployed\n\
                 {IMPORT_TS}\nnew aws.route53.Zone(\"a\", {{ name: \"a.example.com\" }});\n\
                 new aws.route53.Zone(\"b\", {{ name: \"b.example.com\" }});\n"
            ),
        )
        .file(
            "late.ts",
            format!(
                "{IMPORT_TS}\n// iacfix-ignore-file: route53-reserved-domain too late\n\
                 const other = 1;\n\
                 new aws.route53.Zone(\"a\", {{ name: \"a.example.com\" }});\n"
            ),
        )
        .file(
            "__main__.py",
            "\"\"\"Fixtures.\"\"\"\n# iacfix-ignore-file: route53-reserved-domain\nimport pulumi_aws as aws\n\n\
             aws.route53.Zone(\"a\", name=\"a.example.com\")\n\
             aws.route53.Zone(\"b\", name=\"b.example.com\")\n",
        );
    let out = check(&project, &[]);
    // Only late.ts: a file-level comment must come before the code.
    assert_eq!(
        out.stdout
            .lines()
            .filter(|l| !l.starts_with("Found"))
            .map(|l| l.split(':').next().unwrap())
            .collect::<Vec<_>>(),
        ["late.ts"],
        "{out:?}"
    );
}

#[test]
fn python_comments_suppress_too() {
    let project = Project::new();
    project.file(
        "__main__.py",
        "import pulumi_aws as aws\n\n\
         aws.route53.Zone(\"a\", name=\"a.example.com\")  # iacfix-ignore: route53-reserved-domain fixture\n\
         # iacfix-ignore: route53-reserved-domain\n\
         aws.route53.Zone(\"b\", name=\"b.example.com\")\n\
         aws.route53.Zone(\"c\", name=\"c.example.com\")\n",
    );
    let out = check(&project, &[]);
    assert!(out.stdout.starts_with("__main__.py:6:"), "{out:?}");
    assert!(out.stdout.contains("Found 1 finding"), "{out:?}");
}

#[test]
fn suppressions_that_suppress_nothing_are_reported_on_request() {
    let project = Project::new();
    project.file(
        "index.ts",
        format!(
            "{IMPORT_TS}\n\
             const zone = new aws.route53.Zone(\"z\", {{ name: \"z.test.local\" }}); // iacfix-ignore: route53-reserved-domain fixed since\n\
             // iacfix-ignore: route53-reserved-domian typo\n\
             new aws.route53.Zone(\"a\", {{ name: \"a.example.com\" }});\n"
        ),
    );
    // Not asked: only the real finding (the typo does not suppress it).
    let out = check(&project, &[]);
    assert!(!out.stdout.contains("unused-suppression"), "{out:?}");
    assert!(out.stdout.contains("index.ts:5:"), "{out:?}");
    let out = check(&project, &["--report-unused-suppressions"]);
    let unused: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.contains("unused-suppression"))
        .collect();
    assert_eq!(
        unused,
        [
            "index.ts:3:67: unused-suppression this iacfix-ignore comment suppresses nothing \
             for route53-reserved-domain: remove it",
            "index.ts:4:1: unused-suppression this iacfix-ignore comment names an id no codemod \
             has (route53-reserved-domian): remove it",
        ],
        "{}",
        out.stdout
    );
    // As a finding in machine formats too, and from the configuration file.
    project.file("iacfix.toml", "report-unused-suppressions = true\n");
    let out = project.iacfix(&["check", "--format", "json"]);
    let document: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let ids: Vec<&str> = document["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["codemod"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "unused-suppression",
            "unused-suppression",
            "route53-reserved-domain"
        ]
    );
    // An unused suppression alone fails the default gate, not a stricter one.
    project.file(
        "index.ts",
        "const x = 1; // iacfix-ignore: route53-reserved-domain\n",
    );
    assert_eq!(project.iacfix(&["check"]).code, 1);
    assert_eq!(project.iacfix(&["check", "--fail-on", "security"]).code, 0);
}
