//! Datasets, class selection, the split and standardization, against the numbers they must have.

use hessian_boundary::config::{limits, ClassLabel, Config, DatasetName, Draw};
use hessian_boundary::data::synthetic::{Recipe, LINE1D_X, LINE1D_Y};
use hessian_boundary::data::{self, DataError, Dataset};
use std::f64::consts::PI;

/// `classes` of numeric labels.
fn labels(l: &[u32]) -> Option<Vec<ClassLabel>> {
    Some(l.iter().map(|&l| l.into()).collect())
}

/// The dataset's seeded draw (what `n`, `noise`, `train` and `seed` shape).
fn config(dataset: DatasetName) -> Config {
    Config {
        dataset,
        draw: Some(Draw::Seeded),
        ..Config::default()
    }
}

#[test]
fn draw_paper_loads_the_authors_split_with_their_random_labels() {
    for &name in DatasetName::ALL {
        assert_eq!(
            data::authors::AuthorsSet::of(name).is_some(),
            name.has_paper_draw(),
            "{name:?}"
        );
        let Some(set) = data::authors::AuthorsSet::of(name) else {
            continue;
        };
        // The default draw of a v=2 query is the authors' where their code defines the dataset.
        let c = Config {
            dataset: name,
            ..Config::default()
        };
        assert_eq!(c.draw(), Draw::Paper);
        let split = data::load(&c, None).unwrap();
        assert_eq!(split, data::authors::draw(set).split, "{name:?}");
        // The seed drives init and minibatches only: the points stay the authors'.
        assert_eq!(data::load(&Config { seed: 9, ..c }, None).unwrap(), split);
    }
}

fn build(config: &Config) -> Dataset {
    data::build(config, None).unwrap_or_else(|e| panic!("{:?}: {e}", config.dataset))
}

fn build_error(config: &Config) -> DataError {
    data::build(config, None).expect_err("an error")
}

fn bits(data: &Dataset) -> Vec<u64> {
    data.x.iter().map(|v| v.to_bits()).collect()
}

/// Every point as (its coordinates' bits, label), sorted: the dataset as a multiset.
fn multiset(data: &[&Dataset]) -> Vec<(Vec<u64>, u32)> {
    let mut points: Vec<_> = data
        .iter()
        .flat_map(|d| {
            (0..d.len()).map(move |i| (d.row(i).iter().map(|v| v.to_bits()).collect(), d.y[i]))
        })
        .collect();
    points.sort();
    points
}

/// The mean and population std of feature `j` over the points selected by `keep`.
fn moments(data: &Dataset, j: usize, keep: impl Fn(usize) -> bool) -> (f64, f64) {
    let values: Vec<f64> = (0..data.len())
        .filter(|&i| keep(i))
        .map(|i| data.row(i)[j])
        .collect();
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    (mean, var.sqrt())
}

const SYNTHETIC: [DatasetName; 9] = [
    DatasetName::Gaussian,
    DatasetName::Hierarchical,
    DatasetName::Circles,
    DatasetName::Moons,
    DatasetName::Checker,
    DatasetName::CheckerNoisy,
    DatasetName::Line1d,
    DatasetName::Xor,
    DatasetName::Spirals,
];

const DIGIT_COUNTS: [usize; 10] = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180];

#[test]
fn every_dataset_has_its_default_size_dim_and_class_counts() {
    use DatasetName::*;
    let expected: [(DatasetName, usize, &[usize]); 11] = [
        (Gaussian, 2, &[100, 100, 100]),
        (Hierarchical, 2, &[75, 75, 75, 75]),
        (Circles, 2, &[100, 100]),
        (Moons, 2, &[100, 100]),
        (Checker, 2, &[200, 200]),
        (CheckerNoisy, 2, &[200, 200]),
        (Line1d, 1, &[3, 3]),
        (Xor, 2, &[200, 200]),
        (Spirals, 2, &[200, 200]),
        (Iris, 4, &[50, 50, 50]),
        (Digits, 64, &DIGIT_COUNTS),
    ];
    for (name, dim, counts) in expected {
        let data = build(&config(name));
        let n: usize = counts.iter().sum();
        assert_eq!(data.len(), n, "{name:?}");
        assert_eq!(data::default_n(name), Some(n), "{name:?}");
        assert_eq!((data.dim, data.classes), (dim, counts.len()), "{name:?}");
        assert_eq!(data.x.len(), n * dim, "{name:?}");
        assert_eq!(data.class_counts(), counts, "{name:?}");
        assert!(data.x.iter().all(|v| v.is_finite()), "{name:?}");
    }
    assert_eq!(data::default_n(Csv), None);
}

