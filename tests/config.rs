//! The config's query form: canonical encoding, round trips, errors, limits and fuzzing.

use hessian_boundary::config::*;
use proptest::prelude::*;

/// `classes` of numeric labels.
fn labels(l: &[u32]) -> Option<Vec<ClassLabel>> {
    Some(l.iter().map(|&l| l.into()).collect())
}

fn errors(query: &str) -> Vec<FieldError> {
    Config::parse(query).expect_err(query).errors
}

/// The single error of `query`.
fn error(query: &str) -> FieldError {
    let mut errors = errors(query);
    assert_eq!(errors.len(), 1, "{query}: {errors:?}");
    errors.remove(0)
}

fn keys(errors: &[FieldError]) -> Vec<&str> {
    errors.iter().map(|e| e.key.as_str()).collect()
}

// ---------------------------------------------------------------------------------------------
// Canonical form

#[test]
fn defaults_encode_to_the_version_alone() {
    assert_eq!(Config::default().to_query(), "v=2");
    for q in ["", "v=2", "?", "?v=2", "&&", "v=2&", " v = 2 "] {
        assert_eq!(Config::parse(q), Ok(Config::default()), "{q:?}");
    }
}

#[test]
fn a_links_version_decides_its_defaults() {
    // v=1 predates the authors' draws: its synthetic data is seeded, so an old link keeps its numbers.
    let old = Config::parse("v=1&dataset=moons").unwrap();
    assert_eq!(old.draw, Some(Draw::Seeded));
    assert_eq!(old.draw(), Draw::Seeded);
    // and its margin method, ε and G's eigenvectors are schema v1's.
    assert_eq!(
        old.to_query(),
        "v=2&dataset=moons&draw=seeded&epsilon=sampled&g-over=solver&margin=search"
    );
    assert_eq!(Config::parse(&old.to_query()), Ok(old));
    assert_eq!(Config::parse("v=1"), Ok(Config::defaults(1)));
    // v=2 (and a query without v): the authors' draw where their code defines the dataset and
    // n, noise and train are left alone; seeded otherwise.
    let new = Config::parse("dataset=moons").unwrap();
    assert_eq!((new.draw, new.draw()), (None, Draw::Paper));
    assert_eq!(
        Config::parse("dataset=moons&n=300").unwrap().draw(),
        Draw::Seeded
    );
    assert_eq!(Config::parse("dataset=iris").unwrap().draw(), Draw::Seeded);
    assert_eq!(
        Config::parse("dataset=moons&draw=seeded").unwrap().draw(),
        Draw::Seeded
    );
}

#[test]
fn draw_paper_names_the_keys_it_contradicts() {
    let e = error("dataset=iris&draw=paper");
    assert_eq!((e.key.as_str(), e.value.as_str()), ("draw", "paper"));
    assert_eq!(
        e.message,
        "draw=paper needs a dataset the authors' code defines (gaussian, hierarchical, circles, moons, checker, checker-noisy, line1d), not iris: use draw=seeded"
    );
    let errs = errors("draw=paper&n=500&train=0.8&noise=0.2&classes=0,1");
    assert_eq!(keys(&errs), ["n", "noise", "train", "classes"]);
    assert_eq!(
        errs[0].message,
        "\"500\": the authors' draw (draw=paper) has its own points, split and classes; n applies to draw=seeded"
    );
    // A share link still opens: the contradicting key is dropped, the rest applies.
    let (config, errs) = Config::parse_lenient("draw=paper&n=500&lr=0.1");
    assert_eq!(keys(&errs), ["n"]);
    assert_eq!(
        (config.draw, config.n, config.lr),
        (Some(Draw::Paper), None, 0.1)
    );
    let (config, errs) = Config::parse_lenient("dataset=xor&draw=paper");
    assert_eq!(keys(&errs), ["draw"]);
    assert_eq!((config.dataset, config.draw), (DatasetName::Xor, None));
    assert_eq!(
        Config {
            draw: Some(Draw::Paper),
            n: Some(10),
            ..Config::default()
        }
        .validate()
        .map_err(|e| e.errors[0].key.clone()),
        Err("n".to_string())
    );
}

