//! A plotters [`DrawingBackend`] on an `OffscreenCanvas`, so the charts of [`crate::render`] (the
//! same code as the CLI's PNG figures) draw inside the Web Worker and reach the page as one
//! `ImageBitmap` each. Modelled on plotters-canvas (which needs a DOM canvas, absent in a worker);
//! text is measured with the canvas's `measureText` instead of plotters' DOM-based layout, and
//! bitmaps go through one `putImageData` rather than a call per pixel.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
    FontTransform,
};
use wasm_bindgen::{Clamped, JsCast, JsError, JsValue};
use web_sys::{ImageBitmap, ImageData, OffscreenCanvas, OffscreenCanvasRenderingContext2d};

use crate::analysis::SnapshotSpectrum;
use crate::pipeline::Run;
use crate::render::{self, ColorScale, Theme};

#[derive(Debug)]
pub struct CanvasError(String);

impl std::fmt::Display for CanvasError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "canvas: {}", self.0)
    }
}

impl std::error::Error for CanvasError {}

fn cast(e: JsValue) -> DrawingErrorKind<CanvasError> {
    DrawingErrorKind::DrawingError(CanvasError(
        e.as_string().unwrap_or_else(|| format!("{e:?}")),
    ))
}

pub struct OffscreenBackend {
    size: (u32, u32),
    ctx: OffscreenCanvasRenderingContext2d,
}

fn css(color: BackendColor) -> String {
    let (r, g, b) = color.rgb;
    format!("rgba({r},{g},{b},{})", color.alpha)
}

/// The CSS font of a plotters text style.
fn font<S: BackendTextStyle>(style: &S) -> String {
    format!(
        "{} {}px {}",
        style.style().as_str(),
        style.size(),
        style.family().as_str()
    )
}

impl OffscreenBackend {
    fn line_style(&self, style: &impl BackendStyle) {
        self.ctx.set_stroke_style_str(&css(style.color()));
        self.ctx.set_line_width(style.stroke_width() as f64);
    }

    fn path(&self, points: impl IntoIterator<Item = BackendCoord>) -> bool {
        let mut points = points.into_iter();
        self.ctx.begin_path();
        let Some(first) = points.next() else {
            return false;
        };
        self.ctx.move_to(first.0 as f64, first.1 as f64);
        for p in points {
            self.ctx.line_to(p.0 as f64, p.1 as f64);
        }
        true
    }
}

/// Moves a horizontal or vertical line onto pixel centres so that a 1-px line stays crisp.
fn crisp(from: BackendCoord, to: BackendCoord) -> ((f64, f64), (f64, f64)) {
    let (mut a, mut b) = ((from.0 as f64, from.1 as f64), (to.0 as f64, to.1 as f64));
    if a.0 == b.0 {
        a.0 += 0.5;
        b.0 += 0.5;
    }
    if a.1 == b.1 {
        a.1 += 0.5;
        b.1 += 0.5;
    }
    (a, b)
}

impl DrawingBackend for OffscreenBackend {
    type ErrorType = CanvasError;

