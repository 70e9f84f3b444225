//! Training (being written).
use crate::{config::Config, data::Split};

#[derive(Clone, Debug, PartialEq)]
pub struct TrainError(pub String);
impl std::fmt::Display for TrainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
pub struct Trained {
    pub params: Vec<f64>,
}
pub fn train(_config: &Config, _split: &Split) -> Result<Trained, TrainError> {
    Err(TrainError("not yet".into()))
}
