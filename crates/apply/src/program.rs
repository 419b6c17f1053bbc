//! Pulumi programs on disk: which program a file belongs to (the nearest directory with a
//! `Pulumi.yaml`), the manifests that declare its dependencies, and its provider versions.

use iacfix_core::{ManifestKind, ProviderVersions};
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

/// The project file that makes a directory a Pulumi program.
pub const PROJECT_FILES: &[&str] = &["Pulumi.yaml", "Pulumi.yml"];

/// A program: its root directory and the manifests that serve it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Program {
    pub root: PathBuf,
    /// For each kind, the nearest manifest at or above the root.
    pub manifests: Vec<(ManifestKind, PathBuf)>,
}

impl Program {
    /// The provider versions its manifests declare (unreadable manifests are ignored here; the
    /// dependency step reports them if it needs them).
    pub fn providers(&self) -> ProviderVersions {
        let texts: Vec<(ManifestKind, String)> = self
            .manifests
            .iter()
            .filter_map(|(kind, path)| Some((*kind, std::fs::read_to_string(path).ok()?)))
            .collect();
        ProviderVersions::from_manifests(texts.iter().map(|(k, t)| (*k, t.as_str())))
    }
}

/// Finds programs, caching directory lookups: the root of each directory, and which project
/// and manifest files each directory has (every program looks up the same ancestors: their
/// files are looked for once in the run, not once per program).
#[derive(Default)]
pub struct Programs {
    roots: HashMap<PathBuf, PathBuf>,
    /// Bit `i` set: the directory has the file `marker_name(i)`.
    markers: HashMap<PathBuf, u32>,
}

/// The files looked for in a directory: the project files, then each kind of manifest.
fn marker_name(i: usize) -> Option<&'static str> {
    PROJECT_FILES
        .get(i)
        .copied()
        .or_else(|| Some(ManifestKind::ALL.get(i - PROJECT_FILES.len())?.file_name()))
}

impl Programs {
    fn is_file(&mut self, path: PathBuf) -> bool {
        let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
            return path.is_file();
        };
        let Some(bit) = (0..).map_while(marker_name).position(|n| name == n) else {
            return path.is_file();
        };
        let markers = match self.markers.get(dir) {
            Some(markers) => *markers,
            None => {
                let markers = (0..)
                    .map_while(marker_name)
                    .enumerate()
                    .filter(|(_, n)| dir.join(n).is_file())
                    .fold(0u32, |m, (i, _)| m | 1 << i);
                self.markers.insert(dir.to_path_buf(), markers);
                markers
            }
        };
        markers & (1 << bit) != 0
    }

    /// The program rooted at `root`, with its nearest manifests (as [`program_at`]).
    pub fn program_at(&mut self, root: &Path) -> Program {
        let absolute = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
        let mut manifests = Vec::new();
        for kind in ManifestKind::ALL {
            if let Some(dir) = absolute
                .ancestors()
                .find(|d| self.is_file(d.join(kind.file_name())))
            {
                let path = if dir == absolute {
                    root.join(kind.file_name())
                } else {
                    dir.join(kind.file_name())
                };
                manifests.push((kind, path));
            }
        }
        Program {
            root: root.to_path_buf(),
            manifests,
        }
    }

    /// The program root of a file: the nearest ancestor directory with a Pulumi.yaml; without
    /// one, the nearest with a package manifest; else the file's directory.
    pub fn root_of(&mut self, file: &Path) -> PathBuf {
        let dir = file
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        let dir = if dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir
        };
        if let Some(root) = self.roots.get(&dir) {
            return root.clone();
        }
        let absolute = std::path::absolute(&dir).unwrap_or_else(|_| dir.clone());
        let mut has = |names: &[&str], d: &Path| names.iter().any(|n| self.is_file(d.join(n)));
        let manifest_names: Vec<&str> = ManifestKind::ALL.iter().map(|k| k.file_name()).collect();
        let found = match absolute.ancestors().find(|d| has(PROJECT_FILES, d)) {
            Some(found) => Some(found),
            None => absolute.ancestors().find(|d| has(&manifest_names, d)),
        };
        let root = found.map_or(dir.clone(), |found| relative_like(&dir, &absolute, found));
        self.roots.insert(dir, root.clone());
        root
    }
}

/// `found` (an ancestor of `absolute`, the absolute form of `dir`) written relative like `dir`.
fn relative_like(dir: &Path, absolute: &Path, found: &Path) -> PathBuf {
    let ups = absolute.components().count() - found.components().count();
    if dir.is_absolute() {
        return found.to_path_buf();
    }
    let mut parts: Vec<Component<'_>> = dir
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect();
    for _ in 0..ups {
        match parts.last() {
            Some(Component::Normal(_)) => {
                parts.pop();
            }
            _ => parts.push(Component::ParentDir),
        }
    }
    if parts.is_empty() {
        PathBuf::from(".")
    } else {
        parts.iter().collect()
    }
}

/// The program rooted at `root`, with its nearest manifests.
pub fn program_at(root: &Path) -> Program {
    Programs::default().program_at(root)
}

/// A Pulumi project: a directory with a `Pulumi.yaml`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Project {
    /// The directory of its `Pulumi.yaml`.
    pub root: PathBuf,
    pub name: String,
    /// `nodejs`, `python`, `yaml`, ...
    pub runtime: String,
    /// The `main:` entry, if set.
    pub main: Option<String>,
    /// The stacks with a `Pulumi.<stack>.yaml` beside it, sorted.
    pub stacks: Vec<String>,
}

