//! What a run over one unit (a repository, or the paths given) uses: its configuration file,
//! under the command line, made into an engine and walk and exit settings. In a bulk run each
//! repository finds its own `iacfix.toml`; units that share one share its engine.

use crate::args::{CatalogueArgs, FailOn, OutputArgs};
use crate::catalogue;
use crate::config::{Config, ConfigArgs};
use crate::output::Collected;
use iacfix_core::{Engine, Lang};
use ignore::gitignore::Gitignore;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// The settings in effect for a unit.
pub struct Settings {
    pub engine: Arc<Engine>,
    /// `exclude`, when the file has patterns.
    pub exclude: Option<Arc<Gitignore>>,
    pub fail_on: FailOn,
    pub report_unused_suppressions: bool,
    /// `max-filesize`, when the file sets it (`--max-filesize` overrides it).
    pub max_filesize: Option<u64>,
}

impl Settings {
    /// The size over which files are skipped: `--max-filesize`, else the file's, else 10 MiB.
    pub fn max_filesize(&self, flag: Option<u64>) -> u64 {
        flag.or(self.max_filesize)
            .unwrap_or(iacfix_apply::DEFAULT_MAX_FILESIZE)
    }

    /// Whether the findings make the exit status 1 (`--fail-on` or more severe).
    pub fn fails(&self, collected: &Collected) -> bool {
        collected
            .diagnostics
            .iter()
            .any(|d| d.severity <= self.fail_on.severity())
    }
}

/// A configuration file (or none), and the languages of the files.
type SettingsKey = (Option<PathBuf>, Vec<Lang>);

/// Resolves and caches settings per configuration file.
pub struct Resolver<'a> {
    catalogue: &'a CatalogueArgs,
    config: &'a ConfigArgs,
    output: &'a OutputArgs,
    /// By configuration file and the languages of the files the settings are for.
    cache: Mutex<HashMap<SettingsKey, Arc<Settings>>>,
}

impl<'a> Resolver<'a> {
    pub fn new(
        catalogue: &'a CatalogueArgs,
        config: &'a ConfigArgs,
        output: &'a OutputArgs,
    ) -> Resolver<'a> {
        Resolver {
            catalogue,
            config,
            output,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The settings of a run over `paths`: the catalogue compiled for the languages of their
    /// files only.
    pub fn for_paths(&self, paths: &[PathBuf]) -> anyhow::Result<Arc<Settings>> {
        let file = Config::locate(self.config, paths)?;
        let languages = iacfix_apply::languages_in(paths);
        let key = (
            file.as_ref()
                .map(|f| std::path::absolute(f).unwrap_or(f.clone())),
            languages.clone(),
        );
        if let Some(settings) = self.cache.lock().unwrap().get(&key) {
            return Ok(settings.clone());
        }
        let settings = Arc::new(resolve(
            self.catalogue,
            self.output,
            file,
            Some(&languages),
        )?);
        self.cache.lock().unwrap().insert(key, settings.clone());
        Ok(settings)
    }
}

/// Settings from a configuration file (or none) and the command line.
pub fn resolve(
    catalogue: &CatalogueArgs,
    output: &OutputArgs,
    file: Option<PathBuf>,
    languages: Option<&[Lang]>,
) -> anyhow::Result<Settings> {
    let config = Config::load(file.as_deref())?;
    let (codemods, ids) = catalogue::load_configured(catalogue, &config, languages)?;
    Ok(Settings {
        exclude: config.exclude_matcher()?,
        fail_on: output
            .fail_on
            .or(config.fail_on())
            .unwrap_or(FailOn::Hygiene),
        report_unused_suppressions: output.report_unused_suppressions
            || config.report_unused_suppressions().unwrap_or(false),
        max_filesize: config.max_filesize(),
        engine: Arc::new(
            Engine::new(codemods.into_iter().map(|c| c.codemod).collect()).with_known_ids(ids),
        ),
    })
}
