//! A student's own model: its JSON form, the check that says where and why a design cannot
//! work, training it and rebuilding it from its weights file.

use gradbook::mnist::run::config::ModelChoice;
use gradbook::mnist::model::{Layer, MAX_PARAMS};

use super::*;

/// One layer of every kind (tests/data/every-kind.json, which the CLI and page tests also use).
fn every_kind() -> ModelSpec {
    serde_json::from_str(include_str!("../data/every-kind.json")).unwrap()
}

fn design(layers: Vec<Layer>) -> ModelSpec {
    ModelSpec { name: "mine".into(), about: String::new(), layers }
}

/// Where a design fails, as the editor shows it.
fn why(spec: &ModelSpec) -> String {
    ModelChoice::Design(spec.clone()).check().unwrap_err().to_string()
}

#[test]
fn designs_read_and_write_as_json_and_built_in_models_are_designs_too() {
    let spec = every_kind();
    assert_eq!(spec.num_params(), Ok(582));
    assert_eq!(serde_json::from_str::<ModelSpec>(&serde_json::to_string(&spec).unwrap()).unwrap(), spec);
    for builtin in ModelSpec::all() {
        let json = serde_json::to_string(&builtin).unwrap();
        assert_eq!(serde_json::from_str::<ModelSpec>(&json).unwrap(), builtin);
        // A built-in model written out as a design is accepted under its own name.
        assert_eq!(ModelChoice::Design(builtin.clone()).check(), Ok(()));
    }
    // A run's settings name a model or hold a design; either reads back as itself.
    let named: ModelChoice = serde_json::from_str("\"compact-v2\"").unwrap();
    assert_eq!(named.name(), "compact-v2");
    let mine: ModelChoice = serde_json::from_str(include_str!("../data/every-kind.json")).unwrap();
    assert_eq!(mine.spec(), spec);
    let config = TrainConfig { model: mine, ..TrainConfig::compact() };
    assert_eq!(serde_json::from_str::<TrainConfig>(&serde_json::to_string(&config).unwrap()).unwrap(), config);
    // Mistakes in the JSON are named.
    let e = gradbook::names::nearest_name(&serde_json::from_str::<ModelChoice>("\"lenet\"").unwrap_err().to_string());
    assert!(e.starts_with("unknown value 'lenet'") && e.contains("compact-v2"), "{e}");
    let e = serde_json::from_str::<ModelChoice>(r#"{"name":"x","layers":[{"kind":"conv","out":8}]}"#).unwrap_err().to_string();
    assert!(e.contains("in the model's design") && e.contains("kernel"), "{e}");
    let e = serde_json::from_str::<ModelChoice>(r#"{"name":"x","layers":[{"kind":"attention"}]}"#).unwrap_err().to_string();
    assert!(e.contains("attention"), "{e}");
}

#[test]
fn a_design_that_cannot_work_says_which_layer_and_why() {
    use Layer::*;
    let head = [Conv { out: 10, kernel: 1, pad: 0, bias: false }, GlobalAvgPool];
    let with_head = |mut layers: Vec<Layer>| {
        layers.extend(head);
        design(layers)
    };
    // Max-pools take 28 → 14 → 7 → 3 → 1; then a 3×3 conv without padding has nothing to slide over.
    let small = with_head(vec![MaxPool, MaxPool, MaxPool, MaxPool, Conv { out: 4, kernel: 3, pad: 0, bias: true }]);
    assert_eq!(why(&small), "layer 5: a 3×3 conv without padding needs at least 3×3 input, the maps are 1×1 here");
    let e = why(&with_head(vec![Conv { out: 4, kernel: 5, pad: 1, bias: true }; 14]));
    assert!(e.starts_with("layer 14: a 5×5 conv with padding 1 needs at least 3×3 input, the maps are 2×2 here"), "{e}");
    let e = why(&with_head(vec![AvgPool { kernel: 29 }]));
    assert_eq!(e, "layer 1: an average pool's size must be between 1 and 28, got 29");
    let e = why(&with_head(vec![MaxPool; 6]));
    assert_eq!(e, "layer 5: a 2×2 max-pool needs at least 2×2 input, the maps are 1×1 here");
    assert!(why(&with_head(vec![Dropout { p: 1.0 }])).starts_with("layer 1: dropout's probability must be at least 0 and below 1"));
    assert!(why(&with_head(vec![Dropout { p: f64::NAN }])).contains("got NaN"));
    assert!(why(&with_head(vec![Conv { out: 0, kernel: 3, pad: 1, bias: true }])).contains("between 1 and 1024, got 0"));
    assert!(why(&with_head(vec![Depthwise { kernel: 3, pad: 3 }])).contains("padding must be less than its kernel size (3), got 3"));
    // The model as a whole: its output, its size, its name.
    let e = why(&design(vec![]));
    assert!(e.starts_with("the last layer must give 10 values") && e.contains("no layers"), "{e}");
    let e = why(&design(vec![Conv { out: 10, kernel: 3, pad: 1, bias: true }]));
    assert!(e.contains("this one gives 10×28×28 = 7840") && e.contains("global average pool"), "{e}");
    let huge = design(vec![Conv { out: 1024, kernel: 3, pad: 1, bias: true }, Conv { out: 1024, kernel: 3, pad: 1, bias: true }, GlobalAvgPool, Linear { out: 10 }]);
    assert!(why(&huge).contains(&format!("at most {MAX_PARAMS}")), "{}", why(&huge));
    let e = why(&ModelSpec { name: "compact".into(), ..every_kind() });
    assert!(e.contains("'compact' is a built-in model's name"), "{e}");
    assert!(why(&ModelSpec { name: " ".into(), ..every_kind() }).contains("name"));
    assert!(why(&ModelSpec { name: "two\nlines".into(), ..every_kind() }).contains("one line"));
    // Settings holding a broken design are refused at the model, as the page's form marks it.
    let invalid = TrainConfig { model: ModelChoice::Design(small), ..TrainConfig::compact() }.check().unwrap_err();
    assert_eq!(invalid.field, "model");
    assert!(invalid.message.starts_with("layer 5:"), "{}", invalid.message);
}

#[test]
fn a_design_trains_and_is_rebuilt_from_its_weights_file() {
    let _generator = one_generator();
    let config = TrainConfig {
        model: ModelChoice::Design(every_kind()),
        epochs: 1,
        batch_size: 8,
        limit_train: Some(32),
        limit_test: Some(16),
        report_every: 1,
        ..TrainConfig::compact()
    };
    struct Quiet;
    impl Observer for Quiet {}
    let run = pollster::block_on(train::train(&config, &banded(), &flex(), &mut Quiet)).unwrap();
    assert_eq!(run.epochs.len(), 1);
    let spec = config.spec();
    let bytes = pollster::block_on(checkpoint::to_bytes(&spec, &run.model)).unwrap();
    // The file names its layers: nothing else is needed to rebuild the model.
    let (back_spec, back) = checkpoint::from_bytes(&bytes, None, &flex()).unwrap();
    assert_eq!(back_spec.layers, spec.layers);
    let x = Tensor::<4>::ones([1, 1, 28, 28], &flex());
    assert_eq!(back.forward(x.clone()).into_data(), run.model.valid().forward(x).into_data());
    // A file whose design was tampered with (a layer that no longer fits) is refused, named.
    let (from, to) = (br#""kind":"avgPool","kernel":2"#, br#""kind":"avgPool","kernel":28"#);
    let at = bytes.windows(from.len()).position(|w| w == from).expect("the design is in the file's header");
    let tampered = [&bytes[..at], &to[..], &bytes[at + from.len()..]].concat();
    let e = checkpoint::from_bytes(&tampered, None, &flex()).unwrap_err();
    assert!(e.contains("cannot be built: layer 9:"), "{e}");
}
