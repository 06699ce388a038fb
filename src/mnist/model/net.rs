//! A model as burn runs it: the modules a [`ModelSpec`] builds, one per layer, walked once
//! forward.

use burn::module::Module;
use burn::tensor::{Device, Tensor};

use super::layer::Block;
use super::layers;
use super::{DesignError, Layer, ModelSpec};

impl ModelSpec {
    /// The burn module, freshly initialised on `device`, each layer as its description
    /// (`layer::Layer::describe`) builds it; for a design that cannot work, why.
    pub fn init(&self, device: &Device) -> Result<Net, DesignError> {
        let layers = self.layout()?.iter().map(|p| (p.description.build)(device)).collect();
        Ok(Net { layers })
    }
}

/// A model built from a [`ModelSpec`].
#[derive(Module, Debug)]
pub struct Net {
    pub layers: Vec<Block>,
}

impl Net {
    /// Normalised images `[B, 1, 28, 28]` → logits `[B, 10]`.
    pub fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        let x = self.forward_layers(images, self.layers.len());
        let [b, c, h, w] = x.dims();
        x.reshape([b, c * h * w])
    }

    /// The output of the first `n` layers, as `[B, C, H, W]`: what a feature-map view shows.
    pub fn forward_layers(&self, images: Tensor<4>, n: usize) -> Tensor<4> {
        let mut x = images;
        for layer in &self.layers[..n.min(self.layers.len())] {
            x = match layer {
                Block::Conv(m) => layers::conv_layer(m, x),
                Block::Relu(m) => m.forward(x),
                Block::BatchNorm(m) => layers::batch_norm_layer(m, x),
                Block::Dropout(m) => layers::dropout_layer(m, x),
                Block::MaxPool(m) => layers::max_pool_layer(m, x),
                Block::AvgPool(m) => m.forward(x),
                Block::GlobalAvgPool(m) => m.forward(x),
                Block::Linear(m) => {
                    let [b, c, h, w] = x.dims();
                    let y = m.forward(x.reshape([b, c * h * w]));
                    let out = y.dims()[1];
                    y.reshape([b, out, 1, 1])
                }
            };
        }
        x
    }

    /// This net with `spec`'s dropout probabilities. A checkpoint names its architecture, not
    /// whether the run it came from kept dropout (`seed-plain` turns it off), and a dropout
    /// layer holds no weights: a loaded net gets the architecture's, and a resumed run its own.
    pub fn with_dropout_of(mut self, spec: &ModelSpec) -> Net {
        for (block, layer) in self.layers.iter_mut().zip(&spec.layers) {
            if let (Block::Dropout(m), Layer::Dropout { p }) = (block, layer) {
                m.prob = *p;
            }
        }
        self
    }

    /// The first convolution's kernels, `[out, in, k, k]`.
    pub fn first_filters(&self) -> Option<Tensor<4>> {
        self.layers.iter().find_map(|l| match l {
            Block::Conv(m) => Some(m.weight.val()),
            _ => None,
        })
    }

    /// How many layers up to and including the first activation (the maps worth showing).
    pub fn first_activation(&self) -> usize {
        self.layers.iter().position(|l| matches!(l, Block::Relu(_))).map_or(1, |i| i + 1)
    }
}
