/**
 * Python expressions for the PyTorch exporter: a small tree (literals, tuples, variables, `+ - * //`
 * and negation) that renders as Python source, evaluates to the analysis' own values (through the
 * same `binary` arithmetic the analysis uses, so `//` floors as in both languages), and substitutes
 * variables — enough to write a block's layer arguments as expressions over its parameters and to
 * check them against every call of the block.
 */
import type { Value } from '../layers/args.js';
import { binary } from '../analysis/values.js';
import { assertNever } from '../util/assert.js';

export type BinOp = '+' | '-' | '*' | '//';

export type Py =
    | { readonly k: 'int'; readonly v: number }
    | { readonly k: 'float'; readonly v: number }
    | { readonly k: 'bool'; readonly v: boolean }
    | { readonly k: 'str'; readonly v: string }
    | { readonly k: 'none' }
    | { readonly k: 'tuple'; readonly items: readonly Py[] }
    | { readonly k: 'var'; readonly name: string }
    | { readonly k: 'bin'; readonly op: BinOp; readonly l: Py; readonly r: Py }
    | { readonly k: 'neg'; readonly e: Py };

export const py = {
    int: (v: number): Py => ({ k: 'int', v }),
    float: (v: number): Py => ({ k: 'float', v }),
    bool: (v: boolean): Py => ({ k: 'bool', v }),
    str: (v: string): Py => ({ k: 'str', v }),
    none: { k: 'none' } as Py,
    tuple: (items: readonly Py[]): Py => ({ k: 'tuple', items }),
    var: (name: string): Py => ({ k: 'var', name }),
    bin: (op: BinOp, l: Py, r: Py): Py => ({ k: 'bin', op, l, r }),
};

