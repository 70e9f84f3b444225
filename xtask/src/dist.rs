//! `cargo xtask dist --out DIR [--runs[=NAME]]`: the page as a self-contained static site that works from
//! any static host and any sub-path (every URL in it is relative). The scripts and the wasm module sit
//! in a folder named by a checksum of their contents (`DIR/<id>/www`, `DIR/<id>/pkg`), so a new build
//! has new names and no cache serves an old module beside a new page; `index.html` (with its CSP) is the
//! one file without one. `--runs` computes the Preset menu's runs with the native CLI into `DIR/runs/`,
//! listed in `DIR/runs/index.json` (canonical query → file), so each preset opens at once.

use std::path::{Path, PathBuf};

use crate::{step, Project, Result};

/// Left in DIR, so a second `dist` may replace what the first wrote (and nothing else).
const MARKER: &str = ".hessian-boundary-dist";

pub struct Options {
    pub out: PathBuf,
    /// Precompute the presets whose names contain this (empty: all); `None`: no runs.
    pub runs: Option<String>,
}

pub fn parse(args: &[String]) -> Result<Options> {
    let usage = || format!("expected `dist --out DIR [--runs[=NAME]]`, got {args:?}");
    let (mut out, mut runs) = (None, None);
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--out" => out = Some(PathBuf::from(args.next().ok_or_else(usage)?)),
            "--runs" => runs = Some(String::new()),
            _ => match (arg.strip_prefix("--out="), arg.strip_prefix("--runs=")) {
                (Some(dir), _) => out = Some(PathBuf::from(dir)),
                (_, Some(name)) => runs = Some(name.to_string()),
                _ => return Err(usage()),
            },
        }
    }
    Ok(Options {
        out: out.ok_or_else(usage)?,
        runs,
    })
}

pub fn dist(options: &Options) -> Result<()> {
    let project = Project::locate()?;
    project.build_web()?;
    let out = &options.out;
    prepare_out(out)?;
    let mut files = Vec::new();
    for dir in ["www", "pkg"] {
        list_files(&project.root.join(dir), Path::new(dir), &mut files)?;
    }
    files.retain(|rel| {
        !matches!(
            rel.file_name().and_then(|n| n.to_str()),
            Some(".gitignore" | "package.json")
        )
    });
    files.sort();
    let mut crc = flate2::Crc::new();
    for rel in &files {
        crc.update(rel.to_string_lossy().as_bytes());
        crc.update(&read(&project.root.join(rel))?);
    }
    let id = format!("{:08x}", crc.sum());
    step(&format!(
        "writing the site to {} (scripts and wasm under {id}/)",
        out.display()
    ));
    for rel in &files {
        let to = out.join(&id).join(rel);
        std::fs::create_dir_all(to.parent().expect("a file has a folder"))
            .and_then(|()| std::fs::copy(project.root.join(rel), &to).map(drop))
            .map_err(|e| format!("cannot copy {} to {}: {e}", rel.display(), to.display()))?;
    }
    let mut index = String::from_utf8(read(&project.root.join("index.html"))?)
        .map_err(|_| "index.html is not UTF-8".to_string())?;
    let links = index.matches("=\"www/").count();
    if links < 3 {
        return Err(format!(
            "index.html links www/ {links} times; expected its icon, style and script"
        ));
    }
    index = index.replace("=\"www/", &format!("=\"{id}/www/"));
    if let Some(filter) = &options.runs {
        precompute(&project, out, filter)?;
        index = index.replacen(
            "<meta name=\"viewport\"",
            "<meta name=\"hessian-boundary:runs\" content=\"runs/index.json\">\n  <meta name=\"viewport\"",
            1,
        );
    }
    write(&out.join("index.html"), index.as_bytes())?;
    write(
        &out.join(MARKER),
        b"written by cargo xtask dist; a later dist may replace this folder\n",
    )?;
    println!(
        "\nthe site is in {}: publish the folder as it is on any static host (any path); see README \"Publishing\"",
        out.display()
    );
    Ok(())
}

/// An empty (or new) DIR, or one a previous `dist` wrote, emptied.
fn prepare_out(out: &Path) -> Result<()> {
    if out.exists() {
        let empty = std::fs::read_dir(out)
            .map_err(|e| format!("cannot read {}: {e}", out.display()))?
            .next()
            .is_none();
        if !empty && !out.join(MARKER).is_file() {
            return Err(format!(
                "{} is not empty and was not written by `cargo xtask dist`: give a new or empty folder",
                out.display()
            ));
        }
        std::fs::remove_dir_all(out).map_err(|e| format!("cannot clear {}: {e}", out.display()))?;
    }
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))
}

fn list_files(dir: &Path, rel: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        let (path, rel) = (entry.path(), rel.join(entry.file_name()));
        if path.is_dir() {
            list_files(&path, &rel, files)?;
        } else {
            files.push(rel);
        }
    }
    Ok(())
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The Preset menu's (name, query) pairs, read from www/presets.js (the one list of them).
fn presets(root: &Path) -> Result<Vec<(String, String)>> {
    let source = String::from_utf8(read(&root.join("www/presets.js"))?)
        .map_err(|_| "www/presets.js is not UTF-8")?;
    let quoted = |s: &str, key: &str| -> Option<String> {
        let rest = &s[s.find(key)? + key.len()..];
        let quote = rest.chars().next()?;
        let rest = &rest[quote.len_utf8()..];
        Some(rest[..rest.find(quote)?].to_string())
    };
    let list: Vec<(String, String)> = source
        .lines()
        .filter_map(|line| Some((quoted(line, "name: ")?, quoted(line, "query: ")?)))
        .collect();
    if list.is_empty() {
        return Err("found no presets in www/presets.js".into());
    }
    Ok(list)
}

/// Runs each preset whose name contains `filter` with the release CLI into DIR/runs/, and the index.
fn precompute(project: &Project, out: &Path, filter: &str) -> Result<()> {
    let cli = project.build_cli()?;
    let chosen: Vec<_> = presets(&project.root)?
        .into_iter()
        .filter(|(name, _)| name.contains(filter))
        .collect();
    if chosen.is_empty() {
        return Err(format!("no preset's name contains {filter:?}"));
    }
    let runs = out.join("runs");
    let scratch = out.join(".runs-scratch");
    let mut index = serde_json::Map::new();
    for (i, (name, query)) in chosen.iter().enumerate() {
        step(&format!(
            "[{}/{}] {name}: hessian-boundary run --config '{query}'",
            i + 1,
            chosen.len()
        ));
        crate::run(
            std::process::Command::new(&cli)
                .args(["run", "--config", query, "--out"])
                .arg(&scratch),
        )?;
        let text = read(&scratch.join("run.json"))?;
        let json: serde_json::Value =
            serde_json::from_slice(&text).map_err(|e| format!("the CLI's run.json: {e}"))?;
        let canonical = json["query"]
            .as_str()
            .ok_or("the CLI's run.json has no query")?
            .to_string();
        let mut crc = flate2::Crc::new();
        crc.update(canonical.as_bytes());
        let file = format!("runs/{:08x}.json", crc.sum());
        std::fs::create_dir_all(&runs)
            .map_err(|e| format!("cannot create {}: {e}", runs.display()))?;
        write(&out.join(&file), &text)?;
        index.insert(canonical, file.into());
    }
    let _ = std::fs::remove_dir_all(&scratch);
    let text = serde_json::to_string_pretty(&serde_json::Value::Object(index))
        .expect("a map of strings serializes");
    write(&runs.join("index.json"), text.as_bytes())
}
