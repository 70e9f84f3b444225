//! The loss along the top eigenvectors: each line θ + t·v_i on its own scale s = t/T_i, where T_i is
//! the reach at which ½λ_i T_i² = 2, so every quadratic model is the same parabola 2s² and a curve's
//! departure from it is the loss's own, beyond second order.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

use super::color::class_color;
use super::{
    axes, chart_builder, not_computed, series_legend, sig, subscript, tick, DrawResult, Theme, INK,
};
use crate::pipeline::Run;

/// L(θ + t·v_i) − L(θ) for the first `count` lines of the run's perturbation, with the common
/// quadratic model dashed.
pub fn draw_perturbation<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    run: &Run,
    count: usize,
    title: &str,
    theme: &Theme,
) -> DrawResult<DB> {
    let Some(a) = &run.analysis else {
        return not_computed(area, title, theme);
    };
    let lines = &a.perturbation.lines[..count.min(a.perturbation.lines.len())];
    fn rise(l: &crate::analysis::perturbation::Line) -> impl Iterator<Item = f64> + '_ {
        let l0 = l.loss[l.loss.len() / 2];
        l.loss.iter().map(move |v| v - l0)
    }
    let top = lines
        .iter()
        .flat_map(rise)
        .filter(|v| v.is_finite())
        .fold(2.0f64, f64::max)
        * 1.05;
    let mut chart = chart_builder(area, title, theme).build_cartesian_2d(-1.0..1.0, 0.0..top)?;
    axes(
        &mut chart,
        theme,
        "t / Tᵢ (½λᵢTᵢ² = 2)",
        "L(θ + t·vᵢ) − L(θ)",
    )
    .x_label_formatter(&tick)
    .y_label_formatter(&tick)
    .draw()?;
    let swatch = theme.px(24.0);
    let model = INK.stroke_width(theme.px(1.5));
    chart
        .draw_series(DashedLineSeries::new(
            (0..=100).map(|i| {
                let s = -1.0 + i as f64 / 50.0;
                (s, 2.0 * s * s)
            }),
            theme.px(6.0),
            theme.px(4.0),
            model,
        ))?
        .label("½λᵢt² (every i)")
        .legend(move |(x, y)| {
            DashedPathElement::new(vec![(x, y), (x + swatch as i32, y)], 6, 4, model)
        });
    for (i, line) in lines.iter().enumerate() {
        let color = class_color(i as u32);
        let reach = line.t[line.t.len() - 1];
        let style = color.stroke_width(theme.px(2.2));
        chart
            .draw_series(LineSeries::new(
                line.t.iter().map(|t| t / reach).zip(rise(line)),
                style,
            ))?
            .label(format!(
                "v{n}: λ{n} = {}, curvature at 0 {}",
                sig(line.eigenvalue),
                sig(line.curvature),
                n = subscript(line.index)
            ))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + swatch as i32, y)], style));
    }
    series_legend(&mut chart, theme, SeriesLabelPosition::UpperMiddle)
}
