//! The seed's augmentation, batched on the device: RandomRotation(±5°), RandomAffine(±8°,
//! translate ±15 %, scale 0.85–1.15) and ColorJitter(brightness, contrast). The geometric part is
//! a `grid_sample` over the whole batch (one, or one per transform; see below); the colour part
//! is a few broadcast ops. The CPU only draws eight random numbers per image.
//!
//! Two ways to run it. `Nearest` does what torchvision does to the seed's PIL images: each
//! transform on its own, nearest-neighbour, whole-pixel shifts, then PIL's 8-bit colour jitter
//! in a random order. For the same draws the images come out as torchvision's, pixel for pixel
//! (tests/mnist/augmentation.rs checks a torchvision fixture), except that torchvision turns RandomAffine's
//! angle clockwise: the draw is symmetric, so the distribution is the same. `Bilinear` folds
//! both transforms into one smooth resample and jitters in floating point. The seed's recipe
//! uses `Nearest`: it trained the seed's model better (docs/results.md), plausibly because
//! bilinear's blur makes training digits softer than the test digits; for `compact`, with its
//! milder transforms, the two came out level.

use burn::tensor::grid::affine_grid_2d;
use burn::tensor::ops::{GridSampleOptions, GridSamplePaddingMode, InterpolateMode};
use burn::tensor::{Device, Tensor, TensorData};
use serde::{Deserialize, Serialize};

use super::rng::Rng;

/// Ranges to draw from; zero switches a transform off.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AugmentConfig {
    /// RandomRotation: degrees, ±.
    pub rotation: f64,
    /// RandomAffine's own rotation: degrees, ±.
    pub affine_rotation: f64,
    /// RandomAffine translate: fraction of the image size, ±.
    pub translate: f64,
    /// RandomAffine scale: the factor is drawn from [1 - scale, 1 + scale].
    pub scale: f64,
    /// ColorJitter brightness: factor in [1 - b, 1 + b].
    pub brightness: f64,
    /// ColorJitter contrast: factor in [1 - c, 1 + c].
    pub contrast: f64,
    /// How the geometric transforms resample (reports written before this existed are bilinear).
    #[serde(default)]
    pub interpolation: Interpolation,
}

/// Bilinear blends the four nearest pixels: one resample, slightly smoothed digits.
/// Nearest copies the closest pixel, so digits stay as sharp as the test images; torchvision's
/// default for RandomRotation and RandomAffine, which the seed used. (Bilinear is the serde
/// default only so that reports written before this option existed still read as they ran.)
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum Interpolation {
    #[default]
    Bilinear,
    Nearest,
}

impl Interpolation {
    pub const ALL: [Interpolation; 2] = [Interpolation::Bilinear, Interpolation::Nearest];
}

impl AugmentConfig {
    /// The seed's settings, resampled as torchvision did.
    pub const SEED: AugmentConfig = AugmentConfig {
        rotation: 5.0,
        affine_rotation: 8.0,
        translate: 0.15,
        scale: 0.15,
        brightness: 0.1,
        contrast: 0.1,
        interpolation: Interpolation::Nearest,
    };
    /// Nothing changes.
    pub const NONE: AugmentConfig = AugmentConfig {
        rotation: 0.0,
        affine_rotation: 0.0,
        translate: 0.0,
        scale: 0.0,
        brightness: 0.0,
        contrast: 0.0,
        interpolation: Interpolation::Bilinear,
    };

    /// One image's draw.
    pub fn draw(&self, rng: &mut Rng) -> Params {
        let sym = |rng: &mut Rng, r: f64| if r > 0.0 { rng.uniform(-r, r) } else { 0.0 };
        Params {
            rotation: sym(rng, self.rotation),
            degrees: sym(rng, self.affine_rotation),
            translate: [sym(rng, self.translate), sym(rng, self.translate)],
            scale: 1.0 + sym(rng, self.scale),
            brightness: 1.0 + sym(rng, self.brightness),
            contrast: 1.0 + sym(rng, self.contrast),
            // torchvision's ColorJitter shuffles its operations for every image.
            contrast_first: self.brightness > 0.0 && self.contrast > 0.0 && rng.unit() < 0.5,
        }
    }

    pub fn is_identity(&self) -> bool {
        Self { interpolation: Interpolation::Bilinear, ..*self } == Self::NONE
    }
}

/// The transform of one image.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Params {
    /// RandomRotation's turn, counter-clockwise on screen, degrees.
    pub rotation: f64,
    /// RandomAffine's turn, likewise (torchvision turns clockwise for a positive angle; symmetric draw).
    pub degrees: f64,
    /// Shift right and down, as a fraction of the image size.
    pub translate: [f64; 2],
    pub scale: f64,
    pub brightness: f64,
    pub contrast: f64,
    /// Jitter contrast before brightness (the order matters only where pixels clip).
    pub contrast_first: bool,
}

impl Params {
    pub const IDENTITY: Params =
        Params { rotation: 0.0, degrees: 0.0, translate: [0.0, 0.0], scale: 1.0, brightness: 1.0, contrast: 1.0, contrast_first: false };

    fn is_geometric(&self) -> bool {
        self.rotation != 0.0 || self.degrees != 0.0 || self.translate != [0.0, 0.0] || self.scale != 1.0
    }

