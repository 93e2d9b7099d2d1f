/** Argument values as evaluated from the program, and their reading against a layer's schema. */
import { formatShape } from '../shape/dims.js';
import { assertNever } from '../util/assert.js';
import { didYouMean } from '../util/suggest.js';
import type { ArgSpec, ArgType, Padding, Shape } from './types.js';

export type Value =
    | { readonly t: 'int'; readonly v: number }
    | { readonly t: 'float'; readonly v: number }
    | { readonly t: 'bool'; readonly v: boolean }
    | { readonly t: 'string'; readonly v: string }
    | { readonly t: 'none' }
    | { readonly t: 'tuple'; readonly items: readonly Value[] }
    /** a symbolic dimension name such as the batch `N` */
    | { readonly t: 'symbol'; readonly v: string }
    /** `ref` is the analysis' own tensor record, carried through untouched. */
    | { readonly t: 'tensor'; readonly shape: Shape; readonly name: string; readonly ref?: unknown };

export function formatValue(value: Value): string {
    switch (value.t) {
        case 'int': return String(value.v);
        case 'float': return Number.isInteger(value.v) ? value.v.toFixed(1) : String(value.v);
        case 'bool': return String(value.v);
        case 'string': return `'${value.v}'`;
        case 'none': return 'None';
        case 'tuple': return value.items.length === 1 ? `(${formatValue(value.items[0]!)},)` : `(${value.items.map(formatValue).join(', ')})`;
        case 'symbol': return value.v;
        case 'tensor': return `${value.name} ${formatShape(value.shape)}`;
        default: return assertNever(value, 'value');
    }
}

export function describeType(type: ArgType, rank: number | undefined): string {
    const r = rank ?? 1;
    const tuple = r === 1 ? 'a 1-tuple' : `a tuple of ${r}`;
    const orNone = 'nullable' in type && type.nullable ? ' or None' : '';
    switch (type.kind) {
        case 'int': return `an integer${type.min !== undefined ? ` ≥ ${type.min}` : ''}${orNone}`;
        case 'float': return `a number${orNone}`;
        case 'bool': return `true or false${orNone}`;
        case 'enum': return `one of ${type.values.map(v => `'${v}'`).join(', ')}${orNone}`;
        case 'ints': return `an integer${type.min !== undefined ? ` ≥ ${type.min}` : ''} or ${tuple} integers${orNone}`;
        case 'padding': return `an integer ≥ 0 or ${tuple} integers${type.strings ? ", 'same' or 'valid'" : ''}`;
        case 'outputSize': return `an integer or ${tuple} integers or None (None keeps that axis)`;
        case 'shape': return `an integer or a tuple of integers${orNone}`;
        case 'floats': return `a number or ${tuple} numbers${orNone}`;
        case 'tensors': return 'tensors';
        default: return assertNever(type, 'argument type');
    }
}

export type Coerced = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly code: string; readonly message: string };

function fail(spec: ArgSpec, value: Value, rank: number | undefined, code = 'invalid-value'): Coerced {
    return { ok: false, code, message: `${spec.name} must be ${describeType(spec.type, rank)}, got ${formatValue(value)}${value.t === 'string' ? didYouMean(value.v, allowedStrings(spec.type)) : ''}` };
}

/** The strings an argument accepts (enum values, 'same' / 'valid' for padding), for "did you mean". */
function allowedStrings(type: ArgType): readonly string[] {
    if (type.kind === 'enum') return type.values;
    if (type.kind === 'padding' && type.strings) return ['same', 'valid'];
    return [];
}

function asInt(value: Value): number | undefined {
    return value.t === 'int' ? value.v : undefined;
}

function asNumber(value: Value): number | undefined {
    return value.t === 'int' || value.t === 'float' ? value.v : undefined;
}

/**
 * Reads an int-or-tuple into one entry per spatial axis, reporting a wrong tuple length apart.
 * With `single`, a 1-tuple stands for its int (PyTorch's C++ ops expand it).
 */
function perAxis(spec: ArgSpec, value: Value, rank: number, read: (item: Value) => number | null | undefined, single = false): Coerced {
    if (value.t === 'tuple' && single && value.items.length === 1) return perAxis(spec, value.items[0]!, rank, read);
    if (value.t === 'tuple') {
        if (value.items.length !== rank) {
            return {
                ok: false,
                code: 'tuple-rank',
                message: `${spec.name} has ${value.items.length} element${value.items.length === 1 ? '' : 's'} but this layer has ${rank} spatial ${rank === 1 ? 'axis' : 'axes'}: give ${rank === 1 ? 'one integer' : `${rank} (one per axis) or a single integer`}`,
            };
        }
        const out: Array<number | null> = [];
        for (const item of value.items) {
            const v = read(item);
            if (v === undefined) return fail(spec, value, rank);
            out.push(v);
        }
        return { ok: true, value: out };
    }
    const v = read(value);
    if (v === undefined) return fail(spec, value, rank);
    return { ok: true, value: Array.from({ length: rank }, () => v) };
}

