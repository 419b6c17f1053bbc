//! The `engine` fuzz target's checks on stable Rust, without libFuzzer: every seed
//! (`iacfix_fuzz::seeds`), every file of `corpus/engine/` (what libFuzzer added in local runs:
//! not committed) and of `artifacts/engine/` (crashes found, committed once fixed, as
//! regression inputs), then pseudo-random mutations of the seeds with a fixed seed, so a run is
//! reproducible.
//!
//!     cargo test --manifest-path fuzz/Cargo.toml --release
//!     IACFIX_FUZZ_MUTATIONS=20000 IACFIX_FUZZ_SEED=7 cargo test --manifest-path fuzz/Cargo.toml --release
//!
//! A failing mutation is written to `fuzz/target/replay-failures/`, in the target's input
//! format, to replay with `cargo fuzz run engine <file>` or move to `fuzz/artifacts/engine/`.

use iacfix_core::Lang;
use iacfix_fuzz::mutate::{Rng, mutate};
use iacfix_fuzz::{check_program, lang_byte, seeds, split_input};
use std::cell::RefCell;
use std::path::{Path, PathBuf};

thread_local! {
    static PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Runs the target's checks on one input; the panic's message and location if one fails.
fn run(data: &[u8]) -> Result<(), String> {
    let Some((lang, text)) = split_input(data) else {
        return Ok(());
    };
    std::panic::catch_unwind(|| check_program(lang, text)).map_err(|_| {
        PANIC
            .with(|p| p.borrow_mut().take())
            .unwrap_or_else(|| "panic".to_owned())
    })
}

fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        PANIC.with(|p| *p.borrow_mut() = Some(info.to_string()));
    }));
}

fn dir_files(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect();
    files.sort();
    files
}

fn replay(dir: &str) {
    quiet_panics();
    let files = dir_files(dir);
    let failures: Vec<String> = files
        .iter()
        .filter_map(|path| {
            let data = std::fs::read(path).unwrap();
            run(&data)
                .err()
                .map(|error| format!("{}: {error}", path.display()))
        })
        .collect();
    eprintln!("{dir}: {} files replayed", files.len());
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn seed_inputs() {
    quiet_panics();
    let seeds = seeds();
    assert!(seeds.len() > 500, "only {} seeds", seeds.len());
    let failures: Vec<String> = seeds
        .iter()
        .filter_map(|(name, data)| run(data).err().map(|error| format!("{name}: {error}")))
        .collect();
    eprintln!("{} seeds replayed", seeds.len());
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn corpus() {
    replay("corpus/engine");
}

#[test]
fn artifacts() {
    replay("artifacts/engine");
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .map(|v| {
            v.parse()
                .unwrap_or_else(|_| panic!("{name} must be a number"))
        })
        .unwrap_or(default)
}

#[test]
fn mutations() {
    quiet_panics();
    let count = env_number("IACFIX_FUZZ_MUTATIONS", 300);
    let seed = env_number("IACFIX_FUZZ_SEED", 1);
    let seeds: Vec<(Lang, String)> = seeds()
        .values()
        .filter_map(|data| split_input(data).map(|(lang, text)| (lang, text.to_owned())))
        .collect();
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/replay-failures");
    let mut rng = Rng::new(seed);
    let mut failures = Vec::new();
    let start = std::time::Instant::now();
    for i in 0..count {
        let (lang, text) = &seeds[rng.below(seeds.len())];
        let donors: Vec<&str> = seeds
            .iter()
            .filter(|(l, _)| l == lang)
            .map(|(_, t)| t.as_str())
            .collect();
        let mutated = mutate(&mut rng, text, &donors);
        let mut data = vec![lang_byte(*lang)];
        data.extend_from_slice(mutated.as_bytes());
        if let Err(error) = run(&data) {
            std::fs::create_dir_all(&out).unwrap();
            let path = out.join(format!("mutation-{seed}-{i}"));
            std::fs::write(&path, &data).unwrap();
            failures.push(format!("{}: {error}", path.display()));
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    eprintln!(
        "{count} mutations (seed {seed}) in {elapsed:.1}s: {:.0}/s, {} failed",
        count as f64 / elapsed,
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