    fn get_size(&self) -> (u32, u32) {
        self.size
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<CanvasError>> {
        Ok(())
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<CanvasError>> {
        Ok(())
    }

    fn draw_pixel(
        &mut self,
        p: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        if color.alpha > 0.0 {
            self.ctx.set_fill_style_str(&css(color));
            self.ctx.fill_rect(p.0 as f64, p.1 as f64, 1.0, 1.0);
        }
        Ok(())
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        if style.color().alpha > 0.0 {
            let (a, b) = crisp(from, to);
            self.line_style(style);
            self.ctx.begin_path();
            self.ctx.move_to(a.0, a.1);
            self.ctx.line_to(b.0, b.1);
            self.ctx.stroke();
        }
        Ok(())
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        ul: BackendCoord,
        br: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        let (x, y, w, h) = (
            ul.0 as f64,
            ul.1 as f64,
            (br.0 - ul.0) as f64,
            (br.1 - ul.1) as f64,
        );
        if fill {
            self.ctx.set_fill_style_str(&css(style.color()));
            self.ctx.fill_rect(x, y, w, h);
        } else {
            self.line_style(style);
            self.ctx.stroke_rect(x + 0.5, y + 0.5, w, h);
        }
        Ok(())
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        if style.color().alpha > 0.0 && self.path(path) {
            self.line_style(style);
            self.ctx.set_line_join("round");
            self.ctx.stroke();
        }
        Ok(())
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        if style.color().alpha > 0.0 && self.path(path) {
            self.ctx.close_path();
            self.ctx.set_fill_style_str(&css(style.color()));
            self.ctx.fill();
        }
        Ok(())
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        self.ctx.begin_path();
        self.ctx
            .arc(
                center.0 as f64,
                center.1 as f64,
                radius as f64,
                0.0,
                std::f64::consts::TAU,
            )
            .map_err(cast)?;
        if fill {
            self.ctx.set_fill_style_str(&css(style.color()));
            self.ctx.fill();
        } else {
            self.line_style(style);
            self.ctx.stroke();
        }
        Ok(())
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<CanvasError>> {
        self.ctx.set_font(&font(style));
        let m = self.ctx.measure_text(text).map_err(cast)?;
        let height = m.font_bounding_box_ascent() + m.font_bounding_box_descent();
        let (w, h) = (m.width().ceil() as u32, height.ceil() as u32);
        Ok(match style.transform() {
            FontTransform::Rotate90 | FontTransform::Rotate270 => (h, w),
            _ => (w, h),
        })
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let angle = match style.transform() {
            FontTransform::None => 0.0f64,
            FontTransform::Rotate90 => 90.0,
            FontTransform::Rotate180 => 180.0,
            FontTransform::Rotate270 => 270.0,
        }
        .to_radians();
        let (mut x, mut y) = (pos.0 as f64, pos.1 as f64);
        if angle != 0.0 {
            self.ctx.save();
            self.ctx.translate(x, y).map_err(cast)?;
            self.ctx.rotate(angle).map_err(cast)?;
            (x, y) = (0.0, 0.0);
        }
        self.ctx.set_text_baseline(match style.anchor().v_pos {
            VPos::Top => "top",
            VPos::Center => "middle",
            VPos::Bottom => "bottom",
        });
        self.ctx.set_text_align(match style.anchor().h_pos {
            HPos::Left => "left",
            HPos::Right => "right",
            HPos::Center => "center",
        });
        self.ctx.set_fill_style_str(&css(color));
        self.ctx.set_font(&font(style));
        self.ctx.fill_text(text, x, y).map_err(cast)?;
        if angle != 0.0 {
            self.ctx.restore();
        }
        Ok(())
    }

    /// `src` is RGB, `iw`×`ih`: one `putImageData`.
    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        (iw, ih): (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        if iw == 0 || ih == 0 {
            return Ok(());
        }
        let rgba: Vec<u8> = src
            .chunks_exact(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect();
        let image =
            ImageData::new_with_u8_clamped_array_and_sh(Clamped(&rgba), iw, ih).map_err(cast)?;
        self.ctx
            .put_image_data(&image, pos.0 as f64, pos.1 as f64)
            .map_err(cast)
    }
}

/// Draws `chart` of `run` (`eigenvalues`, `density`, `matrix`, `boundary`, `margin`, `reconstructed`,
/// `colorbar`, `fields` or `fields-N` with N columns) on a fresh `width`×`height` canvas (white background) and returns it.
/// With a training `snapshot`, `eigenvalues` and `matrix` are its own.
pub fn render(
    run: &Run,
    snapshot: Option<&SnapshotSpectrum>,
    chart: &str,
    width: u32,
    height: u32,
    theme: Theme,
) -> Result<ImageBitmap, JsError> {
    let e = |e: JsValue| {
        JsError::new(&format!(
            "canvas: {}",
            e.as_string().unwrap_or_else(|| format!("{e:?}"))
        ))
    };
    let canvas = OffscreenCanvas::new(width, height).map_err(e)?;
    let ctx: OffscreenCanvasRenderingContext2d = canvas
        .get_context("2d")
        .map_err(e)?
        .ok_or_else(|| JsError::new("canvas: no 2d context"))?
        .dyn_into()
        .map_err(|_| JsError::new("canvas: not a 2d context"))?;
    let backend = OffscreenBackend {
        size: (width, height),
        ctx,
    };
    let area = backend.into_drawing_area();
    draw(&area, run, snapshot, chart, &theme)
        .map_err(|err| JsError::new(&format!("drawing {chart}: {err}")))?;
    area.present()
        .map_err(|err| JsError::new(&format!("drawing {chart}: {err}")))?;
    canvas.transfer_to_image_bitmap().map_err(e)
}

fn draw(
    area: &DrawingArea<OffscreenBackend, Shift>,
    run: &Run,
    snapshot: Option<&SnapshotSpectrum>,
    chart: &str,
    theme: &Theme,
) -> render::DrawResult<OffscreenBackend> {
    area.fill(&WHITE)?;
    let k = run.config.k;
    match (chart, &run.spectrum, snapshot) {
        ("eigenvalues", _, Some(t)) => render::draw_eigenvalues(
            area,
            &t.eigen,
            k,
            &format!("Top eigenvalues at epoch {}", t.epoch),
            theme,
        ),
        ("eigenvalues", Some(s), None) => {
            render::draw_eigenvalues(area, &s.eigen, k, "Top eigenvalues of the Hessian", theme)
        }
        // The density costs too many HVPs to compute at every snapshot.
        ("density", Some(s), Some(_)) => {
            render::draw_density(area, s, k, "Spectral density of the final model", theme)
        }
        ("density", Some(s), None) => {
            render::draw_density(area, s, k, "Spectral density (SLQ), top k marked", theme)
        }
        ("matrix", _, Some(t)) => render::draw_matrix(
            area,
            &t.matrix,
            &run.split.train.y,
            run.split.class_names.as_deref(),
            &format!(
                "Alignment at epoch {}: λ₁ = {}",
                t.epoch,
                render::sig(t.eigen.values[0])
            ),
            theme,
        ),
        ("matrix", _, None) => render::draw_alignment_matrix(area, run, "Alignment", theme),
        ("boundary", _, _) => render::draw_boundary(area, run, "Decision boundary", theme),
        ("margin", _, _) => render::draw_margin(area, run, "Margin from v₁", theme),
        ("reconstructed", _, _) => render::draw_reconstructed(area, run, theme),
        // Not `draw_line_fields`: its series legend measures text through plotters' DOM font
        // layout, which panics in a worker (the page draws the 1-D curves itself).
        // Room above and below for the end labels, which centre on the bar's ends.
        ("colorbar", _, _) => {
            let pad = theme.px(8.0) as i32;
            render::draw_colorbar(
                &area.margin(pad, pad, 0, 0),
                &ColorScale::ALIGNMENT,
                "Aᵢ(x)",
                theme,
            )
        }
        // `fields-N`: N columns (`fields`: as many as fit).
        (name, _, _) if name.starts_with("fields") => {
            let count = run
                .analysis
                .as_ref()
                .map_or(0, |a| a.fields.alignment.len());
            let fit = (area.dim_in_pixel().0 as f64 / (theme.scale * 220.0))
                .floor()
                .clamp(1.0, 5.0) as usize;
            let cols = name
                .strip_prefix("fields-")
                .and_then(|n| n.parse().ok())
                .unwrap_or(fit)
                .clamp(1, 10);
            render::draw_fields(area, run, count, cols, theme)
        }
        _ => Ok(()),
    }
}
