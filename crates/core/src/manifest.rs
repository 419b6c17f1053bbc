//! Package manifests, as text: which Pulumi provider versions a program declares (package.json,
//! requirements.txt, pyproject.toml and their lock files) and adding a dependency while keeping
//! the file's formatting. Pure functions: the caller reads and writes the files.

use crate::Lang;
use ast_grep_core::tree_sitter::LanguageExt;
use ast_grep_language::SupportLang;
use std::collections::BTreeMap;
use std::fmt;

/// The newest major version of each provider known to this iacfix (assumed when a program's
/// manifests do not say). Checked against the npm and PyPI registries on 2026-11-23.
pub const NEWEST_MAJORS: &[(&str, u64)] = &[("aws", 7), ("pulumi", 3), ("random", 4)];

/// Where a package is declared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ecosystem {
    /// `package.json` (TypeScript, JavaScript)
    Npm,
    /// `requirements.txt` or `pyproject.toml` (Python)
    PyPi,
}

impl Ecosystem {
    /// The ecosystem of a language's programs.
    pub fn of(lang: Lang) -> Option<Ecosystem> {
        match lang {
            Lang::TypeScript | Lang::Tsx | Lang::JavaScript => Some(Ecosystem::Npm),
            Lang::Python => Some(Ecosystem::PyPi),
            Lang::Yaml => None,
        }
    }
}

/// The files that declare dependencies, by file name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ManifestKind {
    PackageJson,
    PackageLock,
    YarnLock,
    Requirements,
    Pyproject,
    PoetryLock,
    UvLock,
}

impl ManifestKind {
    /// Manifests in the order the provider version is read from them: lock files first.
    pub const ALL: [ManifestKind; 7] = [
        ManifestKind::PackageLock,
        ManifestKind::YarnLock,
        ManifestKind::PoetryLock,
        ManifestKind::UvLock,
        ManifestKind::PackageJson,
        ManifestKind::Requirements,
        ManifestKind::Pyproject,
    ];

    pub fn file_name(self) -> &'static str {
        match self {
            ManifestKind::PackageJson => "package.json",
            ManifestKind::PackageLock => "package-lock.json",
            ManifestKind::YarnLock => "yarn.lock",
            ManifestKind::Requirements => "requirements.txt",
            ManifestKind::Pyproject => "pyproject.toml",
            ManifestKind::PoetryLock => "poetry.lock",
            ManifestKind::UvLock => "uv.lock",
        }
    }

    pub fn from_file_name(name: &str) -> Option<ManifestKind> {
        ManifestKind::ALL
            .into_iter()
            .find(|k| k.file_name() == name)
    }

    pub fn ecosystem(self) -> Ecosystem {
        match self {
            ManifestKind::PackageJson | ManifestKind::PackageLock | ManifestKind::YarnLock => {
                Ecosystem::Npm
            }
            _ => Ecosystem::PyPi,
        }
    }

    /// Whether iacfix adds dependencies to this file (lock files are left to the package manager).
    pub fn is_editable(self) -> bool {
        matches!(
            self,
            ManifestKind::PackageJson | ManifestKind::Requirements | ManifestKind::Pyproject
        )
    }
}

/// The provider a package is, if it is a Pulumi one: `@pulumi/aws` and `pulumi-aws` are `aws`.
pub fn provider_of(package: &str) -> Option<String> {
    let name = package.strip_prefix("@pulumi/").or_else(|| {
        normalize(package)
            .strip_prefix("pulumi-")
            .map(|_| &package[7..])
    })?;
    Some(normalize(name))
}

/// PEP 503 normalised package name: lower case, runs of `-_.` as one `-`.
fn normalize(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// The major versions of Pulumi providers a program uses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProviderVersions {
    majors: BTreeMap<String, u64>,
}

impl ProviderVersions {
    /// Reads the providers from a program's manifests (lock files win over ranges).
    pub fn from_manifests<'a>(
        manifests: impl IntoIterator<Item = (ManifestKind, &'a str)>,
    ) -> ProviderVersions {
        let mut manifests: Vec<(ManifestKind, &str)> = manifests.into_iter().collect();
        manifests.sort_by_key(|(kind, _)| ManifestKind::ALL.iter().position(|k| k == kind));
        let mut majors = BTreeMap::new();
        for (kind, text) in manifests {
            for (package, version) in declared_versions(kind, text) {
                if let (Some(provider), Some(major)) = (provider_of(&package), major_of(&version)) {
                    majors.entry(provider).or_insert(major);
                }
            }
        }
        ProviderVersions { majors }
    }

