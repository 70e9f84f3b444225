//! Charts over the grid's plane of input space: class regions, the boundary, points, fields.

use plotters::coord::Shift;
use plotters::element::{Drawable, PointCollection};
use plotters::prelude::*;
use plotters_backend::{BackendCoord, DrawingErrorKind};

use super::color::{class_color, field_rgba, regions_rgba, ColorScale};
use super::contour::boundary_segments;
use super::{
    axes, label_areas, not_computed, sig, subscript, tick, title_height, titled, Chart, DrawResult,
    Theme, INK,
};
use crate::analysis::field::{Fields, Grid};
use crate::data::Dataset;
use crate::pipeline::Run;

/// Plane coordinates (u, w) of continuous pixel coordinates (column, row) of the grid.
fn pixel_to_plane(grid: &Grid, (col, row): (f64, f64)) -> (f64, f64) {
    let frac = |i: f64, n: usize| if n > 1 { i / (n - 1) as f64 } else { 0.5 };
    (
        grid.u_range.0 + (grid.u_range.1 - grid.u_range.0) * frac(col, grid.width),
        grid.w_range.1 - (grid.w_range.1 - grid.w_range.0) * frac(row, grid.height),
    )
}

/// The plane's axes: the inputs themselves for 2-D data, the principal components otherwise.
fn axis_names(grid: &Grid) -> (&'static str, &'static str) {
    if grid.origin.len() == 2 {
        ("x₁", "x₂")
    } else {
        ("PC₁", "PC₂")
    }
}

/// A titled chart over the grid's plane with equal scales on both axes (so distances and angles
/// look like what they are), centred in `area` together with its title, axes drawn.
fn plane_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    grid: &Grid,
    title: &str,
    theme: &Theme,
) -> Result<Chart<DB>, DrawingAreaErrorKind<DB::ErrorType>> {
    let (w, h) = area.dim_in_pixel();
    let (left, bottom) = label_areas(theme);
    let pad = theme.px(6.0);
    let title_height = title_height(area, title, theme)?;
    let (pw, ph) = (
        w.saturating_sub(left + 2 * pad) as f64,
        h.saturating_sub(title_height + bottom + 2 * pad) as f64,
    );
    let aspect = (grid.u_range.1 - grid.u_range.0) / (grid.w_range.1 - grid.w_range.0);
    let (mx, my) = if pw > ph * aspect {
        ((pw - ph * aspect) / 2.0, 0.0)
    } else {
        (0.0, (ph - pw / aspect) / 2.0)
    };
    let (mx, my) = (mx as i32, my as i32);
    let body = titled(&area.margin(my, my, mx, mx), title, theme)?;
    let mut chart = ChartBuilder::on(&body)
        .margin(pad)
        .x_label_area_size(bottom)
        .y_label_area_size(left)
        .build_cartesian_2d(
            grid.u_range.0..grid.u_range.1,
            grid.w_range.0..grid.w_range.1,
        )?;
    let (x, y) = axis_names(grid);
    axes(&mut chart, theme, x, y)
        .x_label_formatter(&tick)
        .y_label_formatter(&tick)
        .draw()?;
    Ok(chart)
}

/// An RGB image blitted at the top-left corner of the area it is drawn on: the bitmap backend copies
/// it in one go, others fall back to pixels.
struct Raster {
    size: (u32, u32),
    rgb: Vec<u8>,
}

impl<'a> PointCollection<'a, BackendCoord> for &'a Raster {
    type Point = &'a BackendCoord;
    type IntoIter = std::iter::Once<&'a BackendCoord>;
    fn point_iter(self) -> Self::IntoIter {
        const CORNER: BackendCoord = (0, 0);
        std::iter::once(&CORNER)
    }
}

impl<DB: DrawingBackend> Drawable<DB> for Raster {
    fn draw<I: Iterator<Item = BackendCoord>>(
        &self,
        mut pos: I,
        backend: &mut DB,
        _: (u32, u32),
    ) -> Result<(), DrawingErrorKind<DB::ErrorType>> {
        match pos.next() {
            Some(p) => backend.blit_bitmap(p, self.size, &self.rgb),
            None => Ok(()),
        }
    }
}

