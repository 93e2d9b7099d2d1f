/**
 * Receptive fields in the sense of Araujo, Norris & Sim, "Computing Receptive Fields of
 * Convolutional Neural Networks" (Distill, 2019): per spatial axis, the field size r, the jump j
 * (distance in input pixels between adjacent outputs) and the start (input coordinate of the
 * centre of the first output's field; pixel centres at 0, 1, ...).
 *   window (conv/pool, kernel k, stride s, left padding p, dilation d):
 *     r' = r + (k−1)·d·j,  j' = j·s,  start' = start + ((k−1)·d/2 − p)·j
 *   transposed conv: each output reads ⌊(k−1)·d/s⌋ + 1 adjacent inputs, so
 *     r' = r + ⌊(k−1)·d/s⌋·j,  j' = j/s,  start' = start + ((p − (k−1)·d/2)/s)·j
 *   global (adaptive pooling, linear): the whole input, r' = r + (n−1)·j
 * With stride 1 everywhere this reduces to the seeds' rf = 1 + Σ (k−1)·d.
 */

export interface RfAxis {
    readonly size: number;
    readonly jump: number;
    readonly start: number;
}

export type RfRule =
    | { readonly kind: 'identity' }
    | { readonly kind: 'window'; readonly kernel: readonly number[]; readonly stride: readonly number[]; readonly padLeft: readonly number[]; readonly dilation: readonly number[] }
    | { readonly kind: 'transposed'; readonly kernel: readonly number[]; readonly stride: readonly number[]; readonly padding: readonly number[]; readonly dilation: readonly number[] }
    /** Upsampling by `scale` per axis; `reach` extra input neighbours read (0 nearest, 1 linear). */
    | { readonly kind: 'resample'; readonly scale: readonly number[]; readonly reach: number; readonly alignCorners: boolean }
    /** Every output sees the whole input along each spatial axis. */
    | { readonly kind: 'global' }
    /** The output has no spatial axes (flatten, linear on a flattened tensor). */
    | { readonly kind: 'drop' };

export function inputField(spatialRank: number): RfAxis[] {
    return Array.from({ length: spatialRank }, () => ({ size: 1, jump: 1, start: 0 }));
}

/**
 * Apply a layer's rule to its input's fields. `inSizes` are the input's spatial sizes, `outSizes`
 * the output's (the number of output spatial axes decides the result's length).
 */
export function applyRf(rule: RfRule, field: readonly RfAxis[], inSizes: readonly number[], outSizes: readonly number[]): RfAxis[] | null {
    switch (rule.kind) {
        case 'identity':
            return field.length === outSizes.length ? [...field] : null;
        case 'drop':
            return null;
        case 'window':
            return field.map((f, i) => {
                const k = rule.kernel[i]!, s = rule.stride[i]!, p = rule.padLeft[i]!, d = rule.dilation[i]!;
                return { size: f.size + (k - 1) * d * f.jump, jump: f.jump * s, start: f.start + ((k - 1) * d / 2 - p) * f.jump };
            });
        case 'transposed':
            return field.map((f, i) => {
                const k = rule.kernel[i]!, s = rule.stride[i]!, p = rule.padding[i]!, d = rule.dilation[i]!;
                return { size: f.size + Math.floor((k - 1) * d / s) * f.jump, jump: f.jump / s, start: f.start + ((p - (k - 1) * d / 2) / s) * f.jump };
            });
        case 'resample':
            return field.map((f, i) => {
                const scale = rule.scale[i]!;
                const n = inSizes[i]!, m = outSizes[i]!;
                // Output o samples input coordinate (o + ½)/scale − ½ (align_corners: o·(n−1)/(m−1)).
                const step = rule.alignCorners ? (m > 1 ? (n - 1) / (m - 1) : 0) : 1 / scale;
                const first = rule.alignCorners ? 0 : Math.max(0, 0.5 / scale - 0.5);
                return { size: f.size + rule.reach * f.jump, jump: f.jump * step, start: f.start + first * f.jump };
            });
        case 'global': {
            if (outSizes.length !== field.length) return null;
            return field.map((f, i) => {
                const n = inSizes[i]!;
                return { size: f.size + (n - 1) * f.jump, jump: f.jump * n, start: f.start + ((n - 1) / 2) * f.jump };
            });
        }
    }
}

/** Merges take the largest field; returns the axes whose centres disagree between inputs. */
export function mergeRf(fields: ReadonlyArray<readonly RfAxis[] | null>): { field: RfAxis[] | null; misaligned: number[] } {
    const present = fields.filter((f): f is readonly RfAxis[] => f !== null);
    if (present.length === 0 || present.some(f => f.length !== present[0]!.length)) return { field: null, misaligned: [] };
    const rank = present[0]!.length;
    const field: RfAxis[] = [];
    const misaligned: number[] = [];
    for (let i = 0; i < rank; i++) {
        const axes = present.map(f => f[i]!);
        const widest = axes.reduce((a, b) => (b.size > a.size ? b : a));
        field.push(widest);
        if (axes.some(a => Math.abs(a.start - axes[0]!.start) > 1e-9 || Math.abs(a.jump - axes[0]!.jump) > 1e-9)) misaligned.push(i);
    }
    return { field, misaligned };
}

export function formatRf(field: readonly RfAxis[]): string {
    const sizes = field.map(f => fmt(f.size));
    const jumps = field.map(f => fmt(f.jump));
    const same = (xs: string[]) => xs.every(x => x === xs[0]);
    const size = same(sizes) ? sizes[0] : sizes.join('×');
    const jump = same(jumps) ? jumps[0] : jumps.join('×');
    return `rf ${size} · j ${jump}`;
}

function fmt(x: number): string {
    return Number.isInteger(x) ? String(x) : String(Math.round(x * 1000) / 1000);
}
