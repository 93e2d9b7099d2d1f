/** The registry is complete: every layer of DESIGN §2 is there, documented, and computes. */
import { describe, expect, it } from 'vitest';
import { layers } from '../../src/layers/index.js';

const CATALOG = [
    ...['conv', 'conv_transpose', 'max_pool', 'avg_pool', 'min_pool', 'adaptive_avg_pool', 'adaptive_max_pool', 'batch_norm'].flatMap(f => [1, 2, 3].map(r => `${f}${r}d`)),
    'local_response_norm', 'layer_norm', 'group_norm',
    'relu', 'relu6', 'hardtanh', 'leaky_relu', 'elu', 'gelu', 'sigmoid', 'tanh', 'softmax', 'log_softmax',
    'flatten', 'linear', 'dropout', 'upsample', 'identity', 'add', 'concat', 'mul',
];

describe('the layer registry', () => {
    it('has every layer of the catalog, and no other', () => {
        expect([...layers.keys()].sort()).toEqual([...CATALOG].sort());
    });

    it.each(CATALOG)('%s is documented and has a forward and a backward pass', name => {
        const layer = layers.get(name)!;
        expect(layer.doc.length).toBeGreaterThan(20);
        expect(layer.torch).toMatch(/^-?torch\./);
        expect(layer.example).toContain(`${name}(`);
        for (const arg of layer.args) expect(arg.doc.length, `${name}.${arg.name}`).toBeGreaterThan(5);
        expect(typeof layer.forward).toBe('function');
        expect(typeof layer.backward).toBe('function');
    });
});
