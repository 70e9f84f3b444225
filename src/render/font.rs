//! The embedded font for native drawing (compiled out of the wasm build, where the canvas brings
//! its own fonts): DejaVu Sans, license in `DejaVuSans-LICENSE.txt` beside it.
//!
//! Embedding it means the figures look the same on every machine and need no system fonts.

use plotters::style::{register_font, FontStyle};

const DEJAVU_SANS: &[u8] = include_bytes!("DejaVuSans.ttf");

/// Registers DejaVu Sans as the family [`super::FONT`] for every style (bold and italic fall back
/// to it). Needed once per process before drawing text on a native backend; repeating it is harmless.
pub fn register() {
    assert!(
        register_font(super::FONT, FontStyle::Normal, DEJAVU_SANS).is_ok(),
        "the embedded DejaVu Sans parses"
    );
}
