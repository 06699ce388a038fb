//! Trained weights to bytes and back. The bytes are a short header naming the model, then (from
//! version 2) one JSON line with the run's [`Snapshot`] if there is one and the model's layers if
//! it is a student's design, the optimizer's values, and burn's burnpack record: loading into the
//! wrong architecture says which one it was for, a design is rebuilt from its own file, and a
//! run saved mid-way continues exactly where it was.

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::store::{ModuleRecord, RecordError};
use burn::tensor::{Bytes, Device, Tensor, TensorData};
use serde::{Deserialize, Serialize};

use crate::mnist::model::ModelSpec;
use crate::mnist::model::net::Net;
use super::snapshot::Snapshot;
use crate::mnist::data::tensors::read_back;

const MAGIC: &str = "gradbook-mnist-v2";
/// Weights only, as gradbook wrote them before runs could be resumed exactly.
const MAGIC_V1: &str = "gradbook-mnist-v1";
/// The JSON line is a few kilobytes; a longer one is damage, not a run.
const MAX_JSON: usize = 1 << 20;

/// A file's contents: the model and, if it was saved during a run, where that run was.
pub struct Checkpoint {
    pub spec: ModelSpec,
    pub model: Net,
    pub run: Option<SavedRun>,
}

/// A run's snapshot, its optimizer's values (laid out as `snapshot.optimizer` says) and the
/// average of its weights so far, if it averages (every value of the model, in visiting order).
#[derive(Debug, Clone)]
pub struct SavedRun {
    pub snapshot: Snapshot,
    pub optimizer: Vec<f32>,
    pub average: Vec<f32>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Header {
    snapshot: Option<Snapshot>,
    /// A design's layers (a built-in model is known by its name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    design: Option<ModelSpec>,
    /// How many `f32` follow the JSON line before the weights: the optimizer's, then the
    /// average's.
    optimizer_values: usize,
    #[serde(default, skip_serializing_if = "is_zero")]
    average_values: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// `model` (trained from `spec`, on any device) as bytes: its weights only.
pub async fn to_bytes(spec: &ModelSpec, model: &Net) -> Result<Vec<u8>, String> {
    encode(spec, model, None).await
}

/// [`to_bytes`] with the run `model` is part of, so the run can continue from the file.
pub async fn with_run(spec: &ModelSpec, model: &Net, run: &SavedRun) -> Result<Vec<u8>, String> {
    encode(spec, model, Some(run)).await
}

async fn encode(spec: &ModelSpec, model: &Net, run: Option<&SavedRun>) -> Result<Vec<u8>, String> {
    // burn serialises with synchronous reads, which WebGPU forbids: copy to the CPU first.
    let model = to_cpu(spec, model).await?;
    let record = model.into_record().into_bytes().map_err(|e| format!("could not serialise the weights: {e:?}"))?;
    let header = Header {
        snapshot: run.map(|r| r.snapshot.clone()),
        design: (!spec.is_builtin()).then(|| spec.clone()),
        optimizer_values: run.map_or(0, |r| r.optimizer.len()),
        average_values: run.map_or(0, |r| r.average.len()),
    };
    let json = serde_json::to_string(&header).map_err(|e| format!("could not describe the run: {e}"))?;
    let mut out = format!("{MAGIC}\n{}\n{json}\n", spec.name).into_bytes();
    for v in run.map_or(&[][..], |r| &r.optimizer[..]).iter().chain(run.map_or(&[][..], |r| &r.average[..])) {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&record);
    Ok(out)
}

/// The model named in `bytes`, with its weights, on `device`. `expected` (if given) must match.
pub fn from_bytes(bytes: &[u8], expected: Option<&str>, device: &Device) -> Result<(ModelSpec, Net), String> {
    read(bytes, expected, device).map(|c| (c.spec, c.model))
}

/// Everything in `bytes`: [`from_bytes`] plus the run it was saved from, if any.
pub fn read(bytes: &[u8], expected: Option<&str>, device: &Device) -> Result<Checkpoint, String> {
    let bad = || "not a gradbook MNIST checkpoint (no gradbook-mnist header)".to_string();
    let line_end = |from: usize, max: usize| {
        let rest = bytes.get(from..)?;
        rest.iter().take(max + 1).position(|&b| b == b'\n').map(|p| from + p)
    };
    let first = line_end(0, 64).ok_or_else(bad)?;
    let version = match &bytes[..first] {
        m if m == MAGIC.as_bytes() => 2,
        m if m == MAGIC_V1.as_bytes() => 1,
        _ => return Err(bad()),
    };
    let second = line_end(first + 1, 64).ok_or_else(bad)?;
    let name = std::str::from_utf8(&bytes[first + 1..second]).map_err(|_| bad())?;
    if let Some(want) = expected {
        if want != name {
            return Err(format!("this checkpoint holds weights for model '{name}', not '{want}'"));
        }
    }
    let (header, mut at) = match version {
        1 => (Header { snapshot: None, design: None, optimizer_values: 0, average_values: 0 }, second + 1),
        _ => {
            let end = line_end(second + 1, MAX_JSON).ok_or_else(|| unreadable("its run description is cut short"))?;
            let header: Header = std::str::from_utf8(&bytes[second + 1..end])
                .ok()
                .and_then(|text| serde_json::from_str(text).ok())
                .ok_or_else(|| unreadable("its run description is damaged"))?;
            (header, end + 1)
        }
    };
    let spec = match &header.design {
        Some(design) if design.name == name && !design.is_builtin() => {
            design.check().map_err(|e| format!("the model in this weights file cannot be built: {e}"))?;
            design.clone()
        }
        Some(_) => return Err(unreadable("its model's name and layers disagree")),
        None => ModelSpec::by_name(name)?,
    };
    let mut floats = |count: usize, what: &str| -> Result<Vec<f32>, String> {
        let len = count.checked_mul(4).filter(|&n| n <= bytes.len() - at).ok_or_else(|| unreadable(&format!("its {what} is cut short")))?;
        let values = bytes[at..at + len].chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
        at += len;
        Ok(values)
    };
    let optimizer = floats(header.optimizer_values, "optimizer state")?;
    let average = floats(header.average_values, "average of the weights")?;
    let model = weights(&spec, &bytes[at..], device)?;
    let run = match header.snapshot {
        Some(snapshot) => {
            if snapshot.config.model.name() != spec.name {
                return Err(unreadable("its run trained another model"));
            }
            let bad = optimizer.iter().chain(&average).filter(|v| !v.is_finite()).count();
            if bad > 0 {
                return Err(not_finite(bad));
            }
            if (snapshot.averaged > 0) != !average.is_empty() {
                return Err(unreadable("its average of the weights does not match its run"));
            }
            Some(SavedRun { snapshot, optimizer, average })
        }
        None => None,
    };
    Ok(Checkpoint { spec, model, run })
}

/// The burnpack record `bytes` as `spec`'s model on `device`, every value checked finite.
fn weights(spec: &ModelSpec, bytes: &[u8], device: &Device) -> Result<Net, String> {
    let name = &spec.name;
    let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(bytes.to_vec()))
        .map_err(|e| unreadable(&format!("{e:?}")))?
        // Our files hold f32 only; a damaged or forged one that names another type is converted
        // (burn, asked to make a float parameter of integers, would panic: a dead engine in
        // the page). Non-numbers are refused below either way.
        .cast_to_module_dtype();
    // Loaded on the CPU first: its values can be checked there with a synchronous read.
    let cpu = Device::flex();
    let model = spec.init(&cpu).map_err(|e| e.to_string())?.try_load_record(record).map_err(|e| match e {
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
        return Err(not_finite(bad));
    }
    Ok(if *device == cpu { model } else { model.to_device(device) })
}

fn not_finite(count: usize) -> String {
    format!(
        "the checkpoint holds {count} values that are not finite numbers (NaN or infinite): \
         weights saved from a run that diverged; train again with a smaller learning rate"
    )
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
pub async fn all_values(model: &Net) -> Result<Vec<f32>, String> {
    read_back::<f32>(flat(model)).await
}

/// Whether every weight and statistic of `model` is a finite number.
pub async fn all_finite(model: &Net) -> Result<bool, String> {
    Ok(all_values(model).await?.iter().all(|v| v.is_finite()))
}

/// A copy of `model` on the CPU, its weights and BatchNorm statistics read back in one
/// asynchronous transfer.
async fn to_cpu(spec: &ModelSpec, model: &Net) -> Result<Net, String> {
    let values = all_values(model).await?;

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
    let cpu = spec.init(&device).map_err(|e| e.to_string())?.map(&mut fill);
    if fill.at != fill.values.len() {
        return Err(format!("model '{}' does not match its weights ({} of {} values used)", spec.name, fill.at, fill.values.len()));
    }
    Ok(cpu)
}