    /// One provider at one major (for tests and cases).
    pub fn with(mut self, provider: &str, major: u64) -> ProviderVersions {
        self.majors.insert(provider.to_owned(), major);
        self
    }

    /// The major version of `provider`: as declared, else the newest known, else `u64::MAX`.
    pub fn major(&self, provider: &str) -> u64 {
        self.majors.get(provider).copied().unwrap_or_else(|| {
            NEWEST_MAJORS
                .iter()
                .find(|(name, _)| *name == provider)
                .map_or(u64::MAX, |(_, major)| *major)
        })
    }
}

/// `(package, version or range)` pairs a manifest declares.
fn declared_versions(kind: ManifestKind, text: &str) -> Vec<(String, String)> {
    match kind {
        ManifestKind::PackageJson => {
            let Ok(json) = serde_json::from_str::<serde_json::Value>(text) else {
                return Vec::new();
            };
            ["dependencies", "devDependencies", "peerDependencies"]
                .iter()
                .filter_map(|key| json.get(key)?.as_object())
                .flat_map(|deps| deps.iter())
                .filter_map(|(name, range)| Some((name.clone(), range.as_str()?.to_owned())))
                .collect()
        }
        ManifestKind::PackageLock => {
            let Ok(json) = serde_json::from_str::<serde_json::Value>(text) else {
                return Vec::new();
            };
            let mut found = Vec::new();
            if let Some(packages) = json.get("packages").and_then(|p| p.as_object()) {
                for (path, entry) in packages {
                    if let (Some(name), Some(version)) = (
                        path.strip_prefix("node_modules/"),
                        entry.get("version").and_then(|v| v.as_str()),
                    ) && !name.contains("/node_modules/")
                    {
                        found.push((name.to_owned(), version.to_owned()));
                    }
                }
            }
            if let Some(deps) = json.get("dependencies").and_then(|p| p.as_object()) {
                for (name, entry) in deps {
                    if let Some(version) = entry.get("version").and_then(|v| v.as_str()) {
                        found.push((name.clone(), version.to_owned()));
                    }
                }
            }
            found
        }
        ManifestKind::YarnLock => {
            let mut found = Vec::new();
            let mut current: Option<String> = None;
            for line in text.lines() {
                if !line.starts_with(' ') && line.ends_with(':') {
                    let spec = line.trim_end_matches(':').trim_matches('"');
                    let first = spec.split(", ").next().unwrap_or(spec).trim_matches('"');
                    // `@pulumi/aws@^7.0.0` or `@pulumi/aws@npm:^7.0.0`: the name ends at the last `@`.
                    current = first
                        .rfind('@')
                        .filter(|at| *at > 0)
                        .map(|at| first[..at].to_owned());
                } else if let Some(name) = &current {
                    let line = line.trim();
                    if let Some(version) = line
                        .strip_prefix("version ")
                        .or_else(|| line.strip_prefix("version: "))
                    {
                        found.push((name.clone(), version.trim_matches('"').to_owned()));
                        current = None;
                    }
                }
            }
            found
        }
        ManifestKind::Requirements => text
            .lines()
            .filter_map(|line| {
                let (name, rest) = requirement_name(line)?;
                Some((name.to_owned(), rest.trim().to_owned()))
            })
            .collect(),
        ManifestKind::Pyproject => {
            let Ok(doc) = text.parse::<toml_edit::DocumentMut>() else {
                return Vec::new();
            };
            let mut found = Vec::new();
            if let Some(deps) = doc
                .get("project")
                .and_then(|p| p.get("dependencies"))
                .and_then(|d| d.as_array())
            {
                for dep in deps.iter().filter_map(|d| d.as_str()) {
                    if let Some((name, rest)) = requirement_name(dep) {
                        found.push((name.to_owned(), rest.trim().to_owned()));
                    }
                }
            }
            if let Some(deps) = doc
                .get("tool")
                .and_then(|t| t.get("poetry"))
                .and_then(|p| p.get("dependencies"))
                .and_then(|d| d.as_table_like())
            {
                for (name, spec) in deps.iter() {
                    let version = spec
                        .as_str()
                        .map(str::to_owned)
                        .or_else(|| spec.get("version")?.as_str().map(str::to_owned));
                    if let Some(version) = version {
                        found.push((name.to_owned(), version));
                    }
                }
            }
            found
        }
        ManifestKind::PoetryLock | ManifestKind::UvLock => {
            let Ok(doc) = text.parse::<toml_edit::DocumentMut>() else {
                return Vec::new();
            };
            doc.get("package")
                .and_then(|p| p.as_array_of_tables())
                .map(|packages| {
                    packages
                        .iter()
                        .filter_map(|p| {
                            Some((
                                p.get("name")?.as_str()?.to_owned(),
                                p.get("version")?.as_str()?.to_owned(),
                            ))
                        })
                        .collect()
                })
                .unwrap_or_default()
        }
    }
}

