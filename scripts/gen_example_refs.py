#!/usr/bin/python3
"""PyTorch reference data for the example networks in examples/*.conv.

For every example this builds the PyTorch model it mirrors (a torchvision model with
weights=None, or a small nn.Module defined below that mirrors the .conv file layer for
layer), runs it in eval mode on a batch-1 input of the declared size and writes
test/fixtures/examples/<file-stem>.json:

    network  the .conv network name
    source   what PyTorch model it mirrors
    input    input shape used (batch 1)
    params   sum of numel() over all parameters (buffers such as BN running stats excluded)
    macs     multiply-accumulates, bias excluded, summed over conv / conv_transpose / linear:
               conv:            output.numel() * weight[0].numel()
               conv_transpose:  input.numel() * weight.shape[1] * prod(kernel_size)
               linear:          output.numel() * in_features
    layers   every Conv1d/2d/3d, ConvTranspose1d/2d/3d and Linear output, in forward
             execution order (forward hooks): {"op", "shape", "macs"}
    rf       receptive field of the last spatial feature map (per spatial axis, in input
             pixels): size, jump (stride in input pixels between adjacent units) and start
             (centre of unit 0's field, pixel centres at 0..H-1). Measured empirically, see
             measure_rf(). rfInput is the input used for that measurement, rfAt names the
             tensor in the .conv file it refers to.
    rfUniform, rfUnits  only where adjacent units' fields are not translates of each other
             (after the U-Net's stride-2 transposed convs): rf then holds the central unit's
             size and start with the mean jump, and rfUnits the fields [lo, hi] (input
             coordinates at rfInput) of SPAN consecutive units from the central one ("units")
             per axis, with their mean/min/max size and mean start.

Run with Debian's interpreter (PyTorch 1.13, torchvision 0.14):
    /usr/bin/python3 scripts/gen_example_refs.py [--exact64] [--check] [stem ...]
      --exact64  measure receptive fields with plain float64 gradients (slow) instead of
                 float32 with per-layer support binarization (see add_support_hooks)
      --check    write nothing; measure receptive fields both ways and assert they agree
"""
import copy
import json
import math
import os
import sys
import time

import torch
import torch.nn as nn
import torchvision.models as tvm

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "test", "fixtures", "examples")

CONV = (nn.Conv1d, nn.Conv2d, nn.Conv3d)
CONV_T = (nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)
LINEAR = (nn.Linear,)
OP_NAMES = {
    nn.Conv1d: "conv1d", nn.Conv2d: "conv2d", nn.Conv3d: "conv3d",
    nn.ConvTranspose1d: "conv_transpose1d", nn.ConvTranspose2d: "conv_transpose2d",
    nn.ConvTranspose3d: "conv_transpose3d", nn.Linear: "linear",
}


# --------------------------------------------------------------------------------------
# Hand-written models (mirror examples/lenet5.conv, unet.conv, dilated1d.conv exactly)
# --------------------------------------------------------------------------------------

class LeNet5(nn.Module):
    """examples/lenet5.conv"""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, kernel_size=5), nn.Tanh(), nn.AvgPool2d(kernel_size=2),
            nn.Conv2d(6, 16, kernel_size=5), nn.Tanh(), nn.AvgPool2d(kernel_size=2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(16 * 5 * 5, 120), nn.Tanh(),
            nn.Linear(120, 84), nn.Tanh(),
            nn.Linear(84, 10),
        )

    def forward(self, x):
        return self.classifier(self.features(x))


