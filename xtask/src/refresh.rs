//! `cargo xtask refresh-data [--cdk VERSION]`: regenerates the data tables of the codemods that
//! depend on what AWS offers today, from maintained sources:
//!
//! - RDS engine versions (`rds-engine-version-unavailable`) and Lambda runtimes
//!   (`lambda-deprecated-runtime`) from the `aws-cdk-lib` npm package, whose declarations mark
//!   every version AWS retired as "no longer supported" (`aws-rds/lib/cluster-engine.d.ts`,
//!   `instance-engine.d.ts`, `aws-lambda/lib/runtime.d.ts`);
//! - the Pulumi enum members for Lambda runtimes from the SDKs pinned in `tests/sdk/`
//!   (`@pulumi/aws` from npm, `pulumi-aws` from PyPI), so a fix never names a member that does
//!   not exist.
//!
//! Each table is written between the `# BEGIN GENERATED` and `# END GENERATED` lines of the
//! codemod's `tables:`; the header names the source package and its publication date. The same
//! sources give the same tables: review the diff like code.

use crate::project_root;
use anyhow::{Context, bail};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

const BEGIN: &str = "  # BEGIN GENERATED";
const END: &str = "  # END GENERATED";

pub fn run(args: &[&str]) -> anyhow::Result<()> {
    let cdk = match args {
        [] => npm_latest("aws-cdk-lib")?,
        ["--cdk", version] => (*version).to_owned(),
        _ => bail!("usage: cargo xtask refresh-data [--cdk VERSION]"),
    };
    let work = tempfile::tempdir()?;
    let dir = work.path();
    eprintln!("fetching aws-cdk-lib {cdk}");
    let tarball = npm_pack(dir, &format!("aws-cdk-lib@{cdk}"))?;
    let files = [
        "package/aws-rds/lib/cluster-engine.d.ts",
        "package/aws-rds/lib/instance-engine.d.ts",
        "package/aws-lambda/lib/runtime.d.ts",
    ];
    untar(dir, &tarball, &files)?;
    let read = |file: &str| std::fs::read_to_string(dir.join(file));
    let published = npm_published("aws-cdk-lib", &cdk)?;
    let source = format!("aws-cdk-lib {cdk} (published {published})");

    // RDS.
    let cluster = read(files[0])?;
    let instance = read(files[1])?;
    let mut engines: Vec<(&str, Vec<Version>)> = Vec::new();
    for (engine, text, class) in [
        ("aurora-postgresql", &cluster, "AuroraPostgresEngineVersion"),
        ("aurora-mysql", &cluster, "AuroraMysqlEngineVersion"),
        ("postgres", &instance, "PostgresEngineVersion"),
        ("mysql", &instance, "MysqlEngineVersion"),
    ] {
        let versions = class_versions(text, class);
        if versions.is_empty() {
            bail!("no versions of {class} in aws-cdk-lib {cdk}: has its layout changed?");
        }
        engines.push((engine, versions));
    }
    let rds = rds_tables(&engines);
    write_tables(
        &project_root().join("codemods/rds-engine-version-unavailable.yaml"),
        &source,
        &rds,
    )?;

    // Lambda.
    let runtimes = lambda_runtimes(&read(files[2])?);
    if runtimes.is_empty() {
        bail!("no runtimes in aws-cdk-lib {cdk}: has its layout changed?");
    }
    let (ts_version, py_version) = pinned_sdk_versions()?;
    eprintln!("fetching @pulumi/aws {ts_version} and pulumi-aws {py_version}");
    let pulumi_tarball = npm_pack(dir, &format!("@pulumi/aws@{ts_version}"))?;
    let ts_enum_file = "package/types/enums/lambda/index.d.ts";
    untar(dir, &pulumi_tarball, &[ts_enum_file])?;
    let ts_members = ts_enum_members(&read(ts_enum_file)?, "Runtime");
    let py_members = py_enum_members(
        &pip_file(dir, &py_version, "pulumi_aws/lambda_/_enums.py")?,
        "Runtime",
    );
    if ts_members.is_empty() || py_members.is_empty() {
        bail!("no Lambda Runtime enum members in the Pulumi SDKs: has their layout changed?");
    }
    let lambda = lambda_tables(&runtimes, &ts_members, &py_members);
    write_tables(
        &project_root().join("codemods/lambda-deprecated-runtime.yaml"),
        &format!("{source}; enum members of @pulumi/aws {ts_version} and pulumi-aws {py_version}"),
        &lambda,
    )?;
    eprintln!("refreshed the tables from {source}; review `git diff codemods/`");
    Ok(())
}

