/** .npy reading and writing: round trips, files written by Debian's NumPy, and clear rejections. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NpyError, parseNpy, readNpy, serializeNpy, writeNpy } from '../../src/engine/npy.js';
import { fromArray, zeros } from '../../src/tensor/tensor.js';

const FIXTURES = join(__dirname, '..', 'fixtures', 'npy');
const expected = Array.from({ length: 24 }, (_, i) => i / 8 - 1);

describe('files written by NumPy (scripts/gen_npy_fixtures.py)', () => {
    it.each([
        ['f32_2x3x4.npy', 'float32'], ['f64_2x3x4.npy', 'float64'],
        ['f32_be_2x3x4.npy', 'float32'], ['f64_be_2x3x4.npy', 'float64'],
    ])('reads %s as %s [2, 3, 4]', (file, dtype) => {
        const t = readNpy(join(FIXTURES, file));
        expect(t.dtype).toBe(dtype);
        expect(t.shape).toEqual([2, 3, 4]);
        expect(Array.from(t.data)).toEqual(expected);
    });

    it('reads a scalar, an empty array, and format versions 2.0 and 3.0', () => {
        const s = readNpy(join(FIXTURES, 'f64_scalar.npy'));
        expect([s.shape, Array.from(s.data)]).toEqual([[], [2.5]]);
        expect(readNpy(join(FIXTURES, 'f32_empty_0x3.npy')).shape).toEqual([0, 3]);
        expect(Array.from(readNpy(join(FIXTURES, 'f64_v2_5.npy')).data)).toEqual([-1, -0.5, 0, 0.5, 1]);
        expect(Array.from(readNpy(join(FIXTURES, 'f32_v3_2x2.npy')).data)).toEqual([1, 2, 3, 4]);
    });

    it('writes files byte-identical to np.save', () => {
        for (const file of ['f32_2x3x4.npy', 'f64_2x3x4.npy', 'f64_scalar.npy', 'f32_empty_0x3.npy']) {
            const bytes = readFileSync(join(FIXTURES, file));
            expect(Buffer.from(serializeNpy(parseNpy(bytes))).equals(bytes), file).toBe(true);
        }
    });

    it('reads integer arrays (np.save of [1, 2, 3] as int64) exactly, as float64', () => {
        const t = readNpy(join(FIXTURES, 'i64_3.npy'));
        expect([t.dtype, t.shape, Array.from(t.data)]).toEqual(['float64', [3], [1, 2, 3]]);
    });

    it('rejects other dtypes and Fortran order, naming what it found', () => {
        expect(() => readNpy(join(FIXTURES, 'f16_2.npy'))).toThrow(/unsupported dtype float16 \('<f2'\)/);
        expect(() => readNpy(join(FIXTURES, 'f64_fortran_3x4.npy'))).toThrow(/Fortran-order arrays are not supported \(shape \[3, 4\]\); save np.ascontiguousarray/);
    });
});

describe('round trips', () => {
    const dir = mkdtempSync(join(tmpdir(), 'convscope-npy-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it.each(['float32', 'float64'] as const)('%s through a file', dtype => {
        const t = fromArray([0.1, -2, 3e-30, 1e30, -0, Infinity], [3, 2], dtype);
        writeNpy(join(dir, `${dtype}.npy`), t);
        const back = readNpy(join(dir, `${dtype}.npy`));
        expect(back.dtype).toBe(dtype);
        expect(back.shape).toEqual([3, 2]);
        expect(back.data).toEqual(t.data);
    });

    it('keeps 1-d shapes as (n,) and aligns the data to 64 bytes', () => {
        const bytes = serializeNpy(zeros([5], 'float64'));
        const header = new TextDecoder().decode(bytes.subarray(10, 128));
        expect(header).toContain("'shape': (5,)");
        expect((bytes.length - 40) % 64).toBe(0);
    });

    it('switches to format 2.0 when the header outgrows 64 KiB', () => {
        const shape = Array.from({ length: 30000 }, () => 1);
        const bytes = serializeNpy(zeros(shape, 'float32'));
        expect(bytes[6]).toBe(2);
        expect(parseNpy(bytes).shape.length).toBe(30000);
    });
});

describe('malformed input', () => {
    const header = (dict: string, version = 1) => {
        const pad = 64 - ((10 + dict.length + 1) % 64);
        const text = dict + ' '.repeat(pad % 64) + '\n';
        const out = new Uint8Array(10 + text.length);
        out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
        new DataView(out.buffer).setUint16(8, text.length, true);
        for (let i = 0; i < text.length; i++) out[10 + i] = text.charCodeAt(i);
        return out;
    };
    const withData = (head: Uint8Array, bytes: number) => {
        const out = new Uint8Array(head.length + bytes);
        out.set(head);
        return out;
    };

    it('names each problem in one line', () => {
        expect(() => parseNpy(new TextEncoder().encode('PK\u0003\u0004 not numpy'))).toThrow('not a .npy file: it does not start with the magic string \\x93NUMPY');
        expect(() => parseNpy(header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"))).toThrow('truncated .npy data: shape [2, 3] of float32 needs 24 bytes, the file has 0');
        expect(() => parseNpy(header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 4))).toThrow('unsupported .npy format version 4.0');
        expect(() => parseNpy(header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)"))).toThrow(/malformed .npy header/);
        expect(() => parseNpy(header("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }"))).toThrow(/structured dtypes are not supported/);
        expect(() => parseNpy(header("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }"))).toThrow("unsupported dtype '|O'");
        expect(() => parseNpy(new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 200, 0]))).toThrow(/truncated .npy file: the header claims 200 bytes/);
        expect(() => parseNpy(new Uint8Array(3))).toThrow(NpyError);
        expect(() => readNpy(join(FIXTURES, 'missing.npy'))).toThrow(/cannot read .*missing\.npy: no such file/);
        expect(() => readNpy(FIXTURES)).toThrow(/it is a directory/);
    });

    it('tolerates spacing, key order, double quotes and Python 2 longs in the header', () => {
        const t = parseNpy(withData(header('{ "shape" : ( 2L ,3 ) ,"fortran_order":False,  "descr" :"<f8"}'), 48));
        expect(t.shape).toEqual([2, 3]);
        expect(t.dtype).toBe('float64');
    });
});
