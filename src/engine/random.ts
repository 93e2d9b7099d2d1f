/**
 * Seeded, reproducible random numbers: one independent stream per (seed, label), so a run's
 * inputs, each layer's parameters and the loss weights R are reproducible from (file, network,
 * seed) and do not shift when another stream draws more or fewer numbers.
 *
 * The exact algorithm (everything modulo 2^64 or 2^32, unsigned; reproduce it anywhere):
 *
 * 1. Stream key   k = seed XOR FNV-1a-64(UTF-8 bytes of label)
 *                 FNV-1a-64: h = 0xcbf29ce484222325; per byte: h ^= byte; h *= 0x100000001b3.
 * 2. splitmix64   z = k; next: z += 0x9e3779b97f4a7c15; r = z;
 *                 r = (r ^ r>>30)·0xbf58476d1ce4e5b9; r = (r ^ r>>27)·0x94d049bb133111eb; r ^= r>>31.
 * 3. State        r0, r1 = the first two splitmix64 outputs; xoshiro128** state
 *                 (s0, s1, s2, s3) = (low32(r0), high32(r0), low32(r1), high32(r1)).
 * 4. xoshiro128** (Blackman & Vigna 2018) 32-bit output: out = rotl(s1·5, 7)·9; t = s1<<9;
 *                 s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11).
 * 5. uniform      in [0, 1) with 53 random bits from two outputs a, b (MT19937's genrand_res53):
 *                 ((a >>> 5)·2^26 + (b >>> 6)) / 2^53.
 * 6. normal       Box–Muller on two uniforms u1, u2: ρ = √(−2·ln(1 − u1)), θ = 2π·u2; the pair
 *                 yields ρ·cos θ, then ρ·sin θ (the second is kept for the next call).
 * 7. Tensors      filled in C order, one draw per element, computed in float64 and rounded to
 *                 float32 for float32 tensors — so the same stream gives the same values in both
 *                 dtypes, up to rounding.
 *
 * In Python (test/engine/random.test.ts pins the first values this transcription prints):
 *
 *   M64, M32 = 2**64 - 1, 2**32 - 1
 *   def fnv1a64(s):
 *       h = 0xcbf29ce484222325
 *       for c in s.encode(): h = ((h ^ c) * 0x100000001b3) & M64
 *       return h
 *   def splitmix64(z):
 *       while True:
 *           z = (z + 0x9e3779b97f4a7c15) & M64
 *           r = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & M64
 *           r = ((r ^ (r >> 27)) * 0x94d049bb133111eb) & M64
 *           yield r ^ (r >> 31)
 *   def xoshiro128ss(seed, label):
 *       g = splitmix64(seed ^ fnv1a64(label)); r0 = next(g); r1 = next(g)
 *       s = [r0 & M32, r0 >> 32, r1 & M32, r1 >> 32]
 *       rotl = lambda x, k: ((x << k) | (x >> (32 - k))) & M32
 *       while True:
 *           out = (rotl((s[1] * 5) & M32, 7) * 9) & M32
 *           t = (s[1] << 9) & M32
 *           s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 11)
 *           yield out
 *   def uniform(g): return ((next(g) >> 5) * 2**26 + (next(g) >> 6)) / 2**53
 */
import { type DType, type Tensor, allocate, numel } from '../tensor/tensor.js';

const MASK64 = (1n << 64n) - 1n;

/** FNV-1a 64-bit hash of a string's UTF-8 bytes. */
export function fnv1a64(label: string): bigint {
    let h = 0xcbf29ce484222325n;
    for (const byte of new TextEncoder().encode(label)) {
        h ^= BigInt(byte);
        h = (h * 0x100000001b3n) & MASK64;
    }
    return h;
}

function toSeed(seed: number | bigint): bigint {
    if (typeof seed === 'number') {
        if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`a seed must be a non-negative safe integer, got ${seed}`);
        return BigInt(seed);
    }
    if (seed < 0n || seed > MASK64) throw new RangeError(`a seed must be in [0, 2^64), got ${seed}`);
    return seed;
}

/** The 64-bit key of stream `label` under `seed` (step 1). */
export function streamKey(seed: number | bigint, label: string): bigint {
    return toSeed(seed) ^ fnv1a64(label);
}