/// A version the source declares, and whether AWS still offers it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    pub name: String,
    pub offered: bool,
}

/// The versions of `class` in a CDK declaration file: each `static readonly VER_…` with the
/// `Version "…"` of its doc comment; retired when the comment says "no longer supported".
pub fn class_versions(text: &str, class: &str) -> Vec<Version> {
    let Some(start) = text.find(&format!("export declare class {class} ")) else {
        return Vec::new();
    };
    let body = &text[start..];
    let body = &body[..body[1..]
        .find("export declare ")
        .map_or(body.len(), |i| i + 1)];
    let mut versions = Vec::new();
    let mut comment = String::new();
    for line in body.lines() {
        let line = line.trim();
        if line.starts_with("/**") {
            comment.clear();
        }
        if line.starts_with("/**") || line.starts_with('*') {
            comment.push_str(line);
            comment.push('\n');
            continue;
        }
        if line.starts_with("static readonly VER_")
            && let Some(name) = quoted_after(&comment, "Version \"")
        {
            versions.push(Version {
                name,
                offered: !comment.contains("no longer supported"),
            });
        }
        comment.clear();
    }
    versions
}

fn quoted_after(text: &str, marker: &str) -> Option<String> {
    let start = text.find(marker)? + marker.len();
    let end = text[start..].find('"')?;
    Some(text[start..start + end].to_owned())
}

/// The major version a version belongs to, per engine.
pub fn major(engine: &str, version: &str) -> String {
    let parts: Vec<&str> = version.split('.').collect();
    match engine {
        // 8.0.mysql_aurora.3.05.2 → 8.0.mysql_aurora.3
        "aurora-mysql" if parts.len() >= 4 => parts[..4].join("."),
        // 8.0.35 → 8.0
        "mysql" => parts.iter().take(2).copied().collect::<Vec<_>>().join("."),
        // 15.3 → 15; 9.6.24 → 9.6
        _ => match parts.first().and_then(|p| p.parse::<u32>().ok()) {
            Some(n) if n >= 10 => parts[0].to_owned(),
            _ => parts.iter().take(2).copied().collect::<Vec<_>>().join("."),
        },
    }
}

/// Orders versions component by component (`.` and `-` separated; numbers as numbers); a
/// version is below the versions it is a prefix of (`5.7.44` < `5.7.44-rds.20250213`).
pub fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    let split = |v: &str| -> Vec<String> { v.split(['.', '-']).map(str::to_owned).collect() };
    let (a, b) = (split(a), split(b));
    for (x, y) in a.iter().zip(&b) {
        let ordering = match (x.parse::<u64>(), y.parse::<u64>()) {
            (Ok(x), Ok(y)) => x.cmp(&y),
            _ => x.cmp(y),
        };
        if ordering.is_ne() {
            return ordering;
        }
    }
    a.len().cmp(&b.len())
}

/// `replacement`: `<engine> <retired>` → the nearest offered version of the same major at or
/// above it, else the newest of that major; `no-replacement`: `<engine> <retired>` → the major,
/// when none of it is offered.
pub fn rds_tables(engines: &[(&str, Vec<Version>)]) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut replacement = BTreeMap::new();
    let mut none = BTreeMap::new();
    for (engine, versions) in engines {
        for retired in versions.iter().filter(|v| !v.offered) {
            let major = major(engine, &retired.name);
            let mut same: Vec<&Version> = versions
                .iter()
                .filter(|v| v.offered && self::major(engine, &v.name) == major)
                .collect();
            same.sort_by(|a, b| compare_versions(&a.name, &b.name));
            let above = same
                .iter()
                .find(|v| compare_versions(&v.name, &retired.name).is_gt());
            let key = format!("{engine} {}", retired.name);
            match above.or(same.last()) {
                Some(new) => {
                    replacement.insert(key, new.name.clone());
                }
                None => {
                    none.insert(key, major);
                }
            }
        }
    }
    BTreeMap::from([
        ("replacement".to_owned(), replacement),
        ("no-replacement".to_owned(), none),
    ])
}