/** A Python float literal: always with a point or an exponent (`1.0`, `0.0001`, `1e-07`). */
export function pyFloat(v: number): string {
    if (Number.isNaN(v)) return "float('nan')";
    if (!Number.isFinite(v)) return v > 0 ? "float('inf')" : "-float('inf')";
    if (Number.isInteger(v) && Math.abs(v) < 1e16) return `${v}.0`;
    const s = String(v);
    return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

/** A Python string literal in single quotes. */
export function pyString(s: string): string {
    return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;
}

const PRECEDENCE: Record<BinOp, number> = { '+': 1, '-': 1, '*': 2, '//': 2 };

function precedence(e: Py): number {
    if (e.k === 'bin') return PRECEDENCE[e.op];
    if (e.k === 'neg') return 3;
    if (e.k === 'int' || e.k === 'float') return e.v < 0 || Object.is(e.v, -0) ? 3 : 4;
    return 4;
}

export function render(e: Py): string {
    switch (e.k) {
        case 'int': return String(e.v);
        case 'float': return pyFloat(e.v);
        case 'bool': return e.v ? 'True' : 'False';
        case 'str': return pyString(e.v);
        case 'none': return 'None';
        case 'tuple': return e.items.length === 1 ? `(${render(e.items[0]!)},)` : `(${e.items.map(render).join(', ')})`;
        case 'var': return e.name;
        case 'bin': {
            const p = PRECEDENCE[e.op];
            const l = precedence(e.l) < p ? `(${render(e.l)})` : render(e.l);
            const r = precedence(e.r) <= p ? `(${render(e.r)})` : render(e.r);
            return `${l} ${e.op} ${r}`;
        }
        case 'neg': return precedence(e.e) < 3 ? `-(${render(e.e)})` : `-${render(e.e)}`;
        default: return assertNever(e, 'python expression');
    }
}

/** Evaluates `e` with variables from `env`; undefined when a variable is unbound or arithmetic fails. */
export function evaluate(e: Py, env: ReadonlyMap<string, Value>): Value | undefined {
    switch (e.k) {
        case 'int': return { t: 'int', v: e.v };
        case 'float': return { t: 'float', v: e.v };
        case 'bool': return { t: 'bool', v: e.v };
        case 'str': return { t: 'string', v: e.v };
        case 'none': return { t: 'none' };
        case 'tuple': {
            const items: Value[] = [];
            for (const item of e.items) {
                const v = evaluate(item, env);
                if (!v) return undefined;
                items.push(v);
            }
            return { t: 'tuple', items };
        }
        case 'var': return env.get(e.name);
        case 'bin': {
            const l = evaluate(e.l, env);
            const r = l && evaluate(e.r, env);
            if (!l || !r) return undefined;
            const res = binary(e.op, l, r);
            return res.ok ? res.value : undefined;
        }
        case 'neg': {
            const v = evaluate(e.e, env);
            if (v?.t === 'int' || v?.t === 'float') return { t: v.t, v: -v.v };
            return undefined;
        }
        default: return assertNever(e, 'python expression');
    }
}

/** Replaces variables; undefined when one has no replacement. */
export function substitute(e: Py, map: ReadonlyMap<string, Py>): Py | undefined {
    switch (e.k) {
        case 'var': return map.get(e.name);
        case 'tuple': {
            const items: Py[] = [];
            for (const item of e.items) {
                const s = substitute(item, map);
                if (!s) return undefined;
                items.push(s);
            }
            return { k: 'tuple', items };
        }
        case 'bin': {
            const l = substitute(e.l, map);
            const r = l && substitute(e.r, map);
            return l && r ? { k: 'bin', op: e.op, l, r } : undefined;
        }
        case 'neg': {
            const s = substitute(e.e, map);
            return s ? { k: 'neg', e: s } : undefined;
        }
        default: return e;
    }
}

export function hasVariables(e: Py): boolean {
    switch (e.k) {
        case 'var': return true;
        case 'tuple': return e.items.some(hasVariables);
        case 'bin': return hasVariables(e.l) || hasVariables(e.r);
        case 'neg': return hasVariables(e.e);
        default: return false;
    }
}

export function variables(e: Py, into: Set<string> = new Set()): Set<string> {
    if (e.k === 'var') into.add(e.name);
    else if (e.k === 'tuple') e.items.forEach(i => variables(i, into));
    else if (e.k === 'bin') {
        variables(e.l, into);
        variables(e.r, into);
    } else if (e.k === 'neg') variables(e.e, into);
    return into;
}

/** A concrete value as a Python literal (tensors have none). */
export function literal(v: Value): Py | undefined {
    switch (v.t) {
        case 'int': return py.int(v.v);
        case 'float': return py.float(v.v);
        case 'bool': return py.bool(v.v);
        case 'string': return py.str(v.v);
        case 'none': return py.none;
        case 'tuple': {
            const items: Py[] = [];
            for (const item of v.items) {
                const p = literal(item);
                if (!p) return undefined;
                items.push(p);
            }
            return py.tuple(items);
        }
        case 'symbol':
        case 'tensor':
            return undefined;
        default: return assertNever(v, 'value');
    }
}

/** Python's `==` on values: numbers by value (1 == 1.0), tuples item by item. */
export function sameValue(a: Value, b: Value): boolean {
    if ((a.t === 'int' || a.t === 'float') && (b.t === 'int' || b.t === 'float')) return a.v === b.v;
    if (a.t === 'tuple' && b.t === 'tuple') return a.items.length === b.items.length && a.items.every((x, i) => sameValue(x, b.items[i]!));
    if (a.t === 'bool' && b.t === 'bool') return a.v === b.v;
    if (a.t === 'string' && b.t === 'string') return a.v === b.v;
    return a.t === 'none' && b.t === 'none';
}

const KEYWORDS = new Set(('False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield match case type print').split(' '));

/** A Python identifier for a `.conv` name: keywords and `reserved` names get a trailing underscore. */
export function identifier(name: string, reserved: ReadonlySet<string> = new Set()): string {
    let id = name.replace(/[^A-Za-z0-9_]/g, '_');
    if (!/^[A-Za-z_]/.test(id)) id = `_${id}`;
    while (KEYWORDS.has(id) || reserved.has(id)) id = `${id}_`;
    return id;
}

/** `BasicBlock` → `basic_block`, `DownBlock2` → `down_block2`. */
export function snakeCase(name: string): string {
    return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2').toLowerCase();
}
