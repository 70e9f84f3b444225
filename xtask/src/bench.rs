//! `cargo xtask bench`: the benchmarks of issues 6 and 15, side by side.
//!
//! 1. native: `hessian-boundary --threads 1 bench --export target/bench/data` (release; one child
//!    process per workload), which also writes the trained states the JAX peer reads, then the same on
//!    every core;
//! 2. JAX: `bench/jax_peer.py --threads 1` then `--threads all` (without its dense route) in
//!    `target/bench-venv` (created with `python3 -m venv`, packages from `bench/requirements.txt`
//!    installed with pip when missing);
//! 3. browser: the wasm build of the same workloads and the page on the default config in headless
//!    Chromium (`tests/web/bench.mjs`), served by our server on a free port;
//!
//! then prints one table (markdown): per workload and metric ours and JAX at one thread and on every
//! core, their ratios, wasm and wasm/native; the roofline (each kernel's GFLOP/s against this machine's
//! measured peaks, without and with FMA); and the targets, met or missed. `--scaling` runs only the
//! scaling table (`hessian-boundary bench --scaling` at one thread and on every core). Raw lines go to `target/bench/*.jsonl`, the table to
//! `target/bench/table.md` (`--scaling`: `scaling.jsonl`, `scaling.md`). Not part of `cargo xtask test` (benchmarks print numbers; tests never time).

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

use super::{
    describe, ensure_chromium, ensure_npm_deps, path_string, run, server, step, Project, Result,
    MODULE, WEB_TESTS,
};

pub struct Options {
    quick: bool,
    repeats: usize,
    jax: bool,
    browser: bool,
    jax_dense_max_p: usize,
    /// Take the JAX lines of the previous run (target/bench/jax.jsonl) instead of measuring again.
    reuse_jax: bool,
    /// Only the scaling table (`hessian-boundary bench --scaling`).
    scaling: bool,
}

pub fn parse(args: &[String]) -> Result<Options> {
    let mut o = Options {
        quick: false,
        repeats: 5,
        jax: true,
        browser: true,
        jax_dense_max_p: 12_000,
        reuse_jax: false,
        scaling: false,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut number = |name: &str| -> Result<usize> {
            it.next()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("expected `{name} N` (a whole number)"))
        };
        match a.as_str() {
            "--quick" => o.quick = true,
            "--no-jax" => o.jax = false,
            "--no-browser" => o.browser = false,
            "--reuse-jax" => o.reuse_jax = true,
            "--scaling" => o.scaling = true,
            "--repeats" => o.repeats = number("--repeats")?.max(1),
            "--jax-dense-max-p" => o.jax_dense_max_p = number("--jax-dense-max-p")?,
            _ => return Err(format!("unknown bench argument {a:?}")),
        }
    }
    Ok(o)
}