/// A Lambda runtime the CDK declares: its identifier and whether Lambda still supports it.
pub fn lambda_runtimes(text: &str) -> Vec<Version> {
    let mut runtimes = Vec::new();
    let mut comment = String::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with("/**") {
            comment.clear();
        }
        if line.starts_with("/**") || line.starts_with('*') {
            comment.push_str(line);
            comment.push('\n');
            continue;
        }
        if line.starts_with("static readonly ")
            && line.ends_with(": Runtime;")
            && let Some(first) = comment.lines().find(|l| l.contains(" runtime ("))
            && let Some(name) = first
                .split(" runtime (")
                .nth(1)
                .and_then(|rest| rest.split(')').next())
        {
            runtimes.push(Version {
                name: name.to_owned(),
                offered: !comment.contains("no longer supported"),
            });
        }
        comment.clear();
    }
    runtimes.dedup();
    runtimes
}

/// The runtimes a retired one is replaced with automatically: the same language and the
/// same language major (Node.js majors are drop-in upgrades for most handlers; Python 3 minors
/// too). `nodejs16.x` → (`nodejs`, `16.x`), `python3.9` → (`python3`, `9`); others `None`.
pub fn lineage(runtime: &str) -> Option<(&'static str, &str)> {
    if let Some(version) = runtime.strip_prefix("nodejs") {
        return Some(("nodejs", version));
    }
    runtime
        .strip_prefix("python3.")
        .map(|minor| ("python3", minor))
}

/// `runtimes` (`nodejs16.x` → the nearest supported runtime of the same lineage above it, see
/// [`lineage`]), `ts-enum` and `py-enum` (the same, between Pulumi enum members, where both
/// exist), and `no-replacement` (every other retired runtime — `go1.x`, `python2.7`, `java8`,
/// `dotnet6`… — with what to move to: the function's code or build changes).
pub fn lambda_tables(
    runtimes: &[Version],
    ts_members: &BTreeMap<String, String>,
    py_members: &BTreeMap<String, String>,
) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut values = BTreeMap::new();
    let mut none = BTreeMap::new();
    for retired in runtimes.iter().filter(|r| !r.offered) {
        let automatic = lineage(&retired.name).and_then(|(family, version)| {
            runtimes
                .iter()
                .filter(|r| r.offered)
                .filter_map(|r| {
                    let (f, v) = lineage(&r.name)?;
                    (f == family && compare_versions(v, version).is_gt()).then_some((v, r))
                })
                .min_by(|a, b| compare_versions(a.0, b.0))
                .map(|(_, r)| r.name.clone())
        });
        match automatic {
            Some(new) => {
                values.insert(retired.name.clone(), new);
            }
            None => {
                none.insert(retired.name.clone(), successor(runtimes, &retired.name));
            }
        }
    }
    let members = |by_value: &BTreeMap<String, String>| -> BTreeMap<String, String> {
        values
            .iter()
            .filter_map(|(old, new)| Some((by_value.get(old)?.clone(), by_value.get(new)?.clone())))
            .collect()
    };
    let mut report_only = none.clone();
    for (value, suggestion) in &none {
        for by_value in [ts_members, py_members] {
            if let Some(member) = by_value.get(value) {
                report_only.insert(member.clone(), suggestion.clone());
            }
        }
    }
    BTreeMap::from([
        ("runtimes".to_owned(), values.clone()),
        ("ts-enum".to_owned(), members(ts_members)),
        ("py-enum".to_owned(), members(py_members)),
        ("no-replacement".to_owned(), report_only),
    ])
}

/// What a retired runtime without an automatic replacement moves to, for the message: the
/// oldest supported runtime of its language (`dotnetcore` counting as `dotnet`, Go as
/// `provided.al2023`), or "a supported runtime".
fn successor(runtimes: &[Version], retired: &str) -> String {
    let language: String = retired
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    let language = match language.as_str() {
        "dotnetcore" => "dotnet".to_owned(),
        "go" => return "`provided.al2023` (a `bootstrap` binary)".to_owned(),
        "provided" => return "`provided.al2023`".to_owned(),
        _ => language,
    };
    runtimes
        .iter()
        .filter(|r| r.offered)
        .filter(|r| {
            r.name.starts_with(&language)
                && r.name[language.len()..].starts_with(|c: char| c.is_ascii_digit())
                && !r.name.contains(".al")
        })
        .min_by(|a, b| compare_versions(&a.name[language.len()..], &b.name[language.len()..]))
        .map_or_else(
            || "a supported runtime".to_owned(),
            |r| format!("`{}` or later", r.name),
        )
}

