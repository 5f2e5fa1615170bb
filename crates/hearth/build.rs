//! Embeds the real trace excerpts of `data/samples/` in the binary, so the
//! default workload needs no files at run time. Documentation (`*.md`) and
//! licence files stay out.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("reading {}: {e}", d.display())) {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if !path.file_name().is_some_and(|n| {
                let n = n.to_string_lossy();
                n.ends_with(".md") || n.starts_with("LICENSE")
            }) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn table(name: &str, root: &Path, sub: &str, code: &mut String) {
    let dir = root.join(sub);
    println!("cargo:rerun-if-changed={}", dir.display());
    writeln!(code, "pub static {name}: &[(&str, &[u8])] = &[").unwrap();
    for f in files_under(&dir) {
        let shown = f.strip_prefix(root.parent().unwrap().parent().unwrap()).unwrap_or(&f);
        writeln!(
            code,
            "    ({:?}, include_bytes!({:?})),",
            shown.display().to_string(),
            f.display().to_string()
        )
        .unwrap();
    }
    writeln!(code, "];").unwrap();
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let root = manifest
        .join("../../data/samples")
        .canonicalize()
        .expect("data/samples exists");
    let mut code = String::new();
    table("BITBRAINS", &root, "bitbrains-rnd", &mut code);
    table("PLANETLAB", &root, "planetlab", &mut code);
    table("OPENB", &root, "alibaba-openb-2023", &mut code);
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    std::fs::write(out.join("samples.rs"), code).unwrap();
    // A file of its own, so `samples_azure.rs` embeds only what it reads.
    let mut azure = String::new();
    table("AZURE_PACKING", &root, "azure-packing-2020", &mut azure);
    std::fs::write(out.join("samples_azure.rs"), azure).unwrap();
}
