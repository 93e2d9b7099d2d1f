#!/usr/bin/python3
"""Writes the .npy fixtures the engine tests read, with Debian's NumPy (and PyTorch, when present).

  /usr/bin/python3 scripts/gen_npy_fixtures.py

test/fixtures/npy/*.npy      files in every layout the reader must accept or reject
test/fixtures/npy/torch/*    PyTorch 1.13 oracles (float64) for convolution, transposed
                             convolution and pooling: inputs, outputs and gradients

Values are small dyadic rationals or come from a fixed NumPy seed, so the files are byte-for-byte
reproducible.
"""
import os
import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'npy')
os.makedirs(ROOT, exist_ok=True)


def save(name, arr, version=None):
    path = os.path.join(ROOT, name)
    with open(path, 'wb') as f:
        if version is None:
            np.save(f, arr)
        else:
            np.lib.format.write_array(f, arr, version=version)


def readers():
    base = np.arange(24, dtype=np.float64).reshape(2, 3, 4) / 8 - 1
    save('f32_2x3x4.npy', base.astype('<f4'))
    save('f64_2x3x4.npy', base.astype('<f8'))
    save('f32_be_2x3x4.npy', base.astype('>f4'))
    save('f64_be_2x3x4.npy', base.astype('>f8'))
    save('f64_scalar.npy', np.array(2.5, dtype='<f8'))
    save('f32_empty_0x3.npy', np.zeros((0, 3), dtype='<f4'))
    save('f64_v2_5.npy', np.linspace(-1, 1, 5), version=(2, 0))
    save('f32_v3_2x2.npy', np.array([[1, 2], [3, 4]], dtype='<f4'), version=(3, 0))
    save('f64_fortran_3x4.npy', np.asfortranarray(base[0]))
    save('i64_3.npy', np.array([1, 2, 3], dtype='<i8'))
    save('f16_2.npy', np.array([1, 2], dtype='<f2'))


def torch_oracles():
    try:
        import torch
    except ImportError:
        print('PyTorch not available: skipping the torch oracles')
        return
    import torch.nn.functional as F
    out = os.path.join(ROOT, 'torch')
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    rng = np.random.default_rng(3)

    def t(*shape):
        return torch.tensor(rng.standard_normal(shape), dtype=torch.float64, requires_grad=True)

    def write(prefix, **arrays):
        for key, value in arrays.items():
            np.save(os.path.join(out, f'{prefix}.{key}.npy'), value.detach().numpy().astype('<f8'))

    # seed 003's conv2d_padded example, with a bias: y, and the gradients of <y, dy>
    x, w, b = t(2, 3, 17, 24), t(4, 3, 5, 8), t(4)
    y = F.conv2d(x, w, b, stride=(3, 4), padding=(6, 8))
    dy = torch.tensor(rng.standard_normal(tuple(y.shape)))
    y.backward(dy)
    write('conv2d_seed003', x=x, w=w, b=b, y=y, dy=dy, dx=x.grad, dw=w.grad, db=b.grad)

    # grouped, dilated conv3d
    x, w = t(2, 4, 5, 6, 7), t(6, 2, 2, 3, 2)
    y = F.conv3d(x, w, None, stride=(1, 2, 2), padding=(1, 0, 2), dilation=(2, 1, 2), groups=2)
    dy = torch.tensor(rng.standard_normal(tuple(y.shape)))
    y.backward(dy)
    write('conv3d_groups', x=x, w=w, y=y, dy=dy, dx=x.grad, dw=w.grad)

    # transposed conv whose output_padding (2) is ≥ its stride (2) thanks to dilation 3
    x, w, b = t(2, 4, 5, 4), t(4, 3, 3, 2), t(6)
    y = F.conv_transpose2d(x, w, b, stride=(2, 1), padding=(1, 0), output_padding=(2, 0), groups=2, dilation=(3, 1))
    dy = torch.tensor(rng.standard_normal(tuple(y.shape)))
    y.backward(dy)
    write('conv_transpose2d', x=x, w=w, b=b, y=y, dy=dy, dx=x.grad, dw=w.grad, db=b.grad)

    # pooling: ties (values rounded to halves), ceil_mode, padding, dilation
    xr = np.round(rng.standard_normal((2, 3, 9, 8)) * 2) / 2
    x = torch.tensor(xr, requires_grad=True)
    y = F.max_pool2d(x, kernel_size=(3, 2), stride=(2, 2), padding=(1, 1), dilation=(1, 2), ceil_mode=True)
    dy = torch.tensor(rng.standard_normal(tuple(y.shape)))
    y.backward(dy)
    write('max_pool2d', x=x, y=y, dy=dy, dx=x.grad)

    x = torch.tensor(xr, requires_grad=True)
    y = F.avg_pool2d(x, kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)
    dy = torch.tensor(rng.standard_normal(tuple(y.shape)))
    y.backward(dy)
    write('avg_pool2d_exclude_pad', x=x, y=y, dy=dy, dx=x.grad)

    x = torch.tensor(xr, requires_grad=True)
    y = F.avg_pool2d(x, kernel_size=(2, 3), stride=(3, 2), padding=(1, 1), ceil_mode=True, count_include_pad=True)
    dy = torch.tensor(rng.standard_normal(tuple(y.shape)))
    y.backward(dy)
    write('avg_pool2d_include_pad', x=x, y=y, dy=dy, dx=x.grad)

    x = torch.tensor(xr, requires_grad=True)
    y = F.avg_pool2d(x, kernel_size=3, stride=2, padding=1, divisor_override=5)
    dy = torch.tensor(rng.standard_normal(tuple(y.shape)))
    y.backward(dy)
    write('avg_pool2d_divisor', x=x, y=y, dy=dy, dx=x.grad)

    x = torch.tensor(xr, requires_grad=True)
    y = F.adaptive_max_pool2d(x, (4, 3))
    dy = torch.tensor(rng.standard_normal(tuple(y.shape)))
    y.backward(dy)
    write('adaptive_max_pool2d', x=x, y=y, dy=dy, dx=x.grad)

    x = torch.tensor(xr, requires_grad=True)
    y = F.adaptive_avg_pool2d(x, (5, 3))
    dy = torch.tensor(rng.standard_normal(tuple(y.shape)))
    y.backward(dy)
    write('adaptive_avg_pool2d', x=x, y=y, dy=dy, dx=x.grad)

    x1 = torch.tensor(np.round(rng.standard_normal((2, 3, 11)) * 2) / 2, requires_grad=True)
    y = F.max_pool1d(x1, kernel_size=3, stride=2, padding=1, dilation=2, ceil_mode=True)
    dy = torch.tensor(rng.standard_normal(tuple(y.shape)))
    y.backward(dy)
    write('max_pool1d', x=x1, y=y, dy=dy, dx=x1.grad)


readers()
torch_oracles()
print('wrote', ROOT)
