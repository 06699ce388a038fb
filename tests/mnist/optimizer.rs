//! Our optimizers against burn's: the same updates, bit for bit, so writing them out (to save
//! their state) changed no run's numbers.

use super::*;
use burn::optim::decay::WeightDecayConfig;
use burn::optim::momentum::MomentumConfig;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer, SgdConfig};
use gradbook::mnist::run::config::OptimizerConfig;
use gradbook::mnist::model::net::Net;
use gradbook::mnist::run::optimizer::Optimizer;

/// burn's optimizer for `config`, built as gradbook built it before it had its own.
fn burns(config: OptimizerConfig) -> ModuleOptimizer {
    let decay = |wd: f64| (wd > 0.0).then(|| WeightDecayConfig::new(wd as f32));
    match config {
        OptimizerConfig::Sgd { momentum, nesterov, weight_decay } => SgdConfig::new()
            .with_momentum((momentum > 0.0).then(|| {
                MomentumConfig::new().with_momentum(momentum).with_dampening(0.0).with_nesterov(nesterov)
            }))
            .with_weight_decay(decay(weight_decay))
            .init(),
        OptimizerConfig::Adam { weight_decay } => AdamConfig::new().with_weight_decay(decay(weight_decay)).init(),
    }
}

#[test]
fn our_sgd_and_adam_update_exactly_as_burns() {
    let _generator = one_generator();
    let device = flex().autodiff();
    device.seed(3);
    let spec = ModelSpec::compact();
    let data = Split::banded(64);
    let indices: Vec<usize> = (0..64).collect();
    let (x, y) = tensors::batch(&data, &indices, &device);
    let x = tensors::normalise(x);
    // Initialised by a first forward pass; both copies start from its weights.
    let start = spec.init(&device).unwrap();
    let _ = start.forward(x.clone());
    for config in [
        OptimizerConfig::Sgd { momentum: 0.0, nesterov: false, weight_decay: 0.0 },
        OptimizerConfig::Sgd { momentum: 0.9, nesterov: false, weight_decay: 0.0 },
        OptimizerConfig::Sgd { momentum: 0.9, nesterov: true, weight_decay: 5e-4 },
        OptimizerConfig::Adam { weight_decay: 0.0 },
        OptimizerConfig::Adam { weight_decay: 1e-4 },
    ] {
        let (mut theirs, mut ours) = (start.valid().train(), start.valid().train());
        let (mut burn_optimizer, mut our_optimizer) = (burns(config), Optimizer::new(config));
        let grads = |model: &Net| {
            let loss = step::loss(model.forward(x.clone()), y.clone(), 0.0).mean();
            GradientsParams::from_grads(loss.backward(), model)
        };
        for step in 0..4 {
            let lr = 0.05 / (1 + step) as f64;
            let g = grads(&theirs);
            theirs = burn_optimizer.step(lr, theirs, g);
            let g = grads(&ours);
            ours = our_optimizer.step(lr, ours, g);
            assert!(weights(&theirs) == weights(&ours), "{config:?}: the weights differ after step {}", step + 1);
        }
    }
}
