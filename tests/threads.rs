//! Any number of threads gives the same run.json, byte for byte: the pieces of work write fixed places
//! and every sum across pieces is taken in one order (src/parallel.rs).

use hessian_boundary::parallel::with_threads;
use hessian_boundary::run_query;

/// run.json of `query` on 1, 2 and 3 threads.
fn on_threads(query: &str) -> [String; 3] {
    [1, 2, 3].map(|t| with_threads(t, || run_query(query, None).unwrap()))
}

#[test]
fn one_two_and_three_threads_give_the_same_run_json() {
    let queries = [
        // The paper's network: one chunk of 150 points, its products split by rows.
        "epochs=100&g-over=solver",
        // G certified over all p (block Krylov, its orthogonalization GEMMs split).
        "layers=30,30&epochs=200&grid=8&k=3",
        // Several chunks of 256 points (digits: 899), every curvature operator, snapshots.
        "dataset=digits&layers=8&epochs=4&k=4&grid=16&snap=2",
        "dataset=digits&layers=8&epochs=4&k=4&grid=16&operator=ggn&which=bottom&g-over=solver",
        "dataset=digits&layers=8&epochs=4&k=3&grid=16&operator=fisher&margin=paper",
        "dataset=moons&layers=16,16&epochs=50&solver=dense&grid=24&act=tanh",
        "dataset=iris&layers=12&epochs=100&solver=power&g-over=solver&regime=random-labels",
    ];
    for query in queries {
        let [one, two, three] = on_threads(query);
        assert!(
            one == two && one == three,
            "{query:?}: run.json differs between thread counts"
        );
    }
}

#[test]
fn the_cli_gives_the_same_file_with_any_threads() {
    let dir = std::env::temp_dir().join(format!("hb-threads-{}", std::process::id()));
    let files: Vec<Vec<u8>> = ["1", "3"]
        .iter()
        .map(|t| {
            let out = dir.join(t);
            let status = std::process::Command::new(env!("CARGO_BIN_EXE_hessian-boundary"))
                .args([
                    "--threads",
                    t,
                    "run",
                    "--config",
                    "dataset=circles&epochs=300&grid=32",
                ])
                .arg("--out")
                .arg(&out)
                .status()
                .unwrap();
            assert!(status.success());
            std::fs::read(out.join("run.json")).unwrap()
        })
        .collect();
    assert_eq!(files[0], files[1]);
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_hessian-boundary"))
        .args(["--threads", "0", "run", "--out"])
        .arg(dir.join("0"))
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--threads"));
    let _ = std::fs::remove_dir_all(dir);
}
