"""The seed exercise's final recipe, run in PyTorch the way the exercise ran it: a reference for
what `gradbook mnist --model seed` should reach.

    MNIST_DIR=../shared/mnist python3 bench/pytorch_seed_recipe.py --seed 1 [--json out.json]

torchvision's transforms on PIL images, one image at a time in a DataLoader worker (nearest-
neighbour resampling, whole-pixel shifts, ColorJitter in random order), the seed's model
(bench/pytorch_mnist.py), SGD 0.01 momentum 0.9, StepLR(8, 0.25), batch 64, 19 epochs; the test
accuracy on all 10,000 test images after every epoch. Needs Debian's python3-torch and
python3-torchvision.
"""
import argparse
import gzip
import json
import os
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torchvision import transforms

from pytorch_mnist import seed_model

NORMALISE = transforms.Normalize((0.1307,), (0.3081,))
AUGMENT = transforms.Compose([
    transforms.RandomRotation(5),
    transforms.RandomAffine(degrees=8, translate=(0.15, 0.15), scale=(0.85, 1.15)),
    transforms.ColorJitter(brightness=0.1, contrast=0.1),
    transforms.ToTensor(),
    NORMALISE,
])
PLAIN = transforms.Compose([transforms.ToTensor(), NORMALISE])


def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".gz"):
        data = gzip.decompress(data)
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)


def find(folder, stem):
    """The IDX file named `stem`, gzip-compressed or not."""
    for name in (stem + ".gz", stem):
        if os.path.exists(os.path.join(folder, name)):
            return os.path.join(folder, name)
    raise SystemExit(f"{stem}(.gz) is not in {folder}: pass --data DIR or set MNIST_DIR")


class Mnist(torch.utils.data.Dataset):
    def __init__(self, folder, split, transform):
        self.images = read_idx(find(folder, f"{split}-images-idx3-ubyte"))
        self.labels = read_idx(find(folder, f"{split}-labels-idx1-ubyte"))
        self.transform = transform

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return self.transform(Image.fromarray(self.images[i], mode="L")), int(self.labels[i])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", default=os.environ.get("MNIST_DIR"))
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--epochs", type=int, default=19)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--json")
    args = p.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)

    train = torch.utils.data.DataLoader(Mnist(args.data, "train", AUGMENT), batch_size=64, shuffle=True, num_workers=1)
    test = torch.utils.data.DataLoader(Mnist(args.data, "t10k", PLAIN), batch_size=1000)
    model = seed_model()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=8, gamma=0.25)

    epochs = []
    for epoch in range(1, args.epochs + 1):
        started = time.perf_counter()
        model.train()
        for x, y in train:
            opt.zero_grad()
            F.nll_loss(F.log_softmax(model(x), dim=1), y).backward()
            opt.step()
        sched.step()
        model.eval()
        loss, correct = 0.0, 0
        with torch.no_grad():
            for x, y in test:
                out = F.log_softmax(model(x), dim=1)
                loss += F.nll_loss(out, y, reduction="sum").item()
                correct += (out.argmax(1) == y).sum().item()
        n = len(test.dataset)
        epochs.append({"epoch": epoch, "testAccuracy": 100 * correct / n, "testLoss": loss / n,
                       "seconds": time.perf_counter() - started})
        print(f"Epoch {epoch}: test accuracy {100 * correct / n:.2f}% ({epochs[-1]['seconds']:.0f} s)", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"framework": f"pytorch {torch.__version__}", "model": "seed", "seed": args.seed,
                       "parameters": sum(p.numel() for p in model.parameters()), "epochs": epochs}, f, indent=2)


if __name__ == "__main__":
    main()