/// The package name at the start of a requirement line, and the rest (its version specifier).
fn requirement_name(line: &str) -> Option<(&str, &str)> {
    let line = line.split('#').next()?.trim();
    if line.is_empty() || line.starts_with('-') {
        return None;
    }
    let end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(line.len());
    if end == 0 {
        return None;
    }
    let rest = &line[end..];
    // Extras: `pulumi-aws[extra]>=7`.
    let rest = match rest.strip_prefix('[') {
        Some(after) => after.split_once(']').map_or(after, |(_, r)| r),
        None => rest,
    };
    Some((&line[..end], rest.split(';').next().unwrap_or(rest)))
}

/// The major version a version or range allows at the least: `^7.2.0`, `>=7.0.0,<8`, `7.x`,
/// `~=7.1`, `==7.3.0` are 7; `<8.0.0` alone is 7. `None` for `*`, `latest`, or nothing to read.
pub fn major_of(spec: &str) -> Option<u64> {
    let mut upper: Option<u64> = None;
    for part in spec.split([',', ' ', '|']).filter(|p| !p.is_empty()) {
        let op_len = part
            .find(|c: char| c.is_ascii_digit() || c == 'v')
            .unwrap_or(part.len());
        let (op, version) = part.split_at(op_len);
        let version = version.trim_start_matches('v');
        let mut numbers = version.split(['.', '-', '+']);
        let Some(major) = numbers.next().and_then(|m| m.parse::<u64>().ok()) else {
            continue;
        };
        match op.trim() {
            "<" => {
                let rest_zero = numbers.all(|n| n.is_empty() || n == "0" || n == "x" || n == "*");
                upper = Some(if rest_zero {
                    major.saturating_sub(1)
                } else {
                    major
                });
            }
            "<=" => upper = Some(major),
            "!=" => {}
            _ => return Some(major),
        }
    }
    upper
}

/// A requirement on a provider's major version, as codemods write it: `>=7`, `<7`,
/// `>=6,<8`, `7`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionReq {
    comparators: Vec<(Op, u64)>,
    text: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Ge,
    Gt,
    Le,
    Lt,
    Eq,
}

impl VersionReq {
    pub fn parse(text: &str) -> Result<VersionReq, String> {
        let mut comparators = Vec::new();
        for part in text.split(',').map(str::trim) {
            let (op, number) = if let Some(n) = part.strip_prefix(">=") {
                (Op::Ge, n)
            } else if let Some(n) = part.strip_prefix("<=") {
                (Op::Le, n)
            } else if let Some(n) = part.strip_prefix('>') {
                (Op::Gt, n)
            } else if let Some(n) = part.strip_prefix('<') {
                (Op::Lt, n)
            } else if let Some(n) = part.strip_prefix("==") {
                (Op::Eq, n)
            } else {
                (Op::Eq, part)
            };
            let major = number.trim().parse::<u64>().map_err(|_| {
                format!(
                    "`{text}` is not a major-version requirement such as `>=7`, `<7` or `>=6,<8`"
                )
            })?;
            comparators.push((op, major));
        }
        Ok(VersionReq {
            comparators,
            text: text.to_owned(),
        })
    }

