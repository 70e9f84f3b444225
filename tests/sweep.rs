//! `hessian-boundary sweep`: the job list, the summary statistics, and sweeps through the real
//! binary (local, resumed, and listed + run by hand + collected, which must give the same files).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use hessian_boundary::sweep::jobs::{jobs, Seeds, Vary};
use hessian_boundary::sweep::summary::{quantile, summarize, Summary};

const BIN: &str = env!("CARGO_BIN_EXE_hessian-boundary");
const TINY: &str = "dataset=moons&draw=seeded&n=40&layers=4&epochs=20&k=2&grid=8";

fn vary(arg: &str) -> Vary {
    Vary::parse(arg).unwrap()
}

#[test]
fn seeds_are_inclusive_ranges_or_one_number() {
    assert_eq!(Seeds::parse("0..9").unwrap(), Seeds { first: 0, last: 9 });
    assert_eq!(Seeds::parse("0..9").unwrap().count(), 10);
    assert_eq!(Seeds::parse("7").unwrap(), Seeds { first: 7, last: 7 });
    assert!(Seeds::parse("3..1").unwrap_err().contains("3..1"));
    assert!(Seeds::parse("a..2").unwrap_err().contains("\"a\""));
}

#[test]
fn vary_splits_at_commas_or_at_semicolons_when_there_are_any() {
    assert_eq!(vary("lr=0.05, 0.1").values, ["0.05", "0.1"]);
    assert_eq!(vary("layers=50,50;100").values, ["50,50", "100"]);
    assert_eq!(vary("layers=50,50;100").to_arg(), "layers=50,50;100");
    assert!(Vary::parse("lr").unwrap_err().contains("key=v1,v2"));
    assert!(Vary::parse("lr=0.1,").unwrap_err().contains("empty value"));
}

#[test]
fn jobs_are_the_product_in_order_with_canonical_queries() {
    let (varied, list) = jobs(
        "dataset=moons&epochs=5&seed=9",
        Seeds { first: 0, last: 1 },
        &[vary("lr=0.10,0.05"), vary("layers=4;8,8")],
    )
    .unwrap();
    // Values canonical (0.10 → 0.1); the base's seed replaced by each job's.
    assert_eq!(varied[0].values, ["0.1", "0.05"]);
    let got: Vec<(usize, u64, Vec<String>, String)> = list
        .into_iter()
        .map(|j| (j.index, j.seed, j.values, j.query))
        .collect();
    let q = |seed: &str, layers: &str, lr: &str| {
        format!("v=2&dataset=moons{seed}&layers={layers}&lr={lr}&epochs=5")
    };
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(
        got,
        [
            (1, 0, s(&["0.1", "4"]), q("", "4", "0.1")),
            (2, 1, s(&["0.1", "4"]), q("&seed=1", "4", "0.1")),
            (3, 0, s(&["0.1", "8,8"]), q("", "8,8", "0.1")),
            (4, 1, s(&["0.1", "8,8"]), q("&seed=1", "8,8", "0.1")),
            (5, 0, s(&["0.05", "4"]), q("", "4", "0.05")),
            (6, 1, s(&["0.05", "4"]), q("&seed=1", "4", "0.05")),
            (7, 0, s(&["0.05", "8,8"]), q("", "8,8", "0.05")),
            (8, 1, s(&["0.05", "8,8"]), q("&seed=1", "8,8", "0.05")),
        ]
    );
    // No --vary: one job per seed; a value equal to the default leaves the query.
    let (_, list) = jobs("lr=0.02", Seeds { first: 4, last: 4 }, &[]).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].query, "v=2&seed=4");
}

