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
        ("iris-v1", format!("v=1&dataset=iris&classes=2,0&{small}"), None),
        (
            "digits",
            "dataset=digits&classes=0,1,7&layers=8&epochs=3&k=2&grid=8".to_string(),
            None,
        ),
        ("gauss-csv", format!("dataset=csv&{small}"), Some(gauss)),
        ("headerless", format!("dataset=csv&standardize=1&{small}"), Some(headerless)),
        ("messy", format!("dataset=csv&classes=9,3&{small}"), Some(messy)),
    ]
}

const PINS: [(&str, usize, u64); 6] = [
    ("iris", 39495, 6720888700303647973),
    ("iris-v1", 36255, 15028174494486660766),
    ("digits", 224108, 12349072985844601568),
    ("gauss-csv", 42335, 15747951496155775367),
    ("headerless", 42299, 8855772073602963204),
    ("messy", 38105, 5636110197403332180),
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
