//! Colours: the diverging alignment scale, a sequential magnitude scale, and the class colours.
//!
//! Everything here is pure (no plotters backend), so the page can fill an `ImageData` with
//! [`field_rgba`] and get exactly the pixels the native figures show.

use plotters::style::RGBColor;

/// A piecewise-linear colour scale from `lo` to `hi` through evenly spaced `stops`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ColorScale {
    pub lo: f64,
    pub hi: f64,
    pub stops: &'static [[u8; 3]],
}

/// ColorBrewer RdBu (11 classes), reversed so that −1 is blue and +1 is red; colour-blind safe, with a
/// near-white middle so that "no alignment" reads as blank paper.
const RDBU: [[u8; 3]; 11] = [
    [0x05, 0x30, 0x61],
    [0x21, 0x66, 0xac],
    [0x43, 0x93, 0xc3],
    [0x92, 0xc5, 0xde],
    [0xd1, 0xe5, 0xf0],
    [0xf7, 0xf7, 0xf7],
    [0xfd, 0xdb, 0xc7],
    [0xf4, 0xa5, 0x82],
    [0xd6, 0x60, 0x4d],
    [0xb2, 0x18, 0x2b],
    [0x67, 0x00, 0x1f],
];

/// ColorBrewer Purples (9 classes): light to dark for a non-negative magnitude.
const PURPLES: [[u8; 3]; 9] = [
    [0xfc, 0xfb, 0xfd],
    [0xef, 0xed, 0xf5],
    [0xda, 0xda, 0xeb],
    [0xbc, 0xbd, 0xdc],
    [0x9e, 0x9a, 0xc8],
    [0x80, 0x7d, 0xba],
    [0x6a, 0x51, 0xa3],
    [0x54, 0x27, 0x8f],
    [0x3f, 0x00, 0x7d],
];

impl ColorScale {
    /// Alignment A_i ∈ [−1, 1].
    pub const ALIGNMENT: ColorScale = ColorScale {
        lo: -1.0,
        hi: 1.0,
        stops: &RDBU,
    };
    /// A normalized magnitude in [0, 1] (the reconstructed boundary Σλ_i|A_i|).
    pub const MAGNITUDE: ColorScale = ColorScale {
        lo: 0.0,
        hi: 1.0,
        stops: &PURPLES,
    };

    /// The colour of `value`, clamped to the scale's range.
    pub fn rgb(&self, value: f64) -> [u8; 3] {
        let n = self.stops.len() - 1;
        let t = ((value - self.lo) / (self.hi - self.lo)).clamp(0.0, 1.0) * n as f64;
        let i = (t.floor() as usize).min(n - 1);
        let f = t - i as f64;
        let (a, b) = (self.stops[i], self.stops[i + 1]);
        std::array::from_fn(|c| (a[c] as f64 + f * (b[c] as f64 - a[c] as f64)).round() as u8)
    }

    pub fn color(&self, value: f64) -> RGBColor {
        let [r, g, b] = self.rgb(value);
        RGBColor(r, g, b)
    }
}

/// `values` (row-major, `width`×`height`, row 0 at the top) as RGBA bytes, 4·width·height long;
/// NaN is transparent.
pub fn field_rgba(values: &[f64], width: usize, height: usize, scale: &ColorScale) -> Vec<u8> {
    assert_eq!(
        values.len(),
        width * height,
        "field_rgba: {} values for a {width}×{height} image",
        values.len()
    );
    let mut out = Vec::with_capacity(4 * values.len());
    for &v in values {
        if v.is_nan() {
            out.extend([0, 0, 0, 0]);
        } else {
            let [r, g, b] = scale.rgb(v);
            out.extend([r, g, b, 255]);
        }
    }
    out
}

/// Okabe–Ito colours for classes (blue, vermillion, bluish green, reddish purple, orange, sky blue,
/// yellow), distinguishable under the common colour-vision deficiencies.
pub const CLASS_COLORS: [RGBColor; 7] = [
    RGBColor(0x00, 0x72, 0xb2),
    RGBColor(0xd5, 0x5e, 0x00),
    RGBColor(0x00, 0x9e, 0x73),
    RGBColor(0xcc, 0x79, 0xa7),
    RGBColor(0xe6, 0x9f, 0x00),
    RGBColor(0x56, 0xb4, 0xe9),
    RGBColor(0xf0, 0xe4, 0x42),
];

/// The colour of class `c` (cycling past seven classes).
pub fn class_color(c: u32) -> RGBColor {
    CLASS_COLORS[c as usize % CLASS_COLORS.len()]
}

/// The light tint of class `c` used for its decision region: the class colour at `REGION_TINT`
/// strength over white, light enough for markers and the boundary line to stand out on it.
pub fn region_color(c: u32) -> [u8; 3] {
    const REGION_TINT: f64 = 0.22;
    let RGBColor(r, g, b) = class_color(c);
    [r, g, b].map(|v| (255.0 - REGION_TINT * (255.0 - v as f64)).round() as u8)
}

/// Predicted classes (row-major) as RGBA region tints, like [`field_rgba`].
pub fn regions_rgba(predicted: &[u32]) -> Vec<u8> {
    predicted
        .iter()
        .flat_map(|&c| {
            let [r, g, b] = region_color(c);
            [r, g, b, 255]
        })
        .collect()
}
