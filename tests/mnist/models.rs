//! The models: exact parameter counts, forward shapes, predictions, the memory a batch needs.

use super::*;

#[test]
fn parameter_counts_are_exact() {
    let _generator = one_generator();
    assert_eq!(ModelSpec::seed().num_params(), Ok(9_320));
    assert_eq!(ModelSpec::compact().num_params(), Ok(7_936));
    // The class period's model within the exercise's budget, the smallest under 4,000.
    assert_eq!(ModelSpec::quick().num_params(), Ok(15_408));
    assert_eq!(ModelSpec::tiny().num_params(), Ok(3_944));
    assert!(ModelSpec::tiny().num_params().unwrap() <= 4_000);
    let [budget, ours] = gradbook::mnist::model::BUDGETS;
    assert!(ModelSpec::all().iter().all(|m| m.num_params().unwrap() < budget));
    assert!(ModelSpec::all().iter().filter(|m| m.name.starts_with("compact")).all(|m| m.num_params().unwrap() <= ours));
    for spec in ModelSpec::all() {
        // The summary's arithmetic agrees with what burn allocates, which also counts each
        // BatchNorm's running mean and variance (state, not trained parameters).
        let running_stats: usize = spec.summary().unwrap().iter().filter(|r| r.layer.starts_with("BatchNorm")).map(|r| r.params).sum();
        assert_eq!(spec.init(&flex()).unwrap().num_params(), spec.num_params().unwrap() + running_stats, "{}", spec.name);
        let last = spec.summary().unwrap().last().unwrap().clone();
        assert_eq!(last.shape, [10, 1, 1], "{} must end in 10 logits", spec.name);
    }
    let table = ModelSpec::seed().summary_table().unwrap();
    assert!(table.contains("9320") && table.contains("AvgPool 8×8"), "{table}");
}

#[test]
fn models_run_forward_to_ten_logits() {
    let _generator = one_generator();
    let device = flex();
    for spec in ModelSpec::all() {
        let net = spec.init(&device).unwrap();
        let out = net.forward(Tensor::<4>::zeros([2, 1, 28, 28], &device));
        assert_eq!(out.dims(), [2, 10], "{}", spec.name);
    }
}

#[test]
fn predictions_are_probabilities_and_views_have_the_layer_shapes() {
    let _generator = one_generator();
    use gradbook::mnist::model::infer;
    let device = flex();
    let model = ModelSpec::compact().init(&device).unwrap().valid();
    let p = pollster::block_on(infer::probabilities(&model, &[0.25; 2 * 784], &device)).unwrap();
    assert_eq!(p.len(), 20);
    for image in p.chunks(10) {
        assert!((image.iter().sum::<f32>() - 1.0).abs() < 1e-5);
    }
    let e = pollster::block_on(infer::probabilities(&model, &[0.0; 100], &device)).unwrap_err();
    assert!(e.contains("784"), "{e}");
    let e = pollster::block_on(infer::probabilities(&model, &[2.0; 784], &device)).unwrap_err();
    assert!(e.contains("between 0 and 1"), "{e}");

    let view = pollster::block_on(infer::inspect(&model, &[0.5; 784], &device)).unwrap();
    assert_eq!(view.filters.shape, [16, 1, 3, 3]);
    assert_eq!(view.maps.shape, [16, 28, 28]);
    assert_eq!(view.maps.values.len(), 16 * 28 * 28);
    // After the first ReLU, nothing is negative.
    assert!(view.maps.values.iter().all(|&v| v >= 0.0));
}

/// The memory estimate that keeps the page's engine from running out of memory mid-run: about
/// what a run measurably takes, and a refusal naming the largest batch that fits.
#[test]
fn a_batch_the_engine_cannot_hold_is_refused_with_the_largest_that_fits() {
    use gradbook::mnist::model::memory::{self, PAGE_LIMIT_BYTES};
    let compact = ModelSpec::compact();
    // Measured natively: batch 1,024 of compact peaked at 762 MB resident, 256 at 223 MB.
    let need = memory::training_bytes(&compact, 1024) as f64;
    assert!((650e6..1000e6).contains(&need), "estimate {need} bytes for batch 1024");
    let why = memory::check(&compact, 8192, PAGE_LIMIT_BYTES, "the browser's engine").unwrap_err();
    assert!(why.contains("a batch size of 8192 needs about 6.5 GB") && why.contains("at most 2037"), "{why}");
    assert!(memory::check(&compact, 2037, PAGE_LIMIT_BYTES, "the browser's engine").is_ok());
    assert!(memory::check(&compact, 2038, PAGE_LIMIT_BYTES, "the browser's engine").is_err());
    // Natively the machine decides: the settings' validation holds no limit.
    assert_eq!(memory::engine_limit(), None);
    assert!(TrainConfig { batch_size: 8192, ..TrainConfig::compact() }.check().is_ok());
}

/// Every recipe exists by name, trains its own model (within the exercise's budget), and takes a
/// few steps that lower the loss; `quick` and `tiny` are what their names promise.
#[test]
fn every_recipe_trains_a_few_steps() {
    let _generator = one_generator();
    for name in TrainConfig::RECIPES {
        let recipe = TrainConfig::recipe(name).unwrap();
        assert!(!TrainConfig::about(name).is_empty(), "{name} says what it is for");
        let spec = recipe.spec();
        assert!(spec.num_params().unwrap() <= 20_000, "{name}");
        let config = TrainConfig { epochs: 2, limit_train: Some(128), limit_test: Some(50), report_every: 2, last_epoch_tests: 1, ..recipe };
        struct Quiet;
        impl Observer for Quiet {}
        let run = pollster::block_on(train::train(&config, &banded(), &flex(), &mut Quiet)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(run.outcome, Outcome::Completed, "{name}");
        assert!(run.epochs[1].train_loss < run.epochs[0].train_loss, "{name}: the loss should fall");
    }
    let quick = TrainConfig::quick();
    assert_eq!((quick.epochs, quick.model.name()), (3, "quick"));
    assert_eq!(TrainConfig::tiny().model.name(), "tiny");
}
