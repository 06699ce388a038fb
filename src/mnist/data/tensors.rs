//! Between the dataset's bytes and the device: a batch of images as tensors, their
//! normalisation, and values read back to the host.

use burn::tensor::{Device, Int, Tensor, TensorData};

use super::{Split, MEAN, SIDE, STD};

/// The images at `indices` as `[B, 1, 28, 28]` floats in [0, 1], and their labels.
pub fn batch(split: &Split, indices: &[usize], device: &Device) -> (Tensor<4>, Tensor<1, Int>) {
    let (pixels, labels) = split.gather(indices);
    to_tensors(&pixels, &labels, device)
}

/// Images as bytes (784 each) and their labels as `[B, 1, 28, 28]` floats in [0, 1] and `[B]`.
pub fn to_tensors(pixels: &[u8], labels: &[u8], device: &Device) -> (Tensor<4>, Tensor<1, Int>) {
    let b = labels.len();
    let x = Tensor::<4>::from_data(
        TensorData::new(pixels.iter().copied().map(f32::from).collect::<Vec<_>>(), [b, 1, SIDE, SIDE]),
        device,
    )
    .div_scalar(255.0);
    let y = Tensor::<1, Int>::from_data(TensorData::new(labels.iter().copied().map(i64::from).collect::<Vec<_>>(), [b]), device);
    (x, y)
}

/// Images in [0, 1] shifted and scaled by the training set's mean and deviation, as the models
/// were trained on.
pub fn normalise(x: Tensor<4>) -> Tensor<4> {
    x.sub_scalar(MEAN).div_scalar(STD)
}

/// `t`'s values on the host, read back asynchronously (the only way WebGPU allows), as `E`.
pub async fn read_back<E: burn::tensor::Element>(t: Tensor<1>) -> Result<Vec<E>, String> {
    let data = t.into_data_async().await.map_err(|e| format!("reading back from the device failed: {e:?}"))?;
    data.convert::<E>().try_into_vec::<E>().map_err(|e| format!("unexpected data: {e:?}"))
}
