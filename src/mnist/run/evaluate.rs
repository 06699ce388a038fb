//! A model on a test set: accuracy, loss, confusion matrix, and every mistake with its guess.

use burn::module::Module;
use burn::tensor::{Device, Tensor};

use crate::mnist::data::{Split, CLASSES, PIXELS};
use crate::mnist::model::net::Net;
use super::report::{Evaluation, Mistake};
use super::step::loss;
use crate::mnist::data::tensors::{normalise, read_back, to_tensors};

/// Images per forward pass when testing. A batch's activations are the engine's largest buffers,
/// and memory a wasm module has grown to is never given back to the page: testing `compact` on
/// the 10,000 images grew the engine to 174 MB at 1000, to 90 MB at 250, as fast (4.0–4.3 s
/// against 4.4–4.5 s on the CPU backend; docs/results.md). Test images shared between replicas
/// are split at multiples of it, so that each batch, and so the result, is the same.
pub const EVAL_BATCH: usize = 250;

/// `model` on `split`, in batches of [`EVAL_BATCH`], each read back once (its loss and predictions).
pub async fn evaluate(model: &Net, split: &Split, device: &Device) -> Result<Evaluation, String> {
    let (losses, predicted) = predict(&model.valid(), &split.images, &split.labels, device).await?;
    Ok(evaluation(&split.labels, &losses, &predicted))
}

/// Each image's predicted digit and the loss summed over each batch of [`EVAL_BATCH`], for
/// `labels.len()` images given as 784 bytes each; `model` without autodiff.
pub async fn predict(model: &Net, pixels: &[u8], labels: &[u8], device: &Device) -> Result<(Vec<f64>, Vec<u8>), String> {
    let (mut losses, mut predicted) = (Vec::new(), Vec::with_capacity(labels.len()));
    for start in (0..labels.len()).step_by(EVAL_BATCH) {
        let end = (start + EVAL_BATCH).min(labels.len());
        let (x, y) = to_tensors(&pixels[start * PIXELS..end * PIXELS], &labels[start..end], device);
        let logits = model.forward(normalise(x));
        let batch_loss = loss(logits.clone(), y, 0.0).sum();
        let guesses = logits.argmax(1).reshape([end - start]).float();
        let values = read_back::<f64>(Tensor::cat(vec![batch_loss, guesses], 0)).await?;
        losses.push(values[0]);
        predicted.extend(values[1..].iter().map(|&p| (p as usize).min(CLASSES - 1) as u8));
    }
    Ok((losses, predicted))
}

/// The evaluation of predictions `predicted` for `labels`, with the losses per test batch
/// (summed in order, as one engine sums them).
pub fn evaluation(labels: &[u8], losses: &[f64], predicted: &[u8]) -> Evaluation {
    let mut confusion = [[0u32; CLASSES]; CLASSES];
    let mut misclassified = Vec::new();
    for (i, (&label, &guess)) in labels.iter().zip(predicted).enumerate() {
        confusion[label as usize][guess as usize] += 1;
        if label != guess {
            misclassified.push(Mistake { index: i as u32, label, predicted: guess });
        }
    }
    let correct: u32 = (0..CLASSES).map(|c| confusion[c][c]).sum();
    let n = labels.len();
    Evaluation {
        loss: losses.iter().sum::<f64>() / n as f64,
        accuracy: 100.0 * correct as f64 / n as f64,
        confusion,
        misclassified,
    }
}