/// JSON lines of a command's stdout (stderr passes through); other lines are echoed.
fn json_lines(cmd: &mut Command) -> Result<Vec<Value>> {
    let mut child = cmd
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", describe(cmd)))?;
    let mut lines = Vec::new();
    for line in BufReader::new(child.stdout.take().expect("piped")).lines() {
        let line = line.map_err(|e| format!("reading {}: {e}", describe(cmd)))?;
        match serde_json::from_str::<Value>(&line) {
            Ok(v) if v.is_object() => {
                println!("{line}");
                lines.push(v);
            }
            _ => println!("{line}"),
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if status.success() {
        Ok(lines)
    } else {
        Err(format!("{} failed ({status})", describe(cmd)))
    }
}

fn save(path: &Path, lines: &[Value]) {
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let _ = std::fs::write(path, text);
}

pub fn bench(o: Options) -> Result<()> {
    let project = Project::locate()?;
    let out = project.target.join("bench");
    let data = out.join("data");
    std::fs::create_dir_all(&data).map_err(|e| format!("cannot create {}: {e}", data.display()))?;
    let mut problems: Vec<String> = Vec::new();
    if o.scaling {
        return scaling(&project, &o, &out);
    }

    // Both builds first, so native and wasm are the same source even if the tree changes meanwhile.
    let cli = project.build_cli()?;
    let pkg = if o.browser {
        Some(project.build_web()?)
    } else {
        None
    };
    let measured = provenance(&project);
    let mut loads = vec![format!("before: {}", load_average())];

    // 1. Native: one thread (which also exports the trained states), then every core.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut native = Vec::new();
    for threads in if cores > 1 { vec![1, cores] } else { vec![1] } {
        step(&format!(
            "native: hessian-boundary --threads {threads} bench (release, one process per workload)"
        ));
        let mut cmd = Command::new(&cli);
        cmd.args(["--threads", &threads.to_string(), "bench"])
            .args(["--repeats", &o.repeats.to_string()]);
        if threads == 1 {
            cmd.arg("--export").arg(&data);
        }
        if o.quick {
            cmd.arg("--quick");
        }
        native.extend(json_lines(&mut cmd)?);
        loads.push(format!(
            "after native ({threads} threads): {}",
            load_average()
        ));
    }
    save(&out.join("native.jsonl"), &native);

    // 2. JAX.
    let jax_file = out.join("jax.jsonl");
    let mut jax_note = None;
    let jax = if o.reuse_jax {
        let text = std::fs::read_to_string(&jax_file)
            .map_err(|e| format!("--reuse-jax: cannot read {}: {e}", jax_file.display()))?;
        jax_note = Some(format!(
            "JAX numbers reused from an earlier run ({}; same trained states: training is deterministic).",
            jax_file.display()
        ));
        text.lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    } else if o.jax {
        match run_jax(&project, &o, &data) {
            Ok(lines) => {
                save(&jax_file, &lines);
                loads.push(format!("after JAX: {}", load_average()));
                lines
            }
            Err(e) => {
                eprintln!("xtask: bench: JAX peer: {e}");
                problems.push(format!("JAX peer: {e}"));
                Vec::new()
            }
        }
    } else {
        Vec::new()
    };

    // 3. Browser.
    let (browser, bundle) = if let Some(pkg) = &pkg {
        match run_browser(&project, &o, pkg) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("xtask: bench: browser: {e}");
                problems.push(format!("browser: {e}"));
                (Vec::new(), None)
            }
        }
    } else {
        (Vec::new(), None)
    };
    save(&out.join("browser.jsonl"), &browser);
    if o.browser {
        loads.push(format!("after browser: {}", load_average()));
    }

    let mut table = table(&native, &jax, &browser, bundle, &o);
    table.push_str(&format!(
        "\n{} Load average (1 min) {}.\n",
        measured,
        loads.join(", ")
    ));
    if let Some(note) = jax_note {
        table.push_str(&format!("{note}\n"));
    }
    println!("\n==================== cargo xtask bench ====================\n");
    print!("{table}");
    for p in &problems {
        println!("\nnot measured: {p}");
    }
    let path = out.join("table.md");
    std::fs::write(&path, &table).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!(
        "\n(raw lines in {}/{{native,jax,browser}}.jsonl; this table in {})",
        out.display(),
        path.display()
    );
    Ok(())
}

/// `--scaling`: `hessian-boundary bench --scaling` at one thread and on every core, as one table.
fn scaling(project: &Project, o: &Options, out: &Path) -> Result<()> {
    let cli = project.build_cli()?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut lines = Vec::new();
    let mut loads = vec![format!("before: {}", load_average())];
    for threads in if cores > 1 { vec![1, cores] } else { vec![1] } {
        step(&format!(
            "native: hessian-boundary --threads {threads} bench --scaling"
        ));
        lines.extend(json_lines(
            Command::new(&cli)
                .args(["--threads", &threads.to_string(), "bench", "--scaling"])
                .args(["--repeats", &o.repeats.to_string()]),
        )?);
        loads.push(format!("after {threads} threads: {}", load_average()));
    }
    save(&out.join("scaling.jsonl"), &lines);
    let mut t = String::from(
        "| p | threads | epoch | HVP | HVP per p·n | spectrum (HVPs) | analyses | fields | margin | checks | whole run | run per p·n |\n\
         |--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n",
    );
    for l in &lines {
        let f = |k: &str| l[k].as_f64().unwrap_or(f64::NAN);
        let pn = f("p") * f("n");
        t.push_str(&format!(
            "| {} | {} | {} | {} | {:.2} ns | {} ({}) | {} | {} | {} | {} | {} | {:.0} ns |\n",
            l["p"],
            l["threads"],
            secs(f("epoch_s")),
            secs(f("hvp_s")),
            f("hvp_s") / pn * 1e9,
            secs(f("spectrum_s")),
            l["spectrum_hvps"],
            secs(f("analyses_s")),
            secs(f("fields_s")),
            secs(f("margin_s")),
            secs(f("checks_s")),
            secs(f("run_s")),
            f("run_s") / pn * 1e9,
        ));
    }
    t.push_str(&format!(
        "\ndigits (n = 899) with layers h,h (h = 70, 140, 280, 500), 20 epochs. {} Load average (1 min) {}.\n",
        provenance(project),
        loads.join(", ")
    ));
    println!("\n==================== cargo xtask bench --scaling ====================\n");
    print!("{t}");
    let path = out.join("scaling.md");
    std::fs::write(&path, &t).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!(
        "\n(raw lines in {}; this table in {})",
        out.join("scaling.jsonl").display(),
        path.display()
    );
    Ok(())
}

