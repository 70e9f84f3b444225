//! The render module: colour scale, boundary geometry, number formatting, and every chart drawn on a
//! small bitmap (not blank, the expected colours present); the reproduce figures on tiny runs.

use std::collections::HashSet;
use std::sync::OnceLock;

use hessian_boundary::pipeline::PhaseCache;
use hessian_boundary::render::color::{region_color, CLASS_COLORS};
use hessian_boundary::render::contour::{boundary_segments, class_flips};
use hessian_boundary::render::{self as render, field_rgba, sig, tick, ColorScale, Theme};
use hessian_boundary::reproduce::{self, cases::Case};
use hessian_boundary::Config;
use hessian_boundary::Run;
use plotters::coord::Shift;
use plotters::prelude::*;

const BLUE_END: [u8; 3] = [0x05, 0x30, 0x61];
const MIDDLE: [u8; 3] = [0xf7, 0xf7, 0xf7];
const RED_END: [u8; 3] = [0x67, 0x00, 0x1f];

#[test]
fn field_rgba_maps_the_ends_and_zero_of_the_alignment_scale() {
    let rgba = field_rgba(
        &[-1.0, 0.0, 1.0, -7.0, 7.0, f64::NAN],
        3,
        2,
        &ColorScale::ALIGNMENT,
    );
    assert_eq!(rgba.len(), 4 * 3 * 2);
    let px = |i: usize| &rgba[4 * i..4 * i + 4];
    assert_eq!(px(0), [BLUE_END[0], BLUE_END[1], BLUE_END[2], 255]);
    assert_eq!(px(1), [MIDDLE[0], MIDDLE[1], MIDDLE[2], 255]);
    assert_eq!(px(2), [RED_END[0], RED_END[1], RED_END[2], 255]);
    // Out of range clamps to the ends; NaN is transparent.
    assert_eq!(px(3), px(0));
    assert_eq!(px(4), px(2));
    assert_eq!(px(5)[3], 0);
}

#[test]
fn alignment_scale_is_symmetric_in_lightness() {
    // A diverging scale: ±a equally far from the white middle.
    for a in [0.1, 0.35, 0.5, 0.8] {
        let light = |v: f64| {
            ColorScale::ALIGNMENT
                .rgb(v)
                .iter()
                .map(|&c| c as i32)
                .sum::<i32>()
        };
        assert!(
            (light(a) - light(-a)).abs() < 90,
            "lightness at ±{a}: {} vs {}",
            light(a),
            light(-a)
        );
        assert!(light(a) < light(0.0) && light(-a) < light(0.0));
    }
}

#[test]
fn magnitude_scale_runs_light_to_dark() {
    let sum = |v: f64| {
        ColorScale::MAGNITUDE
            .rgb(v)
            .iter()
            .map(|&c| c as u32)
            .sum::<u32>()
    };
    assert!(sum(0.0) > sum(0.5) && sum(0.5) > sum(1.0));
}

#[test]
#[should_panic(expected = "field_rgba")]
fn field_rgba_rejects_a_wrong_size() {
    field_rgba(&[0.0; 5], 2, 2, &ColorScale::ALIGNMENT);
}

#[test]
fn boundary_of_a_vertical_split_is_one_straight_line() {
    // Columns 0..3 class 0, columns 3..6 class 1, 4 rows.
    let predicted: Vec<u32> = (0..4)
        .flat_map(|_| (0..6).map(|c| u32::from(c >= 3)))
        .collect();
    let segments = boundary_segments(&predicted, 6, 4);
    assert_eq!(segments.len(), 3);
    for [a, b] in segments {
        assert_eq!((a.0, b.0), (2.5, 2.5));
        assert_eq!((b.1 - a.1).abs(), 1.0);
    }
}

#[test]
fn boundary_at_a_junction_of_three_classes_meets_in_the_cell_centre() {
    let segments = boundary_segments(&[0, 1, 2, 2], 2, 2);
    assert_eq!(segments.len(), 3);
    assert!(segments.iter().all(|s| s[1] == (0.5, 0.5)));
    assert!(boundary_segments(&[4; 9], 3, 3).is_empty());
}

#[test]
fn class_flips_sit_between_disagreeing_neighbours() {
    assert_eq!(class_flips(&[0, 0, 1, 1, 1, 0]), vec![1.5, 4.5]);
    assert!(class_flips(&[2]).is_empty());
}

