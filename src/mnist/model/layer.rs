//! One layer of a model, and everything about each kind of layer in one place
//! ([`Layer::describe`]): what it gives for the maps it takes (or why it cannot take them),
//! its parameters, how it widens what one output sees, its name in the summary, and the burn
//! module it builds ([`Block`]). The checks, the summary and `ModelSpec::init` all read that
//! description; the forward walk (`net`) and which kernels run it (`layers`) go by the module
//! it built.

use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{AdaptiveAvgPool2d, AdaptiveAvgPool2dConfig, AvgPool2d, AvgPool2dConfig, MaxPool2d, MaxPool2dConfig};
use burn::nn::{self, BatchNormConfig, DropoutConfig, LinearConfig, PaddingConfig2d};
use burn::tensor::Device;
use serde::{Deserialize, Serialize};

use crate::mnist::data::{CLASSES, SIDE};

/// The widest a layer may be: far beyond any model of the exercise, and small enough that a
/// mistyped width cannot take the page's memory before the batch-size check sees it.
pub const MAX_WIDTH: usize = 1024;

/// One layer of a model spec.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase", deny_unknown_fields)]
pub enum Layer {
    /// Square convolution, stride 1.
    Conv { out: usize, kernel: usize, pad: usize, bias: bool },
    /// Depthwise convolution: one k×k filter per channel (groups = channels), no bias, stride 1.
    /// With a 1×1 conv after it, a "separable" conv: far fewer parameters than a full one.
    Depthwise { kernel: usize, pad: usize },
    Relu,
    BatchNorm,
    /// Zeroes each value with probability `p` while training (and scales the rest by 1/(1-p)).
    Dropout { p: f64 },
    /// 2×2 max pooling, stride 2.
    MaxPool,
    /// k×k average pooling, stride k.
    AvgPool { kernel: usize },
    /// Average over the whole feature map, to 1×1.
    GlobalAvgPool,
    /// Fully connected, on the flattened features.
    Linear { out: usize },
}

/// A layer the editor can add, with what it starts as.
#[derive(Debug, Clone, Copy, Serialize, ts_rs::TS)]
pub struct LayerPreset {
    pub label: &'static str,
    pub layer: Layer,
}

/// What the page's model editor offers to add, each starting as the exercise's models use it.
pub const LAYER_PRESETS: [LayerPreset; 10] = [
    LayerPreset { label: "3×3 conv", layer: Conv { out: 8, kernel: 3, pad: 1, bias: false } },
    LayerPreset { label: "1×1 conv (mixes channels)", layer: Conv { out: 8, kernel: 1, pad: 0, bias: false } },
    LayerPreset { label: "depthwise 3×3 conv", layer: Depthwise { kernel: 3, pad: 1 } },
    LayerPreset { label: "batch norm", layer: BatchNorm },
    LayerPreset { label: "ReLU", layer: Relu },
    LayerPreset { label: "dropout", layer: Dropout { p: 0.1 } },
    LayerPreset { label: "2×2 max-pool", layer: MaxPool },
    LayerPreset { label: "average pool", layer: AvgPool { kernel: 2 } },
    LayerPreset { label: "global average pool", layer: GlobalAvgPool },
    LayerPreset { label: "linear", layer: Linear { out: CLASSES } },
];

use Layer::*;

/// What a summary row's layer is, for the page to draw it by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum LayerKind {
    Conv,
    Depthwise,
    Relu,
    BatchNorm,
    Dropout,
    MaxPool,
    AvgPool,
    GlobalAvgPool,
    Linear,
}

/// One built layer: the burn module a [`Layer`] builds (`net` walks them forward).
#[derive(Module, Debug)]
pub enum Block {
    Conv(Conv2d),
    Relu(nn::Relu),
    BatchNorm(nn::BatchNorm),
    Dropout(nn::Dropout),
    MaxPool(MaxPool2d),
    AvgPool(AvgPool2d),
    GlobalAvgPool(AdaptiveAvgPool2d),
    Linear(nn::Linear),
}

/// A feature map's shape: channels × side × side.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shape {
    pub channels: usize,
    pub side: usize,
}

/// A layer placed after maps of some shape: everything the model's checks, its summary and its
/// initialisation read of it.
pub struct Description {
    pub output: Shape,
    pub params: usize,
    /// The input pixels one output reads along a side, and how far apart neighbouring outputs'
    /// windows start: what the receptive field grows by.
    pub window: usize,
    pub stride: usize,
    pub kind: LayerKind,
    /// In words, as the summary shows it: "Conv 3×3 1→16, pad 1".
    pub name: String,
    /// The burn module, freshly initialised on a device.
    pub build: Box<dyn Fn(&Device) -> Block>,
}

