//! Project tasks, run as `cargo xtask <task>` (the alias lives in `.cargo/config.toml`).
//!
//! - `serve [--port N]`: build the wasm module into `pkg/` and serve the page on http://127.0.0.1:8000.
//! - `test`: every test: native `cargo test --workspace`, the Node check that wasm and native agree
//!   bit for bit, and the headless-Chromium smoke test of the served page.
//! - `build`: only build the wasm module into `pkg/`.
//! - `dist --out DIR [--runs[=NAME]]`: the page as a static site for any host and sub-path (`dist.rs`).
//! - `bench [--quick] [--scaling] [--repeats N] [--no-jax] [--no-browser] [--reuse-jax]`: the benchmarks of issues 6 and 15 (native, the
//!   JAX peer, the wasm build and the page in headless Chromium) side by side, with the targets (`bench.rs`).
//!
//! Each task installs what a fresh machine lacks (the wasm32 target; for `test` also Chromium and
//! the npm dev-dependencies of `tests/web/`), or says what to install.

mod bench;
mod dist;
mod server;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use wasm_bindgen_cli_support::Bindgen;

const WASM_TARGET: &str = "wasm32-unknown-unknown";
const CRATE: &str = "hessian-boundary";
/// The module's name in `pkg/` (`hessian_boundary.js`, `hessian_boundary_bg.wasm`).
const MODULE: &str = "hessian_boundary";
/// Where the JS test scripts and their npm dev-dependencies live.
const WEB_TESTS: &str = "tests/web";

type Result<T, E = String> = std::result::Result<T, E>;

const USAGE: &str = "\
usage: cargo xtask <task>

