//! The CSV loader: the accepted format, every error with its exact position, and fuzzing.

use hessian_boundary::config::{limits, ClassLabel, LabelColumn};
use hessian_boundary::data::{parse_csv, read_csv, DataError, Table};
use proptest::prelude::*;

fn parse(text: &str) -> Table {
    parse_csv(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

fn error(text: &str) -> String {
    parse_csv(text).expect_err(text).to_string()
}

#[test]
fn a_header_is_a_first_row_with_a_non_numeric_cell() {
    let with = parse("a,b,label\n1,2,0\n3,4.5,1\n");
    assert_eq!(
        with.header,
        Some(vec!["a".to_string(), "b".to_string(), "label".to_string()])
    );
    assert_eq!((with.data.dim, with.data.classes), (2, 2));
    assert_eq!(
        (&with.data.x[..], &with.data.y[..]),
        (&[1.0, 2.0, 3.0, 4.5][..], &[0, 1][..])
    );

    let without = parse("1,2,0\n3,4.5,1");
    assert_eq!(without.header, None);
    assert_eq!(without.data, with.data);

    // pandas writes the index column's header as an empty cell.
    let pandas = parse(",x,label\n0,0.5,1\n1,0.25,0\n");
    assert_eq!(
        pandas.header.as_deref(),
        Some(&["".to_string(), "x".into(), "label".into()][..])
    );
    assert_eq!(pandas.data.x, [0.0, 0.5, 1.0, 0.25]);
    // An empty cell alone does not make a header: it is a missing value in the first data row.
    assert_eq!(
        error("1,,0\n1,2,1"),
        "line 1, column 2: the cell is empty; expected a number"
    );
    // Numbers in any float syntax are data, so a first row of NaNs is data (and refused).
    assert_eq!(
        error("nan,0\n1,1"),
        "line 1, column 1: \"nan\" is not a finite number"
    );
}

#[test]
fn whitespace_blank_lines_crlf_and_a_bom_are_ignored() {
    let plain = parse("a,label\n1,0\n2,1\n");
    for text in [
        "a,label\r\n1,0\r\n2,1\r\n",
        "\u{feff}a,label\n1,0\n2,1",
        "\n  \n a , label \n\n\t1\t, 0\n \r\n  2,1  \n\n",
        "a,label\n+1,0\n2.,1e0\n",
    ] {
        assert_eq!(parse(text), plain, "{text:?}");
    }
    // Line numbers count the blank lines.
    assert_eq!(
        error("\na,label\r\n\r\n1,0\r\n\r\nx,1\r\n"),
        "line 6, column 1 (\"a\"): \"x\" is not a number"
    );
}

#[test]
fn labels_are_whole_numbers_remapped_in_sorted_order() {
    let t = parse("x,label\n1,9\n2,3\n3,7\n4,3.0\n5,1e1\n6,-0\n7,4294967295\n");
    let numbers = |l: &[u32]| l.iter().map(|&l| ClassLabel::Number(l)).collect::<Vec<_>>();
    assert_eq!(t.labels, numbers(&[0, 3, 7, 9, 10, u32::MAX]));
    assert_eq!(t.class_names(), None);
    assert_eq!(t.data.y, [3, 1, 2, 1, 4, 0, 5]);
    assert_eq!(t.data.classes, 6);
    assert_eq!(t.data.class_counts(), [1, 2, 1, 1, 1, 1]);

    let bad = |label: &str| error(&format!("x,label\n1,0\n2,{label}\n"));
    // Numbers that are not whole are refused (a regression target is not a class); a label that is
    // not a number at all makes the column one of class names.
    for label in ["2.5", "-1", "4294967296", "nan", "inf", "1e400"] {
        assert_eq!(
            bad(label),
            format!("line 3, column 2 (\"label\"): the label \"{label}\" is not a whole number from 0 to 4294967295 (numeric labels must be; labels that are not numbers are class names)")
        );
    }
    assert_eq!(bad(""), "line 3, column 2 (\"label\"): the label is empty");
}

#[test]
fn bad_cells_are_named_by_line_column_and_header() {
    assert_eq!(
        error("a,b,label\n1,2,0\n1,abc,1\n"),
        "line 3, column 2 (\"b\"): \"abc\" is not a number"
    );
    assert_eq!(
        error("1,2,0\n1,abc,1\n"),
        "line 2, column 2: \"abc\" is not a number"
    );
    assert_eq!(
        error("1,2,0\n1,2x,y\n"),
        "line 2, column 2: \"2x\" is not a number",
        "the first bad cell"
    );
    assert_eq!(
        error("a,b,label\n1, ,0\n"),
        "line 2, column 2 (\"b\"): the cell is empty; expected a number"
    );
    assert_eq!(
        error(",b,label\n,2,0\n"),
        "line 2, column 1: the cell is empty; expected a number",
        "blank name"
    );
    for (cell, shown) in [
        ("NaN", "NaN"),
        ("inf", "inf"),
        ("-infinity", "-infinity"),
        ("1e999", "1e999"),
    ] {
        assert_eq!(
            error(&format!("a,b,label\n1,2,0\n3,{cell},1\n")),
            format!("line 3, column 2 (\"b\"): \"{shown}\" is not a finite number")
        );
    }

    // Long cells and names are cut to 40 characters; control characters are escaped.
    let long = "y".repeat(60);
    assert_eq!(
        error(&format!("{long},label\n{long},0\n")),
        format!(
            "line 2, column 1 (\"{}…\"): \"{}…\" is not a number",
            &long[..40],
            &long[..40]
        )
    );
    assert_eq!(
        error("1,0\n\u{1b}[31m,1\n"),
        "line 2, column 1: \"\\u{1b}[31m\" is not a number"
    );
    assert_eq!(
        error("1,0\n1\r2,1\n"),
        "line 2, column 1: \"1\\r2\" is not a number"
    );
    let wide = "é".repeat(50);
    assert_eq!(
        error(&format!("1,0\n{wide},1\n")),
        format!("line 2, column 1: \"{}…\" is not a number", "é".repeat(40))
    );
}

#[test]
fn ragged_rows_name_both_lines() {
    assert_eq!(
        error("a,b,label\n1,2,0\n1,2\n"),
        "line 3 has 2 columns, but line 1 has 3"
    );
    assert_eq!(
        error("\n\n1,2,0\n1,2,0,5\n"),
        "line 4 has 4 columns, but line 3 has 3"
    );
    assert_eq!(error("1,2\n1\n"), "line 2 has 1 column, but line 1 has 2");
    assert_eq!(
        error("1,2,0\n1,2,0,\n"),
        "line 2 has 4 columns, but line 1 has 3",
        "a trailing comma"
    );
    // The column count is checked before the cells.
    assert_eq!(
        error("1,2,0\nx,y\n"),
        "line 2 has 2 columns, but line 1 has 3"
    );
}

#[test]
fn shape_errors() {
    for empty in ["", "\n\n", "  \r\n\t\n", "\u{feff}"] {
        assert_eq!(parse_csv(empty), Err(DataError::Empty), "{empty:?}");
        assert_eq!(error(empty), "the CSV is empty");
    }
    assert_eq!(
        error("a,b,label\n\n"),
        "the CSV has a header but no data rows"
    );
    let one_column = "the CSV has 1 column; expected at least 2 (the features and the label), separated by commas, semicolons or tabs";
    assert_eq!(error("label\n0\n1\n"), one_column);
    assert_eq!(
        error("1 2 0\n3 4 1\n"),
        one_column,
        "spaces are not separators"
    );
    assert_eq!(
        error("1,0\n2,0\n"),
        "the labels take 1 value; expected at least 2 classes"
    );
}

#[test]
fn limits_on_points_features_and_classes() {
    let rows = |n: usize| {
        (0..n)
            .map(|i| format!("{i},{}\n", i % 2))
            .collect::<String>()
    };
    assert_eq!(
        parse(&rows(limits::MAX_POINTS)).data.len(),
        limits::MAX_POINTS
    );
    assert_eq!(
        error(&rows(limits::MAX_POINTS + 1)),
        "the data has 20001 points; expected at most 20000"
    );
    // Every row is counted, even past the limit, but blank lines are not.
    let spaced = rows(limits::MAX_POINTS + 5).replace('\n', "\n\n");
    assert_eq!(
        error(&format!("x,y\n{spaced}")),
        "the data has 20005 points; expected at most 20000"
    );

    let features = |d: usize| format!("{}0\n{}1\n", "1,".repeat(d), "2,".repeat(d));
    assert_eq!(parse(&features(limits::MAX_DIM)).data.dim, limits::MAX_DIM);
    assert_eq!(
        error(&features(limits::MAX_DIM + 1)),
        "the data has 1025 features; expected at most 1024"
    );

    let labels = |c: usize| (0..c).map(|i| format!("{i},{i}\n")).collect::<String>();
    assert_eq!(
        parse(&labels(limits::MAX_CLASSES)).data.classes,
        limits::MAX_CLASSES
    );
    assert_eq!(
        error(&labels(limits::MAX_CLASSES + 1)),
        "the labels take 101 values; expected at most 100 classes"
    );
}

#[test]
fn errors_carry_their_position_as_data() {
    let DataError::NotANumber(at) = parse_csv("a,b,label\n1,2,0\n1,abc,1\n").unwrap_err() else {
        panic!("not a number")
    };
    assert_eq!(
        (at.line, at.column, at.name.as_deref(), at.cell.as_str()),
        (3, 2, Some("b"), "abc")
    );
    assert_eq!(
        parse_csv("1,2\n1\n"),
        Err(DataError::Ragged {
            line: 2,
            found: 1,
            expected: 2,
            first_line: 1
        })
    );
}

#[test]
fn quoted_cells_hold_delimiters_quotes_and_line_breaks() {
    // What many tools and spreadsheets write: every cell quoted.
    let quoted = parse("\"x\",\"y\",\"label\"\n\"1.0\",\"2.0\",\"0\"\n\"3\",\"4.5\",\"1\"\n");
    assert_eq!(quoted, parse("x,y,label\n1,2,0\n3,4.5,1\n"));
    let names = parse("x,name\n1,\"a, \"\"b\"\"\"\n2,\"two\nlines\"\n3,c\n");
    assert_eq!(
        names.class_names().unwrap(),
        ["a, \"b\"", "c", "two\nlines"]
    );
    assert_eq!(names.data.y, [0, 2, 1]);
    // A quoted line break does not shift the line numbers of later errors.
    assert_eq!(
        error("x,name\n1,\"two\nlines\"\nz,c\n"),
        "line 4, column 1 (\"x\"): \"z\" is not a number"
    );
    // In a comma-separated file a comma inside a number is not a decimal comma.
    assert_eq!(
        error("x,label\n\"1,5\",0\n2,1\n"),
        "line 2, column 1 (\"x\"): \"1,5\" is not a number"
    );
}

#[test]
fn semicolons_with_decimal_commas_and_tabs_are_detected() {
    let comma = parse("x,y,label\n1.5,2,0\n-0.25,3,1\n");
    for text in [
        "x;y;label\n1,5;2;0\n-0,25;3,0;1\n",
        "x;y;label\r\n1.5;2;0\r\n-0,25;3;1\r\n;;\r\n",
        "x\ty\tlabel\n1,5\t2\t0\n-0.25\t3\t1\n",
        "\u{feff}\"x\"\t\"y\"\t\"label\"\n\"1.5\"\t2\t0\n\n-0.25\t3\t1\n",
    ] {
        assert_eq!(parse(text), comma, "{text:?}");
    }
    // Headerless European data: as many commas as semicolons, and the semicolon wins the tie.
    assert_eq!(parse("1,5;2,5;0\n3,5;4,5;1\n").data.x, [1.5, 2.5, 3.5, 4.5]);
    // A semicolon in a header name of a comma-separated file does not make it the delimiter.
    let named = parse("width (cm; rounded),height,label\n1,2,0\n3,4,1\n");
    assert_eq!(named.header.unwrap()[0], "width (cm; rounded)");
    // A decimal comma label is a whole number too; errors name the cell as written.
    assert_eq!(parse("x;label\n1;0\n2;1,0\n").data.y, [0, 1]);
    assert_eq!(
        error("x;y;label\n1,5;2;0\n1,5;1,2,3;1\n"),
        "line 3, column 2 (\"y\"): \"1,2,3\" is not a number"
    );
    assert_eq!(
        error("x\ty\tlabel\n1\t2\t0\n1\t2\n"),
        "line 3 has 2 columns, but line 1 has 3"
    );
}

#[test]
fn labels_that_are_names_are_classes_in_sorted_order() {
    // Iris as most sources ship it: no header, the species last.
    let iris = parse("5.1,3.5,setosa\n4.9,3.0,versicolor\n6.2,2.9,virginica\n5.0,3.4,setosa\n");
    assert_eq!(iris.header, None);
    assert_eq!(
        iris.class_names().unwrap(),
        ["setosa", "versicolor", "virginica"]
    );
    assert_eq!(
        (iris.data.dim, iris.data.y.as_slice()),
        (2, &[0, 1, 2, 0][..])
    );
    let with_header = parse(
        "a,b,species\n5.1,3.5,setosa\n4.9,3.0,versicolor\n6.2,2.9,virginica\n5.0,3.4,setosa\n",
    );
    assert_eq!(with_header.data, iris.data);
    // Sorted, not in order of appearance: the classes do not depend on the order of the rows.
    let t = parse("1,zebra\n2,apple\n3,zebra\n");
    assert_eq!(t.class_names().unwrap(), ["apple", "zebra"]);
    assert_eq!(t.data.y, [1, 0, 1]);
    // One name among numbers: every label is a name.
    assert_eq!(
        parse("1,0\n2,10\n3,9\n4,x\n").class_names().unwrap(),
        ["0", "10", "9", "x"]
    );
    // A first row whose only text is its label is a header when the next label is a number.
    let numeric = parse("1,2,label\n3,4,0\n5,6,1\n");
    assert_eq!(numeric.header.unwrap()[2], "label");
    assert_eq!(
        error("x,name\n1,a\n2,\n"),
        "line 3, column 2 (\"name\"): the label is empty"
    );
    assert_eq!(
        error("x,name\n1,a\n2,a\n"),
        "the labels take 1 value; expected at least 2 classes"
    );
}

#[test]
fn label_column_by_number_or_header_name() {
    let last = parse("x,y,label\n1,2,0\n3,4,1\n");
    let first = "label,x,y\n0,1,2\n1,3,4\n";
    let by = |text: &str, column: LabelColumn| read_csv(text, Some(&column));
    assert_eq!(by(first, LabelColumn::Number(1)).unwrap().data, last.data);
    assert_eq!(
        by(first, LabelColumn::Name("label".into())).unwrap().data,
        last.data
    );
    assert_eq!(
        by("0,1,2\n1,3,4\n", LabelColumn::Number(1)).unwrap().data,
        last.data,
        "no header"
    );
    // A middle column of names, the other columns the features.
    let middle = by(
        "5.1,setosa,1.4\n7.0,versicolor,4.7\n",
        LabelColumn::Number(2),
    )
    .unwrap();
    assert_eq!(
        (middle.data.x.as_slice(), middle.class_names().unwrap()),
        (
            &[5.1, 1.4, 7.0, 4.7][..],
            vec!["setosa".to_string(), "versicolor".into()]
        )
    );
    let err = |text: &str, column: LabelColumn| by(text, column).unwrap_err().to_string();
    assert_eq!(
        err("0,1,2\n1,3,4\n", LabelColumn::Name("label".into())),
        "label-column: the header has no column \"label\"; its columns are \"0\", \"1\", \"2\""
    );
    assert_eq!(
        err(first, LabelColumn::Number(4)),
        "label-column: column 4 does not exist; the CSV has 3 columns"
    );
    // A non-numeric column that is not the label is named by its line, number and header name.
    assert_eq!(
        error("name,x,label\nalice,1,0\nbob,2,1\n"),
        "line 2, column 1 (\"name\"): \"alice\" is not a number"
    );
    assert_eq!(
        err(
            "id,species,x\n1,setosa,1\n2,virginica,2\n",
            LabelColumn::Name("x".into())
        ),
        "line 2, column 2 (\"species\"): \"setosa\" is not a number"
    );
}

// ---------------------------------------------------------------------------------------------
// Fuzzing: any input gives a Table that keeps its invariants or an error with a message.

/// What every outcome must satisfy.
fn check(text: &str) -> Result<(), TestCaseError> {
    check_with(text, None)
}

fn check_with(text: &str, label: Option<&LabelColumn>) -> Result<(), TestCaseError> {
    match read_csv(text, label) {
        Ok(t) => {
            let d = &t.data;
            prop_assert!(d.dim >= 1 && d.dim <= limits::MAX_DIM);
            prop_assert!(d.classes >= 2 && d.classes <= limits::MAX_CLASSES);
            prop_assert!(!d.is_empty() && d.len() <= limits::MAX_POINTS);
            prop_assert_eq!(d.x.len(), d.len() * d.dim);
            prop_assert!(d.x.iter().all(|v| v.is_finite()));
            prop_assert_eq!(t.labels.len(), d.classes);
            prop_assert!(
                t.labels.iter().all(|l| matches!(l, ClassLabel::Number(_)))
                    || t.class_names().is_some()
            );
            prop_assert!(t.labels.windows(2).all(|w| w[0] < w[1]));
            prop_assert!(d.class_counts().iter().all(|&c| c > 0));
            if let Some(header) = &t.header {
                prop_assert_eq!(header.len(), d.dim + 1);
            }
        }
        Err(e) => {
            let message = e.to_string();
            prop_assert!(!message.trim().is_empty(), "{:?} has no message", e);
            prop_assert!(message.chars().all(|c| !c.is_control()), "{:?}", message);
            prop_assert!(message.chars().count() < 1000, "{:?}", message);
        }
    }
    Ok(())
}

const VALID_SEMICOLON: &str =
    "\"sepal\";\"petal\";\"species\"\r\n5,1;1,4;setosa\r\n4,9;1,5;\"versi;color\"\r\n;;\r\n6,2;5,4;virginica\r\n";

const VALID: &str = "sepal,petal,label\n5.1,1.4,0\r\n4.9,1.5,1\n\n6.2,5.4,2\n 7,  -3e-2 ,1.0\n";

/// Characters that matter to the format, and any others.
fn fuzz_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => proptest::sample::select(vec![',', '\n', '\r', ' ', '-', '+', '.', 'e', 'E', 'n', 'a', 'i', 'f', '0', '9', '\u{feff}', '\t', ';', '"']),
        1 => any::<char>(),
    ]
}