/// `readonly NodeJS16dX: "nodejs16.x";` lines of `export declare const <name>: {` → value →
/// member.
pub fn ts_enum_members(text: &str, name: &str) -> BTreeMap<String, String> {
    let Some(start) = text.find(&format!("export declare const {name}: {{")) else {
        return BTreeMap::new();
    };
    let body = &text[start..];
    let body = &body[..body.find("};").unwrap_or(body.len())];
    body.lines()
        .filter_map(|line| {
            let line = line.trim().strip_prefix("readonly ")?;
            let (member, value) = line.split_once(": ")?;
            Some((
                value.trim_end_matches(';').trim_matches('"').to_owned(),
                member.to_owned(),
            ))
        })
        .collect()
}

/// `    NODE_JS16D_X = "nodejs16.x"` lines of `class <name>(...)` → value → member.
pub fn py_enum_members(text: &str, name: &str) -> BTreeMap<String, String> {
    let Some(start) = text.find(&format!("class {name}(")) else {
        return BTreeMap::new();
    };
    let mut members = BTreeMap::new();
    for line in text[start..].lines().skip(1) {
        if !line.is_empty() && !line.starts_with(' ') {
            break;
        }
        let line = line.trim();
        if let Some((member, value)) = line.split_once(" = ")
            && member
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            && value.starts_with('"')
        {
            members.insert(value.trim_matches('"').to_owned(), member.to_owned());
        }
    }
    members
}

/// Replaces the generated part of a codemod's `tables:` with `tables`.
fn write_tables(
    path: &Path,
    source: &str,
    tables: &BTreeMap<String, BTreeMap<String, String>>,
) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let new = replace_generated(&text, source, tables)
        .with_context(|| format!("{}: no `{BEGIN}` … `{END}` block", path.display()))?;
    if new != text {
        std::fs::write(path, new)?;
        eprintln!("updated {}", path.display());
    }
    Ok(())
}

/// `text` with the lines between the generated markers replaced by `tables` as YAML.
pub fn replace_generated(
    text: &str,
    source: &str,
    tables: &BTreeMap<String, BTreeMap<String, String>>,
) -> Option<String> {
    let begin = text.find(BEGIN)?;
    let end = text[begin..].find(END)? + begin;
    let mut block = format!("{BEGIN} by `cargo xtask refresh-data` from {source}: do not edit.\n");
    for (name, entries) in tables {
        block.push_str(&format!("  {name}:\n"));
        if entries.is_empty() {
            block.push_str("    {}\n");
        }
        for (key, value) in entries {
            block.push_str(&format!(
                "    {}: {}\n",
                yaml_string(key),
                yaml_string(value)
            ));
        }
    }
    Some(format!("{}{block}{}", &text[..begin], &text[end..]))
}

fn yaml_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn npm() -> Command {
    let mut command = Command::new("npm");
    command.args(["--loglevel=error", "--no-audit", "--no-fund"]);
    command
}

fn output(command: &mut Command, what: &str) -> anyhow::Result<String> {
    let out = command
        .output()
        .with_context(|| format!("{what}: cannot run {command:?}"))?;
    if !out.status.success() {
        bail!("{what} failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8(out.stdout)?)
}

fn npm_latest(package: &str) -> anyhow::Result<String> {
    Ok(
        output(npm().args(["view", package, "version"]), "npm view")?
            .trim()
            .to_owned(),
    )
}

fn npm_published(package: &str, version: &str) -> anyhow::Result<String> {
    let times: serde_json::Value = serde_json::from_str(&output(
        npm().args(["view", package, "time", "--json"]),
        "npm view time",
    )?)?;
    let time = times[version]
        .as_str()
        .with_context(|| format!("no publication time for {package} {version}"))?;
    Ok(time.chars().take(10).collect())
}

fn npm_pack(dir: &Path, spec: &str) -> anyhow::Result<String> {
    let name = output(
        npm().args(["pack", spec, "--silent"]).current_dir(dir),
        "npm pack",
    )?;
    Ok(name.trim().lines().last().unwrap_or_default().to_owned())
}

fn untar(dir: &Path, tarball: &str, files: &[&str]) -> anyhow::Result<()> {
    output(
        Command::new("tar")
            .args(["-xzf", tarball])
            .args(files)
            .current_dir(dir),
        "tar",
    )?;
    Ok(())
}

/// A file of the `pulumi-aws` wheel at `version` (downloaded with pip, not installed).
fn pip_file(dir: &Path, version: &str, file: &str) -> anyhow::Result<String> {
    let wheels = dir.join("wheels");
    output(
        Command::new("python3")
            .args([
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--disable-pip-version-check",
            ])
            .arg(format!("pulumi-aws=={version}"))
            .arg("-d")
            .arg(&wheels),
        "pip download",
    )?;
    let wheel = std::fs::read_dir(&wheels)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "whl"))
        .context("pip downloaded no wheel")?;
    output(
        Command::new("python3").args([
            "-c",
            "import sys, zipfile; sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())",
        ])
        .arg(&wheel)
        .arg(file),
        "reading the wheel",
    )
}

