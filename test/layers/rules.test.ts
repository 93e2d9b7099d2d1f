/**
 * Hand-written edge cases of the layer rules, each checked against what PyTorch 1.13 does, and the
 * seeds' receptive-field examples computed through the whole analysis (analyzeProgram).
 */
import { describe, it, expect } from 'vitest';
import { analyzeProgram } from '../../src/analysis/analyze.js';
import { probeLayer } from '../../src/analysis/probe.js';
import { getLayer } from '../../src/layers/index.js';
import type { Arg, Call, ChainStmt, Expr, InputStmt, Loc, Program, Stmt } from '../../src/program.js';

// ---- a tiny program builder: every node gets its own location -------------------------------

let column = 0;
function loc(): Loc {
    const c = column++;
    return { file: 'rules.conv', start: { line: 0, character: c }, end: { line: 0, character: c + 1 } };
}
function int(value: number): Expr {
    return { kind: 'number', value, isInt: true, loc: loc() };
}
function ref(name: string): Expr {
    return { kind: 'name', name, loc: loc() };
}
function kw(name: string, value: Expr): Arg {
    return { name, nameLoc: loc(), value, loc: loc() };
}
function pos(value: Expr): Arg {
    return { value, loc: loc() };
}
function call(callee: string, ...args: Arg[]): Call {
    return { callee, calleeLoc: loc(), args, loc: loc() };
}
function input(name: string, dims: Array<number | string>): InputStmt {
    return { kind: 'input', name, nameLoc: loc(), dims: dims.map(d => (typeof d === 'number' ? int(d) : ref(d))), loc: loc() };
}
function chain(calls: Call[], name?: string, source?: Expr): ChainStmt {
    return { kind: 'chain', ...(name !== undefined ? { name, nameLoc: loc() } : {}), ...(source ? { source } : {}), calls, loc: loc() };
}
function program(body: Stmt[]): Program {
    const whole: Loc = { file: 'rules.conv', start: { line: 0, character: 0 }, end: { line: 1, character: 0 } };
    return { file: 'rules.conv', graphs: [{ kind: 'network', name: 'Net', nameLoc: loc(), params: [], body, loc: whole }], blocks: new Map() };
}

/** Builds `input x: [...]` followed by a chain of `(layer, {arg: int | int[]})` calls and analyses it. */
function stack(shape: Array<number | string>, layers: Array<[string, Record<string, number | number[]>]>) {
    const calls = layers.map(([name, args]) => call(name, ...Object.entries(args).map(([k, v]) => kw(k, Array.isArray(v) ? { kind: 'tuple', items: v.map(int), loc: loc() } : int(v)))));
    const p = program([input('x', shape), chain(calls, 'y')]);
    return analyzeProgram(p);
}

function errors(issues: ReadonlyArray<{ severity: string; code: string }>): string[] {
    return issues.filter(i => i.severity === 'error').map(i => i.code);
}

describe('receptive fields from the seeds (stride 1: rf = 1 + Σ (k − 1)·d)', () => {
    it('kernels 9, 9, 3 with dilations 2, 3, 4 give a receptive field of 49', () => {
        const a = stack(['N', 1, 128], [
            ['conv1d', { out_channels: 8, kernel_size: 9, dilation: 2 }],
            ['conv1d', { out_channels: 8, kernel_size: 9, dilation: 3 }],
            ['conv1d', { out_channels: 8, kernel_size: 3, dilation: 4 }],
        ]);
        expect(errors(a.issues)).toEqual([]);
        const layers = a.networks[0]!.layers;
        expect(layers.map(l => l.output.rf![0]!.size)).toEqual([17, 41, 49]);
        expect(layers[2]!.output.rf![0]!.jump).toBe(1);
    });

    it('kernels 3, 3 with dilations 1, 2 give 7 on both axes', () => {
        const a = stack(['N', 3, 32, 32], [
            ['conv2d', { out_channels: 16, kernel_size: 3, dilation: 1, padding: 1 }],
            ['conv2d', { out_channels: 16, kernel_size: 3, dilation: 2, padding: 2 }],
        ]);
        expect(errors(a.issues)).toEqual([]);
        const last = a.networks[0]!.layers[1]!;
        expect(last.output.shape).toEqual(['N', 16, 32, 32]);
        expect(last.output.rf!.map(f => f.size)).toEqual([7, 7]);
    });

    it('a stride multiplies the jump and later kernels grow the field by (k − 1)·d·j', () => {
        const a = stack(['N', 3, 224, 224], [
            ['conv2d', { out_channels: 64, kernel_size: 7, stride: 2, padding: 3 }],
            ['max_pool2d', { kernel_size: 3, stride: 2, padding: 1 }],
        ]);
        const pool = a.networks[0]!.layers[1]!;
        expect(pool.output.shape).toEqual(['N', 64, 56, 56]);
        expect(pool.output.rf![0]).toEqual({ size: 7 + 2 * 2, jump: 4, start: 0 });
        expect(a.issues.filter(i => i.severity !== 'information')).toEqual([]);
    });

    it('adaptive pooling to 1 sees the whole input; to a divisor of the size it is a plain window', () => {
        const whole = stack(['N', 8, 7, 7], [['adaptive_avg_pool2d', { output_size: 1 }]]);
        expect(whole.networks[0]!.layers[0]!.output.rf![0]).toEqual({ size: 7, jump: 7, start: 3 });
        const same = stack(['N', 8, 6, 6], [['adaptive_avg_pool2d', { output_size: [6, 6] }]]);
        expect(same.networks[0]!.layers[0]!.output.rf![0]).toEqual({ size: 1, jump: 1, start: 0 });
    });
});