#[test]
fn hand_written_queries_parse_and_encode_canonically() {
    let cases: Vec<(&str, Config, &str)> = vec![
        (
            "dataset=moons&layers=50,50&epochs=500",
            Config { dataset: DatasetName::Moons, layers: vec![50, 50], epochs: 500, ..Config::default() },
            "v=2&dataset=moons&layers=50,50&epochs=500",
        ),
        (
            "?lr=0.1&act=tanh&v=1&seed=42&standardize=true",
            Config { lr: 0.1, act: Activation::Tanh, seed: 42, standardize: true, ..Config::defaults(1) },
            "v=2&draw=seeded&seed=42&standardize=1&act=tanh&lr=0.1&epsilon=sampled&g-over=solver&margin=search",
        ),
        (
            "layers=&loss=mse&opt=adam&momentum=0.9&standardize=0",
            Config {
                layers: vec![],
                loss: LossKind::Mse,
                opt: Optimizer::Adam,
                momentum: 0.9,
                ..Config::default()
            },
            "v=2&layers=none&loss=mse&opt=adam&momentum=0.9",
        ),
        (
            "dataset=digits&classes=0,1,7&n=default&noise=0.25&train=0.8",
            Config {
                dataset: DatasetName::Digits,
                classes: labels(&[0, 1, 7]),
                noise: Some(0.25),
                train: 0.8,
                ..Config::default()
            },
            "v=2&dataset=digits&noise=0.25&train=0.8&classes=0,1,7",
        ),
        (
            // Percent-escapes, an empty pair, spaces around list entries, `none`.
            "dataset=checker%2Dnoisy&&layers=100%2C%2020&regime=large-norm&pre=50&n=1000",
            Config {
                dataset: DatasetName::CheckerNoisy,
                layers: vec![100, 20],
                regime: Regime::LargeNorm,
                pre: 50,
                n: Some(1000),
                ..Config::default()
            },
            "v=2&dataset=checker-noisy&n=1000&layers=100,20&regime=large-norm&pre=50",
        ),
        (
            // Floats: shortest digits, exponent form below 1e-6.
            "lr=0.0000001&wd=5e-4&tol=1e-10&train=1&noise=0",
            Config { lr: 1e-7, wd: 5e-4, tol: 1e-10, train: 1.0, noise: Some(0.0), ..Config::default() },
            "v=2&noise=0&train=1&lr=1e-7&wd=0.0005&tol=1e-10",
        ),
        (
            "layers=none&act=linear&solver=dense&k=200&snap=5&batch=20000&seed=18446744073709551615",
            Config {
                layers: vec![],
                act: Activation::Linear,
                solver: Solver::Dense,
                k: 200,
                snap: 5,
                batch: 20000,
                seed: u64::MAX,
                ..Config::default()
            },
            "v=2&seed=18446744073709551615&layers=none&act=linear&batch=20000&snap=5&k=200&solver=dense",
        ),
    ];
    for (query, expected, canonical) in cases {
        let config = Config::parse(query).unwrap_or_else(|e| panic!("{query}: {e}"));
        assert_eq!(config, expected, "{query}");
        assert_eq!(config.to_query(), canonical, "{query}");
        assert_eq!(Config::parse(canonical), Ok(expected), "{canonical}");
    }
}

#[test]
fn every_key_in_one_query() {
    let query = "v=2&dataset=spirals&draw=seeded&seed=7&n=400&noise=0.3&train=0.7&classes=2,0&standardize=1\
                 &layers=32,16,8&act=gelu&loss=mse&opt=adam&lr=0.001&momentum=0.5&wd=0.01&batch=32\
                 &epochs=300&regime=adversarial&pre=100&snap=10&k=5&solver=power&operator=ggn&which=bottom&tol=1e-7\
                 &grad-label=true&align-value=squared&grid=64&measure=max&epsilon=sampled&g-over=solver&margin=paper&pretrain=checker-noisy";
    let expected = Config {
        dataset: DatasetName::Spirals,
        draw: Some(Draw::Seeded),
        seed: 7,
        n: Some(400),
        noise: Some(0.3),
        train: 0.7,
        classes: labels(&[2, 0]),
        standardize: true,
        layers: vec![32, 16, 8],
        act: Activation::Gelu,
        loss: LossKind::Mse,
        opt: Optimizer::Adam,
        lr: 0.001,
        momentum: 0.5,
        wd: 0.01,
        batch: 32,
        epochs: 300,
        regime: Regime::Adversarial,
        pre: 100,
        snap: 10,
        k: 5,
        solver: Solver::Power,
        operator: CurvatureOperator::Ggn,
        which: Which::Bottom,
        tol: 1e-7,
        grad_label: GradLabel::True,
        align_value: AlignValue::Squared,
        grid: 64,
        measure: Measure::Max,
        epsilon: Epsilon::Sampled,
        g_over: GOver::Solver,
        margin: MarginMethod::Paper,
        pretrain: Some(DatasetName::CheckerNoisy),
        label_column: None,
    };
    assert_eq!(Config::parse(query), Ok(expected.clone()));
    assert_eq!(expected.to_query(), query);
}

#[test]
fn negative_zero_round_trips_bit_for_bit() {
    let config = Config {
        momentum: -0.0,
        ..Config::default()
    };
    assert_eq!(config.to_query(), "v=2&momentum=-0");
    let back = Config::parse(&config.to_query()).unwrap();
    assert_eq!(back.momentum.to_bits(), (-0.0f64).to_bits());
}

