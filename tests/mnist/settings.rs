//! Settings: schedules and validation.

use super::*;

#[test]
fn schedules_step_per_epoch_and_cycle_once() {
    let step = Schedule::Step { every: 8, gamma: 0.25 };
    // 100 steps per epoch: epochs 1–8 at 0.01, 9–16 at 0.0025.
    assert_eq!(step.lr(0.01, 0, 100, 1900), 0.01);
    assert_eq!(step.lr(0.01, 799, 100, 1900), 0.01);
    assert_eq!(step.lr(0.01, 800, 100, 1900), 0.0025);
    let one = Schedule::OneCycle { warmup: 0.2, div: 10.0, final_div: 100.0 };
    assert!((one.lr(0.1, 0, 10, 100) - 0.01).abs() < 1e-12);
    assert!((one.lr(0.1, 20, 10, 100) - 0.1).abs() < 1e-12);
    assert!((one.lr(0.1, 100, 10, 100) - 0.001).abs() < 1e-12);
}

#[test]
fn bad_settings_are_refused_by_name() {
    let mut c = TrainConfig::compact();
    c.lr = f64::NAN;
    assert!(c.check().unwrap_err().message.contains("learning rate"));
    // A huge value is shown as a person would write it, not as 309 digits.
    c.lr = 1e308;
    assert_eq!(c.check().unwrap_err().message, "the learning rate must be between 0 and 10, got 1e308");
    c = TrainConfig::compact();
    c.epochs = 0;
    assert!(c.check().unwrap_err().message.contains("epochs"));
    // An unknown model is refused as the settings are read, with the names it could be.
    let mut json = serde_json::to_value(TrainConfig::compact()).unwrap();
    json["model"] = "compakt".into();
    let e = gradbook::names::nearest_name(&serde_json::from_value::<TrainConfig>(json).unwrap_err().to_string());
    assert!(e.starts_with("unknown value 'compakt' (did you mean 'compact'?)"), "{e}");
    assert!(TrainConfig::recipe("nope").is_err());
    // The setting at fault travels with the message, named as the page's form names it.
    let invalid = TrainConfig { optimizer: gradbook::mnist::run::config::OptimizerConfig::Sgd { momentum: 2.0, nesterov: false, weight_decay: 0.0 }, ..TrainConfig::compact() }.check().unwrap_err();
    assert_eq!((invalid.field, invalid.message.as_str()), ("optimizer.momentum", "momentum must be between 0 and 0.999, got 2"));
    assert_eq!(TrainConfig { limit_test: Some(0), ..TrainConfig::compact() }.check().unwrap_err().field, "limitTest");
    // Every schedule field, with its rule in the message.
    for (schedule, words) in [
        (Schedule::Step { every: 8, gamma: -1.0 }, "gamma must be above 0 and at most 1"),
        (Schedule::Step { every: 8, gamma: 0.0 }, "gamma must be above 0 and at most 1"),
        (Schedule::Step { every: 8, gamma: 2.0 }, "gamma must be above 0 and at most 1"),
        (Schedule::Step { every: 0, gamma: 0.5 }, "\"every\" must be between 1"),
        (Schedule::OneCycle { warmup: 0.2, div: 0.0, final_div: 100.0 }, "one-cycle div must be between 1"),
        (Schedule::OneCycle { warmup: 0.2, div: 10.0, final_div: f64::INFINITY }, "final div must be between 1"),
        (Schedule::OneCycle { warmup: -0.1, div: 10.0, final_div: 100.0 }, "warm-up (a fraction of the run) must be between 0"),
        (Schedule::OneCycle { warmup: 1.0, div: 10.0, final_div: 100.0 }, "warm-up (a fraction of the run) must be between 0"),
    ] {
        c = TrainConfig { schedule, ..TrainConfig::compact() };
        let e = c.check().unwrap_err().message;
        assert!(e.contains(words), "{schedule:?}: {e}");
    }
    for schedule in [Schedule::Constant, Schedule::Step { every: 8, gamma: 0.25 }, TrainConfig::compact().schedule] {
        assert_eq!(TrainConfig { schedule, ..TrainConfig::compact() }.check(), Ok(()));
    }
}

