"""Writes tests/data/torchvision_augment.json: a synthetic digit and what torchvision does to it
under the seed's transforms, for fixed parameters. tests/mnist.rs checks that our `Nearest`
augmentation gives the same pixels.

    python3 bench/torchvision_augment_fixture.py     # Debian python3-torchvision (0.14), Pillow 9.4

Each case: RandomRotation's F.rotate, then RandomAffine's F.affine (no shear), then
ColorJitter's adjust_brightness / adjust_contrast in the case's order, on a PIL image, as the
exercise's pipeline does with drawn parameters. torchvision turns F.affine's angle clockwise;
ours counter-clockwise, so the fixture stores our angle and passes its negative.
"""
import json
import os

import numpy as np
import PIL
import torchvision
import torchvision.transforms.functional as F
from PIL import Image, ImageDraw, ImageFilter

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "torchvision_augment.json")


def digit():
    """A '4'-like stroke with soft edges: grey levels 0-255, black background, like MNIST."""
    im = Image.new("L", (28, 28), 0)
    ImageDraw.Draw(im).line([(17, 4), (7, 17), (21, 17)], fill=255, width=3)
    ImageDraw.Draw(im).line([(16, 9), (15, 24)], fill=230, width=3)
    return im.filter(ImageFilter.GaussianBlur(0.7))


def main():
    rng = np.random.default_rng(2026)
    source = digit()
    cases = []
    for i in range(24):
        case = {
            "rotation": round(float(rng.uniform(-5, 5)), 3),
            "degrees": round(float(rng.uniform(-8, 8)), 3),
            # whole pixels, as RandomAffine rounds them
            "translate": [int(rng.integers(-4, 5)), int(rng.integers(-4, 5))],
            "scale": round(float(rng.uniform(0.85, 1.15)), 4),
            "brightness": round(float(rng.uniform(0.9, 1.1)), 4),
            "contrast": round(float(rng.uniform(0.9, 1.1)), 4),
            "contrastFirst": bool(i % 2),
        }
        im = F.rotate(source, case["rotation"])
        im = F.affine(im, angle=-case["degrees"], translate=case["translate"], scale=case["scale"], shear=[0.0, 0.0])
        b, c = case["brightness"], case["contrast"]
        im = F.adjust_brightness(F.adjust_contrast(im, c), b) if case["contrastFirst"] else F.adjust_contrast(F.adjust_brightness(im, b), c)
        case["output"] = np.asarray(im, np.uint8).tobytes().hex()
        cases.append(case)
    with open(OUT, "w") as f:
        json.dump({"made with": f"torchvision {torchvision.__version__}, Pillow {PIL.__version__}",
                   "input": np.asarray(source, np.uint8).tobytes().hex(), "cases": cases}, f, indent=1)


if __name__ == "__main__":
    main()