tasks:
  serve [--port N]  build the wasm module into pkg/ and serve the page on http://127.0.0.1:8000
  test              run every test (native, wasm in Node, the page in headless Chromium)
  build             only build the wasm module into pkg/
  dist --out DIR [--runs[=NAME]]
                    the page as a static site in DIR (any host, any sub-path); --runs precomputes the presets
                    (those whose names contain NAME) so they open at once
  bench [--quick] [--scaling] [--repeats N] [--no-jax] [--no-browser] [--reuse-jax] [--jax-dense-max-p N]
                    benchmarks: native, JAX peer, wasm in headless Chromium, the page; a table with the targets
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() == 1 && args[0] == "test" {
        return test();
    }
    let result = match args.first().map(String::as_str) {
        Some("serve") => parse_port(&args[1..]).and_then(serve),
        Some("build") if args.len() == 1 => Project::locate().and_then(|p| p.build_web().map(drop)),
        Some("bench") => bench::parse(&args[1..]).and_then(bench::bench),
        Some("dist") => dist::parse(&args[1..]).and_then(|o| dist::dist(&o)),
        Some("help" | "-h" | "--help") => {
            print!("{USAGE}");
            Ok(())
        }
        _ => Err(format!("unknown arguments: {args:?}\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn parse_port(args: &[String]) -> Result<u16> {
    let bad = || format!("expected `--port N` (N a port number), got {args:?}");
    match args {
        [] => Ok(8000),
        [flag, port] if flag == "--port" => port.parse().map_err(|_| bad()),
        [arg] => match arg.strip_prefix("--port=") {
            Some(port) => port.parse().map_err(|_| bad()),
            None => Err(bad()),
        },
        _ => Err(bad()),
    }
}

/// Paths and facts about the workspace, from `cargo metadata`.
struct Project {
    root: PathBuf,
    target: PathBuf,
    version: String,
}

impl Project {
    fn locate() -> Result<Project> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("xtask/ is inside the workspace")
            .to_path_buf();
        let out = Command::new(cargo())
            .args(["metadata", "--format-version", "1", "--no-deps"])
            .current_dir(&root)
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
        if !out.status.success() {
            return Err("cargo metadata failed".into());
        }
        let meta: serde_json::Value = serde_json::from_slice(&out.stdout)
            .map_err(|e| format!("cannot read cargo metadata: {e}"))?;
        let target = meta["target_directory"]
            .as_str()
            .ok_or("cargo metadata has no target_directory")?
            .into();
        let version = meta["packages"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["name"] == CRATE))
            .and_then(|p| p["version"].as_str())
            .ok_or_else(|| format!("cargo metadata does not list the {CRATE} package"))?
            .to_string();
        Ok(Project {
            root,
            target,
            version,
        })
    }

    fn cargo(&self) -> Command {
        let mut cmd = Command::new(cargo());
        cmd.current_dir(&self.root);
        cmd
    }

    /// Builds the library for wasm32 (release) and returns the raw `.wasm` from rustc.
    fn build_wasm(&self) -> Result<PathBuf> {
        ensure_wasm_target()?;
        step(&format!(
            "cargo build --lib --release --target {WASM_TARGET} -p {CRATE}"
        ));
        run(self.cargo().args([
            "build",
            "--lib",
            "--release",
            "--target",
            WASM_TARGET,
            "-p",
            CRATE,
        ]))?;
        let wasm = self
            .target
            .join(WASM_TARGET)
            .join("release")
            .join(format!("{MODULE}.wasm"));
        if wasm.is_file() {
            Ok(wasm)
        } else {
            Err(format!("the build did not produce {}", wasm.display()))
        }
    }

    /// The page's module: wasm-bindgen `--target web` into `pkg/`; prints its size.
    fn build_web(&self) -> Result<PathBuf> {
        let wasm = self.build_wasm()?;
        let pkg = self.root.join("pkg");
        bindgen(&wasm, &pkg, Flavor::Web)?;
        report_size(&pkg.join(format!("{MODULE}_bg.wasm")))?;
        Ok(pkg)
    }

    /// The Node module: wasm-bindgen `--target nodejs` into `target/pkg-node/`.
    fn build_node(&self) -> Result<PathBuf> {
        let wasm = self.build_wasm()?;
        let out = self.target.join("pkg-node");
        bindgen(&wasm, &out, Flavor::Node)?;
        Ok(out)
    }

    /// The native CLI, release, as `cargo run --release` builds it.
    fn build_cli(&self) -> Result<PathBuf> {
        step(&format!("cargo build --release -p {CRATE} --bin {CRATE}"));
        run(self
            .cargo()
            .args(["build", "--release", "-p", CRATE, "--bin", CRATE]))?;
        Ok(self
            .target
            .join("release")
            .join(format!("{CRATE}{}", std::env::consts::EXE_SUFFIX)))
    }
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

fn step(what: &str) {
    println!("\n==> {what}");
}

/// Runs a command with inherited output; an error if it cannot start or exits non-zero.
fn run(cmd: &mut Command) -> Result<()> {
    let status = cmd
        .status()
        .map_err(|e| format!("cannot run {}: {e}", describe(cmd)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{} failed ({status})", describe(cmd)))
    }
}

fn describe(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        s.push(' ');
        s.push_str(&arg.to_string_lossy());
    }
    s
}

fn is_installed(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

/// `rustup target add wasm32-unknown-unknown` unless the toolchain already has it.
fn ensure_wasm_target() -> Result<()> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let libdir = Command::new(&rustc)
        .args(["--print", "target-libdir", "--target", WASM_TARGET])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    let has_core = |dir: &Path| {
        std::fs::read_dir(dir).is_ok_and(|entries| {
            entries
                .flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("libcore-"))
        })
    };
    if libdir.as_deref().is_some_and(has_core) {
        return Ok(());
    }
    if !is_installed("rustup") {
        return Err(format!(
            "the Rust toolchain lacks the {WASM_TARGET} target and rustup is not available: install the target \
             for your toolchain (with rustup: `rustup target add {WASM_TARGET}`)"
        ));
    }
    step(&format!("rustup target add {WASM_TARGET}"));
    run(Command::new("rustup").args(["target", "add", WASM_TARGET]))
}

#[derive(Clone, Copy)]
enum Flavor {
    Web,
    Node,
}

/// The wasm-bindgen step (the CLI's `--target web|nodejs --no-typescript`), into a fresh `out` folder.
fn bindgen(wasm: &Path, out: &Path, flavor: Flavor) -> Result<()> {
    let target = match flavor {
        Flavor::Web => "web",
        Flavor::Node => "nodejs",
    };
    step(&format!(
        "wasm-bindgen --target {target} --out-dir {}",
        out.display()
    ));
    if out.exists() {
        std::fs::remove_dir_all(out).map_err(|e| format!("cannot clear {}: {e}", out.display()))?;
    }
    let mut b = Bindgen::new();
    b.input_path(wasm)
        .out_name(MODULE)
        .typescript(false)
        .omit_default_module_path(false);
    match flavor {
        Flavor::Web => b.web(true),
        Flavor::Node => b.nodejs(true),
    }
    .and_then(|b| b.generate(out))
    .map_err(|e| format!("wasm-bindgen: {e:#}"))
}

