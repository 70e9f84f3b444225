//! Eigenvectors followed through training: each snapshot's eigenvectors matched to the previous
//! snapshot's by |⟨v_i(t), v_j(t−1)⟩|.
//!
//! The match is an assignment (Kuhn–Munkres, maximizing the summed overlap), not a greedy pick: when
//! two eigenvalues cross, their vectors swap places in the sorted order but each keeps its overlap
//! with its own past, and a greedy pass can hand both to the same predecessor. The sign that makes
//! the overlap positive comes with the match, so a picture of a tracked vector does not flip.

use pathfinding::prelude::{kuhn_munkres, Matrix};

/// One eigenvector's predecessor in the previous snapshot.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Match {
    /// Index (0-based) into the previous snapshot's eigenvectors.
    pub previous: usize,
    /// |⟨v, v_previous⟩|: 1 when the direction did not move.
    pub overlap: f64,
    /// ±1: the sign to apply to this vector so that its overlap with its predecessor is positive.
    pub sign: f64,
}

/// Overlaps are integers in the assignment, exact to 2⁻⁴⁰ (the solver needs an ordered weight, and an
/// integer sum is the same on every platform).
const RESOLUTION: f64 = (1u64 << 40) as f64;

/// For each of `current`, its match among `previous` (`None` when `current` has more vectors than
/// `previous` and this one is left over).
pub fn track(previous: &[Vec<f64>], current: &[Vec<f64>]) -> Vec<Option<Match>> {
    let dots: Vec<Vec<f64>> = current
        .iter()
        .map(|c| {
            previous
                .iter()
                .map(|p| crate::model::linalg::dot(c, p))
                .collect()
        })
        .collect();
    let mut out = vec![None; current.len()];
    if previous.is_empty() || current.is_empty() {
        return out;
    }
    // Kuhn–Munkres wants rows ≤ columns: rows are the smaller side.
    let transpose = current.len() > previous.len();
    let (rows, cols) = if transpose {
        (previous.len(), current.len())
    } else {
        (current.len(), previous.len())
    };
    let weight = |r: usize, c: usize| {
        let d = if transpose { dots[c][r] } else { dots[r][c] };
        (d.abs() * RESOLUTION).round() as i64
    };
    let weights = Matrix::from_fn(rows, cols, |(r, c)| weight(r, c));
    let (_, assignment) = kuhn_munkres(&weights);
    for (r, &c) in assignment.iter().enumerate() {
        let (cur, prev) = if transpose { (c, r) } else { (r, c) };
        let d = dots[cur][prev];
        out[cur] = Some(Match {
            previous: prev,
            overlap: d.abs(),
            sign: if d < 0.0 { -1.0 } else { 1.0 },
        });
    }
    out
}

/// Where each snapshot's eigenvectors go in a tracked display, and with which sign: the last snapshot's
/// order is the reference (slot i = its eigenvector i, sign +1), and each earlier eigenvector takes the
/// slot and sign of the one that matched it in the next snapshot. `matches[s]` are snapshot s's
/// matches (as [`track`] returns them); an eigenvector no later one matched keeps its own index.
pub fn slots(matches: &[Vec<Option<Match>>]) -> Vec<Vec<(usize, f64)>> {
    let mut out: Vec<Vec<(usize, f64)>> = matches
        .iter()
        .map(|m| (0..m.len()).map(|i| (i, 1.0)).collect())
        .collect();
    for s in (0..matches.len().saturating_sub(1)).rev() {
        for (later, m) in matches[s + 1].iter().enumerate() {
            if let Some(m) = m {
                let (slot, sign) = out[s + 1][later];
                if let Some(here) = out[s].get_mut(m.previous) {
                    *here = (slot, sign * m.sign);
                }
            }
        }
    }
    out
}
