//! Old links keep their numbers on file data: every CSV that loaded before the `csv` crate parser
//! gives the same run.json bytes (pinned by length and FNV-1a hash, taken with the hand-written
//! splitter), and a file loads the same through every route the page and the CLI offer.

use hessian_boundary::run_query;

/// FNV-1a, 64 bits: enough to pin bytes without a hashing dependency.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Small runs (a few milliseconds each) over the bundled and fixture CSVs, in the forms the old
/// splitter accepted: header or not, CRLF, blank lines, a BOM, padded cells, labels remapped.
fn pinned_cases() -> Vec<(&'static str, String, Option<String>)> {
    let gauss = fixture("authors/gauss_train.csv");
    let headerless: String = gauss.lines().skip(1).map(|l| format!("{l}\n")).collect();
    let messy = format!(
        "\u{feff}\r\n x1 , x2 ,label\r\n\r\n{}",
        gauss
            .lines()
            .skip(1)
            .map(|l| {
                let cells: Vec<&str> = l.split(',').collect();
                let label = ["3", "7.0", "9"][cells[2].parse::<usize>().unwrap()];
                format!(" {} ,{},{label} \r\n\r\n", cells[0], cells[1])
            })
            .collect::<String>()
    );
    let small = "layers=8&epochs=20&k=2&grid=16";
    vec![
        ("iris", format!("v=2&dataset=iris&{small}"), None),
        (
            "iris-v1",
            format!("v=1&dataset=iris&classes=2,0&{small}"),
            None,
        ),
        (
            "digits",
            "dataset=digits&classes=0,1,7&layers=8&epochs=3&k=2&grid=8".to_string(),
            None,
        ),
        ("gauss-csv", format!("dataset=csv&{small}"), Some(gauss)),
        (
            "headerless",
            format!("dataset=csv&standardize=1&{small}"),
            Some(headerless),
        ),
        (
            "messy",
            format!("dataset=csv&classes=9,3&{small}"),
            Some(messy),
        ),
    ]
}

/// Taken with the hand-written splitter on main once run.json had the perturbation and the checks.
const PINS: [(&str, usize, u64); 6] = [
    ("iris", 52916, 3673485292449781358),
    ("iris-v1", 49660, 7422756080844411423),
    ("digits", 237602, 10943567043249904589),
    ("gauss-csv", 55721, 2994884832582161720),
    ("headerless", 55652, 4605708169885616924),
    ("messy", 51503, 14787804976694784853),
];

#[test]
fn csv_runs_keep_their_bytes() {
    let mut got = Vec::new();
    for (name, query, csv) in pinned_cases() {
        let json = run_query(&query, csv.as_deref()).unwrap_or_else(|e| panic!("{name}: {e}"));
        got.push((name, json.len(), fnv1a(json.as_bytes())));
    }
    let pins: Vec<(&str, usize, u64)> = PINS.to_vec();
    assert_eq!(got, pins, "pinned run.json bytes changed");
}

/// The authors' gaussian training points (75 rows, 3 classes) in each of the file kinds people
/// export: the same points, so the same run.json; with class names, the same numbers and the names.
#[test]
fn every_file_kind_gives_the_same_run() {
    let gauss = fixture("authors/gauss_train.csv");
    let rows: Vec<Vec<&str>> = gauss
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    let write = |header: &str, row: &dyn Fn(&[&str]) -> String| {
        std::iter::once(header.to_string())
            .chain(rows.iter().map(|r| row(r)))
            .map(|l| l + "\n")
            .collect::<String>()
    };
    let quoted = write("\"x1\",\"x2\",\"label\"", &|r| {
        format!("\"{}\",\"{}\",\"{}\"", r[0], r[1], r[2])
    });
    let european = write("x1;x2;label", &|r| {
        format!(
            "{};{};{}",
            r[0].replace('.', ","),
            r[1].replace('.', ","),
            r[2]
        )
    });
    let tabs = write("x1\tx2\tlabel", &|r| r.join("\t"));
    let names = ["setosa", "versicolor", "virginica"];
    let named = write("x1,x2,species", &|r| {
        format!(
            "{},{},{}",
            r[0],
            r[1],
            names[r[2].parse::<usize>().unwrap()]
        )
    });
    let label_first = write("label,x1,x2", &|r| format!("{},{},{}", r[2], r[0], r[1]));

    let query = "dataset=csv&layers=8&epochs=20&k=2&grid=16";
    let reference = run_query(query, Some(&gauss)).unwrap();
    for (kind, text) in [
        ("quoted", &quoted),
        ("semicolon", &european),
        ("tab", &tabs),
    ] {
        assert_eq!(run_query(query, Some(text)).unwrap(), reference, "{kind}");
    }
    // The query in run.json says where the label was; the rest is the same.
    for (value, json) in [("1", "1"), ("label", "\"label\"")] {
        let run = run_query(&format!("{query}&label-column={value}"), Some(&label_first)).unwrap();
        let run = run
            .replace(&format!("&label-column={value}"), "")
            .replace(&format!(",\"label_column\":{json}"), "");
        assert_eq!(run, reference, "label-column={value}");
    }
    let with_names = run_query(query, Some(&named)).unwrap();
    assert!(
        with_names.contains(r#""classes":3,"class_names":["setosa","versicolor","virginica"],"#)
    );
    assert_eq!(
        with_names.replace(r#""class_names":["setosa","versicolor","virginica"],"#, ""),
        reference
    );
    // classes= takes the names, in its own order.
    let picked = run_query(&format!("{query}&classes=virginica,setosa"), Some(&named)).unwrap();
    assert!(picked.contains(r#""classes":2,"class_names":["virginica","setosa"],"#));
    assert!(picked.contains(r#""classes":["virginica","setosa"]"#));
}

/// What "Download data (CSV)" writes reads back to the same points and classes, and the data a
/// link carries gives the same run.json as the file.
#[test]
fn the_exported_csv_and_the_link_give_the_same_data() {
    use hessian_boundary::config::Config;
    use hessian_boundary::data::{link, parse_csv};
    let named = "x,species\n0.5,\"a, b\"\n1.5,c\n-2,\"a, b\"\n3.25e-3,c\n7,d\n";
    let config = Config::parse("dataset=csv&layers=4&epochs=5&k=2&grid=8&train=0.6").unwrap();
    let run = hessian_boundary::run(&config, Some(named)).unwrap();
    let exported = run.data_csv();
    assert!(exported.starts_with("x1,label\n"), "{exported}");
    assert!(exported.contains("\"a, b\"\n"), "{exported}");
    let back = parse_csv(&exported).unwrap();
    assert_eq!(back.class_names().unwrap(), ["a, b", "c", "d"]);
    let (train, test) = (&run.split.train, &run.split.test);
    let x: Vec<f64> = train.x.iter().chain(&test.x).copied().collect();
    let y: Vec<u32> = train.y.iter().chain(&test.y).copied().collect();
    assert_eq!((back.data.x, back.data.y), (x, y));

    let payload = link::encode(named).unwrap();
    let from_link = link::decode(&payload).unwrap();
    assert_eq!(
        run_query(&config.to_query(), Some(&from_link)).unwrap(),
        run.to_json()
    );
}