#[test]
fn n_is_spread_evenly_with_the_remainder_first_except_sklearns_halves() {
    use DatasetName::*;
    let expected: [(DatasetName, usize, &[usize]); 8] = [
        (Gaussian, 301, &[101, 100, 100]),
        (Hierarchical, 302, &[76, 76, 75, 75]),
        // Blobs of 101, 101, 100, 100: the first two are class 0.
        (Checker, 402, &[202, 200]),
        (CheckerNoisy, 5, &[3, 2]),
        // scikit-learn: n // 2 outer (class 0), the rest inner.
        (Circles, 201, &[100, 101]),
        (Moons, 3, &[1, 2]),
        (Xor, 401, &[201, 200]),
        (Spirals, 2, &[1, 1]),
    ];
    for (name, n, counts) in expected {
        let data = build(&Config {
            n: Some(n),
            ..config(name)
        });
        assert_eq!(data.class_counts(), counts, "{name:?}");
    }
    let big = build(&Config {
        n: Some(limits::MAX_POINTS),
        ..config(Gaussian)
    });
    assert_eq!(big.len(), limits::MAX_POINTS);
}

#[test]
fn same_seed_gives_the_same_bits_and_another_seed_other_data() {
    for name in SYNTHETIC
        .into_iter()
        .chain([DatasetName::Iris, DatasetName::Digits])
    {
        // File data only depends on the seed through the subsample that `n` takes; spirals are
        // random only through their noise, which is 0 by default.
        let n = data::default_n(name)
            .filter(|_| Recipe::of(name).is_none())
            .map(|n| n / 2);
        let noise = (name == DatasetName::Spirals).then_some(0.1);
        let make = |seed| {
            build(&Config {
                seed,
                n,
                noise,
                ..config(name)
            })
        };
        let (a, b, c) = (make(7), make(7), make(8));
        assert!(
            bits(&a) == bits(&b) && a.y == b.y,
            "{name:?}: same seed, other data"
        );
        let fixed = name == DatasetName::Line1d;
        assert_eq!(
            bits(&a) == bits(&c),
            fixed,
            "{name:?}: other seed, same data"
        );
    }
    let spirals = |seed| {
        build(&Config {
            seed,
            ..config(DatasetName::Spirals)
        })
    };
    assert!(
        bits(&spirals(7)) == bits(&spirals(8)),
        "noise-free spirals are fixed"
    );
}

