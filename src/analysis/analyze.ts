/**
 * The analysis: walks every network of a program in evaluation order, expanding block calls per
 * call site, and computes each tensor's shape and receptive field and each layer's parameters,
 * MACs and activation memory. Problems come back as issues, never as exceptions. Everything the
 * editor shows (hints, hover, diagnostics, summary) is read from one `FileAnalysis`.
 */
import type { Arg, Call, ChainStmt, Expr, GraphDecl, InputStmt, Loc, Program, Stmt } from '../program.js';
import { locContains } from '../program.js';
import { coerce, formatValue, type Value } from '../layers/args.js';
import { getLayer, layers, type AnyLayer } from '../layers/index.js';
import type { Dim, LayerContext, LayerIssue, Severity, Shape } from '../layers/types.js';
import { applyRf, inputField, mergeRf, type RfAxis } from '../shape/receptive-field.js';
import { numel } from '../shape/dims.js';
import { didYouMean } from '../util/suggest.js';
import { assertNever } from '../util/assert.js';
import { binary, parseDefault } from './values.js';

export interface Related {
    readonly loc: Loc;
    readonly message: string;
}

export interface Issue {
    readonly severity: Severity;
    readonly code: string;
    readonly message: string;
    readonly loc: Loc;
    readonly related: readonly Related[];
}

export interface Tensor {
    /** Unique within its network; the engine's graph uses it. */
    readonly id: number;
    readonly shape: Shape;
    /** One entry per spatial axis (the trailing axes); null when the tensor has none. */
    readonly rf: readonly RfAxis[] | null;
}

export interface LayerRecord {
    readonly op: string;
    readonly layer: AnyLayer;
    /** The statement's name when this layer ends a named statement. */
    readonly name: string | null;
    readonly call: Call;
    /** The outermost block call in the network, when this layer sits inside a block. */
    readonly callSite: Call | null;
    /** Block names from the network down to this layer's block. */
    readonly blockPath: readonly string[];
    readonly inputs: readonly Tensor[];
    readonly output: Tensor;
    /** The resolved arguments, by name (defaults filled in). */
    readonly args: Readonly<Record<string, unknown>>;
    readonly params: number;
    readonly macs: number;
    /** Bytes of the output activation in float32 (symbolic batch counted as 1). */
    readonly memory: number;
    readonly explain: readonly string[];
    readonly weights: ReadonlyArray<{ readonly name: string; readonly shape: readonly number[] }>;
}

export interface NetworkAnalysis {
    readonly graph: GraphDecl;
    readonly inputs: ReadonlyArray<{ readonly name: string; readonly tensor: Tensor }>;
    readonly layers: readonly LayerRecord[];
    readonly outputs: ReadonlyArray<{ readonly name: string | null; readonly tensor: Tensor }>;
    readonly totals: { readonly params: number; readonly macs: number; readonly memory: number };
    /** True when an error stopped part of the network from being analysed. */
    readonly incomplete: boolean;
}

export interface StatementResult {
    readonly tensor: Tensor;
    readonly network: string;
    /** The outermost block call, for statements inside blocks. */
    readonly callSite: Call | null;
}

export interface FileAnalysis {
    readonly program: Program;
    readonly networks: readonly NetworkAnalysis[];
    readonly issues: readonly Issue[];
    /** Results per statement, one per network / call site that evaluated it. */
    readonly statements: ReadonlyMap<Stmt, readonly StatementResult[]>;
    /** Layer records per call of a registry layer (one per evaluation). */
    readonly calls: ReadonlyMap<Call, readonly LayerRecord[]>;
}

const MAX_BLOCK_DEPTH = 48;

/** What argument matching needs of a layer or block, computed once per layer / block declaration. */
interface Signature {
    /** Parameter names, in order (a layer's tensor arguments excluded). */
    readonly names: readonly string[];
    /** Names without a default. */
    readonly required: readonly string[];
    /** Whether the layer takes a variable number of tensors (merges). */
    readonly variadic: boolean;
    /** A layer's non-tensor argument specs, in order. */
    readonly specs: AnyLayer['args'];
}

const layerSignatures = new WeakMap<AnyLayer, Signature>();
const blockSignatures = new WeakMap<GraphDecl, Signature>();

function layerSignature(layer: AnyLayer): Signature {
    let sig = layerSignatures.get(layer);
    if (!sig) {
        const specs = layer.args.filter(a => a.type.kind !== 'tensors');
        sig = { names: specs.map(a => a.name), required: specs.filter(a => a.default === undefined).map(a => a.name), variadic: layer.args.some(a => a.type.kind === 'tensors'), specs };
        layerSignatures.set(layer, sig);
    }
    return sig;
}

function blockSignature(block: GraphDecl): Signature {
    let sig = blockSignatures.get(block);
    if (!sig) {
        sig = { names: block.params.map(p => p.name), required: block.params.filter(p => p.default === undefined).map(p => p.name), variadic: false, specs: [] };
        blockSignatures.set(block, sig);
    }
    return sig;
}
const FAILED = Symbol('failed');