#[test]
fn numbers_read_well_on_charts() {
    assert_eq!(sig(0.15432), "0.154");
    assert_eq!(sig(11.04), "11.0");
    assert_eq!(sig(-0.5), "−0.500");
    assert_eq!(sig(0.000841), "8.41×10⁻⁴");
    assert_eq!(sig(0.0099999), "0.0100");
    assert_eq!(sig(123456.0), "1.23×10⁵");
    assert_eq!(tick(&0.01), "0.01");
    assert_eq!(tick(&1e-4), "10⁻⁴");
    assert_eq!(tick(&2.5e-6), "2.5×10⁻⁶");
    assert_eq!(tick(&-0.5), "−0.5");
    assert_eq!(tick(&2.0), "2");
    assert_eq!(tick(&1e-17), "0");
    assert_eq!(render::subscript(10), "₁₀");
}

// ---------------------------------------------------------------------------------------------
// Charts on a bitmap

/// Tiny runs shared by the chart tests: a 3-class gaussian set and the 1-D toy.
fn runs() -> &'static (Run, Run) {
    static RUNS: OnceLock<(Run, Run)> = OnceLock::new();
    RUNS.get_or_init(|| {
        render::font::register();
        let run = |q: &str| hessian_boundary::run(&Config::parse(q).unwrap(), None).unwrap();
        (
            run("n=90&layers=12,12&epochs=60&batch=45&lr=0.1&k=4&grid=24"),
            run(
                "dataset=line1d&train=1&layers=10&lr=0.01&batch=6&epochs=3000&solver=dense&grid=64",
            ),
        )
    })
}

const W: u32 = 360;
const H: u32 = 280;

/// Draws one chart on a white W×H bitmap and returns its distinct colours.
fn colours(
    draw: impl FnOnce(
        &DrawingArea<BitMapBackend<'_>, Shift>,
    ) -> render::DrawResult<BitMapBackend<'static>>,
) -> HashSet<[u8; 3]> {
    let _ = runs();
    let mut buf = vec![0u8; (3 * W * H) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (W, H)).into_drawing_area();
        root.fill(&WHITE).unwrap();
        draw(&root).unwrap();
        root.present().unwrap();
    }
    buf.chunks_exact(3).map(|p| [p[0], p[1], p[2]]).collect()
}

fn assert_drawn(name: &str, c: &HashSet<[u8; 3]>) {
    assert!(c.len() >= 8, "{name}: only {} distinct colours", c.len());
    assert!(c.contains(&[255, 255, 255]), "{name}: no background left");
}

const THEME: Theme = Theme { scale: 1.0 };

#[test]
fn boundary_chart_shows_class_regions_and_points() {
    let (run, _) = runs();
    let c = colours(|a| render::draw_boundary(a, run, "boundary", &THEME));
    assert_drawn("boundary", &c);
    for class in 0..3 {
        assert!(
            c.contains(&region_color(class)),
            "region tint of class {class} missing"
        );
        let RGBColor(r, g, b) = CLASS_COLORS[class as usize];
        assert!(
            c.contains(&[r, g, b]),
            "marker colour of class {class} missing"
        );
    }
}

#[test]
fn margin_chart_draws_on_the_boundary_chart() {
    let (run, _) = runs();
    let c = colours(|a| render::draw_margin(a, run, "margin", &THEME));
    assert_drawn("margin", &c);
    assert!(c.contains(&region_color(0)));
}

#[test]
fn field_charts_use_the_alignment_scale() {
    let (run, _) = runs();
    let values: HashSet<[u8; 3]> = run.analysis.as_ref().unwrap().fields.alignment[0]
        .iter()
        .map(|&v| ColorScale::ALIGNMENT.rgb(v))
        .collect();
    let c = colours(|a| render::draw_field(a, run, 0, &THEME));
    assert_drawn("field", &c);
    // Most of the field's own colours survive the resampling (some pixels lie under the boundary).
    let shown = values.iter().filter(|v| c.contains(*v)).count();
    assert!(
        shown * 2 > values.len(),
        "{shown} of {} field colours shown",
        values.len()
    );
    assert_drawn(
        "reconstructed",
        &colours(|a| render::draw_reconstructed(a, run, &THEME)),
    );
}