/// Each blob dataset, drawn with 1000 points a blob: every blob's points have its mean and std
/// (times the noise multiplier). The sample mean of m points has std σ/√m and the sample std about
/// σ/√(2m), so 5 of those is a tolerance that a correct generator misses with odds of ~1e-6.
#[test]
fn blob_datasets_have_their_means_and_stds() {
    use DatasetName::*;
    for name in [Gaussian, Hierarchical, Checker, CheckerNoisy] {
        let Some(Recipe::Blobs { blobs, .. }) = Recipe::of(name) else {
            panic!("{name:?} is blobs")
        };
        let m = 1000;
        for noise in [1.0, 2.0] {
            let data = build(&Config {
                n: Some(m * blobs.len()),
                noise: Some(noise),
                ..config(name)
            });
            // A point's blob: the nearest mean among its class's blobs (same-class blobs are far apart).
            let blob_of = |i: usize| {
                let p = data.row(i);
                let dist = |k: usize| {
                    (p[0] - blobs[k].mean[0]).powi(2) + (p[1] - blobs[k].mean[1]).powi(2)
                };
                (0..blobs.len())
                    .filter(|&k| blobs[k].class == data.y[i])
                    .min_by(|&a, &b| dist(a).total_cmp(&dist(b)))
                    .unwrap()
            };
            for (k, blob) in blobs.iter().enumerate() {
                assert_eq!(
                    (0..data.len()).filter(|&i| blob_of(i) == k).count(),
                    m,
                    "{name:?} blob {k}"
                );
                for j in 0..2 {
                    let (mean, std) = moments(&data, j, |i| blob_of(i) == k);
                    let sigma = noise * blob.std[j];
                    let at =
                        format!("{name:?} noise {noise} blob {k} axis {j}: mean {mean}, std {std}");
                    assert!(
                        (mean - blob.mean[j]).abs() < 5.0 * sigma / (m as f64).sqrt(),
                        "{at}"
                    );
                    assert!(
                        (std - sigma).abs() < 5.0 * sigma / (2.0 * m as f64).sqrt(),
                        "{at}"
                    );
                }
            }
        }
    }
    let still = build(&Config {
        noise: Some(0.0),
        ..config(Gaussian)
    });
    assert_eq!(still.row(0), [2.0, -1.0]);
    assert_eq!(still.row(299), [0.0, 2.0]);
}

/// `data` minus the noise-free points `clean` (in order): every residual, all coordinates.
fn residuals(data: &Dataset, clean: &[[f64; 2]]) -> Vec<f64> {
    assert_eq!(data.len(), clean.len());
    (0..data.len())
        .flat_map(|i| [data.row(i)[0] - clean[i][0], data.row(i)[1] - clean[i][1]])
        .collect()
}

fn assert_gaussian_noise(residuals: &[f64], sigma: f64, what: &str) {
    let n = residuals.len() as f64;
    let mean = residuals.iter().sum::<f64>() / n;
    let std = (residuals
        .iter()
        .map(|r| (r - mean) * (r - mean))
        .sum::<f64>()
        / n)
        .sqrt();
    assert!(mean.abs() < 5.0 * sigma / n.sqrt(), "{what}: mean {mean}");
    assert!(
        (std - sigma).abs() < 5.0 * sigma / (2.0 * n).sqrt(),
        "{what}: std {std}"
    );
}

#[test]
fn circles_follow_make_circles() {
    // n = 2000: 1000 outer points at angles 2πi/1000 (radius 1), 1000 inner ones (radius 0.5).
    let clean: Vec<[f64; 2]> = [1.0, 0.5]
        .iter()
        .flat_map(|&r| {
            (0..1000)
                .map(move |i| 2.0 * PI * i as f64 / 1000.0)
                .map(move |t| [r * t.cos(), r * t.sin()])
        })
        .collect();
    let exact = build(&Config {
        n: Some(2000),
        noise: Some(0.0),
        ..config(DatasetName::Circles)
    });
    assert!(residuals(&exact, &clean).iter().all(|r| r.abs() < 1e-12));
    assert_eq!(exact.row(0), [1.0, 0.0]);
    assert_eq!(exact.row(1000), [0.5, 0.0]);
    assert!(exact.y[..1000].iter().all(|&c| c == 0) && exact.y[1000..].iter().all(|&c| c == 1));

    let noisy = build(&Config {
        n: Some(2000),
        ..config(DatasetName::Circles)
    });
    assert_eq!(noisy.y, exact.y);
    assert_gaussian_noise(
        &residuals(&noisy, &clean),
        0.1,
        "circles, default noise 0.1",
    );
}

