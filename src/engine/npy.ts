/**
 * NumPy `.npy` files (format versions 1.0, 2.0 and 3.0, as specified in numpy/lib/format.py,
 * NEP 1): the magic `\x93NUMPY`, a version byte pair, a little-endian header length (2 bytes in
 * v1, 4 in v2/v3), an ASCII (v3: UTF-8) Python dict literal
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }` padded with spaces and a newline
 * so the data starts on a 64-byte boundary, then the raw array.
 *
 * Reads float32 and float64 in C order, little- or big-endian (`<f4 >f4 =f4 <f8 >f8 =f8`, and
 * NumPy's single-character aliases such as `<d`); anything else is rejected with an `NpyError`
 * naming what was found. Writes little-endian v1.0 (v2.0 when the header needs it), as
 * `np.save` does.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { type DType, type Tensor, allocate, formatShape, numel } from '../tensor/tensor.js';

export class NpyError extends Error {
    override readonly name = 'NpyError';
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

interface Header {
    readonly descr: string;
    readonly fortranOrder: boolean;
    readonly shape: number[];
}

const DTYPE_NAMES: Record<string, string> = {
    b1: 'bool', '?': 'bool', i1: 'int8', u1: 'uint8', i2: 'int16', u2: 'uint16', i4: 'int32', u4: 'uint32',
    i8: 'int64', u8: 'uint64', f2: 'float16', f4: 'float32', f8: 'float64', f16: 'float128', c8: 'complex64', c16: 'complex128',
    e: 'float16', f: 'float32', d: 'float64', g: 'float128', h: 'int16', i: 'int32', l: 'int64', q: 'int64', b: 'int8', B: 'uint8',
};

/** Integer dtypes read exactly into float64 (buffers such as num_batches_tracked, integer inputs). */
const INTEGERS: Record<string, { size: number; signed: boolean }> = {
    int8: { size: 1, signed: true }, uint8: { size: 1, signed: false }, int16: { size: 2, signed: true }, uint16: { size: 2, signed: false },
    int32: { size: 4, signed: true }, uint32: { size: 4, signed: false }, int64: { size: 8, signed: true }, uint64: { size: 8, signed: false },
};

interface Descr {
    /** The tensor's dtype: float32 stays float32; float64 and integers read as float64. */
    readonly dtype: DType;
    readonly littleEndian: boolean;
    readonly itemSize: number;
    readonly integer?: { readonly size: number; readonly signed: boolean };
}

/** How to read a descr, or an NpyError naming the dtype. */
function parseDescr(descr: string): Descr {
    const m = /^([<>=|]?)(.+)$/.exec(descr);
    const order = m?.[1] ?? '';
    const code = m?.[2] ?? descr;
    const name = DTYPE_NAMES[code];
    const integer = name ? INTEGERS[name] : undefined;
    if (integer && (order !== '|' || integer.size === 1)) return { dtype: 'float64', littleEndian: order !== '>', itemSize: integer.size, integer };
    const dtype: DType | undefined = name === 'float32' ? 'float32' : name === 'float64' ? 'float64' : undefined;
    if (!dtype || order === '|') {
        const what = name ? `${name} ('${descr}')` : `'${descr}'`;
        throw new NpyError(`unsupported dtype ${what}: only float32, float64 and integer arrays can be read; convert with arr.astype(np.float32) or arr.astype(np.float64)`);
    }
    return { dtype, littleEndian: order !== '>', itemSize: dtype === 'float32' ? 4 : 8 };
}

function readInteger(view: DataView, offset: number, size: number, signed: boolean, littleEndian: boolean, where: string): number {
    switch (size) {
        case 1: return signed ? view.getInt8(offset) : view.getUint8(offset);
        case 2: return signed ? view.getInt16(offset, littleEndian) : view.getUint16(offset, littleEndian);
        case 4: return signed ? view.getInt32(offset, littleEndian) : view.getUint32(offset, littleEndian);
        default: {
            const big = signed ? view.getBigInt64(offset, littleEndian) : view.getBigUint64(offset, littleEndian);
            const n = Number(big);
            if (!Number.isSafeInteger(n)) throw new NpyError(`${where}: integer ${big} cannot be represented exactly as a float64`);
            return n;
        }
    }
}

