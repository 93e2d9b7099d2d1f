/**
 * Export to PyTorch: a runnable Python module with one `nn.Module` per network and per block.
 *
 * - Every Convscope layer becomes exactly one leaf module (`nn.Conv2d`, ...; min_pool a
 *   `MinPool2d` computing −max_pool(−x); add/mul/concat the small `Add`/`Mul`/`Concat` modules,
 *   torch.cat for concat), in the analysis' evaluation order, so forward hooks see the layers in
 *   the same order as `convscope summary`.
 * - Arguments are the ones the analysis resolved: what the user wrote (PyTorch's names, and
 *   PyTorch's defaults for the rest), plus the sizes read from the input (in_channels,
 *   num_features, num_channels, in_features), which PyTorch needs spelt out.
 * - A block becomes a class whose constructor takes the block's parameters (plus `in_channels`,
 *   `<tensor>_channels` when its layers need them); arguments written with parameters stay
 *   expressions (`conv2d(width * 4)` → `nn.Conv2d(..., width * 4)`). Every expression is checked
 *   against every call of the block in the analysis; a block that cannot be written generically
 *   becomes one class per distinct instantiation with literal arguments. Named statements become
 *   attributes and local variables of the same name.
 *
 * Pure TypeScript over the analysis (src/analysis): no Langium, no file system.
 */
import type { FileAnalysis, LayerRecord, NetworkAnalysis, Tensor as AnalysedTensor } from '../analysis/analyze.js';
import { coerce, type Value } from '../layers/args.js';
import { getLayer, type AnyLayer } from '../layers/index.js';
import { implicitSoftmaxDim } from '../layers/softmax.js';
import type { ArgSpec, ArgType, Padding } from '../layers/types.js';
import type { Arg, Call, ChainStmt, Expr, GraphDecl } from '../program.js';
import { formatShape, wrapDim } from '../shape/dims.js';
import { assertNever } from '../util/assert.js';
import { evaluate, hasVariables, identifier, literal, py, pyString, render, sameValue, snakeCase, substitute, variables, type Py } from './python.js';

export interface ExportOptions {
    /** Networks to export (default: every network of the file), with the blocks they use. */
    readonly networks?: readonly string[];
    /** How the source file is named in the module's docstring. */
    readonly source?: string;
    /** Prints the name of a layer's file (default: its last path segment). */
    readonly fileName?: (uri: string) => string;
}

export interface PyTorchExport {
    /** The Python module. */
    readonly code: string;
    /** The network classes, in order. */
    readonly networks: readonly string[];
    /** Every class written (helpers, blocks and networks). */
    readonly classes: readonly string[];
}

export class ExportError extends Error {}

// ---- the PyTorch side of each layer ---------------------------------------------------------

type Helper = 'Add' | 'Mul' | 'Concat' | 'MinPool1d' | 'MinPool2d' | 'MinPool3d';

interface TorchModule {
    /** What the constructor is called as (`nn.Conv2d`, `MinPool2d`). */
    readonly ctor: string;
    readonly helper?: Helper;
    /** Constructor arguments given positionally, in PyTorch's order. */
    readonly positional: readonly string[];
}

const POSITIONAL: Record<string, readonly string[]> = {
    Conv: ['in_channels', 'out_channels'],
    ConvTranspose: ['in_channels', 'out_channels'],
    Linear: ['in_features', 'out_features'],
    BatchNorm: ['num_features'],
    GroupNorm: ['num_groups', 'num_channels'],
    LayerNorm: ['normalized_shape'],
    LocalResponseNorm: ['size'],
    AdaptiveAvgPool: ['output_size'],
    AdaptiveMaxPool: ['output_size'],
};

/** The module a layer exports as: its registry entry's `torch` class, or one of our helpers. */
export function torchModuleOf(layer: AnyLayer): TorchModule {
    const helper = ({ add: 'Add', mul: 'Mul', concat: 'Concat', min_pool1d: 'MinPool1d', min_pool2d: 'MinPool2d', min_pool3d: 'MinPool3d' } as Record<string, Helper>)[layer.name];
    if (helper) return { ctor: helper, helper, positional: [] };
    const m = /^torch\.nn\.([A-Z][A-Za-z0-9]*)$/.exec(layer.torch);
    if (!m) throw new ExportError(`${layer.name}: no PyTorch module for '${layer.torch}'`);
    const cls = m[1]!;
    return { ctor: `nn.${cls}`, positional: POSITIONAL[cls.replace(/\d+d$/, '')] ?? [] };
}

/** The axis a size read from the input lives on (in_channels: before the spatial axes, in_features: last). */
function derivedAxis(spec: ArgSpec, layer: AnyLayer, inputRank: number): number {
    if (spec.name === 'in_features') return inputRank - 1;
    if (spec.name === 'in_channels') return inputRank - (layer.rank ?? 0) - 1;
    return 1;
}