/** Issue codes of problems found without evaluating anything; reported where they are written. */
const STATIC_CODES = new Set(['unknown-layer', 'unknown-argument', 'duplicate-argument', 'missing-argument', 'undefined-name', 'duplicate-name', 'block-arguments', 'missing-default', 'used-before-definition', 'cyclic-name']);

/** A name's meaning in a frame; `failed` names were defined by a statement that had an error. */
type Binding = { readonly kind: 'tensor'; readonly tensor: Tensor } | { readonly kind: 'value'; readonly value: Value } | { readonly kind: 'failed' };

interface Frame {
    readonly graph: GraphDecl;
    readonly env: Map<string, Binding>;
    /** Block calls from the network down to this frame, outermost first. */
    readonly calls: readonly Call[];
    readonly input: Tensor | undefined;
    readonly network: NetworkState;
}

interface NetworkState {
    readonly graph: GraphDecl;
    nextId: number;
    readonly layers: LayerRecord[];
    incomplete: boolean;
    /** Declared input sizes per spatial axis, for "rf larger than the input". */
    inputExtent: readonly number[] | null;
    rfReported: boolean;
}

class Analyzer {
    readonly issues: Issue[] = [];
    private readonly seen = new Set<string>();
    readonly statements = new Map<Stmt, StatementResult[]>();
    readonly calls = new Map<Call, LayerRecord[]>();

    constructor(readonly program: Program) {}

    run(): FileAnalysis {
        for (const graph of this.program.graphs) this.lint(graph);
        const networks: NetworkAnalysis[] = [];
        for (const graph of this.program.graphs) if (graph.kind === 'network') networks.push(this.network(graph));
        return { program: this.program, networks, issues: this.issues, statements: this.statements, calls: this.calls };
    }

    // ---- reporting -------------------------------------------------------------------------

    private report(frame: Frame | undefined, severity: Severity, code: string, message: string, loc: Loc): void {
        const calls = frame?.calls ?? [];
        // Static problems in this file's graphs were reported in place by `lint`.
        if (frame && STATIC_CODES.has(code) && loc.file === this.program.file && this.isLinted(loc)) return;
        if (calls.length > 0) {
            const outer = calls[0]!;
            const related: Related[] = [{ loc, message }];
            for (let i = calls.length - 1; i >= 1; i--) related.push({ loc: calls[i]!.calleeLoc, message: `called from here` });
            const path = calls.map(c => c.callee).join(' → ');
            this.push({ severity, code, message: `in ${path}: ${message}`, loc: outer.calleeLoc, related });
            return;
        }
        this.push({ severity, code, message, loc, related: [] });
    }

    private isLinted(loc: Loc): boolean {
        return this.program.graphs.some(g => locContains(g.loc, loc));
    }

    private push(issue: Issue): void {
        const key = `${issue.loc.file}:${issue.loc.start.line}:${issue.loc.start.character}:${issue.loc.end.line}:${issue.loc.end.character}:${issue.code}:${issue.message}`;
        if (this.seen.has(key)) return;
        this.seen.add(key);
        this.issues.push(issue);
    }

    // ---- static checks, in place -----------------------------------------------------------

    private lint(graph: GraphDecl): void {
        const declared = new Map<string, Stmt>();
        const params = new Set(graph.params.map(p => p.name));
        const seenParams = new Set<string>();
        for (const p of graph.params) {
            if (seenParams.has(p.name)) this.push({ severity: 'error', code: 'duplicate-name', message: `parameter '${p.name}' is declared twice`, loc: p.nameLoc, related: [] });
            seenParams.add(p.name);
            if (graph.kind === 'network' && p.default === undefined) {
                this.push({ severity: 'error', code: 'missing-default', message: `network parameter '${p.name}' needs a default value (${p.name} = ...) so the network can be analysed`, loc: p.nameLoc, related: [] });
            }
        }
        for (const stmt of graph.body) {
            const name = stmt.kind === 'input' ? stmt.name : stmt.name;
            const nameLoc = stmt.kind === 'input' ? stmt.nameLoc : stmt.nameLoc;
            if (name === undefined || nameLoc === undefined) continue;
            const earlier = declared.get(name);
            if (earlier) {
                this.push({ severity: 'error', code: 'duplicate-name', message: `'${name}' is already defined on line ${earlier.loc.start.line + 1}: choose another name`, loc: nameLoc, related: [{ loc: earlier.loc, message: `'${name}' first defined here` }] });
            } else if (params.has(name)) {
                this.push({ severity: 'error', code: 'duplicate-name', message: `'${name}' is already a parameter of ${graph.name}: choose another name`, loc: nameLoc, related: [] });
            } else {
                declared.set(name, stmt);
            }
        }
        if (graph.kind === 'network' && !graph.body.some(s => s.kind === 'input')) {
            this.push({ severity: 'error', code: 'missing-input', message: `network ${graph.name} declares no input: add e.g. input x: [N, 3, 224, 224]`, loc: graph.nameLoc, related: [] });
        }
        if (graph.body.length === 0 || !graph.body.some(s => s.kind === 'chain')) {
            if (graph.kind === 'block') this.push({ severity: 'error', code: 'empty-block', message: `block ${graph.name} has no statements: its last statement is its output`, loc: graph.nameLoc, related: [] });
        }
        const defined = new Set(graph.params.map(p => p.name));
        for (const stmt of graph.body) {
            if (stmt.kind === 'chain') {
                for (const ref of nameRefs(stmt)) {
                    if (defined.has(ref.name)) continue;
                    const problem = nameProblem(graph, ref.name, ref.loc);
                    this.push({ severity: 'error', code: problem.code, message: problem.message, loc: ref.loc, related: [] });
                }
            }
            if (stmt.name !== undefined) defined.add(stmt.name);
        }
        for (const stmt of graph.body) {
            if (stmt.kind === 'input') {
                if (graph.kind === 'block') this.push({ severity: 'error', code: 'input-in-block', message: `a block's input is its caller's tensor, written 'input'; declare inputs with shapes in networks only`, loc: stmt.nameLoc, related: [] });
                continue;
            }
            for (const call of stmt.calls) this.lintCall(call);
        }
    }

