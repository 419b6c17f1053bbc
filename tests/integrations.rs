//! Integrations: shell completion scripts that work, the pre-commit hooks run as pre-commit
//! runs them.

use crate::util::{Project, repo_path};
use std::process::Command;

#[test]
fn the_bash_completion_script_completes_commands_flags_and_values() {
    let project = Project::new();
    let out = project.iacfix(&["completions", "bash"]);
    assert_eq!(out.code, 0, "{out:?}");
    project.file("iacfix.bash", &out.stdout);
    // `_iacfix <command> <current word> <previous word>`, as bash calls it.
    let complete = |words: &str, cword: usize, args: &str| {
        let script = format!(
            "source iacfix.bash; COMP_WORDS=({words}); COMP_CWORD={cword}; _iacfix {args}; \
             echo \"${{COMPREPLY[@]}}\""
        );
        let output = Command::new("bash")
            .args(["-c", &script])
            .current_dir(project.root())
            .output()
            .expect("run bash");
        assert!(output.status.success(), "{output:?}");
        String::from_utf8(output.stdout).unwrap().trim().to_owned()
    };
    assert_eq!(
        complete("iacfix co", 1, "iacfix co iacfix"),
        "config completions"
    );
    assert_eq!(
        complete("iacfix check --form", 2, "iacfix --form check"),
        "--format"
    );
    assert_eq!(
        complete("iacfix check --format ''", 3, "iacfix '' --format"),
        "text concise json sarif github junit"
    );
    assert_eq!(
        complete("iacfix apply --fail-on ''", 3, "iacfix '' --fail-on"),
        "deploy-blocker security hygiene"
    );
}

#[test]
fn zsh_and_fish_scripts_define_the_completions() {
    let project = Project::new();
    let zsh = project.iacfix(&["completions", "zsh"]);
    assert!(zsh.stdout.starts_with("#compdef iacfix\n"), "{zsh:?}");
    assert!(
        zsh.stdout.contains("'--format=[How to print findings]"),
        "{}",
        zsh.stdout
    );
    let fish = project.iacfix(&["completions", "fish"]);
    assert!(
        fish.stdout
            .contains("complete -c iacfix -n \"__fish_iacfix_using_subcommand check\" -l format"),
        "{}",
        fish.stdout
    );
    let bad = project.iacfix(&["completions", "powershel"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr
            .contains("[possible values: bash, elvish, fish, powershell, zsh]")
    );
}

#[derive(serde::Deserialize)]
struct Hook {
    id: String,
    entry: String,
    language: String,
    types_or: Vec<String>,
}

fn hooks() -> Vec<Hook> {
    let text = std::fs::read_to_string(repo_path(".pre-commit-hooks.yaml")).unwrap();
    serde_saphyr::from_str(&text).expect(".pre-commit-hooks.yaml is a list of hooks")
}

/// Runs a hook's entry on `files`, from the project's root, as pre-commit does.
fn run_hook(project: &Project, hook: &Hook, files: &[&str]) -> crate::util::Output {
    let mut args: Vec<&str> = hook.entry.split_whitespace().collect();
    assert_eq!(args.remove(0), "iacfix", "{}", hook.entry);
    args.extend_from_slice(files);
    project.iacfix(&args)
}

#[test]
fn the_pre_commit_hooks_check_and_fix_the_staged_files() {
    let hooks = hooks();
    let ids: Vec<&str> = hooks.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["iacfix-check", "iacfix-apply"]);
    for hook in &hooks {
        assert_eq!(hook.language, "rust", "pre-commit builds the root package");
        assert!(
            hook.types_or.contains(&"ts".to_owned())
                && hook.types_or.contains(&"python".to_owned())
        );
    }
    let (check, apply) = (&hooks[0], &hooks[1]);

    let broken = "import * as aws from \"@pulumi/aws\";\n\nnew aws.route53.Zone(\"z\", { name: \"z.example.com\" });\n";
    let project = Project::new();
    project
        .file("iacfix.toml", "exclude = [\"vendor/\"]\n")
        .file("index.ts", broken)
        .file("vendor/index.ts", broken);
    project.git(&["init", "-q"]);
    project.git(&["add", "-A"]);
    project.git(&[
        "-c",
        "user.name=T",
        "-c",
        "user.email=t@example.org",
        "commit",
        "-qm",
        "broken",
    ]);
    // The staged change: index.ts edited (pre-commit keeps it staged: the tree is "dirty").
    project.file("index.ts", format!("{broken}// edited\n"));
    project.git(&["add", "index.ts"]);

    let out = run_hook(&project, check, &["index.ts", "vendor/index.ts"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(
        out.stdout,
        "index.ts:3:35: route53-reserved-domain [*] zone name \"z.example.com\" is on a reserved \
         documentation domain: Route 53 refuses to create it\n\
         Found 1 finding in 1 of 1 file (1 fixable with `iacfix apply`).\n",
        "vendor/ is excluded even when named"
    );
    let out = run_hook(&project, apply, &["index.ts", "vendor/index.ts"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(project.read("index.ts").contains("z.test.local"));
    assert_eq!(project.read("vendor/index.ts"), broken);
    // pre-commit sees the file changed and fails the commit; the next attempt passes.
    let out = run_hook(&project, check, &["index.ts"]);
    assert_eq!(out.code, 0, "{out:?}");
}
