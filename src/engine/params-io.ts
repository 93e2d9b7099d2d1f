/**
 * Parameters on disk, in the layout `convscope run --out DIR` writes: DIR/params/<key>.<tensor>.npy
 * (or DIR/<key>.<tensor>.npy), where <key> is the layer's evaluation index, op and statement name
 * (`07_conv2d`, `04_max_pool2d_stem`) and <tensor> the parameter or buffer (`weight`, `bias`,
 * `running_mean`, `running_var`). Weights exported from another framework load the same way.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { astype, formatShape, numel, reshape, type Tensor } from '../tensor/tensor.js';
import { didYouMean } from '../util/suggest.js';
import { EngineError } from './layer-run.js';
import type { NetworkModel } from './network.js';
import { NpyError, readNpy } from './npy.js';

/** Reads a .npy file into the model's dtype; every problem is an EngineError naming the file. */
export function readTensorFile(file: string, dtype: Tensor['dtype']): Tensor {
    try {
        return astype(readNpy(file), dtype);
    } catch (err) {
        if (err instanceof NpyError) throw new EngineError(err.message.startsWith(file) ? err.message : `${file}: ${err.message}`);
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new EngineError(`${file}: no such file`);
        if ((err as NodeJS.ErrnoException).code === 'EISDIR') throw new EngineError(`${file}: is a directory, expected a .npy file`);
        throw err;
    }
}

/** Replaces the model's parameters (all required) and buffers (optional) by the files in `dir`. */
export function loadParams(model: NetworkModel, dir: string): void {
    const base = fs.existsSync(path.join(dir, 'params')) ? path.join(dir, 'params') : dir;
    if (!fs.existsSync(base) || !fs.statSync(base).isDirectory()) throw new EngineError(`${dir}: not a directory`);
    const missing: string[] = [];
    const expected = new Set<string>();
    model.states.forEach((state, i) => {
        const key = model.keys[i]!;
        for (const [kind, group] of [['param', state.params], ['buffer', state.buffers]] as const) {
            for (const [name, current] of Object.entries(group)) {
                const file = path.join(base, `${key}.${name}.npy`);
                expected.add(`${key}.${name}.npy`);
                if (!fs.existsSync(file)) {
                    if (kind === 'param') missing.push(`${key}.${name}.npy`);
                    continue;
                }
                let t = readTensorFile(file, model.dtype);
                // A buffer saved as a 0-d scalar (PyTorch's num_batches_tracked) fits a 1-element one.
                if (kind === 'buffer' && numel(t.shape) === numel(current.shape) && t.shape.length !== current.shape.length) t = reshape(t, current.shape);
                if (t.shape.length !== current.shape.length || t.shape.some((d, k) => d !== current.shape[k])) {
                    throw new EngineError(`${file}: shape ${formatShape(t.shape)} does not match ${key}.${name} ${formatShape(current.shape)}`);
                }
                (group as Record<string, Tensor>)[name] = t;
            }
        }
    });
    const unexpected = fs.readdirSync(base).filter(f => f.endsWith('.npy') && !expected.has(f));
    const problems: string[] = [];
    if (missing.length > 0) problems.push(`missing ${missing.length} parameter file${missing.length === 1 ? '' : 's'}: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''} (layout: <key>.<tensor>.npy, as run --out writes them)`);
    if (unexpected.length > 0) {
        const first = unexpected[0]!;
        const hint = didYouMean(first, missing.length > 0 ? missing : expected) || ` (expected names like ${[...expected].slice(0, 3).join(', ')})`;
        problems.push(`${unexpected.length} file${unexpected.length === 1 ? ' matches' : 's match'} no parameter of the network: ${unexpected.slice(0, 5).join(', ')}${unexpected.length > 5 ? ', ...' : ''}${hint}`);
    }
    if (problems.length > 0) throw new EngineError(`${base}: ${problems.join('; ')}`);
}