    private lintCall(call: Call): void {
        const layer = getLayer(call.callee);
        const block = this.program.blocks.get(call.callee);
        if (!layer && !block) {
            const candidates = [...layers.keys(), ...this.program.blocks.keys()];
            this.push({ severity: 'error', code: 'unknown-layer', message: `unknown layer or block '${call.callee}'${didYouMean(call.callee, candidates)}`, loc: call.calleeLoc, related: [] });
            return;
        }
        if (layer) {
            const sig = layerSignature(layer);
            this.bindNames(undefined, sig.names, call, layer.name, sig.variadic, sig.required);
        } else if (block) {
            const sig = blockSignature(block);
            this.bindNames(undefined, sig.names, call, `block ${block.name}`, false, sig.required);
        }
    }

    /**
     * Matches a call's arguments to parameter names: positional in order, then keywords.
     * Returns name → Arg, or undefined after reporting. With `variadic`, positional tensors are
     * left out (the caller evaluates them) and positional values must come after them.
     */
    private bindNames(frame: Frame | undefined, names: readonly string[], call: Call, what: string, variadic: boolean, required: readonly string[], tensorArgs?: ReadonlySet<Arg>): Map<string, Arg> | undefined {
        const bound = new Map<string, Arg>();
        let ok = true;
        let position = 0;
        const code = what.startsWith('block ') ? 'block-arguments' : undefined;
        for (const arg of call.args) {
            if (arg.name === undefined) {
                if (variadic && (tensorArgs ? tensorArgs.has(arg) : looksLikeTensor(arg.value))) continue;
                const name = names[position++];
                if (name === undefined) {
                    this.report(frame, 'error', code ?? 'too-many-arguments', `${what} takes ${names.length} positional argument${names.length === 1 ? '' : 's'} (${names.join(', ')}), got one more`, arg.loc);
                    ok = false;
                    continue;
                }
                bound.set(name, arg);
            } else {
                if (!names.includes(arg.name)) {
                    this.report(frame, 'error', code ?? 'unknown-argument', `${what} has no argument '${arg.name}'${didYouMean(arg.name, names) || (names.length === 0 ? ': it takes none' : ` (it takes ${names.join(', ')})`)}`, arg.nameLoc ?? arg.loc);
                    ok = false;
                    continue;
                }
                if (bound.has(arg.name)) {
                    this.report(frame, 'error', code ?? 'duplicate-argument', `argument '${arg.name}' is given twice`, arg.loc);
                    ok = false;
                    continue;
                }
                bound.set(arg.name, arg);
            }
        }
        // A misspelt keyword (kernal_size) is the likely missing argument: say it once.
        const misspelt = call.args.some(a => a.name !== undefined && !names.includes(a.name));
        for (const name of misspelt ? [] : required) {
            if (!bound.has(name)) {
                this.report(frame, 'error', code ?? 'missing-argument', `${what} needs '${name}'`, call.calleeLoc);
                ok = false;
            }
        }
        return ok ? bound : undefined;
    }

    // ---- networks --------------------------------------------------------------------------

    private network(graph: GraphDecl): NetworkAnalysis {
        const state: NetworkState = { graph, nextId: 0, layers: [], incomplete: false, inputExtent: null, rfReported: false };
        const frame: Frame = { graph, env: new Map(), calls: [], input: undefined, network: state };
        const inputs: Array<{ name: string; tensor: Tensor }> = [];
        this.bindParams(frame, new Map());
        const last = this.body(frame, inputs);
        const outputs = last ? [{ name: last.name, tensor: last.tensor }] : [];
        const totals = { params: 0, macs: 0, memory: 0 };
        for (const l of state.layers) {
            totals.params += l.params;
            totals.macs += l.macs;
            totals.memory += l.memory;
        }
        return { graph, inputs, layers: state.layers, outputs, totals, incomplete: state.incomplete };
    }

