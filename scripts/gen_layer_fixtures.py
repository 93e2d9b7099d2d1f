#!/usr/bin/python3
"""Generate per-layer PyTorch conformance fixtures for Convscope.

Run from the repository root with the system interpreter (Debian's PyTorch):

    /usr/bin/python3 scripts/gen_layer_fixtures.py [family ...]

Writes test/fixtures/layers/<family>.json for every family (or just the named
ones).  Every file looks like

    {"torch": "<version>", "generator": "...", "family": "<family>", "cases": [
    {"layer": ..., "inputs": [[...]], "args": {...}, "expect": {...}},
    ...
    ]}

`expect` is either {"shape": [...], "params": int, "macs": int} or
{"error": "<first line of the torch exception message>"} (the exception's class
name when its message is empty, e.g. the bare `assert` in nn.Hardtanh).

Conventions shared with the TypeScript side:
  * `args` use torch.nn argument names; arguments inferred from the input
    (in_channels / in_features / num_features / num_channels) are omitted and
    derived here from the first input shape:
      - conv / conv_transpose (r spatial dims): shape[0] if the input has rank
        r+1 (unbatched), otherwise shape[1] (shape[0] for rank-1 input);
      - batch_norm*: shape[1] (shape[0] for rank-1 input);
      - group_norm: shape[1] (shape[0] for rank-1 input);
      - linear: shape[-1].
  * min_pool{r}d is evaluated as -F.max_pool{r}d(-x, **max_pool_args).
  * concat is torch.cat(inputs, dim); add/mul fold left: (a op b) op c.
  * params = sum of numel of module parameters (buffers excluded).
  * macs: conv -> output.numel() * weight[0].numel();
          conv_transpose -> input.numel() * weight.shape[1] * prod(kernel);
          linear -> output.numel() * in_features; everything else 0.
  * float32, default (training) mode, grad mode on and inputs created with
    requires_grad=True (as inside a network being trained), and
    torch.manual_seed(0) before each case.

Each family is generated from its own random.Random(seed) into a candidate
pool, evaluated in a worker subprocess (so a configuration that crashes or
hangs torch is skipped rather than killing the generator), and then a
deterministic subset is kept so that roughly ERROR_FRACTION of the cases are
configurations PyTorch rejects.
"""

import json
import os
import random
import select
import subprocess
import sys
import time

GENERATOR = "scripts/gen_layer_fixtures.py"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "test", "fixtures", "layers")

POOL_SIZE = 720          # candidates generated per family
TARGET_CASES = 360       # cases kept per family
ERROR_FRACTION = 0.28    # preferred share of error cases
ERROR_MAX = 0.35
ERROR_MIN = 0.20
CASE_TIMEOUT = 60.0      # seconds per case before we call it a hang

SEEDS = {
    "conv": 11001,
    "conv_transpose": 11002,
    "pool": 11003,
    "adaptive": 11004,
    "norm": 11005,
    "activation": 11006,
    "shape": 11007,
    "merge": 11008,
}


# ---------------------------------------------------------------------------
# small random helpers (pure Python: candidate generation must not use torch)
# ---------------------------------------------------------------------------

def pick(rng, weighted):
    """weighted: list of (weight, value)."""
    total = sum(w for w, _ in weighted)
    u = rng.random() * total
    for w, v in weighted:
        u -= w
        if u < 0:
            return v
    return weighted[-1][1]


def rep(rng, vals, p_int=0.6, force_tuple=False):
    """Represent per-dim values as an int (when all equal, sometimes) or a list."""
    if not force_tuple and all(v == vals[0] for v in vals) and rng.random() < p_int:
        return vals[0]
    return list(vals)


def wrong_len(rng, vals, lo, hi):
    """A list of the wrong length (len(vals) +/- 1, never empty)."""
    r = len(vals)
    if r == 1 or rng.random() < 0.6:
        return list(vals) + [rng.randint(lo, hi)]
    return list(vals[:-1])


def batch(rng):
    return pick(rng, [(45, 1), (35, 2), (20, 3)])


def with_rank_variant(rng, n, c, spatial, p_unbatched=0.06, p_wrong=0.04):
    """[N, C, *spatial] mostly; sometimes unbatched [C, *spatial]; sometimes a
    wrong rank (one extra or one missing dim)."""
    u = rng.random()
    if u < p_unbatched:
        return [c] + spatial
    if u < p_unbatched + p_wrong:
        if rng.random() < 0.5:
            return [n, c] + spatial + [rng.randint(1, 4)]
        return spatial[:] if len(spatial) >= 1 else [c]
    return [n, c] + spatial


def conv_channels(shape, r):
    if len(shape) == r + 1:
        return shape[0]
    return shape[1] if len(shape) >= 2 else shape[0]


def lead_channels(shape):
    return shape[1] if len(shape) >= 2 else shape[0]


# ---------------------------------------------------------------------------
# family generators: each returns one candidate {"layer", "inputs", "args"}
# ---------------------------------------------------------------------------