const HELPERS: Record<Helper, string> = {
    Add: `class Add(nn.Module):
    """Convscope's add: the element-wise sum of its inputs (broadcasting as torch.add)."""

    def forward(self, *xs):
        out = xs[0]
        for x in xs[1:]:
            out = out + x
        return out`,
    Mul: `class Mul(nn.Module):
    """Convscope's mul: the element-wise product of its inputs (broadcasting as torch.mul)."""

    def forward(self, *xs):
        out = xs[0]
        for x in xs[1:]:
            out = out * x
        return out`,
    Concat: `class Concat(nn.Module):
    """Convscope's concat: torch.cat of its inputs along \`dim\`."""

    def __init__(self, dim=1):
        super().__init__()
        self.dim = dim

    def forward(self, *xs):
        return torch.cat(xs, dim=self.dim)`,
    MinPool1d: minPool(1),
    MinPool2d: minPool(2),
    MinPool3d: minPool(3),
};

function minPool(rank: number): string {
    return `class MinPool${rank}d(nn.MaxPool${rank}d):
    """Convscope's min_pool${rank}d: -max_pool${rank}d(-x), with MaxPool${rank}d's arguments."""

    def forward(self, x):
        return -super().forward(-x)`;
}

/** Names a statement must not take as an attribute (nn.Module's own) or a class (the module's imports). */
const MODULE_ATTRIBUTES = new Set(('self training forward eval train to cuda cpu xpu ipu float double half bfloat16 type apply parameters named_parameters buffers named_buffers children named_children modules named_modules state_dict load_state_dict register_buffer register_parameter register_module add_module zero_grad requires_grad_ share_memory extra_repr get_submodule get_parameter get_buffer to_empty register_forward_hook register_forward_pre_hook register_backward_hook register_full_backward_hook register_full_backward_pre_hook dump_patches call_super_init T_destination').split(' '));
const GLOBAL_NAMES = new Set(['torch', 'nn', 'self', 'super', 'object', 'print', 'tuple', 'list', 'dict', 'int', 'float', 'str', 'bool', ...Object.keys(HELPERS)]);

// ---- rendering ---------------------------------------------------------------------------------

/** A tensor in forward(): its Python variable, the analysis' tensor, and its channels (axis 1) as an expression when known. */
interface TensorRef {
    readonly v: string;
    readonly t: AnalysedTensor;
    readonly ch: Py | null;
}

interface Scope {
    readonly graph: GraphDecl;
    readonly symbolic: boolean;
    /** Value parameters: `.conv` name → constructor variable. */
    readonly valueParams: Map<string, string>;
    /** Tensor parameters and named results: `.conv` name → tensor. */
    readonly tensors: Map<string, TensorRef>;
    /** Constructor variables' values in this instance (for the checks). */
    readonly env: Map<string, Value>;
    /** Concrete values of the `.conv` value parameters (for evaluating call arguments). */
    readonly values: Map<string, Value>;
    /** What `input` means: a block's input, a network's only input. */
    input: TensorRef | undefined;
    /** Attributes taken, and those kept for the named statements. */
    readonly attrs: Set<string>;
    readonly reserved: Set<string>;
    readonly locals: Set<string>;
    readonly counters: Map<string, number>;
    readonly init: string[];
    readonly forward: string[];
    /** Constructor variables the emitted code reads. */
    readonly used: Set<string>;
    /** False once an emitted expression disagreed with the analysis for this instance. */
    ok: boolean;
}

type Mode = 'symbolic' | 'literal';

interface RenderedClass {
    readonly name: string;
    readonly text: string;
}

/** One pass over the networks: classes written, and per block what its instances produced. */
class Pass {
    readonly classes: RenderedClass[] = [];
    readonly helpers = new Set<Helper>();
    /** Per block in symbolic mode: each instance's text and verdict. */
    readonly instances = new Map<GraphDecl, Array<{ text: string; ok: boolean }>>();
    /** Per block in literal mode: class text → class name. */
    private readonly variants = new Map<GraphDecl, Map<string, string>>();
    private readonly symbolicNames = new Map<GraphDecl, string>();
    private readonly names = new Set<string>();

    constructor(
        readonly analysis: FileAnalysis,
        readonly modes: Map<GraphDecl, Mode>,
        readonly fileName: (uri: string) => string,
        reserved: ReadonlySet<string>,
    ) {
        for (const n of reserved) this.names.add(n);
    }

    private allocate(base: string): string {
        let name = base;
        for (let k = 2; this.names.has(name); k++) name = `${base}_${k}`;
        this.names.add(name);
        return name;
    }

    modeOf(block: GraphDecl): Mode {
        return this.modes.get(block) ?? 'symbolic';
    }

