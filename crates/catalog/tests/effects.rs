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

#[test]
fn lookup_snap_and_truncate_vars_drive_the_fix_and_the_message() {
    let yaml = format!(
        "{HEADER}{}",
        r#"
tables:
  versions:
    "aurora-postgresql 15.3": "15.10"
    "aurora-postgresql 13.9": "13.18"
rules:
  # A table: the engine is a sibling property, in any of its spellings.
  - languages: [typescript]
    rule:
      kind: string
      pattern: $V
      inside:
        kind: pair
        has: { field: key, regex: ^engineVersion$ }
        inside:
          kind: object
          has:
            kind: pair
            all:
              - has: { field: key, regex: ^engine$ }
              - has: { field: value, pattern: $ENGINE }
    transform:
      ENGINE_NAME:
        replace: { source: $ENGINE, replace: '^(?:.*\.)?', by: "" }
    vars:
      - name: $NEW
        lookup: { table: versions, key: "$ENGINE_NAME $V", normalize: true }
    message: "$V is retired: $NEW"
    fix: '"$NEW"'
  # The nearest allowed integer.
  - languages: [typescript]
    rule:
      kind: number
      pattern: $DAYS
      inside: { kind: pair, has: { field: key, regex: ^retentionInDays$ } }
    vars:
      - name: $ALLOWED
        snap: { value: $DAYS, to: [1, 3, 5, 7, 14, 30, 60, 90] }
    fix: $ALLOWED
  # A name cut to 32 characters with a hash.
  - languages: [typescript]
    rule:
      kind: string_fragment
      pattern: $NAME
      inside: { kind: string, inside: { kind: pair, has: { field: key, regex: ^lbName$ } } }
    vars:
      - name: $SHORT
        truncate: { value: $NAME, max: 32 }
    fix: $SHORT
tests:
  - name: each variable
    language: typescript
    example: true
    input: |
      const a = { engine: "aurora-postgresql", engineVersion: "15.3" };
      const b = { engine: rds.EngineType.AuroraPostgresql, engineVersion: "13.9" };
      const c = { retentionInDays: 12 };
      const d = { retentionInDays: 4 };
      const e = { lbName: "orders-service-production-internal-alb" };
    output: |
      const a = { engine: "aurora-postgresql", engineVersion: "15.10" };
      const b = { engine: rds.EngineType.AuroraPostgresql, engineVersion: "13.18" };
      const c = { retentionInDays: 14 };
      const d = { retentionInDays: 5 };
      const e = { lbName: "orders-service-producti-8e68e77c" };
  - name: nothing to look up, snap or cut
    language: typescript
    input: |
      const a = { engine: "aurora-postgresql", engineVersion: "15.10" };
      const b = { engine: "mysql", engineVersion: "15.3" };
      const c = { retentionInDays: 14 };
      const e = { lbName: "orders-alb" };
    expect: unchanged
"#
    );
    let snapshot = assert_passes(&yaml);
    assert!(
        snapshot.contains("\"15.3\" is retired: 15.10"),
        "{snapshot}"
    );
}

#[test]
fn a_lookup_of_a_table_that_does_not_exist_is_an_error() {
    let yaml = format!(
        "{HEADER}{}",
        r#"
rules:
  - languages: [typescript]
    rule: { kind: string, pattern: $V }
    vars:
      - name: $NEW
        lookup: { table: versions, key: $V }
    fix: $NEW
"#
    );
    let errors = load_codemod("effects.yaml", "effects", &yaml)
        .err()
        .expect("an error");
    let text = errors
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        text.contains("`$NEW` looks up `versions`, which is not a table"),
        "{text}"
    );
}