def gen_conv(rng):
    r = pick(rng, [(35, 1), (40, 2), (25, 3)])
    kmax, smax = (3, 6) if r == 3 else (5, 16)
    n, c = batch(rng), rng.randint(1, 12)
    args = {}

    # groups / out_channels
    g = 1
    u = rng.random()
    if u < 0.25:
        divs = [d for d in range(2, c + 1) if c % d == 0]
        g = rng.choice(divs) if divs else 1
    elif u < 0.33:
        g = rng.choice([2, 3, 4, 5])
    elif u < 0.345:
        g = rng.choice([0, -1])
    if g >= 1 and rng.random() < 0.85:
        oc = g * rng.randint(1, max(1, 12 // g))
    else:
        oc = rng.randint(1, 12)
    args["out_channels"] = oc

    ks = [rng.randint(1, kmax) for _ in range(r)]
    u = rng.random()
    if u < 0.04:
        args["kernel_size"] = wrong_len(rng, ks, 1, kmax)
    elif u < 0.055:
        args["kernel_size"] = rng.choice([0, -1])
        ks = [args["kernel_size"]] * r
    else:
        args["kernel_size"] = rep(rng, ks, p_int=0.6, force_tuple=(r == 1 and rng.random() < 0.2))

    ss = [1] * r
    u = rng.random()
    if u < 0.5:
        pass
    elif u < 0.53:
        ss = [rng.choice([0, -1])] * r
        args["stride"] = ss[0]
    elif u < 0.55:
        args["stride"] = wrong_len(rng, [rng.randint(1, 3) for _ in range(r)], 1, 3)
    else:
        ss = [pick(rng, [(3, 1), (4, 2), (2, 3)]) for _ in range(r)]
        args["stride"] = rep(rng, ss)

    ds = [1] * r
    u = rng.random()
    if u < 0.7:
        pass
    elif u < 0.72:
        args["dilation"] = rng.choice([0, -1])
        ds = [max(1, args["dilation"])] * r
    else:
        ds = [rng.randint(1, 2 if r == 3 else 3) for _ in range(r)]
        args["dilation"] = rep(rng, ds)

    ps = [0] * r
    pmode = pick(rng, [(28, "omit"), (24, "int"), (12, "tuple"), (18, "same"), (8, "valid"),
                       (4, "kernel_half"), (2, "neg"), (1, "bad"), (2, "wronglen")])
    if pmode == "int":
        ps = [rng.randint(0, 3)] * r
        args["padding"] = ps[0]
    elif pmode == "tuple":
        ps = [rng.randint(0, 3) for _ in range(r)]
        args["padding"] = list(ps)
    elif pmode == "kernel_half":
        ps = [max(0, k) // 2 + rng.choice([0, 0, 1]) for k in ks]
        args["padding"] = rep(rng, ps)
    elif pmode == "same":
        args["padding"] = "same"
    elif pmode == "valid":
        args["padding"] = "valid"
    elif pmode == "neg":
        ps = [-1] * r
        args["padding"] = -1
    elif pmode == "bad":
        args["padding"] = rng.choice(["full", "SAME"])
    elif pmode == "wronglen":
        args["padding"] = wrong_len(rng, [rng.randint(0, 2) for _ in range(r)], 0, 2)

    if g != 1:
        args["groups"] = g
    elif rng.random() < 0.05:
        args["groups"] = 1
    u = rng.random()
    if u < 0.2:
        args["bias"] = False
    elif u < 0.25:
        args["bias"] = True
    pm = pick(rng, [(72, None), (10, "reflect"), (8, "replicate"), (8, "circular"), (1, "zeros"), (1, "mirror")])
    if pm is not None:
        args["padding_mode"] = pm

    # spatial sizes: often right at the boundary where the output size is 0/1/2
    spatial = []
    boundary = rng.random() < 0.45
    for i in range(r):
        k, s, d = max(ks[i], 1), max(ss[i], 1), max(ds[i], 1)
        p = max(ps[i], 0)
        eff = d * (k - 1) + 1
        if pm in ("reflect", "circular", "replicate") and p > 0 and rng.random() < 0.5:
            size = p + rng.choice([-1, 0, 1])
        elif pmode == "same" and pm in ("reflect", "circular") and rng.random() < 0.4:
            size = (eff - 1) // 2 + rng.choice([-1, 0, 1])
        elif boundary:
            size = eff - 2 * p + rng.choice([-2, -1, 0, 0, 1, 1, 2, s - 1, s, s + 1])
        else:
            size = rng.randint(1, smax)
        spatial.append(min(max(size, 1), 20 if r < 3 else 10))
    shape = with_rank_variant(rng, n, c, spatial)
    return {"layer": "conv%dd" % r, "inputs": [shape], "args": args}


def gen_conv_transpose(rng):
    r = pick(rng, [(35, 1), (40, 2), (25, 3)])
    kmax, smax = (3, 5) if r == 3 else (5, 12)
    n, c = batch(rng), rng.randint(1, 12)
    args = {}
    g = 1
    u = rng.random()
    if u < 0.25:
        divs = [d for d in range(2, c + 1) if c % d == 0]
        g = rng.choice(divs) if divs else 1
    elif u < 0.32:
        g = rng.choice([2, 3, 4])
    elif u < 0.33:
        g = 0
    if g >= 1 and rng.random() < 0.85:
        oc = g * rng.randint(1, max(1, 12 // g))
    else:
        oc = rng.randint(1, 12)
    args["out_channels"] = oc

    ks = [rng.randint(1, kmax) for _ in range(r)]
    u = rng.random()
    if u < 0.03:
        args["kernel_size"] = wrong_len(rng, ks, 1, kmax)
    else:
        args["kernel_size"] = rep(rng, ks)

    ss = [1] * r
    u = rng.random()
    if u < 0.35:
        pass
    elif u < 0.37:
        ss = [0] * r
        args["stride"] = 0
    else:
        ss = [pick(rng, [(2, 1), (4, 2), (3, 3)]) for _ in range(r)]
        args["stride"] = rep(rng, ss)

    ds = [1] * r
    if rng.random() < 0.3:
        ds = [rng.randint(1, 2 if r == 3 else 3) for _ in range(r)]
        args["dilation"] = rep(rng, ds)

    ps = [0] * r
    u = rng.random()
    if u < 0.35:
        pass
    elif u < 0.37:
        args["padding"] = rng.choice(["same", "valid"])
    elif u < 0.39:
        ps = [-1] * r
        args["padding"] = -1
    else:
        ps = [rng.randint(0, 3) for _ in range(r)]
        args["padding"] = rep(rng, ps)

    ops = [0] * r
    u = rng.random()
    if u < 0.5:
        pass
    else:
        # around the max(stride, dilation) - 1 limit
        ops = [max(0, max(ss[i], ds[i]) - 1 + rng.choice([-1, 0, 0, 0, 1])) for i in range(r)]
        args["output_padding"] = rep(rng, ops)

    if g != 1:
        args["groups"] = g
    u = rng.random()
    if u < 0.2:
        args["bias"] = False
    elif u < 0.24:
        args["bias"] = True
    if rng.random() < 0.03:
        args["padding_mode"] = rng.choice(["reflect", "circular", "zeros"])

    spatial = []
    tiny = rng.random() < 0.35
    for i in range(r):
        if tiny:
            # aim for an output size of -1 .. 2 by choosing the padding
            size = rng.randint(1, 3)
            k, s, d = ks[i], max(ss[i], 1), ds[i]
            full = (size - 1) * s + d * (k - 1) + ops[i] + 1
            target = rng.choice([-1, 0, 0, 1, 1, 2])
            if "padding" not in args or isinstance(args["padding"], (int, list)):
                p = (full - target + 1) // 2
                if 0 <= p <= 6:
                    ps[i] = p
            spatial.append(size)
        else:
            spatial.append(rng.randint(1, smax))
    if tiny and not isinstance(args.get("padding"), str) and any(ps):
        args["padding"] = rep(rng, ps)
    shape = with_rank_variant(rng, n, c, spatial)
    return {"layer": "conv_transpose%dd" % r, "inputs": [shape], "args": args}


def pool_dim(rng, k, s, p, d, ceil_mode, smax):
    """Pick an input size for one pooled dim, biased towards boundaries."""
    eff = d * (k - 1) + 1
    u = rng.random()
    if ceil_mode and u < 0.55:
        # sizes where the ceil-mode last window starts inside the right padding
        # (dropped by PyTorch) or just covers a partial window
        drop, partial = [], []
        for size in range(1, smax + 1):
            span = size + 2 * p - eff
            if span < 0:
                continue
            out = -(-span // s) + 1
            if (out - 1) * s >= size + p:
                drop.append(size)
            elif span % s:
                partial.append(size)
        if drop and rng.random() < 0.6:
            return rng.choice(drop)
        if partial:
            return rng.choice(partial)
    if u < 0.8:
        return max(1, eff - 2 * p + rng.choice([-1, 0, 0, 1, 1, 2, s - 1, s, s + 1]))
    return rng.randint(1, smax)


def gen_pool(rng):
    kind = pick(rng, [(40, "max"), (40, "avg"), (20, "min")])
    r = pick(rng, [(35, 1), (40, 2), (25, 3)])
    kmax, smax = (3, 7) if r == 3 else (5, 16)
    n, c = batch(rng), rng.randint(1, 6)
    args = {}
    dilated = kind in ("max", "min")

    ks = [rng.randint(1, kmax) for _ in range(r)]
    u = rng.random()
    if u < 0.02:
        args["kernel_size"] = wrong_len(rng, ks, 1, kmax)
    elif u < 0.035:
        args["kernel_size"] = 0
        ks = [1] * r
    else:
        args["kernel_size"] = rep(rng, ks)

    u = rng.random()
    if u < 0.35:
        ss = list(ks)
    elif u < 0.4:
        ss = list(ks)
        args["stride"] = None
    elif u < 0.42:
        ss = [1] * r
        args["stride"] = rng.choice([0, -1])
    else:
        ss = [pick(rng, [(3, 1), (4, 2), (3, 3), (1, 4)]) for _ in range(r)]
        args["stride"] = rep(rng, ss)

    ps = [0] * r
    u = rng.random()
    if u < 0.35:
        pass
    elif u < 0.37:
        args["padding"] = -1
    else:
        # 0 .. k//2 + 1: the top value is rejected by PyTorch
        ps = [rng.randint(0, k // 2 + (1 if rng.random() < 0.25 else 0)) for k in ks]
        args["padding"] = rep(rng, ps)

    ds = [1] * r
    if dilated:
        u = rng.random()
        if u < 0.72:
            pass
        elif u < 0.74:
            args["dilation"] = 0
        else:
            ds = [rng.randint(1, 2 if r == 3 else 3) for _ in range(r)]
            args["dilation"] = rep(rng, ds)

    ceil_mode = rng.random() < 0.5
    if ceil_mode:
        args["ceil_mode"] = True
    elif rng.random() < 0.05:
        args["ceil_mode"] = False

    if kind == "avg":
        u = rng.random()
        if u < 0.3:
            args["count_include_pad"] = False
        elif u < 0.35:
            args["count_include_pad"] = True
        if r > 1:
            u = rng.random()
            if u < 0.15:
                args["divisor_override"] = rng.randint(1, 5)
            elif u < 0.17:
                args["divisor_override"] = 0

    spatial = [pool_dim(rng, ks[i], max(ss[i], 1), max(ps[i], 0), max(ds[i], 1), ceil_mode, smax)
               for i in range(r)]
    spatial = [min(v, 20 if r < 3 else 9) for v in spatial]
    shape = with_rank_variant(rng, n, c, spatial)
    return {"layer": "%s_pool%dd" % (kind, r), "inputs": [shape], "args": args}


def gen_adaptive(rng):
    kind = rng.choice(["avg", "max"])
    r = pick(rng, [(35, 1), (40, 2), (25, 3)])
    smax = 7 if r == 3 else 16
    n, c = batch(rng), rng.randint(1, 8)
    spatial = [rng.randint(1, smax) for _ in range(r)]
    shape = with_rank_variant(rng, n, c, spatial, p_unbatched=0.08, p_wrong=0.1)

    def one(size):
        return pick(rng, [(3, 1), (3, size), (2, max(1, size - 1)), (3, size + rng.randint(1, 4)),
                          (4, rng.randint(1, smax)), (1, 2 * size)])

    u = rng.random()
    if u < 0.3:
        out = one(rng.choice(spatial))
    elif u < 0.8:
        out = [one(sz) for sz in spatial]
        if rng.random() < 0.3:
            i = rng.randrange(r)
            out[i] = None
            if rng.random() < 0.2:
                out = [None] * r
    elif u < 0.88:
        base = [one(sz) for sz in spatial]
        out = wrong_len(rng, base, 1, smax)
    elif u < 0.93:
        out = rng.choice([0, -1, -2])
    elif u < 0.97:
        out = [one(sz) for sz in spatial]
        out[rng.randrange(r)] = rng.choice([0, -1])
    else:
        out = None
    if r == 1 and isinstance(out, list) and len(out) == 1 and rng.random() < 0.5:
        out = out[0]
    return {"layer": "adaptive_%s_pool%dd" % (kind, r), "inputs": [shape], "args": {"output_size": out}}


def gen_norm(rng):
    layer = pick(rng, [(16, "batch_norm1d"), (16, "batch_norm2d"), (12, "batch_norm3d"),
                       (16, "local_response_norm"), (20, "layer_norm"), (20, "group_norm")])
    args = {}
    n = pick(rng, [(35, 1), (40, 2), (25, 3)])
    c = rng.randint(1, 12)

    def spatial_dims(k, smax=8):
        if rng.random() < 0.3:
            return [rng.choice([1, 1, 2]) for _ in range(k)]
        return [rng.randint(1, smax) for _ in range(k)]

    if layer.startswith("batch_norm"):
        r = int(layer[len("batch_norm")])
        if r == 1:
            ranks = [(45, 2), (45, 3), (5, 4), (5, 1)]
        else:
            ranks = [(88, r + 2), (6, r + 1), (6, r + 3)]
        rank = pick(rng, ranks)
        shape = [n, c] + spatial_dims(rank - 2, 8 if r < 3 else 4) if rank >= 2 else [c]
        u = rng.random()
        if u < 0.15:
            args["eps"] = rng.choice([1e-3, 1e-5, 0.1, 0.0])
        u = rng.random()
        if u < 0.2:
            args["momentum"] = rng.choice([0.01, 0.1, 0.5, None])
        u = rng.random()
        if u < 0.3:
            args["affine"] = False
        elif u < 0.35:
            args["affine"] = True
        u = rng.random()
        if u < 0.25:
            args["track_running_stats"] = False
        elif u < 0.3:
            args["track_running_stats"] = True
    elif layer == "local_response_norm":
        rank = pick(rng, [(30, 3), (40, 4), (15, 5), (10, 2), (5, 1)])
        shape = [n, c] + spatial_dims(rank - 2, 8 if rank < 5 else 4) if rank >= 2 else [c]
        if rank == 2:
            shape = [n, c]
        u = rng.random()
        args["size"] = rng.randint(1, 6) if u < 0.97 else rng.choice([0, -1])
        if rng.random() < 0.3:
            args["alpha"] = rng.choice([1e-4, 1e-3, 0.5])
        if rng.random() < 0.3:
            args["beta"] = rng.choice([0.75, 0.5, 1.0])
        if rng.random() < 0.3:
            args["k"] = rng.choice([1.0, 2.0, 0.5])
    elif layer == "layer_norm":
        rank = rng.randint(1, 5)
        shape = [rng.randint(1, 3 if rank > 3 else 6) for _ in range(rank)]
        if rank >= 2:
            shape = [n] + shape[1:]
        u = rng.random()
        k = rng.randint(1, min(rank, 3))
        tail = shape[rank - k:]
        if u < 0.3:
            ns = shape[-1]
        elif u < 0.72:
            ns = list(tail)
        elif u < 0.8:
            ns = shape[-1] + rng.choice([-1, 1]) if shape[-1] > 1 else 2
        elif u < 0.9:
            ns = list(tail)
            j = rng.randrange(k)
            ns[j] = ns[j] + 1
        elif u < 0.95:
            ns = [rng.randint(1, 4)] + list(shape)  # longer than the input
        else:
            ns = list(reversed(shape[-2:])) if rank >= 2 and shape[-1] != shape[-2] else shape[-1] + 1
        args["normalized_shape"] = ns
        if rng.random() < 0.15:
            args["eps"] = rng.choice([1e-5, 1e-3, 0.0])
        u = rng.random()
        if u < 0.3:
            args["elementwise_affine"] = False
        elif u < 0.35:
            args["elementwise_affine"] = True
    else:  # group_norm
        rank = pick(rng, [(15, 2), (25, 3), (40, 4), (15, 5), (5, 1)])
        shape = [n, c] + spatial_dims(rank - 2, 8 if rank < 5 else 4) if rank >= 2 else [c]
        divs = [d for d in range(1, c + 1) if c % d == 0]
        u = rng.random()
        if u < 0.68:
            g = rng.choice(divs)
        elif u < 0.75:
            g = c
        else:
            nondiv = [d for d in range(2, c + 3) if c % d != 0]
            g = rng.choice(nondiv) if nondiv else c + 1
        args["num_groups"] = g
        if rng.random() < 0.15:
            args["eps"] = rng.choice([1e-5, 1e-3])
        u = rng.random()
        if u < 0.3:
            args["affine"] = False
        elif u < 0.35:
            args["affine"] = True
    return {"layer": layer, "inputs": [shape], "args": args}


def rand_shape(rng, rank, smax=6):
    return [rng.randint(1, smax) for _ in range(rank)]


def gen_activation(rng):
    layer = pick(rng, [(8, "relu"), (6, "relu6"), (12, "hardtanh"), (10, "leaky_relu"), (9, "elu"),
                       (12, "gelu"), (6, "sigmoid"), (6, "tanh"), (17, "softmax"), (14, "log_softmax")])
    rank = rng.randint(1, 5)
    shape = rand_shape(rng, rank, 6 if rank < 4 else 3)
    args = {}
    if layer == "hardtanh":
        u = rng.random()
        if u < 0.2:
            pass
        elif u < 0.65:
            lo = rng.choice([-1.0, -2.0, 0.0, -0.5, -3.0])
            hi = rng.choice([1.0, 2.0, 0.5, 6.0, 3.0])
            args["min_val"], args["max_val"] = lo, hi
        elif u < 0.75:
            args[rng.choice(["min_val", "max_val"])] = rng.choice([0.0, -2.0, 2.0])
        else:
            v = rng.choice([0.0, 1.0, -1.0, 2.0])
            args["min_val"] = v
            args["max_val"] = v if rng.random() < 0.5 else v - rng.choice([0.5, 1.0])
    elif layer == "leaky_relu":
        if rng.random() < 0.7:
            args["negative_slope"] = rng.choice([0.01, 0.1, 0.2, 0.0, -0.1, 1.5])
    elif layer == "elu":
        if rng.random() < 0.7:
            args["alpha"] = rng.choice([1.0, 0.5, 2.0, 0.0, -1.0])
    elif layer == "gelu":
        u = rng.random()
        if u < 0.3:
            pass
        elif u < 0.5:
            args["approximate"] = "none"
        elif u < 0.75:
            args["approximate"] = "tanh"
        else:
            args["approximate"] = rng.choice(["exact", "erf", "sigmoid", "TANH"])
    elif layer in ("softmax", "log_softmax"):
        u = rng.random()
        if u < 0.06:
            pass  # dim=None: legacy implicit dim
        elif u < 0.62:
            args["dim"] = rng.randint(-rank, rank - 1)
        else:
            args["dim"] = rng.choice([rank, rank + 1, -rank - 1, -rank - 2])
    return {"layer": layer, "inputs": [shape], "args": args}


SCALES = [0.5, 1.5, 2.0, 2, 3, 0.25, 1.0, 0.3, 2.5, 1.7, 0.1, 1.25]


def gen_shape(rng):
    layer = pick(rng, [(22, "flatten"), (22, "linear"), (12, "dropout"), (36, "upsample"), (8, "identity")])
    args = {}
    if layer == "flatten":
        rank = rng.randint(1, 5)
        shape = rand_shape(rng, rank, 6 if rank < 4 else 3)
        u = rng.random()
        if u < 0.1:
            pass
        elif u < 0.25:
            args["start_dim"] = rng.randint(-rank - 1, rank)
        elif u < 0.35:
            args["end_dim"] = rng.randint(-rank - 1, rank)
        else:
            args["start_dim"] = rng.randint(-rank - 1, rank)
            args["end_dim"] = rng.randint(-rank - 1, rank)
    elif layer == "linear":
        rank = rng.randint(1, 4)
        shape = rand_shape(rng, rank, 6 if rank < 4 else 3)
        shape[-1] = rng.randint(1, 12)
        u = rng.random()
        args["out_features"] = rng.randint(1, 12) if u < 0.9 else rng.choice([0, -1, -3])
        u = rng.random()
        if u < 0.25:
            args["bias"] = False
        elif u < 0.3:
            args["bias"] = True
    elif layer == "dropout":
        rank = rng.randint(1, 5)
        shape = rand_shape(rng, rank, 6 if rank < 4 else 3)
        u = rng.random()
        if u < 0.15:
            pass
        elif u < 0.6:
            args["p"] = rng.choice([0.0, 0.1, 0.25, 0.5, 0.9, 1.0])
        else:
            args["p"] = rng.choice([-0.1, 1.5, 2.0, -1.0])
    elif layer == "identity":
        rank = rng.randint(1, 5)
        shape = rand_shape(rng, rank, 6 if rank < 4 else 3)
    else:  # upsample
        mode = pick(rng, [(35, "nearest"), (20, "linear"), (28, "bilinear"), (17, "trilinear")])
        natural = {"nearest": rng.choice([3, 4, 5]), "linear": 3, "bilinear": 4, "trilinear": 5}[mode]
        rank = natural if rng.random() < 0.85 else rng.choice([2, 3, 4, 5, 6])
        shape = [batch(rng), rng.randint(1, 4)] + [rng.randint(1, 8 if rank < 5 else 4)
                                                    for _ in range(max(rank - 2, 0))]
        shape = shape[:rank]
        nsp = max(rank - 2, 1)
        if mode != "nearest" or rng.random() < 0.15:
            args["mode"] = mode
        u = rng.random()
        if u < 0.55:
            args["scale_factor"] = rng.choice(SCALES) if rng.random() < 0.7 else \
                [rng.choice(SCALES) for _ in range(nsp)]
        elif u < 0.87:
            args["size"] = rng.randint(1, 12) if rng.random() < 0.5 else \
                [rng.randint(1, 12) for _ in range(nsp)]
        elif u < 0.91:
            args["size"] = rng.randint(1, 12)
            args["scale_factor"] = rng.choice(SCALES)
        elif u < 0.93:
            pass  # neither
        elif u < 0.96:
            args["size"] = wrong_len(rng, [rng.randint(1, 12) for _ in range(nsp)], 1, 12)
        elif u < 0.98:
            args["scale_factor"] = wrong_len(rng, [rng.choice(SCALES) for _ in range(nsp)], 1, 3)
        else:
            args["size"] = 0
        u = rng.random()
        if u < 0.3:
            args["align_corners"] = True
        elif u < 0.4:
            args["align_corners"] = False
        # keep key order stable: size, scale_factor, mode, align_corners
        args = {k: args[k] for k in ("size", "scale_factor", "mode", "align_corners") if k in args}
    return {"layer": layer, "inputs": [shape], "args": args}


def gen_merge(rng):
    layer = pick(rng, [(35, "add"), (25, "mul"), (40, "concat")])
    k = pick(rng, [(75, 2), (25, 3)])
    rank = rng.randint(1, 5)
    base = rand_shape(rng, rank, 8 if rank < 4 else 4)
    if rank >= 2 and rng.random() < 0.5:
        base[0] = batch(rng)
    args = {}
    inputs = [base]
    if layer in ("add", "mul"):
        for _ in range(k - 1):
            u = rng.random()
            s = list(base)
            if u < 0.35:
                pass
            elif u < 0.75:
                # broadcastable: some dims -> 1 and/or drop leading dims
                for i in range(rank):
                    if rng.random() < 0.4:
                        s[i] = 1
                if rng.random() < 0.3 and rank > 1:
                    s = s[rng.randint(1, rank - 1):]
                if rng.random() < 0.15 and rank < 5:
                    s = [rng.randint(1, 3)] + s
                if rng.random() < 0.5:
                    # the base itself may be the one broadcast
                    inputs[0] = [1 if (rng.random() < 0.3) else v for v in inputs[0]]
            else:
                cand = [i for i in range(rank)]
                i = rng.choice(cand)
                s[i] = s[i] + rng.randint(1, 3) if rng.random() < 0.7 else s[i] + 1
                if base[i] == 1:
                    s[i] = max(s[i], 2)
                    inputs[0] = list(inputs[0])
                    inputs[0][i] = rng.randint(2, 5)
                    if inputs[0][i] == s[i]:
                        inputs[0][i] += 1
            inputs.append(s)
    else:
        u = rng.random()
        if u < 0.8:
            d = rng.randint(-rank, rank - 1)
        else:
            d = rng.choice([rank, -rank - 1, rank + 1])
        args["dim"] = d
        dd = d % rank if -rank <= d < rank else None
        for _ in range(k - 1):
            s = list(base)
            if dd is not None:
                s[dd] = rng.randint(1, 8)
            u = rng.random()
            if u < 0.12:
                j = rng.randrange(rank)
                if dd is None or j != dd:
                    s[j] += rng.randint(1, 2)
            elif u < 0.2:
                s = s + [rng.randint(1, 3)] if rng.random() < 0.5 or rank == 1 else s[:-1]
            inputs.append(s)
    return {"layer": layer, "inputs": inputs, "args": args}


FAMILIES = {
    "conv": gen_conv,
    "conv_transpose": gen_conv_transpose,
    "pool": gen_pool,
    "adaptive": gen_adaptive,
    "norm": gen_norm,
    "activation": gen_activation,
    "shape": gen_shape,
    "merge": gen_merge,
}


def candidates(family):
    rng = random.Random(SEEDS[family])
    gen = FAMILIES[family]
    seen, out = set(), []
    attempts = 0
    while len(out) < POOL_SIZE and attempts < POOL_SIZE * 50:
        attempts += 1
        case = gen(rng)
        key = json.dumps([case["layer"], case["inputs"], case["args"]], sort_keys=True)
        if key in seen:
            continue
        seen.add(key)
        out.append(case)
    return out


# ---------------------------------------------------------------------------
# evaluation (worker process only: imports torch)
# ---------------------------------------------------------------------------

def tup(v):
    return tuple(v) if isinstance(v, list) else v


def build(layer, args, inputs):
    """Returns (fn(list of tensors) -> tensor, module or None, kind)."""
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    a = {k: tup(v) for k, v in args.items()}
    x0 = inputs[0]

    for r in (1, 2, 3):
        if layer == "conv%dd" % r:
            m = getattr(nn, "Conv%dd" % r)(conv_channels(x0, r), **a)
            return (lambda xs: m(xs[0])), m, "conv"
        if layer == "conv_transpose%dd" % r:
            m = getattr(nn, "ConvTranspose%dd" % r)(conv_channels(x0, r), **a)
            return (lambda xs: m(xs[0])), m, "conv_transpose"
        if layer == "max_pool%dd" % r:
            m = getattr(nn, "MaxPool%dd" % r)(**a)
            return (lambda xs: m(xs[0])), m, None
        if layer == "avg_pool%dd" % r:
            m = getattr(nn, "AvgPool%dd" % r)(**a)
            return (lambda xs: m(xs[0])), m, None
        if layer == "min_pool%dd" % r:
            f = getattr(F, "max_pool%dd" % r)
            return (lambda xs: -f(-xs[0], **a)), None, None
        if layer == "adaptive_avg_pool%dd" % r:
            m = getattr(nn, "AdaptiveAvgPool%dd" % r)(**a)
            return (lambda xs: m(xs[0])), m, None
        if layer == "adaptive_max_pool%dd" % r:
            m = getattr(nn, "AdaptiveMaxPool%dd" % r)(**a)
            return (lambda xs: m(xs[0])), m, None
        if layer == "batch_norm%dd" % r:
            m = getattr(nn, "BatchNorm%dd" % r)(lead_channels(x0), **a)
            return (lambda xs: m(xs[0])), m, None

    simple = {
        "local_response_norm": lambda: nn.LocalResponseNorm(**a),
        "layer_norm": lambda: nn.LayerNorm(**a),
        "group_norm": lambda: nn.GroupNorm(num_channels=lead_channels(x0), **a),
        "relu": lambda: nn.ReLU(**a),
        "relu6": lambda: nn.ReLU6(**a),
        "hardtanh": lambda: nn.Hardtanh(**a),
        "leaky_relu": lambda: nn.LeakyReLU(**a),
        "elu": lambda: nn.ELU(**a),
        "gelu": lambda: nn.GELU(**a),
        "sigmoid": lambda: nn.Sigmoid(**a),
        "tanh": lambda: nn.Tanh(**a),
        "softmax": lambda: nn.Softmax(**a),
        "log_softmax": lambda: nn.LogSoftmax(**a),
        "flatten": lambda: nn.Flatten(**a),
        "linear": lambda: nn.Linear(x0[-1], **a),
        "dropout": lambda: nn.Dropout(**a),
        "upsample": lambda: nn.Upsample(**a),
        "identity": lambda: nn.Identity(**a),
    }
    if layer in simple:
        m = simple[layer]()
        return (lambda xs: m(xs[0])), m, ("linear" if layer == "linear" else None)

    def fold(op):
        def f(xs):
            y = xs[0]
            for x in xs[1:]:
                y = op(y, x)
            return y
        return f

    if layer == "add":
        return fold(lambda p, q: p + q), None, None
    if layer == "mul":
        return fold(lambda p, q: p * q), None, None
    if layer == "concat":
        return (lambda xs: torch.cat(xs, **a)), None, None
    raise KeyError("unknown layer " + layer)


def first_line(exc):
    msg = str(exc).strip()
    if isinstance(exc, KeyError) and msg.startswith("'") and msg.endswith("'"):
        msg = msg[1:-1]
    line = msg.splitlines()[0].strip() if msg else ""
    return line or type(exc).__name__


def evaluate(case):
    import torch
    torch.manual_seed(0)
    # A training-mode forward: grad mode on and inputs that require grad.  This
    # matters: e.g. max_pool1d on a tensor outside autograd takes a fast path
    # that accepts an output size of 0 and words its errors differently.
    xs = [torch.randn(*s, dtype=torch.float32).requires_grad_() for s in case["inputs"]]
    try:
        fn, mod, kind = build(case["layer"], case["args"], case["inputs"])
        with torch.enable_grad():
            y = fn(xs)
    except Exception as exc:  # noqa: BLE001 - any torch rejection is a fixture
        return {"error": first_line(exc)}
    params = sum(p.numel() for p in mod.parameters()) if mod is not None else 0
    macs = 0
    if kind == "conv":
        macs = y.numel() * mod.weight[0].numel()
    elif kind == "conv_transpose":
        k = 1
        for v in mod.kernel_size:
            k *= v
        macs = xs[0].numel() * mod.weight.shape[1] * k
    elif kind == "linear":
        macs = y.numel() * mod.in_features
    return {"shape": list(y.shape), "params": int(params), "macs": int(macs)}


def worker(family, start):
    import warnings
    warnings.filterwarnings("ignore")
    import torch
    torch.set_num_threads(1)
    out = sys.stdout
    out.write(json.dumps({"torch": torch.__version__}) + "\n")
    out.flush()
    cases = candidates(family)
    for i in range(start, len(cases)):
        res = evaluate(cases[i])
        out.write(json.dumps({"i": i, "expect": res}) + "\n")
        out.flush()


# ---------------------------------------------------------------------------
# driver
# ---------------------------------------------------------------------------

def run_guarded(family, total):
    """Evaluate all candidates of a family in worker subprocesses; returns
    (torch_version, {index: expect}, [skipped indices])."""
    results, skipped = {}, []
    version = None
    start = 0
    while start < total:
        proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--worker", family, str(start)],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT,
                                # some torch messages print a Python set; pin its order
                                env=dict(os.environ, PYTHONHASHSEED="0"))
        buf = b""
        last = start - 1
        hung = False
        fd = proc.stdout.fileno()
        while True:
            ready, _, _ = select.select([fd], [], [], CASE_TIMEOUT)
            if not ready:
                hung = True
                proc.kill()
                break
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                msg = json.loads(line)
                if "torch" in msg:
                    version = msg["torch"]
                else:
                    results[msg["i"]] = msg["expect"]
                    last = msg["i"]
        proc.stdout.close()
        proc.wait()
        if version is None:
            sys.exit("worker for %r did not start (exit %s): is torch importable by %s?"
                     % (family, proc.returncode, sys.executable))
        if last >= total - 1:
            break
        bad = last + 1
        skipped.append(bad)
        print("  %s: candidate %d %s; skipped" % (family, bad, "hung" if hung else
                                                  "crashed (exit %s)" % proc.returncode), file=sys.stderr)
        start = bad + 1
    return version, results, skipped


def select_cases(cases, results):
    idx_err = [i for i in range(len(cases)) if i in results and "error" in results[i]]
    idx_ok = [i for i in range(len(cases)) if i in results and "error" not in results[i]]
    n_err = min(len(idx_err), round(TARGET_CASES * ERROR_FRACTION))
    n_ok = min(len(idx_ok), TARGET_CASES - n_err)
    # top up with errors (up to ERROR_MAX) if there were not enough valid cases
    if n_ok + n_err < TARGET_CASES:
        n_err = min(len(idx_err), TARGET_CASES - n_ok, int(ERROR_MAX * TARGET_CASES))
    keep = sorted(idx_err[:n_err] + idx_ok[:n_ok])
    return keep


def write_family(family, version, cases, results, keep):
    os.makedirs(OUT_DIR, exist_ok=True)
    path = os.path.join(OUT_DIR, family + ".json")
    head = json.dumps({"torch": version, "generator": GENERATOR, "family": family})
    lines = []
    for i in keep:
        c = cases[i]
        lines.append(json.dumps({"layer": c["layer"], "inputs": c["inputs"], "args": c["args"],
                                 "expect": results[i]}, separators=(",", ":")))
    with open(path, "w") as f:
        f.write(head[:-1] + ', "cases": [\n' + ",\n".join(lines) + "\n]}\n")
    return path


def main(argv):
    if len(argv) >= 3 and argv[0] == "--worker":
        worker(argv[1], int(argv[2]))
        return 0
    families = argv or list(FAMILIES)
    for fam in families:
        if fam not in FAMILIES:
            print("unknown family %r (known: %s)" % (fam, ", ".join(FAMILIES)), file=sys.stderr)
            return 2
    t0 = time.time()
    summary = []
    for fam in families:
        cases = candidates(fam)
        version, results, skipped = run_guarded(fam, len(cases))
        keep = select_cases(cases, results)
        path = write_family(fam, version, cases, results, keep)
        n_err = sum(1 for i in keep if "error" in results[i])
        summary.append((fam, len(keep), n_err, len(skipped), os.path.relpath(path, ROOT)))
    for fam, total, n_err, n_skip, path in summary:
        print("%-15s %4d cases  %4d errors (%4.1f%%)  %d skipped  -> %s"
              % (fam, total, n_err, 100.0 * n_err / max(total, 1), n_skip, path))
    print("done in %.1fs" % (time.time() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
