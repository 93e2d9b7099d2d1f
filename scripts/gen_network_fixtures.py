#!/usr/bin/env python3
"""Whole-network fixtures for Convscope's engine, computed by Debian's PyTorch 1.13.

For LeNet-5 (examples/lenet5.conv) and a small ResNet (test/fixtures/networks/small_resnet.conv)
this builds the same model in PyTorch, draws its weights, an input and the loss weights R with
torch's own generator (seeded), and writes, under test/fixtures/networks/<name>/:
  params/<key>.<tensor>.npy   the weights (float32 values, used exactly in float64) in Convscope's layout (`run --out DIR/params`): <key> is
                              the layer's evaluation index, op and statement name (07_conv2d),
                              read from `convscope summary --json` so the two sides agree
  input.npy, R.npy            the input and R (float64)
  output.npy, input_grad.npy  the network output and dL/dinput for L = sum(output * R)
  param_grads/<key>.<t>.npy   dL/dparameter
Batch norm runs in training mode (batch statistics), as a fresh PyTorch module does.
Run from the repository root, after `npm ci` (it calls the built CLI):
  /usr/bin/python3 scripts/gen_network_fixtures.py
"""
import json
import os
import subprocess
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "test", "fixtures", "networks")
torch.set_default_dtype(torch.float64)


def layer_keys(conv_file, network):
    out = subprocess.run(["node", os.path.join(ROOT, "bin", "convscope.cjs"), "summary", conv_file, "--network", network, "--json"],
                         cwd=ROOT, check=True, capture_output=True, text=True).stdout
    layers = json.loads(out)["networks"][0]["layers"]
    return [(f"{i + 1:02d}_{l['op']}" + (f"_{l['name']}" if l["name"] else ""), l["op"]) for i, l in enumerate(layers)]


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 6, 5)
        self.c2 = nn.Conv2d(6, 16, 5)
        self.f1 = nn.Linear(400, 120)
        self.f2 = nn.Linear(120, 84)
        self.f3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.avg_pool2d(torch.tanh(self.c1(x)), 2)
        x = F.avg_pool2d(torch.tanh(self.c2(x)), 2)
        x = torch.flatten(x, 1)
        x = torch.tanh(self.f1(x))
        x = torch.tanh(self.f2(x))
        return self.f3(x)

    def ordered(self):
        return [self.c1, self.c2, self.f1, self.f2, self.f3]


class Basic(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c1, self.b1 = nn.Conv2d(c, c, 3, padding=1, bias=False), nn.BatchNorm2d(c)
        self.c2, self.b2 = nn.Conv2d(c, c, 3, padding=1, bias=False), nn.BatchNorm2d(c)

    def forward(self, x):
        y = self.b2(self.c2(F.relu(self.b1(self.c1(x)))))
        return F.relu(y + x)

    def ordered(self):
        return [self.c1, self.b1, self.c2, self.b2]


class Down(nn.Module):
    def __init__(self, cin, c):
        super().__init__()
        self.c1, self.b1 = nn.Conv2d(cin, c, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(c)
        self.c2, self.b2 = nn.Conv2d(c, c, 3, padding=1, bias=False), nn.BatchNorm2d(c)
        self.s, self.bs = nn.Conv2d(cin, c, 1, stride=2, bias=False), nn.BatchNorm2d(c)

    def forward(self, x):
        y = self.b2(self.c2(F.relu(self.b1(self.c1(x)))))
        return F.relu(y + self.bs(self.s(x)))

    def ordered(self):
        return [self.c1, self.b1, self.c2, self.b2, self.s, self.bs]


class SmallResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.c, self.b = nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8)
        self.basic, self.down = Basic(8), Down(8, 16)
        self.fc = nn.Linear(16, 5)

    def forward(self, x):
        x = F.relu(self.b(self.c(x)))
        x = self.down(self.basic(x))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))

    def ordered(self):
        return [self.c, self.b, *self.basic.ordered(), *self.down.ordered(), self.fc]


OPS = {nn.Conv2d: "conv2d", nn.Linear: "linear", nn.BatchNorm2d: "batch_norm2d"}


def save(path, t, dtype="<f8"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    np.save(path, t.detach().numpy().astype(dtype))


def build(name, conv_file, network, model, input_shape, seed, param_grads=True):
    torch.manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):  # non-trivial affine parameters
                nn.init.uniform_(m.weight, 0.5, 1.5)
                nn.init.uniform_(m.bias, -0.5, 0.5)
        for p in model.parameters():  # weights stored as float32 (exact), computed in float64
            p.copy_(p.float().double())
    model.train()
    keys = [(k, op) for k, op in layer_keys(conv_file, network) if op in OPS.values()]
    modules = model.ordered()
    ops = [OPS[type(m)] for m in modules]
    if [op for _, op in keys] != ops:
        sys.exit(f"{name}: layer order differs: convscope {[op for _, op in keys]} vs torch {ops}")
    out = os.path.join(OUT, name)
    for (key, _), m in zip(keys, modules):
        for pname, p in m.named_parameters():
            save(os.path.join(out, "params", f"{key}.{pname}.npy"), p, "<f4")
    x = torch.randn(*input_shape, requires_grad=True)
    y = model(x)
    R = torch.randn(*y.shape)
    (y * R).sum().backward()
    save(os.path.join(out, "input.npy"), x)
    save(os.path.join(out, "R.npy"), R)
    save(os.path.join(out, "output.npy"), y)
    save(os.path.join(out, "input_grad.npy"), x.grad)
    for (key, _), m in zip(keys, modules):
        for pname, p in m.named_parameters():
            if param_grads:
                save(os.path.join(out, "param_grads", f"{key}.{pname}.npy"), p.grad)
    with open(os.path.join(out, "about.json"), "w") as f:
        json.dump({"network": network, "file": conv_file, "input": list(input_shape), "seed": seed, "torch": torch.__version__,
                   "mode": "train", "loss": "sum(output * R)", "generator": "scripts/gen_network_fixtures.py"}, f, indent=1)
    print(f"{name}: output {tuple(y.shape)}, {sum(p.numel() for p in model.parameters())} parameters")


if __name__ == "__main__":
    build("lenet5", "examples/lenet5.conv", "LeNet5", LeNet5(), (2, 1, 32, 32), 0, param_grads=False)
    build("small_resnet", "test/fixtures/networks/small_resnet.conv", "SmallResNet", SmallResNet(), (2, 3, 16, 16), 1)