    /** Binds parameters: given values (block calls) or defaults evaluated in the frame itself. */
    private bindParams(frame: Frame, given: Map<string, Value | Tensor>): boolean {
        let ok = true;
        for (const p of frame.graph.params) {
            const v = given.get(p.name);
            if (v !== undefined) {
                frame.env.set(p.name, isTensor(v) ? { kind: 'tensor', tensor: v } : { kind: 'value', value: v });
                continue;
            }
            if (p.default === undefined) {
                ok = false;
                continue;
            }
            const value = this.evalExpr(p.default, frame, false);
            if (value === undefined) {
                ok = false;
                frame.env.set(p.name, { kind: 'failed' });
            } else if (value.t === 'tensor') frame.env.set(p.name, { kind: 'tensor', tensor: tensorOf(value) });
            else frame.env.set(p.name, { kind: 'value', value });
        }
        return ok;
    }

    /** Evaluates a graph body; returns the last statement's result. */
    private body(frame: Frame, inputs: Array<{ name: string; tensor: Tensor }> | undefined): { name: string | null; tensor: Tensor } | undefined {
        // After a failed statement, the next ones that continue from it stay quiet: its error says why.
        let previous: Tensor | typeof FAILED | undefined = frame.input;
        let last: { name: string | null; tensor: Tensor } | undefined;
        for (const stmt of frame.graph.body) {
            if (stmt.kind === 'input') {
                if (frame.graph.kind !== 'network' || !inputs) continue;
                const tensor = this.inputStmt(frame, stmt);
                if (!tensor) {
                    frame.network.incomplete = true;
                    if (!frame.env.has(stmt.name)) frame.env.set(stmt.name, { kind: 'failed' });
                    previous = FAILED;
                    continue;
                }
                inputs.push({ name: stmt.name, tensor });
                if (!frame.env.has(stmt.name)) frame.env.set(stmt.name, { kind: 'tensor', tensor });
                this.record(stmt, frame, tensor);
                previous = tensor;
                continue;
            }
            const tensor = this.chain(frame, stmt, previous);
            if (!tensor) {
                frame.network.incomplete = true;
                if (stmt.name !== undefined && !frame.env.has(stmt.name)) frame.env.set(stmt.name, { kind: 'failed' });
                previous = FAILED;
                last = undefined;
                continue;
            }
            if (stmt.name !== undefined && !frame.env.has(stmt.name)) frame.env.set(stmt.name, { kind: 'tensor', tensor });
            this.record(stmt, frame, tensor);
            previous = tensor;
            last = { name: stmt.name ?? null, tensor };
        }
        return last;
    }

    private record(stmt: Stmt, frame: Frame, tensor: Tensor): void {
        let list = this.statements.get(stmt);
        if (!list) this.statements.set(stmt, (list = []));
        list.push({ tensor, network: frame.network.graph.name, callSite: frame.calls[0] ?? null });
    }

    private inputStmt(frame: Frame, stmt: InputStmt): Tensor | undefined {
        const shape: Dim[] = [];
        let named = false;
        for (const [i, dim] of stmt.dims.entries()) {
            const v = this.evalExpr(dim, frame, true);
            if (v === undefined) return undefined;
            if (v.t === 'symbol' && i > 0) {
                // Only the batch may be symbolic: any other size must be known to check the layers.
                const example = i === 1 && stmt.dims.length > 2 ? 3 : 224;
                this.report(frame, 'error', 'symbolic-dim', `only the batch (first) dimension may be a name: make ${v.v} a network parameter (network ${frame.graph.name}(${frame.graph.params.length > 0 ? '..., ' : ''}${v.v} = ${example}) { ... })`, dim.loc);
                named = true;
            } else if (v.t === 'symbol') shape.push(v.v);
            else if (v.t === 'int' && v.v >= 1) shape.push(v.v);
            else {
                this.report(frame, 'error', 'invalid-value', `an input dimension must be a positive integer or a symbolic batch name, got ${formatValue(v)}`, dim.loc);
                return undefined;
            }
        }
        if (named) return undefined;
        if (shape.length === 0) {
            this.report(frame, 'error', 'invalid-value', `input '${stmt.name}' needs at least one dimension`, stmt.nameLoc);
            return undefined;
        }
        const spatial = Math.max(0, shape.length - 2);
        const tensor: Tensor = { id: frame.network.nextId++, shape, rf: spatial > 0 ? inputField(spatial) : null };
        if (!frame.network.inputExtent && spatial > 0 && shape.slice(2).every(d => typeof d === 'number')) frame.network.inputExtent = shape.slice(2) as number[];
        return tensor;
    }