/// The `@pulumi/aws` and `pulumi-aws` versions pinned in `tests/sdk/`.
fn pinned_sdk_versions() -> anyhow::Result<(String, String)> {
    let root = project_root();
    let package: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(
        root.join("tests/sdk/package.json"),
    )?)?;
    let ts = package["dependencies"]["@pulumi/aws"]
        .as_str()
        .context("tests/sdk/package.json pins no @pulumi/aws")?
        .to_owned();
    let lock = std::fs::read_to_string(root.join("tests/sdk/requirements.lock"))?;
    let py = lock
        .lines()
        .find_map(|l| {
            l.strip_prefix("pulumi_aws==")
                .or_else(|| l.strip_prefix("pulumi-aws=="))
        })
        .context("tests/sdk/requirements.lock pins no pulumi-aws")?
        .to_owned();
    Ok((ts, py))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLUSTER: &str = r#"
export declare class AuroraPostgresEngineVersion {
    /**
     * Version "15.3"
     * @deprecated Version 15.3 is no longer supported by Amazon RDS.
     */
    static readonly VER_15_3: AuroraPostgresEngineVersion;
    /**
     * Version "15.4"
     * @deprecated Version 15.4 is no longer supported by Amazon RDS.
     */
    static readonly VER_15_4: AuroraPostgresEngineVersion;
    /** Version "15.10". */
    static readonly VER_15_10: AuroraPostgresEngineVersion;
    /** Version "15.12". */
    static readonly VER_15_12: AuroraPostgresEngineVersion;
    /**
     * Version "9.6.22"
     * @deprecated Version 9.6.22 is no longer supported by Amazon RDS.
     */
    static readonly VER_9_6_22: AuroraPostgresEngineVersion;
    /**
     * Version "15.11"
     * @deprecated Version 15.11 is no longer supported by Amazon RDS.
     */
    static readonly VER_15_11: AuroraPostgresEngineVersion;
    /** @deprecated use VER_15_10 */
    static readonly OLD_NAME: AuroraPostgresEngineVersion;
}
export declare class SomethingElse {
    /** Version "1.0". */
    static readonly VER_1_0: SomethingElse;
}
"#;

    #[test]
    fn retired_versions_map_to_the_nearest_offered_of_their_major() {
        let versions = class_versions(CLUSTER, "AuroraPostgresEngineVersion");
        assert_eq!(versions.len(), 6, "{versions:?}");
        let tables = rds_tables(&[("aurora-postgresql", versions)]);
        let replacement = &tables["replacement"];
        assert_eq!(replacement["aurora-postgresql 15.3"], "15.10");
        assert_eq!(replacement["aurora-postgresql 15.4"], "15.10");
        assert_eq!(replacement["aurora-postgresql 15.11"], "15.12");
        assert_eq!(tables["no-replacement"]["aurora-postgresql 9.6.22"], "9.6");
        assert!(!replacement.contains_key("aurora-postgresql 15.10"));
    }

    #[test]
    fn majors_and_ordering_follow_each_engine_scheme() {
        assert_eq!(
            major("aurora-mysql", "8.0.mysql_aurora.3.05.2"),
            "8.0.mysql_aurora.3"
        );
        assert_eq!(major("mysql", "8.0.35"), "8.0");
        assert_eq!(major("postgres", "9.6.24"), "9.6");
        assert_eq!(major("postgres", "16.3"), "16");
        assert!(compare_versions("5.7.44", "5.7.44-rds.20250213").is_lt());
        assert!(compare_versions("8.0.mysql_aurora.3.02.0", "8.0.mysql_aurora.3.10.0").is_lt());
        assert!(compare_versions("15.9", "15.10").is_lt());
    }

    #[test]
    fn retired_runtimes_map_to_the_next_supported_of_their_language() {
        let text = r#"
    /**
     * The NodeJS 16.x runtime (nodejs16.x)
     * @deprecated Legacy runtime no longer supported by AWS Lambda. Migrate to the latest NodeJS runtime.
     */
    static readonly NODEJS_16_X: Runtime;
    /**
     * The NodeJS 20.x runtime (nodejs20.x)
     */
    static readonly NODEJS_20_X: Runtime;
    /**
     * The NodeJS 22.x runtime (nodejs22.x)
     */
    static readonly NODEJS_22_X: Runtime;
    /**
     * The Python 3.9 runtime (python3.9)
     * @deprecated Legacy runtime no longer supported by AWS Lambda. Migrate to the latest Python runtime.
     */
    static readonly PYTHON_3_9: Runtime;
    /**
     * The Python 3.10 runtime (python3.10)
     */
    static readonly PYTHON_3_10: Runtime;
    /**
     * The Python 2.7 runtime (python2.7)
     * @deprecated Legacy runtime no longer supported by AWS Lambda. Migrate to the latest Python runtime.
     */
    static readonly PYTHON_2_7: Runtime;
    /**
     * The Go 1.x runtime (go1.x)
     * @deprecated Legacy runtime no longer supported by AWS Lambda. Migrate to the PROVIDED_AL2023 runtime.
     */
    static readonly GO_1_X: Runtime;
"#;
        let runtimes = lambda_runtimes(text);
        assert_eq!(runtimes.len(), 7);
        let ts = BTreeMap::from([
            ("nodejs16.x".to_owned(), "NodeJS16dX".to_owned()),
            ("nodejs20.x".to_owned(), "NodeJS20dX".to_owned()),
            ("go1.x".to_owned(), "Go1dx".to_owned()),
        ]);
        let py = BTreeMap::from([
            ("python3.9".to_owned(), "PYTHON3D9".to_owned()),
            ("python3.10".to_owned(), "PYTHON3D10".to_owned()),
        ]);
        let tables = lambda_tables(&runtimes, &ts, &py);
        assert_eq!(tables["runtimes"]["nodejs16.x"], "nodejs20.x");
        assert_eq!(tables["runtimes"]["python3.9"], "python3.10");
        assert_eq!(tables["ts-enum"]["NodeJS16dX"], "NodeJS20dX");
        assert_eq!(tables["py-enum"]["PYTHON3D9"], "PYTHON3D10");
        // Python 2 to 3 is not a runtime bump: reported, with where to go.
        assert_eq!(
            tables["no-replacement"]["python2.7"],
            "`python3.10` or later"
        );
        assert!(!tables["runtimes"].contains_key("python2.7"));
        assert_eq!(
            tables["no-replacement"]["go1.x"],
            "`provided.al2023` (a `bootstrap` binary)"
        );
        assert_eq!(
            tables["no-replacement"]["Go1dx"],
            tables["no-replacement"]["go1.x"]
        );
    }

    #[test]
    fn enum_members_are_read_from_both_sdks() {
        let ts = "export declare const Runtime: {\n    readonly NodeJS20dX: \"nodejs20.x\";\n    readonly Python3d9: \"python3.9\";\n};\n";
        assert_eq!(ts_enum_members(ts, "Runtime")["nodejs20.x"], "NodeJS20dX");
        let py = "class Runtime(builtins.str, Enum):\n    \"\"\"doc\"\"\"\n    NODE_JS20D_X = \"nodejs20.x\"\n    PYTHON3D9 = \"python3.9\"\n\n\nclass Other(Enum):\n    X = \"y\"\n";
        let members = py_enum_members(py, "Runtime");
        assert_eq!(members["nodejs20.x"], "NODE_JS20D_X");
        assert!(!members.contains_key("y"));
    }

    #[test]
    fn the_generated_block_is_replaced_and_the_rest_kept() {
        let text =
            "title: t\ntables:\n  # BEGIN GENERATED old\n  old: {}\n  # END GENERATED\nrules: []\n";
        let tables = BTreeMap::from([(
            "replacement".to_owned(),
            BTreeMap::from([("postgres 9.6.1".to_owned(), "9.6.24".to_owned())]),
        )]);
        let new = replace_generated(text, "src", &tables).unwrap();
        assert_eq!(
            new,
            "title: t\ntables:\n  # BEGIN GENERATED by `cargo xtask refresh-data` from src: do \
             not edit.\n  replacement:\n    \"postgres 9.6.1\": \"9.6.24\"\n  # END GENERATED\nrules: []\n"
        );
    }
}
