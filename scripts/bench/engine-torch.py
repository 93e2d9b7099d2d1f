#!/usr/bin/python3
"""Bench runner for PyTorch (Debian's python3-torch): conv forward and backward (input + weight
gradients via torch.autograd.grad, plus the bias gradient) on the shapes of engine-shapes.mjs,
passed in as JSON. Prints one JSON line per measurement, like the other runners.

  /usr/bin/python3 scripts/bench/engine-torch.py --threads 1 --dtype float32 --shapes '{...}'
"""
import argparse
import json
import math
import statistics
import time

import torch
import torch.nn.functional as F

ap = argparse.ArgumentParser()
ap.add_argument('--threads', type=int, default=1)
ap.add_argument('--dtype', default='float32')
ap.add_argument('--shapes', required=True, help='JSON: {id: {x, w, stride, padding, dilation, groups, flops}}')
ap.add_argument('--runs', type=int, default=5)
ap.add_argument('--budget', type=float, default=15000, help='ms per measurement')
ap.add_argument('--clock', default='wall', choices=['wall', 'cpu'], help='wall: perf_counter; cpu: process CPU time, all threads')
args = ap.parse_args()

torch.set_num_threads(args.threads)
dtype = torch.float32 if args.dtype == 'float32' else torch.float64
engine = 'torch' if args.threads == 1 else f'torch-{args.threads}t'


now = time.perf_counter if args.clock == 'wall' else time.process_time


def timed(fn, runs, budget_ms):
    """Same policy as engine-shapes.mjs `time`: warm-up, ≥ runs samples of ≥ 20 ms each unless
    over budget, median time per call."""
    w0, t0 = time.perf_counter(), now()
    fn()
    first = max(now() - t0, time.perf_counter() - w0) * 1000
    samples = []
    if first * runs > budget_ms:
        samples.append(first)
        count = max(0, int((budget_ms - first) // first))
    else:
        fn()
        count = max(runs, min(3 * runs, int(budget_ms / 4 / max(first, 20))))
    reps = max(1, math.ceil(20 / max(first, 1e-3)))
    for _ in range(count):
        t = now()
        for _ in range(reps):
            fn()
        samples.append((now() - t) * 1000 / reps)
    return statistics.median(samples), len(samples)


gen = torch.Generator().manual_seed(0)
for sid, s in json.loads(args.shapes).items():
    conv = {3: F.conv1d, 4: F.conv2d, 5: F.conv3d}[len(s['x'])]
    x = torch.randn(s['x'], generator=gen, dtype=dtype, requires_grad=True)
    w = torch.randn(s['w'], generator=gen, dtype=dtype, requires_grad=True)
    b = torch.randn(s['w'][0], generator=gen, dtype=dtype, requires_grad=True)
    kw = dict(stride=s['stride'], padding=s['padding'], dilation=s['dilation'], groups=s['groups'])
    with torch.no_grad():
        ms, n = timed(lambda: conv(x, w, b, **kw), args.runs, args.budget)
    print(json.dumps(dict(engine=engine, dtype=args.dtype, shape=sid, **{'pass': 'forward'}, ms=ms, runs=n, clock=args.clock, gflops=s['flops'] / ms / 1e6)), flush=True)
    y = conv(x, w, b, **kw)
    dy = torch.randn(y.shape, generator=gen, dtype=dtype)
    ms, n = timed(lambda: torch.autograd.grad(y, (x, w, b), dy, retain_graph=True), args.runs, args.budget)
    print(json.dumps(dict(engine=engine, dtype=args.dtype, shape=sid, **{'pass': 'backward'}, ms=ms, runs=n, clock=args.clock, gflops=2 * s['flops'] / ms / 1e6)), flush=True)