/// Where the pixels of an image sit on the plot it is stretched over.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Sampling {
    /// Samples at evenly spaced points from edge to edge, like a field's grid over the chart's range
    /// (the first and last pixels cover half a step each).
    Points,
    /// Equal cells tiling the plot, like the entries of a matrix.
    Cells,
}

/// Draws RGBA pixels (`width`×`height`, row 0 at the top) stretched over the whole of `plot`,
/// nearest-neighbour (no blur between classes or signs), transparency composited over white.
pub(super) fn draw_raster<DB: DrawingBackend, CT: CoordTranslate>(
    plot: &DrawingArea<DB, CT>,
    rgba: &[u8],
    (width, height): (usize, usize),
    sampling: Sampling,
) -> DrawResult<DB> {
    let (pw, ph) = plot.dim_in_pixel();
    // The source index under the centre of display pixel i of n, for m source pixels.
    let pick = |i: u32, n: u32, m: usize| {
        let f = (i as f64 + 0.5) / n as f64;
        match sampling {
            Sampling::Points => (f * (m - 1) as f64).round() as usize,
            Sampling::Cells => ((f * m as f64) as usize).min(m - 1),
        }
    };
    let mut rgb = Vec::with_capacity(3 * (pw * ph) as usize);
    for y in 0..ph {
        let row = pick(y, ph, height);
        for x in 0..pw {
            let p = &rgba[4 * (row * width + pick(x, pw, width))..][..4];
            let alpha = p[3] as f64 / 255.0;
            rgb.extend(
                p[..3]
                    .iter()
                    .map(|&v| (v as f64 * alpha + 255.0 * (1.0 - alpha)).round() as u8),
            );
        }
    }
    plot.strip_coord_spec().draw(&Raster {
        size: (pw, ph),
        rgb,
    })
}

/// The decision boundary of `fields` as line segments in `style`.
fn draw_boundary_line<DB: DrawingBackend>(
    chart: &mut Chart<DB>,
    fields: &Fields,
    style: ShapeStyle,
) -> DrawResult<DB> {
    let grid = &fields.grid;
    let segments = boundary_segments(&fields.predicted, grid.width, grid.height);
    chart.draw_series(segments.into_iter().map(|[a, b]| {
        PathElement::new(
            vec![pixel_to_plane(grid, a), pixel_to_plane(grid, b)],
            style,
        )
    }))?;
    Ok(())
}

/// Training points as filled discs, test points as rings, in their class colours.
fn draw_points<DB: DrawingBackend>(
    chart: &mut Chart<DB>,
    run: &Run,
    grid: &Grid,
    theme: &Theme,
) -> DrawResult<DB> {
    let r = theme.px(3.5);
    let outline = theme.px(1.0);
    let points = |data: &Dataset| -> Vec<((f64, f64), u32)> {
        (0..data.len())
            .map(|i| (grid.project(data.row(i)), data.y[i]))
            .collect()
    };
    chart.draw_series(
        points(&run.split.test)
            .into_iter()
            .map(|(p, c)| Circle::new(p, r, class_color(c).stroke_width(theme.px(1.6)))),
    )?;
    chart.draw_series(points(&run.split.train).into_iter().map(|(p, c)| {
        EmptyElement::at(p)
            + Circle::new((0, 0), r, class_color(c).filled())
            + Circle::new((0, 0), r, WHITE.stroke_width(outline))
    }))?;
    Ok(())
}

/// Class regions in light tints, the boundary, and the points.
fn boundary_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    run: &Run,
    fields: &Fields,
    title: &str,
    theme: &Theme,
) -> Result<Chart<DB>, DrawingAreaErrorKind<DB::ErrorType>> {
    let mut chart = plane_chart(area, &fields.grid, title, theme)?;
    draw_raster(
        chart.plotting_area(),
        &regions_rgba(&fields.predicted),
        (fields.grid.width, fields.grid.height),
        Sampling::Points,
    )?;
    draw_boundary_line(&mut chart, fields, INK.stroke_width(theme.px(1.8)))?;
    draw_points(&mut chart, run, &fields.grid, theme)?;
    Ok(chart)
}

