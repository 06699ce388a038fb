//! One sum per cube: the building block of every GPU kernel here that reduces (a batch norm's
//! statistics, a weight's gradient). Each of a cube's [`UNITS`] units adds up its share of the
//! values in a register, then the cube folds the partial sums pairwise in shared memory.
//!
//! A cube is one workgroup on WebGPU, and 256 is the most units WebGPU guarantees one to have.

use burn_cubecl::cubecl;
use cubecl::prelude::*;

/// Units per cube in the reducing kernels (a power of two).
pub const UNITS: usize = 256;

/// The sum of `value` over the cube's `units` units, returned to every unit. Every unit of
/// the cube must call it (it synchronises the cube), so callers never leave early.
#[cube]
pub fn cube_sum(value: f32, #[comptime] units: usize) -> f32 {
    let mut shared = Shared::<[f32]>::new_slice(units);
    let unit = UNIT_POS as usize;
    shared[unit] = value;
    sync_cube();
    // From the cube's size, not from `units`: a comptime value cannot be a loop's variable.
    let mut stride = CUBE_DIM as usize / 2;
    while stride > 0 {
        if unit < stride {
            shared[unit] = shared[unit] + shared[unit + stride];
        }
        sync_cube();
        stride /= 2;
    }
    let total = shared[0];
    // No unit may write the next sum's partial before every unit has read this one.
    sync_cube();
    total
}
