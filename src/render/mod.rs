//! Charts of a run: the paper's figures, drawn with plotters on any [`DrawingBackend`].
//!
//! Every chart is a function of core data (`&Run`, `&Spectrum`) onto a plotters drawing area, with no
//! file I/O and no font registration, so the native figures (bitmap backend, `reproduce`) and the
//! page (a canvas backend) share one drawing code:
//!
//! | chart | what it shows |
//! |---|---|
//! | [`draw_boundary`] | predicted-class regions, the decision boundary, train (filled) and test (hollow) points |
//! | [`draw_margin`] | the same with the margin estimate from v₁: x_t^max, x_t^min, x_b, estimated vs true |
//! | [`draw_field`], [`draw_fields`] | alignment fields A_i(x) with the boundary on top; small multiples with a colour bar |
//! | [`draw_reconstructed`] | Σλ_i\|A_i(x)\|, the boundary as the top eigenvectors see it |
//! | [`draw_colorbar`] | the legend of a [`ColorScale`] |
//! | [`draw_line_fields`] | the 1-D version: A_i(x) as curves over a line, with the class flips |
//! | [`draw_eigenvalues`], [`draw_density`] | the top-k eigenvalues; the SLQ spectral density with the top-k marked |
//! | [`draw_alignment_matrix`], [`draw_matrix`] | A_i at each training point, grouped by class, with G, tr(H), λ₁; any matrix (a snapshot's) |
//! | [`draw_overview`] | boundary, spectrum and the top fields of one run in one figure |
//!
//! Dense fields go through [`field_rgba`] (pure: values → RGBA bytes, which the page can put into
//! an `ImageData` directly) and are blitted as one bitmap, resampled to the plot's pixels.
//! Text uses the family [`FONT`]; natively [`font::register`] backs it with the embedded DejaVu
//! Sans, in the browser the canvas's own sans-serif. Sizes scale with [`Theme::scale`] (2 for the
//! PNG figures, the device pixel ratio on a canvas).

#[cfg(not(target_arch = "wasm32"))]
pub mod bitmap;
pub mod color;
pub mod contour;
pub mod figures;
#[cfg(not(target_arch = "wasm32"))]
pub mod font;
mod line;
mod matrix;
mod perturbation;
mod plane;
mod spectrum;

pub use color::{class_color, field_rgba, ColorScale};
pub use line::draw_line_fields;
pub use matrix::{draw_alignment_matrix, draw_matrix};
pub use perturbation::draw_perturbation;
pub use plane::{
    draw_boundary, draw_colorbar, draw_field, draw_fields, draw_margin, draw_reconstructed,
};
pub use spectrum::{draw_density, draw_eigenvalues};

use plotters::chart::{ChartContext, MeshStyle};
use plotters::coord::ranged1d::{Ranged, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::pipeline::Run;

/// The font family every chart asks for.
pub const FONT: &str = "sans-serif";

/// Text and axis colour: near-black, softer than pure black next to the light regions.
pub const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);

/// The result of drawing onto a backend `DB`.
pub type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// Sizes of text, lines and markers, in CSS pixels times `scale`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Theme {
    pub scale: f64,
}

impl Default for Theme {
    fn default() -> Self {
        Theme { scale: 1.0 }
    }
}

impl Theme {
    /// `v` CSS pixels in device pixels.
    pub fn px(&self, v: f64) -> u32 {
        (v * self.scale).round().max(1.0) as u32
    }

    fn text(&self, size: f64) -> TextStyle<'static> {
        (FONT, size * self.scale).into_font().color(&INK)
    }

    pub fn title(&self) -> TextStyle<'static> {
        self.text(15.0)
    }

    pub fn label(&self) -> TextStyle<'static> {
        self.text(13.0)
    }

    pub fn tick(&self) -> TextStyle<'static> {
        self.text(11.5)
    }
}

/// A chart on plain f64 axes.
type Chart<DB> = ChartContext<'static, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// The axes every chart shares: no grid lines, ink-coloured axes, the theme's text sizes.
fn axes<'a, 'b, X, Y, DB>(
    chart: &'b mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    theme: &Theme,
    x_desc: &str,
    y_desc: &str,
) -> MeshStyle<'a, 'b, X, Y, DB>
where
    X: Ranged + ValueFormatter<X::ValueType>,
    Y: Ranged + ValueFormatter<Y::ValueType>,
    DB: DrawingBackend,
{
    let mut mesh = chart.configure_mesh();
    mesh.disable_mesh()
        .axis_style(INK.stroke_width(theme.px(1.0)))
        .label_style(theme.tick())
        .axis_desc_style(theme.label())
        .set_all_tick_mark_size(theme.px(4.0))
        .x_labels(5)
        .y_labels(5)
        .x_desc(x_desc)
        .y_desc(y_desc);
    mesh
}

/// A title: the first line in the title style, any further lines (after `\n`) smaller, as a
/// subtitle. Returns the area below it.
fn titled<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    theme: &Theme,
) -> Result<DrawingArea<DB, Shift>, DrawingAreaErrorKind<DB::ErrorType>> {
    let mut body = area.clone();
    for (i, line) in title.lines().enumerate() {
        body = body.titled(line, if i == 0 { theme.title() } else { theme.tick() })?;
    }
    Ok(body)
}

/// The height [`titled`] takes: each line and the padding `DrawingArea::titled` puts around it.
fn title_height<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    theme: &Theme,
) -> Result<u32, DrawingAreaErrorKind<DB::ErrorType>> {
    let mut total = 0;
    for (i, line) in title.lines().enumerate() {
        let (_, h) =
            area.estimate_text_size(line, &if i == 0 { theme.title() } else { theme.tick() })?;
        total += h + 2 * (h / 2).min(5);
    }
    Ok(total)
}