/// The decision boundary: predicted-class regions, the boundary line, training points (filled)
/// and test points (hollow).
pub fn draw_boundary<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    run: &Run,
    title: &str,
    theme: &Theme,
) -> DrawResult<DB> {
    match &run.analysis {
        Some(a) => boundary_chart(area, run, &a.fields, title, theme).map(|_| ()),
        None => not_computed(area, title, theme),
    }
}

/// The decision boundary with the margin estimate of the top eigenvector: x_t^max and x_t^min (the
/// training points most and least aligned with v₁), x_b (the input whose gradient aligns best with
/// v₁, found by ascent), a line from x_b to the nearer x_t (the estimate); the numbers and a key
/// under the title. Input-space points are shown projected onto the grid's plane.
pub fn draw_margin<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    run: &Run,
    title: &str,
    theme: &Theme,
) -> DrawResult<DB> {
    let Some(a) = &run.analysis else {
        return not_computed(area, title, theme);
    };
    let m = &a.margin;
    let title = format!(
        "{title}\nmargin: estimate {}, true {}\n▲ xₜᵐᵃˣ  △ xₜᵐⁱⁿ  ⊗ boundary point",
        sig(m.estimate),
        m.true_margin.map_or("not found".to_string(), sig)
    );
    let mut chart = boundary_chart(area, run, &a.fields, &title, theme)?;
    let grid = &a.fields.grid;
    let (tmax, tmin, xb) = (
        grid.project(&m.x_t_max),
        grid.project(&m.x_t_min),
        grid.project(&m.x_b),
    );
    let dist = |p: &[f64]| {
        p.iter()
            .zip(&m.x_b)
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f64>()
    };
    let nearer = if dist(&m.x_t_max) <= dist(&m.x_t_min) {
        tmax
    } else {
        tmin
    };
    let r = theme.px(7.0) as i32;
    let stroke = INK.stroke_width(theme.px(2.0));
    chart.draw_series([PathElement::new(vec![xb, nearer], stroke)])?;
    // Plotters fills every triangle marker: the hollow one is a white one inside an ink one.
    let inner = r - 2 * theme.px(1.5) as i32;
    chart.draw_series([
        TriangleMarker::new(tmax, r, INK.filled()),
        TriangleMarker::new(tmin, r, INK.filled()),
    ])?;
    chart.draw_series([TriangleMarker::new(tmin, inner, WHITE.filled())])?;
    chart.draw_series([EmptyElement::at(xb)
        + Cross::new((0, 0), r, INK.stroke_width(theme.px(2.5)))
        + Circle::new((0, 0), r + theme.px(1.0) as i32, stroke)])?;
    Ok(())
}

/// A field over the plane in `scale`, with the decision boundary drawn thinly on top.
fn heat_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    fields: &Fields,
    values: &[f64],
    scale: &ColorScale,
    title: &str,
    theme: &Theme,
) -> DrawResult<DB> {
    let mut chart = plane_chart(area, &fields.grid, title, theme)?;
    let (w, h) = (fields.grid.width, fields.grid.height);
    draw_raster(
        chart.plotting_area(),
        &field_rgba(values, w, h, scale),
        (w, h),
        Sampling::Points,
    )?;
    draw_boundary_line(
        &mut chart,
        fields,
        INK.mix(0.55).stroke_width(theme.px(1.2)),
    )
}

/// The alignment field A_i(x) (0-based `i`), titled with its eigenvalue.
pub fn draw_field<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    run: &Run,
    i: usize,
    theme: &Theme,
) -> DrawResult<DB> {
    let (Some(a), Some(s)) = (&run.analysis, &run.spectrum) else {
        return not_computed(area, "alignment", theme);
    };
    let title = format!(
        "A{n}, λ{n} = {}",
        sig(s.eigen.values[i]),
        n = subscript(i + 1)
    );
    heat_panel(
        area,
        &a.fields,
        &a.fields.alignment[i],
        &ColorScale::ALIGNMENT,
        &title,
        theme,
    )
}