    private chain(frame: Frame, stmt: ChainStmt, previous: Tensor | typeof FAILED | undefined): Tensor | undefined {
        let current: Tensor | typeof FAILED | undefined;
        let piped: boolean;
        if (stmt.source) {
            const v = this.evalExpr(stmt.source, frame, false);
            if (v === undefined) return undefined;
            if (v.t !== 'tensor') {
                this.report(frame, 'error', 'invalid-value', `a chain starts from a tensor, got ${formatValue(v)}`, stmt.source.loc);
                return undefined;
            }
            current = tensorOf(v);
            piped = true;
        } else {
            current = previous;
            piped = false;
        }
        for (let i = 0; i < stmt.calls.length; i++) {
            const call = stmt.calls[i]!;
            const isLast = i === stmt.calls.length - 1;
            const name = isLast ? stmt.name ?? null : null;
            const next = this.call(frame, call, current, piped || i > 0, name);
            if (!next) return undefined;
            current = next;
        }
        return current === FAILED ? undefined : current;
    }

    // ---- calls -----------------------------------------------------------------------------

    private call(frame: Frame, call: Call, current: Tensor | typeof FAILED | undefined, piped: boolean, name: string | null): Tensor | undefined {
        const layer = getLayer(call.callee);
        if (layer) return this.layerCall(frame, layer, call, current, piped, name);
        const block = this.program.blocks.get(call.callee);
        if (block) return this.blockCall(frame, block, call, current);
        this.report(frame, 'error', 'unknown-layer', `unknown layer or block '${call.callee}'`, call.calleeLoc);
        return undefined;
    }

    private blockCall(frame: Frame, block: GraphDecl, call: Call, current: Tensor | typeof FAILED | undefined): Tensor | undefined {
        const chain = [...frame.calls.map(c => c.callee), block.name];
        if (frame.calls.some(c => c.callee === block.name) || frame.graph.name === block.name && frame.graph.kind === 'block') {
            this.report(frame, 'error', 'cyclic-block', `block ${block.name} calls itself (${[frame.graph.name, ...chain.slice(frame.calls.length)].join(' → ')})`, call.calleeLoc);
            return undefined;
        }
        if (frame.calls.length >= MAX_BLOCK_DEPTH) {
            this.report(frame, 'error', 'block-depth', `blocks nest deeper than ${MAX_BLOCK_DEPTH} calls`, call.calleeLoc);
            return undefined;
        }
        const sig = blockSignature(block);
        const bound = this.bindNames(frame, sig.names, call, `block ${block.name}`, false, sig.required);
        if (!bound) return undefined;
        const given = new Map<string, Value | Tensor>();
        for (const [pname, arg] of bound) {
            const v = this.evalExpr(arg.value, frame, false);
            if (v === undefined) return undefined;
            given.set(pname, v.t === 'tensor' ? tensorOf(v) : v);
        }
        if (current === FAILED) return undefined;
        if (!current) {
            this.report(frame, 'error', 'no-input', `${block.name} has no input here: start the statement from a tensor (x -> ${block.name}(...)) or place it after one`, call.calleeLoc);
            return undefined;
        }
        const inner: Frame = { graph: block, env: new Map(), calls: [...frame.calls, call], input: current, network: frame.network };
        if (!this.bindParams(inner, given)) return undefined;
        const result = this.body(inner, undefined);
        if (!result) {
            if (!block.body.some(s => s.kind === 'chain')) this.report(frame, 'error', 'empty-block', `block ${block.name} has no statements`, call.calleeLoc);
            return undefined;
        }
        return result.tensor;
    }

    /** Reads every argument (given or default) against the layer's schema; undefined after reporting. */
    private resolveArgs(frame: Frame, layer: AnyLayer, call: Call, bound: Map<string, Arg>, positional: Map<Arg, Value>, rank: number, inputs: readonly Tensor[]): { args: Record<string, unknown>; given: Set<string> } | undefined {
        const args: Record<string, unknown> = {};
        const given = new Set<string>();
        let ok = true;
        for (const spec of layer.args) {
            if (spec.type.kind === 'tensors') {
                args[spec.name] = inputs.map(t => t.shape);
                continue;
            }
            const arg = bound.get(spec.name);
            let value: Value;
            if (arg) {
                given.add(spec.name);
                const v = positional.get(arg) ?? this.evalExpr(arg.value, frame, false);
                if (v === undefined) return undefined;
                value = v;
            } else {
                value = parseDefault(spec.default!);
            }
            const c = coerce(spec, value, rank);
            if (!c.ok) {
                this.report(frame, 'error', c.code, `${layer.name}: ${c.message}`, arg?.loc ?? call.calleeLoc);
                ok = false;
                continue;
            }
            args[spec.name] = c.value;
        }
        return ok ? { args, given } : undefined;
    }

