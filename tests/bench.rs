//! The benchmark's quick smoke path: the CLI prints one JSON line per workload with every field of
//! issue 6. No timing assertions (benchmarks print numbers; tests never time).

use std::process::Command;

#[test]
fn quick_bench_prints_one_json_line_per_workload() {
    let dir = std::env::temp_dir().join(format!("hb-bench-test-{}", std::process::id()));
    let out = Command::new(env!("CARGO_BIN_EXE_hessian-boundary"))
        .args(["bench", "--quick", "--export"])
        .arg(&dir)
        .output()
        .expect("the CLI runs");
    assert!(
        out.status.success(),
        "bench failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is one JSON object"))
        .collect();
    let names: Vec<&str> = lines
        .iter()
        .map(|l| l["workload"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["gaussian", "iris", "digits"]);
    let params = [10_703, 2_953, 17_610];
    for (line, p) in lines.iter().zip(params) {
        assert_eq!(line["p"], p, "{line}");
        assert!(line["n"].as_u64().unwrap() > 0);
        for key in ["grad_s", "hvp_s", "epoch_s", "lanczos_top10_s", "field_s"] {
            let s = line[key]
                .as_f64()
                .unwrap_or_else(|| panic!("{key} in {line}"));
            assert!(s.is_finite() && s >= 0.0, "{key} = {s}");
        }
        assert!(line["lanczos_hvps"].as_u64().unwrap() >= 10);
        assert!(line["dense_s"].is_null(), "--quick skips the dense route");
        assert!(line.get("peak_rss_mb").is_some());
        if cfg!(target_os = "linux") {
            assert!(line["peak_rss_mb"].as_f64().unwrap() > 0.0);
        }
        // The exported trained state for the JAX peer.
        let name = line["workload"].as_str().unwrap();
        let ex: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join(format!("{name}.json"))).unwrap(),
        )
        .unwrap();
        assert_eq!(ex["params"].as_array().unwrap().len(), p);
        assert_eq!(ex["eigenvectors"].as_array().unwrap().len(), 10);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