#[test]
fn moons_follow_make_moons() {
    // 1000 outer points (cos t, sin t) and 1000 inner (1 − cos t, 0.5 − sin t), t = πi/999.
    let t = |i: usize| PI * i as f64 / 999.0;
    let clean: Vec<[f64; 2]> = (0..1000)
        .map(|i| [t(i).cos(), t(i).sin()])
        .chain((0..1000).map(|i| [1.0 - t(i).cos(), 1.0 - t(i).sin() - 0.5]))
        .collect();
    let exact = build(&Config {
        n: Some(2000),
        noise: Some(0.0),
        ..config(DatasetName::Moons)
    });
    assert!(residuals(&exact, &clean).iter().all(|r| r.abs() < 1e-12));
    assert_eq!(exact.row(0), [1.0, 0.0]);
    assert_eq!(exact.row(1000), [0.0, 0.5]);
    assert_eq!(exact.row(1999)[0], 2.0);

    let noisy = build(&Config {
        n: Some(2000),
        ..config(DatasetName::Moons)
    });
    assert_gaussian_noise(&residuals(&noisy, &clean), 0.1, "moons, default noise 0.1");

    let single = build(&Config {
        n: Some(2),
        noise: Some(0.0),
        ..config(DatasetName::Moons)
    });
    assert_eq!(single.x, [1.0, 0.0, 0.0, 0.5]);
}

#[test]
fn xor_labels_the_quadrants_and_noise_only_flips_labels() {
    let clean = build(&config(DatasetName::Xor));
    assert_eq!(data::default_noise(DatasetName::Xor), Some(0.0));
    for i in 0..clean.len() {
        let [x, y] = [clean.row(i)[0], clean.row(i)[1]];
        assert!(
            (0.3..5.3).contains(&x.abs()) && (0.3..5.3).contains(&y.abs()),
            "{x}, {y}"
        );
        assert_eq!(clean.y[i], u32::from(x * y >= 0.0));
    }
    // All four quadrants are used.
    let quadrant = |i: usize| (clean.row(i)[0] > 0.0, clean.row(i)[1] > 0.0);
    let mut quadrants: Vec<_> = (0..clean.len()).map(quadrant).collect();
    quadrants.sort();
    quadrants.dedup();
    assert_eq!(quadrants.len(), 4);

    let noisy = build(&Config {
        noise: Some(0.3),
        ..config(DatasetName::Xor)
    });
    assert_eq!(
        bits(&noisy),
        bits(&clean),
        "the playground's noise keeps the points"
    );
    let flipped = (0..clean.len())
        .filter(|&i| noisy.y[i] != clean.y[i])
        .count();
    assert!((10..200).contains(&flipped), "{flipped} labels flipped");
}

#[test]
fn spirals_follow_the_playground() {
    let m = 200;
    let exact = build(&config(DatasetName::Spirals));
    for i in 0..2 * m {
        let (class, k) = (exact.y[i], i % m);
        assert_eq!(class, u32::from(i >= m), "class 0 first");
        let s = k as f64 / m as f64;
        let t = 1.75 * s * 2.0 * PI + if class == 1 { 0.0 } else { PI };
        let (x, y) = (5.0 * s * t.sin(), 5.0 * s * t.cos());
        assert!(
            (exact.row(i)[0] - x).abs() < 1e-12 && (exact.row(i)[1] - y).abs() < 1e-12,
            "point {i}"
        );
    }
    let noisy = build(&Config {
        noise: Some(0.3),
        ..config(DatasetName::Spirals)
    });
    let jitter: Vec<f64> = exact.x.iter().zip(&noisy.x).map(|(a, b)| b - a).collect();
    assert!(jitter.iter().all(|d| d.abs() <= 0.3 + 1e-12));
    // Uniform on [−0.3, 0.3]: std 0.3/√3.
    assert_gaussian_noise(&jitter, 0.3 / 3f64.sqrt(), "spirals jitter");
}

#[test]
fn line1d_is_the_papers_toy_and_ignores_n_and_noise() {
    let data = build(&config(DatasetName::Line1d));
    assert_eq!(data.x, [0.5, 1.0, 1.1, 1.3, 1.4, 1.45]);
    assert_eq!(data.y, [0, 1, 1, 1, 0, 0]);
    assert_eq!(
        (data.x.as_slice(), data.y.as_slice()),
        (&LINE1D_X[..], &LINE1D_Y[..])
    );
    let ignored = build(&Config {
        n: Some(3),
        noise: Some(5.0),
        seed: 9,
        ..config(DatasetName::Line1d)
    });
    assert_eq!(ignored, data);
    assert_eq!(data::default_noise(DatasetName::Line1d), None);

    let split = data::load(
        &Config {
            train: 1.0,
            ..config(DatasetName::Line1d)
        },
        None,
    )
    .unwrap();
    assert_eq!((split.train.len(), split.test.len()), (6, 0));
    assert_eq!(multiset(&[&split.train]), multiset(&[&data]));
}

