//! Assembling the catalogue a command runs: built-in codemods, `--codemods` directories,
//! `--select` / `--ignore`.

use crate::args::CatalogueArgs;
use anyhow::{Context, bail};
use iacfix_catalog::{LoadedCodemod, load_builtin, load_dir, merge};

/// The selected codemods, in catalogue order (built-in by id, then each directory by id).
pub fn load(args: &CatalogueArgs) -> anyhow::Result<Vec<LoadedCodemod>> {
    let mut catalogues = vec![load_builtin().context("the built-in catalogue is invalid")?];
    for dir in &args.codemod_dirs {
        catalogues.push(load_dir(dir).with_context(|| {
            format!(
                "the codemods in {} are invalid; nothing was changed",
                dir.display()
            )
        })?);
    }
    let all = merge(catalogues).context("the catalogue is invalid; nothing was changed")?;
    for (flag, ids) in [("--select", &args.select), ("--ignore", &args.ignore)] {
        for id in ids {
            if !all.iter().any(|c| c.codemod.meta.id == *id) {
                bail!(
                    "unknown codemod `{id}` in {flag}{}",
                    suggestion(id, all.iter().map(|c| c.codemod.meta.id.as_str()))
                );
            }
        }
    }
    Ok(all
        .into_iter()
        .filter(|c| {
            let id = &c.codemod.meta.id;
            (args.select.is_empty() || args.select.contains(id)) && !args.ignore.contains(id)
        })
        .collect())
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
