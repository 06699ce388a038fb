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
    assert!(c.validate().unwrap_err().contains("learning rate"));
    // A huge value is shown as a person would write it, not as 309 digits.
    c.lr = 1e308;
    assert_eq!(c.validate().unwrap_err(), "the learning rate must be between 0 and 10, got 1e308");
    c = TrainConfig::compact();
    c.epochs = 0;
    assert!(c.validate().unwrap_err().contains("epochs"));
    c = TrainConfig::compact();
    c.model = "resnet".into();
    assert!(c.validate().unwrap_err().contains("unknown model"));
    assert!(TrainConfig::recipe("nope").is_err());
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
        let e = c.validate().unwrap_err();
        assert!(e.contains(words), "{schedule:?}: {e}");
    }
    for schedule in [Schedule::Constant, Schedule::Step { every: 8, gamma: 0.25 }, TrainConfig::compact().schedule] {
        assert_eq!(TrainConfig { schedule, ..TrainConfig::compact() }.validate(), Ok(()));
    }
}