/** A tiny reader for the header's Python literal: a dict of str keys to str, bool or int tuples. */
class LiteralParser {
    private pos = 0;
    constructor(private readonly text: string) {}

    parseDict(): Map<string, unknown> {
        const out = new Map<string, unknown>();
        this.expect('{');
        for (;;) {
            this.skipSpace();
            if (this.peek() === '}') break;
            const key = this.parseValue();
            if (typeof key !== 'string') throw this.error('a dictionary key must be a string');
            this.expect(':');
            out.set(key, this.parseValue());
            this.skipSpace();
            if (this.peek() === ',') this.pos++;
            else if (this.peek() !== '}') throw this.error("expected ',' or '}'");
        }
        this.pos++;
        this.skipSpace();
        if (this.pos !== this.text.length) throw this.error('unexpected text after the dictionary');
        return out;
    }

    private parseValue(): unknown {
        this.skipSpace();
        const c = this.peek();
        if (c === "'" || c === '"') {
            const end = this.text.indexOf(c, this.pos + 1);
            if (end < 0) throw this.error('unterminated string');
            const s = this.text.slice(this.pos + 1, end);
            this.pos = end + 1;
            return s;
        }
        if (c === '(' || c === '[') {
            const close = c === '(' ? ')' : ']';
            this.pos++;
            const items: unknown[] = [];
            for (;;) {
                this.skipSpace();
                if (this.peek() === close) break;
                items.push(this.parseValue());
                this.skipSpace();
                if (this.peek() === ',') this.pos++;
                else if (this.peek() !== close) throw this.error(`expected ',' or '${close}'`);
            }
            this.pos++;
            return items;
        }
        const m = /^(True|False|None|[+-]?\d+L?)/.exec(this.text.slice(this.pos));
        if (!m) throw this.error('expected a string, a tuple, True/False or an integer');
        this.pos += m[0].length;
        if (m[0] === 'True') return true;
        if (m[0] === 'False') return false;
        if (m[0] === 'None') return null;
        return Number.parseInt(m[0], 10);
    }

    private skipSpace(): void {
        while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
    }

    private peek(): string {
        return this.text[this.pos] ?? '';
    }

    private expect(c: string): void {
        this.skipSpace();
        if (this.peek() !== c) throw this.error(`expected '${c}'`);
        this.pos++;
    }

    private error(message: string): NpyError {
        return new NpyError(`malformed .npy header at character ${this.pos}: ${message} in ${JSON.stringify(this.text.trim())}`);
    }
}

