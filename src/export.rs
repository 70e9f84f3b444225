//! run.json (being written).
use crate::{config::Config, data::Split, train::Trained};
pub struct Run {
    pub params: Vec<f64>,
}
impl Run {
    pub fn new(_config: &Config, _split: Split, trained: Trained) -> Run {
        Run { params: trained.params }
    }
    pub fn to_json(&self) -> String {
        String::new()
    }
}