#[test]
fn enum_names_match_serde() {
    fn check<T: Copy + std::fmt::Debug + PartialEq + serde::Serialize>(
        all: &[T],
        name: fn(T) -> &'static str,
        from: fn(&str) -> Option<T>,
    ) {
        for &v in all {
            assert_eq!(
                serde_json::to_string(&v).unwrap(),
                format!("\"{}\"", name(v))
            );
            assert_eq!(from(name(v)), Some(v));
        }
    }
    check(DatasetName::ALL, DatasetName::name, DatasetName::from_name);
    check(Activation::ALL, Activation::name, Activation::from_name);
    check(LossKind::ALL, LossKind::name, LossKind::from_name);
    check(Optimizer::ALL, Optimizer::name, Optimizer::from_name);
    check(Regime::ALL, Regime::name, Regime::from_name);
    check(Epsilon::ALL, Epsilon::name, Epsilon::from_name);
    check(GOver::ALL, GOver::name, GOver::from_name);
    check(Solver::ALL, Solver::name, Solver::from_name);
    check(
        CurvatureOperator::ALL,
        CurvatureOperator::name,
        CurvatureOperator::from_name,
    );
    check(Which::ALL, Which::name, Which::from_name);
    check(GradLabel::ALL, GradLabel::name, GradLabel::from_name);
    check(AlignValue::ALL, AlignValue::name, AlignValue::from_name);
    check(Measure::ALL, Measure::name, Measure::from_name);
    assert_eq!(DatasetName::ALL.len(), 12);
    assert_eq!(DatasetName::from_name("Moons"), None);
}

#[test]
fn module_docs_table_matches_the_key_specs() {
    let source = include_str!("../src/config/keys.rs");
    let rows = source.lines().filter(|l| l.starts_with("//! | `")).count();
    let specs = key_specs();
    assert_eq!(rows, specs.len());
    assert_eq!(specs.len(), 35);
    for s in &specs {
        let row = format!("//! | `{}` | `{}` | {} |", s.key, s.default, s.allowed);
        assert!(source.contains(&row), "module docs lack the row\n{row}");
    }
    assert_eq!(specs[0].key, "v");
    let lr = specs.iter().find(|s| s.key == "lr").unwrap();
    assert_eq!(
        (lr.default.as_str(), lr.allowed.as_str()),
        ("0.02", "a number in (0, 10]")
    );
}

// ---------------------------------------------------------------------------------------------
// Errors

#[test]
fn unknown_key() {
    let e = error("dataset=moons&fooo=1");
    assert_eq!((e.key.as_str(), e.value.as_str()), ("fooo", "1"));
    assert!(
        e.message.starts_with(
            "unknown key \"fooo\" (given \"1\"); expected one of v, dataset, draw, seed,"
        ),
        "{}",
        e.message
    );
    // Keys are case-sensitive: a typo never silently runs the default.
    assert_eq!(error("LR=0.1").key, "LR");
}

#[test]
fn bad_enum_values() {
    let e = error("act=swish");
    assert_eq!((e.key.as_str(), e.value.as_str()), ("act", "swish"));
    assert_eq!(
        e.message,
        "\"swish\" is not a known value; expected one of relu, tanh, sigmoid, gelu, linear"
    );
    let e = error("dataset=Moons");
    assert_eq!(
        e.message,
        "\"Moons\" is not a known value; expected one of gaussian, hierarchical, circles, moons, checker, \
         checker-noisy, line1d, xor, spirals, iris, digits, csv"
    );
    assert_eq!(error("regime=adv").message, "\"adv\" is not a known value; expected one of normal, random-labels, adversarial, large-norm");
    assert_eq!(
        error("standardize=yes").message,
        "\"yes\" is not a boolean; expected 1, 0, true or false"
    );
}