/// One edit of a text: insert, delete or replace the character at a (wrapped) position.
#[derive(Clone, Debug)]
enum Edit {
    Insert(usize, char),
    Delete(usize),
    Replace(usize, char),
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for edit in edits {
        let len = chars.len();
        match *edit {
            Edit::Insert(at, c) => chars.insert(at % (len + 1), c),
            Edit::Delete(at) if len > 0 => {
                chars.remove(at % len);
            }
            Edit::Replace(at, c) if len > 0 => chars[at % len] = c,
            _ => {}
        }
    }
    chars.into_iter().collect()
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), fuzz_char()).prop_map(|(at, c)| Edit::Insert(at, c)),
        any::<usize>().prop_map(Edit::Delete),
        (any::<usize>(), fuzz_char()).prop_map(|(at, c)| Edit::Replace(at, c)),
    ]
}

/// Rows of cells from a small vocabulary, mostly of one width: often a valid table, with every
/// kind of flaw mixed in.
fn table_text() -> impl Strategy<Value = String> {
    use proptest::collection::vec;
    use proptest::sample::select;
    let good = select(vec![
        "0", "1", "2", "7", "2.0", "1e3", " 4 ", "-0", "1.5", "-3",
    ]);
    let bad = select(vec![
        "", "nan", "inf", "x", "label", "1e999", "1,2", "\"1\"", "\"a,b\"", "1;2", "\"", "2,5",
    ]);
    let cell = prop_oneof![40 => good, 1 => bad];
    let line_end = select(vec!["\n", "\r\n", "\n\n", "\n \n"]);
    (2..5usize).prop_flat_map(move |width| {
        let row = prop_oneof![20 => vec(cell.clone(), width), 1 => vec(cell.clone(), 1..6)];
        vec(
            (row.prop_map(|cells| cells.join(",")), line_end.clone()),
            0..12,
        )
        .prop_map(|rows| rows.into_iter().map(|(row, end)| row + end).collect())
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn fuzz_strings_over_the_formats_alphabet(text in "[0-9.,;\"\teEnaif \\-\n\r]{0,200}") {
        check(&text)?;
    }

    #[test]
    fn fuzz_arbitrary_unicode(text in any::<String>()) {
        check(&text)?;
    }

    #[test]
    fn fuzz_edits_of_a_valid_csv(edits in proptest::collection::vec(edit(), 0..10)) {
        prop_assert!(parse_csv(VALID).is_ok());
        check(&apply(VALID, &edits))?;
    }

    #[test]
    fn fuzz_tables_of_plausible_cells(text in table_text()) {
        check(&text)?;
    }

    #[test]
    fn fuzz_edits_of_a_quoted_semicolon_csv(edits in proptest::collection::vec(edit(), 0..10)) {
        prop_assert!(parse_csv(VALID_SEMICOLON).is_ok());
        check(&apply(VALID_SEMICOLON, &edits))?;
    }

    #[test]
    fn fuzz_label_columns(text in table_text(), number in 0..7usize, name in "(label|x|0|1|)") {
        check_with(&text, Some(&LabelColumn::Number(number.max(1))))?;
        check_with(&text, Some(&LabelColumn::Name(name)))?;
    }
}

/// The structured fuzzer reaches both outcomes often, so the properties above test something.
#[test]
fn the_table_fuzzer_reaches_tables_and_errors() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = table_text();
    let outcomes: Vec<bool> = (0..2000)
        .map(|_| parse_csv(&strategy.new_tree(&mut runner).unwrap().current()).is_ok())
        .collect();
    let ok = outcomes.iter().filter(|&&ok| ok).count();
    assert!((100..=1900).contains(&ok), "{ok} of 2000 parsed");
}