/** Reads `value` as `spec` wants it; `rank` is the layer's spatial rank (tuples per axis). */
export function coerce(spec: ArgSpec, value: Value, rank: number | undefined): Coerced {
    const type = spec.type;
    if (value.t === 'none' && 'nullable' in type && type.nullable) return { ok: true, value: null };
    switch (type.kind) {
        case 'int': {
            const v = asInt(value);
            if (v === undefined) return fail(spec, value, rank);
            if (type.min !== undefined && v < type.min) return { ok: false, code: 'invalid-value', message: `${spec.name} must be ≥ ${type.min}, got ${v}` };
            return { ok: true, value: v };
        }
        case 'float': {
            const v = asNumber(value);
            if (v === undefined) return fail(spec, value, rank);
            if (type.min !== undefined && v < type.min) return { ok: false, code: 'invalid-value', message: `${spec.name} must be ≥ ${type.min}, got ${v}` };
            if (type.max !== undefined && v > type.max) return { ok: false, code: 'invalid-value', message: `${spec.name} must be ≤ ${type.max}, got ${v}` };
            return { ok: true, value: v };
        }
        case 'bool':
            return value.t === 'bool' ? { ok: true, value: value.v } : fail(spec, value, rank);
        case 'enum':
            return value.t === 'string' && type.values.includes(value.v) ? { ok: true, value: value.v } : fail(spec, value, rank);
        case 'ints': {
            const read = perAxis(spec, value, rank ?? 1, asInt, type.single);
            if (!read.ok) return read;
            const values = read.value as number[];
            const bad = values.find(v => v < type.min);
            if (bad !== undefined) return { ok: false, code: 'invalid-value', message: `${spec.name} must be ≥ ${type.min} on every axis, got ${formatValue(value)}` };
            return read;
        }
        case 'padding': {
            if (value.t === 'string' && type.strings) {
                if (value.v === 'same' || value.v === 'valid') return { ok: true, value: { mode: value.v } satisfies Padding };
                return fail(spec, value, rank);
            }
            const r = rank ?? 1;
            const tupleLength = value.t === 'tuple' ? value.items.length : undefined;
            const channel = type.channelEntry && value.t === 'tuple' && value.items.length === r + 1 ? value.items[0]! : undefined;
            const axes = channel && value.t === 'tuple' ? { t: 'tuple', items: value.items.slice(1) } satisfies Value : value;
            const read = perAxis(spec, axes, r, asInt, type.single);
            if (!read.ok) return read;
            const values = read.value as number[];
            const channelValue = channel === undefined ? undefined : asInt(channel);
            if (channel !== undefined && channelValue === undefined) return fail(spec, value, rank);
            if (values.some(v => v < 0) || (channelValue ?? 0) < 0) return { ok: false, code: 'invalid-value', message: `${spec.name} must not be negative, got ${formatValue(value)}` };
            const padding: Padding = { mode: 'explicit', values, ...(tupleLength !== undefined ? { written: tupleLength } : {}), ...(channelValue !== undefined ? { channel: channelValue } : {}) };
            return { ok: true, value: padding };
        }
        case 'outputSize': {
            if (value.t === 'none') return fail(spec, value, rank);
            const read = perAxis(spec, value, rank ?? 1, item => (item.t === 'none' ? null : asInt(item)));
            if (!read.ok) return read;
            const values = read.value as Array<number | null>;
            if (values.some(v => v !== null && v < 0)) return { ok: false, code: 'invalid-value', message: `${spec.name} must not be negative, got ${formatValue(value)}` };
            return read;
        }
        case 'shape': {
            if (value.t === 'int') return { ok: true, value: [value.v] };
            if (value.t === 'tuple' && value.items.every(i => i.t === 'int')) return { ok: true, value: value.items.map(i => (i as { v: number }).v) };
            return fail(spec, value, rank);
        }
        case 'floats': {
            const read = perAxis(spec, value, rank ?? 1, asNumber);
            return read;
        }
        case 'tensors':
            return value.t === 'tensor' ? { ok: true, value: [value.shape] } : fail(spec, value, rank);
        default:
            return assertNever(type, 'argument type');
    }
}
