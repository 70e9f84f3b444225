//! Eigenvectors tracked through training: the assignment against hand-made overlaps (including a
//! case a greedy pick gets wrong), and the snapshots of a real run.

use hessian_boundary::analysis::tracking::track;
use hessian_boundary::config::Config;

fn unit(v: &[f64]) -> Vec<f64> {
    let n = v.iter().map(|x| x * x).sum::<f64>().sqrt();
    v.iter().map(|x| x / n).collect()
}

#[test]
fn a_permuted_and_flipped_basis_is_matched_back_with_its_signs() {
    let previous = vec![
        vec![1.0, 0.0, 0.0],
        vec![0.0, 1.0, 0.0],
        vec![0.0, 0.0, 1.0],
    ];
    let current = vec![
        unit(&[0.0, 0.1, -1.0]),
        unit(&[1.0, 0.05, 0.0]),
        unit(&[0.0, -1.0, 0.0]),
    ];
    let m = track(&previous, &current);
    let got: Vec<(usize, f64)> = m
        .iter()
        .map(|m| m.map(|m| (m.previous, m.sign)).unwrap())
        .collect();
    assert_eq!(got, [(2, -1.0), (0, 1.0), (1, -1.0)]);
    assert!((m[0].unwrap().overlap - 1.0 / 1.01f64.sqrt()).abs() < 1e-12);
    assert_eq!(m[2].unwrap().overlap, 1.0);
}

#[test]
fn the_assignment_is_not_greedy() {
    // Both current vectors overlap previous[0] most; the best one-to-one match gives c0 → p0, c1 → p1
    // (0.90 + 0.71) rather than what a row-by-row greedy pick does (both to p0).
    let previous = vec![vec![1.0, 0.0], vec![0.0, 1.0]];
    let current = vec![unit(&[0.9, 0.44]), unit(&[0.7, 0.71])];
    let m = track(&previous, &current);
    assert_eq!(m[0].unwrap().previous, 0);
    assert_eq!(m[1].unwrap().previous, 1);
}

#[test]
fn more_vectors_than_before_leave_the_extra_unmatched() {
    let previous = vec![vec![0.0, 1.0]];
    let current = vec![vec![1.0, 0.0], vec![0.0, -1.0]];
    let m = track(&previous, &current);
    assert_eq!(m[0], None);
    assert_eq!(m[1].unwrap().previous, 0);
    assert_eq!(m[1].unwrap().sign, -1.0);
    assert!(track(&[], &current).iter().all(Option::is_none));
}

#[test]
fn snapshots_carry_their_overlaps_and_settle_late_in_training() {
    let config = Config::parse(
        "dataset=moons&n=200&layers=16,16&act=tanh&epochs=400&snap=100&k=3&grid=16&g-over=solver&margin=search",
    )
    .unwrap();
    let run = hessian_boundary::run(&config, None).unwrap();
    let snaps = &run.during_training;
    assert!(snaps.len() >= 4);
    assert!(snaps[0].matches.iter().all(Option::is_none));
    for (s, before) in snaps[1..].iter().zip(snaps) {
        let mut seen: Vec<usize> = s.matches.iter().map(|m| m.unwrap().previous).collect();
        seen.sort();
        assert_eq!(seen, [0, 1, 2], "a one-to-one match at epoch {}", s.epoch);
        for (i, m) in s.matches.iter().enumerate() {
            let m = m.unwrap();
            let dot: f64 = s.eigen.vectors[i]
                .iter()
                .zip(&before.eigen.vectors[m.previous])
                .map(|(a, b)| a * b)
                .sum();
            assert_eq!(m.overlap, dot.abs());
            assert_eq!(m.sign, dot.signum());
        }
    }
    // Late in training the top eigenvector hardly moves between snapshots.
    let last = snaps.last().unwrap().matches[0].unwrap();
    assert_eq!(last.previous, 0);
    assert!(last.overlap > 0.9, "{last:?}");
    let json: serde_json::Value = serde_json::from_str(&run.to_json()).unwrap();
    assert!(json["snapshots"][0]["overlaps"][0].is_null());
    assert_eq!(
        json["snapshots"][1]["overlaps"][0]["previous"]
            .as_u64()
            .is_some(),
        true
    );
}

#[test]
fn slots_follow_each_eigenvector_back_from_the_last_snapshot() {
    use hessian_boundary::analysis::tracking::Match;
    let m = |previous, sign| {
        Some(Match {
            previous,
            overlap: 0.9,
            sign,
        })
    };
    // Snapshot 1 swapped the two vectors of snapshot 0 and flipped one; snapshot 2 kept snapshot 1's.
    let matches = vec![
        vec![None, None],
        vec![m(1, -1.0), m(0, 1.0)],
        vec![m(0, 1.0), m(1, -1.0)],
    ];
    let s = hessian_boundary::analysis::tracking::slots(&matches);
    assert_eq!(s[2], [(0, 1.0), (1, 1.0)]);
    assert_eq!(s[1], [(0, 1.0), (1, -1.0)]);
    // Snapshot 0's vector 1 became snapshot 1's vector 0 (flipped): slot 0, sign −1.
    assert_eq!(s[0], [(1, -1.0), (0, -1.0)]);
}
