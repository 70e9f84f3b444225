//! The CSV loader: text in, [`Table`] out (no file I/O, so it runs the same in the browser). The
//! `csv` crate splits the records; this module decides what they mean.
//!
//! The format, chosen to accept what spreadsheets, pandas and R write without options:
//! - RFC 4180 quoting: `"1.0"`, and quoted cells holding the delimiter, quotes (`""`) or line breaks;
//! - the delimiter is a comma, a semicolon or a tab, detected from the first non-blank line: the
//!   one that splits it into the most cells (outside quotes), ties going to tab, then semicolon,
//!   then comma, provided the second non-blank line splits into as many (else the next one);
//! - with a semicolon or tab delimiter a number may have a decimal comma (`1,5`);
//! - the label is the last column, or the one `label-column` names (its 1-based number, or its
//!   name in the header); every other column is a numeric feature;
//! - the first non-blank row is a header when one of its feature cells is not empty and not a
//!   number, or when its label cell is not a number but the next row's is (a name in the first row
//!   of a file whose labels are names is data); with `label-column` a name, it is the header;
//! - blank lines (every cell blank) and whitespace around cells are ignored; LF or CRLF line ends;
//!   a leading UTF-8 byte-order mark is skipped;
//! - features are Rust float syntax (`1`, `-0.5`, `1e-3`) and must be finite;
//! - labels: if every label is a number, they must be whole numbers from 0 to 4294967295 (`2` or
//!   `2.0`), remapped to classes 0..C in numeric order (labels 3, 7, 9 → classes 0, 1, 2); else
//!   every label is a class name, and classes are the names in sorted (code point) order, so the
//!   classes do not depend on the order of the rows; [`Table::labels`] keeps the originals;
//! - at most [`limits::MAX_POINTS`] rows, [`limits::MAX_DIM`] features and [`limits::MAX_CLASSES`]
//!   labels, and at least 2 columns and 2 labels.
//!
//! Errors stop at the first problem and name its line (1-based, as an editor counts) and column
//! (1-based, with its header name when there is a header).

use std::collections::BTreeSet;

use super::{CellAt, DataError, Dataset, Table};
use crate::config::{limits, ClassLabel, LabelColumn};

/// The delimiters tried, in the order that breaks ties.
const DELIMITERS: [u8; 3] = [b'\t', b';', b','];

/// Parses CSV text with the label in the last column (see the module docs). Never panics.
pub fn parse_csv(text: &str) -> Result<Table, DataError> {
    read_csv(text, None)
}

/// Parses CSV text with the label in `label` (`None`: the last column). Never panics.
pub fn read_csv(text: &str, label: Option<&LabelColumn>) -> Result<Table, DataError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let delimiter = detect_delimiter(text);
    let mut records = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        // Only LF ends a line, so line numbers are an editor's; a CR before it is trimmed.
        .terminator(csv::Terminator::Any(b'\n'))
        .from_reader(text.as_bytes())
        .into_records();
    // The line a record starts on: the reader reports where it began looking, before the empty
    // lines it skips.
    let line_of = |p: Option<&csv::Position>| {
        p.map_or(0, |p| {
            let skipped = text
                .as_bytes()
                .get(p.byte() as usize..)
                .unwrap_or_default()
                .iter()
                .take_while(|&&b| b == b'\n')
                .count();
            p.line() as usize + skipped
        })
    };
    // The records with their line, blank ones skipped, cells trimmed.
    let mut rows = std::iter::from_fn(move || loop {
        let record = match records.next()? {
            Ok(record) => record,
            Err(e) => {
                let line = line_of(e.position());
                return Some(Err(DataError::Malformed { line }));
            }
        };
        let line = line_of(record.position());
        let cells: Vec<&str> = record.iter().map(str::trim).collect();
        if cells.iter().any(|c| !c.is_empty()) {
            return Some(Ok((
                line,
                cells.into_iter().map(String::from).collect::<Vec<_>>(),
            )));
        }
    });
    let (first_line, first) = rows.next().ok_or(DataError::Empty)??;
    let width = first.len();
    if width < 2 {
        return Err(DataError::TooFewColumns { found: width });
    }
    if width - 1 > limits::MAX_DIM {
        return Err(DataError::TooManyFeatures { found: width - 1 });
    }
    let decimal_comma = delimiter != b',';
    let (label_at, is_header) =
        match label {
            Some(LabelColumn::Name(name)) => {
                let at = first.iter().position(|c| c == name).ok_or_else(|| {
                    DataError::NoSuchColumn {
                        name: super::shown(name),
                        header: first.iter().map(|c| super::shown(c)).collect(),
                    }
                })?;
                (at, true)
            }
            Some(&LabelColumn::Number(n)) if n > width => {
                return Err(DataError::LabelColumnOutOfRange { number: n, width })
            }
            Some(&LabelColumn::Number(n)) => (n - 1, false),
            None => (width - 1, false),
        };
    let mut pending = None;
    let is_header = is_header || {
        let text_at = |j: usize| {
            let c = &first[j];
            !c.is_empty() && number(c, decimal_comma).is_none()
        };
        (0..width).any(|j| j != label_at && text_at(j))
            || text_at(label_at) && {
                pending = rows.next().transpose()?;
                pending.as_ref().is_none_or(|(_, next)| {
                    next.get(label_at)
                        .is_some_and(|c| number(c, decimal_comma).is_some())
                })
            }
    };
    let header = is_header.then(|| first.clone());
    let mut rows = (!is_header)
        .then_some(Ok((first_line, first)))
        .into_iter()
        .chain(pending.map(Ok))
        .chain(rows);

    let at = |line, column, cell: &str| CellAt::new(line, column, header.as_deref(), cell);
    let mut x = Vec::new();
    let mut raw_labels: Vec<(usize, String)> = Vec::new();
    while let Some(row) = rows.next() {
        let (line, cells) = row?;
        if raw_labels.len() == limits::MAX_POINTS {
            return Err(DataError::TooManyPoints {
                found: raw_labels.len() + 1 + rows.filter(Result::is_ok).count(),
            });
        }
        if cells.len() != width {
            return Err(DataError::Ragged {
                line,
                found: cells.len(),
                expected: width,
                first_line,
            });
        }
        for (j, cell) in cells.into_iter().enumerate() {
            if j == label_at {
                raw_labels.push((line, cell));
                continue;
            }
            match number(&cell, decimal_comma) {
                Some(v) if v.is_finite() => x.push(v),
                Some(_) => return Err(DataError::NotFinite(at(line, j + 1, &cell))),
                None => return Err(DataError::NotANumber(at(line, j + 1, &cell))),
            }
        }
    }
    if raw_labels.is_empty() {
        return Err(DataError::HeaderOnly);
    }
    let (labels, y) = classes(&raw_labels, decimal_comma, |line, cell| {
        at(line, label_at + 1, cell)
    })?;
    let data = Dataset {
        dim: width - 1,
        classes: labels.len(),
        x,
        y,
    };
    Ok(Table {
        data,
        labels,
        header,
    })
}

