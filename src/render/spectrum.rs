//! The Hessian's spectrum: the top-k eigenvalues, and the whole spectrum's density with them marked.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{axes, chart_builder, log_tick, sig, subscript, tick, DrawResult, Theme, INK};
use crate::spectrum::{Eigen, Spectrum};

/// The accent for the top-k eigenvalues (Okabe–Ito vermillion).
const OUTLIER: RGBColor = RGBColor(0xd5, 0x5e, 0x00);

/// The top-k eigenvalues, largest first, as stems on a log axis (only the positive ones can be
/// shown there; at a minimum the top ones are). Takes the eigenpairs alone, so a training
/// snapshot's draw the same way.
pub fn draw_eigenvalues<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    eigen: &Eigen,
    k: usize,
    title: &str,
    theme: &Theme,
) -> DrawResult<DB> {
    let values = &eigen.values[..k.min(eigen.values.len())];
    let positive: Vec<(f64, f64)> = values
        .iter()
        .enumerate()
        .filter(|(_, &v)| v > 0.0)
        .map(|(i, &v)| ((i + 1) as f64, v))
        .collect();
    let hi = positive.iter().fold(f64::MIN_POSITIVE, |m, p| m.max(p.1)) * 3.0;
    let lo = positive.iter().fold(hi, |m, p| m.min(p.1)) / 3.0;
    let mut chart = chart_builder(area, title, theme)
        .build_cartesian_2d(0.5..values.len() as f64 + 0.5, (lo..hi).log_scale())?;
    let integer = |x: &f64| {
        if x.fract() == 0.0 {
            format!("{x:.0}")
        } else {
            String::new()
        }
    };
    axes(&mut chart, theme, "index i", "eigenvalue λᵢ")
        .x_labels(values.len().min(10))
        .x_label_formatter(&integer)
        .y_label_formatter(&log_tick)
        .draw()?;
    let r = theme.px(4.0);
    chart.draw_series(positive.iter().map(|&(i, v)| {
        PathElement::new(vec![(i, lo), (i, v)], OUTLIER.stroke_width(theme.px(1.5)))
    }))?;
    chart.draw_series(
        positive
            .iter()
            .map(|&p| Circle::new(p, r, OUTLIER.filled())),
    )?;
    if let Some(&(i, v)) = positive.first() {
        let label = format!("λ{} = {}", subscript(1), sig(v));
        chart.draw_series([EmptyElement::at((i, v))
            + Text::new(
                label,
                (theme.px(8.0) as i32, -(theme.px(6.0) as i32)),
                theme.tick(),
            )])?;
    }
    Ok(())
}

/// The SLQ spectral density on a log axis (the bulk near zero is orders of magnitude above the
/// outliers' bumps), with the top-k eigenvalues from the eigensolver marked.
pub fn draw_density<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    spectrum: &Spectrum,
    k: usize,
    title: &str,
    theme: &Theme,
) -> DrawResult<DB> {
    /// Densities below this fraction of the peak are drawn at the floor: tails of the Gaussian
    /// smoothing, not spectrum.
    const FLOOR: f64 = 1e-8;
    let d = &spectrum.density;
    let top = &spectrum.eigen.values[..k.min(spectrum.eigen.values.len())];
    let peak = d.y.iter().fold(f64::MIN_POSITIVE, |m, &y| m.max(y));
    let floor = peak * FLOOR;
    let x0 = d.x.iter().chain(top).fold(f64::INFINITY, |m, &x| m.min(x));
    let x1 =
        d.x.iter()
            .chain(top)
            .fold(f64::NEG_INFINITY, |m, &x| m.max(x));
    let pad = 0.02 * (x1 - x0).max(1e-12);
    let mut chart = chart_builder(area, title, theme)
        .build_cartesian_2d(x0 - pad..x1 + pad, (floor..peak * 5.0).log_scale())?;
    axes(&mut chart, theme, "eigenvalue λ", "density")
        .x_label_formatter(&tick)
        .y_label_formatter(&log_tick)
        .draw()?;
    chart.draw_series(LineSeries::new(
        d.x.iter().zip(&d.y).map(|(&x, &y)| (x, y.max(floor))),
        INK.stroke_width(theme.px(1.5)),
    ))?;
    // The top k as markers along the top edge: lines through the plot would hide the bulk, where
    // most of the top k sit in a small model.
    let r = theme.px(5.0) as i32;
    let marker = OUTLIER.mix(0.8).filled();
    chart.draw_series(top.iter().map(|&v| {
        EmptyElement::at((v, peak * 5.0)) + Polygon::new(vec![(-r, 0), (r, 0), (0, 2 * r)], marker)
    }))?;
    let legend = format!("▼ top {} ({})", top.len(), spectrum.solver.name());
    let plot = chart.plotting_area().strip_coord_spec();
    let (w, _) = plot.dim_in_pixel();
    let style = theme
        .tick()
        .color(&OUTLIER)
        .pos(Pos::new(HPos::Right, VPos::Top));
    plot.draw_text(&legend, &style, (w as i32 - theme.px(6.0) as i32, 3 * r))?;
    Ok(())
}
