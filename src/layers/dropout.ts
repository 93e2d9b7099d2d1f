/**
 * dropout — torch.nn.Dropout: in training, zeroes each element with probability p and scales the
 * rest by 1/(1 − p); the identity in eval mode.
 */
import { fmtNum, inplaceArg, pointwiseLayer } from './pointwise.js';

export const dropout = pointwiseLayer({
    name: 'dropout',
    family: 'shape',
    torch: 'torch.nn.Dropout',
    example: 'dropout(p=0.5)',
    doc: [
        'Dropout: in training mode each element is zeroed with probability p and the others are scaled by 1/(1 − p), so the expected value is unchanged; in eval mode it is the identity.',
        '',
        'p must be in [0, 1]; p = 1 zeroes everything.',
    ].join('\n'),
    args: [
        { name: 'p', type: { kind: 'float', min: 0, max: 1 }, default: '0.5', doc: 'Probability of zeroing an element, in [0, 1].' },
        inplaceArg,
    ],
    formula: a => (a.p >= 1
        ? 'training: y = 0 everywhere (p = 1); eval: y = x'
        : `training: y = 0 with probability ${fmtNum(a.p)}, else x / (1 − ${fmtNum(a.p)}) = ${fmtNum(1 / (1 - a.p))}·x; eval: y = x`),
});
