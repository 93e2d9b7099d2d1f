/**
 * Bench runner for TensorFlow.js (@tensorflow/tfjs), `--backend cpu` (plain JS) or `wasm`
 * (@tensorflow/tfjs-backend-wasm, XNNPACK, single-threaded under Node). tfjs's native layout is
 * NHWC with HWIO filters, so each shape is laid out that way (same FLOPs). Backward runs the
 * backend's own kernels (Conv2DBackpropInput + Conv2DBackpropFilter, the depthwise ones for E),
 * as tfjs's gradient functions do; the wasm backend has no filter-gradient kernel, so its
 * backward is reported as missing. Conv1d (F) is tfjs's conv1d, i.e. conv2d with H = 1.
 * Prints one JSON line per measurement.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { SHAPES, fill, forwardFlops, time } from './engine-shapes.mjs';

const require = createRequire(import.meta.url);
const { values } = parseArgs({ options: { backend: { type: 'string', default: 'cpu' }, shapes: { type: 'string', default: 'A,B,C,D,E,F,G' }, runs: { type: 'string', default: '5' }, budget: { type: 'string', default: '15000' }, clock: { type: 'string', default: 'wall' } } });
const tf = require('@tensorflow/tfjs');
if (values.backend === 'wasm') {
    const wasm = require('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/'));
}
await tf.setBackend(values.backend);
await tf.ready();
const engine = `tfjs-${values.backend}`;
const runs = Number(values.runs);
const budgetMs = Number(values.budget);

function randomTensor(shape, seed) {
    return tf.tensor(fill(new Float32Array(shape.reduce((a, b) => a * b, 1)), seed), shape);
}

for (const id of values.shapes.split(',')) {
    const s = SHAPES[id];
    const oneD = s.x.length === 3;
    // as 2-d NHWC: conv1d is conv2d with H = 1
    const [N, C, H, W] = oneD ? [s.x[0], s.x[1], 1, s.x[2]] : s.x;
    const [O, I, KH, KW] = oneD ? [s.w[0], s.w[1], 1, s.w[2]] : s.w;
    const stride = oneD ? [1, s.stride[0]] : s.stride;
    const pad = oneD ? [0, s.padding[0]] : s.padding;
    const dil = oneD ? [1, s.dilation[0]] : s.dilation;
    const depthwise = s.groups > 1;
    if (depthwise && !(s.groups === C && I === 1)) throw new Error(`tfjs has no grouped conv for ${id}`);
    const x = randomTensor([N, H, W, C], 1);
    const f = depthwise ? randomTensor([KH, KW, C, O / C], 2) : randomTensor([KH, KW, I, O], 2);
    const b = randomTensor([O], 3);
    const explicit = [[0, 0], [pad[0], pad[0]], [pad[1], pad[1]], [0, 0]];
    const forward = () => tf.tidy(() => {
        const y = depthwise ? tf.depthwiseConv2d(x, f, stride, explicit, 'NHWC', dil) : tf.conv2d(x, f, stride, explicit, 'NHWC', dil);
        return tf.add(y, b);
    });
    const y0 = forward();
    const dy = randomTensor(y0.shape, 4);
    y0.dispose();
    const flops = forwardFlops(s);
    const fwd = time(() => { const y = forward(); y.dataSync(); y.dispose(); }, { runs, budgetMs, clockKind: values.clock });
    console.log(JSON.stringify({ engine, dtype: 'float32', shape: id, pass: 'forward', ...fwd, gflops: flops / fwd.ms / 1e6 }));
    const attrs = { strides: stride, pad: explicit, dataFormat: 'NHWC', dilations: dil, dimRoundingMode: undefined };
    const backward = () => {
        const dx = depthwise
            ? tf.engine().runKernel(tf.DepthwiseConv2dNativeBackpropInput, { dy, filter: f }, { ...attrs, inputShape: x.shape })
            : tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter: f }, { ...attrs, inputShape: x.shape });
        const df = depthwise
            ? tf.engine().runKernel(tf.DepthwiseConv2dNativeBackpropFilter, { x, dy }, { ...attrs, filterShape: f.shape })
            : tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, { ...attrs, filterShape: f.shape });
        const db = tf.sum(dy, [0, 1, 2]);
        dx.dataSync();
        df.dataSync();
        db.dataSync();
        tf.dispose([dx, df, db]);
    };
    let bwd = null;
    try {
        for (const kernel of depthwise ? [tf.DepthwiseConv2dNativeBackpropInput, tf.DepthwiseConv2dNativeBackpropFilter] : [tf.Conv2DBackpropInput, tf.Conv2DBackpropFilter]) {
            if (!tf.getKernel(kernel, values.backend)) throw new Error(`no ${kernel} kernel in the ${values.backend} backend`);
        }
        backward();
        bwd = time(backward, { runs, budgetMs, clockKind: values.clock });
    } catch (e) {
        console.log(JSON.stringify({ engine, dtype: 'float32', shape: id, pass: 'backward', missing: String(e.message ?? e).split('\n')[0] }));
    }
    if (bwd) console.log(JSON.stringify({ engine, dtype: 'float32', shape: id, pass: 'backward', ...bwd, gflops: 2 * flops / bwd.ms / 1e6 }));
    tf.dispose([x, f, b, dy]);
}
