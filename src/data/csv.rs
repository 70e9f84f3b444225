//! The CSV loader: text in, [`Table`] out (no file I/O, so it runs the same in the browser).
//!
//! The format, chosen to accept what spreadsheets and pandas write without options:
//! - comma-separated; every column but the last is a numeric feature, the last is the label;
//! - the first non-blank row is a header when one of its cells is not empty and not a number;
//! - blank lines and whitespace around cells are ignored; LF or CRLF line ends; a leading UTF-8
//!   byte-order mark is skipped;
//! - features are Rust float syntax (`1`, `-0.5`, `1e-3`) and must be finite;
//! - labels are whole numbers from 0 to 4294967295 (`2` or `2.0`), remapped to classes 0..C in
//!   sorted order (labels 3, 7, 9 → classes 0, 1, 2); [`Table::labels`] keeps the originals;
//! - at most [`limits::MAX_POINTS`] rows, [`limits::MAX_DIM`] features and [`limits::MAX_CLASSES`]
//!   labels, and at least 2 columns and 2 labels.
//!
//! Errors stop at the first problem and name its line (1-based, as an editor counts) and column.

use std::collections::BTreeSet;

use super::{CellAt, DataError, Dataset, Table};
use crate::config::limits;

/// Parses CSV text (see the module docs for the format). Never panics.
pub fn parse_csv(text: &str) -> Result<Table, DataError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows = (1..)
        .zip(text.lines())
        .filter(|(_, row)| !row.trim().is_empty());
    let (first_line, first) = rows.next().ok_or(DataError::Empty)?;

    let width = columns(first);
    if width < 2 {
        return Err(DataError::TooFewColumns { found: width });
    }
    if width - 1 > limits::MAX_DIM {
        return Err(DataError::TooManyFeatures { found: width - 1 });
    }
    let is_header = first
        .split(',')
        .map(str::trim)
        .any(|c| !c.is_empty() && c.parse::<f64>().is_err());
    let header: Option<Vec<String>> =
        is_header.then(|| first.split(',').map(|c| c.trim().to_string()).collect());
    let mut rows = (!is_header)
        .then_some((first_line, first))
        .into_iter()
        .chain(rows);
    let mut x = Vec::new();
    let mut raw_labels = Vec::new();
    while let Some((line, row)) = rows.next() {
        if raw_labels.len() == limits::MAX_POINTS {
            return Err(DataError::TooManyPoints {
                found: raw_labels.len() + 1 + rows.count(),
            });
        }
        let found = columns(row);
        if found != width {
            return Err(DataError::Ragged {
                line,
                found,
                expected: width,
                first_line,
            });
        }
        for (column, cell) in (1..).zip(row.split(',').map(str::trim)) {
            let at = || CellAt::new(line, column, header.as_deref(), cell);
            let value = cell.parse::<f64>();
            if column == width {
                let label = value
                    .ok()
                    .filter(|v| *v >= 0.0 && v.fract() == 0.0 && *v <= u32::MAX as f64);
                raw_labels.push(label.ok_or_else(|| DataError::BadLabel(at()))? as u32);
            } else {
                match value {
                    Ok(v) if v.is_finite() => x.push(v),
                    Ok(_) => return Err(DataError::NotFinite(at())),
                    Err(_) => return Err(DataError::NotANumber(at())),
                }
            }
        }
    }
    if raw_labels.is_empty() {
        return Err(DataError::HeaderOnly);
    }

    let labels: Vec<u32> = raw_labels
        .iter()
        .copied()
        .collect::<BTreeSet<u32>>()
        .into_iter()
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
    let y = raw_labels
        .iter()
        .map(|l| labels.partition_point(|k| k < l) as u32)
        .collect();
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

/// The number of comma-separated cells in a row.
fn columns(row: &str) -> usize {
    row.bytes().filter(|&b| b == b',').count() + 1
}
