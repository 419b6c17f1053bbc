//! Helpers: temporary projects and running the binary.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A temporary directory to run iacfix in.
pub struct Project {
    dir: tempfile::TempDir,
}

/// What a run of the binary printed and returned.
#[derive(Debug)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Project {
    pub fn new() -> Project {
        Project {
            dir: tempfile::tempdir().expect("create a temporary directory"),
        }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    /// Writes a file (creating its directories).
    pub fn file(&self, relative: &str, content: impl AsRef<[u8]>) -> &Project {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
        self
    }

    pub fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.path(relative)).unwrap()
    }

    pub fn read_bytes(&self, relative: &str) -> Vec<u8> {
        std::fs::read(self.path(relative)).unwrap()
    }

    /// Copies a directory of the repository (e.g. `tests/examples/broken-typescript`) in.
    pub fn copy_from_repo(&self, from: &str, to: &str) -> &Project {
        copy_dir(&repo_path(from), &self.path(to));
        self
    }

    /// Runs `iacfix` with `args` in the project's root.
    pub fn iacfix(&self, args: &[&str]) -> Output {
        run_in(self.root(), args)
    }

    /// Runs `git` in the project's root, failing the test if git fails.
    pub fn git(&self, args: &[&str]) -> String {
        self.git_in(self.root(), args)
    }

    /// Runs `git` in a directory, failing the test if git fails.
    pub fn git_in(&self, dir: &Path, args: &[&str]) -> String {
        let output = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .expect("run git");
        assert!(
            output.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }
}

/// Runs the `iacfix` binary in `dir`.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    run_with(dir, args, &[], None)
}

/// Runs the `iacfix` binary in `dir` with extra environment variables and standard input.
pub fn run_with(dir: &Path, args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Output {
    use std::io::Write;
    let mut command = Command::new(env!("CARGO_BIN_EXE_iacfix"));
    command
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command.spawn().expect("run iacfix");
    {
        let mut input = child.stdin.take().expect("stdin is piped");
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).expect("write stdin");
        }
    }
    let output = child.wait_with_output().expect("wait for iacfix");
    Output {
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        code: output.status.code().expect("iacfix exited normally"),
    }
}

/// A path in the repository.
pub fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A codemod file that reports and fixes `oldName` → `newName` identifiers in TypeScript, with
/// the given applicability. Used to test the engine through the CLI with small codemods.
pub fn rename_codemod(applicability: &str) -> String {
    format!(
        r#"title: Rename oldName to newName
severity: hygiene
applicability: {applicability}
since: 0.1.0
message: "`oldName` is called `newName` now"
docs:
  whatItDoes: Renames `oldName`.
  why: Because.
  fixSafety: No state impact.
rules:
  - languages: [typescript]
    rule:
      kind: identifier
      regex: ^oldName$
    {fix}
tests:
  - name: renames
    language: typescript
    example: true
    input: "const oldName = 1;\n"
    {expect}
  - name: leaves others
    language: typescript
    input: "const other = 1;\n"
    expect: unchanged
"#,
        fix = if applicability == "manual" {
            ""
        } else {
            "fix: newName"
        },
        expect = if applicability == "manual" {
            "expect: reported"
        } else {
            "output: \"const newName = 1;\\n\""
        },
    )
}
