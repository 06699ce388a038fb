//! The built-in architectures, as layer lists, and their names.

use super::Layer::{self, *};
use super::ModelSpec;
use crate::mnist::data::CLASSES;

const fn conv(out: usize, kernel: usize, pad: usize) -> Layer {
    Conv { out, kernel, pad, bias: true }
}

const fn conv_nobias(out: usize) -> Layer {
    Conv { out, kernel: 3, pad: 1, bias: false }
}

impl ModelSpec {
    /// The seed exercise's final model, layer for layer (9,320 parameters).
    pub fn seed() -> Self {
        let mut layers = vec![conv(4, 3, 1), Relu, Dropout { p: 0.069 }];
        for out in [8, 12, 16, 20] {
            layers.extend([conv(out, 3, 1), Relu, BatchNorm]);
        }
        layers.extend([MaxPool, conv(4, 1, 0)]);
        for out in [8, 12, 16] {
            layers.extend([conv(out, 3, 0), Relu, BatchNorm]);
        }
        layers.extend([conv(CLASSES, 1, 0), AvgPool { kernel: 8 }, Linear { out: CLASSES }]);
        ModelSpec::builtin(Architecture::Seed, "the seed exercise's final model (9,320 parameters)", layers)
    }

    /// Ours: parameters spent on width rather than on full 3×3 convs. After one full conv,
    /// five separable convs (a depthwise 3×3 filtering each channel, then a 1×1 conv mixing
    /// them, → BN → ReLU), widths 16/16, 32/32, 48/48 with max-pools between, global average
    /// pooling, a bias-free 1×1 head. A full 3×3 conv 32→32 costs 9,216 parameters, a
    /// separable one 1,312: two to three times `compact-v2`'s widths for the same size.
    pub fn compact() -> Self {
        let about = "a 3×3 conv, then separable convs 16/32/32/48/48, GAP, 1×1 head (7,936 parameters)";
        Self::separable(Architecture::Compact, about, 16, &[16, 32, 32, 48, 48])
    }

    /// `quick`'s model: `compact` with a third separable conv at 7×7 and 64 channels there
    /// (not 48), where a channel costs least to compute. In three epochs depth paid more than
    /// width: the extra layer took the page's slicing from 99.38 % to 99.51 % on average, where
    /// 96 channels at 7×7 (17,488 parameters) did not (docs/results.md).
    pub fn quick() -> Self {
        let about = "compact's layers, a third separable conv and 64 channels at 7×7: 99.4 % in three epochs (15,408 parameters)";
        Self::separable(Architecture::Quick, about, 16, &[16, 32, 32, 64, 64, 64])
    }

    /// The smallest we found that reaches 99.4 %: `compact`'s layers at about half the width.
    pub fn tiny() -> Self {
        let about = "compact's layers at half the width: 8, then 12/20/24/32/28 (3,944 parameters)";
        Self::separable(Architecture::Tiny, about, 8, &[12, 20, 24, 32, 28])
    }

    /// A padded 3×3 conv to `first` channels → BN → ReLU, then separable convs of `widths`,
    /// 2×2 max-pools after the first and the third, global average pooling and a bias-free 1×1
    /// head.
    fn separable(name: Architecture, about: &str, first: usize, widths: &[usize]) -> Self {
        let mut layers = vec![conv_nobias(first), BatchNorm, Relu];
        for (i, &width) in widths.iter().enumerate() {
            if i == 1 || i == 3 {
                layers.push(MaxPool);
            }
            layers.extend([
                Depthwise { kernel: 3, pad: 1 },
                Conv { out: width, kernel: 1, pad: 0, bias: false },
                BatchNorm,
                Relu,
            ]);
        }
        layers.extend([Conv { out: CLASSES, kernel: 1, pad: 0, bias: false }, GlobalAvgPool]);
        ModelSpec::builtin(name, about, layers)
    }

