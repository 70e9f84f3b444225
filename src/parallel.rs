//! Native threads that never change a number.
//!
//! Every parallel piece of work here writes its own, fixed part of the result, and whatever is summed
//! across pieces is summed afterwards, in piece order, by one thread. So a result's bits do not depend
//! on how many threads ran it, or on which thread ran which piece: `--threads 1`, `--threads 3` and the
//! page (wasm, where these run in order on the worker's one thread; its extra cores are separate
//! workers, `www/pool.js`) all agree. Threads come from rayon's pool: all cores unless the CLI's
//! `--threads` or [`with_threads`] says otherwise.

/// Threads the pieces can run on: rayon's current pool natively, 1 in wasm.
pub fn threads() -> usize {
    #[cfg(not(target_arch = "wasm32"))]
    return rayon::current_num_threads();
    #[cfg(target_arch = "wasm32")]
    1
}

/// `f(i, item)` for every item, results in item order.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(usize, &T) -> R + Sync + Send) -> Vec<R> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        use rayon::prelude::*;
        items.par_iter().enumerate().map(|(i, t)| f(i, t)).collect()
    }
    #[cfg(target_arch = "wasm32")]
    items.iter().enumerate().map(|(i, t)| f(i, t)).collect()
}

/// `f(i, item)` on every item, each mutable on its own.
pub fn for_each_mut<T: Send>(items: &mut [T], f: impl Fn(usize, &mut T) + Sync + Send) {
    #[cfg(not(target_arch = "wasm32"))]
    {
        use rayon::prelude::*;
        items.par_iter_mut().enumerate().for_each(|(i, t)| f(i, t));
    }
    #[cfg(target_arch = "wasm32")]
    items.iter_mut().enumerate().for_each(|(i, t)| f(i, t));
}

/// `f(i, piece)` on the consecutive pieces of `size` elements of `data` (the last may be shorter).
pub fn for_each_chunk<T: Send>(
    data: &mut [T],
    size: usize,
    f: impl Fn(usize, &mut [T]) + Sync + Send,
) {
    #[cfg(not(target_arch = "wasm32"))]
    {
        use rayon::prelude::*;
        data.par_chunks_mut(size)
            .enumerate()
            .for_each(|(i, c)| f(i, c));
    }
    #[cfg(target_arch = "wasm32")]
    data.chunks_mut(size).enumerate().for_each(|(i, c)| f(i, c));
}

/// Runs `f` with a pool of `threads` threads (the tests' 1, 2 and 3), instead of all cores.
#[cfg(not(target_arch = "wasm32"))]
pub fn with_threads<R: Send>(threads: usize, f: impl FnOnce() -> R + Send) -> R {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .expect("a thread pool")
        .install(f)
}