#[test]
fn iris_and_digits_are_the_uci_files() {
    let iris = build(&config(DatasetName::Iris));
    assert_eq!(iris.row(0), [5.1, 3.5, 1.4, 0.2]);
    assert_eq!(iris.row(149), [5.9, 3.0, 5.1, 1.8]);
    assert_eq!((iris.y[0], iris.y[149]), (0, 2));
    let digits = build(&config(DatasetName::Digits));
    assert_eq!(
        &digits.row(0)[..8],
        [0.0, 0.0, 5.0, 13.0, 9.0, 1.0, 0.0, 0.0]
    );
    assert!(digits
        .x
        .iter()
        .all(|&v| (0.0..=16.0).contains(&v) && v.fract() == 0.0));
    assert_eq!(data::default_noise(DatasetName::Digits), None);
}

#[test]
fn n_caps_file_data_with_a_seeded_subsample() {
    let iris = build(&config(DatasetName::Iris));
    let capped = build(&Config {
        n: Some(30),
        noise: Some(3.0),
        ..config(DatasetName::Iris)
    });
    assert_eq!((capped.len(), capped.dim, capped.classes), (30, 4, 3));
    let all = multiset(&[&iris]);
    for point in multiset(&[&capped]) {
        assert!(
            all.binary_search(&point).is_ok(),
            "{point:?} is an iris row"
        );
    }
    let mut distinct = multiset(&[&capped]);
    distinct.dedup();
    assert!(
        distinct.len() >= 29,
        "no row drawn twice (iris has one duplicated row)"
    );
    let more = build(&Config {
        n: Some(1000),
        ..config(DatasetName::Iris)
    });
    assert_eq!(more, iris, "n above the file's size keeps it whole");
}

#[test]
fn classes_keep_and_relabel_in_the_given_order() {
    let digits = build(&config(DatasetName::Digits));
    let pick = |classes: &[u32], n: Option<usize>| {
        build(&Config {
            classes: labels(classes),
            n,
            ..config(DatasetName::Digits)
        })
    };
    let sub = pick(&[0, 1, 7], None);
    assert_eq!((sub.len(), sub.dim, sub.classes), (178 + 182 + 179, 64, 3));
    assert_eq!(sub.class_counts(), [178, 182, 179]);
    // Class 2 is exactly the sevens, in file order.
    let sevens: Vec<&[f64]> = (0..digits.len())
        .filter(|&i| digits.y[i] == 7)
        .map(|i| digits.row(i))
        .collect();
    let twos: Vec<&[f64]> = (0..sub.len())
        .filter(|&i| sub.y[i] == 2)
        .map(|i| sub.row(i))
        .collect();
    assert_eq!(twos, sevens);

    assert_eq!(pick(&[7, 0], None).class_counts(), [179, 178]);
    let capped = pick(&[0, 1, 7], Some(300));
    assert_eq!((capped.len(), capped.classes), (300, 3));

    // Synthetic data: classes=2,0 of gaussian keeps the blob at (0, 2) as class 0.
    let gaussian = build(&Config {
        classes: labels(&[2, 0]),
        noise: Some(0.0),
        ..config(DatasetName::Gaussian)
    });
    assert_eq!((gaussian.len(), gaussian.classes), (200, 2));
    assert_eq!(gaussian.class_counts(), [100, 100]);
    assert!((0..200).all(|i| gaussian.row(i)
        == if gaussian.y[i] == 0 {
            [0.0, 2.0]
        } else {
            [2.0, -1.0]
        }));
}

