//! Data: the built-in datasets, the CSV loader, links that carry a CSV ([`link`]), the seeded
//! train/test split and standardization.
//!
//! Everything is a [`Dataset`]: points in a flat row-major `x` (n × dim) and labels `y` in 0..classes.
//! [`load`] turns a [`Config`] (plus, for `dataset=csv`, the CSV text) into a [`Split`], in stages:
//!
//! 1. [`build`]: the whole dataset. The synthetic ones ([`synthetic`]) are drawn from
//!    `Rng::derive(seed, "data")`; `iris`, `digits` (built-in, UCI, CC BY 4.0) and `csv` go through
//!    [`parse_csv`]. `classes` then keeps the listed labels, relabelled 0..C in the listed order
//!    (labels are the file's own for CSV data, so `classes=3,9` means the rows labelled 3 and 9).
//!    For file data `n` caps the number of points: the first n of a seeded shuffle (after `classes`).
//! 2. [`split()`]: a seeded shuffle (`Rng::derive(seed, "split")`); the first round(train·n) points,
//!    at least one, are the training split, the rest the test split, both in the shuffled order.
//!    `train=1` leaves the test split empty, which is allowed.
//! 3. [`standardize`] (if asked): z-scores fitted on the training split, applied to both splits.
//!
//! Every stage is deterministic and platform-independent (see [`crate::rng`]).

pub mod authors;
pub mod cr_math;
pub mod csv;
pub mod link;
pub mod numpy_rng;
pub mod synthetic;

use std::fmt;

pub use csv::{parse_csv, read_csv};

use crate::config::{limits, ClassLabel, Config, DatasetName, Draw};
use crate::rng::Rng;
use synthetic::Recipe;

/// Points and labels. `x` is row-major n × dim; `y[i]` is in `0..classes`.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    pub dim: usize,
    pub classes: usize,
    pub x: Vec<f64>,
    pub y: Vec<u32>,
}

impl Dataset {
    pub fn len(&self) -> usize {
        self.y.len()
    }

    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }

    pub fn row(&self, i: usize) -> &[f64] {
        &self.x[i * self.dim..(i + 1) * self.dim]
    }

    /// The points at `indices`, in that order, with the same dimension and classes.
    pub fn subset(&self, indices: &[usize]) -> Dataset {
        Dataset {
            dim: self.dim,
            classes: self.classes,
            x: indices.iter().flat_map(|&i| self.row(i)).copied().collect(),
            y: indices.iter().map(|&i| self.y[i]).collect(),
        }
    }

    /// How many points each class has.
    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.classes];
        for &c in &self.y {
            counts[c as usize] += 1;
        }
        counts
    }
}

/// A dataset as loaded, with what its source called things.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub data: Dataset,
    /// The source's label of each class: class `k` was labelled `labels[k]` (sorted, for CSV data):
    /// all numbers, or all names.
    pub labels: Vec<ClassLabel>,
    /// The CSV's header cells (trimmed), if it has a header.
    pub header: Option<Vec<String>>,
}

impl Table {
    /// The classes' names, where the source names its classes (a CSV's label column of names).
    pub fn class_names(&self) -> Option<Vec<String>> {
        self.labels
            .iter()
            .map(|l| match l {
                ClassLabel::Name(name) => Some(name.clone()),
                ClassLabel::Number(_) => None,
            })
            .collect()
    }
}

impl From<Dataset> for Table {
    /// Generated data: its labels are the classes themselves.
    fn from(data: Dataset) -> Table {
        let labels = (0..data.classes as u32).map(ClassLabel::Number).collect();
        Table {
            data,
            labels,
            header: None,
        }
    }
}

/// The training and test splits of one run.
#[derive(Clone, Debug, PartialEq)]
pub struct Split {
    pub train: Dataset,
    pub test: Dataset,
    /// The training points' labels for a random-label phase where the data fixes them (the
    /// authors' permutation of their draw); `None`: the trainer draws a seeded permutation.
    pub random_labels: Option<Vec<u32>>,
    /// Class `k`'s name, where the data names its classes (a CSV's labels); `None`: numbered.
    pub class_names: Option<Vec<String>>,
}