    /// Our second design, kept for the results page: three stages of padded 3×3 conv → BN →
    /// ReLU (widths 8, 8, 16 with 2, 2 and 3 convs), max-pools between, global average pooling,
    /// a bias-free 1×1 head. Eight channels from the first conv on: four (as in `compact-v1`)
    /// squeezed every 28×28 image through four maps.
    pub fn compact_v2() -> Self {
        Self::staged(Architecture::CompactV2, "three BN-ReLU stages 8×2, 8×2, 16×3, GAP, 1×1 head (7,880 parameters)", &[(8, 2), (8, 2), (16, 3)])
    }

    /// Our first design, kept for the results page: widths 4/8/16 with three convs each.
    pub fn compact_v1() -> Self {
        Self::staged(Architecture::CompactV1, "three BN-ReLU stages 4/8/16 ×3, GAP, 1×1 head (7,852 parameters)", &[(4, 3), (8, 3), (16, 3)])
    }

    /// A candidate with wider early stages and fewer convs per stage: 8/12/16, two convs each.
    pub fn compact_wide() -> Self {
        Self::staged(Architecture::CompactWide, "three BN-ReLU stages 8/12/16 ×2, GAP, 1×1 head (7,144 parameters)", &[(8, 2), (12, 2), (16, 2)])
    }

    /// Stages of (width, convs) padded 3×3 conv → BN → ReLU with 2×2 max-pools between, then
    /// global average pooling and a 1×1 head. Convs feeding a BN carry no bias, which the BN's
    /// shift would cancel anyway.
    fn staged(name: Architecture, about: &str, stages: &[(usize, usize)]) -> Self {
        let mut layers = Vec::new();
        for (i, &(width, convs)) in stages.iter().enumerate() {
            if i > 0 {
                layers.push(MaxPool);
            }
            for _ in 0..convs {
                layers.extend([conv_nobias(width), BatchNorm, Relu]);
            }
        }
        layers.extend([Conv { out: CLASSES, kernel: 1, pad: 0, bias: false }, GlobalAvgPool]);
        ModelSpec::builtin(name, about, layers)
    }

    fn builtin(name: Architecture, about: &str, layers: Vec<Layer>) -> Self {
        ModelSpec { name: name.name().into(), about: about.into(), layers }
    }

}

/// The named architectures: what a recipe and a checkpoint name, typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "kebab-case")]
pub enum Architecture {
    Seed,
    Compact,
    Quick,
    Tiny,
    CompactV2,
    CompactV1,
    CompactWide,
}

impl Architecture {
    pub const ALL: [Architecture; 7] = [
        Architecture::Seed,
        Architecture::Compact,
        Architecture::Quick,
        Architecture::Tiny,
        Architecture::CompactV2,
        Architecture::CompactV1,
        Architecture::CompactWide,
    ];

    pub fn spec(self) -> ModelSpec {
        match self {
            Architecture::Seed => ModelSpec::seed(),
            Architecture::Compact => ModelSpec::compact(),
            Architecture::Quick => ModelSpec::quick(),
            Architecture::Tiny => ModelSpec::tiny(),
            Architecture::CompactV2 => ModelSpec::compact_v2(),
            Architecture::CompactV1 => ModelSpec::compact_v1(),
            Architecture::CompactWide => ModelSpec::compact_wide(),
        }
    }

    /// As the page, the CLI and a checkpoint write it: `seed`, `compact-v2`.
    pub fn name(self) -> &'static str {
        match self {
            Architecture::Seed => "seed",
            Architecture::Compact => "compact",
            Architecture::Quick => "quick",
            Architecture::Tiny => "tiny",
            Architecture::CompactV2 => "compact-v2",
            Architecture::CompactV1 => "compact-v1",
            Architecture::CompactWide => "compact-wide",
        }
    }
}

impl std::str::FromStr for Architecture {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, String> {
        Architecture::ALL.into_iter().find(|a| a.name() == name).ok_or_else(|| {
            let names: Vec<_> = Architecture::ALL.iter().map(|a| a.name()).collect();
            format!("unknown model '{name}' (known: {})", names.join(", "))
        })
    }
}

impl std::fmt::Display for Architecture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