    /** Registers a finished block instance; returns its class name. */
    blockClass(block: GraphDecl, body: string, ok: boolean): string {
        if (this.modeOf(block) === 'symbolic') {
            let list = this.instances.get(block);
            if (!list) this.instances.set(block, (list = []));
            list.push({ text: body, ok });
            let name = this.symbolicNames.get(block);
            if (!name) {
                name = this.allocate(identifier(block.name, GLOBAL_NAMES));
                this.symbolicNames.set(block, name);
                this.classes.push({ name, text: body.replace('\0', name) });
            }
            return name;
        }
        let variants = this.variants.get(block);
        if (!variants) this.variants.set(block, (variants = new Map()));
        let name = variants.get(body);
        if (!name) {
            name = this.allocate(identifier(block.name, GLOBAL_NAMES));
            variants.set(body, name);
            this.classes.push({ name, text: body.replace('\0', name) });
        }
        return name;
    }

    // ---- networks ------------------------------------------------------------------------------

    network(net: NetworkAnalysis, mode: Mode, className: string): { text: string; ok: boolean } {
        const scope = newScope(net.graph, mode === 'symbolic');
        const params = this.bindOwnParams(scope, new Map());
        const records = { list: net.layers, next: 0 };
        const inputs: TensorRef[] = [];
        const forwardParams: string[] = [];
        for (const input of net.inputs) {
            const stmt = net.graph.body.find(s => s.kind === 'input' && s.name === input.name);
            const v = this.local(scope, identifier(input.name, GLOBAL_NAMES));
            const dim1 = stmt && stmt.kind === 'input' ? stmt.dims[1] : undefined;
            const ch = scope.symbolic && dim1 ? pyOf(dim1, scope) ?? null : null;
            const ref = { v, t: input.tensor, ch: ch && isChannelExpr(ch) ? ch : null };
            scope.tensors.set(input.name, ref);
            inputs.push(ref);
            forwardParams.push(v);
        }
        if (inputs.length === 1) scope.input = inputs[0];
        const stmtLocals = this.reserveStatements(scope);
        const out = this.body(scope, stmtLocals, records, inputs[0], true);
        if (records.next !== records.list.length) throw new ExportError(`internal: ${records.list.length - records.next} layers of ${net.graph.name} were not exported`);
        if (!out) throw new ExportError(`network ${net.graph.name} has no output`);
        const doc = [
            `network ${net.graph.name} (${this.fileName(net.graph.loc.file)}, line ${net.graph.loc.start.line + 1}):`,
            `${net.inputs.map(i => `${i.name} ${formatShape(i.tensor.shape)}`).join(', ')} -> ${net.outputs.map(o => formatShape(o.tensor.shape)).join(', ')}; ${net.totals.params.toLocaleString('en-US')} parameters.`,
        ];
        const text = classText(className, doc, mode === 'symbolic' ? params : [], scope, forwardParams, out.v);
        return { text, ok: scope.ok };
    }

    /**
     * Binds a graph's own value parameters to constructor variables (network parameters take
     * their defaults; a block's come from the call). Returns the constructor's parameter list.
     */
    private bindOwnParams(scope: Scope, given: ReadonlyMap<string, Value>): string[] {
        const ctor: string[] = [];
        for (const p of scope.graph.params) {
            if (scope.tensors.has(p.name)) continue;
            const v = this.local(scope, identifier(p.name, GLOBAL_NAMES));
            scope.valueParams.set(p.name, v);
            let value = given.get(p.name);
            let defaultPy: Py | undefined;
            if (p.default) {
                defaultPy = pyOf(p.default, scope) ?? undefined;
                if (value === undefined) value = evalValue(p.default, scope);
            }
            if (value === undefined) throw new ExportError(`parameter '${p.name}' of ${scope.graph.name} has no value`);
            scope.values.set(p.name, value);
            scope.env.set(v, value);
            if (!defaultPy) ctor.push(v);
            else if (hasVariables(defaultPy)) {
                ctor.push(`${v}=None`);
                if (scope.symbolic) scope.init.push(`if ${v} is None:`, `    ${v} = ${render(defaultPy)}`);
            } else ctor.push(`${v}=${render(defaultPy)}`);
        }
        return ctor;
    }

    private local(scope: Scope, base: string): string {
        let name = base;
        for (let k = 1; scope.locals.has(name); k++) name = `${base}_${k}`;
        scope.locals.add(name);
        return name;
    }

    /** The first of `candidates` not taken (or a numbered one). */
    private freeLocal(scope: Scope, candidates: readonly string[]): string {
        return this.local(scope, candidates.find(c => !scope.locals.has(c)) ?? candidates[0]!);
    }

    private attr(scope: Scope, preferred: string | undefined, base: string): string {
        if (preferred !== undefined) {
            const id = identifier(preferred, MODULE_ATTRIBUTES);
            if (!scope.attrs.has(id)) {
                scope.attrs.add(id);
                return id;
            }
        }
        let name: string;
        do {
            const k = (scope.counters.get(base) ?? 0) + 1;
            scope.counters.set(base, k);
            name = `${base}_${k}`;
        } while (scope.attrs.has(name) || scope.reserved.has(name) || MODULE_ATTRIBUTES.has(name));
        scope.attrs.add(name);
        return name;
    }

    // ---- bodies --------------------------------------------------------------------------------

