//! The seed's augmentation, batched on the device: RandomRotation(±5°) then RandomAffine(±8°,
//! translate ±15 %, scale 0.85–1.15) fold into ONE affine transform per image, applied with a
//! single bilinear `grid_sample`; ColorJitter(brightness, contrast) is two broadcast ops. The
//! CPU only draws six random numbers per image.

use burn::tensor::grid::affine_grid_2d;
use burn::tensor::ops::{GridSampleOptions, GridSamplePaddingMode, InterpolateMode};
use burn::tensor::{Tensor, TensorData};
use serde::{Deserialize, Serialize};

use super::rng::Rng;

/// Ranges to draw from; zero switches a transform off.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
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
}

impl AugmentConfig {
    /// The seed's settings.
    pub const SEED: AugmentConfig =
        AugmentConfig { rotation: 5.0, affine_rotation: 8.0, translate: 0.15, scale: 0.15, brightness: 0.1, contrast: 0.1 };
    /// Nothing changes.
    pub const NONE: AugmentConfig =
        AugmentConfig { rotation: 0.0, affine_rotation: 0.0, translate: 0.0, scale: 0.0, brightness: 0.0, contrast: 0.0 };

    /// One image's draw.
    pub fn draw(&self, rng: &mut Rng) -> Params {
        let sym = |rng: &mut Rng, r: f64| if r > 0.0 { rng.uniform(-r, r) } else { 0.0 };
        Params {
            degrees: sym(rng, self.rotation) + sym(rng, self.affine_rotation),
            translate: [sym(rng, self.translate), sym(rng, self.translate)],
            scale: 1.0 + sym(rng, self.scale),
            brightness: 1.0 + sym(rng, self.brightness),
            contrast: 1.0 + sym(rng, self.contrast),
        }
    }

    pub fn is_identity(&self) -> bool {
        *self == Self::NONE
    }
}

/// The transform of one image.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// Counter-clockwise on screen.
    pub degrees: f64,
    /// Shift right and down, as a fraction of the image size.
    pub translate: [f64; 2],
    pub scale: f64,
    pub brightness: f64,
    pub contrast: f64,
}

impl Params {
    pub const IDENTITY: Params = Params { degrees: 0.0, translate: [0.0, 0.0], scale: 1.0, brightness: 1.0, contrast: 1.0 };

    /// The 2×3 matrix `affine_grid_2d` wants: it maps each OUTPUT pixel to where it samples the
    /// input, in coordinates running from -1 to 1 across the image. So it is the inverse of the
    /// transform: undo the shift, rotate back, divide by the scale.
    fn sampling_matrix(&self) -> [f32; 6] {
        // y points down on screen, so a counter-clockwise turn there is clockwise in (x, y).
        let t = -self.degrees.to_radians();
        let (sin, cos) = t.sin_cos();
        let [tx, ty] = [2.0 * self.translate[0], 2.0 * self.translate[1]];
        // p_in = R(-t) (p_out - shift) / s
        let (a, b, c, d) = (cos / self.scale, sin / self.scale, -sin / self.scale, cos / self.scale);
        [a, b, -(a * tx + b * ty), c, d, -(c * tx + d * ty)].map(|v| v as f32)
    }
}

/// Applies one draw per image to `images` `[B, 1, H, W]` with pixels in [0, 1].
pub fn apply(images: Tensor<4>, params: &[Params]) -> Tensor<4> {
    let dims = images.dims();
    let device = images.device();
    let b = dims[0];
    assert_eq!(params.len(), b, "one draw per image");

    let geometric = params.iter().any(|p| p.degrees != 0.0 || p.translate != [0.0, 0.0] || p.scale != 1.0);
    let mut x = images;
    if geometric {
        let m: Vec<f32> = params.iter().flat_map(|p| p.sampling_matrix()).collect();
        let grid = affine_grid_2d(Tensor::from_data(TensorData::new(m, [b, 2, 3]), &device), dims);
        // align_corners: affine_grid_2d puts -1 and 1 on the corner pixels' centres.
        let options = GridSampleOptions::new(InterpolateMode::Bilinear)
            .with_padding_mode(GridSamplePaddingMode::Zeros)
            .with_align_corners(true);
        x = x.grid_sample_2d(grid, options);
    }
    if params.iter().any(|p| p.brightness != 1.0 || p.contrast != 1.0) {
        let per_image = |f: fn(&Params) -> f64| {
            Tensor::<4>::from_data(TensorData::new(params.iter().map(|p| f(p) as f32).collect::<Vec<_>>(), [b, 1, 1, 1]), &device)
        };
        // torchvision's order: brightness scales, then contrast blends with the image's mean.
        x = (x * per_image(|p| p.brightness)).clamp(0.0, 1.0);
        let c = per_image(|p| p.contrast);
        let mean = x.clone().mean_dims(&[1, 2, 3]);
        x = (x * c.clone() + mean * (c.neg() + 1.0)).clamp(0.0, 1.0);
    }
    x
}
