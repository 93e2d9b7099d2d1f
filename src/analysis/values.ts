/** Evaluating expressions of the program: integer arithmetic over parameters, tuples, literals. */
import type { Value } from '../layers/args.js';
import { formatValue } from '../layers/args.js';

const parsedDefaults = new Map<string, Value>();

/**
 * Parses a schema default as written in docs ("None", "true", "'zeros'", "1e-5", "(1, 1)").
 * Schema defaults are few and read on every layer call, so each text is parsed once; the
 * returned Value is shared and must not be modified.
 */
export function parseDefault(text: string): Value {
    let value = parsedDefaults.get(text);
    if (value === undefined) {
        value = parseDefaultText(text);
        parsedDefaults.set(text, value);
    }
    return value;
}

function parseDefaultText(text: string): Value {
    const t = text.trim();
    if (t === 'None') return { t: 'none' };
    if (t === 'true' || t === 'false') return { t: 'bool', v: t === 'true' };
    if (/^'.*'$/.test(t)) return { t: 'string', v: t.slice(1, -1) };
    if (/^\(.*\)$/.test(t)) {
        const inner = t.slice(1, -1).split(',').map(s => s.trim()).filter(s => s.length > 0);
        return { t: 'tuple', items: inner.map(parseDefaultText) };
    }
    if (/^-?\d+$/.test(t)) return { t: 'int', v: Number(t) };
    const v = Number(t);
    if (Number.isFinite(v)) return { t: 'float', v };
    throw new Error(`unreadable default ${text}`);
}

export type Arith = { ok: true; value: Value } | { ok: false; message: string };

export function binary(op: '+' | '-' | '*' | '//', left: Value, right: Value): Arith {
    const num = (v: Value) => (v.t === 'int' || v.t === 'float' ? v.v : undefined);
    const l = num(left), r = num(right);
    if (l === undefined || r === undefined) {
        const bad = l === undefined ? left : right;
        return { ok: false, message: `'${op}' needs numbers, got ${formatValue(bad)}` };
    }
    const int = left.t === 'int' && right.t === 'int';
    let v: number;
    switch (op) {
        case '+': v = l + r; break;
        case '-': v = l - r; break;
        case '*': v = l * r; break;
        case '//':
            if (r === 0) return { ok: false, message: 'division by zero' };
            v = Math.floor(l / r);
            break;
    }
    if (!Number.isFinite(v) || (int && !Number.isSafeInteger(v))) return { ok: false, message: `${formatValue(left)} ${op} ${formatValue(right)} is too large` };
    return { ok: true, value: int ? { t: 'int', v } : { t: 'float', v } };
}