function parseHeader(text: string): Header {
    const dict = new LiteralParser(text).parseDict();
    const descr = dict.get('descr');
    const fortran = dict.get('fortran_order');
    const shape = dict.get('shape');
    if (typeof descr !== 'string') throw new NpyError(`malformed .npy header: 'descr' must be a dtype string (structured dtypes are not supported), in ${JSON.stringify(text.trim())}`);
    if (typeof fortran !== 'boolean') throw new NpyError(`malformed .npy header: 'fortran_order' must be True or False, in ${JSON.stringify(text.trim())}`);
    if (!Array.isArray(shape) || !shape.every(d => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
        throw new NpyError(`malformed .npy header: 'shape' must be a tuple of non-negative integers, in ${JSON.stringify(text.trim())}`);
    }
    return { descr, fortranOrder: fortran, shape: shape as number[] };
}

/** Decodes the bytes of a .npy file. */
export function parseNpy(bytes: Uint8Array): Tensor {
    if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new NpyError('not a .npy file: it does not start with the magic string \\x93NUMPY');
    const major = bytes[6]!;
    const minor = bytes[7]!;
    if (major < 1 || major > 3) throw new NpyError(`unsupported .npy format version ${major}.${minor} (versions 1.0, 2.0 and 3.0 are read)`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const lenBytes = major === 1 ? 2 : 4;
    if (bytes.length < 8 + lenBytes) throw new NpyError('truncated .npy file: the header length is missing');
    const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
    const dataStart = 8 + lenBytes + headerLen;
    if (dataStart > bytes.length) throw new NpyError(`truncated .npy file: the header claims ${headerLen} bytes, ${bytes.length - 8 - lenBytes} remain`);
    const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(8 + lenBytes, dataStart));
    const header = parseHeader(text);
    const { dtype, littleEndian, itemSize, integer } = parseDescr(header.descr);
    const count = numel(header.shape);
    if (header.fortranOrder && header.shape.filter(d => d > 1).length > 1) {
        throw new NpyError(`Fortran-order arrays are not supported (shape ${formatShape(header.shape)}); save np.ascontiguousarray(arr) instead`);
    }
    const need = count * itemSize;
    const have = bytes.length - dataStart;
    if (have < need) throw new NpyError(`truncated .npy data: shape ${formatShape(header.shape)} of ${integer ? header.descr : dtype} needs ${need} bytes, the file has ${have}`);
    const data = allocate(dtype, count);
    if (integer) {
        for (let i = 0; i < count; i++) data[i] = readInteger(view, dataStart + itemSize * i, integer.size, integer.signed, littleEndian, header.descr);
    } else if (littleEndian) {
        // copy the bytes (the source may be unaligned or a pooled Buffer)
        new Uint8Array(data.buffer).set(bytes.subarray(dataStart, dataStart + need));
    } else if (dtype === 'float32') {
        for (let i = 0; i < count; i++) data[i] = view.getFloat32(dataStart + 4 * i, false);
    } else {
        for (let i = 0; i < count; i++) data[i] = view.getFloat64(dataStart + 8 * i, false);
    }
    return { shape: header.shape, data, dtype } as Tensor;
}

/** Encodes a tensor as .npy bytes (little-endian, C order; version 1.0 unless the header needs 2.0). */
export function serializeNpy(t: Tensor): Uint8Array {
    if (numel(t.shape) !== t.data.length) throw new NpyError(`tensor of shape ${formatShape(t.shape)} holds ${t.data.length} values`);
    const descr = t.dtype === 'float32' ? '<f4' : '<f8';
    const shape = t.shape.length === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(', ')})`;
    const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
    let major = 1;
    let lenBytes = 2;
    let total = Math.ceil((8 + lenBytes + dict.length + 1) / 64) * 64;
    if (total - 8 - lenBytes > 0xffff) {
        major = 2;
        lenBytes = 4;
        total = Math.ceil((8 + lenBytes + dict.length + 1) / 64) * 64;
    }
    const headerLen = total - 8 - lenBytes;
    const header = dict + ' '.repeat(headerLen - dict.length - 1) + '\n';
    const out = new Uint8Array(total + t.data.byteLength);
    out.set(MAGIC, 0);
    out[6] = major;
    out[7] = 0;
    const view = new DataView(out.buffer);
    if (major === 1) view.setUint16(8, headerLen, true);
    else view.setUint32(8, headerLen, true);
    for (let i = 0; i < header.length; i++) out[8 + lenBytes + i] = header.charCodeAt(i);
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    if (littleEndianHost()) out.set(bytes, total);
    else {
        const itemSize = t.dtype === 'float32' ? 4 : 8;
        for (let i = 0; i < t.data.length; i++) {
            if (itemSize === 4) view.setFloat32(total + 4 * i, t.data[i]!, true);
            else view.setFloat64(total + 8 * i, t.data[i]!, true);
        }
    }
    return out;
}

function littleEndianHost(): boolean {
    return new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
}

/** Reads a .npy file; every failure (I/O or format) is an NpyError naming the file. */
export function readNpy(path: string): Tensor {
    let bytes: Uint8Array;
    try {
        bytes = readFileSync(path);
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
        throw new NpyError(`cannot read ${path}: ${why}`, { cause: e });
    }
    try {
        return parseNpy(bytes);
    } catch (e) {
        if (e instanceof NpyError) throw new NpyError(`${path}: ${e.message}`);
        throw e;
    }
}

export function writeNpy(path: string, t: Tensor): void {
    writeFileSync(path, serializeNpy(t));
}
