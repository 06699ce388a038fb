//! Which kernels each layer takes: ours (`mnist::kernels`, on the CPU and the GPU alike) when
//! the layer and its input fit them, burn's own layer everywhere else (other backends, other
//! shapes, and batch norm and dropout outside training).

use burn::nn::conv::Conv2d;
use burn::nn::pool::MaxPool2d;
use burn::nn::{BatchNorm, Dropout, PaddingConfig2d};
use burn::tensor::{DType, Tensor};

use crate::mnist::kernels::{self, kernels};

/// A convolution layer's forward pass through our kernels (several times faster on the CPU
/// than burn's, one kernel per pass on the GPU); for a layer or input they do not cover —
/// which burn then reports in its own words — burn's own.
pub fn conv_layer(m: &Conv2d, x: Tensor<4>) -> Tensor<4> {
    let [_, c, h, w] = x.dims();
    let k = m.kernel_size[0];
    let simple = m.stride == [1, 1] && m.dilation == [1, 1] && m.kernel_size[1] == k && x.dtype() == DType::F32;
    let pad = match m.padding {
        PaddingConfig2d::Explicit(pad, b, l, r) if [b, l, r] == [pad; 3] => Some(pad),
        _ => None,
    };
    let o = m.weight.dims()[0];
    let covered = kernels(&x.device()).covers_conv(c, o, m.groups);
    let Some(pad) = pad.filter(|&pad| simple && covered && h + 2 * pad >= k && w + 2 * pad >= k) else {
        return m.forward(x);
    };
    // The bias is read before the weight on purpose: burn initialises parameters lazily, on
    // first read, so this order decides which random draws each one gets; changing it
    // changes every recorded run of a model with biases.
    let bias = m.bias.as_ref().map(|bias| bias.val());
    kernels::conv2d(x, m.weight.val(), bias, pad, m.groups)
}

/// A batch norm layer's forward pass: while training, through our kernels, updating the
/// running averages exactly as burn's layer does; otherwise (evaluation) burn's layer itself.
pub fn batch_norm_layer(m: &BatchNorm, x: Tensor<4>) -> Tensor<4> {
    let device = x.device();
    let fits = x.dims()[1] == m.gamma.dims()[0] && x.dtype() == DType::F32;
    if !(device.is_autodiff() && m.training.is_enabled() && fits && kernels(&device).ours()) {
        return m.forward(x);
    }
    let (y, mean, var) = kernels::batch_norm_train(x, m.gamma.val(), m.beta.val(), m.epsilon);
    let blend = |running: Tensor<1>, batch: Tensor<1>| {
        running
            .to_device(&device)
            .mul_scalar(1.0 - m.momentum)
            .add(batch.mul_scalar(m.momentum))
            .detach()
    };
    m.running_mean.update(blend(m.running_mean.value_sync(), mean));
    m.running_var.update(blend(m.running_var.value_sync(), var));
    y
}

/// A max-pooling layer's forward pass: 2×2 windows with stride 2 through our kernels, any
/// other pooling (or device) through burn's layer.
pub fn max_pool_layer(m: &MaxPool2d, x: Tensor<4>) -> Tensor<4> {
    let unpadded = matches!(m.padding, PaddingConfig2d::Valid | PaddingConfig2d::Explicit(0, 0, 0, 0));
    let two_by_two = m.kernel_size == [2, 2] && m.stride == [2, 2] && m.dilation == [1, 1] && !m.ceil_mode;
    if two_by_two && unpadded && x.dtype() == DType::F32 && kernels(&x.device()).ours() {
        kernels::max_pool2x2(x)
    } else {
        m.forward(x)
    }
}

/// A dropout layer's forward pass. While training the mask comes from our kernels
/// ([`kernels::dropout_mask`]); in evaluation, burn's layer (which passes `x` through).
pub fn dropout_layer(m: &Dropout, x: Tensor<4>) -> Tensor<4> {
    let device = x.device();
    let training = device.is_autodiff() && m.training.is_enabled();
    if training && m.prob > 0.0 && m.prob < 1.0 && x.dtype() == DType::F32 && kernels(&device).ours() {
        let mask = kernels::dropout_mask(&x, 1.0 - m.prob);
        x * mask
    } else {
        m.forward(x)
    }
}
