//! Augmentation: invariants, torchvision's and PIL's pixels, the seed's ranges, the preview.

use super::*;

fn pattern(device: &Device) -> (Vec<f32>, Tensor<4>) {
    // An asymmetric pattern so a wrong rotation direction cannot pass.
    let v: Vec<f32> = (0..784).map(|i| ((i % 28) * 3 + (i / 28) * 5 % 17) as f32 / 200.0).collect();
    let t = Tensor::<4>::from_data(TensorData::new(v.clone(), [1, 1, 28, 28]), device);
    (v, t)
}

fn values(t: Tensor<4>) -> Vec<f32> {
    t.into_data().convert::<f32>().try_into_vec::<f32>().unwrap()
}

#[test]
fn augmentation_identity_returns_the_input() {
    let (v, t) = pattern(&flex());
    let out = values(augment::apply(t.clone(), &[Params::IDENTITY], Bilinear));
    assert_eq!(out, v);
    // A geometric identity still goes through grid_sample: it must land on the same pixels.
    let almost = Params { scale: 1.0 + 1e-9, ..Params::IDENTITY };
    let out = values(augment::apply(t, &[almost], Bilinear));
    let worst = out.iter().zip(&v).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
    assert!(worst < 1e-4, "identity resample moved pixels by {worst}");
}

#[test]
fn augmentation_rotates_a_quarter_turn_counter_clockwise() {
    let (v, t) = pattern(&flex());
    let out = values(augment::apply(t, &[Params { degrees: 90.0, ..Params::IDENTITY }], Bilinear));
    // Counter-clockwise on screen: the right column becomes the top row.
    // out[r][c] = in[c][27 - r]
    let mut worst = 0f32;
    for r in 0..28 {
        for c in 0..28 {
            worst = worst.max((out[r * 28 + c] - v[c * 28 + (27 - r)]).abs());
        }
    }
    assert!(worst < 1e-4, "90° rotation is off by {worst}");
}

#[test]
fn nearest_shifts_by_whole_pixels_and_invents_no_values() {
    let (v, t) = pattern(&flex());
    // 0.1 of 28 pixels rounds to a 3-pixel shift right, as torchvision's RandomAffine does.
    let out = values(augment::apply(t.clone(), &[Params { translate: [0.1, 0.0], ..Params::IDENTITY }], Nearest));
    for r in 0..28 {
        for c in 0..28 {
            let expected = if c < 3 { 0.0 } else { v[r * 28 + c - 3] };
            assert!((out[r * 28 + c] - expected).abs() < 1e-5, "pixel ({r}, {c}): {} vs {expected}", out[r * 28 + c]);
        }
    }
    // Any turn and scale: every output pixel is a copy of an input pixel or the black fill.
    let turned = values(augment::apply(t, &[Params { rotation: 4.0, degrees: -7.0, scale: 1.1, ..Params::IDENTITY }], Nearest));
    assert!(turned.iter().all(|o| *o == 0.0 || v.iter().any(|i| (i - o).abs() < 1e-5)));
    assert!(turned.iter().zip(&v).any(|(o, i)| o != i), "the transform changed nothing");
}

#[test]
fn brightness_and_contrast_on_a_constant_image() {
    let device = flex();
    let grey = Tensor::<4>::from_data(TensorData::new(vec![0.4f32; 784], [1, 1, 28, 28]), &device);
    let brighter = values(augment::apply(grey.clone(), &[Params { brightness: 1.1, ..Params::IDENTITY }], Bilinear));
    assert!(brighter.iter().all(|&p| (p - 0.44).abs() < 1e-6));
    // Contrast blends with the image's own mean, which for a constant image is itself.
    let contrast = values(augment::apply(grey, &[Params { contrast: 0.9, ..Params::IDENTITY }], Bilinear));
    assert!(contrast.iter().all(|&p| (p - 0.4).abs() < 1e-6));

    // The same through PIL's 8-bit arithmetic: 102 · 1.1 = 112.2 is cut to 112.
    let grey = Tensor::<4>::from_data(TensorData::new(vec![102.0 / 255.0f32; 784], [1, 1, 28, 28]), &device);
    let brighter = values(augment::apply(grey.clone(), &[Params { brightness: 1.1, ..Params::IDENTITY }], Nearest));
    assert!(brighter.iter().all(|&p| p == 112.0 / 255.0));
    let contrast = values(augment::apply(grey, &[Params { contrast: 0.9, ..Params::IDENTITY }], Nearest));
    assert!(contrast.iter().all(|&p| p == 102.0 / 255.0));
}