/// The 1-minute load average (other work on the machine skews the numbers).
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

/// Which code was measured: the commit, and the files of `src/` changed since (a shared working tree).
fn provenance(project: &Project) -> String {
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(&project.root)
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim_end().to_string())
            .unwrap_or_default()
    };
    let commit = git(&["rev-parse", "--short", "HEAD"]);
    let dirty = git(&[
        "status",
        "--porcelain",
        "--",
        "src",
        "Cargo.toml",
        "Cargo.lock",
    ]);
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!(
        "Built at commit {commit}{} and measured on {cores} cores ({cpu}).",
        if dirty.is_empty() {
            String::new()
        } else {
            format!(
                " with uncommitted changes to {}",
                dirty
                    .lines()
                    .map(|l| l[3..].to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    )
}

/// The venv with jax and numpy (installed with pip from bench/requirements.txt when missing).
fn ensure_venv(project: &Project) -> Result<PathBuf> {
    let venv = project.target.join("bench-venv");
    let python = venv.join("bin").join("python");
    if !python.is_file() {
        step(&format!("python3 -m venv {}", venv.display()));
        run(Command::new("python3").arg("-m").arg("venv").arg(&venv))
            .map_err(|e| format!("{e} (the JAX peer needs Python 3.10+ with venv)"))?;
    }
    let has = Command::new(&python)
        .args(["-c", "import jax, numpy"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !has {
        let req = project.root.join("bench").join("requirements.txt");
        step(&format!("pip install -r {}", req.display()));
        run(Command::new(&python)
            .args(["-m", "pip", "install", "-q", "-r"])
            .arg(&req))?;
    }
    Ok(python)
}

/// The JAX peer at one thread (with its dense route), then on every core (without: it is minutes).
fn run_jax(project: &Project, o: &Options, data: &Path) -> Result<Vec<Value>> {
    let python = ensure_venv(project)?;
    let mut lines = Vec::new();
    for (threads, dense_max_p) in [("1", o.jax_dense_max_p), ("all", 0)] {
        step(&format!(
            "JAX peer: bench/jax_peer.py --threads {threads} (CPU, float64, jitted)"
        ));
        let mut cmd = Command::new(&python);
        cmd.arg(project.root.join("bench").join("jax_peer.py"))
            .arg("--data")
            .arg(data)
            .args(["--repeats", &o.repeats.to_string(), "--threads", threads])
            .args(["--dense-max-p", &dense_max_p.to_string()]);
        if o.quick {
            cmd.arg("--quick");
        }
        lines.extend(json_lines(&mut cmd)?);
    }
    Ok(lines)
}

/// Gzipped (-9) size of the page's wasm module and of its JS glue, in KiB.
fn bundle_size(pkg: &Path) -> Result<(f64, f64)> {
    let gz = |name: String| -> Result<f64> {
        let bytes =
            std::fs::read(pkg.join(&name)).map_err(|e| format!("cannot read {name}: {e}"))?;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&bytes).map_err(|e| e.to_string())?;
        Ok(enc.finish().map_err(|e| e.to_string())?.len() as f64 / 1024.0)
    };
    Ok((
        gz(format!("{MODULE}_bg.wasm"))?,
        gz(format!("{MODULE}.js"))?,
    ))
}

/// The browser's JSON lines, and the bundle size (wasm, JS glue) in KiB gzipped when it could be read.
type BrowserResult = (Vec<Value>, Option<(f64, f64)>);

fn run_browser(project: &Project, o: &Options, pkg: &Path) -> Result<BrowserResult> {
    let bundle = bundle_size(pkg).ok();
    let web = project.root.join(WEB_TESTS);
    ensure_npm_deps(&web)?;
    let chromium = ensure_chromium()?;
    let server = server::Server::start(&project.root, 0, false)?;
    step(&format!(
        "browser: node tests/web/bench.mjs (headless Chromium, page served on {})",
        server.url()
    ));
    let opts =
        serde_json::json!({"repeats": o.repeats, "quick": o.quick, "denseMaxP": 0, "e2e": true});
    let result = json_lines(
        Command::new("node")
            .arg("bench.mjs")
            .current_dir(&web)
            .env("HB_BASE_URL", server.url())
            .env("HB_CHROMIUM", path_string(&chromium))
            .env("HB_BENCH", opts.to_string()),
    );
    server.stop();
    Ok((result?, bundle))
}

// ---------------------------------------------------------------------------------------------
// The table

const METRICS: [(&str, &str); 11] = [
    ("forward_s", "forward (logits)"),
    ("grad_s", "full-batch gradient"),
    ("hvp_s", "HVP"),
    ("epoch_s", "training epoch"),
    ("lanczos_top10_s", "Lanczos top-10"),
    ("lanczos_hvps", "  its HVPs"),
    ("field_s", "alignment fields"),
    ("dense_s", "dense H + eigh"),
    ("dense_eigh_s", "  its eigh"),
    ("dense_eigh_nalgebra_s", "  nalgebra's own eigh"),
    ("peak_rss_mb", "peak memory"),
];

fn find<'a>(lines: &'a [Value], workload: &str) -> Option<&'a Value> {
    lines.iter().find(|l| l["workload"] == workload)
}

fn num(line: Option<&Value>, key: &str) -> Option<f64> {
    line.and_then(|l| l[key].as_f64())
}

fn fmt_value(key: &str, v: Option<f64>) -> String {
    match v {
        None => "—".into(),
        Some(v) if key == "lanczos_hvps" => format!("{v:.0}"),
        Some(v) if key.ends_with("_mb") => format!("{v:.0} MB"),
        Some(v) => secs(v),
    }
}

/// Seconds in a readable unit.
fn secs(s: f64) -> String {
    if s < 1e-3 {
        format!("{:.0} µs", s * 1e6)
    } else if s < 0.1 {
        format!("{:.2} ms", s * 1e3)
    } else if s < 1.0 {
        format!("{:.0} ms", s * 1e3)
    } else {
        format!("{s:.2} s")
    }
}

fn ratio(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => Some(a / b),
        _ => None,
    }
}

