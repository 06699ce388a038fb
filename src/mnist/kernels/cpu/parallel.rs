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

/// The sum over `count` images of what `add(i, acc, scratch)` adds into a `len`-long
/// accumulator (a weight gradient, say), with a zeroed `scratch_len` buffer to reuse. Fixed
/// groups of images each sum into their own accumulator, spread over the threads, and the
/// group sums are added in order: the result does not depend on the thread count.
pub fn sum_over_images(
    count: usize,
    len: usize,
    scratch_len: usize,
    add: impl Fn(usize, &mut [f32], &mut [f32]) + Send + Sync,
) -> Vec<f32> {
    const IMAGES_PER_SUM: usize = 8;
    let partial = map(count.div_ceil(IMAGES_PER_SUM), |group| {
        let (mut acc, mut scratch) = (vec![0.0f32; len], vec![0.0f32; scratch_len]);
        for i in group * IMAGES_PER_SUM..((group + 1) * IMAGES_PER_SUM).min(count) {
            add(i, &mut acc, &mut scratch);
        }
        acc
    });
    let mut total = vec![0.0; len];
    for part in partial {
        total.iter_mut().zip(part).for_each(|(a, b)| *a += b);
    }
    total
}