/// Property: every setting validation accepts trains without a panic and ends with finite
/// weights and a finite test loss — 40 random settings (`GRADBOOK_PROPERTY_CASES=N` for more) over every model, optimizer, schedule and
/// augmentation range, each a tiny run (up to 32 images, batches up to 16) on the CPU. A run may
/// diverge (learning rates go up to 10); then it must keep finite weights.
#[test]
fn every_accepted_setting_trains_to_finite_weights() {
    use gradbook::mnist::data::augment::Interpolation;
    use gradbook::mnist::run::config::OptimizerConfig;
    let _generator = one_generator();
    /// xorshift64*: `u` uniform in [0, 1), `pick` one of `n`.
    struct Draw(u64);
    impl Draw {
        fn u(&mut self) -> f64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            (self.0.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 11) as f64 / (1u64 << 53) as f64
        }
        fn pick(&mut self, n: usize) -> usize {
            ((self.u() * n as f64) as usize).min(n - 1)
        }
    }
    let mut d = Draw(0x2545_F491_4F6C_DD1D);
    let models = gradbook::mnist::model::Architecture::ALL;
    let data = banded();
    let cases = std::env::var("GRADBOOK_PROPERTY_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(40);
    for case in 0..cases {
        let config = TrainConfig {
            model: models[d.pick(models.len())].into(),
            dropout: d.pick(2) == 1,
            epochs: 1 + d.pick(2),
            batch_size: 1 + d.pick(16),
            lr: 10f64.powf(-4.0 + 5.0 * d.u()),
            optimizer: if d.pick(2) == 0 {
                OptimizerConfig::Sgd { momentum: 0.999 * d.u(), nesterov: d.pick(2) == 1, weight_decay: 0.1 * d.u() }
            } else {
                OptimizerConfig::Adam { weight_decay: 0.1 * d.u() }
            },
            schedule: match d.pick(3) {
                0 => Schedule::Constant,
                1 => Schedule::Step { every: 1 + d.pick(3), gamma: 1.0 - 0.99 * d.u() },
                _ => Schedule::OneCycle { warmup: 0.99 * d.u(), div: 1.0 + 1e4 * d.u(), final_div: 1.0 + 1e6 * d.u() },
            },
            label_smoothing: 0.5 * d.u(),
            augment: AugmentConfig {
                rotation: 180.0 * d.u(),
                affine_rotation: 180.0 * d.u(),
                translate: 0.5 * d.u(),
                scale: 0.9 * d.u(),
                brightness: 0.9 * d.u(),
                contrast: 0.9 * d.u(),
                interpolation: if d.pick(2) == 0 { Interpolation::Bilinear } else { Interpolation::Nearest },
            },
            clean_epochs: d.pick(3),
            seed: d.pick(1000) as u64,
            limit_train: Some(1 + d.pick(32)),
            limit_test: Some(1 + d.pick(16)),
            report_every: 1 + d.pick(4),
            // Batches cut into slices (computed here one after another, as the page's workers would).
            workers: 1 + d.pick(3),
            last_epoch_tests: d.pick(3),
            average_last: if d.pick(2) == 0 { 0.0 } else { 0.9 * d.u() },
        };
        config.check().unwrap_or_else(|e| panic!("case {case}: the generator made a refused setting: {e}"));
        struct Quiet;
        impl Observer for Quiet {}
        let run = pollster::block_on(train::train(&config, &data, &flex(), &mut Quiet))
            .unwrap_or_else(|e| panic!("case {case}: {config:?} failed: {e}"));
        let evaluation = run.evaluation.as_ref().expect("a finished run is evaluated");
        assert!(evaluation.loss.is_finite(), "case {case}: test loss {} for {config:?}", evaluation.loss);
        // The weights file refuses non-finite weights: loading it back proves them finite.
        let spec = config.spec();
        let bytes = pollster::block_on(checkpoint::to_bytes(&spec, &run.model)).unwrap();
        checkpoint::from_bytes(&bytes, Some(&spec.name), &flex()).unwrap_or_else(|e| panic!("case {case} ({:?}): {e}", run.outcome));
    }
}
