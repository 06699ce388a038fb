//! A model on a test set: accuracy, loss, confusion matrix, and every mistake with its guess.

use burn::module::Module;
use burn::tensor::{Device, Tensor};

use super::data::{Split, CLASSES};
use super::net::Net;
use super::report::{Evaluation, Mistake};
use super::step::loss;
use super::tensors::{batch, normalise, read_back};

/// Images per forward pass when testing. A batch's activations are the engine's largest buffers,
/// and memory a wasm module has grown to is never given back to the page: testing `compact` on
/// the 10,000 images grew the engine to 174 MB at 1000, to 90 MB at 250, as fast (4.0–4.3 s
/// against 4.4–4.5 s on the CPU backend; docs/results.md).
const EVAL_BATCH: usize = 250;

/// `model` on `split`, in batches of [`EVAL_BATCH`], each read back once (its loss and predictions).
pub async fn evaluate(model: &Net, split: &Split, device: &Device) -> Result<Evaluation, String> {
    let model = model.valid();
    let mut confusion = [[0u32; CLASSES]; CLASSES];
    let mut misclassified = Vec::new();
    let mut loss_sum = 0.0;
    let n = split.len();
    for start in (0..n).step_by(EVAL_BATCH) {
        let indices: Vec<usize> = (start..(start + EVAL_BATCH).min(n)).collect();
        let (x, y) = batch(split, &indices, device);
        let logits = model.forward(normalise(x));
        let losses = loss(logits.clone(), y, 0.0).sum();
        let predicted = logits.argmax(1).reshape([indices.len()]).float();
        let values = read_back::<f64>(Tensor::cat(vec![losses, predicted], 0)).await?;
        loss_sum += values[0];
        for (k, &i) in indices.iter().enumerate() {
            let (label, predicted) = (split.labels[i], (values[1 + k] as usize).min(CLASSES - 1) as u8);
            confusion[label as usize][predicted as usize] += 1;
            if label != predicted {
                misclassified.push(Mistake { index: i as u32, label, predicted });
            }
        }
    }
    let correct: u32 = (0..CLASSES).map(|c| confusion[c][c]).sum();
    Ok(Evaluation {
        loss: loss_sum / n as f64,
        accuracy: 100.0 * correct as f64 / n as f64,
        confusion,
        misclassified,
    })
}
