"""PyTorch reference timings for the same MNIST models on the same machine.

    python3 bench/pytorch_mnist.py --model compact --batch 64 [--steps 200] [--threads 2]

Times training steps (forward, loss, backward, SGD step) on random inputs of MNIST's shape,
which costs the same as real images, and prints ms/step and the implied seconds per epoch
of 60,000 images. Compare with `gradbook bench` on the same machine.
"""
import argparse
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def seed_model():
    # The seed exercise's final model: 9,320 parameters.
    def block(cin, cout, pad):
        return [nn.Conv2d(cin, cout, 3, padding=pad), nn.ReLU(), nn.BatchNorm2d(cout)]

    layers = [nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Dropout(0.069)]
    for cin, cout in [(4, 8), (8, 12), (12, 16), (16, 20)]:
        layers += block(cin, cout, 1)
    layers += [nn.MaxPool2d(2), nn.Conv2d(20, 4, 1)]
    for cin, cout in [(4, 8), (8, 12), (12, 16)]:
        layers += block(cin, cout, 0)
    layers += [nn.Conv2d(16, 10, 1), nn.AvgPool2d(8), nn.Flatten(), nn.Linear(10, 10)]
    return nn.Sequential(*layers)


def staged_model(stages):
    # Ours: BN-ReLU stages of (width, convs) with max-pools between, GAP, bias-free 1x1 head.
    layers, cin = [], 1
    for i, (width, convs) in enumerate(stages):
        if i:
            layers.append(nn.MaxPool2d(2))
        for _ in range(convs):
            layers += [nn.Conv2d(cin, width, 3, padding=1, bias=False), nn.BatchNorm2d(width), nn.ReLU()]
            cin = width
    layers += [nn.Conv2d(cin, 10, 1, bias=False), nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    return nn.Sequential(*layers)


def separable_model():
    # compact: a full 3x3 conv, then depthwise 3x3 + 1x1 convs, GAP, bias-free 1x1 head.
    layers, cin = [nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU()], 16
    for i, width in enumerate([16, 32, 32, 48, 48]):
        if i in (1, 3):
            layers.append(nn.MaxPool2d(2))
        layers += [
            nn.Conv2d(cin, cin, 3, padding=1, groups=cin, bias=False),
            nn.Conv2d(cin, width, 1, bias=False),
            nn.BatchNorm2d(width),
            nn.ReLU(),
        ]
        cin = width
    layers += [nn.Conv2d(cin, 10, 1, bias=False), nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    return nn.Sequential(*layers)


MODELS = {
    "seed": seed_model,
    "compact": separable_model,  # 7,936 parameters
    "compact-v2": lambda: staged_model([(8, 2), (8, 2), (16, 3)]),  # 7,880 parameters
    "compact-v1": lambda: staged_model([(4, 3), (8, 3), (16, 3)]),  # 7,852 parameters
}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", choices=list(MODELS), default="compact")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--threads", type=int, default=torch.get_num_threads())
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    model = MODELS[args.model]()
    params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = torch.randn(args.batch, 1, 28, 28)
    y = torch.randint(0, 10, (args.batch,))

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    for _ in range(20):
        step()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    ms = (time.perf_counter() - start) * 1000 / args.steps
    per_epoch = ms / 1000 * (60000 / args.batch)
    print(f"pytorch {torch.__version__} {args.model} ({params} params) batch {args.batch}, "
          f"{args.threads} threads: {ms:.2f} ms/step, {per_epoch:.1f} s/epoch (training steps only)")


if __name__ == "__main__":
    main()