    private layerCall(frame: Frame, layer: AnyLayer, call: Call, from: Tensor | typeof FAILED | undefined, piped: boolean, name: string | null): Tensor | undefined {
        const current = from === FAILED ? undefined : from;
        const sig = layerSignature(layer);
        const variadic = sig.variadic;
        // Evaluate positional arguments once: tensors among them are a merge's inputs.
        const positional = new Map<Arg, Value>();
        const tensorArgs = new Set<Arg>();
        for (const arg of call.args) {
            if (arg.name !== undefined) continue;
            const v = this.evalExpr(arg.value, frame, false);
            if (v === undefined) return undefined;
            positional.set(arg, v);
            if (v.t === 'tensor') {
                if (!variadic) {
                    this.report(frame, 'error', 'invalid-value', `${layer.name} takes no tensor arguments: pipe the tensor in (${formatValue(v).split(' ')[0]} -> ${layer.name}(...))`, arg.loc);
                    return undefined;
                }
                tensorArgs.add(arg);
            }
        }
        const inputs: Tensor[] = [];
        const inputLocs: Loc[] = [];
        if (variadic) {
            if (current && (piped || tensorArgs.size === 0)) {
                inputs.push(current);
                inputLocs.push(call.calleeLoc);
            }
            for (const arg of tensorArgs) {
                inputs.push(tensorOf(positional.get(arg)!));
                inputLocs.push(arg.loc);
            }
            if (inputs.length < 2) {
                if (from === FAILED && !piped) return undefined;
                this.report(frame, 'error', 'merge-inputs', `${layer.name} needs at least two tensors: write ${layer.name}(a, b) or a -> ${layer.name}(b)`, call.calleeLoc);
                return undefined;
            }
        } else {
            if (from === FAILED) {
                // The input's statement failed; the arguments can still be checked on their own.
                if (layer.rank !== undefined) {
                    const bound = this.bindNames(frame, sig.names, call, layer.name, variadic, sig.required, tensorArgs);
                    if (bound) this.resolveArgs(frame, layer, call, bound, positional, layer.rank, []);
                }
                return undefined;
            }
            if (!current) {
                this.report(frame, 'error', 'no-input', `${layer.name} has no input: start the statement from a tensor (x -> ${layer.name}(...)) or declare an input before it`, call.calleeLoc);
                return undefined;
            }
            inputs.push(current);
            inputLocs.push(call.calleeLoc);
        }
        const bound = this.bindNames(frame, sig.names, call, layer.name, variadic, sig.required, tensorArgs);
        if (!bound) return undefined;
        const rank: number = layer.rank ?? Math.max(1, inputs[0]!.shape.length - 2);
        const resolved = this.resolveArgs(frame, layer, call, bound, positional, rank, inputs);
        if (!resolved) return undefined;
        const { args, given } = resolved;
        const issues: LayerIssue[] = [];
        const ctx: LayerContext<Record<string, unknown>> = {
            args,
            given,
            input: inputs[0]!.shape,
            inputs: inputs.map(t => t.shape),
            spatialAxes: inputs.map(t => t.rf?.length ?? 0),
            batchSymbolic: typeof inputs[0]!.shape[0] === 'string',
            error: (code, message, arg) => issues.push({ severity: 'error', code, message, arg }),
            warning: (code, message, arg) => issues.push({ severity: 'warning', code, message, arg }),
            information: (code, message, arg) => issues.push({ severity: 'information', code, message, arg }),
        };
        const result = layer.infer(ctx);
        const locOf = (argName: string | undefined): Loc => {
            if (argName === undefined || argName === 'input') return call.calleeLoc;
            const m = /^input:(\d+)$/.exec(argName);
            if (m) return inputLocs[Number(m[1])] ?? call.calleeLoc;
            return bound.get(argName)?.loc ?? call.calleeLoc;
        };
        let failed = !result;
        for (const issue of mergeIssues(issues)) {
            if (issue.severity === 'error') failed = true;
            this.report(frame, issue.severity, issue.code, `${layer.name}: ${issue.message}`, locOf(issue.arg));
        }
        if (failed || !result) return undefined;
        // Receptive field: the layer's rule applied to its input's field (merges take the widest).
        const outSpatialRank = spatialRankOf(result.shape, inputs[0]!, result.rf.kind);
        let rf: RfAxis[] | null;
        if (variadic) {
            const merged = mergeRf(inputs.map(t => t.rf));
            rf = merged.field && merged.field.length === outSpatialRank ? merged.field : null;
            if (merged.misaligned.length > 0 && rf) {
                const axes = merged.misaligned.map(i => spatialAxisLetter(rf!.length, i)).join(', ');
                const detail = merged.misaligned.map(i => inputs.map(t => `start ${fmt(t.rf![i]!.start)} / jump ${fmt(t.rf![i]!.jump)}`).join(' vs ')).join('; ');
                this.report(frame, 'warning', 'misaligned-merge', `${layer.name}: the inputs' receptive-field centres are misaligned on axis ${axes} (${detail}): the same output position looks at different places of the input`, call.calleeLoc);
            }
        } else {
            const src = inputs[0]!;
            const inRank = layer.rank ?? (src.rf?.length ?? 0);
            const field = src.rf && src.rf.length === inRank ? src.rf : inRank > 0 ? inputField(inRank) : null;
            const inSizes = src.shape.slice(src.shape.length - inRank) as number[];
            const outSizes = result.shape.slice(result.shape.length - outSpatialRank) as number[];
            rf = field ? applyRf(result.rf, field, inSizes, outSizes) : null;
            if (rf && rf.length !== outSpatialRank) rf = null;
        }
        const output: Tensor = { id: frame.network.nextId++, shape: result.shape, rf };
        this.checkRfExceedsInput(frame, layer.name, call, rf);
        const record: LayerRecord = {
            op: layer.name,
            layer,
            name,
            call,
            callSite: frame.calls[0] ?? null,
            blockPath: frame.calls.map(c => c.callee),
            inputs,
            output,
            args: result.resolved ? { ...args, ...result.resolved } : args,
            params: result.params,
            macs: result.macs,
            memory: numel(result.shape) * 4,
            explain: result.explain,
            weights: result.weights ?? [],
        };
        frame.network.layers.push(record);
        let list = this.calls.get(call);
        if (!list) this.calls.set(call, (list = []));
        list.push(record);
        return output;
    }

