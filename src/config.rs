//! `iacfix.toml`: a project's settings. Found by walking up from the paths a run is given (the
//! nearest file wins; files are not merged), or named with `--config`; `--isolated` ignores it.
//! Command-line flags override it: `--select` replaces `select`, `--extend-select` adds to
//! `extend-select`, `--ignore` adds to `ignore`,
//! `--option` overrides `[options]`, `--fail-on` overrides `fail-on`.
//!
//! Every error names the file, line and column (from `toml`'s spans) and says how to fix it;
//! unknown keys are errors, so a misspelt setting never silently does nothing.

use crate::args::FailOn;
use iacfix_catalog::{LoadedCodemod, OptionValues};
use iacfix_core::Applicability;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use toml::Spanned;

/// The configuration file's name.
pub const FILE_NAME: &str = "iacfix.toml";

/// `--config FILE` and `--isolated`.
#[derive(Debug, clap::Args, Clone, Default)]
pub struct ConfigArgs {
    /// Use this configuration file instead of the `iacfix.toml` found by walking up from the
    /// paths.
    #[arg(long, value_name = "FILE", conflicts_with = "isolated")]
    pub config: Option<PathBuf>,
    /// Ignore every `iacfix.toml`: the built-in defaults and the command line only.
    #[arg(long)]
    pub isolated: bool,
}

/// The file as written. Every key is optional; unknown keys are errors.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Raw {
    select: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    extend_select: Vec<Spanned<String>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    #[serde(default)]
    extend_safe_fixes: Vec<Spanned<String>>,
    #[serde(default)]
    extend_unsafe_fixes: Vec<Spanned<String>>,
    #[serde(default)]
    unfixable: Vec<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    codemods: Vec<Spanned<String>>,
    fail_on: Option<FailOn>,
    report_unused_suppressions: Option<bool>,
    max_filesize: Option<u64>,
    #[serde(default)]
    options: BTreeMap<Spanned<String>, BTreeMap<Spanned<String>, Spanned<toml::Value>>>,
}

/// A problem in a configuration file, at a position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub path: String,
    /// 1-based; 0 when the problem is the file as a whole.
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub help: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path, self.message)?;
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.path, self.line, self.column, self.message
            )?;
        }
        write!(f, "\n  help: {}", self.help)
    }
}

/// Every error of a configuration file.
#[derive(Debug)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

/// A loaded configuration file (or the defaults, with no file).
#[derive(Debug, Default)]
pub struct Config {
    /// The file, as found or given; `None`: no file, the defaults.
    pub path: Option<PathBuf>,
    /// The directory relative paths and `exclude` patterns are relative to.
    pub dir: PathBuf,
    text: String,
    raw: Raw,
}

impl Config {
    /// Reads and parses `path`; syntax errors and unknown keys are reported with positions.
    pub fn read(path: &Path) -> Result<Config, ConfigErrors> {
        let shown = path.display().to_string();
        let whole = |message: String, help: &str| {
            ConfigErrors(vec![ConfigError {
                path: shown.clone(),
                line: 0,
                column: 0,
                message,
                help: help.to_owned(),
            }])
        };
        let bytes = std::fs::read(path).map_err(|error| {
            whole(
                format!("cannot read the configuration: {error}"),
                "pass an existing file to --config, or --isolated to use none",
            )
        })?;
        let text = String::from_utf8(bytes).map_err(|error| {
            whole(
                format!(
                    "not UTF-8 (invalid byte at offset {})",
                    error.utf8_error().valid_up_to()
                ),
                "save the file as UTF-8",
            )
        })?;
        let raw: Raw = toml::from_str(&text).map_err(|error| {
            let (line, column) = error
                .span()
                .map_or((1, 1), |span| line_column(&text, span.start));
            ConfigErrors(vec![ConfigError {
                path: shown.clone(),
                line,
                column,
                message: error.message().trim().to_owned(),
                help: "see the \"Configuration\" section of the README for every key; \
                       `iacfix config` prints the configuration in effect"
                    .to_owned(),
            }])
        })?;
        let dir = std::path::absolute(path)
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .unwrap_or_default();
        let config = Config {
            path: Some(path.to_path_buf()),
            dir,
            text,
            raw,
        };
        config.check_shapes()?;
        Ok(config)
    }

