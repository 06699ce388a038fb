//! The MNIST CNNs, described as data: a list of layers, read top to bottom like PyTorch's
//! `nn.Sequential`. One spec builds the burn module ([`net`]), prints the summary table,
//! and is what a checkpoint is checked against. The built-in ones are below; a student's own design is the
//! same data (as JSON: `{"name": …, "layers": [{"kind": "conv", …}, …]}`), checked layer by
//! layer with a message that says where and why it cannot work.
//!
//! - [`net`]: the burn module a list builds, walked once forward.
//! - [`layers`]: which kernels each layer's forward pass takes on which device.
//! - [`infer`]: predictions and first-layer views of a trained model.
//! - [`values`]: a model's numbers as flat lists (what replicas send and receive).
//! - [`memory`]: whether a model and batch fit the engine's memory.

pub mod infer;
pub mod layers;
pub mod memory;
pub mod net;
pub mod values;

use serde::{Deserialize, Serialize};

use crate::mnist::data::{CLASSES, SIDE};

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

use Layer::*;

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

const fn conv(out: usize, kernel: usize, pad: usize) -> Layer {
    Conv { out, kernel, pad, bias: true }
}

const fn conv_nobias(out: usize) -> Layer {
    Conv { out, kernel: 3, pad: 1, bias: false }
}

/// A named architecture: a built-in one or a student's design.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ModelSpec {
    pub name: String,
    /// One line about it; a design may leave it empty.
    #[serde(default)]
    pub about: String,
    pub layers: Vec<Layer>,
}

/// The most a design may ask for: far beyond any model of the exercise, and small enough that
/// a mistyped width cannot take the page's memory before the batch-size check sees it.
pub const MAX_LAYERS: usize = 100;
pub const MAX_WIDTH: usize = 1024;
pub const MAX_PARAMS: usize = 2_000_000;
/// The longest name: it heads a weights file's first lines.
pub const MAX_NAME: usize = 40;

/// The exercise's parameter budgets: under 20,000 (the assignment), and the 8,000 our own
/// models keep to.
pub const BUDGETS: [usize; 2] = [20_000, 8_000];