    /** Named statements keep their names as locals and attributes: reserved before any name of ours. */
    private reserveStatements(scope: Scope): Map<ChainStmt, string> {
        const locals = new Map<ChainStmt, string>();
        for (const stmt of scope.graph.body) {
            if (stmt.kind !== 'chain' || stmt.name === undefined) continue;
            locals.set(stmt, this.local(scope, identifier(stmt.name, GLOBAL_NAMES)));
            scope.reserved.add(identifier(stmt.name, MODULE_ATTRIBUTES));
        }
        return locals;
    }

    /** Emits a graph body; returns the last statement's result. */
    private body(scope: Scope, stmtLocal: ReadonlyMap<ChainStmt, string>, records: { list: readonly LayerRecord[]; next: number }, first: TensorRef | undefined, isNetwork: boolean): TensorRef | undefined {
        const running = this.freeLocal(scope, isNetwork ? ['x', 'out', 'h'] : ['out', 'y', 'h']);
        let previous = first;
        let last: TensorRef | undefined;
        for (const stmt of scope.graph.body) {
            if (stmt.kind === 'input') {
                previous = scope.tensors.get(stmt.name) ?? previous;
                continue;
            }
            let current = stmt.source ? tensorOf(stmt.source, scope) : previous;
            const piped = stmt.source !== undefined;
            stmt.calls.forEach((call, i) => {
                const isLast = i === stmt.calls.length - 1;
                const target = isLast && stmt.name !== undefined ? stmtLocal.get(stmt)! : running;
                const attrName = isLast ? stmt.name : undefined;
                const layer = getLayer(call.callee);
                const block = layer ? undefined : this.analysis.program.blocks.get(call.callee);
                if (layer) current = this.layerCall(scope, layer, call, current, piped || i > 0, records, target, attrName, isNetwork);
                else if (block) current = this.blockCall(scope, block, call, current, records, target, attrName, isNetwork);
                else throw new ExportError(`unknown layer or block '${call.callee}'`);
            });
            if (!current) throw new ExportError(`a statement of ${scope.graph.name} (line ${stmt.loc.start.line + 1}) has no input`);
            if (stmt.name !== undefined) scope.tensors.set(stmt.name, current);
            previous = current;
            last = current;
        }
        return last;
    }

    private layerCall(
        scope: Scope, layer: AnyLayer, call: Call, current: TensorRef | undefined, piped: boolean,
        records: { list: readonly LayerRecord[]; next: number }, target: string, attrName: string | undefined, isNetwork: boolean,
    ): TensorRef {
        const record = records.list[records.next++];
        if (!record || record.call !== call) throw new ExportError(`internal: the layers of ${scope.graph.name} are out of step with the analysis at line ${call.loc.start.line + 1}`);
        const variadic = layer.args.some(a => a.type.kind === 'tensors');
        // Inputs exactly as the analysis takes them: merges read the piped tensor, then tensor arguments.
        const tensorArgs = variadic ? call.args.filter(a => a.name === undefined && isTensorExpr(a.value, scope)) : [];
        const inputs: TensorRef[] = [];
        if (variadic) {
            if (current && (piped || tensorArgs.length === 0)) inputs.push(current);
            for (const a of tensorArgs) inputs.push(tensorOf(a.value, scope)!);
        } else if (current) inputs.push(current);
        if (inputs.length !== record.inputs.length || inputs.some((r, k) => r.t.id !== record.inputs[k]!.id)) {
            throw new ExportError(`internal: the inputs of ${layer.name} at line ${call.loc.start.line + 1} differ from the analysis'`);
        }
        const module = torchModuleOf(layer);
        if (module.helper) this.helpers.add(module.helper);
        const bound = bindArgs(layer.args.filter(a => a.type.kind !== 'tensors').map(a => a.name), call.args, new Set(tensorArgs));
        const inputShape = record.inputs[0]!.shape;
        const rank = layer.rank ?? Math.max(1, inputShape.length - 2);
        const emitted = new Map<string, Py>();
        for (const spec of layer.args) {
            if (spec.type.kind === 'tensors' || spec.ignored) continue;
            const resolved = record.args[spec.name];
            if (spec.check) {
                const axis = derivedAxis(spec, layer, inputShape.length);
                const actual = inputShape[axis];
                if (typeof actual !== 'number') throw new ExportError(`${layer.name} at line ${call.loc.start.line + 1}: ${spec.name} is symbolic (${formatShape(inputShape)})`);
                const tracked = axis === 1 ? inputs[0]!.ch : null;
                emitted.set(spec.name, this.checked(scope, tracked, v => v.t === 'int' && v.v === actual) ?? py.int(actual));
                continue;
            }
            const written = bound.get(spec.name);
            if (!written) {
                // PyTorch's default gives the same value, except softmax's implicit dim, which is deprecated: spell it out.
                if (spec.name === 'dim' && (layer.name === 'softmax' || layer.name === 'log_softmax') && resolved === null) emitted.set('dim', py.int(implicitSoftmaxDim(inputShape.length)));
                continue;
            }
            const symbolic = pyOf(written.value, scope);
            const expected = resolved;
            const fromSource = symbolic && hasVariables(symbolic)
                ? this.checked(scope, symbolic, v => {
                    const c = coerce(spec, v, rank);
                    return c.ok && deepEqual(c.value, expected);
                })
                : undefined;
            emitted.set(spec.name, fromSource ?? resolvedLiteral(spec.type, resolved));
        }
        const args: string[] = [];
        const keywords = new Map(emitted);
        for (const name of module.positional) {
            const value = keywords.get(name);
            if (!value) break;
            args.push(render(value));
            keywords.delete(name);
        }
        for (const [name, value] of keywords) args.push(`${name}=${render(value)}`);
        const attr = this.attr(scope, attrName, layer.name);
        scope.init.push(`self.${attr} = ${module.ctor}(${args.join(', ')})  # line ${call.loc.start.line + 1}`);
        const shape = isNetwork ? `  # ${formatShape(record.output.shape)}` : '';
        scope.forward.push(`${target} = self.${attr}(${inputs.map(r => r.v).join(', ')})${shape}`);
        return { v: target, t: record.output, ch: scope.symbolic ? outputChannels(layer, record, inputs, name => emitted.get(name) ?? null) : null };
    }