/// Why the data could not be loaded; the message (`Display`) is meant for the user.
///
/// CSV positions ([`CellAt`]) are 1-based: the line number in the file (blank lines count) and the
/// column, named by its header cell when the file has a header.
#[derive(Clone, Debug, PartialEq)]
pub enum DataError {
    /// `dataset=csv` without CSV text.
    NoCsv,
    /// The CSV has no rows (or only blank lines).
    Empty,
    /// The CSV has a header and nothing else.
    HeaderOnly,
    /// A feature cell that is not a number.
    NotANumber(CellAt),
    /// A feature cell that is NaN or infinite (including numbers too large for a double).
    NotFinite(CellAt),
    /// A numeric label cell that is not a whole number in 0..=u32::MAX.
    BadLabel(CellAt),
    /// An empty label cell.
    EmptyLabel(CellAt),
    /// A record the `csv` crate could not split (it starts on `line`).
    Malformed { line: usize },
    /// `label-column` names a column the header does not have (names shown as in messages).
    NoSuchColumn { name: String, header: Vec<String> },
    /// `label-column` is a number past the last column.
    LabelColumnOutOfRange { number: usize, width: usize },
    /// A row with another number of columns than the first row (`first_line`).
    Ragged {
        line: usize,
        found: usize,
        expected: usize,
        first_line: usize,
    },
    /// Fewer than two columns: there must be at least one feature and the label.
    TooFewColumns { found: usize },
    /// The CSV's labels take fewer than two values.
    TooFewClasses { found: usize },
    /// More classes than [`limits::MAX_CLASSES`].
    TooManyClasses { found: usize },
    /// More features than [`limits::MAX_DIM`].
    TooManyFeatures { found: usize },
    /// More points than [`limits::MAX_POINTS`] (asked for with `n`, or rows of a CSV).
    TooManyPoints { found: usize },
    /// `n` below what the dataset needs (one point per class or blob).
    TooFewPoints {
        dataset: &'static str,
        n: usize,
        min: usize,
    },
    /// `classes` names a label no point has; `available` are the data's labels.
    MissingClass {
        label: ClassLabel,
        available: Vec<ClassLabel>,
    },
    /// `classes` names a label twice.
    DuplicateClass { label: ClassLabel },
    /// `classes` lists fewer than two labels.
    TooFewSelected { found: usize },
}

/// Where a bad CSV cell is, and what it says.
#[derive(Clone, Debug, PartialEq)]
pub struct CellAt {
    pub line: usize,
    pub column: usize,
    /// The column's header cell, if the CSV has a header and it is not blank (cut to 40 characters).
    pub name: Option<String>,
    /// The cell, trimmed and cut to 40 characters.
    pub cell: String,
}

impl CellAt {
    fn new(line: usize, column: usize, header: Option<&[String]>, cell: &str) -> CellAt {
        let name = header
            .and_then(|h| h.get(column - 1))
            .filter(|n| !n.is_empty())
            .map(|n| shown(n));
        CellAt {
            line,
            column,
            name,
            cell: shown(cell),
        }
    }
}

/// "line 3, column 2" or "line 3, column 2 ("width")".
impl fmt::Display for CellAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)?;
        match &self.name {
            Some(name) => write!(f, " (\"{name}\")"),
            None => Ok(()),
        }
    }
}

