//! The MNIST CNNs, described as data: a list of layers, read top to bottom like PyTorch's
//! `nn.Sequential`. One spec builds the burn module ([`net`]), prints the summary table,
//! and is what a checkpoint is checked against. The built-in ones are below; a student's own design is the
//! same data (as JSON: `{"name": …, "layers": [{"kind": "conv", …}, …]}`), checked layer by
//! layer with a message that says where and why it cannot work.
//!
//! - [`layer`]: one layer, and everything about each kind of layer in one place.
//! - `builtin`: the built-in architectures and their names ([`Architecture`]).
//! - [`net`]: the burn module a list builds, walked once forward.
//! - [`layers`]: which kernels each layer's forward pass takes on which device.
//! - [`infer`]: predictions and first-layer views of a trained model.
//! - [`values`]: a model's numbers as flat lists (what replicas send and receive).
//! - [`memory`]: whether a model and batch fit the engine's memory.

mod builtin;
pub mod infer;
pub mod layer;
pub mod layers;
pub mod memory;
pub mod net;
pub mod values;

use serde::{Deserialize, Serialize};

pub use builtin::Architecture;
pub use layer::{Layer, LayerKind, LayerPreset, LAYER_PRESETS, MAX_WIDTH};
use layer::{Description, Shape};
use crate::mnist::data::{CLASSES, SIDE};

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
            let side = input.side;
            let here = if i == 0 { format!("the image is {side}×{side}") } else { format!("the maps are {side}×{side} here") };
            let description =
                layer.describe(input, &here).map_err(|message| DesignError { layer: Some(i + 1), message })?;
            rf += (description.window - 1) * jump;
            jump *= description.stride;
            input = description.output;
            placed.push(Placed { description, receptive_field: rf });
        }
        let total: usize = placed.iter().map(|p| p.description.params).sum();
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
        Ok(self.layout()?.iter().map(|p| p.description.params).sum())
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

/// A layer where it sits in its model.
pub(super) struct Placed {
    pub(super) description: Description,
    receptive_field: usize,
}

impl Placed {
    /// Its summary row: kind and name, output shape [C, H, W], parameters, receptive field.
    fn row(&self) -> SummaryRow {
        let d = &self.description;
        let Shape { channels, side } = d.output;
        SummaryRow {
            kind: d.kind,
            layer: d.name.clone(),
            shape: [channels, side, side],
            params: d.params,
            receptive_field: self.receptive_field,
        }
    }
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