fn report_size(wasm: &Path) -> Result<()> {
    let bytes = std::fs::read(wasm).map_err(|e| format!("cannot read {}: {e}", wasm.display()))?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&bytes)
        .and_then(|()| gz.finish())
        .map(|z| {
            println!(
                "wasm size: {} ({}), gzipped {} (gzip -9)",
                kib(bytes.len()),
                wasm.file_name().unwrap_or_default().to_string_lossy(),
                kib(z.len())
            )
        })
        .map_err(|e| format!("gzip: {e}"))
}

fn kib(n: usize) -> String {
    format!("{:.1} KiB", n as f64 / 1024.0)
}

fn serve(port: u16) -> Result<()> {
    let project = Project::locate()?;
    // Take the port first, so a busy one is reported before the build.
    let server = server::Server::start(&project.root, port, true).map_err(|e| {
        if e.contains("in use") {
            format!("{e}; pick another port with `cargo xtask serve --port N`")
        } else {
            e
        }
    })?;
    project.build_web()?;
    println!(
        "\nserving index.html, www/ and pkg/ on {} (Ctrl-C to stop)",
        server.url()
    );
    server.wait();
    Ok(())
}

/// One part of `cargo xtask test`, for the closing summary.
struct Stage {
    name: &'static str,
    ok: bool,
    counts: Counts,
    secs: f64,
    note: String,
}

#[derive(Clone, Copy, Default)]
struct Counts {
    passed: u64,
    failed: u64,
    ignored: u64,
    /// Whether the runner printed any count at all.
    seen: bool,
}

fn test() -> ExitCode {
    let started = Instant::now();
    let mut stages: Vec<Stage> = Vec::new();
    let project = match Project::locate() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("xtask: error: {e}");
            return ExitCode::FAILURE;
        }
    };

    // 1. Native: every test target of every workspace member.
    stages.push(stage("native: cargo test --workspace", || {
        step("cargo test --workspace --no-fail-fast");
        counted(
            project
                .cargo()
                .args(["test", "--workspace", "--no-fail-fast"]),
            parse_cargo_test,
        )
    }));

    // 2. Builds for the JS tests: the native CLI, the wasm module for Node and for the page.
    let mut builds_ok = true;
    let mut build_stage = |name, f: &mut dyn FnMut() -> Result<()>| {
        let s = stage(name, || f().map(|()| Counts::default()));
        builds_ok &= s.ok;
        stages.push(s);
    };
    let (mut cli, mut pkg_node) = (None, None);
    build_stage("build: native CLI (release)", &mut || {
        project.build_cli().map(|p| cli = Some(p))
    });
    build_stage("build: wasm for Node (target/pkg-node)", &mut || {
        project.build_node().map(|p| pkg_node = Some(p))
    });
    build_stage("build: wasm for the page (pkg/)", &mut || {
        project.build_web().map(drop)
    });
    let site = project.target.join("dist");
    build_stage(
        "build: static site (cargo xtask dist --out target/dist --runs='Quick demo')",
        &mut || {
            dist::dist(&dist::Options {
                out: site.clone(),
                runs: Some("Quick demo".into()),
            })
        },
    );
    build_stage("setup: npm ci in tests/web", &mut || {
        ensure_npm_deps(&project.root.join(WEB_TESTS))
    });

    let web = project.root.join(WEB_TESTS);
    let node_test = |files: &[&str], env: &[(&str, String)]| {
        let mut cmd = Command::new("node");
        // One file at a time: two headless browsers at once on a loaded machine time each other out.
        cmd.args(["--test", "--test-concurrency=1", "--test-reporter=spec"])
            .args(files)
            .current_dir(&web);
        cmd.env("HB_CRATE_VERSION", &project.version);
        for (k, v) in env {
            cmd.env(k, v);
        }
        counted(&mut cmd, parse_node_test)
    };

    // 3. Node: the wasm build against the native CLI.
    if builds_ok {
        let out = project.target.join("agreement");
        stages.push(stage(
            "wasm: Node check against native (tests/web/wasm-node.test.mjs)",
            || {
                step("node --test wasm-node.test.mjs");
                node_test(
                    &["wasm-node.test.mjs"],
                    &[
                        (
                            "HB_PKG_NODE",
                            path_string(pkg_node.as_deref().unwrap_or(Path::new(""))),
                        ),
                        (
                            "HB_CLI",
                            path_string(cli.as_deref().unwrap_or(Path::new(""))),
                        ),
                        ("HB_OUT_DIR", path_string(&out)),
                    ],
                )
            },
        ));
    }

    // 4. The page in headless Chromium, served by our own server on a free port.
    if builds_ok {
        stages.push(stage(
            "browser: page in headless Chromium (tests/web/browser.test.mjs, embed.test.mjs)",
            || {
                let chromium = ensure_chromium()?;
                let server = server::Server::start(&project.root, 0, false)?;
                step(&format!(
                    "node --test browser.test.mjs embed.test.mjs (page served on {})",
                    server.url()
                ));
                let result = node_test(
                    &["browser.test.mjs", "embed.test.mjs"],
                    &[
                        ("HB_BASE_URL", server.url()),
                        ("HB_CHROMIUM", path_string(&chromium)),
                        // For the check that the page's run.json is the CLI's, byte for byte.
                        (
                            "HB_CLI",
                            path_string(cli.as_deref().unwrap_or(Path::new(""))),
                        ),
                        (
                            "HB_SCREENSHOTS",
                            path_string(&project.target.join("screenshots")),
                        ),
                        // The static site, served from a sub-path by the test itself.
                        ("HB_DIST", path_string(&site)),
                    ],
                );
                server.stop();
                result
            },
        ));
    }

    // Summary.
    let total = stages.iter().fold(Counts::default(), |a, s| Counts {
        passed: a.passed + s.counts.passed,
        // A stage that failed without a count of failed tests (a build, a crash) counts as one failure.
        failed: a.failed
            + if !s.ok && s.counts.failed == 0 {
                1
            } else {
                s.counts.failed
            },
        ignored: a.ignored + s.counts.ignored,
        seen: true,
    });
    let failed = stages.iter().any(|s| !s.ok) || !builds_ok;
    println!("\n==================== cargo xtask test: summary ====================");
    for s in &stages {
        let counts = if s.counts.seen {
            format!(
                "{} passed, {} failed, {} ignored",
                s.counts.passed, s.counts.failed, s.counts.ignored
            )
        } else {
            String::new()
        };
        println!(
            "{:4}  {:<68} {:>8}  {counts}",
            if s.ok { "ok" } else { "FAIL" },
            s.name,
            secs(s.secs)
        );
        if !s.note.is_empty() {
            for line in s.note.lines() {
                println!("        {line}");
            }
        }
    }
    if !builds_ok {
        println!("SKIP  the Node and browser checks (a build or setup step above failed)");
    }
    println!(
        "{}, in {}",
        if failed { "FAILED" } else { "all tests passed" },
        secs(started.elapsed().as_secs_f64())
    );
    println!(
        "xtask: {} passed, {} failed, {} skipped",
        total.passed, total.failed, total.ignored
    );
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn stage(name: &'static str, f: impl FnOnce() -> Result<Counts>) -> Stage {
    let t = Instant::now();
    let (ok, counts, note) = match f() {
        Ok(c) => (c.failed == 0, c, String::new()),
        Err(e) => {
            eprintln!("xtask: {name}: {e}");
            (false, Counts::default(), e)
        }
    };
    Stage {
        name,
        ok,
        counts,
        secs: t.elapsed().as_secs_f64(),
        note,
    }
}