#[test]
fn bad_varies_are_errors_that_name_them() {
    let seeds = Seeds { first: 0, last: 0 };
    let err = jobs(TINY, seeds, &[vary("lr=0.1,abc"), vary("colour=red")]).unwrap_err();
    assert!(
        err.contains("bad --vary lr=abc: lr: \"abc\" is not a number"),
        "{err}"
    );
    assert!(
        err.contains("bad --vary colour=red: colour: unknown key"),
        "{err}"
    );
    let err = jobs(TINY, seeds, &[vary("seed=1,2")]).unwrap_err();
    assert!(err.contains("seed") && err.contains("--seeds"), "{err}");
    let err = jobs(TINY, seeds, &[vary("lr=0.1"), vary("lr=0.2")]).unwrap_err();
    assert!(err.contains("lr is varied twice"), "{err}");
    let err = jobs(TINY, seeds, &[vary("lr=0.1,0.10")]).unwrap_err();
    assert!(err.contains("lr=0.1 is given twice"), "{err}");
    let err = jobs("epochs=-1", seeds, &[]).unwrap_err();
    assert!(err.starts_with("bad --config: epochs:"), "{err}");
}

#[test]
fn summary_statistics_of_known_numbers() {
    // Type 7 by hand: n = 5, h = 4p lands on order statistics.
    assert_eq!(
        summarize(&[5.0, 3.0, 1.0, 4.0, 2.0]),
        Summary {
            n: 5,
            median: 3.0,
            q1: 2.0,
            q3: 4.0,
            min: 1.0,
            max: 5.0
        }
    );
    // n = 2: h = 0.25, 0.5, 0.75 between 10 and 20 (numpy: 12.5, 15, 17.5).
    let s = summarize(&[20.0, 10.0]);
    assert_eq!((s.q1, s.median, s.q3), (12.5, 15.0, 17.5));
    // n = 6: h = 1.25 → 2 + 0.25·(4 − 2), h = 2.5 → 4 + 0.5·(8 − 4), h = 3.75 → 8 + 0.75·(16 − 8).
    let s = summarize(&[1.0, 2.0, 4.0, 8.0, 16.0, 32.0]);
    assert_eq!((s.q1, s.median, s.q3), (2.5, 6.0, 14.0));
    assert_eq!(quantile(&[1.0, 2.0, 4.0, 8.0, 16.0, 32.0], 1.0), 32.0);
    // One value: every statistic is it; NaN and infinities are not counted.
    let s = summarize(&[f64::NAN, 0.25, f64::INFINITY]);
    assert_eq!(
        (s.n, s.min, s.q1, s.median, s.q3, s.max),
        (1, 0.25, 0.25, 0.25, 0.25, 0.25)
    );
    assert_eq!(summarize(&[]).n, 0);
    assert!(summarize(&[f64::NAN]).median.is_nan());
}