#[test]
fn replace_matches_rewrites_the_other_references_of_the_match() {
    let yaml = format!(
        "{HEADER}{}",
        r#"
rules:
  - languages: [typescript]
    rule:
      kind: pair
      has: { field: key, regex: ^stageName$ }
      inside:
        kind: object
        inside:
          kind: arguments
          inside:
            kind: new_expression
            inside: { kind: variable_declarator, has: { field: name, pattern: $D } }
    fix: { template: "", expandEnd: { regex: "^,$" } }
    transform:
      STAGE: { replace: { source: $D, replace: "^(.*)$", by: "${1}Stage" } }
    effects:
      - replaceMatches:
          rule: { pattern: $D.$ATTR, has: { field: property, regex: ^(invokeUrl|executionArn)$ } }
          with: $STAGE.$ATTR
  - languages: [python]
    rule:
      kind: keyword_argument
      has: { field: name, regex: ^stage_name$ }
      inside:
        kind: argument_list
        inside:
          kind: call
          inside: { kind: assignment, has: { field: left, pattern: $D } }
    fix: { template: "", expandEnd: { regex: "^,$" } }
    transform:
      STAGE: { replace: { source: $D, replace: "^(.*)$", by: "${1}_stage" } }
    effects:
      - replaceMatches:
          rule: { pattern: $D.invoke_url }
          with: $STAGE.invoke_url
tests:
  - name: every reference of the same variable
    language: typescript
    example: true
    input: |
      const deployment = new Deployment("d", { stageName: "prod", restApi: api.id });
      const other = new Deployment("o", { restApi: api.id });
      export const url = deployment.invokeUrl;
      export const arn = deployment.executionArn;
      export const id = deployment.id;
      export const otherUrl = other.invokeUrl;
    output: |
      const deployment = new Deployment("d", { restApi: api.id });
      const other = new Deployment("o", { restApi: api.id });
      export const url = deploymentStage.invokeUrl;
      export const arn = deploymentStage.executionArn;
      export const id = deployment.id;
      export const otherUrl = other.invokeUrl;
  - name: python references
    language: python
    input: |
      deployment = Deployment("d", rest_api=api.id, stage_name="prod")
      pulumi.export("url", deployment.invoke_url)
      pulumi.export("other", other.invoke_url)
    output: |
      deployment = Deployment("d", rest_api=api.id)
      pulumi.export("url", deployment_stage.invoke_url)
      pulumi.export("other", other.invoke_url)
  - name: no stage name
    language: typescript
    input: |
      const deployment = new Deployment("d", { restApi: api.id });
      export const url = deployment.invokeUrl;
    expect: unchanged
  - name: no stage name in python
    language: python
    input: |
      deployment = Deployment("d", rest_api=api.id)
    expect: unchanged
"#
    );
    let snapshot = assert_passes(&yaml);
    assert!(
        snapshot.contains("+export const url = deploymentStage.invokeUrl;"),
        "{snapshot}"
    );
}

#[test]
fn add_option_extends_or_creates_the_resource_options() {
    let yaml = format!(
        "{HEADER}{}",
        r#"
rules:
  - languages: [typescript]
    rule:
      kind: new_expression
      has: { field: constructor, regex: BucketAcl$ }
      not: { has: { stopBy: end, regex: ^controls$, kind: identifier } }
    effects:
      - addOption: { key: dependsOn, value: controls }
  - languages: [python]
    rule:
      kind: call
      has: { field: function, regex: BucketAcl$ }
      not: { has: { stopBy: end, regex: ^controls$, kind: identifier } }
    effects:
      - addOption: { key: depends_on, value: controls }
tests:
  - name: options created, extended and appended to
    language: typescript
    example: true
    input: |
      new BucketAcl("a", { acl: "log-delivery-write" });
      new BucketAcl("b", { acl: "log-delivery-write" }, { parent: this });
      new BucketAcl("c", {
          acl: "log-delivery-write",
      }, {
          dependsOn: [bucket],
      });
    output: |
      new BucketAcl("a", { acl: "log-delivery-write" }, { dependsOn: [controls] });
      new BucketAcl("b", { acl: "log-delivery-write" }, { parent: this, dependsOn: [controls] });
      new BucketAcl("c", {
          acl: "log-delivery-write",
      }, {
          dependsOn: [bucket, controls],
      });
  - name: python options, with the import they need
    language: python
    input: |
      BucketAcl("a", acl="log-delivery-write")
      BucketAcl(
          "b",
          acl="log-delivery-write",
          opts=ResourceOptions(parent=self),
      )
    output: |
      import pulumi
      BucketAcl("a", acl="log-delivery-write", opts=pulumi.ResourceOptions(depends_on=[controls]))
      BucketAcl(
          "b",
          acl="log-delivery-write",
          opts=ResourceOptions(parent=self, depends_on=[controls]),
      )
  - name: options in a variable are reported, not edited
    language: typescript
    input: |
      new BucketAcl("a", { acl: "log-delivery-write" }, opts);
    expect: reported
  - name: already there
    language: python
    input: |
      BucketAcl("a", acl="x", opts=ResourceOptions(depends_on=[controls]))
    expect: unchanged
"#
    );
    assert_passes(&yaml);
}