    private checkRfExceedsInput(frame: Frame, layer: string, call: Call, rf: readonly RfAxis[] | null): void {
        const extent = frame.network.inputExtent;
        if (frame.network.rfReported || !rf || !extent || rf.length !== extent.length) return;
        if (!rf.some((f, i) => f.size > extent[i]!)) return;
        frame.network.rfReported = true;
        this.report(frame, 'information', 'rf-exceeds-input', `${layer}: the receptive field (${rf.map(f => fmt(f.size)).join('×')}) is now larger than the input (${extent.join('×')}): outputs see padding beyond the image`, call.calleeLoc);
    }

    // ---- expressions -----------------------------------------------------------------------

    /**
     * Evaluates an expression. Names resolve to earlier statements' tensors, then parameters; in
     * input dimensions an unbound name is a symbolic batch (inputStmt allows it as the first only).
     */
    private evalExpr(expr: Expr, frame: Frame, inDims: boolean): Value | undefined {
        switch (expr.kind) {
            case 'number':
                return expr.isInt ? { t: 'int', v: expr.value } : { t: 'float', v: expr.value };
            case 'bool':
                return { t: 'bool', v: expr.value };
            case 'string':
                return { t: 'string', v: expr.value };
            case 'none':
                return { t: 'none' };
            case 'input': {
                if (frame.input) return tensorValue(frame.input, 'input');
                if (frame.graph.kind === 'network') {
                    const declared = frame.graph.body.filter((s): s is InputStmt => s.kind === 'input');
                    const only = declared.length === 1 ? frame.env.get(declared[0]!.name) : undefined;
                    if (only?.kind === 'tensor') return tensorValue(only.tensor, declared[0]!.name);
                    if (only?.kind === 'failed') return undefined;
                    this.report(frame, 'error', 'undefined-name', declared.length > 1 ? `'input' is ambiguous in a network with several inputs: use their names (${declared.map(d => d.name).join(', ')})` : `'input' is not defined yet: declare it first (input x: [N, 3, 224, 224])`, expr.loc);
                    return undefined;
                }
                this.report(frame, 'error', 'no-input', `'input' has no value here`, expr.loc);
                return undefined;
            }
            case 'name': {
                const b = frame.env.get(expr.name);
                if (b) return b.kind === 'tensor' ? tensorValue(b.tensor, expr.name) : b.kind === 'value' ? b.value : undefined;
                if (inDims && !frame.graph.params.some(p => p.name === expr.name)) return { t: 'symbol', v: expr.name };
                const problem = nameProblem(frame.graph, expr.name, expr.loc);
                this.report(frame, 'error', problem.code, problem.message, expr.loc);
                return undefined;
            }
            case 'tuple': {
                const items: Value[] = [];
                for (const item of expr.items) {
                    const v = this.evalExpr(item, frame, inDims);
                    if (v === undefined) return undefined;
                    items.push(v);
                }
                return { t: 'tuple', items };
            }
            case 'binary': {
                const l = this.evalExpr(expr.left, frame, false);
                const r = l && this.evalExpr(expr.right, frame, false);
                if (!l || !r) return undefined;
                const res = binary(expr.op, l, r);
                if (!res.ok) {
                    this.report(frame, 'error', 'invalid-value', res.message, expr.loc);
                    return undefined;
                }
                return res.value;
            }
            case 'neg': {
                const v = this.evalExpr(expr.operand, frame, false);
                if (!v) return undefined;
                if (v.t === 'int' || v.t === 'float') return { t: v.t, v: -v.v };
                this.report(frame, 'error', 'invalid-value', `cannot negate ${formatValue(v)}`, expr.loc);
                return undefined;
            }
            default:
                return assertNever(expr, 'expression');
        }
    }

}