#[derive(serde::Deserialize)]
struct ProjectFile {
    #[serde(default)]
    name: String,
    #[serde(default)]
    runtime: Option<Runtime>,
    #[serde(default)]
    main: Option<String>,
}

#[derive(serde::Deserialize)]
#[serde(untagged)]
enum Runtime {
    Name(String),
    Full { name: String },
}

/// The Pulumi projects under `path` (walked respecting `.gitignore`), sorted by root. A
/// `Pulumi.yaml` that cannot be read still counts, with what could be read of it.
pub fn projects_under(path: &Path) -> Vec<Project> {
    let mut projects = Vec::new();
    let walk = crate::run::source_walk(path).build();
    for entry in walk.flatten() {
        let name = entry.file_name().to_string_lossy();
        if !PROJECT_FILES.contains(&name.as_ref())
            || !entry.file_type().is_some_and(|t| t.is_file())
        {
            continue;
        }
        let root = entry
            .path()
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        let file: Option<ProjectFile> = std::fs::read_to_string(entry.path())
            .ok()
            .and_then(|text| serde_saphyr::from_str(&text).ok());
        let (name, runtime, main) = match file {
            Some(file) => (
                file.name,
                match file.runtime {
                    Some(Runtime::Name(name) | Runtime::Full { name }) => name,
                    None => String::new(),
                },
                file.main,
            ),
            None => (String::new(), String::new(), None),
        };
        let mut stacks: Vec<String> = std::fs::read_dir(&root)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok())
                    .filter_map(|e| {
                        let file = e.file_name().to_string_lossy().into_owned();
                        let stack = file
                            .strip_prefix("Pulumi.")?
                            .strip_suffix(".yaml")
                            .or_else(|| file.strip_prefix("Pulumi.")?.strip_suffix(".yml"))?;
                        (!stack.is_empty()).then(|| stack.to_owned())
                    })
                    .collect()
            })
            .unwrap_or_default();
        stacks.sort();
        projects.push(Project {
            root,
            name,
            runtime,
            main,
            stacks,
        });
    }
    projects.sort_by(|a, b| a.root.cmp(&b.root));
    projects
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_program_root_and_its_manifests() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path();
        std::fs::create_dir_all(base.join("repo/infra/src")).unwrap();
        std::fs::write(base.join("repo/package-lock.json"), "{}").unwrap();
        std::fs::write(base.join("repo/infra/Pulumi.yaml"), "name: x\n").unwrap();
        std::fs::write(base.join("repo/infra/package.json"), "{}").unwrap();
        let mut programs = Programs::default();
        let root = programs.root_of(&base.join("repo/infra/src/index.ts"));
        assert_eq!(root, base.join("repo/infra"));
        let program = program_at(&root);
        assert_eq!(
            program.manifests,
            [
                (
                    ManifestKind::PackageLock,
                    base.join("repo/package-lock.json")
                ),
                (
                    ManifestKind::PackageJson,
                    base.join("repo/infra/package.json")
                ),
            ]
        );
        // No Pulumi.yaml, no manifest: the file's directory.
        std::fs::create_dir_all(base.join("loose")).unwrap();
        let mut programs = Programs::default();
        assert_eq!(
            programs.root_of(&base.join("loose/a.py")),
            base.join("loose")
        );
    }

    #[test]
    fn finds_projects_and_their_stacks() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path();
        std::fs::create_dir_all(base.join("infra/network")).unwrap();
        std::fs::create_dir_all(base.join("node_modules/x")).unwrap();
        std::fs::write(
            base.join("infra/Pulumi.yaml"),
            "name: app\nruntime: nodejs\nmain: src/index.ts\n",
        )
        .unwrap();
        std::fs::write(base.join("infra/Pulumi.dev.yaml"), "config: {}\n").unwrap();
        std::fs::write(base.join("infra/Pulumi.prod.yaml"), "config: {}\n").unwrap();
        std::fs::write(
            base.join("infra/network/Pulumi.yaml"),
            "name: network\nruntime:\n  name: python\n  options:\n    virtualenv: venv\n",
        )
        .unwrap();
        std::fs::write(base.join("node_modules/x/Pulumi.yaml"), "name: vendored\n").unwrap();
        let projects = projects_under(base);
        assert_eq!(
            projects,
            [
                Project {
                    root: base.join("infra"),
                    name: "app".into(),
                    runtime: "nodejs".into(),
                    main: Some("src/index.ts".into()),
                    stacks: vec!["dev".into(), "prod".into()],
                },
                Project {
                    root: base.join("infra/network"),
                    name: "network".into(),
                    runtime: "python".into(),
                    main: None,
                    stacks: vec![],
                },
            ]
        );
    }

    #[test]
    fn relative_roots_stay_relative() {
        assert_eq!(
            relative_like(Path::new("a/b"), Path::new("/x/a/b"), Path::new("/x/a")),
            PathBuf::from("a")
        );
        assert_eq!(
            relative_like(Path::new("a"), Path::new("/x/a"), Path::new("/x")),
            PathBuf::from(".")
        );
        assert_eq!(
            relative_like(Path::new("."), Path::new("/x/a"), Path::new("/x")),
            PathBuf::from("..")
        );
    }
}
