//! Weights files: round trips and every way a file can be refused.

use super::*;

#[test]
fn checkpoints_round_trip_and_refuse_the_wrong_model() {
    let _generator = one_generator();
    let device = flex();
    let spec = ModelSpec::compact();
    let net = spec.init(&device).unwrap();
    let x = Tensor::<4>::ones([1, 1, 28, 28], &device);
    let before = net.forward(x.clone()).into_data();
    let bytes = pollster::block_on(checkpoint::to_bytes(&spec, &net)).unwrap();
    let (back_spec, back) = checkpoint::from_bytes(&bytes, Some("compact"), &device).unwrap();
    assert_eq!(back_spec.name, "compact");
    assert_eq!(back.forward(x).into_data(), before);
    let e = checkpoint::from_bytes(&bytes, Some("seed"), &device).unwrap_err();
    assert!(e.contains("'compact', not 'seed'"), "{e}");
    assert!(checkpoint::from_bytes(b"not weights", None, &device).unwrap_err().contains("not a gradbook"));
    // A header that claims another architecture (as an earlier version's weights would; the
    // first version had no line for a run): burn's record check refuses it.
    let record = bytes.iter().enumerate().filter(|(_, &b)| b == b'\n').nth(2).unwrap().0 + 1;
    let mut forged = b"gradbook-mnist-v1\nseed\n".to_vec();
    forged.extend_from_slice(&bytes[record..]);
    let e = checkpoint::from_bytes(&forged, None, &device).unwrap_err();
    // The first mismatch and a count, not burn's whole list.
    assert!(e.contains("does not fit model 'seed'") && e.contains("shape mismatch") && e.contains("more)"), "{e}");
    assert!(e.len() < 400, "{e}");
}

#[test]
fn checkpoints_with_values_that_are_not_numbers_are_refused() {
    use burn::module::{ModuleMapper, Param};
    /// Sets the first value of the first tensor it meets to `value`.
    struct Spoil(Option<f32>);
    impl ModuleMapper for Spoil {
        fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
            let Some(value) = self.0.take() else { return param };
            param.map(|t| {
                let mut data = t.to_data().try_to_vec::<f32>().unwrap();
                data[0] = value;
                Tensor::from_data(TensorData::new(data, t.shape()), &t.device())
            })
        }
    }
    let _generator = one_generator();
    let device = flex();
    let spec = ModelSpec::compact();
    for value in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
        let net = spec.init(&device).unwrap().map(&mut Spoil(Some(value)));
        let bytes = pollster::block_on(checkpoint::to_bytes(&spec, &net)).unwrap();
        let e = checkpoint::from_bytes(&bytes, None, &device).unwrap_err();
        assert!(e.contains("holds 1 values that are not finite"), "{value}: {e}");
    }
}

/// A damaged weights file is refused in words a student can act on, not in burn's own
/// (`Io("Validation error: …")` once reached the page).
#[test]
fn a_truncated_checkpoint_says_so_plainly() {
    let spec = ModelSpec::compact();
    let device = Device::flex();
    let bytes = pollster::block_on(checkpoint::to_bytes(&spec, &spec.init(&device).unwrap())).unwrap();
    for cut in [bytes.len() / 2, bytes.len() - 5, 40] {
        let e = checkpoint::from_bytes(&bytes[..cut], None, &device).unwrap_err();
        assert!(e.contains("cut short or damaged") && !e.contains("Io(") && !e.contains('"'), "cut at {cut}: {e}");
    }
}

