//! `cargo xtask new-codemod <id>`: a codemod file to fill in.

use crate::project_root;
use anyhow::{Context, bail};
use iacfix_catalog::is_kebab_case;

pub fn new_codemod(id: &str, languages: &[&str]) -> anyhow::Result<()> {
    if !is_kebab_case(id) {
        bail!("`{id}` is not kebab-case (lower-case letters and digits joined by `-`)");
    }
    let path = project_root().join("codemods").join(format!("{id}.yaml"));
    if path.exists() {
        bail!("{} already exists", path.display());
    }
    let mut text = format!(
        "# yaml-language-server: $schema=codemod.schema.json\n\
         title: TODO say what the fix does, in one line\n\
         severity: deploy-blocker # or security, hygiene\n\
         applicability: safe # safe only if the old code could never have deployed\n\
         since: {version}\n\
         message: \"TODO what is wrong with `$NAME`\"\n\
         references:\n  - https://www.pulumi.com/registry/packages/aws/\n\
         docs:\n  whatItDoes: |\n    TODO\n  why: |\n    TODO\n  fixSafety: |\n    TODO\n\
         rules:\n",
        version = env!("CARGO_PKG_VERSION").replace("0.0.0", "0.1.0"),
    );
    for language in languages {
        text.push_str(&format!(
            "  - languages: [{language}]\n    rule:\n      kind: identifier\n      regex: \
             ^TODO_OLD$\n      pattern: $NAME\n    fix: TODO_NEW\n"
        ));
    }
    text.push_str("tests:\n");
    for language in languages {
        let (input, output) = if *language == "python" {
            ("TODO_OLD = 1", "TODO_NEW = 1")
        } else {
            ("const TODO_OLD = 1;", "const TODO_NEW = 1;")
        };
        text.push_str(&format!(
            "  - name: TODO a realistic {language} case that must change\n    language: \
             {language}\n    example: true\n    input: |\n      {input}\n    output: |\n      \
             {output}\n  - name: TODO {language} look-alike code that must not change\n    \
             language: {language}\n    input: |\n      {output}\n    expect: unchanged\n"
        ));
    }
    std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!(
        "created codemods/{id}.yaml: fill in the TODOs, then run\n  cargo run -- test --codemods \
         codemods --select {id} --update\nand review snapshots/{id}.snap"
    );
    Ok(())
}