fn fmt_ratio(r: Option<f64>) -> String {
    r.map_or("—".into(), |r| {
        if r >= 100.0 {
            format!("{r:.0}×")
        } else {
            format!("{r:.2}×")
        }
    })
}

fn table(
    native: &[Value],
    jax: &[Value],
    browser: &[Value],
    bundle: Option<(f64, f64)>,
    o: &Options,
) -> String {
    let wasm: Vec<Value> = browser
        .iter()
        .filter(|l| l["env"] == "wasm")
        .cloned()
        .collect();
    let page = browser.iter().find(|l| l["env"] == "page");
    let mut t = String::new();
    let mut w = |s: String| t.push_str(&s);
    if o.quick {
        w("**--quick: a smoke run (10 epochs, 16×16 grid, one repeat, no dense route): not the benchmark.**\n\n".into());
    }
    // Lines at one thread, and at every core (absent on a 1-core machine or in an older run).
    let by_threads = |lines: &[Value], one: bool| -> Vec<Value> {
        lines
            .iter()
            .filter(|l| (l["threads"].as_u64().unwrap_or(1) == 1) == one)
            .cloned()
            .collect()
    };
    let (native_all, jax_all) = (by_threads(native, false), by_threads(jax, false));
    let (native, jax) = (&by_threads(native, true)[..], &by_threads(jax, true)[..]);
    let cores = native_all
        .iter()
        .chain(&jax_all)
        .find_map(|l| l["threads"].as_u64())
        .map_or("all cores".to_string(), |n| format!("{n} threads"));
    w(format!(
        "| workload | metric | ours, 1 thread | ours, {cores} | JAX, 1 thread | JAX, {cores} | ours/JAX, 1 thread | ours/JAX, {cores} | wasm | wasm/native |\n"
    ));
    w("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|\n".into());
    for n in native {
        let name = n["workload"].as_str().unwrap_or("?");
        let (j, b) = (find(jax, name), find(&wasm, name));
        let (na, ja) = (find(&native_all, name), find(&jax_all, name));
        let label = format!(
            "{name} (p = {}, n = {})",
            n["p"].as_u64().unwrap_or(0),
            n["n"].as_u64().unwrap_or(0)
        );
        for (i, (key, what)) in METRICS.iter().enumerate() {
            let ours = num(Some(n), key);
            let (jv, bv, nav, jav) = (num(j, key), num(b, key), num(na, key), num(ja, key));
            let mut ours_s = fmt_value(key, ours);
            if *key == "dense_s" && ours.is_none() {
                if let Some(est) = num(Some(n), "dense_est_s") {
                    ours_s = format!("(est. {})", secs(est));
                }
            }
            let comparable = *key != "lanczos_hvps";
            let r = |a, b| {
                if comparable {
                    fmt_ratio(ratio(a, b))
                } else {
                    String::new()
                }
            };
            w(format!(
                "| {} | {what} | {ours_s} | {} | {} | {} | {} | {} | {} | {} |\n",
                if i == 0 { label.as_str() } else { "" },
                fmt_value(key, nav),
                fmt_value(key, jv),
                fmt_value(key, jav),
                r(ours, jv),
                r(nav, jav),
                fmt_value(key, bv),
                r(bv, ours),
            ));
        }
    }
    w("\nwasm peak memory is the module's linear memory; native and JAX peak memory is the process's peak RSS. \
       JAX on every core skips the dense route (minutes).\n".into());
    w(roofline(native, jax));

    // Targets.
    w("\n| target (issues 6 and 15; ratios at one thread) | measured | |\n|---|---|---|\n".into());
    let mut target = |what: String, measured: Option<(f64, String)>, ok: &dyn Fn(f64) -> bool| {
        let (value, verdict) = match measured {
            Some((v, s)) => (s, if ok(v) { "met" } else { "**missed**" }),
            None => ("not measured".into(), "—"),
        };
        w(format!("| {what} | {value} | {verdict} |\n"));
    };
    for n in native {
        let name = n["workload"].as_str().unwrap_or("?");
        let j = find(jax, name);
        for (key, what) in [("hvp_s", "HVP"), ("grad_s", "gradient")] {
            let r = ratio(num(Some(n), key), num(j, key));
            target(
                format!("{name}: native {what} ≤ 1.0× JAX"),
                r.map(|r| (r, format!("{r:.2}×"))),
                &|r| r <= 1.0,
            );
        }
        let r = ratio(num(j, "field_s"), num(Some(n), "field_s"));
        target(
            format!("{name}: alignment field ≥ 10× faster than JAX's vmap"),
            r.map(|r| (r, format!("{r:.2}× faster"))),
            &|r| r >= 10.0,
        );
    }
    if let Some(g) = find(native, "gaussian") {
        let lz = num(Some(g), "lanczos_top10_s");
        let (dense, source) = match (
            num(find(jax, "gaussian"), "dense_s"),
            num(Some(g), "dense_s"),
        ) {
            (Some(d), _) => (Some(d), "JAX's jax.hessian + eigh"),
            (None, Some(d)) => (Some(d), "ours"),
            _ => (num(Some(g), "dense_est_s"), "our estimate"),
        };
        let r = ratio(dense, lz);
        target(
            format!("gaussian: top-10 ≥ 1000× faster than the dense route ({source})"),
            r.map(|r| {
                (
                    r,
                    format!(
                        "{r:.0}× ({} vs {})",
                        secs(dense.unwrap()),
                        secs(lz.unwrap())
                    ),
                )
            }),
            &|r| r >= 1000.0,
        );
    }
    for n in native {
        let name = n["workload"].as_str().unwrap_or("?");
        let b = find(&wasm, name);
        for (key, what) in [("hvp_s", "HVP"), ("epoch_s", "training epoch")] {
            let r = ratio(num(b, key), num(Some(n), key));
            target(
                format!("{name}: wasm ≤ 2.5× native on {what}"),
                r.map(|r| (r, format!("{r:.2}×"))),
                &|r| r <= 2.5,
            );
        }
    }
    let pg = |k: &str| num(page, k);
    target(
        "page: first frame ≤ 1 s after load (navigation start → first frame of the running page)"
            .into(),
        pg("first_frame_ms").map(|v| {
            (
                v,
                format!(
                    "{:.2} s (first contentful paint {:.2} s)",
                    v / 1e3,
                    pg("first_contentful_paint_ms").unwrap_or(f64::NAN) / 1e3
                ),
            )
        }),
        &|v| v <= 1000.0,
    );
    target(
        "page: default config to a complete picture ≤ 10 s".into(),
        pg("complete_ms").map(|v| {
            (
                v,
                format!(
                    "{:.2} s (training done at {:.2} s, analyses done at {:.2} s)",
                    v / 1e3,
                    pg("analysing_ms").unwrap_or(f64::NAN) / 1e3,
                    pg("generalizing_ms").or(pg("done_ms")).unwrap_or(f64::NAN) / 1e3
                ),
            )
        }),
        &|v| v <= 10_000.0,
    );
    target(
        "page: G over all p, certified, ≤ 30 s after the complete picture".into(),
        pg("done_ms")
            .zip(pg("complete_ms"))
            .map(|(done, complete)| {
                let g = done - complete;
                (
                    g,
                    format!("{:.2} s (G shown at {:.2} s)", g / 1e3, done / 1e3),
                )
            }),
        &|v| v <= 30_000.0,
    );
    target(
        "page: perturbation explorer ≥ 20 redraws/s while t is dragged (default config)".into(),
        pg("explorer_redraws_per_s").map(|v| (v, format!("{v:.1} redraws/s"))),
        &|v| v >= 20.0,
    );
    target(
        "wasm bundle ≤ 400 KB gzipped".into(),
        bundle.map(|(wasm, js)| {
            (
                wasm + js,
                format!(
                    "{:.0} KiB ({wasm:.0} KiB wasm + {js:.0} KiB JS glue, gzip -9)",
                    wasm + js
                ),
            )
        }),
        &|v| v * 1024.0 <= 400_000.0,
    );
    target(
        "page: tab memory ≤ 300 MB (renderer peak RSS, default config)".into(),
        pg("tab_peak_rss_mb").filter(|&v| v > 0.0).map(|v| {
            (
                v,
                format!(
                    "{v:.0} MB peak ({:.0} MB at the end; all Chromium processes {:.0} MB)",
                    pg("tab_rss_mb").unwrap_or(f64::NAN),
                    pg("chromium_rss_mb").unwrap_or(f64::NAN)
                ),
            )
        }),
        &|v| v <= 300.0,
    );
    t
}