    /// The 2×3 matrix `affine_grid_2d` wants for turning by `degrees`, then scaling and shifting
    /// by `shift` (in grid units: 2 is the distance between the outer pixels' centres). It maps
    /// each OUTPUT pixel to where it samples the input, in coordinates running from -1 to 1 across
    /// the image. So it is the inverse of the transform: undo the shift, rotate back, divide by
    /// the scale.
    fn sampling_matrix(degrees: f64, scale: f64, shift: [f64; 2]) -> [f32; 6] {
        let [tx, ty] = shift;
        // y points down on screen, so a counter-clockwise turn there is clockwise in (x, y).
        let (sin, cos) = (-degrees.to_radians()).sin_cos();
        // p_in = R(-t) (p_out - shift) / s
        let (a, b, c, d) = (cos / scale, sin / scale, -sin / scale, cos / scale);
        [a, b, -(a * tx + b * ty), c, d, -(c * tx + d * ty)].map(|v| v as f32)
    }
}

/// Applies one draw per image to `images` `[B, 1, H, W]` with pixels in [0, 1].
pub fn apply(images: Tensor<4>, params: &[Params], interpolation: Interpolation) -> Tensor<4> {
    let b = images.dims()[0];
    assert_eq!(params.len(), b, "one draw per image");

    let mut x = images;
    if params.iter().any(Params::is_geometric) {
        x = match interpolation {
            // Rotations compose by adding angles, so one resample does both transforms. The
            // shift here is a fraction of the span between the outer pixels' centres (27 of 28
            // pixels): kept as it was, so earlier runs reproduce.
            Interpolation::Bilinear => resample(x, params, interpolation, |p| {
                Params::sampling_matrix(p.rotation + p.degrees, p.scale, p.translate.map(|t| 2.0 * t))
            }),
            Interpolation::Nearest => {
                // torchvision's RandomAffine rounds its shift to whole pixels; one pixel is
                // 2 / (side - 1) grid units.
                let side = x.dims()[3] as f64;
                // No RandomRotation in this batch (e.g. affine-only settings): skip its resample.
                let x = if params.iter().any(|p| p.rotation != 0.0) {
                    resample(x, params, interpolation, |p| Params::sampling_matrix(p.rotation, 1.0, [0.0, 0.0]))
                } else {
                    x
                };
                resample(x, params, interpolation, |p| {
                    Params::sampling_matrix(p.degrees, p.scale, p.translate.map(|t| (t * side).round() * 2.0 / (side - 1.0)))
                })
            }
        };
    }
    if params.iter().any(|p| p.brightness != 1.0 || p.contrast != 1.0) {
        x = match interpolation {
            Interpolation::Bilinear => jitter(x, params),
            Interpolation::Nearest => jitter_8bit(x, params),
        };
    }
    x
}

/// One number per image, as a `[B, 1, 1, 1]` tensor that broadcasts over the image.
fn per_image(params: &[Params], device: &Device, f: impl Fn(&Params) -> f64) -> Tensor<4> {
    let v: Vec<f32> = params.iter().map(|p| f(p) as f32).collect();
    Tensor::from_data(TensorData::new(v, [params.len(), 1, 1, 1]), device)
}

/// ColorJitter in floating point: brightness scales, then contrast blends with the image's mean.
fn jitter(x: Tensor<4>, params: &[Params]) -> Tensor<4> {
    let device = x.device();
    let x = (x * per_image(params, &device, |p| p.brightness)).clamp(0.0, 1.0);
    let c = per_image(params, &device, |p| p.contrast);
    let mean = x.clone().mean_dims(&[1, 2, 3]);
    (x * c.clone() + mean * (c.neg() + 1.0)).clamp(0.0, 1.0)
}

/// ColorJitter as torchvision does it to a PIL image. Both operations are PIL blends,
/// `level + factor · (pixel − level)` cut down to a whole grey level in 0..=255: brightness blends
/// with black (level 0), contrast with the image's mean rounded to a whole level. Each image
/// takes the two in its own order, so this runs two stages, each doing per image whichever
/// operation falls to it.
fn jitter_8bit(x: Tensor<4>, params: &[Params]) -> Tensor<4> {
    let device = x.device();
    // The pixels are whole levels /255 until here (nearest resampling copies them).
    let mut v = (x * 255.0).round();
    for stage in [0, 1] {
        let contrast_now = |p: &Params| p.contrast_first == (stage == 0);
        let factor = per_image(params, &device, |p| if contrast_now(p) { p.contrast } else { p.brightness });
        let is_contrast = per_image(params, &device, |p| if contrast_now(p) { 1.0 } else { 0.0 });
        let level = (v.clone().mean_dims(&[1, 2, 3]) + 0.5).floor() * is_contrast;
        v = (level.clone() + (v - level) * factor).floor().clamp(0.0, 255.0);
    }
    v / 255.0
}

/// One `grid_sample` of every image with its own sampling matrix.
fn resample(x: Tensor<4>, params: &[Params], interpolation: Interpolation, matrix: impl Fn(&Params) -> [f32; 6]) -> Tensor<4> {
    let dims = x.dims();
    let device = x.device();
    let m: Vec<f32> = params.iter().flat_map(matrix).collect();
    let mut grid = affine_grid_2d(Tensor::from_data(TensorData::new(m, [dims[0], 2, 3]), &device), dims);
    if interpolation == Interpolation::Nearest {
        // Snap every sampling point onto the nearest pixel centre: bilinear sampling there IS
        // nearest-neighbour, and it works on every backend (wgpu's grid_sample is bilinear only).
        let half_span = Tensor::<1>::from_data(TensorData::new(vec![(dims[3] - 1) as f32 / 2.0, (dims[2] - 1) as f32 / 2.0], [2]), &device)
            .reshape([1, 1, 1, 2]);
        grid = ((grid + 1.0) * half_span.clone()).round() / half_span - 1.0;
    }
    // align_corners: affine_grid_2d puts -1 and 1 on the corner pixels' centres.
    let options = GridSampleOptions::new(InterpolateMode::Bilinear)
        .with_padding_mode(GridSamplePaddingMode::Zeros)
        .with_align_corners(true);
    x.grid_sample_2d(grid, options)
}
