//! The alignment matrix: A_i at every training point, one row per eigenvector.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::color::{class_color, field_rgba, ColorScale};
use super::plane::{colorbar_width, draw_colorbar, draw_raster, Sampling, ALIGNMENT_LABEL};
use super::{
    axes, chart_builder, label_areas, not_computed, sig, subscript, title_height, DrawResult,
    Theme, INK,
};
use crate::analysis::alignment::AlignmentMatrix;
use crate::pipeline::Run;

/// The paper's alignment matrix of a run, titled `label` with its G, tr(H) and λ₁ (see [`draw_matrix`]).
pub fn draw_alignment_matrix<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    run: &Run,
    label: &str,
    theme: &Theme,
) -> DrawResult<DB> {
    let (Some(a), Some(s)) = (&run.analysis, &run.spectrum) else {
        return not_computed(area, label, theme);
    };
    let g = &a.generalization;
    let over = if g.over_all {
        "all".to_string()
    } else {
        format!("top {}", g.m.len())
    };
    let title = format!(
        "{label}: G = {} ({over}), tr(H) = {}, λ{} = {}",
        sig(g.aggregate),
        sig(s.trace.estimate),
        subscript(1),
        sig(s.eigen.values[0])
    );
    let names = run.split.class_names.as_deref();
    draw_matrix(area, &a.matrix, &run.split.train.y, names, &title, theme)
}

/// An alignment matrix (the final model's or a training snapshot's): rows v₁…v_k, columns the
/// training points grouped by class (labels `y`; under each group its class's name from `names`,
/// or "class k"; lines between groups), on the alignment scale with its colour bar.
pub fn draw_matrix<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    matrix: &AlignmentMatrix,
    y: &[u32],
    names: Option<&[String]>,
    title: &str,
    theme: &Theme,
) -> DrawResult<DB> {
    let (w, _) = area.dim_in_pixel();
    let (left_part, bar) = area.split_horizontally(w.saturating_sub(colorbar_width(theme)));
    let (k, n) = (matrix.values.len(), matrix.order.len());
    let (_, bottom) = label_areas(theme);
    let title_height = title_height(&left_part, title, theme)?;
    let mut chart = chart_builder(&left_part, title, theme)
        // One segment per eigenvector: plotters' integer ranges include their end.
        .build_cartesian_2d(0.0..n as f64, (0..k - 1).into_segmented())?;
    let row_label = |v: &SegmentValue<usize>| match v {
        SegmentValue::CenterOf(j) => format!("v{}", subscript(k - j)),
        _ => String::new(),
    };
    axes(
        &mut chart,
        theme,
        "training points, grouped by class",
        "eigenvector",
    )
    .x_labels(0)
    .y_labels(k.min(10))
    .y_label_formatter(&row_label)
    .draw()?;
    let values: Vec<f64> = matrix.values.iter().flatten().copied().collect();
    draw_raster(
        chart.plotting_area(),
        &field_rgba(&values, n, k, &ColorScale::ALIGNMENT),
        (n, k),
        Sampling::Cells,
    )?;

    // Class groups: a separator at each change of class, the class name under the group's middle.
    let class_of = |j: usize| y[matrix.order[j]];
    let mut start = 0;
    let base = left_part.get_base_pixel();
    for j in 1..=n {
        if j < n && class_of(j) == class_of(start) {
            continue;
        }
        if j < n {
            let line = vec![
                (j as f64, SegmentValue::Exact(0)),
                (j as f64, SegmentValue::Last),
            ];
            chart.draw_series([PathElement::new(line, INK.stroke_width(theme.px(1.5)))])?;
        }
        let (x, y) = chart.backend_coord(&((start + j) as f64 / 2.0, SegmentValue::Exact(0)));
        let color = class_color(class_of(start));
        let style = theme
            .tick()
            .color(&color)
            .pos(Pos::new(HPos::Center, VPos::Top));
        let class = class_of(start);
        let name = names
            .and_then(|names| names.get(class as usize).cloned())
            .unwrap_or_else(|| format!("class {class}"));
        left_part.draw_text(
            &name,
            &style,
            (x - base.0, y - base.1 + theme.px(4.0) as i32),
        )?;
        start = j;
    }
    let margin = theme.px(8.0);
    let bar = bar.margin(
        (margin + title_height) as i32,
        (margin + bottom) as i32,
        0,
        0,
    );
    draw_colorbar(&bar, &ColorScale::ALIGNMENT, ALIGNMENT_LABEL, theme)
}