describe('pooling windows', () => {
    it('ceil_mode drops a last window that would start in the right padding', () => {
        // ⌈(5 + 2 − 1 − 1) / 2⌉ + 1 = 4, but window 4 would start at 6 = n + p: PyTorch gives 3.
        const r = probeLayer('max_pool1d', [['N', 4, 5]], { kernel_size: 2, stride: 2, padding: 1, ceil_mode: true });
        expect(r.shape).toEqual(['N', 4, 3]);
        expect(r.record!.explain.join('\n')).toMatch(/dropped/);
    });

    it('ceil_mode keeps a partial last window that starts inside the input, and then nothing is uncovered', () => {
        const ceil = probeLayer('max_pool2d', [['N', 64, 7, 7]], { kernel_size: 2, stride: 2, ceil_mode: true });
        expect(ceil.shape).toEqual(['N', 64, 4, 4]);
        expect(ceil.issues).toEqual([]);
        const floor = probeLayer('max_pool2d', [['N', 64, 7, 7]], { kernel_size: 2, stride: 2 });
        expect(floor.shape).toEqual(['N', 64, 3, 3]);
        expect(floor.issues.map(i => [i.code, i.message])).toEqual([['uncovered-input', expect.stringContaining('the last 1 row and 1 column of the input are never covered')]]);
    });

    it("reproduces the seeds' 6×6 pooling examples", () => {
        const pool = (args: Record<string, number>) => probeLayer('max_pool2d', [[1, 1, 6, 6]], { kernel_size: 2, stride: 2, ...args }).shape;
        expect(pool({})).toEqual([1, 1, 3, 3]);
        expect(pool({ padding: 1 })).toEqual([1, 1, 4, 4]);
        expect(pool({ padding: 1, dilation: 2 })).toEqual([1, 1, 3, 3]);
        expect(probeLayer('avg_pool2d', [[1, 1, 6, 6]], { kernel_size: 2 }).shape).toEqual([1, 1, 3, 3]);
    });

    it('padding may be at most half the undilated kernel', () => {
        expect(errors(probeLayer('max_pool2d', [['N', 1, 9, 9]], { kernel_size: 3, padding: 1, dilation: 3 }).issues)).toEqual([]);
        const r = probeLayer('max_pool2d', [['N', 1, 9, 9]], { kernel_size: 3, padding: [1, 2] });
        expect(r.issues.map(i => i.code)).toEqual(['pool-padding-too-large']);
        expect(r.issues[0]!.message).toMatch(/padding 2 on axis W .* at most ⌊3\/2⌋ = 1/);
    });

    it('stride defaults to the kernel, and min_pool shapes like max_pool', () => {
        expect(probeLayer('min_pool3d', [['N', 2, 8, 8, 8]], { kernel_size: 2 }).shape).toEqual(['N', 2, 4, 4, 4]);
    });

    it('avg_pool1d has no divisor_override, avg_pool2d rejects 0', () => {
        expect(probeLayer('avg_pool1d', [['N', 2, 8]], { kernel_size: 2, divisor_override: 2 }).issues.map(i => i.code)).toEqual(['unknown-argument']);
        expect(errors(probeLayer('avg_pool2d', [['N', 2, 8, 8]], { kernel_size: 2, divisor_override: 0 }).issues)).toEqual(['invalid-value']);
        expect(probeLayer('avg_pool2d', [['N', 2, 8, 8]], { kernel_size: 2, divisor_override: 3 }).shape).toEqual(['N', 2, 4, 4]);
    });
});