/// The reconstructed boundary Σ_{i≤k} λ_i|A_i(x)|, normalized to its maximum.
pub fn draw_reconstructed<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    run: &Run,
    theme: &Theme,
) -> DrawResult<DB> {
    let title = format!("Σ λᵢ|Aᵢ|, i ≤ {}", run.config.k);
    let Some(a) = &run.analysis else {
        return not_computed(area, &title, theme);
    };
    heat_panel(
        area,
        &a.fields,
        &a.fields.reconstructed,
        &ColorScale::MAGNITUDE,
        &title,
        theme,
    )
}

/// A vertical colour bar for `scale` filling `area`'s height, ticks and `label` on its right.
pub fn draw_colorbar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    scale: &ColorScale,
    label: &str,
    theme: &Theme,
) -> DrawResult<DB> {
    let mut chart = ChartBuilder::on(area)
        .margin_left(theme.px(4.0))
        .margin_top(theme.px(1.0))
        .margin_bottom(theme.px(1.0))
        .right_y_label_area_size(theme.px(62.0))
        .build_cartesian_2d(0.0..1.0, scale.lo..scale.hi)?;
    // One value per pixel row, so the bar shows both ends of the scale exactly.
    let rows = chart.plotting_area().dim_in_pixel().1.max(2) as usize;
    let values: Vec<f64> = (0..rows)
        .map(|i| scale.hi - (scale.hi - scale.lo) * i as f64 / (rows - 1) as f64)
        .collect();
    draw_raster(
        chart.plotting_area(),
        &field_rgba(&values, 1, rows, scale),
        (1, rows),
        Sampling::Cells,
    )?;
    axes(&mut chart, theme, "", label)
        .disable_x_axis()
        .y_label_formatter(&tick)
        .draw()?;
    Ok(())
}

/// The colour bar's label wherever it shows alignment.
pub(super) const ALIGNMENT_LABEL: &str = "alignment Aᵢ(x)";

/// Width of the strip a colour bar takes beside its plots.
pub(super) fn colorbar_width(theme: &Theme) -> u32 {
    theme.px(84.0)
}

/// The first `count` alignment fields as small multiples, `cols` per row, with one shared colour
/// bar on the right as tall as the plots (every field uses the same −1…1 scale, so they compare at a
/// glance).
pub fn draw_fields<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    run: &Run,
    count: usize,
    cols: usize,
    theme: &Theme,
) -> DrawResult<DB> {
    let Some(a) = &run.analysis else {
        return not_computed(area, "alignment", theme);
    };
    let (w, h) = area.dim_in_pixel();
    let (panels, bar) = area.split_horizontally(w.saturating_sub(colorbar_width(theme)));
    let count = count.min(a.fields.alignment.len());
    let cols = cols.max(1);
    let rows = count.div_ceil(cols).max(1);
    for (i, cell) in panels
        .split_evenly((rows, cols))
        .iter()
        .enumerate()
        .take(count)
    {
        draw_field(cell, run, i, theme)?;
    }
    // The plots' vertical extent, as plane_chart lays them out in each cell.
    let (cw, ch) = (panels.dim_in_pixel().0 / cols as u32, h / rows as u32);
    let (left, bottom) = label_areas(theme);
    let pad = theme.px(6.0);
    let title = title_height(area, "A₁", theme)?;
    let grid = &a.fields.grid;
    let aspect = (grid.u_range.1 - grid.u_range.0) / (grid.w_range.1 - grid.w_range.0);
    let ph = ch.saturating_sub(title + bottom + 2 * pad);
    let side = (ph as f64).min(cw.saturating_sub(left + 2 * pad) as f64 / aspect) as u32;
    let top = (ch - (title + side + bottom + 2 * pad)) / 2 + title + pad;
    let height = (rows as u32 - 1) * ch + side;
    draw_colorbar(
        &bar.margin(top as i32, (h - top - height) as i32, 0, 0),
        &ColorScale::ALIGNMENT,
        ALIGNMENT_LABEL,
        theme,
    )
}
