//! Output formats: golden files of every format on the bundled example (`tests/golden/`,
//! insta's format), JSON and SARIF validated against their schemas, JUnit parsed as XML,
//! secrets masked everywhere, and the `--fail-on` severity gate.

use crate::util::{Output, Project, rename_codemod, repo_path};
use serde_json::Value;

/// The hard-coded passwords of the bundled example (they must never be printed).
const SECRETS: [&str; 2] = ["Tr4d1ng-Pa55w0rd", "An4lyt1cs-Pa55"];

const FORMATS: [&str; 6] = ["text", "concise", "json", "sarif", "github", "junit"];

/// The bundled example, checked with the four named codemods only: the formats are what these
/// tests are about, so their golden files do not change as the catalogue grows.
fn example() -> Project {
    let project = Project::new();
    project.copy_from_repo("tests/examples", ".");
    project.file(
        "iacfix.toml",
        "select = [\"vpc-flow-logs\", \"s3-bucket-replication-config\", \"route53-reserved-domain\", \"hardcoded-db-password\"]\n",
    );
    project
}

fn golden(name: &str, text: &str) {
    insta::with_settings!({
        snapshot_path => "golden",
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, text);
    });
}

fn assert_masked(out: &Output, what: &str) {
    for secret in SECRETS {
        assert!(
            !out.stdout.contains(secret) && !out.stderr.contains(secret),
            "{what} printed the password {secret}:\n{out:?}"
        );
    }
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

fn validator(path: &str) -> jsonschema::Validator {
    let mut text = std::fs::read_to_string(repo_path(path)).unwrap();
    // The published SARIF 2.1.0 schema's `toolComponent.language` pattern has a stray `]`
    // (`…-[a-zA-Z]{2}]?$`) that makes it an invalid regular expression; read it as meant.
    text = text.replace(
        r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#,
        r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}?$""#,
    );
    let schema = json(&text);
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn assert_valid(validator: &jsonschema::Validator, document: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(document)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} is invalid:\n{}",
        errors.join("\n")
    );
}

#[test]
fn every_format_of_check_on_the_bundled_example_matches_its_golden_file() {
    let project = example();
    for format in FORMATS {
        let out = project.iacfix(&["check", "--format", format]);
        assert_eq!(out.code, 1, "{format}: {out:?}");
        assert_eq!(out.stderr, "", "{format}");
        assert_masked(&out, format);
        golden(&format!("check-{format}"), &out.stdout);
    }
    let out = project.iacfix(&["check", "--statistics"]);
    assert_eq!(out.code, 1, "{out:?}");
    golden("check-statistics", &out.stdout);
}

