//! Splitting a batch across threads: rayon natively, one after the other in wasm (where the
//! CPU backend runs on a single thread).

/// `f(i)` for `i` in `0..count`, collected in order.
pub fn map<T: Send>(count: usize, f: impl Fn(usize) -> T + Send + Sync) -> Vec<T> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        use rayon::prelude::*;
        (0..count).into_par_iter().map(f).collect()
    }
    #[cfg(target_arch = "wasm32")]
    {
        (0..count).map(f).collect()
    }
}

/// `f(i, chunk, scratch)` for each `chunk_len`-long chunk of `data` (the i-th image of a
/// batch, say), with a zeroed `scratch_len` buffer per worker that `f` may reuse.
pub fn for_each_chunk_with_scratch(
    data: &mut [f32],
    chunk_len: usize,
    scratch_len: usize,
    f: impl Fn(usize, &mut [f32], &mut [f32]) + Send + Sync,
) {
    #[cfg(not(target_arch = "wasm32"))]
    {
        use rayon::prelude::*;
        data.par_chunks_exact_mut(chunk_len)
            .enumerate()
            .for_each_init(|| vec![0.0; scratch_len], |scratch, (i, chunk)| f(i, chunk, scratch));
    }
    #[cfg(target_arch = "wasm32")]
    {
        let mut scratch = vec![0.0; scratch_len];
        for (i, chunk) in data.chunks_exact_mut(chunk_len).enumerate() {
            f(i, chunk, &mut scratch);
        }
    }
}

/// `f(i, chunk)` for each `chunk_len`-long chunk of `data`.
pub fn for_each_chunk(data: &mut [f32], chunk_len: usize, f: impl Fn(usize, &mut [f32]) + Send + Sync) {
    for_each_chunk_with_scratch(data, chunk_len, 0, |i, chunk, _| f(i, chunk));
}