/// A fresh directory under the target's tmp dir.
fn fresh(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("sweep-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn hb(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_sweep_through_the_binary_matches_its_runs_and_a_collected_one() {
    let local = fresh("local");
    let dir = local.to_str().unwrap();
    let args = [
        "sweep",
        "--config",
        TINY,
        "--seeds",
        "0..1",
        "--vary",
        "lr=0.05,0.1",
        "--out",
        dir,
    ];
    let o = hb(&args);
    let stdout = text(&o.stdout);
    assert!(o.status.success(), "{stdout}{}", text(&o.stderr));
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with('[')).count(),
        4,
        "{stdout}"
    );
    assert!(stdout.contains("seed=1 lr=0.1: λ₁ "), "{stdout}");
    assert!(
        stdout.lines().last().unwrap().starts_with("4 jobs in "),
        "{stdout}"
    );

    let csv_bytes = std::fs::read(local.join("sweep.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(&csv_bytes[..]);
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "job",
            "query",
            "seed",
            "lr",
            "lambda1",
            "lambda2",
            "trace",
            "G",
            "epsilon",
            "margin_estimate",
            "margin_true",
            "margin_relative_error",
            "train_accuracy",
            "test_accuracy",
            "status",
            "error"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 4);
    for (i, (row, (seed, lr))) in rows
        .iter()
        .zip([("0", "0.05"), ("1", "0.05"), ("0", "0.1"), ("1", "0.1")])
        .enumerate()
    {
        assert_eq!(row.len(), header.len());
        assert_eq!(
            (&row[0], &row[2], &row[3], &row[14]),
            (&*(i + 1).to_string(), seed, lr, "ok")
        );
        let run: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(local.join(format!("runs/{}/run.json", i + 1))).unwrap(),
        )
        .unwrap();
        assert_eq!(row[1], run["query"]);
        // Bit for bit: the CSV's number reads back to run.json's.
        let lambda1: f64 = row[4].parse().unwrap();
        assert_eq!(
            lambda1.to_bits(),
            run["hessian"]["eigenvalues"][0].as_f64().unwrap().to_bits()
        );
        let g: f64 = row[7].parse().unwrap();
        assert_eq!(g, run["generalization"]["aggregate"].as_f64().unwrap());
    }
    let md = std::fs::read_to_string(local.join("sweep.md")).unwrap();
    assert!(md.contains("| lr | n | median | IQR | min–max |"), "{md}");
    assert!(md.contains("numpy's default"), "{md}");

    // Again: every job is skipped, the files are the same.
    let o = hb(&args);
    let stdout = text(&o.stdout);
    assert!(o.status.success());
    assert_eq!(stdout.matches(": skipped, runs/").count(), 4, "{stdout}");
    assert_eq!(std::fs::read(local.join("sweep.csv")).unwrap(), csv_bytes);

    // --list, each line run by hand into runs/<line number>, then --collect: the same files.
    let cluster = fresh("cluster");
    let cdir = cluster.to_str().unwrap();
    let mut list_args = args;
    list_args[8] = cdir;
    let o = Command::new(BIN)
        .args(list_args)
        .arg("--list")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    let listed = text(&o.stdout);
    assert_eq!(listed.lines().count(), 4);
    assert!(!cluster.join("runs").exists(), "--list runs nothing");
    for (i, query) in listed.lines().enumerate() {
        let out = cluster.join("runs").join((i + 1).to_string());
        let o = hb(&["run", "--config", query, "--out", out.to_str().unwrap()]);
        assert!(o.status.success(), "{}", text(&o.stderr));
    }
    let o = hb(&["sweep", "--collect", cdir]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(std::fs::read(cluster.join("sweep.csv")).unwrap(), csv_bytes);
    assert_eq!(
        std::fs::read_to_string(cluster.join("sweep.md")).unwrap(),
        md
    );
    let _ = std::fs::remove_dir_all(&local);
    let _ = std::fs::remove_dir_all(&cluster);
}

#[test]
fn a_failing_job_is_recorded_and_the_others_still_run() {
    let out = fresh("failing");
    let dense = format!("{TINY}&solver=dense");
    // 100-100 hidden units are past the dense solver's p limit: found once the data is loaded.
    let o = hb(&[
        "sweep",
        "--config",
        &dense,
        "--seeds",
        "0",
        "--vary",
        "layers=4;100,100",
        "--out",
        out.to_str().unwrap(),
        "--jobs",
        "1",
    ]);
    let stdout = text(&o.stdout);
    assert!(!o.status.success(), "{stdout}");
    assert!(
        stdout.contains("seed=0 layers=100,100: failed after"),
        "{stdout}"
    );
    let mut reader = csv::Reader::from_path(out.join("sweep.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!((&rows[0][3], &rows[0][14]), ("4", "ok"));
    assert_eq!(
        (&rows[1][3], &rows[1][4], &rows[1][14]),
        ("100,100", "", "failed")
    );
    assert!(rows[1][15].contains("dense"), "{:?}", &rows[1]);
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn a_bad_vary_writes_nothing() {
    let out = fresh("bad");
    let o = hb(&[
        "sweep",
        "--config",
        TINY,
        "--seeds",
        "0..1",
        "--vary",
        "lr=0.1,fast",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(
        text(&o.stderr).contains("bad --vary lr=fast: lr:"),
        "{}",
        text(&o.stderr)
    );
    assert!(!out.exists());
}