#[test]
fn bad_classes_and_n_are_errors_naming_them() {
    let gaussian = config(DatasetName::Gaussian);
    let classes = |c: &[u32]| {
        build_error(&Config {
            classes: labels(c),
            ..gaussian.clone()
        })
    };
    let e = classes(&[0, 5]);
    assert_eq!(
        e,
        DataError::MissingClass {
            label: 5.into(),
            available: vec![0.into(), 1.into(), 2.into()]
        }
    );
    assert_eq!(
        e.to_string(),
        "classes: no point has the label 5; the data's labels are 0, 1, 2"
    );
    assert_eq!(
        classes(&[1]).to_string(),
        "classes lists 1 label; expected at least 2"
    );
    assert_eq!(
        classes(&[]).to_string(),
        "classes lists 0 labels; expected at least 2"
    );
    assert_eq!(
        classes(&[1, 2, 1]).to_string(),
        "classes: the label 1 is listed twice"
    );

    let n = |name, n| {
        build_error(&Config {
            n: Some(n),
            ..config(name)
        })
        .to_string()
    };
    assert_eq!(
        n(DatasetName::Checker, 3),
        "n = 3 is too few for dataset checker; expected at least 4"
    );
    assert_eq!(
        n(DatasetName::Gaussian, 2),
        "n = 2 is too few for dataset gaussian; expected at least 3"
    );
    assert_eq!(
        n(DatasetName::Iris, 1),
        "n = 1 is too few for dataset iris; expected at least 2"
    );
    assert_eq!(
        n(DatasetName::Moons, 20001),
        "the data has 20001 points; expected at most 20000"
    );

    let csv = config(DatasetName::Csv);
    assert_eq!(
        data::load(&csv, None).unwrap_err().to_string(),
        "dataset=csv needs CSV data"
    );
}

#[test]
fn csv_data_uses_the_files_labels_for_classes() {
    let text = "a,label\n1,9\n2,3\n3,7\n4,9\n5,3\n";
    let csv = |classes: Option<Vec<u32>>| {
        data::build(
            &Config {
                classes: classes.as_deref().and_then(labels),
                ..config(DatasetName::Csv)
            },
            Some(text),
        )
    };
    let all = csv(None).unwrap();
    assert_eq!(
        (all.x.as_slice(), all.y.as_slice()),
        (&[1.0, 2.0, 3.0, 4.0, 5.0][..], &[2, 0, 1, 2, 0][..])
    );
    let picked = csv(Some(vec![9, 3])).unwrap();
    assert_eq!(
        (picked.x.as_slice(), picked.y.as_slice()),
        (&[1.0, 2.0, 4.0, 5.0][..], &[0, 1, 0, 1][..])
    );
    assert_eq!(
        csv(Some(vec![9, 2])).unwrap_err().to_string(),
        "classes: no point has the label 2; the data's labels are 3, 7, 9"
    );
    // The built-in data wins over a CSV passed along with another dataset.
    let iris = data::build(&config(DatasetName::Iris), Some(text)).unwrap();
    assert_eq!(iris.len(), 150);
}

#[test]
fn the_split_is_a_seeded_partition_of_the_points() {
    for (name, n, train, sizes) in [
        (DatasetName::Gaussian, 300, 0.5, (150, 150)),
        (DatasetName::Gaussian, 301, 0.7, (211, 90)), // round(210.7)
        (DatasetName::Moons, 200, 1.0, (200, 0)),
        (DatasetName::Circles, 10, 0.01, (1, 9)), // at least one training point
        (DatasetName::Digits, 1797, 0.8, (1438, 359)), // round(1437.6)
    ] {
        let c = Config {
            n: Some(n),
            train,
            seed: 3,
            ..config(name)
        };
        let split = data::load(&c, None).unwrap();
        let all = build(&c);
        assert_eq!(
            (split.train.len(), split.test.len()),
            sizes,
            "{name:?} n {n} train {train}"
        );
        for part in [&split.train, &split.test] {
            assert_eq!((part.dim, part.classes), (all.dim, all.classes));
            assert_eq!(part.x.len(), part.len() * part.dim);
        }
        assert_eq!(
            multiset(&[&split.train, &split.test]),
            multiset(&[&all]),
            "train ∪ test = all points"
        );
    }

    let c = config(DatasetName::Gaussian);
    let split = |seed| data::load(&Config { seed, ..c.clone() }, None).unwrap();
    assert_eq!(split(4), split(4));
    assert_ne!(bits(&split(4).train), bits(&split(5).train));
    // Shuffled order: the data comes grouped by class, the training split does not.
    let train = split(4).train;
    assert!(train.y.windows(2).filter(|w| w[0] != w[1]).count() > 50);
    // The split depends on the seed only: the same data split by `data::split` directly.
    assert_eq!(data::split(&build(&c), c.train, c.seed), split(0));
}

