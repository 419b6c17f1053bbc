//! Writes the seed corpus of the `engine` target into `fuzz/corpus/engine/seed-*` (see
//! `iacfix_fuzz::seeds`), for `cargo fuzz run engine`. The seeds are not committed: run this
//! before fuzzing, and again after codemods change.
//!
//!     cargo run --manifest-path fuzz/Cargo.toml --example seeds

use std::path::Path;

fn main() {
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/engine");
    std::fs::create_dir_all(&out).unwrap();
    for entry in std::fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        if path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("seed-")
        {
            std::fs::remove_file(path).unwrap();
        }
    }
    let seeds = iacfix_fuzz::seeds();
    for (name, data) in &seeds {
        std::fs::write(out.join(name), data).unwrap();
    }
    println!("{} seeds in {}", seeds.len(), out.display());
}