/** splitmix64 outputs from key k (step 2). */
export function splitmix64(key: bigint, count: number): bigint[] {
    let z = key & MASK64;
    const out: bigint[] = [];
    for (let i = 0; i < count; i++) {
        z = (z + 0x9e3779b97f4a7c15n) & MASK64;
        let r = z;
        r = ((r ^ (r >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
        r = ((r ^ (r >> 27n)) * 0x94d049bb133111ebn) & MASK64;
        out.push(r ^ (r >> 31n));
    }
    return out;
}

/** A xoshiro128** stream. Create with `stream(seed, label)`. */
export class Rng {
    private s0: number;
    private s1: number;
    private s2: number;
    private s3: number;
    private spare: number | null = null;

    constructor(readonly seed: number | bigint, readonly label: string) {
        const [r0, r1] = splitmix64(streamKey(seed, label), 2) as [bigint, bigint];
        this.s0 = Number(r0 & 0xffffffffn);
        this.s1 = Number(r0 >> 32n);
        this.s2 = Number(r1 & 0xffffffffn);
        this.s3 = Number(r1 >> 32n);
        if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the one forbidden state (never met in practice)
    }

    /** The next 32-bit output, as an unsigned integer. */
    nextUint32(): number {
        const s1 = this.s1;
        const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
        const t = s1 << 9;
        this.s2 ^= this.s0;
        this.s3 ^= s1;
        this.s1 ^= this.s2;
        this.s0 ^= this.s3;
        this.s2 ^= t;
        this.s3 = rotl(this.s3, 11);
        return result;
    }

    /** Uniform in [0, 1) with 53 random bits. */
    uniform(): number {
        const a = this.nextUint32() >>> 5;
        const b = this.nextUint32() >>> 6;
        return (a * 67108864 + b) / 9007199254740992;
    }

    /** Standard normal (Box–Muller, both values of each pair used in turn). */
    normal(): number {
        if (this.spare !== null) {
            const z = this.spare;
            this.spare = null;
            return z;
        }
        const rho = Math.sqrt(-2 * Math.log(1 - this.uniform()));
        const theta = 2 * Math.PI * this.uniform();
        this.spare = rho * Math.sin(theta);
        return rho * Math.cos(theta);
    }

    /** An independent stream for a sub-purpose: label `${this.label}/${sub}` under the same seed. */
    derive(sub: string): Rng {
        return new Rng(this.seed, this.label === '' ? sub : `${this.label}/${sub}`);
    }
}

function rotl(x: number, k: number): number {
    return (x << k) | (x >>> (32 - k));
}

/**
 * The stream for `label` under `seed`. Convention for labels: `input:<name>`, `param:<layer>.<tensor>`,
 * `loss` — one per consumer, so no consumer's draws shift another's.
 */
export function stream(seed: number | bigint, label = ''): Rng {
    return new Rng(seed, label);
}

export interface UniformOptions<D extends DType> {
    readonly low?: number;
    readonly high?: number;
    readonly dtype?: D;
}

/** low + (high − low)·U[0,1) per element, C order (defaults: [0, 1), float32). */
export function uniformTensor<D extends DType = 'float32'>(rng: Rng, shape: readonly number[], options: UniformOptions<D> = {}): Tensor<D> {
    const low = options.low ?? 0;
    const span = (options.high ?? 1) - low;
    const dtype = options.dtype ?? ('float32' as D);
    const data = allocate(dtype, numel(shape));
    for (let i = 0; i < data.length; i++) data[i] = low + span * rng.uniform();
    return { shape: [...shape], data, dtype };
}

export interface NormalOptions<D extends DType> {
    readonly mean?: number;
    readonly std?: number;
    readonly dtype?: D;
}

/** mean + std·N(0, 1) per element, C order (defaults: 0, 1, float32). */
export function normalTensor<D extends DType = 'float32'>(rng: Rng, shape: readonly number[], options: NormalOptions<D> = {}): Tensor<D> {
    const mean = options.mean ?? 0;
    const std = options.std ?? 1;
    const dtype = options.dtype ?? ('float32' as D);
    const data = allocate(dtype, numel(shape));
    for (let i = 0; i < data.length; i++) data[i] = mean + std * rng.normal();
    return { shape: [...shape], data, dtype };
}
