"""PyTorch reference timings for the same MNIST models on the same machine.

    python3 bench/pytorch_mnist.py --model compact --batch 64 [--steps 200] [--threads 2]
    python3 bench/pytorch_mnist.py --model compact --batch 32 --count-ops


Times training steps (forward, loss, backward, SGD step) on random inputs of MNIST's shape,
which costs the same as real images, and prints ms/step and the implied seconds per epoch
of 60,000 images. Compare with `gradbook bench` on the same machine.

--count-ops counts one step's operator calls instead (a TorchDispatchMode sees every call that
reaches a backend kernel, forward, backward and optimizer), and those of them that do arithmetic
(not views, reshapes or allocations): about how many kernels a CUDA run of the same step launches. Compare with the kernels per step of `gradbook bench --device wgpu`.
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
    p.add_argument("--count-ops", action="store_true", help="count one step's operator calls instead of timing")
    p.add_argument("--verbose", action="store_true", help="with --count-ops: the calls by operator")
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
    if args.count_ops:
        return count_ops(step, args, params)
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    ms = (time.perf_counter() - start) * 1000 / args.steps
    per_epoch = ms / 1000 * (60000 / args.batch)
    print(f"pytorch {torch.__version__} {args.model} ({params} params) batch {args.batch}, "
          f"{args.threads} threads: {ms:.2f} ms/step, {per_epoch:.1f} s/epoch (training steps only)")


# Operators that only relabel or allocate memory, or mark the profiler: no kernel runs for them.
NO_KERNEL = {
    "view", "_unsafe_view", "as_strided", "reshape", "_reshape_alias", "t", "transpose", "permute", "expand",
    "expand_as", "view_as", "squeeze", "unsqueeze", "alias", "detach", "select", "slice", "flatten",
    "unflatten", "empty", "empty_like", "empty_strided", "_record_function_enter", "_record_function_exit",
}


def count_ops(step, args, params):
    """Counts every operator call that reaches PyTorch's dispatcher during one step: forward,
    the autograd engine's backward and the optimizer, below autograd, so each is one call into
    a backend kernel."""
    from collections import Counter

    from torch.utils._python_dispatch import TorchDispatchMode

    class Count(TorchDispatchMode):
        def __init__(self):
            super().__init__()
            self.calls = Counter()

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            self.calls[func.overloadpacket.__name__] += 1
            return func(*args, **(kwargs or {}))

    with Count() as counted:
        step()
    total = sum(counted.calls.values())
    compute = sum(n for name, n in counted.calls.items() if name not in NO_KERNEL)
    print(f"pytorch {torch.__version__} {args.model} ({params} params) batch {args.batch}, one training step: "
          f"{total} operator calls, {compute} that compute (not views or allocations: about the kernels "
          f"a CUDA run launches)")
    if args.verbose:
        for name, n in counted.calls.most_common():
            print(f"{n:>6}  {name}")


if __name__ == "__main__":
    main()
