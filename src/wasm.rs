//! The browser binding: a thin layer over the library for the page's Web Worker. No numerics here.

use wasm_bindgen::prelude::*;

/// The whole pipeline for one query string (see `Config`), returning the text of `run.json`.
/// `csv` is the data for `dataset=csv`. A failure throws a JS `Error` with the library's message.
#[wasm_bindgen]
pub fn run_json(query: &str, csv: Option<String>) -> Result<String, JsError> {
    crate::run_query(query, csv.as_deref()).map_err(|e| JsError::new(&e.to_string()))
}

/// The crate version, e.g. `0.1.0`.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