    pub fn matches(&self, major: u64) -> bool {
        self.comparators.iter().all(|(op, v)| match op {
            Op::Ge => major >= *v,
            Op::Gt => major > *v,
            Op::Le => major <= *v,
            Op::Lt => major < *v,
            Op::Eq => major == *v,
        })
    }
}

impl fmt::Display for VersionReq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Which of a program's manifests declares its dependencies of `ecosystem`: package.json for
/// npm; requirements.txt, else pyproject.toml, for PyPI. `T` identifies the manifest (a path).
pub fn manifest_for<T>(
    ecosystem: Ecosystem,
    available: impl IntoIterator<Item = (ManifestKind, T)>,
) -> Option<(ManifestKind, T)> {
    let preference: &[ManifestKind] = match ecosystem {
        Ecosystem::Npm => &[ManifestKind::PackageJson],
        Ecosystem::PyPi => &[ManifestKind::Requirements, ManifestKind::Pyproject],
    };
    let mut available: Vec<(ManifestKind, T)> = available
        .into_iter()
        .filter(|(kind, _)| preference.contains(kind))
        .collect();
    available.sort_by_key(|(kind, _)| preference.iter().position(|k| k == kind));
    available.into_iter().next()
}

/// A dependency a fix needs in the program's manifest.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DependencyRequest {
    pub ecosystem: Ecosystem,
    pub package: String,
    /// npm range (`^4.0.0`) or PEP 508 specifier (`>=4.0.0,<5.0.0`).
    pub requirement: String,
}

/// Why a manifest could not be edited.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ManifestError(pub String);

/// Adds `request` to a manifest's text unless it is already declared; `Ok(None)` when nothing
/// changes. Keeps the file's formatting: indentation, key order, line endings.
pub fn ensure_dependency(
    kind: ManifestKind,
    text: &str,
    request: &DependencyRequest,
) -> Result<Option<String>, ManifestError> {
    let wanted = normalize(&request.package);
    let declared = declared_versions(kind, text)
        .into_iter()
        .any(|(name, _)| normalize(&name) == wanted);
    if declared {
        return Ok(None);
    }
    match kind {
        ManifestKind::PackageJson => add_to_package_json(text, request).map(Some),
        ManifestKind::Requirements => {
            let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
            let mut out = text.to_owned();
            if !out.is_empty() && !out.ends_with('\n') {
                out.push_str(newline);
            }
            out.push_str(&format!(
                "{}{}{newline}",
                request.package, request.requirement
            ));
            Ok(Some(out))
        }
        ManifestKind::Pyproject => add_to_pyproject(text, request).map(Some),
        other => Err(ManifestError(format!(
            "{} is a lock file; iacfix does not edit it",
            other.file_name()
        ))),
    }
}

