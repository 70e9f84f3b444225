//! The crate's layout is its pipeline: each top-level module of `src/` uses only the modules before it
//! in [`STAGES`], so no import cycle can come back. Reading the sources is enough: every `crate::x`
//! path (also inside `use crate::{x, y}` groups) outside comments counts as a use of `x`.

use std::collections::BTreeSet;
use std::path::Path;

/// The top-level modules in pipeline order; `rng` and `parallel` are the foundation every stage may
/// use, `wasm` and the CLI (`main.rs`, another crate) are the faces on top.
const STAGES: &[&str] = &[
    "rng",
    "parallel",
    "config",
    "data",
    "model",
    "train",
    "spectrum",
    "analysis",
    "pipeline",
    "export",
    "render",
    "sweep",
    "reproduce",
    "bench",
    "wasm",
];

/// The source without `//` comments (doc comments included) and string literals.
fn code_only(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    for line in source.lines() {
        let mut in_str = false;
        let mut prev = ' ';
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            if in_str {
                if c == '"' && prev != '\\' {
                    in_str = false;
                }
                prev = if prev == '\\' && c == '\\' { ' ' } else { c };
                continue;
            }
            if c == '/' && chars.peek() == Some(&'/') {
                break;
            }
            if c == '"' {
                in_str = true;
                prev = ' ';
                continue;
            }
            out.push(c);
        }
        out.push('\n');
    }
    out
}

/// The top-level modules named by `crate::` paths in `code`.
fn crate_uses(code: &str) -> BTreeSet<String> {
    let ident = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut used = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level entries of the group: split at commas outside nested braces.
            let mut depth = 0;
            let mut start = 0;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        used.insert(ident(&group[start..i]));
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        used.insert(ident(&group[start..i]));
                        start = i + 1;
                    }
                    _ => {}
                }
            }
        } else {
            used.insert(ident(rest));
        }
    }
    used.remove("");
    used
}

/// Every `.rs` file of a top-level module: `src/m.rs` and everything under `src/m/`.
fn module_files(src: &Path, module: &str) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let single = src.join(format!("{module}.rs"));
    if single.exists() {
        files.push(single);
    }
    let mut dirs = vec![src.join(module)];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files
}

#[test]
fn every_top_level_module_is_a_stage() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = code_only(&std::fs::read_to_string(src.join("lib.rs")).unwrap());
    let declared: BTreeSet<String> = lib
        .lines()
        .filter_map(|l| l.trim().split_once("mod ").map(|(_, m)| m))
        .map(|m| m.trim_end_matches(';').trim().to_string())
        .collect();
    let stages: BTreeSet<String> = STAGES.iter().map(|s| s.to_string()).collect();
    assert_eq!(
        declared, stages,
        "lib.rs declares other modules than STAGES lists"
    );
}

#[test]
fn each_stage_uses_only_the_stages_before_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut violations = Vec::new();
    for (i, module) in STAGES.iter().enumerate() {
        let files = module_files(&src, module);
        assert!(!files.is_empty(), "no source for module {module}");
        for file in files {
            let code = code_only(&std::fs::read_to_string(&file).unwrap());
            for used in crate_uses(&code) {
                match STAGES.iter().position(|s| *s == used) {
                    Some(j) if j < i => {}
                    Some(j) if j == i => {}
                    Some(_) => violations.push(format!(
                        "{} uses crate::{used}, a later stage than {module}",
                        file.strip_prefix(&src).unwrap().display()
                    )),
                    // Re-exports at the crate root (crate::Config, crate::run) hide their stage.
                    None => violations.push(format!(
                        "{} uses crate::{used}: name the module (crate::stage::item) instead of a root re-export",
                        file.strip_prefix(&src).unwrap().display()
                    )),
                }
            }
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn the_check_reads_grouped_and_nested_paths() {
    let code = code_only(
        "use crate::{config::{A, B}, data};\nlet x = crate::spectrum::dense(); // crate::wasm\nlet s = \"crate::bench\";",
    );
    let used: Vec<String> = crate_uses(&code).into_iter().collect();
    assert_eq!(used, ["config", "data", "spectrum"]);
}