#[test]
fn colorbar_spans_the_scale_from_end_to_end() {
    let c = colours(|a| render::draw_colorbar(a, &ColorScale::ALIGNMENT, "A", &THEME));
    assert!(c.contains(&BLUE_END) && c.contains(&RED_END));
}

#[test]
fn small_multiples_spectrum_matrix_and_overview_draw() {
    let (run, _) = runs();
    let s = run.spectrum.as_ref().unwrap();
    assert_drawn(
        "fields",
        &colours(|a| render::draw_fields(a, run, 4, 2, &THEME)),
    );
    assert_drawn(
        "eigenvalues",
        &colours(|a| render::draw_eigenvalues(a, &s.eigen, 4, "eigenvalues", &THEME)),
    );
    assert_drawn(
        "density",
        &colours(|a| render::draw_density(a, s, 4, "density", &THEME)),
    );
    let matrix = colours(|a| render::draw_alignment_matrix(a, run, "normal", &THEME));
    assert_drawn("matrix", &matrix);
    assert!(
        matrix.contains(&BLUE_END) && matrix.contains(&RED_END),
        "the matrix has a colour bar"
    );
    assert_drawn(
        "overview",
        &colours(|a| render::draw_overview(a, run, 3, &THEME)),
    );
}

#[test]
fn line_chart_draws_the_1d_fields() {
    let (_, line) = runs();
    assert_eq!(line.analysis.as_ref().unwrap().fields.grid.height, 1);
    let c = colours(|a| render::draw_line_fields(a, line, 2, "1-D", &THEME));
    assert_drawn("line", &c);
    assert!(c.contains(&region_color(0)) && c.contains(&region_color(1)));
}

#[test]
fn charts_scale_with_the_theme() {
    let (run, _) = runs();
    let at =
        |scale: f64| colours(|a| render::draw_boundary(a, run, "boundary", &Theme { scale })).len();
    // Both draw; sizes differ, so the antialiased text and markers differ.
    assert!(at(1.0) >= 8 && at(1.5) >= 8);
}

// ---------------------------------------------------------------------------------------------
// Reproduce on tiny runs

#[test]
fn reproduce_figures_write_pngs_and_report_sections() {
    hessian_boundary::render::font::register();
    let dir = std::env::temp_dir().join(format!("hb-render-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = |_: &str| {};
    let done = reproduce::cases::run_cases(
        &[Case::new(
            "gaussian",
            "n=90&layers=12,12&epochs=60&batch=45&lr=0.1&k=5&grid=24",
        )],
        &PhaseCache::default(),
        &log,
    )
    .unwrap();
    let md = reproduce::figures::figure_gaussian(&done[0], &dir).unwrap();
    assert!(md.contains("![fig2_gaussian.png](fig2_gaussian.png)"));
    assert!(
        md.contains("`v=2&n=90&layers=12,12&lr=0.1&batch=45&epochs=60&k=5&grid=24`"),
        "{md}"
    );
    assert!(md.contains("| 1 |") && md.contains("| 0.154 |"), "{md}");
    let png = std::fs::read(dir.join("fig2_gaussian.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let md = reproduce::figures::figure_perturbation(&done[0], &dir).unwrap();
    assert!(
        md.contains("![fig2b_perturbation.png](fig2b_perturbation.png)"),
        "{md}"
    );
    assert!(md.contains("| 1 | ") && md.contains("| hvp | "), "{md}");
    let png = std::fs::read(dir.join("fig2b_perturbation.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    std::fs::copy(
        dir.join("fig2b_perturbation.png"),
        std::env::temp_dir().join("fig2b_perturbation.png"),
    )
    .ok();
    let line = reproduce::cases::run_cases(
        &[Case::new(
            "1-D toy",
            "dataset=line1d&layers=10&lr=0.01&batch=6&epochs=3000&solver=dense&grid=64",
        )],
        &PhaseCache::default(),
        &log,
    )
    .unwrap();
    let md = reproduce::figures::figure_line1d(&line[0], &dir).unwrap();
    assert!(
        md.contains("class flips at x") && md.contains(" of all 42)"),
        "{md}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bad_queries_fail_with_the_case_label() {
    let err = reproduce::cases::run_cases(
        &[Case::new("broken", "layers=oops")],
        &PhaseCache::default(),
        &|_: &str| {},
    )
    .err()
    .unwrap();
    assert!(err.starts_with("broken: bad query"), "{err}");
}