/// The roofline: each kernel's analytic operation count (`src/bench.rs`, `flops`), our rate at one
/// thread against this machine's measured peaks, and JAX's time expressed on the same count.
fn roofline(native: &[Value], jax: &[Value]) -> String {
    let Some(peak) = native.iter().map(|n| &n["peak"]).find(|p| p.is_object()) else {
        return String::new();
    };
    let gf = |v: Option<f64>| v.map_or("—".into(), |v| format!("{v:.1}"));
    let pct = |v: Option<f64>| v.map_or("—".into(), |v| format!("{:.0} %", v * 100.0));
    let (mul_add, fma) = (peak["mul_add_gflops"].as_f64(), peak["fma_gflops"].as_f64());
    let mut t = format!(
        "\n**Roofline, one thread** ({} with {} f64 lanes; measured peak {} GFLOP/s with separate multiply and add, {} GFLOP/s with FMA):\n\n",
        peak["simd"]["name"].as_str().unwrap_or("?"),
        peak["simd"]["lanes"],
        gf(mul_add),
        gf(fma),
    );
    t.push_str("| workload | kernel | MFLOP | ours | GFLOP/s | of peak (no FMA) | of FMA peak | JAX | JAX GFLOP/s (same count) | JAX of FMA peak |\n");
    t.push_str("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|\n");
    let jax_key = |kernel: &str| match kernel {
        "forward" => "forward_s",
        "gradient" => "grad_s",
        "HVP" => "hvp_s",
        _ => "field_s",
    };
    for n in native {
        let name = n["workload"].as_str().unwrap_or("?");
        let j = find(jax, name);
        for (i, k) in n["roofline"].as_array().into_iter().flatten().enumerate() {
            let kernel = k["kernel"].as_str().unwrap_or("?");
            let flops = k["flops"].as_f64().unwrap_or(f64::NAN);
            let jax_s = num(j, jax_key(kernel));
            let jax_gf = jax_s.map(|s| flops / s / 1e9);
            t.push_str(&format!(
                "| {} | {kernel} | {:.1} | {} | {} | {} | {} | {} | {} | {} |\n",
                if i == 0 { name } else { "" },
                flops / 1e6,
                fmt_value("", k["seconds"].as_f64()),
                gf(k["gflops"].as_f64()),
                pct(k["of_peak"].as_f64()),
                pct(k["of_fma_peak"].as_f64()),
                fmt_value("", jax_s),
                gf(jax_gf),
                pct(jax_gf.zip(fma).map(|(g, p)| g / p)),
            ));
        }
    }
    t.push_str("\nJAX's field computes per-sample gradients (more work than our count), so its rate there is only on our count.\n");
    t
}
