//! The decision boundary as lines, from the predicted class per grid pixel.
//!
//! Drawing the boundary as pixel edges would show the grid's staircase; marching squares through
//! the midpoints of the edges whose ends disagree gives a line with 45° corners instead, and works
//! for any number of classes.

/// Boundary segments of a `width`×`height` class map (row-major, row 0 at the top), each as two
/// points in continuous pixel coordinates `(column, row)`.
///
/// In each 2×2 cell, every edge whose two pixels have different classes contributes its midpoint:
/// two midpoints are joined by one segment; three or four (a junction of classes, or a saddle) are
/// each joined to the cell's centre.
pub fn boundary_segments(predicted: &[u32], width: usize, height: usize) -> Vec<[(f64, f64); 2]> {
    assert_eq!(
        predicted.len(),
        width * height,
        "boundary_segments: class map size"
    );
    let at = |r: usize, c: usize| predicted[r * width + c];
    let mut segments = Vec::new();
    for r in 0..height.saturating_sub(1) {
        for c in 0..width.saturating_sub(1) {
            let (tl, tr, bl, br) = (at(r, c), at(r, c + 1), at(r + 1, c), at(r + 1, c + 1));
            let (x, y) = (c as f64, r as f64);
            let mids: Vec<(f64, f64)> = [
                (tl != tr, (x + 0.5, y)),
                (tr != br, (x + 1.0, y + 0.5)),
                (bl != br, (x + 0.5, y + 1.0)),
                (tl != bl, (x, y + 0.5)),
            ]
            .into_iter()
            .filter_map(|(differs, m)| differs.then_some(m))
            .collect();
            match mids.len() {
                0 => {}
                2 => segments.push([mids[0], mids[1]]),
                _ => segments.extend(mids.iter().map(|&m| [m, (x + 0.5, y + 0.5)])),
            }
        }
    }
    segments
}

/// Where the predicted class changes along a 1-D grid: the fractional column halfway between
/// neighbours that disagree.
pub fn class_flips(predicted: &[u32]) -> Vec<f64> {
    predicted
        .windows(2)
        .enumerate()
        .filter(|(_, w)| w[0] != w[1])
        .map(|(j, _)| j as f64 + 0.5)
        .collect()
}
