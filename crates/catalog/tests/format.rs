//! The codemod format carries ast-grep's rule language whole: utils, constraints, transform,
//! rewriters, fix with expandEnd, and rules for several languages (YAML included) in one file.

use iacfix_catalog::load_codemod;
use iacfix_catalog::testing::run_cases;

const FEATURES: &str = r#"
title: Exercise the rule language
severity: hygiene
applicability: safe
since: 0.1.0
message: "found $$$ITEMS"
docs: { whatItDoes: x, why: y, fixSafety: z }
rules:
  # fix with expandEnd: remove a property and the comma after it.
  - languages: [typescript, javascript]
    message: legacyFlag is gone
    rule:
      kind: pair
      has: { field: key, regex: ^legacyFlag$ }
    fix:
      template: ""
      expandEnd: { regex: "^,$" }
  # rewriters in a transform: quote every number of a `ports([...])` call.
  - languages: [tsx]
    rule: { pattern: "ports([$$$ITEMS])", has: { kind: number, stopBy: end } }
    rewriters:
      - id: quote
        rule: { kind: number, pattern: $N }
        fix: '"$N"'
    transform:
      QUOTED:
        rewrite: { rewriters: [quote], source: $$$ITEMS, joinBy: ", " }
    fix: "ports([$QUOTED])"
  # utils, constraints and a replace transform.
  - languages: [python]
    message: old_ helpers are renamed
    utils:
      old-helper: { kind: identifier, regex: ^old_ }
    rule:
      pattern: $F($ARG)
      has: { field: function, matches: old-helper }
    constraints:
      ARG: { kind: string }
    transform:
      NEW: { replace: { source: $F, replace: ^old_, by: new_ } }
    fix: $NEW($ARG)
  # YAML, e.g. Pulumi.yaml.
  - languages: [yaml]
    message: nodejs14 is not a Pulumi runtime name
    rule: { kind: string_scalar, regex: ^nodejs14$ }
    fix: nodejs
tests:
  - name: expandEnd removes the comma
    language: typescript
    example: true
    input: "const o = { a: 1, legacyFlag: true, b: 2 };\n"
    output: "const o = { a: 1, b: 2 };\n"
  - name: rewriters
    language: tsx
    input: "ports([80, 443]);\n"
    output: "ports([\"80\", \"443\"]);\n"
  - name: utils and constraints
    language: python
    input: "old_fetch('x')\nold_fetch(x)\nfetch('y')\n"
    output: "new_fetch('x')\nold_fetch(x)\nfetch('y')\n"
  - name: yaml
    language: yaml
    input: "name: app\nruntime: nodejs14\n"
    output: "name: app\nruntime: nodejs\n"
  - name: expandEnd on its own line
    language: javascript
    input: "const o = {\n    a: 1,\n    legacyFlag: true,\n    b: 2,\n};\n"
    output: "const o = {\n    a: 1,\n    b: 2,\n};\n"
  - name: nothing to do
    language: javascript
    input: "const o = { a: 1, b: 2 };\nports([\"80\"]);\n"
    expect: unchanged
"#;

#[test]
fn the_rule_language_features_work_through_the_format() {
    let loaded = load_codemod("features.yaml", "features", FEATURES)
        .unwrap_or_else(|errors| panic!("{errors:?}"));
    let outcome = run_cases(loaded);
    let failures: Vec<String> = outcome
        .cases
        .iter()
        .flat_map(|c| c.failures.iter().map(move |f| format!("{}: {f}", c.name)))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(outcome.passed(), "{:?}", outcome.coverage);
}

#[test]
fn a_case_whose_output_is_wrong_fails() {
    let wrong = FEATURES.replace(
        "output: \"const o = { a: 1, b: 2 };\\n\"",
        "output: \"const o = { a: 1, legacy: 2 };\\n\"",
    );
    assert_ne!(wrong, FEATURES);
    let outcome = run_cases(load_codemod("features.yaml", "features", &wrong).unwrap());
    assert!(!outcome.passed());
    let failed: Vec<&str> = outcome
        .cases
        .iter()
        .filter(|c| !c.failures.is_empty())
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(failed, ["expandEnd removes the comma"]);
}

#[test]
fn a_codemod_without_an_unchanged_case_fails_its_tests() {
    let without = FEATURES.replace("    expect: unchanged\n", "    output: \"x\\n\"\n");
    let outcome = run_cases(load_codemod("features.yaml", "features", &without).unwrap());
    assert!(!outcome.passed());
    assert_eq!(
        outcome.coverage,
        ["no case with `expect: unchanged` (look-alike code that must not change)"]
    );
}