/// Why a design cannot be built: the layer at fault (counted from 1, as the editor and
/// `gradbook models` number them) or, with none, the model as a whole.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct DesignError {
    pub layer: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for DesignError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.layer {
            Some(n) => write!(f, "layer {n}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl ModelSpec {
    /// The seed exercise's final model, layer for layer (9,320 parameters).
    pub fn seed() -> Self {
        let mut layers = vec![conv(4, 3, 1), Relu, Dropout { p: 0.069 }];
        for out in [8, 12, 16, 20] {
            layers.extend([conv(out, 3, 1), Relu, BatchNorm]);
        }
        layers.extend([MaxPool, conv(4, 1, 0)]);
        for out in [8, 12, 16] {
            layers.extend([conv(out, 3, 0), Relu, BatchNorm]);
        }
        layers.extend([conv(CLASSES, 1, 0), AvgPool { kernel: 8 }, Linear { out: CLASSES }]);
        ModelSpec::builtin(Architecture::Seed, "the seed exercise's final model (9,320 parameters)", layers)
    }

    /// Ours: parameters spent on width rather than on full 3×3 convs. After one full conv,
    /// five separable convs (a depthwise 3×3 filtering each channel, then a 1×1 conv mixing
    /// them, → BN → ReLU), widths 16/16, 32/32, 48/48 with max-pools between, global average
    /// pooling, a bias-free 1×1 head. A full 3×3 conv 32→32 costs 9,216 parameters, a
    /// separable one 1,312: two to three times `compact-v2`'s widths for the same size.
    pub fn compact() -> Self {
        let about = "a 3×3 conv, then separable convs 16/32/32/48/48, GAP, 1×1 head (7,936 parameters)";
        Self::separable(Architecture::Compact, about, 16, [16, 32, 32, 48, 48])
    }

    /// `quick`'s model: `compact` with wider separable convs at 7×7 (64, not 48), where a
    /// channel costs least to compute: it reaches 99.4 % in three epochs more surely.
    pub fn quick() -> Self {
        let about = "compact's layers, 64 channels at 7×7: 99.4 % in three epochs (10,608 parameters)";
        Self::separable(Architecture::Quick, about, 16, [16, 32, 32, 64, 64])
    }

    /// The smallest we found that reaches 99.4 %: `compact`'s layers at about half the width.
    pub fn tiny() -> Self {
        let about = "compact's layers at half the width: 8, then 12/20/24/32/28 (3,944 parameters)";
        Self::separable(Architecture::Tiny, about, 8, [12, 20, 24, 32, 28])
    }

    /// A padded 3×3 conv to `first` channels → BN → ReLU, then five separable convs of
    /// `widths`, 2×2 max-pools after the first and the third, global average pooling and a
    /// bias-free 1×1 head.
    fn separable(name: Architecture, about: &str, first: usize, widths: [usize; 5]) -> Self {
        let mut layers = vec![conv_nobias(first), BatchNorm, Relu];
        for (i, width) in widths.into_iter().enumerate() {
            if i == 1 || i == 3 {
                layers.push(MaxPool);
            }
            layers.extend([
                Depthwise { kernel: 3, pad: 1 },
                Conv { out: width, kernel: 1, pad: 0, bias: false },
                BatchNorm,
                Relu,
            ]);
        }
        layers.extend([Conv { out: CLASSES, kernel: 1, pad: 0, bias: false }, GlobalAvgPool]);
        ModelSpec::builtin(name, about, layers)
    }

    /// Our second design, kept for the results page: three stages of padded 3×3 conv → BN →
    /// ReLU (widths 8, 8, 16 with 2, 2 and 3 convs), max-pools between, global average pooling,
    /// a bias-free 1×1 head. Eight channels from the first conv on: four (as in `compact-v1`)
    /// squeezed every 28×28 image through four maps.
    pub fn compact_v2() -> Self {
        Self::staged(Architecture::CompactV2, "three BN-ReLU stages 8×2, 8×2, 16×3, GAP, 1×1 head (7,880 parameters)", &[(8, 2), (8, 2), (16, 3)])
    }

    /// Our first design, kept for the results page: widths 4/8/16 with three convs each.
    pub fn compact_v1() -> Self {
        Self::staged(Architecture::CompactV1, "three BN-ReLU stages 4/8/16 ×3, GAP, 1×1 head (7,852 parameters)", &[(4, 3), (8, 3), (16, 3)])
    }

    /// A candidate with wider early stages and fewer convs per stage: 8/12/16, two convs each.
    pub fn compact_wide() -> Self {
        Self::staged(Architecture::CompactWide, "three BN-ReLU stages 8/12/16 ×2, GAP, 1×1 head (7,144 parameters)", &[(8, 2), (12, 2), (16, 2)])
    }

    /// Stages of (width, convs) padded 3×3 conv → BN → ReLU with 2×2 max-pools between, then
    /// global average pooling and a 1×1 head. Convs feeding a BN carry no bias, which the BN's
    /// shift would cancel anyway.
    fn staged(name: Architecture, about: &str, stages: &[(usize, usize)]) -> Self {
        let mut layers = Vec::new();
        for (i, &(width, convs)) in stages.iter().enumerate() {
            if i > 0 {
                layers.push(MaxPool);
            }
            for _ in 0..convs {
                layers.extend([conv_nobias(width), BatchNorm, Relu]);
            }
        }
        layers.extend([Conv { out: CLASSES, kernel: 1, pad: 0, bias: false }, GlobalAvgPool]);
        ModelSpec::builtin(name, about, layers)
    }

    fn builtin(name: Architecture, about: &str, layers: Vec<Layer>) -> Self {
        ModelSpec { name: name.name().into(), about: about.into(), layers }
    }

    pub fn all() -> Vec<Self> {
        Architecture::ALL.iter().map(|a| a.spec()).collect()
    }

    pub fn by_name(name: &str) -> Result<Self, String> {
        name.parse::<Architecture>().map(|a| a.spec())
    }

    /// Whether this is one of the built-in models (by name: a design may not take one's).
    pub fn is_builtin(&self) -> bool {
        self.name.parse::<Architecture>().is_ok()
    }

    /// The layers one after another with the shapes they take and give: the one walk over the
    /// list that the summary and the initialisation both read.
    pub(super) fn layout(&self) -> Result<Vec<Placed>, DesignError> {
        let mut placed = Vec::with_capacity(self.layers.len());
        self.walk(&mut placed)?;
        Ok(placed)
    }

    /// Places each layer into `placed` in turn; where a design cannot work, stops there with
    /// the layer and the reason (what was placed so far stays, for the editor to show).
    fn walk(&self, placed: &mut Vec<Placed>) -> Result<(), DesignError> {
        let whole = |message: String| DesignError { layer: None, message };
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME || name.chars().any(char::is_control) || name != self.name {
            return Err(whole(format!("a model's name must be 1 to {MAX_NAME} characters on one line, without spaces around it")));
        }
        if self.layers.len() > MAX_LAYERS {
            return Err(whole(format!("a model may have at most {MAX_LAYERS} layers, this one has {}", self.layers.len())));
        }
        let mut input = Shape { channels: 1, side: SIDE };
        // Receptive field r grows by (k-1)·jump per layer; jump is the product of the strides so far.
        let (mut rf, mut jump) = (1usize, 1usize);
        for (i, &layer) in self.layers.iter().enumerate() {
            let at = |message: String| DesignError { layer: Some(i + 1), message };
            let Shape { channels: c, side } = input;
            let here = if i == 0 { format!("the image is {side}×{side}") } else { format!("the maps are {side}×{side} here") };
            // The side a k×k window with padding leaves, or why it does not fit.
            let window = |what: &str, kernel: usize, pad: usize| {
                if !(1..=SIDE).contains(&kernel) {
                    return Err(at(format!("a {what}'s kernel size must be between 1 and {SIDE}, got {kernel}")));
                }
                if pad >= kernel {
                    return Err(at(format!("a {what}'s padding must be less than its kernel size ({kernel}), got {pad}")));
                }
                (side + 2 * pad).checked_sub(kernel).map(|s| s + 1).ok_or_else(|| {
                    let padding = if pad == 0 { "without padding".to_string() } else { format!("with padding {pad}") };
                    let need = kernel - 2 * pad;
                    at(format!("{} {kernel}×{kernel} {what} {padding} needs at least {need}×{need} input, {here}", article(kernel)))
                })
            };
            let width = |what: &str, out: usize| {
                if (1..=MAX_WIDTH).contains(&out) {
                    Ok(out)
                } else {
                    Err(at(format!("{what} must be between 1 and {MAX_WIDTH}, got {out}")))
                }
            };
            let (output, params) = match layer {
                Conv { out, kernel, pad, bias } => {
                    let side = window("conv", kernel, pad)?;
                    let out = width("a conv's output channels", out)?;
                    rf += (kernel - 1) * jump;
                    (Shape { channels: out, side }, c * out * kernel * kernel + if bias { out } else { 0 })
                }
                Depthwise { kernel, pad } => {
                    let side = window("depthwise conv", kernel, pad)?;
                    rf += (kernel - 1) * jump;
                    (Shape { channels: c, side }, c * kernel * kernel)
                }
                Relu => (input, 0),
                Dropout { p } => {
                    if !(p.is_finite() && (0.0..1.0).contains(&p)) {
                        return Err(at(format!("dropout's probability must be at least 0 and below 1, got {p}")));
                    }
                    (input, 0)
                }
                BatchNorm => (input, 2 * c),
                MaxPool => {
                    if side < 2 {
                        return Err(at(format!("a 2×2 max-pool needs at least 2×2 input, {here}")));
                    }
                    rf += jump;
                    jump *= 2;
                    (Shape { channels: c, side: side / 2 }, 0)
                }
                AvgPool { kernel: k } => {
                    if !(1..=SIDE).contains(&k) {
                        return Err(at(format!("an average pool's size must be between 1 and {SIDE}, got {k}")));
                    }
                    if side < k {
                        return Err(at(format!("{} {k}×{k} average pool needs at least {k}×{k} input, {here}", article(k))));
                    }
                    rf += (k - 1) * jump;
                    jump *= k;
                    (Shape { channels: c, side: side / k }, 0)
                }
                GlobalAvgPool => {
                    rf += (side - 1) * jump;
                    (Shape { channels: c, side: 1 }, 0)
                }
                Linear { out } => {
                    let out = width("a linear layer's outputs", out)?;
                    (Shape { channels: out, side: 1 }, c * side * side * out + out)
                }
            };
            placed.push(Placed { layer, input, output, params, receptive_field: rf });
            input = output;
        }
        let total: usize = placed.iter().map(|p| p.params).sum();
        if total > MAX_PARAMS {
            return Err(whole(format!("{total} parameters is more than this engine trains (at most {MAX_PARAMS})")));
        }
        let Shape { channels, side } = input;
        if (channels, side) != (CLASSES, 1) {
            let gives = if self.layers.is_empty() { "with no layers it gives the image itself".to_string() } else {
                format!("this one gives {channels}×{side}×{side} = {}", channels * side * side)
            };
            return Err(whole(format!(
                "the last layer must give {CLASSES} values, one per digit ({CLASSES}×1×1); {gives}: end with a 1×1 conv to \
                 {CLASSES} channels and a global average pool, or a linear layer with {CLASSES} outputs"
            )));
        }
        Ok(())
    }

    /// `Ok` when this model can be built and trained; else where and why not.
    pub fn check(&self) -> Result<(), DesignError> {
        self.layout().map(|_| ())
    }

    /// The summary rows of the layers that fit, and why the next one does not (or the model
    /// as a whole cannot work), if so: what the page's editor shows after every edit.
    pub fn summary_so_far(&self) -> (Vec<SummaryRow>, Option<DesignError>) {
        let mut placed = Vec::new();
        let error = self.walk(&mut placed).err();
        (placed.iter().map(Placed::row).collect(), error)
    }

    /// Per layer: its kind and name, output shape [C, H, W], parameter count and receptive field.
    pub fn summary(&self) -> Result<Vec<SummaryRow>, DesignError> {
        Ok(self.layout()?.iter().map(Placed::row).collect())
    }

    pub fn num_params(&self) -> Result<usize, DesignError> {
        Ok(self.layout()?.iter().map(|p| p.params).sum())
    }

    /// The summary as a text table, as `gradbook models` prints it.
    pub fn summary_table(&self) -> Result<String, DesignError> {
        let about = if self.about.is_empty() { String::new() } else { format!(" — {}", self.about) };
        let mut out = format!("{}{about}\n{:<28} {:>12} {:>8} {:>5}\n", self.name, "layer", "output", "params", "RF");
        for r in self.summary()? {
            let shape = format!("{}×{}×{}", r.shape[0], r.shape[1], r.shape[2]);
            out += &format!("{:<28} {:>12} {:>8} {:>5}\n", r.layer, shape, r.params, r.receptive_field);
        }
        out += &format!("{:<28} {:>12} {:>8}\n", "total", "", self.num_params()?);
        Ok(out)
    }
}

/// The named architectures: what a recipe and a checkpoint name, typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "kebab-case")]
pub enum Architecture {
    Seed,
    Compact,
    Quick,
    Tiny,
    CompactV2,
    CompactV1,
    CompactWide,
}

impl Architecture {
    pub const ALL: [Architecture; 7] = [
        Architecture::Seed,
        Architecture::Compact,
        Architecture::Quick,
        Architecture::Tiny,
        Architecture::CompactV2,
        Architecture::CompactV1,
        Architecture::CompactWide,
    ];

    pub fn spec(self) -> ModelSpec {
        match self {
            Architecture::Seed => ModelSpec::seed(),
            Architecture::Compact => ModelSpec::compact(),
            Architecture::Quick => ModelSpec::quick(),
            Architecture::Tiny => ModelSpec::tiny(),
            Architecture::CompactV2 => ModelSpec::compact_v2(),
            Architecture::CompactV1 => ModelSpec::compact_v1(),
            Architecture::CompactWide => ModelSpec::compact_wide(),
        }
    }

    /// As the page, the CLI and a checkpoint write it: `seed`, `compact-v2`.
    pub fn name(self) -> &'static str {
        match self {
            Architecture::Seed => "seed",
            Architecture::Compact => "compact",
            Architecture::Quick => "quick",
            Architecture::Tiny => "tiny",
            Architecture::CompactV2 => "compact-v2",
            Architecture::CompactV1 => "compact-v1",
            Architecture::CompactWide => "compact-wide",
        }
    }
}

