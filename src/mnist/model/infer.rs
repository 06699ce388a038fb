//! Using a trained model: class probabilities for any drawn or stored digit, and the views
//! that show what the first layer learned (its filters, one digit's feature maps).

use burn::tensor::{activation::softmax, Device, Tensor, TensorData};
use serde::Serialize;

use crate::mnist::data::augment::{self, AugmentConfig, Params};
use crate::mnist::data::{Split, PIXELS, SIDE};
use super::net::Net;
use crate::mnist::data::rng::Rng;
use crate::mnist::data::tensors::{batch, normalise, read_back};

fn images(pixels: &[f32], device: &Device) -> Result<Tensor<4>, String> {
    if pixels.is_empty() || !pixels.len().is_multiple_of(PIXELS) {
        return Err(format!("expected 28×28 = {PIXELS} pixels per image, got {} values", pixels.len()));
    }
    if let Some(v) = pixels.iter().find(|v| !(0.0..=1.0).contains(*v)) {
        return Err(format!("pixels must lie between 0 and 1, got {v}"));
    }
    let b = pixels.len() / PIXELS;
    Ok(Tensor::from_data(TensorData::new(pixels.to_vec(), [b, 1, SIDE, SIDE]), device))
}

/// Class probabilities for images given as 28×28 floats in [0, 1] (white digit on black,
/// like MNIST), `[B × 10]` flattened.
pub async fn probabilities(model: &Net, pixels: &[f32], device: &Device) -> Result<Vec<f32>, String> {
    let x = images(pixels, device)?;
    let p = softmax(model.forward(normalise(x)), 1);
    let n: usize = p.dims().iter().product();
    read_back::<f32>(p.reshape([n])).await
}

/// Tensors flattened for display, with their shape.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Grid {
    pub shape: Vec<usize>,
    pub values: Vec<f32>,
}

async fn grid<const D: usize>(t: Tensor<D>) -> Result<Grid, String> {
    let shape = t.dims().to_vec();
    let n: usize = shape.iter().product();
    Ok(Grid { shape, values: read_back::<f32>(t.reshape([n])).await? })
}

/// The first layer's filters and one image's feature maps after the first activation.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Inspection {
    pub filters: Grid,
    pub maps: Grid,
    pub probabilities: Vec<f32>,
}

pub async fn inspect(model: &Net, pixels: &[f32], device: &Device) -> Result<Inspection, String> {
    if pixels.len() != PIXELS {
        return Err(format!("inspect takes one image of {PIXELS} pixels, got {}", pixels.len()));
    }
    let filters = model.first_filters().ok_or("this model has no convolution")?;
    let x = normalise(images(pixels, device)?);
    let maps = model.forward_layers(x, model.first_activation());
    let [_, c, h, w] = maps.dims();
    Ok(Inspection {
        filters: grid(filters).await?,
        maps: grid(maps.reshape([c, h, w])).await?,
        probabilities: probabilities(model, pixels, device).await?,
    })
}

/// The images at `indices` after one random draw of `config` each (seeded): what the
/// training loop sees. Pixels as bytes, `indices.len() × 784`.
pub async fn augmented(split: &Split, indices: &[usize], config: &AugmentConfig, seed: u64, device: &Device) -> Result<Vec<u8>, String> {
    if let Some(&i) = indices.iter().find(|&&i| i >= split.len()) {
        return Err(format!("image {i} does not exist (there are {})", split.len()));
    }
    if indices.is_empty() {
        return Ok(Vec::new());
    }
    let mut rng = Rng::new(seed);
    let params: Vec<Params> = indices.iter().map(|_| config.draw(&mut rng)).collect();
    let (x, _) = batch(split, indices, device);
    let x = augment::apply(x, &params, config.interpolation);
    let n: usize = x.dims().iter().product();
    Ok(read_back::<f32>(x.reshape([n])).await?.into_iter().map(|v| (v * 255.0).round().clamp(0.0, 255.0) as u8).collect())
}
