/**
 * Analyses one layer call on given input shapes, through the same path as a written program
 * (argument binding, coercion, the layer's rule). Used by fixture tests and the CLI's probes.
 */
import type { Arg, Call, Expr, GraphDecl, Loc, Program, Stmt } from '../program.js';
import { analyzeProgram, type Issue, type LayerRecord } from './analyze.js';
import type { Shape } from '../layers/types.js';

export type JsonArg = number | boolean | string | null | JsonArg[] | { float: number };

const FILE = 'probe.conv';
let column = 0;
function loc(): Loc {
    const c = column++;
    return { file: FILE, start: { line: 0, character: c }, end: { line: 0, character: c + 1 } };
}

function toExpr(value: JsonArg): Expr {
    if (value === null) return { kind: 'none', loc: loc() };
    if (typeof value === 'boolean') return { kind: 'bool', value, loc: loc() };
    if (typeof value === 'string') return { kind: 'string', value, loc: loc() };
    if (typeof value === 'number') return { kind: 'number', value, isInt: Number.isInteger(value), loc: loc() };
    if (Array.isArray(value)) return { kind: 'tuple', items: value.map(toExpr), loc: loc() };
    return { kind: 'number', value: value.float, isInt: false, loc: loc() };
}

export interface ProbeResult {
    readonly shape: Shape | undefined;
    readonly params: number;
    readonly macs: number;
    readonly record: LayerRecord | undefined;
    readonly issues: readonly Issue[];
}

/**
 * `inputs` are shapes (strings for symbolic dims); `args` keyword arguments as JSON (a float that
 * must stay a float even when whole is written `{ "float": 2 }`; JSON's 2.0 reads as the int 2,
 * so pass `floats` to name arguments whose whole numbers are floats).
 */
export function probeLayer(layer: string, inputs: readonly Shape[], args: Readonly<Record<string, JsonArg>>, floats: ReadonlySet<string> = new Set()): ProbeResult {
    column = 0;
    const body: Stmt[] = inputs.map((shape, i) => ({
        kind: 'input',
        name: `x${i}`,
        nameLoc: loc(),
        dims: shape.map(d => (typeof d === 'number' ? toExpr(d) : { kind: 'name', name: d, loc: loc() } as Expr)),
        loc: loc(),
    }));
    const callArgs: Arg[] = [];
    if (inputs.length > 1) for (let i = 0; i < inputs.length; i++) callArgs.push({ value: { kind: 'name', name: `x${i}`, loc: loc() }, loc: loc() });
    for (const [name, value] of Object.entries(args)) {
        const v = floats.has(name) && typeof value === 'number' ? { float: value } : value;
        callArgs.push({ name, nameLoc: loc(), value: toExpr(v), loc: loc() });
    }
    const call: Call = { callee: layer, calleeLoc: loc(), args: callArgs, loc: loc() };
    body.push({ kind: 'chain', name: 'y', nameLoc: loc(), source: inputs.length === 1 ? { kind: 'name', name: 'x0', loc: loc() } : undefined, calls: [call], loc: loc() });
    const graph: GraphDecl = { kind: 'network', name: 'Probe', nameLoc: loc(), params: [], body, loc: { file: FILE, start: { line: 0, character: 0 }, end: { line: 1, character: 0 } } };
    const program: Program = { file: FILE, graphs: [graph], blocks: new Map() };
    const analysis = analyzeProgram(program);
    const record = analysis.calls.get(call)?.[0];
    return { shape: record?.output.shape, params: record?.params ?? 0, macs: record?.macs ?? 0, record, issues: analysis.issues };
}
