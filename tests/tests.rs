//! iacfix's end-to-end tests: one integration-test binary (as ripgrep), running the real
//! `iacfix` binary on temporary directories, plus the catalogue harness.

mod bad_input;
mod bulk;
mod cli;
mod codemods;
mod config;
mod git;
mod integrations;
mod output;
mod readme;
mod sdk;
mod suppress;
mod util;
