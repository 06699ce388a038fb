//! Which layers take our kernels: each `*_layer` runs a burn layer's forward pass through
//! this module's operations on Flex (with or without autodiff) when the layer and its input
//! fit them, and through burn's own layer everywhere else (wgpu, evaluation, other shapes).

use burn::backend::DispatchDevice;
use burn::nn::conv::Conv2d;
use burn::nn::pool::MaxPool2d;
use burn::nn::{BatchNorm, Dropout, PaddingConfig2d};
use burn::tensor::{DType, Device, Tensor};

use super::{batch_norm_train, conv2d, depthwise2d, dropout_mask, max_pool2x2};

/// Whether these operations run on `device`: Flex, with or without autodiff.
pub fn supported(device: &Device) -> bool {
    match device.as_dispatch() {
        DispatchDevice::Flex(_) => true,
        DispatchDevice::Autodiff(inner) => matches!(**inner, DispatchDevice::Flex(_)),
        #[allow(unreachable_patterns)]
        _ => false,
    }
}

/// A convolution layer's forward pass: on the CPU through [`conv2d`] (several times faster
/// there than burn's), elsewhere — or for a layer or input our kernel does not cover, which
/// burn then reports in its own words — burn's own.
pub fn conv_layer(m: &Conv2d, x: Tensor<4>) -> Tensor<4> {
    let [_, c, h, w] = x.dims();
    let k = m.kernel_size[0];
    let simple = m.stride == [1, 1] && m.dilation == [1, 1] && m.kernel_size[1] == k && x.dtype() == DType::F32;
    let pad = match m.padding {
        PaddingConfig2d::Explicit(pad, b, l, r) if [b, l, r] == [pad; 3] => Some(pad),
        _ => None,
    };
    match pad {
        Some(pad) if simple && h + 2 * pad >= k && w + 2 * pad >= k && supported(&x.device()) => {
            if m.groups == 1 {
                // The bias is read before the weight on purpose: burn initialises parameters
                // lazily, on first read, so this order decides which random draws each one
                // gets; changing it changes every recorded run of a model with biases.
                let bias = match &m.bias {
                    Some(bias) => bias.val(),
                    // A constant zero: nothing asks for its gradient.
                    None => Tensor::zeros([m.weight.dims()[0]], &x.device()),
                };
                conv2d(x, m.weight.val(), bias, pad)
            } else if m.groups == c && m.weight.dims()[0] == c && m.bias.is_none() {
                depthwise2d(x, m.weight.val(), pad)
            } else {
                m.forward(x)
            }
        }
        _ => m.forward(x),
    }
}

/// A batch norm layer's forward pass: training on the CPU through [`batch_norm_train`],
/// updating the running averages exactly as burn's layer does; otherwise (evaluation, the
/// GPU) burn's layer itself.
pub fn batch_norm_layer(m: &BatchNorm, x: Tensor<4>) -> Tensor<4> {
    let device = x.device();
    let fits = x.dims()[1] == m.gamma.dims()[0] && x.dtype() == DType::F32;
    if !(device.is_autodiff() && m.training.is_enabled() && fits && supported(&device)) {
        return m.forward(x);
    }
    let (y, mean, var) = batch_norm_train(x, m.gamma.val(), m.beta.val(), m.epsilon);
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

/// A max-pooling layer's forward pass: 2×2 windows with stride 2 on the CPU through
/// [`max_pool2x2`], any other pooling (or device) through burn's layer.
pub fn max_pool_layer(m: &MaxPool2d, x: Tensor<4>) -> Tensor<4> {
    let unpadded = matches!(m.padding, PaddingConfig2d::Valid | PaddingConfig2d::Explicit(0, 0, 0, 0));
    let two_by_two = m.kernel_size == [2, 2] && m.stride == [2, 2] && m.dilation == [1, 1] && !m.ceil_mode;
    if two_by_two && unpadded && x.dtype() == DType::F32 && supported(&x.device()) {
        max_pool2x2(x)
    } else {
        m.forward(x)
    }
}

/// A dropout layer's forward pass. While training on the CPU the mask comes from
/// [`dropout_mask`]; elsewhere (evaluation, the GPU) burn's layer.
pub fn dropout_layer(m: &Dropout, x: Tensor<4>) -> Tensor<4> {
    let device = x.device();
    let training = device.is_autodiff() && m.training.is_enabled();
    if training && m.prob > 0.0 && m.prob < 1.0 && x.dtype() == DType::F32 && supported(&device) {
        let mask = dropout_mask(&x, 1.0 - m.prob);
        x * mask
    } else {
        m.forward(x)
    }
}
