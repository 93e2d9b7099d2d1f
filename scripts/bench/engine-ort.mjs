/**
 * Bench runner for ONNX Runtime (onnxruntime-node, CPU execution provider), forward only (ORT
 * has no training from Node) and float32 only (its CPU provider has no float64 Conv).
 * `--threads n` sets intra-op threads. The one-node Conv models are written here with a tiny
 * protobuf encoder (onnx.proto3: ModelProto → GraphProto → NodeProto/TensorProto/ValueInfoProto),
 * weights and bias as initializers as in an exported network. Prints one JSON line per shape.
 */
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { SHAPES, fill, forwardFlops, outSize, timeAsync } from './engine-shapes.mjs';

const require = createRequire(import.meta.url);
const ort = require('onnxruntime-node');
const { values } = parseArgs({ options: { threads: { type: 'string', default: '1' }, shapes: { type: 'string', default: 'A,B,C,D,E,F,G' }, runs: { type: 'string', default: '5' }, budget: { type: 'string', default: '15000' }, clock: { type: 'string', default: 'wall' } } });

// ---- protobuf wire format: varints, length-delimited fields
function varint(n) {
    const out = [];
    let v = BigInt(n);
    if (v < 0n) v += 1n << 64n;
    do {
        let byte = Number(v & 0x7fn);
        v >>= 7n;
        if (v) byte |= 0x80;
        out.push(byte);
    } while (v);
    return out;
}
const key = (field, wire) => varint((field << 3) | wire);
const int = (field, n) => [...key(field, 0), ...varint(n)];
const bytes = (field, data) => [...key(field, 2), ...varint(data.length), ...data];
const str = (field, s) => bytes(field, [...new TextEncoder().encode(s)]);
const msg = (field, parts) => bytes(field, parts.flat());

const FLOAT = 1; // TensorProto.DataType.FLOAT
const tensorProto = (field, name, dims, data) => msg(field, [
    ...dims.map(d => int(1, d)), int(2, FLOAT), str(8, name), bytes(9, [...new Uint8Array(data.buffer, data.byteOffset, data.byteLength)]),
]);
const valueInfo = (field, name, dims) => msg(field, [
    str(1, name),
    msg(2, [msg(1, [int(1, FLOAT), msg(2, dims.map(d => msg(1, [int(1, d)])))])]),
]);
const attrInts = (name, ints) => msg(5, [str(1, name), int(20, 7), ...ints.map(i => int(8, i))]);
const attrInt = (name, i) => msg(5, [str(1, name), int(20, 2), int(3, i)]);

function convModel(s, w, b) {
    const rank = s.x.length - 2;
    const y = [s.x[0], s.w[0], ...outSize(s)];
    const node = msg(1, [
        str(1, 'X'), str(1, 'W'), str(1, 'B'), str(2, 'Y'), str(3, 'conv'), str(4, 'Conv'),
        attrInts('kernel_shape', s.w.slice(2)), attrInts('strides', s.stride), attrInts('dilations', s.dilation),
        attrInts('pads', [...s.padding, ...s.padding].slice(0, 2 * rank)), attrInt('group', s.groups),
    ]);
    const graph = msg(7, [
        node, str(2, 'conv'),
        tensorProto(5, 'W', s.w, w), tensorProto(5, 'B', [s.w[0]], b),
        valueInfo(11, 'X', s.x), valueInfo(12, 'Y', y),
    ]);
    return new Uint8Array([...int(1, 8), ...msg(8, [str(1, ''), int(2, 13)]), ...graph]);
}

const threads = Number(values.threads);
const engine = threads === 1 ? 'ort' : `ort-${threads}t`;
for (const id of values.shapes.split(',')) {
    const s = SHAPES[id];
    const n = a => a.reduce((p, q) => p * q, 1);
    const w = fill(new Float32Array(n(s.w)), 2);
    const b = fill(new Float32Array(s.w[0]), 3);
    const session = await ort.InferenceSession.create(convModel(s, w, b), {
        intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
    });
    const x = new ort.Tensor('float32', fill(new Float32Array(n(s.x)), 1), s.x);
    const fwd = await timeAsync(() => session.run({ X: x }), { runs: Number(values.runs), budgetMs: Number(values.budget), clockKind: values.clock });
    console.log(JSON.stringify({ engine, dtype: 'float32', shape: id, pass: 'forward', ...fwd, gflops: forwardFlops(s) / fwd.ms / 1e6 }));
    await session.release();
}
