/**
 * gelu — torch.nn.GELU: x·Φ(x) with the exact (erf) Gaussian CDF, or its tanh approximation.
 * Both follow aten's GeluKernel formulas: exact y = x·½(1 + erf(x/√2)), y′ = Φ(x) + x·φ(x);
 * tanh y = ½x(1 + tanh(u)), u = √(2/π)(x + 0.044715x³), y′ = ½(1 + tanh u) + ½x(1 − tanh²u)·√(2/π)(1 + 3·0.044715x²).
 * erf is ours (src/engine/ops/activation-erf.ts, ≤ 2 ulp), JavaScript having none.
 */
import { erf } from '../engine/ops/activation-erf.js';
import { pointwiseLayer, type Elementwise } from './pointwise.js';

const SQRT1_2 = Math.SQRT1_2;
/** 1/√(2π), φ's normalisation */
const INV_SQRT_2PI = 0.3989422804014327;
/** √(2/π) */
const SQRT_2_OVER_PI = 0.7978845608028654;
const KAPPA = 0.044715;

const exact: Elementwise = {
    f: x => x * 0.5 * (1 + erf(x * SQRT1_2)),
    df: x => 0.5 * (1 + erf(x * SQRT1_2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x),
};

const tanhApproximation: Elementwise = {
    f: x => 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + KAPPA * x * x * x))),
    df: x => {
        const x2 = x * x;
        const t = Math.tanh(SQRT_2_OVER_PI * (x + KAPPA * x2 * x));
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * KAPPA * x2);
    },
};

export const gelu = pointwiseLayer({
    name: 'gelu',
    torch: 'torch.nn.GELU',
    example: 'gelu()',
    doc: [
        'Gaussian error linear unit: x·Φ(x), elementwise, Φ the standard normal CDF.',
        '',
        "approximate='none' (the default) is exact: x·½(1 + erf(x/√2)); 'tanh' uses ½x(1 + tanh(√(2/π)(x + 0.044715x³))).",
    ].join('\n'),
    args: [
        { name: 'approximate', type: { kind: 'enum', values: ['none', 'tanh'] }, default: "'none'", doc: "'none' for the exact erf form, 'tanh' for the tanh approximation." },
    ],
    formula: a => (a.approximate === 'tanh' ? 'y = ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))' : 'y = x·½·(1 + erf(x/√2))'),
    elementwise: a => (a.approximate === 'tanh' ? tanhApproximation : exact),
});