fn secs(s: f64) -> String {
    let d = Duration::from_secs_f64(s).as_secs();
    if d >= 60 {
        format!("{}m{:02}s", d / 60, d % 60)
    } else {
        format!("{s:.1}s")
    }
}

fn path_string(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// Runs a test command, echoing its stdout while adding up the counts its runner prints.
/// An error if it cannot start, or exits non-zero (with whatever counts it printed).
fn counted(cmd: &mut Command, parse: fn(&str, &mut Counts)) -> Result<Counts> {
    let mut child = cmd
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", describe(cmd)))?;
    let mut counts = Counts::default();
    let stdout = child.stdout.take().expect("piped stdout");
    let mut out = std::io::stdout();
    for line in BufReader::new(stdout).split(b'\n') {
        let line = line.map_err(|e| format!("reading the output of {}: {e}", describe(cmd)))?;
        let _ = out.write_all(&line).and_then(|()| out.write_all(b"\n"));
        parse(&String::from_utf8_lossy(&line), &mut counts);
    }
    let _ = out.flush();
    let status = child
        .wait()
        .map_err(|e| format!("waiting for {}: {e}", describe(cmd)))?;
    // A failing test run fails its stage on the count; any other non-zero exit is an error here.
    if status.success() || counts.failed > 0 {
        Ok(counts)
    } else {
        Err(format!("{} failed ({status})", describe(cmd)))
    }
}

/// `test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s`
fn parse_cargo_test(line: &str, c: &mut Counts) {
    let Some(rest) = line.strip_prefix("test result: ") else {
        return;
    };
    c.seen = true;
    for part in rest.split(';') {
        let mut words = part.split_whitespace().rev();
        let (Some(what), Some(n)) = (words.next(), words.next()) else {
            continue;
        };
        let Ok(n) = n.parse::<u64>() else { continue };
        match what {
            "passed" => c.passed += n,
            "failed" => c.failed += n,
            "ignored" => c.ignored += n,
            _ => {}
        }
    }
}

/// node's spec reporter closes with `ℹ pass 3`, `ℹ fail 1`, `ℹ skipped 0`, `ℹ todo 0`.
fn parse_node_test(line: &str, c: &mut Counts) {
    let mut words = line.split_whitespace();
    let (Some("ℹ"), Some(what), Some(n), None) =
        (words.next(), words.next(), words.next(), words.next())
    else {
        return;
    };
    let Ok(n) = n.parse::<u64>() else { return };
    match what {
        "pass" => c.passed += n,
        "fail" | "cancelled" => c.failed += n,
        "skipped" | "todo" => c.ignored += n,
        _ => return,
    }
    c.seen = true;
}

/// `npm ci` in `dir` unless its node_modules already matches package-lock.json.
fn ensure_npm_deps(dir: &Path) -> Result<()> {
    if !is_installed("node") || !is_installed("npm") {
        if is_root() && is_installed("apt-get") {
            apt_install(&["nodejs", "npm"])?;
        } else {
            return Err(
                "Node.js (18 or later) and npm are needed for the JS tests: install them \
                        (e.g. `sudo apt-get install -y nodejs npm`)"
                    .into(),
            );
        }
    }
    let lock = dir.join("package-lock.json");
    let installed = dir.join("node_modules").join(".package-lock.json");
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    if let (Some(lock), Some(installed)) = (modified(&lock), modified(&installed)) {
        if installed >= lock {
            println!("\n==> {} is up to date", dir.join("node_modules").display());
            return Ok(());
        }
    }
    step(&format!("npm ci (in {})", dir.display()));
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(dir)
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"))
}

/// Headless Chromium for the smoke test: `$HB_CHROMIUM`, or Debian's `/usr/bin/chromium`,
/// installed with chromium-driver through apt when missing and running as root.
fn ensure_chromium() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("HB_CHROMIUM") {
        return Ok(path.into());
    }
    let path = PathBuf::from("/usr/bin/chromium");
    let driver = Path::new("/usr/bin/chromedriver");
    if path.is_file() && driver.is_file() {
        return Ok(path);
    }
    if is_root() && is_installed("apt-get") {
        apt_install(&["chromium", "chromium-driver"])?;
        if path.is_file() {
            return Ok(path);
        }
    }
    Err("the browser test needs Chromium: install it with `sudo apt-get install -y chromium chromium-driver` \
         (Debian/Ubuntu), or set HB_CHROMIUM to a Chromium or Chrome binary"
        .into())
}