#[test]
fn number_vars_give_rewritten_elements_distinct_ids() {
    let yaml = format!(
        "{HEADER}{}",
        r#"
rules:
  - languages: [typescript]
    rule:
      kind: pair
      all:
        - has: { field: key, regex: ^rules$ }
        - has: { field: value, kind: array, pattern: $RULES }
    rewriters:
      - id: with-id
        rule:
          kind: object
          pattern: $OBJECT
          inside: { kind: array }
          not: { has: { kind: pair, has: { field: key, regex: ^id$ } } }
        transform:
          ENTRIES: { substring: { source: $OBJECT, startChar: 1, endChar: -1 } }
        fix: "{ id: \"rule-%N\",$ENTRIES}"
    transform:
      WITH_IDS: { rewrite: { source: $RULES, rewriters: [with-id] } }
    vars:
      - name: $NUMBERED
        number: { value: $WITH_IDS, placeholder: "%N" }
    fix: "rules: $NUMBERED"
tests:
  - name: each rule without an id gets the next number
    language: typescript
    example: true
    input: |
      const config = { rules: [{ days: 1 }, { id: "keep", days: 2 }, { days: 3 }] };
    output: |
      const config = { rules: [{ id: "rule-1", days: 1 }, { id: "keep", days: 2 }, { id: "rule-2", days: 3 }] };
  - name: every rule has an id
    language: typescript
    input: |
      const config = { rules: [{ id: "keep", days: 2 }] };
    expect: unchanged
"#
    );
    assert_passes(&yaml);
}

#[test]
fn file_conditions_and_vars_see_the_program_files() {
    let yaml = format!(
        "{HEADER}{}",
        r#"
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
        file: { among: [index.ts, "bin/*.ts", __main__.py] }
    effects:
      - replace: { with: $ENTRY }
  - languages: [yaml]
    message: "`main: $MAIN` does not exist, and several programs could be the entry point"
    rule:
      kind: flow_node
      pattern: $MAIN
      inside: { kind: block_mapping_pair, field: value, has: { field: key, regex: ^main$ } }
    conditions:
      - missingFile: $MAIN
      - fileCount: { among: [index.ts, "bin/*.ts", __main__.py], is: many }
tests:
  - name: the one program that exists
    language: yaml
    path: Pulumi.yaml
    example: true
    input: |
      name: tap
      runtime: nodejs
      main: src/index.ts # the entry point
    output: |
      name: tap
      runtime: nodejs
      main: bin/tap.ts # the entry point
    files:
      bin/tap.ts: { input: "export {};\n" }
      lib/stack.ts: { input: "export {};\n" }
  - name: a main that exists, as a file or a directory
    language: yaml
    path: Pulumi.yaml
    input: |
      name: tap
      runtime: nodejs
      main: bin/
    files:
      bin/tap.ts: { input: "export {};\n" }
    expect: unchanged
  - name: ambiguous
    language: yaml
    path: Pulumi.yaml
    input: |
      name: tap
      main: app.ts
    files:
      index.ts: { input: "export {};\n" }
      bin/tap.ts: { input: "export {};\n" }
    expect: reported
"#
    );
    let snapshot = assert_passes(&yaml);
    assert!(
        snapshot.contains("several programs could be the entry point"),
        "{snapshot}"
    );
}

