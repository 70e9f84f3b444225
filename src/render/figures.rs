//! The paper's multi-panel figures, composed from the single charts of this module (what
//! `reproduce` writes as PNGs; any backend draws them).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::plane::colorbar_width;
use super::{
    draw_alignment_matrix, draw_boundary, draw_density, draw_eigenvalues, draw_fields, draw_margin,
    DrawResult, Theme,
};
use crate::pipeline::Run;

/// A run and the label its panels carry.
pub type Labelled<'a> = (&'a str, &'a Run);

/// One column per run: the boundary, the top eigenvalues and the spectral density (figure 3).
pub fn draw_regimes<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    runs: &[Labelled],
    theme: &Theme,
) -> DrawResult<DB> {
    for (col, (label, run)) in area.split_evenly((1, runs.len())).iter().zip(runs) {
        let (_, h) = col.dim_in_pixel();
        let rows = col.split_by_breakpoints([] as [u32; 0], [h * 2 / 5, h * 7 / 10]);
        draw_boundary(&rows[0], run, label, theme)?;
        if let Some(s) = &run.spectrum {
            draw_eigenvalues(&rows[1], &s.eigen, run.config.k, "top eigenvalues", theme)?;
            draw_density(&rows[2], s, run.config.k, "spectral density", theme)?;
        }
    }
    Ok(())
}

/// One row per run: its alignment matrix (figure 4).
pub fn draw_alignment_matrices<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    runs: &[Labelled],
    theme: &Theme,
) -> DrawResult<DB> {
    for (row, (label, run)) in area.split_evenly((runs.len(), 1)).iter().zip(runs) {
        draw_alignment_matrix(row, run, label, theme)?;
    }
    Ok(())
}

/// One row per run: the margin estimate on the boundary beside the top `fields` alignment fields
/// (figure 5).
pub fn draw_margins_and_fields<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    runs: &[Labelled],
    fields: usize,
    theme: &Theme,
) -> DrawResult<DB> {
    for (row, (label, run)) in area.split_evenly((runs.len(), 1)).iter().zip(runs) {
        let (w, _) = row.dim_in_pixel();
        let panel = (w - colorbar_width(theme)) / (fields as u32 + 1);
        let (left, right) = row.split_horizontally(panel);
        draw_margin(&left, run, &format!("{label}: margin from v₁"), theme)?;
        draw_fields(&right, run, fields, fields, theme)?;
    }
    Ok(())
}
