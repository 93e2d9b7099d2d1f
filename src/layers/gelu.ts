/** gelu — torch.nn.GELU: x·Φ(x) with the exact (erf) Gaussian CDF, or its tanh approximation. */
import { pointwiseLayer } from './pointwise.js';

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
});
