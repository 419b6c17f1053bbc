//! The iacfix catalogue: the codemod file format, loading and validating codemods (errors name
//! file:line:column and say how to fix them), the built-in catalogue embedded at build time,
//! the test-case runner behind `iacfix test`, and the generated docs and JSON schema.
//!
//! **Architecture invariant:** the catalogue is data. Adding a codemod is adding one file to
//! `codemods/`; nothing here names a codemod.

mod error;
mod load;
mod shared;
pub mod spec;

pub use error::{CatalogError, CatalogErrors};
pub use load::{
    Case, CaseFile, Expectation, LoadedCodemod, OptionValues, default_case_path, is_kebab_case,
    load_codemod, load_codemod_for, load_codemod_with,
};

mod catalog;
pub mod docs;
pub mod testing;

pub use catalog::{
    builtin_ids, builtin_snapshot, builtin_source, check_options, load_builtin, load_builtin_for,
    load_builtin_with, load_dir, load_dir_for, load_dir_with, merge,
};