fn add_to_package_json(text: &str, request: &DependencyRequest) -> Result<String, ManifestError> {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .filter(|v| v.is_object())
        .ok_or_else(|| ManifestError("package.json is not a JSON object".into()))?;
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let root = SupportLang::Json.ast_grep(text);
    let object = root
        .root()
        .children()
        .find(|n| n.kind() == "object")
        .ok_or_else(|| ManifestError("package.json has no top-level object".into()))?;
    let pairs: Vec<_> = object.children().filter(|n| n.kind() == "pair").collect();
    let key_of = |pair: &crate::layout::SgNode<'_>| {
        pair.field("key")
            .map(|k| k.text().trim_matches('"').to_owned())
            .unwrap_or_default()
    };
    let entry = format!(
        "\"{}\": {}",
        request.package,
        serde_json::to_string(&request.requirement).expect("a string serialises")
    );
    let top_indent = pairs
        .first()
        .map(|p| crate::layout::indentation_at(text, p.range().start).to_owned())
        .unwrap_or_else(|| "  ".to_owned());
    let Some(deps) = pairs.iter().find(|p| key_of(p) == "dependencies") else {
        // No "dependencies" yet: add it as the last key.
        let value = format!(
            "\"dependencies\": {{{newline}{top_indent}{top_indent}{entry}{newline}{top_indent}}}"
        );
        return Ok(match pairs.last() {
            Some(last) => {
                let at = last.range().end;
                format!(
                    "{},{newline}{top_indent}{value}{}",
                    &text[..at],
                    &text[at..]
                )
            }
            None => {
                let at = object.range().start + 1;
                format!(
                    "{}{newline}{top_indent}{value}{newline}{}",
                    &text[..at],
                    &text[at..]
                )
            }
        });
    };
    let value = deps
        .field("value")
        .filter(|v| v.kind() == "object")
        .ok_or_else(|| ManifestError("`dependencies` in package.json is not an object".into()))?;
    let entries: Vec<_> = value.children().filter(|n| n.kind() == "pair").collect();
    if entries.is_empty() {
        let range = value.range();
        let dep_indent = crate::layout::indentation_at(text, deps.range().start);
        return Ok(format!(
            "{}{{{newline}{dep_indent}{top_indent}{entry}{newline}{dep_indent}}}{}",
            &text[..range.start],
            &text[range.end..]
        ));
    }
    let indent = crate::layout::indentation_at(text, entries[0].range().start).to_owned();
    // On one line (`{"a": "1", "b": "2"}`): stay on it.
    let one_line = !text[value.range()].contains('\n');
    let (separator, indent) = if one_line {
        (" ".to_owned(), String::new())
    } else {
        (newline.to_owned(), indent)
    };
    let newline = separator.as_str();
    // npm keeps dependencies sorted: insert before the first greater key.
    Ok(
        match entries
            .iter()
            .find(|e| key_of(e).as_str() > request.package.as_str())
        {
            Some(next) => {
                let at = next.range().start;
                format!("{}{entry},{newline}{indent}{}", &text[..at], &text[at..])
            }
            None => {
                let at = entries.last().expect("not empty").range().end;
                format!("{},{newline}{indent}{entry}{}", &text[..at], &text[at..])
            }
        },
    )
}