/// Hex pairs → bytes.
fn unhex(hex: &str) -> Vec<u8> {
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect()
}

#[test]
fn nearest_augmentation_gives_torchvisions_pixels() {
    // tests/data/torchvision_augment.json: a synthetic digit through torchvision's rotate,
    // affine and colour jitter on a PIL image, 24 parameter sets (bench/torchvision_augment_fixture.py).
    let fixture: serde_json::Value =
        serde_json::from_str(include_str!("../data/torchvision_augment.json")).expect("fixture is JSON");
    let input: Vec<f32> = unhex(fixture["input"].as_str().unwrap()).iter().map(|&p| p as f32 / 255.0).collect();
    let cases = fixture["cases"].as_array().unwrap();
    let num = |case: &serde_json::Value, key: &str| case[key].as_f64().unwrap();
    let params: Vec<Params> = cases
        .iter()
        .map(|case| Params {
            rotation: num(case, "rotation"),
            degrees: num(case, "degrees"),
            translate: [0, 1].map(|i| case["translate"][i].as_f64().unwrap() / 28.0),
            scale: num(case, "scale"),
            brightness: num(case, "brightness"),
            contrast: num(case, "contrast"),
            contrast_first: case["contrastFirst"].as_bool().unwrap(),
        })
        .collect();
    let batch = input.repeat(cases.len());
    let x = Tensor::<4>::from_data(TensorData::new(batch, [cases.len(), 1, 28, 28]), &flex());
    let out = values(augment::apply(x, &params, Nearest));
    for (i, case) in cases.iter().enumerate() {
        let expected = unhex(case["output"].as_str().unwrap());
        let ours = &out[i * 784..(i + 1) * 784];
        // A sampling point within rounding error of halfway between two pixels may land on the
        // other one (we compute positions in f32, PIL in f64): allow a pixel or two.
        let differing = ours.iter().zip(&expected).filter(|(o, e)| (**o * 255.0).round() as u8 != **e).count();
        assert!(differing <= 2, "case {i} ({:?}): {differing} of 784 pixels differ from torchvision's", params[i]);
    }
}

#[test]
fn color_jitter_matches_pil_in_either_order() {
    // Black left half, grey level 250 right half. Expected levels computed with Pillow 9.4 /
    // torchvision 0.14: adjust_brightness(0.9) then adjust_contrast(1.2) gives 0 and 247; the
    // other order clips at 255 first and gives 0 and 229.
    let v: Vec<f32> = (0..784).map(|i| if i % 28 < 14 { 0.0 } else { 250.0 / 255.0 }).collect();
    let t = Tensor::<4>::from_data(TensorData::new(v, [1, 1, 28, 28]), &flex());
    for (contrast_first, bright) in [(false, 247.0), (true, 229.0)] {
        let p = Params { brightness: 0.9, contrast: 1.2, contrast_first, ..Params::IDENTITY };
        let out = values(augment::apply(t.clone(), &[p], Nearest));
        for (i, o) in out.iter().enumerate() {
            let expected = if i % 28 < 14 { 0.0 } else { bright / 255.0 };
            assert_eq!(*o, expected, "contrast first: {contrast_first}, pixel {i}");
        }
    }
}

#[test]
fn a_draw_stays_within_the_seed_ranges() {
    let mut rng = gradbook::mnist::data::rng::Rng::new(7);
    for _ in 0..1000 {
        let p = AugmentConfig::SEED.draw(&mut rng);
        assert!(p.rotation.abs() <= 5.0 && p.degrees.abs() <= 8.0 && p.translate.iter().all(|t| t.abs() <= 0.15));
        assert!((0.85..=1.15).contains(&p.scale) && (0.9..=1.1).contains(&p.brightness) && (0.9..=1.1).contains(&p.contrast));
    }
}

#[test]
fn the_augmentation_preview_is_the_training_view() {
    use gradbook::mnist::model::infer;
    let data = banded();
    let same = pollster::block_on(infer::augmented(&data.train, &[0, 5], &AugmentConfig::NONE, 1, &flex())).unwrap();
    assert_eq!(same, data.train.gather(&[0, 5]).0);
    let moved = pollster::block_on(infer::augmented(&data.train, &[0, 5], &AugmentConfig::SEED, 1, &flex())).unwrap();
    assert_eq!(moved.len(), 2 * 784);
    assert_ne!(moved, same);
    assert!(pollster::block_on(infer::augmented(&data.train, &[256], &AugmentConfig::NONE, 1, &flex())).is_err());
}
