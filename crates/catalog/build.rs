//! Embeds the built-in catalogue: every `codemods/*.yaml` of the repository, with its reviewed
//! snapshot from `snapshots/<id>.snap`. Adding a codemod needs no code change: the folder is the
//! catalogue.

use std::fmt::Write;
use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let codemods = root.join("codemods");
    let snapshots = root.join("snapshots");
    println!("cargo::rerun-if-changed={}", codemods.display());
    println!("cargo::rerun-if-changed={}", snapshots.display());
    let mut ids: Vec<String> = std::fs::read_dir(&codemods)
        .map(|entries| {
            entries
                .filter_map(|entry| entry.ok())
                .filter_map(|entry| {
                    let name = entry.file_name().into_string().ok()?;
                    name.strip_suffix(".yaml").map(str::to_owned)
                })
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    let mut out = String::from("pub(crate) static BUILTIN: &[Builtin] = &[\n");
    for id in ids {
        let yaml = codemods.join(format!("{id}.yaml"));
        let snap = snapshots.join(format!("{id}.snap"));
        println!("cargo::rerun-if-changed={}", yaml.display());
        println!("cargo::rerun-if-changed={}", snap.display());
        let snapshot = if snap.is_file() {
            format!("Some(include_str!({:?}))", snap.display().to_string())
        } else {
            "None".to_owned()
        };
        writeln!(
            out,
            "    Builtin {{ id: {id:?}, source: include_str!({:?}), snapshot: {snapshot} }},",
            yaml.display().to_string()
        )
        .unwrap();
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("builtin.rs");
    std::fs::write(dest, out).unwrap();
}