#[test]
fn add_option_to_related_resources_and_add_entry() {
    let yaml = format!(
        "{HEADER}{}",
        r#"
rules:
  # A bucket gets a public access block, and its policies depend on it.
  - languages: [typescript]
    rule:
      kind: new_expression
      has: { field: constructor, regex: \.Bucket$ }
      inside: { kind: variable_declarator, has: { field: name, pattern: $B } }
    transform:
      BLOCK: { replace: { source: $B, replace: "^(.*)$", by: "${1}Block" } }
    conditions:
      - absent:
          rule:
            kind: new_expression
            all:
              - has: { field: constructor, regex: BucketPublicAccessBlock$ }
              - has: { stopBy: end, kind: member_expression, pattern: $B.id }
    effects:
      - insertAfter:
          template: |
            const $BLOCK = new aws.s3.BucketPublicAccessBlock("b", { bucket: $B.id });
      - addOption:
          rule:
            kind: new_expression
            all:
              - has: { field: constructor, regex: BucketPolicy$ }
              - has: { stopBy: end, kind: member_expression, pattern: $B.id }
          key: dependsOn
          value: $BLOCK
  # A key without a policy gets one.
  - languages: [python]
    rule:
      kind: call
      has: { field: function, regex: kms\.Key$ }
      not: { has: { stopBy: end, kind: keyword_argument, has: { field: name, regex: ^policy$ } } }
    effects:
      - addEntry: { entry: "policy=key_policy" }
tests:
  - name: the policies of that bucket only
    language: typescript
    example: true
    input: |
      const logs = new aws.s3.Bucket("logs", {});
      new aws.s3.BucketPolicy("p", { bucket: logs.id, policy: "{}" });
      new aws.s3.BucketPolicy("q", { bucket: other.id, policy: "{}" }, { parent: this });
    output: |
      const logs = new aws.s3.Bucket("logs", {});
      const logsBlock = new aws.s3.BucketPublicAccessBlock("b", { bucket: logs.id });
      new aws.s3.BucketPolicy("p", { bucket: logs.id, policy: "{}" }, { dependsOn: [logsBlock] });
      new aws.s3.BucketPolicy("q", { bucket: other.id, policy: "{}" }, { parent: this });
  - name: a key's arguments, one line and several
    language: python
    input: |
      a = aws.kms.Key("a", description="x")
      b = aws.kms.Key(
          "b",
          description="y",
      )
      c = aws.kms.Key("c", policy="{}")
    output: |
      a = aws.kms.Key("a", description="x", policy=key_policy)
      b = aws.kms.Key(
          "b",
          description="y",
          policy=key_policy,
      )
      c = aws.kms.Key("c", policy="{}")
  - name: nothing to add
    language: python
    input: |
      c = aws.kms.Key("c", policy="{}")
    expect: unchanged
  - name: not a bucket
    language: typescript
    input: |
      const q = new aws.sqs.Queue("q", {});
    expect: unchanged
"#
    );
    assert_passes(&yaml);
}

#[test]
fn distinct_conditions_find_another_value_through_a_transform() {
    let yaml = format!(
        "{}{}",
        HEADER.replace("applicability: unsafe", "applicability: manual"),
        r#"
rules:
  - languages: [typescript]
    message: "region $REGION, and another one"
    rule: &region { kind: string_fragment, pattern: $LIT, regex: "(us|eu)-(east|west)-[0-9]" }
    transform: &transform
      REGION: { replace: { source: $LIT, replace: '^.*((us|eu)-(east|west)-[0-9]).*$', by: "${1}" } }
    conditions:
      - present: { rule: *region, transform: *transform, distinct: true }
tests:
  - name: two regions
    language: typescript
    example: true
    input: |
      const a = "us-east-1a";
      const b = "arn:aws:sns:eu-west-1:1:t";
    expect: reported
  - name: one region, written twice
    language: typescript
    input: |
      const a = "us-east-1a";
      const b = "arn:aws:sns:us-east-1:1:t";
    expect: unchanged
"#
    );
    let snapshot = assert_passes(&yaml);
    assert!(
        snapshot.contains("region us-east-1, and another one"),
        "{snapshot}"
    );
    assert!(
        snapshot.contains("region eu-west-1, and another one"),
        "{snapshot}"
    );
}