fn add_to_pyproject(text: &str, request: &DependencyRequest) -> Result<String, ManifestError> {
    let mut doc = text
        .parse::<toml_edit::DocumentMut>()
        .map_err(|e| ManifestError(format!("pyproject.toml is not valid TOML: {e}")))?;
    if let Some(deps) = doc
        .get_mut("project")
        .and_then(|p| p.get_mut("dependencies"))
        .and_then(|d| d.as_array_mut())
    {
        let new = format!("{}{}", request.package, request.requirement);
        let mut value = toml_edit::Value::from(new);
        if let Some(last) = deps.iter().last() {
            let prefix = last
                .decor()
                .prefix()
                .and_then(|p| p.as_str())
                .unwrap_or(" ");
            value.decor_mut().set_prefix(prefix.to_owned());
        }
        deps.push_formatted(value);
        return Ok(doc.to_string());
    }
    if let Some(deps) = doc
        .get_mut("tool")
        .and_then(|t| t.get_mut("poetry"))
        .and_then(|p| p.get_mut("dependencies"))
        .and_then(|d| d.as_table_like_mut())
    {
        deps.insert(
            &request.package,
            toml_edit::value(request.requirement.clone()),
        );
        return Ok(doc.to_string());
    }
    Err(ManifestError(
        "pyproject.toml has neither [project] dependencies nor [tool.poetry.dependencies]".into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn random_npm() -> DependencyRequest {
        DependencyRequest {
            ecosystem: Ecosystem::Npm,
            package: "@pulumi/random".into(),
            requirement: "^4.0.0".into(),
        }
    }

    fn random_pypi() -> DependencyRequest {
        DependencyRequest {
            ecosystem: Ecosystem::PyPi,
            package: "pulumi-random".into(),
            requirement: ">=4.0.0,<5.0.0".into(),
        }
    }

    #[test]
    fn majors_of_ranges() {
        for (spec, major) in [
            ("^7.2.0", Some(7)),
            ("~6.1", Some(6)),
            (">=7.0.0,<8.0.0", Some(7)),
            (">=6.0.0 <8", Some(6)),
            ("7.x", Some(7)),
            ("~=7.1", Some(7)),
            ("==6.66.3", Some(6)),
            ("<8.0.0", Some(7)),
            ("<7.5", Some(7)),
            ("7.48.0", Some(7)),
            ("*", None),
            ("latest", None),
            ("", None),
        ] {
            assert_eq!(major_of(spec), major, "{spec}");
        }
    }

    #[test]
    fn provider_names() {
        assert_eq!(provider_of("@pulumi/aws").as_deref(), Some("aws"));
        assert_eq!(provider_of("pulumi-aws").as_deref(), Some("aws"));
        assert_eq!(provider_of("pulumi_aws").as_deref(), Some("aws"));
        assert_eq!(provider_of("aws-cdk-lib"), None);
    }

    #[test]
    fn reads_provider_versions_lock_files_first() {
        let package_json = r#"{"dependencies": {"@pulumi/aws": "^6.0.0", "@pulumi/pulumi": "^3"}}"#;
        let lock = r#"{"lockfileVersion": 3, "packages": {"": {}, "node_modules/@pulumi/aws": {"version": "7.1.0"}}}"#;
        let versions = ProviderVersions::from_manifests([
            (ManifestKind::PackageJson, package_json),
            (ManifestKind::PackageLock, lock),
        ]);
        assert_eq!(versions.major("aws"), 7);
        assert_eq!(versions.major("pulumi"), 3);
        // Not declared: the newest known major.
        assert_eq!(versions.major("random"), 4);

        let only_json =
            ProviderVersions::from_manifests([(ManifestKind::PackageJson, package_json)]);
        assert_eq!(only_json.major("aws"), 6);

        let requirements = "pulumi>=3.0.0,<4.0.0\npulumi_aws==6.66.0  # pinned\n-r base.txt\n";
        let py = ProviderVersions::from_manifests([(ManifestKind::Requirements, requirements)]);
        assert_eq!(py.major("aws"), 6);

        let pyproject = "[project]\nname = \"x\"\ndependencies = [\"pulumi>=3\", \"pulumi-aws[extras]>=7.0.0,<8\"]\n";
        assert_eq!(
            ProviderVersions::from_manifests([(ManifestKind::Pyproject, pyproject)]).major("aws"),
            7
        );
        let poetry = "[tool.poetry.dependencies]\npython = \"^3.11\"\npulumi-aws = \"^6.5\"\n";
        assert_eq!(
            ProviderVersions::from_manifests([(ManifestKind::Pyproject, poetry)]).major("aws"),
            6
        );
        let poetry_lock = "[[package]]\nname = \"pulumi-aws\"\nversion = \"6.66.3\"\n";
        assert_eq!(
            ProviderVersions::from_manifests([(ManifestKind::PoetryLock, poetry_lock)])
                .major("aws"),
            6
        );
        let yarn = "\"@pulumi/aws@^6.0.0\":\n  version \"6.66.3\"\n  resolved \"x\"\n";
        assert_eq!(
            ProviderVersions::from_manifests([(ManifestKind::YarnLock, yarn)]).major("aws"),
            6
        );
    }

    #[test]
    fn version_requirements() {
        let req = VersionReq::parse(">=6,<8").unwrap();
        assert!(req.matches(6) && req.matches(7) && !req.matches(8) && !req.matches(5));
        assert!(VersionReq::parse("7").unwrap().matches(7));
        assert!(VersionReq::parse("<7").unwrap().matches(6));
        assert!(VersionReq::parse("seven").is_err());
    }

    #[test]
    fn adds_an_npm_dependency_in_sorted_place_keeping_format() {
        let text = "{\n    \"name\": \"x\",\n    \"dependencies\": {\n        \"@pulumi/aws\": \"^7.0.0\",\n        \"@pulumi/pulumi\": \"^3.0.0\"\n    }\n}\n";
        let out = ensure_dependency(ManifestKind::PackageJson, text, &random_npm())
            .unwrap()
            .unwrap();
        assert_eq!(
            out,
            "{\n    \"name\": \"x\",\n    \"dependencies\": {\n        \"@pulumi/aws\": \"^7.0.0\",\n        \"@pulumi/pulumi\": \"^3.0.0\",\n        \"@pulumi/random\": \"^4.0.0\"\n    }\n}\n"
        );
        // Never twice.
        assert_eq!(
            ensure_dependency(ManifestKind::PackageJson, &out, &random_npm()),
            Ok(None)
        );
        // Before a greater key, in a file with CRLF and two-space indentation.
        let text = "{\r\n  \"dependencies\": {\r\n    \"@pulumi/zzz\": \"1\"\r\n  }\r\n}\r\n";
        let out = ensure_dependency(ManifestKind::PackageJson, text, &random_npm())
            .unwrap()
            .unwrap();
        assert_eq!(
            out,
            "{\r\n  \"dependencies\": {\r\n    \"@pulumi/random\": \"^4.0.0\",\r\n    \"@pulumi/zzz\": \"1\"\r\n  }\r\n}\r\n"
        );
        // A one-line object stays on one line.
        let text = "{\"dependencies\": {\"@pulumi/aws\": \"7.48.0\", \"@pulumi/zz\": \"1\"}}";
        let out = ensure_dependency(ManifestKind::PackageJson, text, &random_npm())
            .unwrap()
            .unwrap();
        assert_eq!(
            out,
            "{\"dependencies\": {\"@pulumi/aws\": \"7.48.0\", \"@pulumi/random\": \"^4.0.0\", \"@pulumi/zz\": \"1\"}}"
        );
        // Declared as a dev dependency counts.
        let dev = "{\"devDependencies\": {\"@pulumi/random\": \"4.1.0\"}}";
        assert_eq!(
            ensure_dependency(ManifestKind::PackageJson, dev, &random_npm()),
            Ok(None)
        );
    }

    #[test]
    fn adds_dependencies_to_a_package_json_without_them() {
        let text = "{\n  \"name\": \"x\"\n}\n";
        let out = ensure_dependency(ManifestKind::PackageJson, text, &random_npm())
            .unwrap()
            .unwrap();
        assert_eq!(
            out,
            "{\n  \"name\": \"x\",\n  \"dependencies\": {\n    \"@pulumi/random\": \"^4.0.0\"\n  }\n}\n"
        );
        assert!(serde_json::from_str::<serde_json::Value>(&out).is_ok());
        let text = "{\n  \"dependencies\": {}\n}\n";
        let out = ensure_dependency(ManifestKind::PackageJson, text, &random_npm())
            .unwrap()
            .unwrap();
        assert_eq!(
            out,
            "{\n  \"dependencies\": {\n    \"@pulumi/random\": \"^4.0.0\"\n  }\n}\n"
        );
        assert!(ensure_dependency(ManifestKind::PackageJson, "{ not json", &random_npm()).is_err());
    }

    #[test]
    fn adds_a_python_requirement() {
        let out = ensure_dependency(
            ManifestKind::Requirements,
            "pulumi>=3\npulumi-aws>=7",
            &random_pypi(),
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            out,
            "pulumi>=3\npulumi-aws>=7\npulumi-random>=4.0.0,<5.0.0\n"
        );
        assert_eq!(
            ensure_dependency(
                ManifestKind::Requirements,
                "PULUMI_RANDOM==4.2\n",
                &random_pypi()
            ),
            Ok(None)
        );
    }

    #[test]
    fn adds_to_pyproject_keeping_its_layout() {
        let text = "[project]\nname = \"x\"\ndependencies = [\n    \"pulumi>=3\",\n    \"pulumi-aws>=7\",\n]\n";
        let out = ensure_dependency(ManifestKind::Pyproject, text, &random_pypi())
            .unwrap()
            .unwrap();
        assert_eq!(
            out,
            "[project]\nname = \"x\"\ndependencies = [\n    \"pulumi>=3\",\n    \"pulumi-aws>=7\",\n    \"pulumi-random>=4.0.0,<5.0.0\",\n]\n"
        );
        let poetry = "[tool.poetry.dependencies]\npython = \"^3.11\"\n";
        let out = ensure_dependency(ManifestKind::Pyproject, poetry, &random_pypi())
            .unwrap()
            .unwrap();
        assert_eq!(
            out,
            "[tool.poetry.dependencies]\npython = \"^3.11\"\npulumi-random = \">=4.0.0,<5.0.0\"\n"
        );
        assert!(
            ensure_dependency(ManifestKind::Pyproject, "[tool.black]\n", &random_pypi()).is_err()
        );
    }
}
