//! Charts onto an RGB buffer with plotters' bitmap backend (native only): what PNG figures and the
//! render tests draw on.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{DrawResult, Theme};

/// Draws onto a white RGB buffer of `size` CSS pixels (× the theme's scale), inside a thin white
/// border.
pub fn render_rgb(
    size: (u32, u32),
    theme: &Theme,
    draw: impl FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> DrawResult<BitMapBackend<'static>>,
) -> Result<Vec<u8>, String> {
    let (w, h) = (theme.px(size.0 as f64), theme.px(size.1 as f64));
    let mut buf = vec![255u8; 3 * (w * h) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        let edge = theme.px(8.0) as i32;
        draw(&root.margin(edge, edge, edge, edge)).map_err(|e| format!("drawing failed: {e}"))?;
        root.present().map_err(|e| format!("drawing failed: {e}"))?;
    }
    Ok(buf)
}