/// A chart builder with the shared margin and label areas, under a one-line `title`.
/// The series legend every line chart uses, at `position`.
fn series_legend<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    theme: &Theme,
    position: SeriesLabelPosition,
) -> DrawResult<DB> {
    chart
        .configure_series_labels()
        .position(position)
        .label_font(theme.label())
        .legend_area_size(theme.px(32.0))
        .background_style(WHITE.mix(0.85))
        .border_style(INK.mix(0.5))
        .draw()?;
    Ok(())
}

fn chart_builder<'a, 'b, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    title: &str,
    theme: &Theme,
) -> ChartBuilder<'a, 'b, DB> {
    let (left, bottom) = label_areas(theme);
    let mut b = ChartBuilder::on(area);
    b.caption(title, theme.title())
        .margin(theme.px(8.0))
        .x_label_area_size(bottom)
        .y_label_area_size(left);
    b
}

/// In place of a chart whose run has no spectrum or analysis (not computed, or failed): the title
/// and a note.
fn not_computed<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    theme: &Theme,
) -> DrawResult<DB> {
    let body = titled(area, title, theme)?;
    let (w, h) = body.dim_in_pixel();
    let style = theme.label().pos(Pos::new(HPos::Center, VPos::Center));
    body.draw_text("not computed", &style, (w as i32 / 2, h as i32 / 2))?;
    Ok(())
}

/// Room left of the plot for tick labels and the rotated y description, below it for the x ones.
fn label_areas(theme: &Theme) -> (u32, u32) {
    (theme.px(52.0), theme.px(38.0))
}

/// A number with three significant digits for chart text, as `8.41×10⁻⁴` outside [0.001, 10⁴).
pub fn sig(x: f64) -> String {
    number(x, false)
}

/// An axis tick: like [`sig`] without trailing zeros, and a bare power of ten as `10⁻⁴`.
pub fn tick(x: &f64) -> String {
    // Tick positions computed as multiples of a step can miss zero by rounding.
    number(if x.abs() < 1e-12 { 0.0 } else { *x }, true)
}

/// A tick on a log axis: like [`tick`] but never snapped to zero (there, tiny values are the scale).
pub fn log_tick(x: &f64) -> String {
    number(*x, true)
}

/// Three significant digits with a true minus sign; `trim` drops trailing zeros.
fn number(x: f64, trim: bool) -> String {
    let trimmed = |s: String| {
        if trim && s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    };
    // Round to three significant digits first, so the digit count follows the rounded value
    // (0.0099999 → 0.0100, not 0.01000).
    let x = if x == 0.0 || !x.is_finite() {
        x
    } else {
        round_sig(x)
    };
    let a = x.abs();
    let text = if x == 0.0 || !x.is_finite() {
        format!("{x}")
    } else if !(1e-3..1e4).contains(&a) {
        let mut e = a.log10().floor() as i32;
        let mut m = x / 10f64.powi(e);
        // log10 of a rounded power of ten can land just below it.
        if m.abs() >= 9.995 {
            m /= 10.0;
            e += 1;
        }
        match trimmed(format!("{m:.2}")).as_str() {
            "1" if trim => format!("10{}", superscript(e)),
            "-1" if trim => format!("-10{}", superscript(e)),
            mantissa => format!("{mantissa}×10{}", superscript(e)),
        }
    } else {
        let decimals = (2 - a.log10().floor() as i32).max(0) as usize;
        trimmed(format!("{x:.decimals$}"))
    };
    text.replace('-', "−")
}

fn round_sig(x: f64) -> f64 {
    let scale = 10f64.powi(2 - x.abs().log10().floor() as i32);
    if scale.is_finite() {
        (x * scale).round() / scale
    } else {
        x
    }
}

fn superscript(e: i32) -> String {
    const DIGITS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let digits: String = e
        .unsigned_abs()
        .to_string()
        .chars()
        .map(|c| DIGITS[c as usize - '0' as usize])
        .collect();
    if e < 0 {
        format!("⁻{digits}")
    } else {
        digits
    }
}

/// `i` in Unicode subscript digits (λ₁₀).
pub fn subscript(i: usize) -> String {
    i.to_string()
        .chars()
        .map(|c| char::from_u32(0x2080 + (c as u32 - '0' as u32)).unwrap_or(c))
        .collect()
}

/// One run in one figure: its decision boundary, its spectrum (top-k and density) in the top row,
/// and its first `fields` alignment fields with a colour bar below, in one row, or in rows of three
/// when the plane is much wider than tall (as a principal plane often is).
pub fn draw_overview<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    run: &Run,
    fields: usize,
    theme: &Theme,
) -> DrawResult<DB> {
    let (w, h) = area.dim_in_pixel();
    let (top, bottom) = area.split_vertically(h / 2);
    let cols = top.split_by_breakpoints([w / 3, 2 * w / 3], [] as [u32; 0]);
    draw_boundary(&cols[0], run, "Decision boundary", theme)?;
    if let Some(s) = &run.spectrum {
        draw_eigenvalues(
            &cols[1],
            &s.eigen,
            run.config.k,
            "Top eigenvalues of the Hessian",
            theme,
        )?;
        draw_density(&cols[2], s, run.config.k, "Spectral density (SLQ)", theme)?;
    }
    let wide = run.analysis.as_ref().is_some_and(|a| {
        let g = &a.fields.grid;
        g.u_range.1 - g.u_range.0 > 1.6 * (g.w_range.1 - g.w_range.0)
    });
    draw_fields(&bottom, run, fields, if wide { 3 } else { fields }, theme)
}