#[test]
fn bad_numbers() {
    let cases = [
        ("lr=NaN", "lr", "\"NaN\" is not a finite number; expected a number in (0, 10]"),
        ("lr=inf", "lr", "\"inf\" is not a finite number; expected a number in (0, 10]"),
        ("lr=1e400", "lr", "\"1e400\" is not a finite number; expected a number in (0, 10]"),
        ("lr=abc", "lr", "\"abc\" is not a number; expected a number in (0, 10]"),
        ("lr=", "lr", "\"\" is not a number; expected a number in (0, 10]"),
        ("lr=0", "lr", "\"0\" is out of range; expected a number in (0, 10]"),
        ("lr=10.5", "lr", "\"10.5\" is out of range; expected a number in (0, 10]"),
        ("momentum=1", "momentum", "\"1\" is out of range; expected a number in [0, 1)"),
        ("wd=-0.1", "wd", "\"-0.1\" is out of range; expected a number in [0, 1]"),
        ("train=0", "train", "\"0\" is out of range; expected a number in (0, 1]"),
        ("noise=11", "noise", "\"11\" is out of range; expected default, or a number in [0, 10]"),
        ("tol=0.5", "tol", "\"0.5\" is out of range; expected a number in (0, 0.1]"),
        ("k=0", "k", "\"0\" is out of range; expected a whole number in [1, 200]"),
        ("k=201", "k", "\"201\" is out of range; expected a whole number in [1, 200]"),
        ("k=1.5", "k", "\"1.5\" is not a whole number; expected a whole number in [1, 200]"),
        ("seed=-1", "seed", "\"-1\" is out of range; expected a whole number in [0, 18446744073709551615]"),
        ("seed=18446744073709551616", "seed", "\"18446744073709551616\" is out of range; expected a whole number in [0, 18446744073709551615]"),
        ("n=1", "n", "\"1\" is out of range; expected default, or a whole number in [2, 20000]"),
        ("batch=0", "batch", "\"0\" is out of range; expected a whole number in [1, 20000]"),
        ("epochs=1000001", "epochs", "\"1000001\" is out of range; expected a whole number in [0, 1000000]"),
        ("pre=1e3", "pre", "\"1e3\" is not a whole number; expected a whole number in [0, 1000000]"),
        ("snap=%2B5", "snap", "\"+5\" is not a whole number; expected a whole number in [0, 1000000]"),
    ];
    for (query, key, message) in cases {
        let e = error(query);
        assert_eq!(
            (e.key.as_str(), e.message.as_str()),
            (key, message),
            "{query}"
        );
        let given = query.split_once('=').unwrap().1.replace("%2B", "+");
        assert_eq!(e.value, given);
    }
}

#[test]
fn bad_lists() {
    let layers = "none (or empty) for a linear model, or up to 8 comma-separated widths, each a whole number in [1, 4096]";
    assert_eq!(
        error("layers=1,2,3,4,5,6,7,8,9").message,
        format!("\"1,2,3,4,5,6,7,8,9\" has 9 layers; expected {layers}")
    );
    assert_eq!(
        error("layers=100,0").message,
        format!("\"0\" in \"100,0\" is out of range; expected {layers}")
    );
    assert_eq!(
        error("layers=100,,100").message,
        format!("\"\" in \"100,,100\" is not a whole number; expected {layers}")
    );
    assert_eq!(
        error("layers=99999999").message,
        format!("\"99999999\" is out of range; expected {layers}")
    );
    assert_eq!(
        Config::parse("layers=1,2,3,4,5,6,7,8").unwrap().layers,
        [1, 2, 3, 4, 5, 6, 7, 8]
    );

    let classes = "default, or 2 to 100 distinct comma-separated labels, each a whole number in [0, 4294967295] or a class name";
    assert_eq!(
        error("classes=3").message,
        format!("\"3\" names 1 labels; expected {classes}")
    );
    assert_eq!(
        error("classes=1,2,1").message,
        format!("\"1,2,1\" repeats label 1; expected {classes}")
    );
    assert_eq!(
        error("classes=").message,
        format!("\"\" is not a whole number; expected {classes}")
    );
    assert_eq!(
        error("classes=1,,2").message,
        format!("\"\" in \"1,,2\" is not a whole number; expected {classes}")
    );
    assert_eq!(
        error("classes=-1,2").message,
        format!("\"-1\" in \"-1,2\" is out of range; expected {classes}")
    );
    // Entries that are not whole numbers are class names; names and numbers compare as text.
    let named = Config::parse("classes=virginica,%20setosa%20,2.5,7").unwrap();
    assert_eq!(
        named.classes.as_deref().unwrap(),
        [
            ClassLabel::Name("virginica".into()),
            ClassLabel::Name("setosa".into()),
            ClassLabel::Name("2.5".into()),
            ClassLabel::Number(7)
        ]
    );
    assert_eq!(named.to_query(), "v=2&classes=virginica,setosa,2.5,7");
    assert_eq!(
        error("classes=a%20b,a%20b").message,
        format!("\"a b,a b\" repeats label a b; expected {classes}")
    );
    assert_eq!(
        serde_json::to_string(&named.classes).unwrap(),
        r#"["virginica","setosa","2.5",7]"#
    );
    let many: Vec<String> = (0..101).map(|i| i.to_string()).collect();
    assert!(error(&format!("classes={}", many.join(",")))
        .message
        .contains("names 101 labels"));
    assert_eq!(
        Config::parse(&format!("classes={}", many[..100].join(",")))
            .unwrap()
            .classes
            .unwrap()
            .len(),
        100
    );
    assert_eq!(Config::parse("classes=default").unwrap().classes, None);
}

