//! The margin table of the README: true margin, estimate, relative error and time of the margin step
//! for every `margin` method on the paper's 2-D settings (and the 1-D toy).
//! `cargo run --release --example margin_table [-- QUERY…]`

use hessian_boundary::analysis::margin::{distance_to_boundary, margin};
use hessian_boundary::config::{Config, MarginMethod};
use hessian_boundary::pipeline::{compute_spectrum, prepare, Prepared, Run};
use hessian_boundary::train::Trainer;
use std::time::Instant;

const SETTINGS: [&str; 7] = [
    "v=2",
    "dataset=hierarchical",
    "dataset=circles",
    "dataset=moons",
    "dataset=checker",
    "dataset=checker&pretrain=checker-noisy&pre=2000",
    "dataset=line1d&layers=10&lr=0.002&batch=6&epochs=45000&solver=dense",
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let queries: Vec<&str> = if args.is_empty() {
        SETTINGS.to_vec()
    } else {
        args.iter().map(|s| s.as_str()).collect()
    };
    println!("| setting | method | true | estimate | rel. error | x_b to boundary | margin step (s) | of which the true-margin check (s) |");
    println!("|---|---|---|---|---|---|---|---|");
    for q in queries {
        let config = Config::parse(q).unwrap();
        let Prepared { split, pretrain } = prepare(&config, None).unwrap();
        let mut run = Run::from_trainer(
            Trainer::new(config.clone(), split, pretrain)
                .unwrap()
                .finish()
                .unwrap(),
        );
        compute_spectrum(&mut run);
        let v1 = run.spectrum.as_ref().unwrap().eigen.vectors[0].clone();
        for &method in MarginMethod::ALL {
            let t = Instant::now();
            let m = margin(
                &run.trained.mlp,
                &run.trained.params,
                &run.split.train,
                &v1,
                config.seed,
                method,
            );
            let s = t.elapsed().as_secs_f64();
            let t = Instant::now();
            let r = hessian_boundary::analysis::margin::search_radius(&run.split.train);
            for x in [&m.x_t_max, &m.x_t_min] {
                std::hint::black_box(distance_to_boundary(
                    &run.trained.mlp,
                    &run.trained.params,
                    x,
                    &run.split.train,
                    r,
                    config.seed,
                ));
            }
            let check = t.elapsed().as_secs_f64();
            let f = |x: Option<f64>| x.map_or("–".to_string(), |v| format!("{v:.4}"));
            println!(
                "| `{q}` | {} | {} | {:.4} | {} | {} | {s:.3} | {check:.3} |",
                method.name(),
                f(m.true_margin),
                m.estimate,
                m.relative_error
                    .map_or("–".into(), |e| format!("{:.1} %", 100.0 * e)),
                f(m.x_b_boundary_distance),
            );
        }
    }
}