/// A cell as quoted in messages: at most 40 characters, control characters escaped.
fn shown(cell: &str) -> String {
    const MAX: usize = 40;
    let mut out = String::new();
    for (i, c) in cell.chars().enumerate() {
        if i == MAX {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    out
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use DataError::*;
        match self {
            NoCsv => write!(f, "dataset=csv needs CSV data"),
            Empty => write!(f, "the CSV is empty"),
            HeaderOnly => write!(f, "the CSV has a header but no data rows"),
            NotANumber(at) if at.cell.is_empty() => write!(f, "{at}: the cell is empty; expected a number"),
            NotANumber(at) => write!(f, "{at}: \"{}\" is not a number", at.cell),
            NotFinite(at) => write!(f, "{at}: \"{}\" is not a finite number", at.cell),
            BadLabel(at) => write!(
                f,
                "{at}: the label \"{}\" is not a whole number from 0 to {} (numeric labels must be; labels that are not numbers are class names)",
                at.cell,
                u32::MAX
            ),
            EmptyLabel(at) => write!(f, "{at}: the label is empty"),
            Malformed { line } => write!(f, "line {line}: the CSV cannot be read there"),
            NoSuchColumn { name, header } => write!(
                f,
                "label-column: the header has no column \"{name}\"; its columns are {}",
                header
                    .iter()
                    .map(|h| format!("\"{h}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            LabelColumnOutOfRange { number, width } => write!(
                f,
                "label-column: column {number} does not exist; the CSV has {}",
                plural(*width, "column", "columns")
            ),
            Ragged { line, found, expected, first_line } => write!(
                f,
                "line {line} has {}, but line {first_line} has {expected}",
                plural(*found, "column", "columns")
            ),
            TooFewColumns { found } => write!(
                f,
                "the CSV has {}; expected at least 2 (the features and the label), separated by commas, semicolons or tabs",
                plural(*found, "column", "columns")
            ),
            TooFewClasses { found } => write!(
                f,
                "the labels take {}; expected at least 2 classes",
                plural(*found, "value", "values")
            ),
            TooManyClasses { found } => write!(
                f,
                "the labels take {found} values; expected at most {} classes",
                limits::MAX_CLASSES
            ),
            TooManyFeatures { found } => write!(
                f,
                "the data has {found} features; expected at most {}",
                limits::MAX_DIM
            ),
            TooManyPoints { found } => write!(
                f,
                "the data has {found} points; expected at most {}",
                limits::MAX_POINTS
            ),
            TooFewPoints { dataset, n, min } => write!(
                f,
                "n = {n} is too few for dataset {dataset}; expected at least {min}"
            ),
            MissingClass { label, available } => {
                let labels: Vec<String> =
                    available.iter().map(|l| shown(&l.to_string())).collect();
                write!(
                    f,
                    "classes: no point has the label {}; the data's labels are {}",
                    shown(&label.to_string()),
                    labels.join(", ")
                )
            }
            DuplicateClass { label } => write!(
                f,
                "classes: the label {} is listed twice",
                shown(&label.to_string())
            ),
            TooFewSelected { found } => write!(
                f,
                "classes lists {}; expected at least 2",
                plural(*found, "label", "labels")
            ),
        }
    }
}

impl std::error::Error for DataError {}

const IRIS_CSV: &str = include_str!("iris.csv");
const DIGITS_CSV: &str = include_str!("digits.csv");

/// The dataset's built-in CSV text, for `iris` and `digits`.
fn builtin_csv(name: DatasetName) -> Option<&'static str> {
    match name {
        DatasetName::Iris => Some(IRIS_CSV),
        DatasetName::Digits => Some(DIGITS_CSV),
        _ => None,
    }
}

/// The number of points `n=default` gives, or `None` for `csv` (all rows).
pub fn default_n(name: DatasetName) -> Option<usize> {
    match (Recipe::of(name), name) {
        (Some(recipe), _) => Some(recipe.default_n()),
        (None, DatasetName::Iris) => Some(150),
        (None, DatasetName::Digits) => Some(1797),
        (None, _) => None,
    }
}

/// The noise level `noise=default` gives, or `None` where `noise` is ignored (line1d and file data).
pub fn default_noise(name: DatasetName) -> Option<f64> {
    Recipe::of(name).and_then(Recipe::default_noise)
}

/// The config's data as a [`Split`], standardized if asked; see the module docs.
pub fn load(config: &Config, csv: Option<&str>) -> Result<Split, DataError> {
    let mut split = match authors::AuthorsSet::of(config.dataset) {
        Some(set) if config.draw() == Draw::Paper => authors::draw(set).split,
        _ => {
            let table = build_table(config, csv)?;
            Split {
                class_names: table.class_names(),
                ..split(&table.data, config.train, config.seed)
            }
        }
    };
    if config.standardize {
        standardize(&mut split);
    }
    Ok(split)
}

/// The config's whole dataset, before the split: generated or parsed, then `classes` and `n`.
pub fn build(config: &Config, csv: Option<&str>) -> Result<Dataset, DataError> {
    build_table(config, csv).map(|t| t.data)
}

/// [`build`] with the labels of the classes kept (in the order of `classes` when it is given).
pub fn build_table(config: &Config, csv: Option<&str>) -> Result<Table, DataError> {
    let name = config.dataset;
    let recipe = Recipe::of(name);
    if let Some(n) = config.n {
        let min = recipe.map_or(2, Recipe::min_n);
        if n > limits::MAX_POINTS {
            return Err(DataError::TooManyPoints { found: n });
        }
        if n < min {
            return Err(DataError::TooFewPoints {
                dataset: name.name(),
                n,
                min,
            });
        }
    }
    let table = match recipe {
        Some(recipe) => Table::from(recipe.generate(config.n, config.noise, config.seed)),
        None => read_csv(
            builtin_csv(name).or(csv).ok_or(DataError::NoCsv)?,
            config.label_column.as_ref(),
        )?,
    };
    let table = match &config.classes {
        Some(wanted) => select_classes(table, wanted)?,
        None => table,
    };
    let data = table.data;
    let data = match config.n {
        // The synthetic sets draw exactly n points (line1d ignores n); file data is capped.
        Some(n) if recipe.is_none() && n < data.len() => {
            let mut keep = Rng::derive(config.seed, "data").permutation(data.len());
            keep.truncate(n);
            data.subset(&keep)
        }
        _ => data,
    };
    Ok(Table { data, ..table })
}

/// The points whose label is in `wanted`, relabelled by position in `wanted`.
fn select_classes(table: Table, wanted: &[ClassLabel]) -> Result<Table, DataError> {
    if wanted.len() < 2 {
        return Err(DataError::TooFewSelected {
            found: wanted.len(),
        });
    }
    let mut relabel: Vec<Option<u32>> = vec![None; table.labels.len()];
    let mut labels = Vec::with_capacity(wanted.len());
    for (new, label) in (0u32..).zip(wanted) {
        let old = table
            .labels
            .iter()
            .position(|l| label.matches(l))
            .ok_or_else(|| DataError::MissingClass {
                label: label.clone(),
                available: table.labels.clone(),
            })?;
        if relabel[old].replace(new).is_some() {
            return Err(DataError::DuplicateClass {
                label: label.clone(),
            });
        }
        labels.push(table.labels[old].clone());
    }
    let data = &table.data;
    let (keep, y): (Vec<usize>, Vec<u32>) = (0..data.len())
        .filter_map(|i| relabel[data.y[i] as usize].map(|class| (i, class)))
        .unzip();
    Ok(Table {
        data: Dataset {
            classes: wanted.len(),
            y,
            ..data.subset(&keep)
        },
        labels,
        header: table.header,
    })
}

/// Shuffles the points with `Rng::derive(seed, "split")` and gives the first round(train·n), at
/// least one, to the training split and the rest to the test split, both in shuffled order.
pub fn split(data: &Dataset, train: f64, seed: u64) -> Split {
    let order = Rng::derive(seed, "split").permutation(data.len());
    // `as` saturates (NaN → 0), so any `train` gives a valid cut.
    let n_train = ((train * data.len() as f64).round() as usize)
        .max(1)
        .min(data.len());
    Split {
        train: data.subset(&order[..n_train]),
        test: data.subset(&order[n_train..]),
        random_labels: None,
        class_names: None,
    }
}

/// Z-scores every feature with the training split's mean and population std, applied to both
/// splits. A feature constant on the training split is only centred (it becomes exactly 0 there):
/// dividing by a zero, or rounding-noise, std would blow it up.
pub fn standardize(split: &mut Split) {
    let (n, dim) = (split.train.len(), split.train.dim);
    if n == 0 {
        return;
    }
    for j in 0..dim {
        let column: Vec<f64> = (0..n).map(|i| split.train.x[i * dim + j]).collect();
        let (shift, scale) = if column.iter().all(|&v| v == column[0]) {
            (column[0], 1.0)
        } else {
            let mean = column.iter().sum::<f64>() / n as f64;
            let var = column.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n as f64;
            let std = var.sqrt();
            // A spread so small that its square underflows: centre only, as for a constant.
            (mean, if std > 0.0 { std } else { 1.0 })
        };
        for data in [&mut split.train, &mut split.test] {
            for row in data.x.chunks_exact_mut(dim) {
                row[j] = (row[j] - shift) / scale;
            }
        }
    }
}
