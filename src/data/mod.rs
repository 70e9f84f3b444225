//! Data: the built-in datasets, the CSV loader, the seeded train/test split and standardization.
//!
//! Everything is a [`Dataset`]: points in a flat row-major `x` (n × dim) and labels `y` in 0..classes.
//! [`load`] turns a [`Config`] (plus, for `dataset=csv`, the CSV text) into a [`Split`].

use crate::config::Config;

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
}

/// The training and test splits of one run.
#[derive(Clone, Debug, PartialEq)]
pub struct Split {
    pub train: Dataset,
    pub test: Dataset,
}

// PLACEHOLDER (replaced by the data implementation).
#[derive(Clone, Debug, PartialEq)]
pub struct DataError(pub String);
impl std::fmt::Display for DataError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
pub fn load(_config: &Config, _csv: Option<&str>) -> Result<Split, DataError> {
    Err(DataError("not yet".into()))
}