    private blockCall(
        scope: Scope, block: GraphDecl, call: Call, current: TensorRef | undefined,
        records: { list: readonly LayerRecord[]; next: number }, target: string, attrName: string | undefined, isNetwork: boolean,
    ): TensorRef {
        if (!current) throw new ExportError(`${block.name} at line ${call.loc.start.line + 1} has no input`);
        const bound = bindArgs(block.params.map(p => p.name), call.args, new Set());
        const inner = newScope(block, this.modeOf(block) === 'symbolic');
        // Tensor parameters: forward() arguments, with their channels as constructor parameters.
        const tensorParams: Array<{ name: string; v: string; caller: TensorRef }> = [];
        const channelParams: Array<{ v: string; caller: TensorRef }> = [];
        const channelsOf = (caller: TensorRef, base: string): Py | null => {
            const c = caller.t.shape[1];
            if (!inner.symbolic || caller.t.shape.length < 2 || typeof c !== 'number') return null;
            const v = this.local(inner, base);
            inner.env.set(v, { t: 'int', v: c });
            channelParams.push({ v, caller });
            return py.var(v);
        };
        const given = new Map<string, Value>();
        for (const p of block.params) {
            const arg = bound.get(p.name);
            if (!arg) continue;
            const t = isTensorExpr(arg.value, scope) ? tensorOf(arg.value, scope) : undefined;
            if (t) {
                const v = this.local(inner, identifier(p.name, GLOBAL_NAMES));
                const ref: TensorRef = { v, t: t.t, ch: null };
                inner.tensors.set(p.name, ref);
                tensorParams.push({ name: p.name, v, caller: t });
                continue;
            }
            const value = evalValue(arg.value, scope);
            if (value === undefined) throw new ExportError(`${block.name} at line ${call.loc.start.line + 1}: argument '${p.name}' cannot be evaluated`);
            given.set(p.name, value);
        }
        const ctorParams = this.bindOwnParams(inner, given);
        const stmtLocals = this.reserveStatements(inner);
        const inputVar = this.freeLocal(inner, ['x', 'input_', 'inp']);
        const input: TensorRef = { v: inputVar, t: current.t, ch: channelsOf(current, 'in_channels') };
        inner.input = input;
        for (const tp of tensorParams) {
            const ref = inner.tensors.get(tp.name)!;
            inner.tensors.set(tp.name, { ...ref, ch: channelsOf(tp.caller, `${identifier(tp.name)}_channels`) });
        }
        const out = this.body(inner, stmtLocals, records, input, false) ?? input;
        const symbolic = inner.symbolic;
        const usedChannels = channelParams.filter(c => inner.used.has(c.v));
        const signature = symbolic ? [...ctorParams, ...(usedChannels.length > 0 ? ['*', ...usedChannels.map(c => c.v)] : [])] : [];
        const where = `${this.fileName(block.loc.file)}, line ${block.loc.start.line + 1}`;
        const doc = symbolic
            ? [`block ${block.name}(${block.params.map(p => p.name).join(', ')}) (${where}).`]
            : [`block ${block.name}(${block.params.map(p => `${p.name}=${tensorParams.some(t => t.name === p.name) ? 'tensor' : fmtValue(inner.values.get(p.name))}`).join(', ')}) (${where}), with the arguments of this call.`];
        const text = classText('\0', doc, signature, inner, [inputVar, ...tensorParams.map(t => t.v)], out.v);
        const className = this.blockClass(block, text, inner.ok);

        // The call: written value arguments as the caller wrote them, then the channels the block reads.
        const args: string[] = [];
        const passed = new Map<string, Py>();
        if (symbolic) {
            let positional = true;
            for (const a of call.args) {
                const isTensor = isTensorExpr(a.value, scope);
                const name = a.name ?? block.params[call.args.filter(x => x.name === undefined).indexOf(a)]?.name;
                if (isTensor || name === undefined) {
                    positional = false;
                    continue;
                }
                if (a.name !== undefined) positional = false;
                const value = inner.values.get(name)!;
                const expr = pyOf(a.value, scope);
                const arg = expr && hasVariables(expr) ? this.checked(scope, expr, v => sameValue(v, value)) ?? literal(value) : literal(value);
                if (!arg) throw new ExportError(`${block.name} at line ${call.loc.start.line + 1}: argument '${name}' has no Python value`);
                passed.set(inner.valueParams.get(name)!, arg);
                args.push(positional ? render(arg) : `${inner.valueParams.get(name)}=${render(arg)}`);
            }
            for (const c of usedChannels) {
                const actual = inner.env.get(c.v)!;
                const arg = this.checked(scope, c.caller.ch, v => sameValue(v, actual)) ?? literal(actual)!;
                passed.set(c.v, arg);
                args.push(`${c.v}=${render(arg)}`);
            }
        }
        const attr = this.attr(scope, attrName, snakeCase(block.name));
        scope.init.push(`self.${attr} = ${className}(${args.join(', ')})  # line ${call.loc.start.line + 1}`);
        const tensorArgs = tensorParams.map(t => `${t.v}=${t.caller.v}`);
        scope.forward.push(`${target} = self.${attr}(${[current.v, ...tensorArgs].join(', ')})${isNetwork ? `  # ${formatShape(out.t.shape)}` : ''}`);

        // The result's channels in the caller's terms: the block's expression with the call's arguments.
        let ch: Py | null = null;
        if (scope.symbolic && symbolic && out.ch) {
            const map = new Map(passed);
            for (const p of block.params) {
                const v = inner.valueParams.get(p.name);
                if (v && !map.has(v) && p.default) {
                    const d = pyOf(p.default, inner);
                    if (d && !hasVariables(d)) map.set(v, d);
                }
            }
            ch = substitute(out.ch, map) ?? null;
        }
        return { v: target, t: out.t, ch };
    }

    /**
     * Uses `expr` when it evaluates, in this instance, to what the analysis found (`accept`);
     * otherwise marks the instance as not expressible generically. Returns the expression or
     * undefined (then the caller writes the literal).
     */
    private checked(scope: Scope, expr: Py | null, accept: (v: Value) => boolean): Py | undefined {
        if (!expr || !scope.symbolic) return undefined;
        if (!hasVariables(expr)) return expr;
        const v = evaluate(expr, scope.env);
        if (v === undefined || !accept(v)) {
            scope.ok = false;
            return undefined;
        }
        variables(expr, scope.used);
        return expr;
    }
}

function newScope(graph: GraphDecl, symbolic: boolean): Scope {
    return {
        graph, symbolic,
        valueParams: new Map(), tensors: new Map(), env: new Map(), values: new Map(),
        input: undefined, attrs: new Set(), reserved: new Set(), locals: new Set(['self']), counters: new Map(),
        init: [], forward: [], used: new Set(), ok: true,
    };
}

function classText(name: string, doc: readonly string[], ctor: readonly string[], scope: Scope, forwardParams: readonly string[], output: string): string {
    const lines = [
        `class ${name}(nn.Module):`,
        `    """${doc.map(d => d.replace(/\\/g, '\\\\').replace(/"""/g, '\\"\\"\\"')).join('\n    ')}"""`,
        '',
        `    def __init__(${['self', ...ctor].join(', ')}):`,
        '        super().__init__()',
        ...scope.init.map(l => `        ${l}`),
        '',
        `    def forward(${['self', ...forwardParams].join(', ')}):`,
        ...scope.forward.map(l => `        ${l}`),
        `        return ${output}`,
    ];
    return lines.join('\n');
}

// ---- reading the program -------------------------------------------------------------------------

/** Matches arguments to names as the analysis does: positional in order (tensors skipped), then keywords. */
function bindArgs(names: readonly string[], args: readonly Arg[], skip: ReadonlySet<Arg>): Map<string, Arg> {
    const bound = new Map<string, Arg>();
    let position = 0;
    for (const arg of args) {
        if (skip.has(arg)) continue;
        if (arg.name === undefined) {
            const name = names[position++];
            if (name !== undefined) bound.set(name, arg);
        } else bound.set(arg.name, arg);
    }
    return bound;
}

function isTensorExpr(e: Expr, scope: Scope): boolean {
    return (e.kind === 'name' && scope.tensors.has(e.name)) || (e.kind === 'input' && scope.input !== undefined);
}

function tensorOf(e: Expr, scope: Scope): TensorRef | undefined {
    if (e.kind === 'name') return scope.tensors.get(e.name);
    if (e.kind === 'input') return scope.input;
    return undefined;
}

/** The expression as Python over the scope's constructor variables; undefined where it reads tensors (or in literal mode). */
function pyOf(e: Expr, scope: Scope): Py | undefined {
    if (!scope.symbolic) {
        const v = evalValue(e, scope);
        return v ? literal(v) : undefined;
    }
    switch (e.kind) {
        case 'number': return e.isInt ? py.int(e.value) : py.float(e.value);
        case 'bool': return py.bool(e.value);
        case 'string': return py.str(e.value);
        case 'none': return py.none;
        case 'name': {
            const v = scope.valueParams.get(e.name);
            return v ? py.var(v) : undefined;
        }
        case 'input': return undefined;
        case 'tuple': {
            const items: Py[] = [];
            for (const item of e.items) {
                const p = pyOf(item, scope);
                if (!p) return undefined;
                items.push(p);
            }
            return py.tuple(items);
        }
        case 'binary': {
            const l = pyOf(e.left, scope);
            const r = l && pyOf(e.right, scope);
            return l && r ? py.bin(e.op, l, r) : undefined;
        }
        case 'neg': {
            const p = pyOf(e.operand, scope);
            return p ? { k: 'neg', e: p } : undefined;
        }
        default: return assertNever(e, 'expression');
    }
}

/** The expression's value in this instance (the `.conv` parameters' values). */
function evalValue(e: Expr, scope: Scope): Value | undefined {
    const env = new Map<string, Value>();
    for (const [name, v] of scope.values) env.set(`\0${name}`, v);
    const toPy = (x: Expr): Py | undefined => {
        switch (x.kind) {
            case 'number': return x.isInt ? py.int(x.value) : py.float(x.value);
            case 'bool': return py.bool(x.value);
            case 'string': return py.str(x.value);
            case 'none': return py.none;
            case 'name': return scope.values.has(x.name) ? py.var(`\0${x.name}`) : undefined;
            case 'input': return undefined;
            case 'tuple': {
                const items = x.items.map(toPy);
                return items.every(i => i) ? py.tuple(items as Py[]) : undefined;
            }
            case 'binary': {
                const l = toPy(x.left), r = toPy(x.right);
                return l && r ? py.bin(x.op, l, r) : undefined;
            }
            case 'neg': {
                const p = toPy(x.operand);
                return p ? { k: 'neg', e: p } : undefined;
            }
            default: return assertNever(x, 'expression');
        }
    };
    const p = toPy(e);
    return p ? evaluate(p, env) : undefined;
}

/** Whether an input dimension's expression can stand for a channel count (not a symbolic batch name). */
function isChannelExpr(p: Py): boolean {
    return p.k === 'int' || hasVariables(p);
}

/** The output's channels (axis 1) as an expression, when the layer keeps or sets them predictably. */
function outputChannels(layer: AnyLayer, record: LayerRecord, inputs: readonly TensorRef[], arg: (name: string) => Py | null): Py | null {
    const out = record.output.shape;
    const rank = layer.rank ?? 0;
    if (layer.family === 'convolution' || layer.family === 'transposed') return out.length === rank + 2 ? arg('out_channels') : null;
    if (layer.name === 'linear') return out.length === 2 ? arg('out_features') : out.length === inputs[0]!.t.shape.length ? inputs[0]!.ch : null;
    if (layer.name === 'concat') {
        const dim = wrapDim(record.args.dim as number, out.length);
        if (dim !== 1) return inputs[0]!.ch;
        let sum: Py | null = null;
        for (const r of inputs) {
            if (!r.ch) return null;
            sum = sum ? py.bin('+', sum, r.ch) : r.ch;
        }
        return sum;
    }
    // Flattening [N, C, 1, 1] (after global pooling) keeps the channels on axis 1.
    if (layer.name === 'flatten') return out.length === 2 && typeof out[1] === 'number' && inputs[0]!.t.shape[1] === out[1] ? inputs[0]!.ch : null;
    const same = inputs.find(r => r.t.shape.length === out.length && r.t.shape[1] === out[1]);
    return same?.ch ?? null;
}

// ---- values ----------------------------------------------------------------------------------------

/** A resolved argument as a Python literal: per-axis tuples fold to one int when all equal (PyTorch expands it the same way). */
function resolvedLiteral(type: ArgType, v: unknown): Py {
    if (v === null || v === undefined) return py.none;
    const ints = (xs: readonly number[]) => (xs.length > 0 && xs.every(x => x === xs[0]) ? py.int(xs[0]!) : py.tuple(xs.map(py.int)));
    switch (type.kind) {
        case 'int': return py.int(v as number);
        case 'float': return py.float(v as number);
        case 'bool': return py.bool(v as boolean);
        case 'enum': return py.str(v as string);
        case 'ints': return ints(v as number[]);
        case 'padding': {
            const p = v as Padding;
            return p.mode === 'explicit' ? ints(p.values) : py.str(p.mode);
        }
        case 'outputSize': {
            const xs = v as Array<number | null>;
            return xs.every(x => x !== null && x === xs[0]) ? py.int(xs[0]!) : py.tuple(xs.map(x => (x === null ? py.none : py.int(x))));
        }
        case 'shape': {
            const xs = v as number[];
            return xs.length === 1 ? py.int(xs[0]!) : py.tuple(xs.map(py.int));
        }
        case 'floats': {
            const xs = v as number[];
            return xs.every(x => x === xs[0]) ? py.float(xs[0]!) : py.tuple(xs.map(py.float));
        }
        case 'tensors': throw new ExportError('tensors have no literal');
        default: return assertNever(type, 'argument type');
    }
}

function deepEqual(a: unknown, b: unknown): boolean {
    if (a === b) return true;
    if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
    if (a && b && typeof a === 'object' && typeof b === 'object') {
        const ka = Object.keys(a), kb = Object.keys(b);
        return ka.length === kb.length && ka.every(k => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
    }
    return false;
}

function fmtValue(v: Value | undefined): string {
    if (!v) return '?';
    const p = literal(v);
    return p ? render(p) : '?';
}

// ---- the module ----------------------------------------------------------------------------------

export function exportPyTorch(analysis: FileAnalysis, options: ExportOptions = {}): PyTorchExport {
    const wanted = options.networks;
    const networks = wanted ? wanted.map(name => {
        const n = analysis.networks.find(x => x.graph.name === name);
        if (!n) {
            const names = analysis.networks.map(x => x.graph.name);
            throw new ExportError(`no network named '${name}'${names.length ? ` (networks: ${names.join(', ')})` : ' (the file declares no network)'}`);
        }
        return n;
    }) : [...analysis.networks];
    if (networks.length === 0) throw new ExportError('the file declares no network (only blocks): nothing to export');
    for (const n of networks) {
        if (n.incomplete || n.outputs.length === 0) throw new ExportError(`network ${n.graph.name} has errors: fix them before exporting`);
    }
    const fileName = options.fileName ?? ((uri: string) => uri.replace(/^.*[\\/]/, ''));
    const modes = new Map<GraphDecl, Mode>();
    const networkModes = new Map<NetworkAnalysis, Mode>();
    const networkNames = new Map<NetworkAnalysis, string>();
    {
        const taken = new Set(GLOBAL_NAMES);
        for (const n of networks) {
            let name = identifier(n.graph.name, taken);
            networkNames.set(n, name);
            taken.add(name);
        }
    }
    // Blocks move from generic to per-call classes until every emitted expression checks out.
    for (let round = 0; ; round++) {
        const pass = new Pass(analysis, modes, fileName, new Set([...GLOBAL_NAMES, ...networkNames.values()]));
        const texts: string[] = [];
        let changed = false;
        for (const n of networks) {
            const mode = networkModes.get(n) ?? 'symbolic';
            const { text, ok } = pass.network(n, mode, networkNames.get(n)!);
            if (!ok && mode === 'symbolic') {
                networkModes.set(n, 'literal');
                changed = true;
            }
            texts.push(text);
        }
        for (const [block, list] of pass.instances) {
            if (list.some(i => !i.ok) || list.some(i => i.text !== list[0]!.text)) {
                modes.set(block, 'literal');
                changed = true;
            }
        }
        if (changed && round < 64) continue;
        return assemble(options.source ?? fileName(analysis.program.file), pass, texts, networks, networkNames);
    }
}

function assemble(source: string, pass: Pass, networkTexts: readonly string[], networks: readonly NetworkAnalysis[], names: ReadonlyMap<NetworkAnalysis, string>): PyTorchExport {
    const helpers = (Object.keys(HELPERS) as Helper[]).filter(h => pass.helpers.has(h));
    const header = [
        `"""PyTorch equivalent of ${source.replace(/\\/g, '/').replace(/"""/g, '')}, written by Convscope's export.`,
        '',
        'Each Convscope layer is one torch.nn module, with the arguments Convscope resolved; blocks',
        'are sub-modules; named statements are attributes and variables of the same name.',
        '"""',
        'import torch',
        'from torch import nn',
    ].join('\n');
    const main = ['if __name__ == \'__main__\':'];
    for (const n of networks) {
        const cls = names.get(n)!;
        const model = `model_${cls.toLowerCase()}`.replace(/[^a-z0-9_]/g, '_');
        main.push(`    ${model} = ${cls}().eval()`);
        const inputs = n.inputs.map(i => `torch.zeros(${i.tensor.shape.map(d => (typeof d === 'number' ? String(d) : '1')).join(', ')})`);
        main.push(`    print(${pyString(cls)}, tuple(${model}(${inputs.join(', ')}).shape), sum(p.numel() for p in ${model}.parameters()), 'parameters')`);
    }
    const parts = [header, ...helpers.map(h => HELPERS[h]), ...pass.classes.map(c => c.text), ...networkTexts, main.join('\n')];
    return {
        code: parts.join('\n\n\n') + '\n',
        networks: networks.map(n => names.get(n)!),
        classes: [...helpers, ...pass.classes.map(c => c.name), ...networks.map(n => names.get(n)!)],
    };
}