fn assert_standardized(train: &Dataset, what: &str) {
    for j in 0..train.dim {
        let (mean, std) = moments(train, j, |_| true);
        assert!(
            mean.abs() < 1e-12 && (std - 1.0).abs() < 1e-12,
            "{what} feature {j}: mean {mean}, std {std}"
        );
    }
}

#[test]
fn standardization_uses_the_training_statistics_for_both_splits() {
    for name in [
        DatasetName::Gaussian,
        DatasetName::Iris,
        DatasetName::Spirals,
    ] {
        let raw = data::load(&config(name), None).unwrap();
        let z = data::load(
            &Config {
                standardize: true,
                ..config(name)
            },
            None,
        )
        .unwrap();
        assert_standardized(&z.train, &format!("{name:?}"));
        assert!(!z.test.is_empty());
        for j in 0..raw.train.dim {
            let (mean, std) = moments(&raw.train, j, |_| true);
            for i in 0..raw.test.len() {
                let expected = (raw.test.row(i)[j] - mean) / std;
                assert!(
                    (z.test.row(i)[j] - expected).abs() < 1e-12,
                    "{name:?} test point {i}"
                );
            }
        }
        assert_eq!(
            (z.train.y.as_slice(), z.test.y.as_slice()),
            (raw.train.y.as_slice(), raw.test.y.as_slice())
        );
    }

    // Digits: the pixels that are blank on every training image stay exactly 0; the rest standardize.
    let z = data::load(
        &Config {
            standardize: true,
            ..config(DatasetName::Digits)
        },
        None,
    )
    .unwrap();
    let raw = data::load(&config(DatasetName::Digits), None).unwrap();
    let blank: Vec<usize> = (0..64)
        .filter(|&j| (0..raw.train.len()).all(|i| raw.train.row(i)[j] == 0.0))
        .collect();
    assert!(blank.contains(&0), "pixel 0 is always blank");
    for j in 0..64 {
        let (mean, std) = moments(&z.train, j, |_| true);
        if blank.contains(&j) {
            assert!((0..z.train.len()).all(|i| z.train.row(i)[j] == 0.0));
            assert!(
                (0..z.test.len()).all(|i| z.test.row(i)[j] == raw.test.row(i)[j]),
                "centred on 0"
            );
        } else {
            assert!(
                mean.abs() < 1e-12 && (std - 1.0).abs() < 1e-12,
                "pixel {j}: {mean}, {std}"
            );
        }
    }

    // A constant feature whose mean is not exact in floating point (0.1 × 7) is centred exactly.
    let text = "c,v,label\n0.1,1,0\n0.1,2,1\n0.1,3,0\n0.1,4,1\n0.1,5,0\n0.1,6,1\n0.1,7,0\n";
    let c = Config {
        standardize: true,
        train: 1.0,
        ..config(DatasetName::Csv)
    };
    let z = data::load(&c, Some(text)).unwrap();
    assert!((0..7).all(|i| z.train.row(i)[0] == 0.0));
    assert_standardized(
        &Dataset {
            dim: 1,
            x: z.train.x.iter().skip(1).step_by(2).copied().collect(),
            ..z.train.clone()
        },
        "csv",
    );
}
