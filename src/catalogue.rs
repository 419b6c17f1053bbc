//! Assembling the catalogue a command runs: built-in codemods, `--codemods` directories,
//! `--select` / `--ignore`, under an `iacfix.toml`'s settings.

use crate::args::CatalogueArgs;
use crate::config::Config;
use anyhow::{Context, bail};
use iacfix_catalog::{
    LoadedCodemod, OptionValues, check_options, load_builtin_for, load_dir_for, merge,
};
use iacfix_core::Lang;
use std::path::PathBuf;

/// Parses `--option <id>.<name>=<value>` flags.
pub fn option_values(flags: &[String]) -> anyhow::Result<OptionValues> {
    let mut values = OptionValues::new();
    for flag in flags {
        let parsed = flag
            .split_once('=')
            .and_then(|(key, value)| Some((key.split_once('.')?, value)));
        let Some(((id, name), value)) = parsed else {
            bail!("`--option {flag}` is not of the form `<codemod-id>.<name>=<value>`");
        };
        values
            .entry(id.to_owned())
            .or_default()
            .insert(name.to_owned(), value.to_owned());
    }
    Ok(values)
}

/// The selected codemods, in catalogue order (built-in by id, then each directory by id): a
/// configuration file's settings under the command line's: its `codemods`
/// directories come before `--codemods`, its options under `--option`, `--select` replaces its
/// `select`, `--ignore` adds to its `ignore`; its `extend-safe-fixes`, `extend-unsafe-fixes` and
/// `unfixable` set the codemods' applicability. Also returns every id of the catalogue.
pub fn load_configured(
    args: &CatalogueArgs,
    config: &Config,
    languages: Option<&[Lang]>,
) -> anyhow::Result<(Vec<LoadedCodemod>, Vec<String>)> {
    let all = load_catalogue_for(args, config, languages)?;
    check_flag_ids(args, &all)?;
    let select = if args.select.is_empty() {
        config.select()
    } else {
        Some(args.select.clone())
    };
    let extend: Vec<String> = config
        .extend_select()
        .into_iter()
        .chain(args.extend_select.iter().cloned())
        .collect();
    let ignore: Vec<String> = config
        .ignore()
        .into_iter()
        .chain(args.ignore.iter().cloned())
        .collect();
    let ids = all.iter().map(|c| c.codemod.meta.id.clone()).collect();
    let selected = all
        .into_iter()
        .filter(|c| is_selected(&c.codemod.meta, select.as_deref(), &extend, &ignore))
        .collect();
    Ok((selected, ids))
}

/// Whether a codemod runs: named by `extend-select`, or by `select` when set, else any that is
/// not opt-in; never when ignored.
pub fn is_selected(
    meta: &iacfix_core::Meta,
    select: Option<&[String]>,
    extend: &[String],
    ignore: &[String],
) -> bool {
    let id = &meta.id;
    let chosen = extend.contains(id)
        || match select {
            Some(select) => select.contains(id),
            None => !meta.opt_in,
        };
    chosen && !ignore.contains(id)
}

/// Refuses `--select` / `--ignore` ids the catalogue does not have.
pub fn check_flag_ids(args: &CatalogueArgs, all: &[LoadedCodemod]) -> anyhow::Result<()> {
    for (flag, ids) in [
        ("--select", &args.select),
        ("--extend-select", &args.extend_select),
        ("--ignore", &args.ignore),
    ] {
        for id in ids {
            if !all.iter().any(|c| c.codemod.meta.id == *id) {
                bail!(
                    "unknown codemod `{id}` in {flag}{}",
                    suggestion(id, all.iter().map(|c| c.codemod.meta.id.as_str()))
                );
            }
        }
    }
    Ok(())
}

/// The whole catalogue under a configuration file (its directories, options and applicability
/// overrides, not its selection) and the command line's `--codemods` and `--option`.
pub fn load_catalogue(args: &CatalogueArgs, config: &Config) -> anyhow::Result<Vec<LoadedCodemod>> {
    load_catalogue_for(args, config, None)
}

/// [`load_catalogue`], its rules compiled for `languages` only (all when `None`).
pub fn load_catalogue_for(
    args: &CatalogueArgs,
    config: &Config,
    languages: Option<&[Lang]>,
) -> anyhow::Result<Vec<LoadedCodemod>> {
    let cli_options = option_values(&args.options)?;
    let dirs: Vec<PathBuf> = config
        .codemod_dirs()
        .into_iter()
        .chain(args.codemod_dirs.iter().cloned())
        .collect();
    let mut all = load_all(&dirs, &cli_options, languages)?;
    if config.path.is_some() {
        config.check_against(&all)?;
        let mut options = config.option_values();
        if !options.is_empty() {
            for (id, values) in cli_options {
                options.entry(id).or_default().extend(values);
            }
            all = load_all(&dirs, &options, languages)?;
        }
        for codemod in &mut all {
            if let Some(applicability) = config.applicability(&codemod.codemod.meta.id) {
                codemod.codemod.meta.applicability = applicability;
            }
        }
    }
    Ok(all)
}

/// The built-in catalogue and the directories', with option values.
fn load_all(
    dirs: &[PathBuf],
    options: &OptionValues,
    languages: Option<&[Lang]>,
) -> anyhow::Result<Vec<LoadedCodemod>> {
    let mut catalogues = vec![
        load_builtin_for(options, languages)
            .context("the built-in catalogue is invalid; nothing was changed")?,
    ];
    for dir in dirs {
        catalogues.push(load_dir_for(dir, options, languages).with_context(|| {
            format!(
                "the codemods in {} are invalid; nothing was changed",
                dir.display()
            )
        })?);
    }
    let all = merge(catalogues).context("the catalogue is invalid; nothing was changed")?;
    check_options(options, &all).context("invalid --option")?;
    Ok(all)
}

/// `; did you mean `x`?` for the closest id, or a pointer to `iacfix list`.
pub fn suggestion<'a>(wrong: &str, ids: impl Iterator<Item = &'a str>) -> String {
    let best = ids
        .map(|id| (edit_distance(wrong, id), id))
        .min()
        .filter(|(distance, id)| *distance <= id.len() / 3 + 1);
    match best {
        Some((_, id)) => format!("; did you mean `{id}`?"),
        None => "; `iacfix list` shows the catalogue".to_owned(),
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = if ca == *cb {
                previous
            } else {
                1 + previous.min(row[j]).min(current)
            };
            previous = current;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_closest_id() {
        let ids = ["s3-bucket-replication-config", "vpc-flow-logs"];
        assert_eq!(
            suggestion("s3-bucket-replication", ids.into_iter()),
            "; did you mean `s3-bucket-replication-config`?"
        );
        assert_eq!(
            suggestion("zzz", ids.into_iter()),
            "; `iacfix list` shows the catalogue"
        );
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
