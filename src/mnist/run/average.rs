//! Weight averaging: the mean of the model's values over a run's last steps (as stochastic
//! weight averaging does over the end of a schedule). Where a run asks for it
//! (`TrainConfig::average_last`), that mean is the model its tests see and the one it keeps:
//! the last steps' noise averages out, which counts most when a run is short.

use burn::tensor::{Device, Tensor, TensorData};

use crate::mnist::model::net::Net;
use crate::mnist::data::tensors::read_back;
use crate::mnist::model::values::{self, Which};

/// The running mean of every value of the model (weights and batch-norm statistics) over the
/// `count` steps added so far, flat, on the model's device.
pub struct Average {
    mean: Tensor<1>,
    count: usize,
}

impl Average {
    /// The mean of `model` alone.
    pub fn of(model: &Net) -> Self {
        Average { mean: values::flat(model, Which::All), count: 1 }
    }

    /// `model`'s values added to the mean: mean += (values − mean) / (count + 1).
    pub fn add(&mut self, model: &Net) {
        self.count += 1;
        let values = values::flat(model, Which::All);
        self.mean = self.mean.clone() + (values - self.mean.clone()).div_scalar(self.count as f64);
    }

    pub fn count(&self) -> usize {
        self.count
    }

    /// A model like `like` (its layers) holding the mean, without autodiff: the one to test.
    pub async fn model(&self, like: &Net) -> Result<Net, String> {
        use burn::module::Module;
        values::fill(like.valid(), Which::All, &self.values().await?)
    }

    /// The mean's values, read back (to save them, or to build its model).
    pub async fn values(&self) -> Result<Vec<f32>, String> {
        read_back::<f32>(self.mean.clone()).await
    }

    /// A mean saved as `values` over `count` steps, on `device`.
    pub fn load(count: usize, values: Vec<f32>, device: &Device) -> Self {
        let n = values.len();
        Average { mean: Tensor::from_data(TensorData::new(values, [n]), &device.clone().inner()), count }
    }
}