class DoubleConv(nn.Sequential):
    """(conv 3x3 => BN => ReLU) * 2"""

    def __init__(self, cin, cout):
        super().__init__(
            nn.Conv2d(cin, cout, kernel_size=3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
            nn.Conv2d(cout, cout, kernel_size=3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
        )


class Up(nn.Module):
    """transposed conv 2x2/2, concat(skip, up), DoubleConv"""

    def __init__(self, cin, cout):
        super().__init__()
        self.up = nn.ConvTranspose2d(cin, cout, kernel_size=2, stride=2)
        self.conv = DoubleConv(2 * cout, cout)

    def forward(self, x, skip):
        return self.conv(torch.cat([skip, self.up(x)], dim=1))


class UNet(nn.Module):
    """examples/unet.conv"""

    def __init__(self, in_channels=3, classes=2, base=32):
        super().__init__()
        self.enc1 = DoubleConv(in_channels, base)
        self.pool1 = nn.MaxPool2d(kernel_size=2)
        self.enc2 = DoubleConv(base, base * 2)
        self.pool2 = nn.MaxPool2d(kernel_size=2)
        self.enc3 = DoubleConv(base * 2, base * 4)
        self.pool3 = nn.MaxPool2d(kernel_size=2)
        self.bottom = DoubleConv(base * 4, base * 8)
        self.up3 = Up(base * 8, base * 4)
        self.up2 = Up(base * 4, base * 2)
        self.up1 = Up(base * 2, base)
        self.head = nn.Conv2d(base, classes, kernel_size=1)

    def forward(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(self.pool1(e1))
        e3 = self.enc3(self.pool2(e2))
        b = self.bottom(self.pool3(e3))
        x = self.up3(b, e3)
        x = self.up2(x, e2)
        x = self.up1(x, e1)
        return self.head(x)


class DilatedResidual(nn.Module):
    """x + conv1x1(relu(dilated conv3(x)))"""

    def __init__(self, channels, dilation):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv1d(channels, channels, kernel_size=3, dilation=dilation, padding=dilation),
            nn.ReLU(),
            nn.Conv1d(channels, channels, kernel_size=1),
        )

    def forward(self, x):
        return x + self.net(x)


class Dilated1d(nn.Module):
    """examples/dilated1d.conv"""

    def __init__(self, in_channels=16, channels=32, classes=10):
        super().__init__()
        self.inproj = nn.Conv1d(in_channels, channels, kernel_size=1)
        self.blocks = nn.Sequential(*[DilatedResidual(channels, d) for d in (1, 2, 4, 8, 16)])
        self.relu = nn.ReLU()
        self.outproj = nn.Conv1d(channels, classes, kernel_size=1)

    def forward(self, x):
        return self.outproj(self.relu(self.blocks(self.inproj(x))))


def resnet_features(m):
    return nn.Sequential(m.conv1, m.bn1, m.relu, m.maxpool, m.layer1, m.layer2, m.layer3, m.layer4)


# Input sizes tried for the receptive-field measurement, smallest first: the first one at which
# the fields of the measured output units are not clipped by the border is used (kept as small
# as that allows, mostly for --exact64, whose float64 convolutions are slow).
RF_SIZES = [128, 192, 256, 320, 384, 448, 512, 640, 768, 1024, 1536, 2048]

# stem, network name, source, builder, input shape, feature extractor for the RF (None = no
# spatial output), name of that tensor in the .conv file, RF input sizes to try (smallest first)
EXAMPLES = [
    ("lenet5", "LeNet5", "LeNet-5 (LeCun et al. 1998): LeNet5 nn.Module in scripts/gen_example_refs.py",
     LeNet5, [1, 1, 32, 32], lambda m: m.features, "features", [32, 64]),
    ("alexnet", "AlexNet", "torchvision.models.alexnet (torchvision 0.14, weights=None)",
     lambda: tvm.alexnet(weights=None), [1, 3, 224, 224], lambda m: m.features, "features",
     RF_SIZES),
    ("vgg16", "VGG16", "torchvision.models.vgg16 (torchvision 0.14, weights=None)",
     lambda: tvm.vgg16(weights=None), [1, 3, 224, 224], lambda m: m.features, "features",
     RF_SIZES),
    ("resnet18", "ResNet18", "torchvision.models.resnet18 (torchvision 0.14, weights=None)",
     lambda: tvm.resnet18(weights=None), [1, 3, 224, 224], resnet_features, "layer4",
     RF_SIZES),
    ("resnet50", "ResNet50", "torchvision.models.resnet50 (torchvision 0.14, weights=None)",
     lambda: tvm.resnet50(weights=None), [1, 3, 224, 224], resnet_features, "layer4",
     RF_SIZES),
    ("mobilenet_v2", "MobileNetV2", "torchvision.models.mobilenet_v2 (torchvision 0.14, weights=None)",
     lambda: tvm.mobilenet_v2(weights=None), [1, 3, 224, 224], lambda m: m.features, "features",
     RF_SIZES),
    ("unet", "UNet", "small U-Net (3 levels, BN, transposed-conv upsampling): UNet nn.Module in "
     "scripts/gen_example_refs.py",
     UNet, [1, 3, 128, 128], lambda m: m, "output (the 1x1 head)", RF_SIZES),
    ("dilated1d", "Dilated1d", "WaveNet/TCN-style dilated conv1d stack: Dilated1d nn.Module in "
     "scripts/gen_example_refs.py",
     Dilated1d, [1, 16, 1000], lambda m: m, "output", [1000, 4000]),
]


# --------------------------------------------------------------------------------------
# Shapes, parameters, MACs
# --------------------------------------------------------------------------------------

def trace(model, shape):
    layers = []

    def hook(mod, inputs, output):
        if isinstance(mod, CONV):
            macs = output.numel() * mod.weight[0].numel()
        elif isinstance(mod, CONV_T):
            macs = inputs[0].numel() * mod.weight.shape[1] * math.prod(mod.kernel_size)
        else:
            macs = output.numel() * mod.in_features
        layers.append({"op": OP_NAMES[type(mod)], "shape": list(output.shape), "macs": int(macs)})

    handles = [m.register_forward_hook(hook) for m in model.modules()
               if isinstance(m, CONV + CONV_T + LINEAR)]
    with torch.no_grad():
        out = model(torch.randn(*shape))
    for h in handles:
        h.remove()
    return layers, list(out.shape)


# --------------------------------------------------------------------------------------
# Receptive field, measured
# --------------------------------------------------------------------------------------

AVG_FOR_MAX = {nn.MaxPool1d: nn.AvgPool1d, nn.MaxPool2d: nn.AvgPool2d, nn.MaxPool3d: nn.AvgPool3d}
LINEARIZED = (nn.ReLU, nn.ReLU6, nn.Tanh, nn.Dropout)


def linearize(module):
    """Max pools -> avg pools over the same window; ReLU/ReLU6/Tanh/Dropout -> identity."""
    for name, child in list(module.named_children()):
        if type(child) in AVG_FOR_MAX:
            d = child.dilation
            assert all(v == 1 for v in (d if isinstance(d, tuple) else (d,))), "dilated max pool"
            setattr(module, name, AVG_FOR_MAX[type(child)](
                child.kernel_size, child.stride, child.padding, ceil_mode=child.ceil_mode,
                count_include_pad=True))
        elif isinstance(child, LINEARIZED):
            setattr(module, name, nn.Identity())
        else:
            linearize(child)


AVG_POOLS = (nn.AvgPool1d, nn.AvgPool2d, nn.AvgPool3d)
BATCH_NORMS = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)


def rf_copy(module, dtype):
    """A linearized copy with every conv/linear weight set to one positive constant per layer
    (1 / fan-in, which keeps gradient magnitudes near 1), zero biases and identity BatchNorms."""
    m = copy.deepcopy(module)
    linearize(m)
    m = m.to(dtype).eval()
    for p in m.parameters():
        p.requires_grad_(False)
    with torch.no_grad():
        for mod in m.modules():
            if isinstance(mod, CONV + CONV_T + LINEAR):
                mod.weight.fill_(1.0 / mod.weight[0].numel())
                if mod.bias is not None:
                    mod.bias.zero_()
            elif isinstance(mod, BATCH_NORMS):
                mod.running_mean.zero_()
                mod.running_var.fill_(1.0)
                if mod.affine:
                    mod.weight.fill_(1.0)
                    mod.bias.zero_()
    return m


class _Support(torch.autograd.Function):
    """Identity forward; backward replaces the gradient by its support (1 where > threshold)."""

    @staticmethod
    def forward(ctx, x, threshold):
        ctx.threshold = threshold
        return x.clone()   # a fresh tensor, so in-place ops downstream (resnet's out += x) are fine

    @staticmethod
    def backward(ctx, grad):
        return (grad > ctx.threshold).to(grad.dtype), None


def add_support_hooks(net):
    """Float32 mode: binarize the gradient w.r.t. each layer's input to its support (0/1).

    Every weight is positive, so the support of a layer's input gradient is exactly the set of
    inputs connected to the nonzero output gradients, and binarizing never changes the final
    support; it only keeps the values away from float32 underflow in deep nets. A true nonzero
    is at least the layer's smallest coefficient (times 1), so anything below half of that is
    rounding noise (e.g. from Winograd convolutions) and counts as zero.
    """
    for mod in net.modules():
        if isinstance(mod, CONV + CONV_T + LINEAR):
            least = 1.0 / mod.weight[0].numel()
        elif isinstance(mod, AVG_POOLS):
            k = mod.kernel_size
            window = math.prod(k) if isinstance(k, tuple) else k ** (AVG_POOLS.index(type(mod)) + 1)
            least = 1.0 / (mod.divisor_override or window)
        elif isinstance(mod, BATCH_NORMS):
            least = 1.0 / math.sqrt(1.0 + mod.eps)
        else:
            assert not any(True for _ in mod.parameters(recurse=False)), type(mod)
            continue

        def pre_hook(_mod, args, threshold=least / 2):
            return (_Support.apply(args[0], threshold),) + tuple(args[1:])

        mod.register_forward_pre_hook(pre_hook)


def net_dtype(net):
    return next(net.parameters()).dtype


SPAN = 16   # units examined when fields are not translation-invariant (a multiple of the period)


def num(v):
    return int(v) if v == int(v) else v


def measure_rf(features, channels, ndim, sizes, exact64=False):
    """Backprop from one output unit (all channels summed) through a linearized, all-positive
    copy of `features`; the nonzero extent of the input gradient per axis is the unit's field.

    size = extent of the central unit's field, jump = shift of the field between adjacent
    units, start = centre of the central unit's field - index * jump (= centre of unit 0's
    field, unclipped). After upsampling (transposed convs) adjacent units need not see
    translated fields; then SPAN units from the centre on are measured, jump is the mean
    shift over them, and the per-unit fields are returned as `detail`.

    exact64: plain float64 gradients as they are (slow here: Debian's PyTorch has no optimized
    float64 convolutions). Otherwise float32 with the per-layer support binarization of
    add_support_hooks(), which gives the same supports.
    Returns (rf, input size used, detail or None).
    """
    net = rf_copy(features, torch.float64 if exact64 else torch.float32)
    if not exact64:
        add_support_hooks(net)
    upsampling = any(isinstance(m, CONV_T) for m in net.modules())
    for size in sizes:
        x = torch.zeros(1, channels, *([size] * ndim), dtype=net_dtype(net), requires_grad=True)
        y = net(x)
        centre = [n // 2 for n in y.shape[2:]]
        fields = {}

        def field(k):
            """[(lo, hi)] per axis of the field of output unit centre + k (on every axis)."""
            if k not in fields:
                unit = tuple(c + k for c in centre)
                g, = torch.autograd.grad(y[(0, slice(None)) + unit].sum(), x, retain_graph=True)
                nz = g[0].abs().sum(0) > 0
                ext = []
                for ax in range(ndim):
                    other = tuple(a for a in range(ndim) if a != ax)
                    idx = ((nz.sum(dim=other) > 0) if other else nz).nonzero().flatten()
                    ext.append((int(idx.min()), int(idx.max())))
                fields[k] = ext
            return fields[k]

        def unclipped(ks):
            return all(0 < lo and hi < size - 1 for k in ks for lo, hi in field(k))

        if not unclipped([0, 1, -1]):
            print(f"    rf: field clipped at input {size}, trying larger", flush=True)
            continue
        uniform = not upsampling and all(
            field(1)[ax][0] - field(0)[ax][0] == field(0)[ax][0] - field(-1)[ax][0] > 0
            and field(1)[ax][1] - field(1)[ax][0] == field(0)[ax][1] - field(0)[ax][0]
            == field(-1)[ax][1] - field(-1)[ax][0]
            for ax in range(ndim))
        if uniform:
            rf = {"size": [], "jump": [], "start": []}
            for ax in range(ndim):
                (lo, hi), (lo1, _) = field(0)[ax], field(1)[ax]
                rf["size"].append(hi - lo + 1)
                rf["jump"].append(lo1 - lo)
                rf["start"].append(num((lo + hi) / 2 - centre[ax] * (lo1 - lo)))
            return rf, size, None
        if not unclipped(range(SPAN + 1)):
            print(f"    rf: fields clipped at input {size}, trying larger", flush=True)
            continue
        rf = {"size": [], "jump": [], "start": []}
        detail = {"units": [c for c in centre], "fields": [], "meanSize": [], "meanStart": [],
                  "minSize": [], "maxSize": []}
        for ax in range(ndim):
            ext = [field(k)[ax] for k in range(SPAN + 1)]
            jump = (ext[SPAN][0] - ext[0][0]) / SPAN
            assert jump == (ext[SPAN][1] - ext[0][1]) / SPAN, ext
            sizes_k = [hi - lo + 1 for lo, hi in ext[:SPAN]]
            starts_k = [(lo + hi) / 2 - (centre[ax] + k) * jump for k, (lo, hi) in enumerate(ext[:SPAN])]
            rf["size"].append(sizes_k[0])
            rf["jump"].append(num(jump))
            rf["start"].append(num(starts_k[0]))
            detail["fields"].append([list(e) for e in ext[:SPAN]])
            detail["meanSize"].append(num(sum(sizes_k) / SPAN))
            detail["meanStart"].append(num(sum(starts_k) / SPAN))
            detail["minSize"].append(min(sizes_k))
            detail["maxSize"].append(max(sizes_k))
        return rf, size, detail
    raise RuntimeError("receptive field clipped at every tried input size")


# --------------------------------------------------------------------------------------

def to_json(data):
    """Pretty JSON with one line per layer / per RF entry."""
    lines = []
    for key, value in data.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            items = ",\n".join("  " + json.dumps(v) for v in value)
            lines.append(f"{json.dumps(key)}: [\n{items}\n ]")
        else:
            lines.append(f"{json.dumps(key)}: {json.dumps(value)}")
    return "{\n " + ",\n ".join(lines) + "\n}\n"


def main(argv):
    torch.manual_seed(0)
    torch.set_num_threads(2)
    os.makedirs(OUT_DIR, exist_ok=True)
    flags = {a for a in argv if a.startswith("--")}
    unknown = flags - {"--exact64", "--check"}
    if unknown:
        sys.exit(f"unknown option(s): {', '.join(sorted(unknown))}")
    wanted = {a for a in argv if not a.startswith("--")}
    exact64 = "--exact64" in flags
    for stem, name, source, build, shape, feats, rf_at, rf_sizes in EXAMPLES:
        if wanted and stem not in wanted:
            continue
        t0 = time.time()
        model = build().eval()
        layers, out_shape = trace(model, shape)
        data = {
            "network": name,
            "source": source,
            "input": shape,
            "output": out_shape,
            "params": sum(p.numel() for p in model.parameters()),
            "macs": sum(layer["macs"] for layer in layers),
            "layers": layers,
        }
        if feats is not None:
            rf, rf_size, detail = measure_rf(feats(model), shape[1], len(shape) - 2, rf_sizes,
                                             exact64)
            if "--check" in flags:
                # both measurement methods at the same input size must agree exactly
                other = measure_rf(feats(model), shape[1], len(shape) - 2, [rf_size], not exact64)
                assert other[0] == rf and other[2] == detail, (rf, other[0], detail, other[2])
                print(f"    rf: float32-support and float64 measurements agree", flush=True)
            data["rf"] = rf
            data["rfAt"] = rf_at
            data["rfInput"] = [1, shape[1]] + [rf_size] * (len(shape) - 2)
            if detail is not None:
                data["rfUniform"] = False
                data["rfUnits"] = detail
        if "--check" not in flags:
            with open(os.path.join(OUT_DIR, stem + ".json"), "w") as f:
                f.write(to_json(data))
        rf_txt = data.get("rf", "-")
        print(f"{stem:13s} params={data['params']:>11,} macs={data['macs']:>14,} rf={rf_txt} "
              f"({time.time() - t0:.1f}s)", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