#[test]
fn apply_reports_the_findings_that_remain_in_the_chosen_format() {
    let project = example();
    let out = project.iacfix(&["apply", "--format", "json"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert_masked(&out, "apply --format json");
    // The document alone on standard output; what people read on standard error.
    let document = json(&out.stdout);
    assert_valid(
        &validator("docs/findings.schema.json"),
        &document,
        "apply --format json",
    );
    assert!(
        out.stderr.contains("fixed broken-typescript/index.ts"),
        "{out:?}"
    );
    assert!(
        out.stderr.contains("Fixed 7 findings in 2 files"),
        "{out:?}"
    );
    golden("apply-json", &out.stdout);
    let codemods: Vec<&str> = document["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["codemod"].as_str().unwrap())
        .collect();
    assert!(
        codemods
            .iter()
            .all(|c| ["hardcoded-db-password", "vpc-flow-logs"].contains(c)),
        "only the unsafe codemods' findings remain: {codemods:?}"
    );

    let again = project.iacfix(&["apply", "--unsafe", "--format", "sarif"]);
    assert_eq!(again.code, 0, "{again:?}");
    assert_masked(&again, "apply --unsafe --format sarif");
    let sarif = json(&again.stdout);
    assert_eq!(sarif["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn json_findings_validate_against_the_published_schema() {
    let project = example();
    let out = project.iacfix(&["check", "--format", "json"]);
    let document = json(&out.stdout);
    assert_valid(
        &validator("docs/findings.schema.json"),
        &document,
        "check --format json",
    );
    assert_eq!(document["version"], 1);
    let findings = document["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 11);
    let zone = findings
        .iter()
        .find(|f| f["codemod"] == "route53-reserved-domain")
        .unwrap();
    assert_eq!(zone["severity"], "deploy-blocker");
    assert_eq!(zone["applicability"], "safe");
    let edit = &zone["fix"]["edits"][0];
    assert!(
        edit["content"].as_str().unwrap().contains("test.local"),
        "{edit}"
    );
    // The fix's edit replaces exactly the finding's range.
    assert_eq!(edit["range"], zone["range"]);

    // The schema has teeth: a document missing a finding's codemod is refused.
    let mut broken = document.clone();
    broken["findings"][0]
        .as_object_mut()
        .unwrap()
        .remove("codemod");
    assert!(!validator("docs/findings.schema.json").is_valid(&broken));
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema() {
    let project = example();
    let out = project.iacfix(&["check", "--format", "sarif"]);
    let sarif = json(&out.stdout);
    let validator = validator("tests/data/sarif-2.1.0-rtm.5.json");
    assert_valid(&validator, &sarif, "check --format sarif");
    assert_eq!(sarif["version"], "2.1.0");
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        serde_json::json!(0);
    assert!(!validator.is_valid(&broken), "the schema has teeth");
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 4);
    for rule in rules {
        assert!(rule["helpUri"].as_str().unwrap().starts_with("https://"));
        assert!(!rule["help"]["text"].as_str().unwrap().is_empty());
    }
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 11);
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
    }
    let fixed = results.iter().filter(|r| r.get("fixes").is_some()).count();
    assert_eq!(fixed, 11, "every built-in finding carries its fix");

    // Files that could not be read are notifications, and the document stays valid.
    project.file("broken-typescript/bad.ts", b"const x = \"\xff\";\n");
    let out = project.iacfix(&["check", "--format", "sarif"]);
    assert_eq!(out.code, 2, "{out:?}");
    let sarif = json(&out.stdout);
    assert_valid(&validator, &sarif, "sarif with a notification");
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    assert!(
        invocation["toolExecutionNotifications"][0]["message"]["text"]
            .as_str()
            .unwrap()
            .contains("UTF-8"),
        "{invocation}"
    );
    assert!(out.stderr.contains("broken-typescript/bad.ts"), "{out:?}");
}

#[test]
fn junit_is_well_formed_xml_with_a_failure_per_finding() {
    let project = example();
    let out = project.iacfix(&["check", "--format", "junit"]);
    let mut reader = quick_xml::Reader::from_str(&out.stdout);
    let (mut cases, mut failures) = (0, 0);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(quick_xml::events::Event::Start(e)) => match e.name().as_ref() {
                b"testcase" => cases += 1,
                b"failure" => failures += 1,
                _ => {}
            },
            Ok(_) => {}
            Err(e) => panic!(
                "not XML at {}: {e}\n{}",
                reader.buffer_position(),
                out.stdout
            ),
        }
    }
    assert_eq!((cases, failures), (11, 11));
}

#[test]
fn github_annotations_are_one_workflow_command_per_finding() {
    let project = example();
    let out = project.iacfix(&["check", "--format", "github"]);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 11);
    assert!(lines.iter().all(|l| l.starts_with("::error file=")
        || l.starts_with("::warning file=")
        || l.starts_with("::notice file=")));
    assert!(
        lines.contains(&"::error file=broken-typescript/index.ts,line=75,col=12,endLine=75,\
                         endColumn=29,title=iacfix s3-bucket-replication-config::`BucketReplication` \
                         does not exist in the AWS provider: S3 replication is \
                         `BucketReplicationConfig`"),
        "{}",
        out.stdout
    );
}

#[test]
fn statistics_count_findings_per_codemod() {
    let project = example();
    let out = project.iacfix(&["check", "--statistics"]);
    let first = out.stdout.lines().next().unwrap();
    assert!(
        first.starts_with("    4  s3-bucket-replication-config  [*] "),
        "{first}"
    );
    let out = project.iacfix(&["check", "--statistics", "--format", "json"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("does not go with --format json"),
        "{out:?}"
    );
}

#[test]
fn machine_formats_are_refused_for_bulk_runs_and_with_a_patch_on_stdout() {
    let project = example();
    let out = project.iacfix(&[
        "check",
        "--format",
        "sarif",
        "--report",
        "report.json",
        "broken-typescript",
    ]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("--report FILE.json"), "{out:?}");
    let out = project.iacfix(&["apply", "--format", "json", "--patch", "-"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("write the patch to a file"), "{out:?}");
}

#[test]
fn fail_on_sets_the_severities_that_fail_the_run() {
    // Only a VPC without flow logs: a security finding.
    let project = Project::new();
    project.file(
        "index.ts",
        "import * as aws from \"@pulumi/aws\";\n\nconst vpc = new aws.ec2.Vpc(\"vpc\", { \
         cidrBlock: \"10.0.0.0/16\" });\n",
    );
    let code = |args: &[&str]| project.iacfix(args).code;
    assert_eq!(code(&["check"]), 1);
    assert_eq!(code(&["check", "--fail-on", "hygiene"]), 1);
    assert_eq!(code(&["check", "--fail-on", "security"]), 1);
    assert_eq!(code(&["check", "--fail-on", "deploy-blocker"]), 0);
    // The findings are printed either way.
    let out = project.iacfix(&["check", "--fail-on", "deploy-blocker"]);
    assert!(out.stdout.contains("vpc-flow-logs"), "{out:?}");

    // A hygiene finding fails only the default gate.
    let hygiene = Project::new();
    hygiene
        .file("codemods/rename.yaml", rename_codemod("safe"))
        .file("index.ts", "const oldName = 1;\n");
    let run = |gate: &str| {
        hygiene
            .iacfix(&[
                "check",
                "--codemods",
                "codemods",
                "--fail-on",
                gate,
                "index.ts",
            ])
            .code
    };
    assert_eq!(run("hygiene"), 1);
    assert_eq!(run("security"), 0);

    // The gate also applies to what `apply` leaves.
    assert_eq!(
        code(&["apply", "--fail-on", "deploy-blocker", "--allow-dirty"]),
        0
    );
    assert_eq!(code(&["apply", "--allow-dirty"]), 1);
}
