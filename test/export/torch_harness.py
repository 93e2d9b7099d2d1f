"""Runs exported Convscope modules in PyTorch for test/export/pytorch.test.ts.

Reads a JSON list of {"module": path, "class": name, "inputs": [[dims...], ...]} on stdin; for each
network builds the class with its default arguments, runs it in eval mode on zeros inputs with
forward hooks on every leaf module, and prints a JSON list of
{"class", "layers": [{"module", "type", "shape"}], "params", "output"} (or {"class", "error"}).
"""
import importlib.util
import json
import sys
import traceback

import torch

jobs = json.load(sys.stdin)
results = []
modules = {}
for job in jobs:
    try:
        path = job["module"]
        if path not in modules:
            spec = importlib.util.spec_from_file_location("exported_%d" % len(modules), path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            modules[path] = module
        model = getattr(modules[path], job["class"])().eval()
        seen = []
        for name, m in model.named_modules():
            if len(list(m.children())) == 0:
                m.register_forward_hook(
                    lambda mod, args, out, name=name: seen.append(
                        {"module": name, "type": type(mod).__name__, "shape": list(out.shape)}))
        with torch.no_grad():
            out = model(*[torch.zeros(*shape) for shape in job["inputs"]])
        results.append({
            "class": job["class"],
            "layers": seen,
            "params": sum(p.numel() for p in model.parameters()),
            "output": list(out.shape),
        })
    except Exception:
        results.append({"class": job["class"], "error": traceback.format_exc()})
json.dump(results, sys.stdout)
