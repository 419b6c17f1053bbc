//! Catalogues: the built-in one (embedded at build time) and users' codemod directories.

use crate::error::{CatalogError, CatalogErrors};
use crate::load::{LoadedCodemod, OptionValues, load_codemod_for};
use iacfix_core::Lang;
use std::collections::BTreeMap;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A codemod file embedded in the binary.
pub(crate) struct Builtin {
    pub(crate) id: &'static str,
    pub(crate) source: &'static str,
    pub(crate) snapshot: Option<&'static str>,
}

include!(concat!(env!("OUT_DIR"), "/builtin.rs"));

/// The ids of the built-in codemods, sorted.
pub fn builtin_ids() -> impl Iterator<Item = &'static str> {
    BUILTIN.iter().map(|b| b.id)
}

/// The YAML source of a built-in codemod.
pub fn builtin_source(id: &str) -> Option<&'static str> {
    BUILTIN.iter().find(|b| b.id == id).map(|b| b.source)
}

/// The reviewed snapshot of a built-in codemod, as committed in `snapshots/<id>.snap`.
pub fn builtin_snapshot(id: &str) -> Option<&'static str> {
    BUILTIN.iter().find(|b| b.id == id).and_then(|b| b.snapshot)
}

/// Loads the built-in catalogue with its options' defaults, sorted by id.
pub fn load_builtin() -> Result<Vec<LoadedCodemod>, CatalogErrors> {
    load_builtin_with(&OptionValues::new())
}

/// Loads the built-in catalogue with option values (for codemods it has; see [`check_options`]).
pub fn load_builtin_with(options: &OptionValues) -> Result<Vec<LoadedCodemod>, CatalogErrors> {
    load_builtin_for(options, None)
}

/// [`load_builtin_with`], compiling only the rules of `languages` (all when `None`).
pub fn load_builtin_for(
    options: &OptionValues,
    languages: Option<&[Lang]>,
) -> Result<Vec<LoadedCodemod>, CatalogErrors> {
    let none = BTreeMap::new();
    collect(BUILTIN.iter().map(|b| {
        load_codemod_for(
            &format!("codemods/{}.yaml", b.id),
            b.id,
            b.source,
            options.get(b.id).unwrap_or(&none),
            languages,
        )
    }))
}

/// Loads every `*.yaml` codemod of `dir` (not recursive) with its options' defaults.
pub fn load_dir(dir: &Path) -> Result<Vec<LoadedCodemod>, CatalogErrors> {
    load_dir_with(dir, &OptionValues::new())
}

/// Loads every `*.yaml` codemod of `dir` (not recursive) with option values, sorted by id.
pub fn load_dir_with(
    dir: &Path,
    options: &OptionValues,
) -> Result<Vec<LoadedCodemod>, CatalogErrors> {
    load_dir_for(dir, options, None)
}

/// [`load_dir_with`], compiling only the rules of `languages` (all when `None`).
pub fn load_dir_for(
    dir: &Path,
    options: &OptionValues,
    languages: Option<&[Lang]>,
) -> Result<Vec<LoadedCodemod>, CatalogErrors> {
    let none = BTreeMap::new();
    let entries = std::fs::read_dir(dir).map_err(|error| {
        CatalogErrors(vec![CatalogError::new(
            &dir.display().to_string(),
            (0, 0),
            format!("cannot read the codemod directory: {error}"),
            "pass an existing directory of `<id>.yaml` codemods to `--codemods`",
        )])
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    files.sort();
    collect(files.iter().map(|file| {
        let path = file.display().to_string();
        let id = file
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read(file).map_err(|error| {
            vec![CatalogError::new(
                &path,
                (0, 0),
                format!("cannot read: {error}"),
                "check the file's permissions",
            )]
        })?;
        let text = String::from_utf8(text).map_err(|error| {
            let valid = error.utf8_error().valid_up_to();
            let before = &error.as_bytes()[..valid];
            let line = before.iter().filter(|b| **b == b'\n').count() as u64 + 1;
            let line_start = before
                .iter()
                .rposition(|b| *b == b'\n')
                .map_or(0, |i| i + 1);
            let column = String::from_utf8_lossy(&before[line_start..])
                .chars()
                .count() as u64
                + 1;
            vec![CatalogError::new(
                &path,
                (line, column),
                "the file is not valid UTF-8",
                "save the codemod as UTF-8",
            )]
        })?;
        load_codemod_for(
            &path,
            &id,
            &text,
            options.get(&id).unwrap_or(&none),
            languages,
        )
    }))
}

/// Options set for codemods no catalogue has: an error each.
pub fn check_options(
    options: &OptionValues,
    loaded: &[LoadedCodemod],
) -> Result<(), CatalogErrors> {
    let errors: Vec<CatalogError> = options
        .keys()
        .filter(|id| !loaded.iter().any(|c| c.codemod.meta.id == **id))
        .map(|id| {
            CatalogError::new(
                "--option",
                (0, 0),
                format!("no codemod `{id}` to set options of"),
                "write options as `--option <codemod-id>.<name>=<value>`; `iacfix list` shows the ids",
            )
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(CatalogErrors(errors))
    }
}

fn collect(
    results: impl Iterator<Item = Result<LoadedCodemod, Vec<CatalogError>>>,
) -> Result<Vec<LoadedCodemod>, CatalogErrors> {
    let mut loaded = Vec::new();
    let mut errors = Vec::new();
    for result in results {
        match result {
            Ok(codemod) => loaded.push(codemod),
            Err(mut errs) => errors.append(&mut errs),
        }
    }
    if errors.is_empty() {
        Ok(loaded)
    } else {
        Err(CatalogErrors(errors))
    }
}

/// Joins catalogues in order (built-in first, then each `--codemods` directory), refusing an id
/// defined twice.
pub fn merge(catalogues: Vec<Vec<LoadedCodemod>>) -> Result<Vec<LoadedCodemod>, CatalogErrors> {
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut merged = Vec::new();
    let mut errors = Vec::new();
    for codemod in catalogues.into_iter().flatten() {
        let meta = &codemod.codemod.meta;
        if let Some(first) = seen.get(&meta.id) {
            errors.push(CatalogError::new(
                &meta.origin,
                (1, 1),
                format!("codemod id `{}` is already defined by {first}", meta.id),
                "rename one of the files: ids are unique across all catalogues",
            ));
            continue;
        }
        seen.insert(meta.id.clone(), meta.origin.clone());
        merged.push(codemod);
    }
    if errors.is_empty() {
        Ok(merged)
    } else {
        Err(CatalogErrors(errors))
    }
}
