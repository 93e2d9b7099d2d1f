/**
 * The PRNG the PyTorch fixture generators use (scripts/gen_engine_fixtures.py), reimplemented
 * bit for bit so fixtures need not store their inputs: xorshift32, streams seeded from
 * fnv1a32(label) ^ (seed · 0x9E3779B1), first 4 values discarded; uniform = next / 2^32.
 */
export function fnv1a32(label: string): number {
    let h = 0x811c9dc5;
    for (const b of new TextEncoder().encode(label)) {
        h ^= b;
        h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h >>> 0;
}

export class FixtureRng {
    private s: number;

    constructor(seed: number, label: string) {
        let s = (fnv1a32(label) ^ Math.imul(seed, 0x9e3779b1)) >>> 0;
        if (s === 0) s = 1;
        this.s = s;
        for (let i = 0; i < 4; i++) this.next();
    }

    next(): number {
        let s = this.s;
        s = (s ^ (s << 13)) >>> 0;
        s = (s ^ (s >>> 17)) >>> 0;
        s = (s ^ (s << 5)) >>> 0;
        this.s = s;
        return s;
    }

    uniform(): number {
        return this.next() / 4294967296;
    }
}

/** `count` values 2·u − 1 from the stream (seed, label), as the generator fills its tensors. */
export function fixtureValues(seed: number, label: string, count: number, map: (u: number) => number = u => 2 * u - 1): Float64Array {
    const rng = new FixtureRng(seed, label);
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) out[i] = map(rng.uniform());
    return out;
}

export function decodeF64(b64: string): Float64Array {
    const bytes = Buffer.from(b64, 'base64');
    const copy = new Uint8Array(bytes.length);
    copy.set(bytes);
    return new Float64Array(copy.buffer);
}
