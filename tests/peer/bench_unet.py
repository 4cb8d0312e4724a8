#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The peer of `aekit bench`: the same bench-unet (docs/design.md) in PyTorch on the CPU, measured the same
way (medians after a warm-up): training patches/s for batch 16 of 128x128 (forward, MSE, backward,
Adam), inference megapixels/s on one 1024x1024 colour image, with the given thread count.

usage: bench_unet.py [--threads N] [--channels-last] [--repeats R] [--json FILE]
Run it through tests/peer/run_peer.sh, which also sets up jemalloc for PyTorch's best configuration."""
import argparse
import json
import resource
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class BenchUnet(nn.Module):
    def __init__(self):
        super().__init__()
        c = lambda i, o: nn.Conv2d(i, o, 3, padding=1)
        self.enc0 = nn.ModuleList([c(3, 32), c(32, 32)])
        self.enc1 = nn.ModuleList([c(32, 64), c(64, 64)])
        self.mid = nn.ModuleList([c(64, 128), c(128, 128)])
        self.dec1 = nn.ModuleList([c(192, 64), c(64, 64)])
        self.dec0 = nn.ModuleList([c(96, 32), c(32, 32)])
        self.out = c(32, 3)

    def forward(self, x):
        def block(convs, t):
            for conv in convs:
                t = F.relu(conv(t))
            return t
        s0 = block(self.enc0, x)
        s1 = block(self.enc1, F.max_pool2d(s0, 2))
        m = block(self.mid, F.max_pool2d(s1, 2))
        d1 = block(self.dec1, torch.cat([F.interpolate(m, scale_factor=2, mode="nearest"), s1], 1))
        d0 = block(self.dec0, torch.cat([F.interpolate(d1, scale_factor=2, mode="nearest"), s0], 1))
        return x - self.out(d0)


def median_seconds(repeats, fn):
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--channels-last", action="store_true")
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--json")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    fmt = torch.channels_last if a.channels_last else torch.contiguous_format
    net = BenchUnet().to(memory_format=fmt)
    macs = 112320

    x = torch.rand(16, 3, 128, 128).to(memory_format=fmt)
    target = torch.rand(16, 3, 128, 128).to(memory_format=fmt)
    opt = torch.optim.Adam(net.parameters(), lr=1e-4)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.mse_loss(net(x), target)
        loss.backward()
        opt.step()

    train_s = median_seconds(a.repeats, step)
    img = torch.rand(1, 3, 1024, 1024).to(memory_format=fmt)
    with torch.inference_mode():
        infer_s = median_seconds(a.repeats, lambda: net(img))
    r = {
        "peer": "pytorch " + torch.__version__,
        "threads": a.threads,
        "channels_last": a.channels_last,
        "train": {"patches_per_s": 16 / train_s, "gflops": 3 * 2 * macs * 16 * 128 * 128 / train_s / 1e9},
        "infer_f32": {"mpix_per_s": 1.048576 / infer_s, "gflops": 2 * macs * 1024 * 1024 / infer_s / 1e9},
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    print(f"pytorch {torch.__version__} bench-unet, {a.threads} threads, channels_last={a.channels_last}")
    print(f"  training  {r['train']['patches_per_s']:.1f} patches/s  {r['train']['gflops']:.0f} GFLOP/s")
    print(f"  inference {r['infer_f32']['mpix_per_s']:.2f} MP/s  {r['infer_f32']['gflops']:.0f} GFLOP/s")
    print(f"  peak RSS  {r['peak_rss_mb']:.0f} MB")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(r, f, indent=2)


if __name__ == "__main__":
    main()