describe('convolutions', () => {
    it("'same' with an even kernel puts the odd padding on the right", () => {
        const r = probeLayer('conv1d', [['N', 2, 10]], { out_channels: 4, kernel_size: 4, padding: 'same' });
        expect(r.shape).toEqual(['N', 4, 10]);
        // left 1, right 2: the first output's field is centred half a pixel right of input 0.
        expect(r.record!.output.rf![0]).toEqual({ size: 4, jump: 1, start: 0.5 });
        expect(r.record!.explain).toContain('L: ⌊(10 + 1 + 2 − 1·(4 − 1) − 1) / 1⌋ + 1 = 10');
    });

    it('depthwise convolution has C·k² weights and one bias per channel', () => {
        const r = probeLayer('conv2d', [['N', 32, 56, 56]], { out_channels: 32, kernel_size: 3, padding: 1, groups: 32 });
        expect(r.params).toBe(32 * 9 + 32);
        expect(r.macs).toBe(32 * 56 * 56 * 9);
        expect(r.record!.weights).toEqual([{ name: 'weight', shape: [32, 1, 3, 3] }, { name: 'bias', shape: [32] }]);
    });

    it('output_padding must stay below the stride or the dilation', () => {
        const ok = probeLayer('conv_transpose2d', [['N', 8, 4, 4]], { out_channels: 4, kernel_size: 3, stride: 2, output_padding: 1 });
        expect(ok.shape).toEqual(['N', 4, 10, 10]);
        const bad = probeLayer('conv_transpose2d', [['N', 8, 4, 4]], { out_channels: 4, kernel_size: 3, stride: 2, output_padding: [1, 2] });
        expect(bad.issues.map(i => i.code)).toEqual(['output-padding-too-large']);
        expect(bad.issues[0]!.message).toMatch(/output_padding 2 on axis W must be smaller than the stride 2 or the dilation 1/);
        // stride 1 but dilation 3: output_padding 2 is allowed
        expect(probeLayer('conv_transpose1d', [['N', 8, 4]], { out_channels: 4, kernel_size: 3, dilation: 3, output_padding: 2 }).shape).toEqual(['N', 4, 12]);
    });

    it('transposed convolution counts MACs on input positions, the batch as 1', () => {
        const r = probeLayer('conv_transpose2d', [['N', 64, 16, 16]], { out_channels: 32, kernel_size: 4, stride: 2, padding: 1, groups: 2 });
        expect(r.shape).toEqual(['N', 32, 32, 32]);
        expect(r.macs).toBe(64 * 16 * 16 * 16 * 16);
        expect(r.record!.weights[0]).toEqual({ name: 'weight', shape: [64, 16, 4, 4] });
    });
});