impl Layer {
    /// This layer placed after maps of shape `input`, or why it cannot go there (`here` says
    /// what the maps are, for the message).
    pub fn describe(self, input: Shape, here: &str) -> Result<Description, String> {
        let Shape { channels: c, side } = input;
        let padding = |pad| PaddingConfig2d::Explicit(pad, pad, pad, pad);
        // Layers that keep the maps' shape and look at one pixel at a time.
        let pointwise = |params, kind, name: String, build: Box<dyn Fn(&Device) -> Block>| Description {
            output: input,
            params,
            window: 1,
            stride: 1,
            kind,
            name,
            build,
        };
        Ok(match self {
            Conv { out, kernel, pad, bias } => {
                let side = window_side("conv", kernel, pad, side, here)?;
                let out = width("a conv's output channels", out)?;
                let padded = if pad > 0 { format!(", pad {pad}") } else { String::new() };
                Description {
                    output: Shape { channels: out, side },
                    params: c * out * kernel * kernel + if bias { out } else { 0 },
                    window: kernel,
                    stride: 1,
                    kind: LayerKind::Conv,
                    name: format!("Conv {kernel}×{kernel} {c}→{out}{padded}"),
                    build: Box::new(move |device| {
                        let config = Conv2dConfig::new([c, out], [kernel, kernel]).with_padding(padding(pad));
                        Block::Conv(config.with_bias(bias).init(device))
                    }),
                }
            }
            Depthwise { kernel, pad } => Description {
                output: Shape { channels: c, side: window_side("depthwise conv", kernel, pad, side, here)? },
                params: c * kernel * kernel,
                window: kernel,
                stride: 1,
                kind: LayerKind::Depthwise,
                name: format!("Depthwise {kernel}×{kernel} ×{c}, pad {pad}"),
                build: Box::new(move |device| {
                    let config = Conv2dConfig::new([c, c], [kernel, kernel]).with_groups(c).with_padding(padding(pad));
                    Block::Conv(config.with_bias(false).init(device))
                }),
            },
            Relu => pointwise(0, LayerKind::Relu, "ReLU".into(), Box::new(|_| Block::Relu(nn::Relu::new()))),
            BatchNorm => pointwise(
                2 * c,
                LayerKind::BatchNorm,
                format!("BatchNorm({c})"),
                Box::new(move |device| Block::BatchNorm(BatchNormConfig::new(c).init(device))),
            ),
            Dropout { p } => {
                if !(p.is_finite() && (0.0..1.0).contains(&p)) {
                    return Err(format!("dropout's probability must be at least 0 and below 1, got {p}"));
                }
                let build = Box::new(move |_: &Device| Block::Dropout(DropoutConfig::new(p).init()));
                pointwise(0, LayerKind::Dropout, format!("Dropout({p})"), build)
            }
            MaxPool => {
                if side < 2 {
                    return Err(format!("a 2×2 max-pool needs at least 2×2 input, {here}"));
                }
                Description {
                    output: Shape { channels: c, side: side / 2 },
                    params: 0,
                    window: 2,
                    stride: 2,
                    kind: LayerKind::MaxPool,
                    name: "MaxPool 2×2".into(),
                    build: Box::new(|_| Block::MaxPool(MaxPool2dConfig::new([2, 2]).with_strides([2, 2]).init())),
                }
            }
            AvgPool { kernel: k } => {
                if !(1..=SIDE).contains(&k) {
                    return Err(format!("an average pool's size must be between 1 and {SIDE}, got {k}"));
                }
                if side < k {
                    return Err(format!("{} {k}×{k} average pool needs at least {k}×{k} input, {here}", article(k)));
                }
                Description {
                    output: Shape { channels: c, side: side / k },
                    params: 0,
                    window: k,
                    stride: k,
                    kind: LayerKind::AvgPool,
                    name: format!("AvgPool {k}×{k}"),
                    build: Box::new(move |_| Block::AvgPool(AvgPool2dConfig::new([k, k]).with_strides([k, k]).init())),
                }
            }
            GlobalAvgPool => Description {
                output: Shape { channels: c, side: 1 },
                params: 0,
                window: side,
                stride: 1,
                kind: LayerKind::GlobalAvgPool,
                name: "Global average pool".into(),
                build: Box::new(|_| Block::GlobalAvgPool(AdaptiveAvgPool2dConfig::new([1, 1]).init())),
            },
            Linear { out } => {
                let out = width("a linear layer's outputs", out)?;
                let inputs = c * side * side;
                Description {
                    output: Shape { channels: out, side: 1 },
                    params: inputs * out + out,
                    window: 1,
                    stride: 1,
                    kind: LayerKind::Linear,
                    name: format!("Linear {inputs}→{out}"),
                    build: Box::new(move |device| Block::Linear(LinearConfig::new(inputs, out).init(device))),
                }
            }
        })
    }
}

/// The side a k×k window with padding leaves of maps `side` wide, or why it does not fit.
fn window_side(what: &str, kernel: usize, pad: usize, side: usize, here: &str) -> Result<usize, String> {
    if !(1..=SIDE).contains(&kernel) {
        return Err(format!("a {what}'s kernel size must be between 1 and {SIDE}, got {kernel}"));
    }
    if pad >= kernel {
        return Err(format!("a {what}'s padding must be less than its kernel size ({kernel}), got {pad}"));
    }
    (side + 2 * pad).checked_sub(kernel).map(|s| s + 1).ok_or_else(|| {
        let padding = if pad == 0 { "without padding".to_string() } else { format!("with padding {pad}") };
        let need = kernel - 2 * pad;
        format!("{} {kernel}×{kernel} {what} {padding} needs at least {need}×{need} input, {here}", article(kernel))
    })
}

/// A layer's width, or why it is out of range.
fn width(what: &str, out: usize) -> Result<usize, String> {
    if (1..=MAX_WIDTH).contains(&out) {
        Ok(out)
    } else {
        Err(format!("{what} must be between 1 and {MAX_WIDTH}, got {out}"))
    }
}

/// "a" or "an" before a number as it is read aloud: "an 8×8 pool", "an 11×11 conv".
fn article(n: usize) -> &'static str {
    if n == 8 || n == 11 || n == 18 || (80..90).contains(&n) { "an" } else { "a" }
}