/** Why `name` cannot be read at `loc`: not defined, defined later, or defined from itself. */
function nameProblem(graph: GraphDecl, name: string, loc: Loc): { code: string; message: string } {
    const later = graph.body.find(s => s.name === name);
    if (later) {
        if (later.kind === 'chain' && dependsOn(graph, later, loc)) {
            return { code: 'cyclic-name', message: `'${name}' is defined on line ${later.loc.start.line + 1} from this statement's result: the names form a cycle` };
        }
        return { code: 'used-before-definition', message: `'${name}' is used before it is defined on line ${later.loc.start.line + 1}: statements can only refer to earlier ones` };
    }
    // Python's True / False: Convscope's booleans are lowercase keywords.
    const bool = name.toLowerCase();
    if (bool === 'true' || bool === 'false') {
        return { code: 'undefined-name', message: `'${name}' is not defined — did you mean ${bool}? (booleans are written true / false)` };
    }
    const known = new Set([...graph.params.map(p => p.name), ...graph.body.flatMap(s => (s.name !== undefined ? [s.name] : []))]);
    return { code: 'undefined-name', message: `'${name}' is not defined${didYouMean(name, known)}` };
}

/** Whether `stmt` (defined later) depends, through names, on the statement containing `loc`. */
function dependsOn(graph: GraphDecl, stmt: ChainStmt, loc: Loc): boolean {
    const containing = graph.body.find(s => locContains(s.loc, loc));
    if (!containing || containing.kind !== 'chain' || containing.name === undefined) return false;
    const target = containing.name;
    const visited = new Set<Stmt>();
    const visit = (s: ChainStmt): boolean => {
        if (visited.has(s)) return false;
        visited.add(s);
        for (const ref of nameRefs(s)) {
            if (ref.name === target) return true;
            const next = graph.body.find(b => b.kind === 'chain' && b.name === ref.name);
            if (next && next.kind === 'chain' && visit(next)) return true;
        }
        return false;
    };
    return visit(stmt);
}

/** Every name read by a statement (its source and argument values). */
export function nameRefs(stmt: ChainStmt): Array<{ name: string; loc: Loc }> {
    const names: Array<{ name: string; loc: Loc }> = [];
    const walk = (e: Expr): void => {
        if (e.kind === 'name') names.push({ name: e.name, loc: e.loc });
        else if (e.kind === 'tuple') e.items.forEach(walk);
        else if (e.kind === 'binary') {
            walk(e.left);
            walk(e.right);
        } else if (e.kind === 'neg') walk(e.operand);
    };
    if (stmt.source) walk(stmt.source);
    for (const c of stmt.calls) for (const a of c.args) walk(a.value);
    return names;
}

/** One diagnostic per (severity, code, argument) of a call: per-axis findings are joined. */
function mergeIssues(issues: readonly LayerIssue[]): readonly LayerIssue[] {
    if (issues.length <= 1) return issues; // nothing to merge (the common case)
    const merged = new Map<string, LayerIssue>();
    for (const issue of issues) {
        const key = `${issue.severity}|${issue.code}|${issue.arg ?? ''}`;
        const earlier = merged.get(key);
        if (!earlier) merged.set(key, issue);
        else if (!earlier.message.split('; also ').includes(issue.message)) merged.set(key, { ...earlier, message: `${earlier.message}; also ${issue.message}` });
    }
    return [...merged.values()];
}

function looksLikeTensor(expr: Expr): boolean {
    return expr.kind === 'name' || expr.kind === 'input';
}

function isTensor(v: Value | Tensor): v is Tensor {
    return 'id' in v && 'shape' in v;
}

/** Tensor values carry their Tensor alongside the shape the layers read. */
function tensorValue(tensor: Tensor, name: string): Value {
    return { t: 'tensor', shape: tensor.shape, name, ref: tensor };
}

function tensorOf(v: Value): Tensor {
    if (v.t !== 'tensor') throw new Error('not a tensor');
    return v.ref as Tensor;
}

function spatialRankOf(shape: Shape, input: Tensor, rule: string): number {
    if (rule === 'drop') return 0;
    if (rule === 'identity') return shape.length === input.shape.length ? input.rf?.length ?? 0 : 0;
    return Math.max(0, shape.length - 2);
}

function spatialAxisLetter(rank: number, i: number): string {
    const letters = rank === 1 ? 'L' : rank === 2 ? 'HW' : 'DHW';
    return letters[i] ?? String(i);
}

function fmt(x: number): string {
    return Number.isInteger(x) ? String(x) : String(Math.round(x * 1000) / 1000);
}

export function analyzeProgram(program: Program): FileAnalysis {
    return new Analyzer(program).run();
}

