//! A convolution's sizes, as both devices' kernels read them, from whichever operands a pass
//! has: the forward pass and the weight gradient have the input, the input gradient only the
//! output gradient and the weight.

/// A batch of `n` images `c × h × w`, `o` output channels of `k × k` filters over
/// `c / groups` channels each, zero padding `pad`, stride 1. `groups` is 1 for a full
/// convolution and `c` (with `o == c`) for a depthwise one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConvGeometry {
    pub n: usize,
    pub c: usize,
    pub h: usize,
    pub w: usize,
    pub o: usize,
    pub k: usize,
    pub pad: usize,
    pub groups: usize,
}

impl ConvGeometry {
    /// From the input's shape and the weight's (`[o, c / groups, k, k]`).
    pub fn of_input(x: [usize; 4], weight: [usize; 4], pad: usize, groups: usize) -> Self {
        let [n, c, h, w] = x;
        ConvGeometry { n, c, h, w, o: weight[0], k: weight[2], pad, groups }
    }

    /// From the output gradient's shape and the weight's: the input's size follows.
    pub fn of_output(dy: [usize; 4], weight: [usize; 4], pad: usize, groups: usize) -> Self {
        let [n, o, ho, wo] = dy;
        let k = weight[2];
        ConvGeometry { n, c: weight[1] * groups, h: ho + k - 1 - 2 * pad, w: wo + k - 1 - 2 * pad, o, k, pad, groups }
    }

    /// From the input's shape and the output gradient's: the filter size follows.
    pub fn of_both(x: [usize; 4], dy: [usize; 4], pad: usize, groups: usize) -> Self {
        let [n, c, h, w] = x;
        ConvGeometry { n, c, h, w, o: dy[1], k: h + 2 * pad + 1 - dy[2], pad, groups }
    }

    pub fn out_h(&self) -> usize {
        self.h + 2 * self.pad + 1 - self.k
    }

    pub fn out_w(&self) -> usize {
        self.w + 2 * self.pad + 1 - self.k
    }

    pub fn input(&self) -> [usize; 4] {
        [self.n, self.c, self.h, self.w]
    }

    pub fn output(&self) -> [usize; 4] {
        [self.n, self.o, self.out_h(), self.out_w()]
    }

    pub fn weight(&self) -> [usize; 4] {
        [self.o, self.c / self.groups, self.k, self.k]
    }

    /// Whether a weight `[o, c / groups, k, k]` fits an input `[n, c, h, w]` with this
    /// padding: the filter square, the channels dividing into the groups, the padded input
    /// at least one filter wide.
    pub fn fits(x: [usize; 4], weight: [usize; 4], pad: usize, groups: usize) -> bool {
        let ([_, c, h, w], [o, per_group, k, k2]) = (x, weight);
        groups > 0
            && c % groups == 0
            && o % groups == 0
            && per_group * groups == c
            && k == k2
            && k > 0
            && h + 2 * pad >= k
            && w + 2 * pad >= k
    }
}