impl std::str::FromStr for Architecture {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, String> {
        Architecture::ALL.into_iter().find(|a| a.name() == name).ok_or_else(|| {
            let names: Vec<_> = Architecture::ALL.iter().map(|a| a.name()).collect();
            format!("unknown model '{name}' (known: {})", names.join(", "))
        })
    }
}

impl std::fmt::Display for Architecture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// "a" or "an" before a number as it is read aloud: "an 8×8 pool", "an 11×11 conv".
fn article(n: usize) -> &'static str {
    if n == 8 || n == 11 || n == 18 || (80..90).contains(&n) { "an" } else { "a" }
}

/// A feature map's shape: channels × side × side.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Shape {
    pub(super) channels: usize,
    pub(super) side: usize,
}

/// A layer where it sits in its model.
pub(super) struct Placed {
    pub(super) layer: Layer,
    pub(super) input: Shape,
    output: Shape,
    params: usize,
    receptive_field: usize,
}

impl Placed {
    /// Its summary row: kind and name, output shape [C, H, W], parameters, receptive field.
    fn row(&self) -> SummaryRow {
        let c = self.input.channels;
        let (kind, name) = match self.layer {
            Conv { out, kernel, pad, .. } => {
                let padding = if pad > 0 { format!(", pad {pad}") } else { String::new() };
                (LayerKind::Conv, format!("Conv {kernel}×{kernel} {c}→{out}{padding}"))
            }
            Depthwise { kernel, pad } => (LayerKind::Depthwise, format!("Depthwise {kernel}×{kernel} ×{c}, pad {pad}")),
            Relu => (LayerKind::Relu, "ReLU".into()),
            BatchNorm => (LayerKind::BatchNorm, format!("BatchNorm({c})")),
            Dropout { p } => (LayerKind::Dropout, format!("Dropout({p})")),
            MaxPool => (LayerKind::MaxPool, "MaxPool 2×2".into()),
            AvgPool { kernel: k } => (LayerKind::AvgPool, format!("AvgPool {k}×{k}")),
            GlobalAvgPool => (LayerKind::GlobalAvgPool, "Global average pool".into()),
            Linear { out } => (LayerKind::Linear, format!("Linear {}→{out}", c * self.input.side * self.input.side)),
        };
        let Shape { channels, side } = self.output;
        SummaryRow { kind, layer: name, shape: [channels, side, side], params: self.params, receptive_field: self.receptive_field }
    }
}

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

#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SummaryRow {
    pub kind: LayerKind,
    /// The layer in words: "Conv 3×3 1→16, pad 1".
    pub layer: String,
    pub shape: [usize; 3],
    pub params: usize,
    pub receptive_field: usize,
}