#[test]
fn label_column_is_last_a_number_or_a_name_and_only_for_csv() {
    let parse = |q: &str| Config::parse(q).map(|c| c.label_column);
    assert_eq!(parse("dataset=csv"), Ok(None));
    assert_eq!(parse("dataset=csv&label-column=last"), Ok(None));
    assert_eq!(
        parse("dataset=csv&label-column=1"),
        Ok(Some(LabelColumn::Number(1)))
    );
    assert_eq!(
        parse("dataset=csv&label-column=Species%20name"),
        Ok(Some(LabelColumn::Name("Species name".into())))
    );
    let c = Config::parse("dataset=csv&label-column=Species%20name").unwrap();
    assert_eq!(c.to_query(), "v=2&dataset=csv&label-column=Species%20name");
    let allowed =
        "last, a column's number (a whole number in [1, 1025]), or its name in the CSV's header";
    assert_eq!(
        error("dataset=csv&label-column=0").message,
        format!("\"0\" is out of range; expected {allowed}")
    );
    assert_eq!(
        error("dataset=csv&label-column=1026").message,
        format!("\"1026\" is out of range; expected {allowed}")
    );
    assert_eq!(
        error("dataset=csv&label-column=").message,
        format!("\"\" is not a whole number; expected {allowed}")
    );
    let e = error("dataset=iris&label-column=2");
    assert_eq!(
        (e.key.as_str(), e.message.as_str()),
        (
            "label-column",
            "\"2\": label-column applies to dataset=csv, not iris"
        )
    );
    // At its default it is neither in the query nor in run.json's config.
    let json = serde_json::to_string(&Config::default()).unwrap();
    assert!(!json.contains("label_column"), "{json}");
    assert!(serde_json::to_string(&c)
        .unwrap()
        .contains(r#""label_column":"Species name""#));
}

#[test]
fn duplicate_keys() {
    let e = error("lr=0.1&epochs=5&lr=0.2");
    assert_eq!((e.key.as_str(), e.value.as_str()), ("lr", "0.2"));
    assert_eq!(
        e.message,
        "\"lr\" is given 2 times (\"0.1\", \"0.2\"); expected each key at most once"
    );
    let (config, errs) = Config::parse_lenient("lr=0.1&epochs=5&lr=0.2");
    assert_eq!((config.lr, config.epochs, errs.len()), (0.02, 5, 1));
    assert!(error("v=1&v=1").message.contains("given 2 times"));
    assert!(error("k=1&k=2&k=3&k=4")
        .message
        .contains("4 times (\"1\", \"2\", \"3\", …)"));
}

#[test]
fn schema_version() {
    let e = error("v=3&dataset=moons");
    assert_eq!((e.key.as_str(), e.value.as_str()), ("v", "3"));
    assert_eq!(
        e.message,
        "\"3\" is not a supported schema version; expected 1 or 2"
    );
    assert_eq!(error("v=").key, "v");
}

#[test]
fn every_bad_key_is_reported_and_lenient_keeps_the_good_ones() {
    let query = "act=swish&lr=0&epochs=10&seed=-1&foo=bar&dataset=moons&k=x";
    assert_eq!(keys(&errors(query)), ["act", "lr", "seed", "foo", "k"]);
    let (config, errs) = Config::parse_lenient(query);
    assert_eq!(errs, errors(query));
    assert_eq!(
        config,
        Config {
            epochs: 10,
            dataset: DatasetName::Moons,
            ..Config::default()
        }
    );
    let text = Config::parse(query).unwrap_err().to_string();
    assert!(
        text.starts_with("act: \"swish\" is not a known value; expected one of relu,"),
        "{text}"
    );
    assert_eq!(text.matches("; expected").count(), 5);
}

#[test]
fn junk_keys_share_one_error_past_twenty() {
    let junk: Vec<String> = (0..30).map(|i| format!("junk{i}=1")).collect();
    let errs = errors(&format!("{}&lr=abc", junk.join("&")));
    assert_eq!(errs.len(), 22);
    assert_eq!(errs[19].key, "junk19");
    assert_eq!(errs[20].key, "lr");
    assert_eq!(errs[21].key, "junk20");
    assert!(
        errs[21]
            .message
            .starts_with("10 more unknown keys, from \"junk20\" on; expected one of v,"),
        "{}",
        errs[21].message
    );
}

#[test]
fn hostile_share_link() {
    let query = "dataset=<img src=x onerror=alert(1)>&lr=abc&layers=99999999";
    let errs = errors(query);
    assert_eq!(keys(&errs), ["dataset", "lr", "layers"]);
    assert_eq!(errs[0].value, "<img src=x onerror=alert(1)>");
    assert!(errs[0].message.starts_with(
        "\"<img src=x onerror=alert(1)>\" is not a known value; expected one of gaussian,"
    ));
    assert_eq!(Config::parse_lenient(query), (Config::default(), errs));
}

#[test]
fn long_and_unprintable_values_are_cut_and_cleaned() {
    let long = "a".repeat(1000);
    let e = error(&format!("dataset={long}"));
    assert_eq!(e.value, format!("{}…", "a".repeat(64)));
    assert!(e.message.len() < 400, "{}", e.message);
    let e = error(&format!("{long}=1"));
    assert_eq!(e.key.chars().count(), 65);

    // NUL, ESC, a right-to-left override, then an emoji.
    let e = error("dataset=%00%1B%E2%80%AE%F0%9F%98%80");
    assert_eq!(e.value, "\u{FFFD}\u{FFFD}\u{FFFD}😀");
    assert!(!e.message.chars().any(char::is_control));
    // Invalid UTF-8 becomes U+FFFD too.
    assert_eq!(error("act=%FF").value, "\u{FFFD}");
}

#[test]
fn validate_checks_configs_built_in_code() {
    assert_eq!(Config::default().validate(), Ok(()));
    let bad = Config {
        lr: f64::NAN,
        layers: vec![0],
        classes: labels(&[]),
        k: 0,
        momentum: 1.0,
        ..Config::default()
    };
    let errs = bad.validate().unwrap_err().errors;
    assert_eq!(keys(&errs), ["classes", "layers", "lr", "momentum", "k"]);
    assert_eq!(
        errs[2].message,
        "\"NaN\" is not a finite number; expected a number in (0, 10]"
    );
    assert_eq!(errs[1].value, "0");
    // An invalid config encodes to a query that `parse` refuses with the same errors.
    assert_eq!(Config::parse(&bad.to_query()).unwrap_err().errors, errs);
    assert!(Config {
        layers: vec![1; 9],
        ..Config::default()
    }
    .validate()
    .is_err());
    assert!(Config {
        classes: labels(&[4, 4]),
        ..Config::default()
    }
    .validate()
    .is_err());
    assert!(Config {
        n: Some(limits::MAX_POINTS + 1),
        ..Config::default()
    }
    .validate()
    .is_err());
    assert!(Config {
        noise: Some(f64::INFINITY),
        ..Config::default()
    }
    .validate()
    .is_err());
}

// ---------------------------------------------------------------------------------------------
// Limits that depend on the data

#[test]
fn parameter_counts() {
    assert_eq!(param_count(2, &[100, 100], 3), 10_703);
    assert_eq!(param_count(1, &[10], 2), 42);
    assert_eq!(param_count(4, &[50, 50], 3), 2_953);
    assert_eq!(param_count(2, &[], 3), 9);
    assert_eq!(param_count(2, &[4096, 4096], 3), 16_805_891);
    assert_eq!(param_count(usize::MAX, &[usize::MAX], 2), usize::MAX);
}

#[test]
fn check_size_of_the_default_and_of_huge_layers() {
    assert_eq!(Config::default().check_size(2, 3, 150), Ok(()));

    let huge = Config::parse("layers=4096,4096").unwrap();
    let errs = huge.check_size(2, 3, 150).unwrap_err().errors;
    assert_eq!(keys(&errs), ["layers"]);
    assert_eq!(errs[0].value, "4096,4096");
    assert!(
        errs[0].message.contains("p = 16805891"),
        "{}",
        errs[0].message
    );
    assert!(
        errs[0].message.contains("at most 300000"),
        "{}",
        errs[0].message
    );
}

#[test]
fn check_size_of_k_dimension_and_classes() {
    let linear = Config {
        layers: vec![],
        k: 20,
        ..Config::default()
    };
    let errs = linear.check_size(2, 3, 100).unwrap_err().errors;
    assert_eq!(keys(&errs), ["k"]);
    assert_eq!(
        errs[0].message,
        "k = 20 is more than the p = 9 parameters; expected at most 9"
    );
    assert_eq!(Config { k: 9, ..linear }.check_size(2, 3, 100), Ok(()));

    let errs = Config::default()
        .check_size(limits::MAX_DIM + 1, 1, 100)
        .unwrap_err()
        .errors;
    assert_eq!(keys(&errs), ["dataset", "dataset"]);
    assert_eq!(
        errs[0].message,
        "the data has 1025 features; expected 1 to 1024"
    );
    let picked = Config {
        classes: labels(&[3, 5]),
        ..Config::default()
    };
    assert_eq!(
        keys(&picked.check_size(2, 101, 100).unwrap_err().errors),
        ["classes"]
    );
    let sized = Config {
        n: Some(20_000),
        ..Config::default()
    };
    assert_eq!(
        keys(&sized.check_size(2, 3, 20_001).unwrap_err().errors),
        ["n"]
    );
}

#[test]
fn check_size_counts_the_pre_phase_only_where_it_runs() {
    // 100k epochs × 1000 points × 10,703 parameters ≈ 1.07e12: within the limit alone,
    // over it (2.14e12) when the 100k-epoch random-label phase runs first.
    let base = Config {
        epochs: 100_000,
        pre: 100_000,
        ..Config::default()
    };
    for regime in [Regime::Normal, Regime::RandomLabels] {
        assert_eq!(
            Config {
                regime,
                ..base.clone()
            }
            .check_size(2, 3, 1000),
            Ok(())
        );
    }
    for regime in [Regime::Adversarial, Regime::LargeNorm] {
        let errs = Config {
            regime,
            ..base.clone()
        }
        .check_size(2, 3, 1000)
        .unwrap_err()
        .errors;
        assert_eq!(keys(&errs), ["epochs"]);
        assert_eq!(errs[0].value, "100000");
        assert!(
            errs[0].message.contains(
                "((epochs + pre) × training points × p = (100000 + 100000) × 1000 × 10703)"
            ),
            "{}",
            errs[0].message
        );
        assert!(errs[0].message.contains("2e12"), "{}", errs[0].message);
    }
}

// ---------------------------------------------------------------------------------------------
// Round trip of random valid configs

/// Floats in a range given by the bit patterns of its ends (positive floats order like their
/// bits, so this hits every binade, subnormals included), mixed with uniform draws and specials.
fn float_between(
    lo: f64,
    hi: f64,
    lo_open: bool,
    hi_open: bool,
    specials: &[f64],
) -> BoxedStrategy<f64> {
    let lo_bits = lo.to_bits() + u64::from(lo_open);
    let hi_bits = hi.to_bits() - u64::from(hi_open);
    let specials: Vec<f64> = specials.to_vec();
    prop_oneof![
        (lo_bits..=hi_bits).prop_map(f64::from_bits),
        (lo..=hi).prop_filter("open end", move |&x| (!lo_open || x > lo)
            && (!hi_open || x < hi)),
        proptest::sample::select(specials),
    ]
    .boxed()
}

fn valid_config() -> impl Strategy<Value = Config> {
    let common = [0.1, 1e-7, 0.2, 0.3, 1e-3, 5e-324, f64::MIN_POSITIVE];
    let with = |extra: &[f64]| [&common[..], extra].concat();
    let data = (
        proptest::sample::select(DatasetName::ALL),
        any::<u64>(),
        proptest::option::of(2..=limits::MAX_POINTS),
        proptest::option::of(float_between(
            0.0,
            10.0,
            false,
            false,
            &with(&[0.0, -0.0, 10.0, 9.999]),
        )),
        float_between(0.0, 1.0, true, false, &with(&[1.0, 0.5, 0.8])),
        proptest::option::of(
            proptest::collection::vec(prop_oneof![0u32..12, any::<u32>()], 2..=limits::MAX_CLASSES)
                .prop_map(|mut v| {
                    let mut seen = std::collections::HashSet::new();
                    v.retain(|x| seen.insert(*x));
                    v.into_iter().map(ClassLabel::Number).collect::<Vec<_>>()
                })
                .prop_filter("two labels", |v| v.len() >= 2),
        ),
        any::<bool>(),
        proptest::collection::vec(
            prop_oneof![1..=16usize, 1..=limits::MAX_WIDTH],
            0..=limits::MAX_HIDDEN_LAYERS,
        ),
    );
    let training = (
        proptest::sample::select(Activation::ALL),
        proptest::sample::select(LossKind::ALL),
        proptest::sample::select(Optimizer::ALL),
        float_between(0.0, 10.0, true, false, &with(&[10.0, 0.02, 0.05])),
        float_between(
            0.0,
            1.0,
            false,
            true,
            &with(&[0.0, -0.0, 0.9, 0.99, f64::from_bits(1.0f64.to_bits() - 1)]),
        ),
        float_between(0.0, 1.0, false, false, &with(&[0.0, -0.0, 1.0, 5e-4])),
        prop_oneof![1..=256usize, 1..=limits::MAX_POINTS],
        prop_oneof![0..=5000usize, 0..=limits::MAX_EPOCHS],
        proptest::sample::select(Regime::ALL),
        prop_oneof![0..=5000usize, 0..=limits::MAX_EPOCHS],
        prop_oneof![0..=100usize, 0..=limits::MAX_EPOCHS],
    );
    let spectrum = (
        1..=limits::MAX_K,
        proptest::sample::select(Solver::ALL),
        float_between(0.0, 0.1, true, false, &[1e-8, 1e-12, 0.1, 1e-3, 5e-324]),
        proptest::sample::select(CurvatureOperator::ALL),
        proptest::sample::select(Which::ALL),
    );
    let draw = (
        proptest::option::of(proptest::sample::select(Draw::ALL)),
        proptest::sample::select(MarginMethod::ALL),
        proptest::sample::select(Epsilon::ALL),
        proptest::sample::select(GOver::ALL),
    );
    let analysis = (
        proptest::sample::select(GradLabel::ALL),
        proptest::sample::select(AlignValue::ALL),
        8..=512usize,
        proptest::sample::select(Measure::ALL),
        proptest::option::of(
            proptest::sample::select(DatasetName::ALL)
                .prop_filter("not csv", |d| *d != DatasetName::Csv),
        ),
    );
    (data, training, spectrum, analysis, draw)
        .prop_map(
            |(
                (dataset, seed, n, noise, train, classes, standardize, layers),
                (act, loss, opt, lr, momentum, wd, batch, epochs, regime, pre, snap),
                (k, solver, tol, operator, which),
                (grad_label, align_value, grid, measure, pretrain),
                (draw, margin, epsilon, g_over),
            )| Config {
                dataset,
                seed,
                n,
                noise,
                train,
                classes,
                standardize,
                layers,
                act,
                loss,
                opt,
                lr,
                momentum,
                wd,
                batch,
                epochs,
                regime,
                pre,
                snap,
                k,
                solver,
                operator,
                which,
                tol,
                grad_label,
                align_value,
                grid,
                measure,
                epsilon,
                g_over,
                pretrain,
                draw,
                margin,
                label_column: None,
            },
        )
        .prop_filter("draw=paper only where it applies", |c| c.validate().is_ok())
}

/// Every float of a config, by bits, so -0 vs 0 and the last ulp count.
fn float_bits(c: &Config) -> [Option<u64>; 6] {
    let b = |x: f64| Some(x.to_bits());
    [
        c.noise.map(f64::to_bits),
        b(c.train),
        b(c.lr),
        b(c.momentum),
        b(c.wd),
        b(c.tol),
    ]
}

fn url_safe(query: &str) -> bool {
    query
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._~,%=&".contains(&b))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 5_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn valid_configs_round_trip(config in valid_config()) {
        prop_assert_eq!(config.validate(), Ok(()));
        let query = config.to_query();
        prop_assert!(query.starts_with("v=2"));
        prop_assert!(url_safe(&query), "{}", query);
        let back = Config::parse(&query);
        prop_assert_eq!(back.as_ref(), Ok(&config), "{}", query);
        let back = back.unwrap();
        prop_assert_eq!(float_bits(&back), float_bits(&config), "{}", query);
        prop_assert_eq!(back.to_query(), query);
    }
}

// ---------------------------------------------------------------------------------------------
// Fuzz: arbitrary strings never panic, errors are always explained

fn check_any_query(query: &str) -> Result<(), TestCaseError> {
    let (lenient, lenient_errors) = Config::parse_lenient(query);
    prop_assert_eq!(lenient.validate(), Ok(()));
    match Config::parse(query) {
        Ok(config) => {
            prop_assert!(lenient_errors.is_empty());
            prop_assert_eq!(&config, &lenient);
            prop_assert_eq!(Config::parse(&config.to_query()), Ok(config));
        }
        Err(e) => {
            prop_assert!(!e.errors.is_empty());
            prop_assert_eq!(&e.errors, &lenient_errors);
            for f in &e.errors {
                prop_assert!(!f.message.is_empty());
                prop_assert!(
                    f.key.chars().count() <= 65 && f.value.chars().count() <= 65,
                    "{:?}",
                    f
                );
                let text = format!("{}{}{}", f.key, f.value, f.message);
                prop_assert!(!text.chars().any(char::is_control), "{:?}", f);
            }
        }
    }
    Ok(())
}

const KEY_WORDS: &str = "v|dataset|seed|n|noise|train|classes|standardize|layers|act|loss|opt|lr|momentum|wd|batch|epochs|regime|pre|snap|k|solver|tol|x|LR";
const VALUE_WORDS: &str = "default|none|moons|checker-noisy|relu|adam|large-norm|dense|true|0|1|2|0.5|1e-7|NaN|inf|-0|100,100|0,1,7|4096,4096";

fn any_query() -> impl Strategy<Value = String> {
    let pair = format!("(({KEY_WORDS})(=(({VALUE_WORDS})|[0-9.e,+%-]{{0,6}}))?)");
    prop_oneof![
        // Broad alphabet: separators, escapes, HTML, controls, bidi overrides, non-ASCII.
        proptest::string::string_regex(
            "[a-z0-9=&%,.+?#<>\"' _~;\\-\\\\A-F\u{0}\u{1b}\u{7f}\u{202e}é€😀]{0,80}"
        )
        .unwrap(),
        // Plausible queries built from the real keys and values.
        proptest::string::string_regex(&format!("\\??({pair}&){{0,6}}{pair}?")).unwrap(),
        // Raw bytes, through lossy UTF-8.
        proptest::collection::vec(any::<u8>(), 0..120)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        // Percent-encoded arbitrary bytes as the value of a real key.
        (
            proptest::sample::select(vec!["dataset", "lr", "layers", "classes", "n", "v", "zz"]),
            proptest::collection::vec(any::<u8>(), 0..40)
        )
            .prop_map(|(k, b)| format!(
                "{k}={}",
                form_urlencoded::byte_serialize(&b).collect::<String>()
            )),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 20_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_queries_never_panic(query in any_query()) {
        check_any_query(&query)?;
    }
}
