//! Trained weights to bytes and back. The bytes are a short header naming the model, then
//! burn's burnpack record, so loading into the wrong architecture says which one it was for.

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::store::{ModuleRecord, RecordError};
use burn::tensor::{Bytes, Device, Tensor, TensorData};

use super::model::{ModelSpec, Net};
use super::train::read_back;

const MAGIC: &str = "gradbook-mnist-v1";

/// `model` (trained from `spec`, on any device) as bytes.
pub async fn to_bytes(spec: &ModelSpec, model: &Net) -> Result<Vec<u8>, String> {
    // burn serialises with synchronous reads, which WebGPU forbids: copy to the CPU first.
    let model = to_cpu(spec, model).await?;
    let record = model.into_record().into_bytes().map_err(|e| format!("could not serialise the weights: {e:?}"))?;
    let mut out = format!("{MAGIC}\n{}\n", spec.name).into_bytes();
    out.extend_from_slice(&record);
    Ok(out)
}

/// The model named in `bytes`, with its weights, on `device`. `expected` (if given) must match.
pub fn from_bytes(bytes: &[u8], expected: Option<&str>, device: &Device) -> Result<(ModelSpec, Net), String> {
    let bad = || "not a gradbook MNIST checkpoint (no gradbook-mnist-v1 header)".to_string();
    let header_end = |from: usize| bytes[from..].iter().position(|&b| b == b'\n').map(|p| from + p);
    let first = header_end(0).filter(|&e| e < 64).ok_or_else(bad)?;
    if &bytes[..first] != MAGIC.as_bytes() {
        return Err(bad());
    }
    let second = header_end(first + 1).filter(|&e| e - first < 64).ok_or_else(bad)?;
    let name = std::str::from_utf8(&bytes[first + 1..second]).map_err(|_| bad())?;
    if let Some(want) = expected {
        if want != name {
            return Err(format!("this checkpoint holds weights for model '{name}', not '{want}'"));
        }
    }
    let spec = ModelSpec::by_name(name)?;
    let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(bytes[second + 1..].to_vec()))
        .map_err(|e| unreadable(&format!("{e:?}")))?
        // Our files hold f32 only; a damaged or forged one that names another type is converted
        // (burn, asked to make a float parameter of integers, would panic: a dead engine in
        // the page). Non-numbers are refused below either way.
        .cast_to_module_dtype();
    // Loaded on the CPU first: its values can be checked there with a synchronous read.
    let cpu = Device::flex();
    let model = spec.init(&cpu).try_load_record(record).map_err(|e| match e {
        // The header named this model, but its layers have other shapes: weights saved by an
        // earlier version of the model (or a forged header). burn lists every mismatch.
        RecordError::Validation(detail) => format!(
            "the checkpoint does not fit model '{name}' as this version of gradbook builds it \
             (saved from an earlier version of '{name}'?): {}",
            first_problem(&detail)
        ),
        other => unreadable(&other.to_string()),
    })?;
    let values = flat(&model).into_data().try_to_vec::<f32>().map_err(|e| unreadable(&format!("{e:?}")))?;
    let bad = values.iter().filter(|v| !v.is_finite()).count();
    if bad > 0 {
        return Err(format!(
            "the checkpoint holds {bad} values that are not finite numbers (NaN or infinite): \
             weights saved from a run that diverged; train again with a smaller learning rate"
        ));
    }
    let model = if *device == cpu { model } else { model.to_device(device) };
    Ok((spec, model))
}

/// Why a checkpoint's weights could not be read, in words a student can act on. burn's reasons
/// print as Rust (`Io("Validation error: File truncated…")`): only the innermost text is kept.
fn unreadable(reason: &str) -> String {
    let inner = match (reason.find("(\""), reason.rfind("\")")) {
        (Some(start), Some(end)) if start + 2 <= end => &reason[start + 2..end],
        _ => reason,
    };
    let detail = inner.trim_start_matches("Validation error: ").replace('"', "");
    format!("the weights file is cut short or damaged ({detail}): save or download it again")
}

/// The first of the problems burn's validation lists (`Apply errors: ["a", "b"]`), and how
/// many more there are; the whole text if it has another form.
fn first_problem(detail: &str) -> String {
    let Some(start) = detail.find("[\"").map(|i| i + 2) else { return detail.to_string() };
    let Some(len) = detail[start..].find('"') else { return detail.to_string() };
    let more = detail.matches("\", \"").count();
    let first = &detail[start..start + len];
    if more == 0 {
        first.to_string()
    } else {
        format!("{first} (and {more} more)")
    }
}

/// Every value `model` holds (weights and batch-norm statistics) in visiting order, as one
/// tensor on the model's device.
fn flat(model: &Net) -> Tensor<1> {
    struct Collect(Vec<Tensor<1>>);
    impl ModuleVisitor for Collect {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            let t = param.val();
            let n = t.shape().num_elements();
            self.0.push(t.reshape([n]));
        }
    }
    let mut collect = Collect(Vec::new());
    model.valid().visit(&mut collect);
    Tensor::cat(collect.0, 0)
}

/// [`flat`], read back in one asynchronous transfer (the only kind WebGPU allows).
async fn values(model: &Net) -> Result<Vec<f32>, String> {
    read_back::<f32>(flat(model)).await
}

/// Whether every weight and statistic of `model` is a finite number.
pub async fn all_finite(model: &Net) -> Result<bool, String> {
    Ok(values(model).await?.iter().all(|v| v.is_finite()))
}

/// A copy of `model` on the CPU, its weights and BatchNorm statistics read back in one
/// asynchronous transfer.
async fn to_cpu(spec: &ModelSpec, model: &Net) -> Result<Net, String> {
    let values = values(model).await?;

    // The same spec visits its tensors in the same order: refill a fresh CPU model with them.
    struct Fill {
        values: Vec<f32>,
        at: usize,
        device: Device,
    }
    impl ModuleMapper for Fill {
        fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
            let shape = param.shape();
            let n = shape.num_elements();
            let data = TensorData::new(self.values[self.at..self.at + n].to_vec(), shape);
            self.at += n;
            let device = self.device.clone();
            param.map(|_| Tensor::from_data(data, &device))
        }
    }
    let device = Device::flex();
    let mut fill = Fill { values, at: 0, device: device.clone() };
    let cpu = spec.init(&device).map(&mut fill);
    if fill.at != fill.values.len() {
        return Err(format!("model '{}' does not match its weights ({} of {} values used)", spec.name, fill.at, fill.values.len()));
    }
    Ok(cpu)
}
