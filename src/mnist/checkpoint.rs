//! Trained weights to bytes and back. The bytes are a short header naming the model, then
//! burn's burnpack record, so loading into the wrong architecture says which one it was for.

use burn::module::Module;
use burn::store::ModuleRecord;
use burn::tensor::{Bytes, Device};

use super::model::{ModelSpec, Net};

const MAGIC: &str = "gradbook-mnist-v1";

/// `model` (trained from `spec`) as bytes.
pub fn to_bytes(spec: &ModelSpec, model: Net) -> Result<Vec<u8>, String> {
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
        .map_err(|e| format!("the checkpoint's weights are unreadable: {e:?}"))?;
    let model = spec
        .init(device)
        .try_load_record(record)
        .map_err(|e| format!("the checkpoint does not fit model '{name}': {e:?}"))?;
    Ok((spec, model))
}
