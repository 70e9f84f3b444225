//! One-dimensional inputs: the alignment fields as curves over the line.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::color::{class_color, regions_rgba};
use super::contour::class_flips;
use super::plane::{draw_raster, Sampling};
use super::{
    axes, chart_builder, not_computed, series_legend, sig, subscript, tick, DrawResult, Theme, INK,
};
use crate::pipeline::Run;

/// Curve colours, in order (Okabe–Ito black, bluish green, reddish purple, sky blue).
const CURVES: [RGBColor; 4] = [
    INK,
    RGBColor(0x00, 0x9e, 0x73),
    RGBColor(0xcc, 0x79, 0xa7),
    RGBColor(0x56, 0xb4, 0xe9),
];

/// A_1 … A_count over a 1-D input on the predicted-class regions, with the training (filled) and
/// test (hollow) points on the zero line and each class flip marked with its x.
pub fn draw_line_fields<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    run: &Run,
    count: usize,
    title: &str,
    theme: &Theme,
) -> DrawResult<DB> {
    let (Some(a), Some(s)) = (&run.analysis, &run.spectrum) else {
        return not_computed(area, title, theme);
    };
    let fields = &a.fields;
    let grid = &fields.grid;
    let (u0, u1) = grid.u_range;
    let x_at = |col: f64| u0 + (u1 - u0) * col / (grid.width - 1).max(1) as f64;
    let mut chart = chart_builder(area, title, theme).build_cartesian_2d(u0..u1, -1.15..1.15)?;
    axes(&mut chart, theme, "x", "alignment Aᵢ(x)")
        .x_label_formatter(&tick)
        .y_label_formatter(&tick)
        .draw()?;
    // The class of each column, as tinted bands over the plot's full height.
    draw_raster(
        chart.plotting_area(),
        &regions_rgba(&fields.predicted[..grid.width]),
        (grid.width, 1),
        Sampling::Points,
    )?;
    chart.draw_series([PathElement::new(
        vec![(u0, 0.0), (u1, 0.0)],
        INK.mix(0.4).stroke_width(theme.px(1.0)),
    )])?;

    for col in class_flips(&fields.predicted[..grid.width]) {
        let x = x_at(col);
        chart.draw_series([PathElement::new(
            vec![(x, -1.15), (x, 1.15)],
            INK.stroke_width(theme.px(1.5)),
        )])?;
        let style = theme.tick().pos(Pos::new(HPos::Left, VPos::Top));
        chart.draw_series([EmptyElement::at((x, 1.15))
            + Text::new(
                format!("x = {x:.3}"),
                (theme.px(4.0) as i32, theme.px(4.0) as i32),
                style,
            )])?;
    }

    for (i, values) in fields.alignment.iter().take(count).enumerate() {
        let color = CURVES[i % CURVES.len()];
        let width = theme.px(2.2);
        let points = values
            .iter()
            .enumerate()
            .map(|(col, &v)| (x_at(col as f64), v));
        let label = format!(
            "A{n}, λ{n} = {}",
            sig(s.eigen.values[i]),
            n = subscript(i + 1)
        );
        let style = color.stroke_width(width);
        let swatch = theme.px(24.0);
        // The first curve solid, the others dashed ever shorter: told apart without colour too.
        let (dash, gap) = if i == 0 {
            (swatch, 0)
        } else {
            (theme.px(7.0 - i as f64), theme.px(4.0))
        };
        if i == 0 {
            chart.draw_series(LineSeries::new(points, style))?
        } else {
            chart.draw_series(DashedLineSeries::new(points, dash, gap, style))?
        }
        .label(label)
        .legend(move |(x, y)| {
            DashedPathElement::new(vec![(x, y), (x + swatch as i32, y)], dash, gap, style)
        });
    }

    let r = theme.px(4.5);
    let on_axis = |data: &crate::data::Dataset| -> Vec<(f64, u32)> {
        (0..data.len())
            .map(|i| (data.row(i)[0], data.y[i]))
            .collect()
    };
    chart.draw_series(
        on_axis(&run.split.test)
            .into_iter()
            .map(|(x, c)| Circle::new((x, 0.0), r, class_color(c).stroke_width(theme.px(2.0)))),
    )?;
    chart.draw_series(on_axis(&run.split.train).into_iter().map(|(x, c)| {
        EmptyElement::at((x, 0.0))
            + Circle::new((0, 0), r, class_color(c).filled())
            + Circle::new((0, 0), r, WHITE.stroke_width(theme.px(1.0)))
    }))?;

    series_legend(&mut chart, theme, SeriesLabelPosition::LowerRight)
}