    /// The configuration file of a run over `paths`: `--config`, or none with `--isolated`, or
    /// the `iacfix.toml` nearest to the paths (all of them must find the same one).
    pub fn locate(args: &ConfigArgs, paths: &[PathBuf]) -> anyhow::Result<Option<PathBuf>> {
        if args.isolated {
            return Ok(None);
        }
        if let Some(path) = &args.config {
            return Ok(Some(path.clone()));
        }
        let found: Vec<Option<PathBuf>> = paths.iter().map(|p| discover(p)).collect();
        if let Some(i) = found.iter().position(|f| *f != found[0]) {
            let shown = |f: &Option<PathBuf>| {
                f.as_ref()
                    .map_or_else(|| "none".to_owned(), |f| f.display().to_string())
            };
            anyhow::bail!(
                "{} and {} have different configuration files ({} and {}): iacfix uses one per \
                 run; run it once per project, or name one with --config",
                paths[0].display(),
                paths[i].display(),
                shown(&found[0]),
                shown(&found[i])
            );
        }
        Ok(found.into_iter().next().flatten())
    }

    /// The file's configuration, or the defaults with none.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigErrors> {
        match path {
            Some(path) => Config::read(path),
            None => Ok(Config::default()),
        }
    }

    /// Checks what parsing cannot: `exclude` patterns compile, `fail-on` and the lists are
    /// consistent, option values are scalars.
    fn check_shapes(&self) -> Result<(), ConfigErrors> {
        let mut errors = Vec::new();
        if let Err(error) = self.exclude_matcher() {
            errors.extend(error.0);
        }
        for (codemod, values) in &self.raw.options {
            for (name, value) in values {
                if option_text(value.get_ref()).is_none() {
                    errors.push(self.error_at(
                        value.span(),
                        format!(
                            "option `{}.{}` must be a string, a number or a boolean",
                            codemod.get_ref(),
                            name.get_ref()
                        ),
                        "write the value as `name = \"value\"`",
                    ));
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ConfigErrors(errors))
        }
    }

    /// An error at a span of the file.
    fn error_at(&self, span: Range<usize>, message: String, help: &str) -> ConfigError {
        let (line, column) = line_column(&self.text, span.start);
        ConfigError {
            path: self.shown(),
            line,
            column,
            message,
            help: help.to_owned(),
        }
    }

    fn shown(&self) -> String {
        self.path
            .as_ref()
            .map_or_else(|| "(defaults)".to_owned(), |p| p.display().to_string())
    }

    /// The extra codemod directories, relative to the file's directory.
    pub fn codemod_dirs(&self) -> Vec<PathBuf> {
        self.raw
            .codemods
            .iter()
            .map(|dir| self.dir.join(dir.get_ref()))
            .collect()
    }

    /// `select`, when set.
    pub fn select(&self) -> Option<Vec<String>> {
        self.raw
            .select
            .as_ref()
            .map(|ids| ids.iter().map(|id| id.get_ref().clone()).collect())
    }

    /// `extend-safe-fixes`, `extend-unsafe-fixes`, `unfixable`, `exclude`, `codemods`: as
    /// written.
    pub fn list(&self, key: &str) -> Vec<String> {
        let list = match key {
            "extend-safe-fixes" => &self.raw.extend_safe_fixes,
            "extend-unsafe-fixes" => &self.raw.extend_unsafe_fixes,
            "unfixable" => &self.raw.unfixable,
            "exclude" => &self.raw.exclude,
            "codemods" => &self.raw.codemods,
            _ => return Vec::new(),
        };
        list.iter().map(|item| item.get_ref().clone()).collect()
    }

    /// `extend-select`.
    pub fn extend_select(&self) -> Vec<String> {
        self.raw
            .extend_select
            .iter()
            .map(|id| id.get_ref().clone())
            .collect()
    }

    /// `ignore`.
    pub fn ignore(&self) -> Vec<String> {
        self.raw
            .ignore
            .iter()
            .map(|id| id.get_ref().clone())
            .collect()
    }

    pub fn fail_on(&self) -> Option<FailOn> {
        self.raw.fail_on
    }

    pub fn report_unused_suppressions(&self) -> Option<bool> {
        self.raw.report_unused_suppressions
    }

    /// `max-filesize`: files larger than this many bytes are skipped (and reported).
    pub fn max_filesize(&self) -> Option<u64> {
        self.raw.max_filesize
    }

    /// `[options.<id>]`, as `--option` values.
    pub fn option_values(&self) -> OptionValues {
        let mut values = OptionValues::new();
        for (codemod, options) in &self.raw.options {
            let entry = values.entry(codemod.get_ref().clone()).or_default();
            for (name, value) in options {
                if let Some(text) = option_text(value.get_ref()) {
                    entry.insert(name.get_ref().clone(), text);
                }
            }
        }
        values
    }

    /// The `exclude` patterns, gitignore-style, relative to the file's directory.
    pub fn exclude_matcher(
        &self,
    ) -> Result<Option<Arc<ignore::gitignore::Gitignore>>, ConfigErrors> {
        if self.raw.exclude.is_empty() {
            return Ok(None);
        }
        let mut builder = ignore::gitignore::GitignoreBuilder::new(&self.dir);
        let mut errors = Vec::new();
        for pattern in &self.raw.exclude {
            if let Err(error) = builder.add_line(None, pattern.get_ref()) {
                errors.push(self.error_at(
                    pattern.span(),
                    format!("invalid exclude pattern `{}`: {error}", pattern.get_ref()),
                    "write gitignore-style patterns, e.g. `generated/` or `**/*.gen.ts`",
                ));
            }
        }
        if !errors.is_empty() {
            return Err(ConfigErrors(errors));
        }
        builder.build().map(|g| Some(Arc::new(g))).map_err(|error| {
            ConfigErrors(vec![self.error_at(
                self.raw.exclude[0].span(),
                format!("invalid exclude patterns: {error}"),
                "write gitignore-style patterns, e.g. `generated/` or `**/*.gen.ts`",
            )])
        })
    }

    /// Checks every codemod id and option the file names against the loaded catalogue.
    pub fn check_against(&self, loaded: &[LoadedCodemod]) -> Result<(), ConfigErrors> {
        let ids: Vec<&str> = loaded.iter().map(|c| c.codemod.meta.id.as_str()).collect();
        let mut errors = Vec::new();
        let unknown = |id: &Spanned<String>, key: &str| {
            self.error_at(
                id.span(),
                format!("unknown codemod `{}` in `{key}`", id.get_ref()),
                &format!(
                    "correct the id{}",
                    crate::catalogue::suggestion(id.get_ref(), ids.iter().copied())
                ),
            )
        };
        let lists = [
            ("select", self.raw.select.as_deref().unwrap_or(&[])),
            ("extend-select", &self.raw.extend_select[..]),
            ("ignore", &self.raw.ignore[..]),
            ("extend-safe-fixes", &self.raw.extend_safe_fixes[..]),
            ("extend-unsafe-fixes", &self.raw.extend_unsafe_fixes[..]),
            ("unfixable", &self.raw.unfixable[..]),
        ];
        for (key, list) in lists {
            for id in list {
                if !ids.contains(&id.get_ref().as_str()) {
                    errors.push(unknown(id, key));
                }
            }
        }
        for id in &self.raw.extend_safe_fixes {
            let in_other =
                |list: &[Spanned<String>]| list.iter().any(|o| o.get_ref() == id.get_ref());
            if in_other(&self.raw.extend_unsafe_fixes) || in_other(&self.raw.unfixable) {
                errors.push(self.error_at(
                    id.span(),
                    format!(
                        "`{}` is in `extend-safe-fixes` and in `extend-unsafe-fixes` or \
                         `unfixable`",
                        id.get_ref()
                    ),
                    "keep it in one list",
                ));
            }
            if let Some(codemod) = loaded.iter().find(|c| c.codemod.meta.id == *id.get_ref())
                && codemod.codemod.meta.applicability == Applicability::Manual
            {
                errors.push(self.error_at(
                    id.span(),
                    format!(
                        "`{}` is a manual codemod: its findings need a person, it has no fix to \
                         apply on its own",
                        id.get_ref()
                    ),
                    "remove it from `extend-safe-fixes`",
                ));
            }
        }
        for (codemod, options) in &self.raw.options {
            let Some(loaded) = loaded
                .iter()
                .find(|c| c.codemod.meta.id == *codemod.get_ref())
            else {
                errors.push(self.error_at(
                    codemod.span(),
                    format!("no codemod `{}` to set options of", codemod.get_ref()),
                    &format!(
                        "correct the id{}",
                        crate::catalogue::suggestion(codemod.get_ref(), ids.iter().copied())
                    ),
                ));
                continue;
            };
            for (name, value) in options {
                let Some(spec) = loaded.option_specs.get(name.get_ref()) else {
                    let known: Vec<&str> = loaded.option_specs.keys().map(String::as_str).collect();
                    errors.push(self.error_at(
                        name.span(),
                        format!(
                            "the codemod `{}` has no option `{}`",
                            codemod.get_ref(),
                            name.get_ref()
                        ),
                        &if known.is_empty() {
                            "this codemod has no options".to_owned()
                        } else {
                            format!("its options are: {}", known.join(", "))
                        },
                    ));
                    continue;
                };
                if let Some(text) = option_text(value.get_ref())
                    && let Err(error) = spec.check(&text)
                {
                    errors.push(self.error_at(
                        value.span(),
                        format!("option `{}.{}`: {error}", codemod.get_ref(), name.get_ref()),
                        spec.description.trim(),
                    ));
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ConfigErrors(errors))
        }
    }

    /// The applicability the file gives a codemod, if it changes it.
    pub fn applicability(&self, id: &str) -> Option<Applicability> {
        let listed = |list: &[Spanned<String>]| list.iter().any(|o| o.get_ref() == id);
        if listed(&self.raw.unfixable) {
            Some(Applicability::Manual)
        } else if listed(&self.raw.extend_unsafe_fixes) {
            Some(Applicability::Unsafe)
        } else if listed(&self.raw.extend_safe_fixes) {
            Some(Applicability::Safe)
        } else {
            None
        }
    }
}

/// The `iacfix.toml` in `path`'s directory (or `path` itself, for a directory) or the nearest
/// parent that has one.
pub fn discover(path: &Path) -> Option<PathBuf> {
    let absolute = std::path::absolute(path).ok()?;
    let start = if absolute.is_dir() {
        absolute.as_path()
    } else {
        absolute.parent()?
    };
    start
        .ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|file| file.is_file())
        .map(|file| relative_to_cwd(&file))
}

/// `file` relative to the current directory when it is under it (for shorter messages).
fn relative_to_cwd(file: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| file.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| file.to_path_buf())
}

/// A scalar option value as text (`None` for arrays and tables).
fn option_text(value: &toml::Value) -> Option<String> {
    match value {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Float(f) => Some(f.to_string()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        toml::Value::Datetime(d) => Some(d.to_string()),
        toml::Value::Array(_) | toml::Value::Table(_) => None,
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit_once('\n')
        .map_or(before, |(_, last)| last)
        .chars()
        .count()
        + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_characters() {
        assert_eq!(line_column("a = 1\nbé = 2\n", 0), (1, 1));
        assert_eq!(line_column("a = 1\nbé = 2\n", 6), (2, 1));
        assert_eq!(line_column("a = 1\nbé = 2\n", 9), (2, 3));
    }
}