describe('normalisation', () => {
    it("local_response_norm documents PyTorch's alpha/size convention", () => {
        const lrn = getLayer('local_response_norm')!;
        expect(lrn.doc).toMatch(/α\/size/);
        expect(lrn.doc).toMatch(/averaged/);
        const r = probeLayer('local_response_norm', [['N', 96, 55, 55]], { size: 5, alpha: 1e-4, k: 2 }, new Set(['k']));
        expect(r.record!.explain.join('\n')).toMatch(/2\.0 \+ 1e-4\/5 · Σ_\{c' = c−2 … c\+2\}/);
    });

    it('batch norm rejects one value per channel in training mode, only with a concrete batch', () => {
        const r = probeLayer('batch_norm1d', [[1, 16]], {});
        expect(r.issues.map(i => i.code)).toEqual(['single-value-per-channel']);
        expect(r.issues[0]!.message).toMatch(/training mode/);
        expect(errors(probeLayer('batch_norm1d', [['N', 16]], {}).issues)).toEqual([]);
        expect(probeLayer('batch_norm2d', [['N', 16, 4, 4]], { affine: false }).params).toBe(0);
    });

    it('layer norm must name the trailing dims', () => {
        expect(probeLayer('layer_norm', [['N', 8, 4, 4]], { normalized_shape: [4, 4] }).params).toBe(32);
        const r = probeLayer('layer_norm', [['N', 8, 4, 4]], { normalized_shape: [8, 4] });
        expect(r.issues[0]!.message).toMatch(/set normalized_shape=\(4, 4\)/);
    });
});

describe('shape layers and merges', () => {
    it('linear on a tensor with spatial axes warns, and in_features is checked', () => {
        const r = probeLayer('linear', [['N', 512, 1, 1]], { out_features: 10 });
        expect(r.shape).toEqual(['N', 512, 1, 10]);
        expect(r.issues.map(i => [i.severity, i.code])).toEqual([['warning', 'linear-on-spatial']]);
        const flat = stack(['N', 512, 1, 1], [['flatten', {}], ['linear', { out_features: 10, in_features: 512 }]]);
        expect(flat.issues).toEqual([]);
        expect(flat.networks[0]!.layers[1]!.macs).toBe(5120);
        expect(probeLayer('linear', [['N', 512]], { out_features: 10, in_features: 256 }).issues.map(i => i.code)).toEqual(['in-features-mismatch']);
    });

    it('flatten keeps a symbolic batch symbolic', () => {
        expect(probeLayer('flatten', [['N', 3, 4, 5]], { start_dim: 0, end_dim: 1 }).shape).toEqual(['N·3', 4, 5]);
        expect(probeLayer('flatten', [['N', 3, 4, 5]], { start_dim: -1, end_dim: 1 }).issues.map(i => i.code)).toEqual(['flatten-dims']);
    });

    it('softmax wraps negative dims and rejects out-of-range ones', () => {
        expect(errors(probeLayer('softmax', [['N', 10]], { dim: -1 }).issues)).toEqual([]);
        expect(probeLayer('log_softmax', [['N', 10]], { dim: 2 }).issues.map(i => i.code)).toEqual(['dim-out-of-range']);
    });

    it('upsample floors n·scale_factor as PyTorch 1.13 does', () => {
        expect(probeLayer('upsample', [['N', 3, 5, 5]], { scale_factor: 1.7, mode: 'bilinear' }).shape).toEqual(['N', 3, 8, 8]);
        expect(probeLayer('upsample', [['N', 3, 10]], { scale_factor: 0.3 }).shape).toEqual(['N', 3, 3]);
        expect(errors(probeLayer('upsample', [['N', 3, 5, 5]], { scale_factor: 2, mode: 'linear' }).issues)).toEqual(['input-rank']);
    });

    it('a merge mismatch is pinned on the offending input and names both shapes', () => {
        const a = input('a', ['N', 64, 56, 56]);
        const b = input('b', ['N', 64, 28, 28]);
        const second = pos(ref('b'));
        const p = program([a, b, chain([call('add', pos(ref('a')), second)], 'y')]);
        const issues = analyzeProgram(p).issues;
        expect(issues.map(i => i.code)).toEqual(['merge-shape-mismatch']);
        expect(issues[0]!.loc).toEqual(second.loc);
        expect(issues[0]!.message).toMatch(/\[N, 64, 28, 28\].*\[N, 64, 56, 56\]/);
    });

    it('add broadcasts, concat sums the joined axis', () => {
        expect(probeLayer('add', [['N', 64, 8, 8], [64, 1, 1]], {}).shape).toEqual(['N', 64, 8, 8]);
        expect(probeLayer('concat', [['N', 64, 8, 8], ['N', 32, 8, 8]], {}).shape).toEqual(['N', 96, 8, 8]);
        expect(probeLayer('concat', [['N', 64, 8, 8], ['N', 32, 8, 8]], { dim: -3 }).shape).toEqual(['N', 96, 8, 8]);
    });
});

describe('every layer is documented', () => {
    it.each([...(['conv2d', 'conv_transpose2d', 'max_pool2d', 'min_pool2d', 'avg_pool2d', 'adaptive_avg_pool2d', 'adaptive_max_pool2d', 'batch_norm2d', 'local_response_norm', 'layer_norm', 'group_norm', 'relu', 'relu6', 'hardtanh', 'leaky_relu', 'elu', 'gelu', 'sigmoid', 'tanh', 'softmax', 'log_softmax', 'flatten', 'linear', 'dropout', 'upsample', 'identity', 'add', 'mul', 'concat'])])('%s has a summary, a torch name, an example and argument docs', name => {
        const layer = getLayer(name)!;
        expect(layer).toBeDefined();
        expect(layer.doc.split('\n')[0]!.length).toBeGreaterThan(10);
        expect(layer.torch).toMatch(/torch/);
        expect(layer.example).toMatch(new RegExp(`^${name}\\(`));
        for (const arg of layer.args) expect(arg.doc.length, `${name}.${arg.name}`).toBeGreaterThan(5);
    });
});
