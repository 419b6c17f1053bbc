//! Effects and conditions through the codemod format: every kind is exercised by a case that
//! must change and one that must not.

use iacfix_catalog::load_codemod;
use iacfix_catalog::testing::run_cases;

fn assert_passes(yaml: &str) -> String {
    let loaded = load_codemod("effects.yaml", "effects", yaml).unwrap_or_else(|errors| {
        panic!(
            "{}",
            errors
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    let outcome = run_cases(loaded);
    let failures: Vec<String> = outcome
        .cases
        .iter()
        .flat_map(|c| c.failures.iter().map(move |f| format!("{}: {f}", c.name)))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(outcome.passed(), "{:?}", outcome.coverage);
    outcome.snapshot
}

const HEADER: &str = r#"
title: t
severity: security
applicability: unsafe
since: 0.1.0
message: m
docs: { whatItDoes: x, why: y, fixSafety: z }
"#;

#[test]
fn insert_import_dependency_and_replace_same_in_typescript() {
    let yaml = format!(
        "{HEADER}{}",
        r#"
rules:
  - languages: [typescript]
    rule:
      kind: pair
      all:
        - has: { field: key, regex: ^password$ }
        - has: { field: value, kind: string, pattern: $SECRET }
      inside:
        kind: new_expression
        stopBy: end
        has: { field: constructor, regex: Database$ }
    secrets: [$SECRET]
    fix: "password: dbPassword.result"
    effects:
      - ensureImport: { module: "@pulumi/random", alias: random, bind: $RANDOM }
      - ensureDependency: { package: "@pulumi/random", version: "^4.0.0" }
      - replaceSame:
          of: $SECRET
          with: dbPassword.result
          enclosing: { JSON.stringify: pulumi.jsonStringify }
      - insertBefore:
          template: |
            const dbPassword = new $RANDOM.RandomPassword("db", {
                length: 32,
            });
tests:
  - name: everything at once
    language: typescript
    example: true
    input: |
      import * as pulumi from "@pulumi/pulumi";

      const secret = JSON.stringify({ user: "admin", password: "hunter2-hunter2" });

      function build() {
        // The database.
        const db = new Database("db", {
          password: "hunter2-hunter2",
        });
      }
    output: |
      import * as pulumi from "@pulumi/pulumi";
      import * as random from "@pulumi/random";

      const dbPassword = new random.RandomPassword("db", {
        length: 32,
      });
      const secret = pulumi.jsonStringify({ user: "admin", password: dbPassword.result });

      function build() {
        // The database.
        const db = new Database("db", {
          password: dbPassword.result,
        });
      }
    files:
      package.json:
        input: |
          {
            "dependencies": {
              "@pulumi/pulumi": "^3.0.0"
            }
          }
        output: |
          {
            "dependencies": {
              "@pulumi/pulumi": "^3.0.0",
              "@pulumi/random": "^4.0.0"
            }
          }
  - name: an existing import is reused under its alias
    language: typescript
    input: |
      import * as rnd from "@pulumi/random";
      const db = new Database("db", { password: "s3cret-value" });
    output: |
      import * as rnd from "@pulumi/random";
      const dbPassword = new rnd.RandomPassword("db", {
          length: 32,
      });
      const db = new Database("db", { password: dbPassword.result });
    files:
      package.json:
        input: '{"dependencies": {"@pulumi/random": "4.16.0"}}'
  - name: not a literal
    language: typescript
    input: |
      const db = new Database("db", { password: config.requireSecret("pw") });
    expect: unchanged
"#
    );
    let snapshot = assert_passes(&yaml);
    // The secret never shows in the snapshot; the masked form does.
    assert!(!snapshot.contains("hunter2-hunter2"), "{snapshot}");
    assert!(!snapshot.contains("s3cret-value"), "{snapshot}");
    assert!(snapshot.contains("\"********\""), "{snapshot}");
}

#[test]
fn python_imports_insert_after_and_absent_conditions() {
    let yaml = format!(
        "{HEADER}{}",
        r#"
rules:
  - languages: [python]
    rule:
      kind: call
      has: { field: function, regex: (^|\.)ec2\.Vpc$ }
      inside:
        kind: assignment
        has: { field: left, pattern: $VPC }
    conditions:
      - absent:
          scope: program
          rule:
            kind: call
            all:
              - has: { field: function, regex: FlowLog$ }
              - has:
                  stopBy: end
                  kind: keyword_argument
                  has: { field: value, pattern: $VPC.id }
    effects:
      - ensureImport: { module: json, alias: json, first: true }
      - insertAfter:
          template: |

            flow_log = aws.ec2.FlowLog("flow", vpc_id=$VPC.id, traffic_type="ALL",
                log_format=json.dumps({"a": 1}))
tests:
  - name: inserted after, inside a function, with json imported first
    language: python
    example: true
    input: |
      """Network."""
      import pulumi
      import pulumi_aws as aws


      def network():
          vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")  # main
          return vpc
    output: |
      """Network."""
      import json
      import pulumi
      import pulumi_aws as aws


      def network():
          vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")  # main

          flow_log = aws.ec2.FlowLog("flow", vpc_id=vpc.id, traffic_type="ALL",
              log_format=json.dumps({"a": 1}))
          return vpc
  - name: a flow log in the same file
    language: python
    input: |
      import pulumi_aws as aws
      vpc = aws.ec2.Vpc("vpc")
      aws.ec2.FlowLog("f", vpc_id=vpc.id)
    expect: unchanged
  - name: a flow log elsewhere in the program
    language: python
    input: |
      import pulumi_aws as aws
      vpc = aws.ec2.Vpc("vpc")
    files:
      logs.py:
        input: |
          import pulumi_aws as aws
          from network import vpc
          aws.ec2.FlowLog("f", vpc_id=vpc.id, traffic_type="ALL")
    expect: unchanged
"#
    );
    assert_passes(&yaml);
}

#[test]
fn provider_conditions_and_options() {
    let yaml = format!(
        "{HEADER}{}",
        r#"
options:
  suffix:
    default: V2
    description: The suffix to add.
    pattern: "[A-Z][A-Za-z0-9]*"
rules:
  - languages: [typescript]
    conditions:
      - provider: { name: aws, version: "<7" }
    rule: { kind: property_identifier, regex: ^Bucket$ }
    fix: "Bucket{{suffix}}"
tests:
  - name: under aws 6 from package.json
    language: typescript
    example: true
    input: "new aws.s3.Bucket('b');\n"
    output: "new aws.s3.BucketV2('b');\n"
    files:
      package.json:
        input: '{"dependencies": {"@pulumi/aws": "^6.0.0"}}'
  - name: with another option value
    language: typescript
    input: "new aws.s3.Bucket('b');\n"
    output: "new aws.s3.BucketLegacy('b');\n"
    providers: { aws: 6 }
    options: { suffix: Legacy }
  - name: under aws 7 (no manifest says otherwise)
    language: typescript
    input: "new aws.s3.Bucket('b');\n"
    expect: unchanged
"#
    );
    assert_passes(&yaml);
}

#[test]
fn template_variables_must_exist() {
    let yaml = format!(
        "{HEADER}{}",
        r#"
rules:
  - languages: [typescript]
    rule: { kind: identifier, regex: ^a$ }
    fix: b
    effects:
      - insertAfter: { template: "use($MISSING);" }
"#
    );
    let errors = match load_codemod("effects.yaml", "effects", &yaml) {
        Ok(_) => panic!("a template with an undefined metavariable must not load"),
        Err(errors) => errors,
    };
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].line, 14);
    assert!(
        errors[0].message.contains("the template uses `$MISSING`"),
        "{}",
        errors[0]
    );
}

#[test]
fn a_bad_option_value_is_an_error() {
    let yaml = format!(
        "{HEADER}{}",
        r#"
options:
  domain: { default: "not a domain!", description: "A DNS name.", pattern: "[a-z.]+" }
rules:
  - languages: [typescript]
    rule: { kind: identifier, regex: ^a$ }
    fix: "{{domain}}"
"#
    );
    let errors = load_codemod("effects.yaml", "effects", &yaml)
        .err()
        .expect("must fail");
    assert!(
        errors[0]
            .to_string()
            .contains("option `domain`: `not a domain!` does not match `[a-z.]+`"),
        "{}",
        errors[0]
    );
}
