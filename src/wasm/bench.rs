//! The browser benchmark: [`bench`] runs one workload of [`crate::bench`] with `performance.now()` as
//! the clock, the same code as `hessian-boundary bench` natively.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Runs the benchmark workload `workload` (gaussian, iris or digits) and returns its JSON line.
/// `dense_max_p` bounds the dense route (0: not measured); `progress` (optional) gets a line per phase.
/// `peak_rss_mb` is the size of the module's linear memory, which only grows: its peak.
#[wasm_bindgen]
pub fn bench(
    workload: &str,
    repeats: usize,
    quick: bool,
    dense_max_p: usize,
    progress: Option<js_sys::Function>,
) -> Result<String, JsError> {
    let w = crate::bench::workload(workload)
        .ok_or_else(|| JsError::new(&format!("unknown workload {workload:?}")))?;
    let global = js_sys::global();
    let performance = js_sys::Reflect::get(&global, &"performance".into())
        .map_err(|_| JsError::new("no performance object"))?;
    let now: js_sys::Function = js_sys::Reflect::get(&performance, &"now".into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(|| JsError::new("no performance.now"))?;
    let clock = || {
        now.call0(&performance)
            .ok()
            .and_then(|t| t.as_f64())
            .unwrap_or(f64::NAN)
            / 1000.0
    };
    let memory_mb =
        || Some((core::arch::wasm32::memory_size(0) * 65_536) as f64 / (1024.0 * 1024.0));
    let mut report = |line: &str| {
        if let Some(f) = &progress {
            let _ = f.call1(&JsValue::NULL, &line.into());
        }
    };
    let opts = crate::bench::BenchOptions {
        repeats,
        quick,
        dense_max_p,
    };
    crate::bench::run(w, &opts, &clock, &memory_mb, &mut report, None)
        .map(|m| m.to_json())
        .map_err(|e| JsError::new(&e.to_string()))
}