/// The classes of the label cells, sorted (numerically, or as text for names), and each row's class.
/// `at` gives a label cell's position from its line.
fn classes(
    raw: &[(usize, String)],
    decimal_comma: bool,
    at: impl Fn(usize, &str) -> CellAt,
) -> Result<(Vec<ClassLabel>, Vec<u32>), DataError> {
    if let Some((line, cell)) = raw.iter().find(|(_, cell)| cell.is_empty()) {
        return Err(DataError::EmptyLabel(at(*line, cell)));
    }
    let numbers: Option<Vec<f64>> = raw.iter().map(|(_, c)| number(c, decimal_comma)).collect();
    let keys: Vec<ClassLabel> = match numbers {
        Some(numbers) => raw
            .iter()
            .zip(numbers)
            .map(|((line, cell), v)| {
                (v >= 0.0 && v.fract() == 0.0 && v <= u32::MAX as f64)
                    .then_some(ClassLabel::Number(v as u32))
                    .ok_or_else(|| DataError::BadLabel(at(*line, cell)))
            })
            .collect::<Result<_, _>>()?,
        None => raw
            .iter()
            .map(|(_, c)| ClassLabel::Name(c.clone()))
            .collect(),
    };
    let labels: Vec<ClassLabel> = keys
        .iter()
        .collect::<BTreeSet<&ClassLabel>>()
        .into_iter()
        .cloned()
        .collect();
    if labels.len() < 2 {
        return Err(DataError::TooFewClasses {
            found: labels.len(),
        });
    }
    if labels.len() > limits::MAX_CLASSES {
        return Err(DataError::TooManyClasses {
            found: labels.len(),
        });
    }
    let y = keys
        .iter()
        .map(|l| labels.partition_point(|k| k < l) as u32)
        .collect();
    Ok((labels, y))
}

/// A cell as a number: Rust float syntax, or with a decimal comma where the delimiter allows one.
fn number(cell: &str, decimal_comma: bool) -> Option<f64> {
    match cell.parse::<f64>() {
        Ok(v) => Some(v),
        Err(_) if decimal_comma && cell.matches(',').count() == 1 && !cell.contains('.') => {
            cell.replace(',', ".").parse().ok()
        }
        Err(_) => None,
    }
}

/// The delimiter of the module docs' rule, from the first two non-blank lines.
fn detect_delimiter(text: &str) -> u8 {
    let mut lines = text.split('\n').filter(|l| !l.trim().is_empty());
    let (Some(first), second) = (lines.next(), lines.next()) else {
        return b',';
    };
    let mut candidates: Vec<(usize, u8)> = DELIMITERS
        .iter()
        .map(|&d| (cells(first, d), d))
        .filter(|&(n, _)| n >= 2)
        .collect();
    // Most cells first; the sort is stable, so ties keep the order of DELIMITERS.
    candidates.sort_by_key(|&(n, _)| std::cmp::Reverse(n));
    candidates
        .into_iter()
        .find(|&(n, d)| second.is_none_or(|s| cells(s, d) == n))
        .map_or(b',', |(_, d)| d)
}

/// The cells a line splits into at `delimiter`, outside double quotes.
fn cells(line: &str, delimiter: u8) -> usize {
    let mut quoted = false;
    let mut n = 1;
    for b in line.bytes() {
        match b {
            b'"' => quoted = !quoted,
            _ if b == delimiter && !quoted => n += 1,
            _ => {}
        }
    }
    n
}
