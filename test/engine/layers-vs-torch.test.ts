/**
 * Every layer's forward and backward against PyTorch (fixtures by scripts/gen_engine_fixtures.py):
 * float64 within 1e-10 relative, float32 within 1e-4, for outputs, every input gradient, every
 * parameter gradient and batch norm's running statistics. Inputs, parameters and the upstream
 * gradient R are regenerated from each case's seed with the generator's PRNG.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { probeLayer, type JsonArg } from '../../src/analysis/probe.js';
import { backwardLayer, forwardLayer } from '../../src/engine/layer-run.js';
import { stream } from '../../src/engine/random.js';
import { type DType, type Tensor, astype, numel, tensor } from '../../src/tensor/tensor.js';
import { decodeF64, fixtureValues } from '../support/fixture-rng.js';
import { expectAllclose } from './helpers.js';

interface Case {
    layer: string;
    inputs: number[][];
    args: Record<string, JsonArg>;
    mode: 'train' | 'eval';
    seed: number;
    inputScale?: number;
    inputValues?: number[][];
    output: string;
    outputShape: number[];
    grads: Record<string, string>;
    buffers?: Record<string, string>;
}

const dir = path.resolve(__dirname, '../fixtures/engine');
const families = fs.readdirSync(dir).filter(f => f.endsWith('.json')).map(f => f.replace(/\.json$/, '')).sort();
/** Arguments that are floats even when written whole (JSON's 1.0 reads as 1). */
const FLOAT_ARGS = new Set(['eps', 'momentum', 'alpha', 'beta', 'k', 'negative_slope', 'min_val', 'max_val', 'p', 'scale_factor']);

function load(family: string): Case[] {
    const lines = fs.readFileSync(path.join(dir, `${family}.json`), 'utf8');
    return (JSON.parse(lines) as { cases: Case[] }).cases;
}

function f64(values: Float64Array, shape: readonly number[]): Tensor<'float64'> {
    return tensor(values, shape);
}

/**
 * The analysis, which knows no mode, rejects batch norm with one value per channel (PyTorch raises
 * in training); in eval mode PyTorch accepts it. Such eval cases are analysed with a symbolic
 * batch (a warning, not an error) and run with the batch bound to its value.
 */
function analysed(c: Case): { record: NonNullable<ReturnType<typeof probeLayer>['record']>; bindings: Map<string, number> } {
    const probe = probeLayer(c.layer, c.inputs, c.args, FLOAT_ARGS);
    const errors = probe.issues.filter(i => i.severity === 'error');
    if (c.mode === 'eval' && errors.length > 0 && errors.every(e => e.code === 'single-value-per-channel')) {
        const symbolic = probeLayer(c.layer, c.inputs.map((s, i) => (i === 0 ? ['N', ...s.slice(1)] : s)), c.args, FLOAT_ARGS);
        expect(symbolic.issues.filter(i => i.severity === 'error').map(i => i.message)).toEqual([]);
        return { record: symbolic.record!, bindings: new Map([['N', c.inputs[0]![0]!]]) };
    }
    expect(errors.map(i => i.message), 'the analysis accepts the configuration').toEqual([]);
    return { record: probe.record!, bindings: new Map() };
}

function run(c: Case, dtype: DType) {
    const { record, bindings } = analysed(c);
    const cast = (t: Tensor<'float64'>) => (dtype === 'float64' ? t : astype(t, dtype));
    const inputs = c.inputs.map((shape, i) => {
        const values = c.inputValues ? Float64Array.from(c.inputValues[i]!) : fixtureValues(c.seed, `input${i}`, numel(shape)).map(v => v * (c.inputScale ?? 1));
        return cast(f64(values, shape));
    });
    const params: Record<string, Tensor> = {};
    for (const w of record.weights) params[w.name] = cast(f64(fixtureValues(c.seed, w.name, numel(w.shape)), w.shape));
    const buffers: Record<string, Tensor> = {};
    if (/^batch_norm/.test(c.layer) && record.args['track_running_stats'] !== false) {
        const channels = c.inputs[0]!.length === 1 ? c.inputs[0]![0]! : c.inputs[0]![1]!;
        buffers['running_mean'] = cast(f64(fixtureValues(c.seed, 'running_mean', channels), [channels]));
        buffers['running_var'] = cast(f64(fixtureValues(c.seed, 'running_var', channels, u => 0.5 + u), [channels]));
        buffers['num_batches_tracked'] = cast(f64(new Float64Array(1), [1]));
    }
    const options = { mode: c.mode, rng: stream(c.seed, 'dropout'), bindings };
    const state = { params, buffers };
    const forwarded = forwardLayer(record, inputs, state, options);
    const R = cast(f64(fixtureValues(c.seed, 'R', numel(c.outputShape)), c.outputShape));
    const grads = backwardLayer(record, inputs, state, options, forwarded, R);
    return { forwarded, grads, buffers };
}

function check(actual: Tensor | null | undefined, expectedB64: string, shape: readonly number[], dtype: DType, what: string) {
    expect(actual, `${what} is computed`).toBeTruthy();
    const expected = f64(decodeF64(expectedB64), shape);
    let scale = 0;
    for (const v of expected.data) scale = Math.max(scale, Math.abs(v));
    const rtol = dtype === 'float64' ? 1e-10 : 1e-4;
    // float32 cannot reproduce float64 rounding residue (an exact 0 computed as 1e-15): its
    // absolute floor is float32's resolution at the O(1) scale of the inputs, R and parameters.
    const floor = dtype === 'float32' ? 1e-6 : 1e-30;
    expectAllclose(astype(actual!, 'float64'), expected, Math.max(rtol * 1e-2 * scale, floor), rtol, `${what} (${dtype})`);
}

describe.each(families)('%s layers against PyTorch', family => {
    const cases = load(family);
    describe.each(['float64', 'float32'] as const)('in %s', dtype => {
        it.each(cases.map((c, i) => [`${c.layer} #${i} ${JSON.stringify(c.args)} on ${JSON.stringify(c.inputs)} (${c.mode})`, c] as const))('%s', (_name, c) => {
            const { forwarded, grads, buffers } = run(c, dtype);
            check(forwarded.output, c.output, c.outputShape, dtype, 'output');
            for (const [name, b64] of Object.entries(c.grads)) {
                const m = /^input(\d+)$/.exec(name);
                const shape = m ? c.inputs[Number(m[1])]! : analysed(c).record.weights.find(w => w.name === name)!.shape;
                check(m ? grads.inputs[Number(m[1])] : grads.params[name], b64, shape, dtype, `gradient of ${name}`);
            }
            for (const [name, b64] of Object.entries(c.buffers ?? {})) check(buffers[name], b64, buffers[name]?.shape ?? [], dtype, name);
        });
    });
});
