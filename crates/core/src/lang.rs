//! The languages iacfix parses, and how a file's language is detected.

use ast_grep_language::SupportLang;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A language a codemod rule can be written for.
///
/// Names are lower case in codemod files (`typescript`, `tsx`, `javascript`, `python`, `yaml`).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// `.ts`, `.mts`, `.cts`
    TypeScript,
    /// `.tsx`
    Tsx,
    /// `.js`, `.mjs`, `.cjs`, `.jsx`
    JavaScript,
    /// `.py`, `.pyi`
    Python,
    /// `.yaml`, `.yml` (e.g. `Pulumi.yaml`)
    Yaml,
}

impl Lang {
    /// Every language, in a fixed order.
    pub const ALL: [Lang; 5] = [
        Lang::TypeScript,
        Lang::Tsx,
        Lang::JavaScript,
        Lang::Python,
        Lang::Yaml,
    ];

    /// The language of a file, from its name's extension; `None` for files iacfix does not read.
    pub fn from_file_name(name: &str) -> Option<Lang> {
        let (_, ext) = name.rsplit_once('.')?;
        Some(match ext {
            "ts" | "mts" | "cts" => Lang::TypeScript,
            "tsx" => Lang::Tsx,
            "js" | "mjs" | "cjs" | "jsx" => Lang::JavaScript,
            "py" | "pyi" => Lang::Python,
            "yaml" | "yml" => Lang::Yaml,
            _ => return None,
        })
    }

    /// The name used in codemod files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Lang::TypeScript => "typescript",
            Lang::Tsx => "tsx",
            Lang::JavaScript => "javascript",
            Lang::Python => "python",
            Lang::Yaml => "yaml",
        }
    }

    /// The ast-grep language (tree-sitter grammar) behind this language.
    pub fn support_lang(self) -> SupportLang {
        match self {
            Lang::TypeScript => SupportLang::TypeScript,
            Lang::Tsx => SupportLang::Tsx,
            Lang::JavaScript => SupportLang::JavaScript,
            Lang::Python => SupportLang::Python,
            Lang::Yaml => SupportLang::Yaml,
        }
    }

    /// The comment that starts a line comment in this language.
    pub fn line_comment(self) -> &'static str {
        match self {
            Lang::Python | Lang::Yaml => "#",
            _ => "//",
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Error for a language name that is not one of [`Lang::ALL`].
#[derive(Debug, thiserror::Error)]
#[error("unknown language `{0}`: expected one of typescript, tsx, javascript, python, yaml")]
pub struct UnknownLang(pub String);

impl FromStr for Lang {
    type Err = UnknownLang;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Lang::ALL
            .into_iter()
            .find(|lang| lang.name() == s)
            .ok_or_else(|| UnknownLang(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_languages_by_extension() {
        assert_eq!(Lang::from_file_name("index.ts"), Some(Lang::TypeScript));
        assert_eq!(Lang::from_file_name("a.d.ts"), Some(Lang::TypeScript));
        assert_eq!(Lang::from_file_name("App.tsx"), Some(Lang::Tsx));
        assert_eq!(Lang::from_file_name("x.mjs"), Some(Lang::JavaScript));
        assert_eq!(Lang::from_file_name("__main__.py"), Some(Lang::Python));
        assert_eq!(Lang::from_file_name("Pulumi.dev.yaml"), Some(Lang::Yaml));
        assert_eq!(Lang::from_file_name("README.md"), None);
        assert_eq!(Lang::from_file_name("Makefile"), None);
    }

    #[test]
    fn names_round_trip() {
        for lang in Lang::ALL {
            assert_eq!(lang.name().parse::<Lang>().unwrap(), lang);
        }
        assert!("ts".parse::<Lang>().is_err());
    }
}
