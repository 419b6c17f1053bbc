//! What a run covers: the paths given (or listed with `--repos`), grouped into units: one per git
//! work tree, one per path outside git. A run over several units is a bulk run.

use anyhow::{Context, bail};
use std::path::{Path, PathBuf};

/// A repository (or a directory outside git) processed on its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unit {
    /// Position in the whole list (before sharding).
    pub index: usize,
    /// The first path given for it, as given.
    pub label: String,
    /// The paths given inside it.
    pub paths: Vec<PathBuf>,
}

/// Reads a `--repos` file: one path per line; blank lines and `#` comments ignored. Relative
/// paths are relative to the current directory.
pub fn read_repo_list(file: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read the repository list {}", file.display()))?;
    Ok(text
        .lines()
        .map(|line| {
            line.split_once('#')
                .map_or(line, |(before, _)| before)
                .trim()
        })
        .filter(|line| !line.is_empty())
        .map(PathBuf::from)
        .collect())
}

/// Groups paths into units, in the order first seen: paths in the same git work tree are one
/// unit. Paths outside git (or missing) are one unit together — or, when listed in a `--repos`
/// file (the `bool`), a unit each.
pub fn units(paths: &[(PathBuf, bool)]) -> Vec<Unit> {
    #[derive(PartialEq)]
    enum Key {
        Repo(PathBuf),
        Shared,
        Own,
    }
    let mut units: Vec<(Key, Unit)> = Vec::new();
    for (path, listed) in paths {
        let workdir = path
            .exists()
            .then(|| iacfix_apply::git::Repo::discover(path))
            .flatten()
            .map(|repo| repo.workdir().to_path_buf());
        let key = match workdir {
            Some(workdir) => Key::Repo(workdir),
            None if *listed => Key::Own,
            None => Key::Shared,
        };
        if key != Key::Own
            && let Some((_, unit)) = units.iter_mut().find(|(k, _)| *k == key)
        {
            unit.paths.push(path.clone());
            continue;
        }
        let index = units.len();
        units.push((
            key,
            Unit {
                index,
                label: iacfix_apply::display_path(path)
                    .trim_end_matches('/')
                    .to_owned(),
                paths: vec![path.clone()],
            },
        ));
    }
    units.into_iter().map(|(_, unit)| unit).collect()
}

/// `K/N`: the K-th of N shards (1-based).
pub fn parse_shard(text: &str) -> anyhow::Result<(u64, u64)> {
    let parsed = text
        .split_once('/')
        .and_then(|(k, n)| Some((k.trim().parse::<u64>().ok()?, n.trim().parse::<u64>().ok()?)));
    match parsed {
        Some((k, n)) if n >= 1 && (1..=n).contains(&k) => Ok((k, n)),
        _ => bail!("--shard {text}: expected K/N with 1 <= K <= N, e.g. --shard 2/4"),
    }
}

/// The units of shard `k` of `n`: those whose label hashes to it (FNV-1a, stable across
/// machines and runs), so N jobs given the same list cover every unit exactly once.
pub fn shard(units: Vec<Unit>, (k, n): (u64, u64)) -> Vec<Unit> {
    units
        .into_iter()
        .filter(|unit| stable_hash(&unit.label) % n == k - 1)
        .collect()
}

fn stable_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_every_unit_once() {
        let list: Vec<Unit> = (0..50)
            .map(|i| Unit {
                index: i,
                label: format!("repos/app-{i}"),
                paths: vec![],
            })
            .collect();
        let mut seen: Vec<usize> = (1..=3)
            .flat_map(|k| shard(list.clone(), (k, 3)))
            .map(|u| u.index)
            .collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..50).collect::<Vec<_>>());
        assert!((1..=3).all(|k| !shard(list.clone(), (k, 3)).is_empty()));
    }

    #[test]
    fn plain_paths_share_a_unit_unless_listed() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::create_dir_all(&a).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        let given = units(&[(a.clone(), false), (b.clone(), false)]);
        assert_eq!(given.len(), 1);
        assert_eq!(given[0].paths, [a.clone(), b.clone()]);
        let listed = units(&[(a, true), (b, true)]);
        assert_eq!(listed.len(), 2);
        assert_eq!((listed[0].index, listed[1].index), (0, 1));
    }

    #[test]
    fn shard_syntax() {
        assert_eq!(parse_shard("2/4").unwrap(), (2, 4));
        for bad in ["0/4", "5/4", "2", "a/b", "1/0"] {
            assert!(parse_shard(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn repo_lists_skip_comments_and_blanks() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("repos.txt");
        std::fs::write(
            &file,
            "# platform repos\nrepos/a\n\n  repos/b  # the old one\n",
        )
        .unwrap();
        assert_eq!(
            read_repo_list(&file).unwrap(),
            [PathBuf::from("repos/a"), PathBuf::from("repos/b")]
        );
    }
}