fn apt_install(packages: &[&str]) -> Result<()> {
    step(&format!(
        "apt-get update && apt-get install -y {}",
        packages.join(" ")
    ));
    run(Command::new("apt-get")
        .args(["update", "-q"])
        .env("DEBIAN_FRONTEND", "noninteractive"))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "-q", "--no-install-recommends"])
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_flag() {
        let args = |s: &[&str]| s.iter().map(|a| a.to_string()).collect::<Vec<_>>();
        assert_eq!(parse_port(&args(&[])), Ok(8000));
        assert_eq!(parse_port(&args(&["--port", "9000"])), Ok(9000));
        assert_eq!(parse_port(&args(&["--port=0"])), Ok(0));
        assert!(parse_port(&args(&["--port"])).is_err());
        assert!(parse_port(&args(&["--port", "http"])).is_err());
        assert!(parse_port(&args(&["--port", "70000"])).is_err());
        assert!(parse_port(&args(&["9000"])).is_err());
    }

    #[test]
    fn cargo_test_counts() {
        let mut c = Counts::default();
        parse_cargo_test("test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s", &mut c);
        parse_cargo_test(
            "test result: FAILED. 3 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out",
            &mut c,
        );
        parse_cargo_test("test foo ... ok", &mut c);
        assert_eq!((c.passed, c.failed, c.ignored, c.seen), (15, 2, 1, true));
    }

    #[test]
    fn node_test_counts() {
        let mut c = Counts::default();
        for line in [
            "ℹ tests 4",
            "ℹ pass 3",
            "ℹ fail 1",
            "ℹ cancelled 0",
            "ℹ skipped 2",
            "ℹ todo 0",
            "✔ pass 9 things",
        ] {
            parse_node_test(line, &mut c);
        }
        assert_eq!((c.passed, c.failed, c.ignored, c.seen), (3, 1, 2, true));
    }
}
