/**
 * Report data shaping: the worker's results (summary, run, gradient check) as what the report
 * webview shows — a title, key facts, a verdict, the per-layer table, the per-check table and the
 * bar charts' series. Pure data in, pure data out: the HTML builder and the tests read it, and so
 * does the webview script (chart series travel as JSON).
 */
import type { JsonStats } from '../../src/engine/run-report.js';
import type { TensorCheck } from '../../src/engine/gradcheck.js';
import type { JobResult, SummaryLayer, SummaryReport } from '../engine/protocol.js';

export type ReportKind = 'summary' | 'run' | 'gradcheck';

export interface Column {
    readonly label: string;
    /** Numbers are right-aligned. */
    readonly numeric?: boolean;
    /** A group heading spanning consecutive columns (activation / gradient statistics). */
    readonly group?: string;
}

export interface Cell {
    readonly text: string;
    /** A class for the cell: `passed`, `failed`, `skipped`, `warn`. */
    readonly tone?: 'passed' | 'failed' | 'skipped' | 'warn';
    /** Full-precision value, as a tooltip. */
    readonly title?: string;
}

export interface Row {
    readonly cells: readonly Cell[];
    /** Where the row's layer is written (a click reveals it). */
    readonly uri?: string;
    readonly line?: number;
    readonly tone?: 'failed' | 'warn';
}

export interface Table {
    readonly id: string;
    readonly caption: string;
    readonly columns: readonly Column[];
    readonly rows: readonly Row[];
    /** Rows after the body (totals). */
    readonly foot?: readonly Row[];
}

export interface ChartSeries {
    /** The canvas id: `gradient-norms`, `activation-std`, `params-per-layer`, `macs-per-layer`, `check-errors`. */
    readonly id: string;
    readonly title: string;
    readonly label: string;
    readonly labels: readonly string[];
    /** null where undefined (NaN, one element). */
    readonly values: ReadonlyArray<number | null>;
    /** Per bar: flagged as far below or above the others (vanishing / exploding). */
    readonly flags: ReadonlyArray<'low' | 'high' | null>;
    /** Whether the chart starts on a log scale (the page has a toggle). */
    readonly log: boolean;
    /** A horizontal reference line (the gradient check's tolerance), if any. */
    readonly reference?: { readonly value: number; readonly label: string };
    /** What the flags mean, shown under the chart when any bar is flagged. */
    readonly note?: string;
}

export interface Verdict {
    readonly passed: boolean;
    readonly text: string;
    readonly failures: ReadonlyArray<{ readonly text: string; readonly uri: string; readonly line: number }>;
}

export interface ReportView {
    readonly kind: ReportKind;
    readonly network: string;
    readonly title: string;
    readonly subtitle: string;
    readonly facts: ReadonlyArray<{ readonly label: string; readonly value: string }>;
    readonly verdict?: Verdict;
    readonly notes: readonly string[];
    readonly charts: readonly ChartSeries[];
    readonly tables: readonly Table[];
}

// ---- numbers ---------------------------------------------------------------------------------------

/** Compact and readable: 4 significant digits, exponent outside [1e-3, 1e4). */
export function fmtNumber(x: number | null | undefined): string {
    if (x === null || x === undefined || Number.isNaN(x)) return '—';
    if (x === 0) return '0';
    if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
    const a = Math.abs(x);
    return a >= 1e4 || a < 1e-3 ? x.toExponential(2) : String(Number(x.toPrecision(4)));
}

export function fmtCount(n: number): string {
    return n.toLocaleString('en-US');
}

/** 11.69M, 1.82G: as the code lens writes them. */
export function fmtShort(n: number): string {
    const a = Math.abs(n);
    if (a >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
    if (a >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
    if (a >= 1e3) return `${(n / 1e3).toFixed(2)}k`;
    return String(n);
}

export function fmtBytes(n: number): string {
    if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(2)} GiB`;
    if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(2)} MiB`;
    if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
    return `${n} B`;
}

export function fmtShape(shape: ReadonlyArray<number | string>): string {
    return `[${shape.join(', ')}]`;
}

function rfText(rf: SummaryLayer['rf']): string {
    if (!rf || rf.size.length === 0) return '';
    const f = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(2));
    const one = (xs: number[]) => (xs.every(x => x === xs[0]) ? f(xs[0]!) : xs.map(f).join('×'));
    return `${one(rf.size)} (j ${one(rf.jump)})`;
}

/**
 * Flags bars more than `factor` times below or above the median of the positive values — how
 * vanishing or exploding gradients (and dead activations) show up against the rest.
 */
export function flagOutliers(values: ReadonlyArray<number | null>, factor = 100): Array<'low' | 'high' | null> {
    const positive = values.filter((v): v is number => v !== null && v > 0).sort((a, b) => a - b);
    if (positive.length < 3) return values.map(() => null);
    const median = positive[Math.floor(positive.length / 2)]!;
    return values.map(v => (v === null ? null : v <= median / factor ? 'low' : v >= median * factor ? 'high' : null));
}

function series(id: string, title: string, label: string, labels: string[], values: Array<number | null>, log: boolean, flag: boolean): ChartSeries {
    const flags = flag ? flagOutliers(values) : values.map(() => null);
    const low = flags.filter(f => f === 'low').length;
    const high = flags.filter(f => f === 'high').length;
    const parts = [...(low ? [`${low} layer${low === 1 ? '' : 's'} 100× or more below the median`] : []), ...(high ? [`${high} layer${high === 1 ? '' : 's'} 100× or more above it`] : [])];
    return { id, title, label, labels, values, flags, log, ...(parts.length ? { note: `Highlighted: ${parts.join('; ')}.` } : {}) };
}

// ---- tables ----------------------------------------------------------------------------------------

const LAYER_COLUMNS: Column[] = [
    { label: 'layer' },
    { label: 'in block' },
    { label: 'op' },
    { label: 'line', numeric: true },
    { label: 'output shape' },
    { label: 'params', numeric: true },
    { label: 'MACs', numeric: true },
    { label: 'rf (jump)' },
];

function layerCells(l: SummaryLayer): Cell[] {
    return [
        { text: l.key, title: `layer ${Number(l.key.slice(0, l.key.indexOf('_')))}: ${l.op}${l.name ? ` named ${l.name}` : ''}` },
        { text: l.where },
        { text: l.op },
        { text: String(l.line) },
        { text: fmtShape(l.shape) },
        { text: l.params ? fmtCount(l.params) : '–' },
        { text: l.macs ? fmtCount(l.macs) : '–' },
        { text: rfText(l.rf) },
    ];
}

function totalsFacts(s: SummaryReport): Array<{ label: string; value: string }> {
    const perSample = s.symbolicBatch ? ' (per sample)' : '';
    return [
        { label: 'inputs', value: s.inputs.map(i => `${i.name} ${fmtShape(i.shape)}`).join(', ') },
        { label: 'outputs', value: s.outputs.map(o => `${o.name ?? '(last)'} ${fmtShape(o.shape)}`).join(', ') || '—' },
        { label: 'parameters', value: `${fmtCount(s.totals.params)} (${fmtBytes(s.totals.params * 4)} as float32)` },
        { label: 'MACs', value: `${fmtCount(s.totals.macs)} (${fmtShort(s.totals.macs)})${perSample}` },
        { label: 'activation memory', value: `${fmtBytes(s.totals.memory)} (float32 outputs)${perSample}` },
    ];
}

function summaryNotes(s: SummaryReport): string[] {
    const notes: string[] = [];
    if (s.incomplete) notes.push('Errors stopped part of this network from being analysed: see the Problems panel.');
    const errors = s.diagnostics.filter(d => d.severity === 'error').length;
    const warnings = s.diagnostics.filter(d => d.severity === 'warning').length;
    if (errors || warnings) notes.push(`The file has ${errors} error${errors === 1 ? '' : 's'} and ${warnings} warning${warnings === 1 ? '' : 's'}.`);
    return notes;
}

export function summaryView(s: SummaryReport): ReportView {
    const labels = s.layers.map(l => l.key);
    return {
        kind: 'summary',
        network: s.network,
        title: `Summary of ${s.network}`,
        subtitle: `${s.layers.length} layers after block expansion`,
        facts: totalsFacts(s),
        notes: summaryNotes(s),
        charts: [
            series('params-per-layer', 'Parameters per layer', 'parameters', labels, s.layers.map(l => l.params), false, false),
            series('macs-per-layer', 'Multiply-accumulates per layer', 'MACs', labels, s.layers.map(l => l.macs), false, false),
        ],
        tables: [{
            id: 'layers',
            caption: 'Layers',
            columns: [...LAYER_COLUMNS, { label: 'memory', numeric: true }],
            rows: s.layers.map(l => ({ cells: [...layerCells(l), { text: fmtBytes(l.memory) }], uri: l.uri, line: l.line })),
            foot: [{ cells: [{ text: 'total' }, { text: '' }, { text: '' }, { text: '' }, { text: s.outputs.map(o => fmtShape(o.shape)).join(', ') }, { text: fmtCount(s.totals.params) }, { text: fmtCount(s.totals.macs) }, { text: '' }, { text: fmtBytes(s.totals.memory) }] }],
        }],
    };
}

const STATS: Array<keyof JsonStats> = ['mean', 'std', 'min', 'max', 'norm'];

export function runView(result: Extract<JobResult, { kind: 'run' }>): ReportView {
    const { summary: s, run } = result;
    const labels = s.layers.map(l => l.key);
    const gradNorms = run.layers.map(l => l.gradient.norm);
    const actStd = run.layers.map(l => l.activation.std);
    const grad = series('gradient-norms', 'Gradient norm per layer (‖∂L/∂output‖₂)', 'gradient norm', labels, gradNorms, true, true);
    const act = series('activation-std', 'Activation standard deviation per layer', 'activation std', labels, actStd, true, true);
    const statCells = (st: JsonStats, flag: boolean): Cell[] => STATS.map(k => ({ text: fmtNumber(st[k]), ...(st[k] !== null ? { title: String(st[k]) } : {}), ...(flag && k === 'norm' ? { tone: 'warn' as const } : {}) }));
    return {
        kind: 'run',
        network: s.network,
        title: `Forward and backward pass of ${s.network}`,
        subtitle: `${run.dtype} · ${run.mode} mode · seed ${run.seed} · ${result.seconds.toFixed(3)} s`,
        facts: [
            { label: 'loss', value: `L = Σ output ⊙ R = ${run.loss.toPrecision(8)} (R ~ N(0, 1), seed ${run.seed})` },
            { label: 'inputs', value: result.inputs },
            { label: 'output', value: `${fmtShape(run.output.shape)}: mean ${fmtNumber(run.output.stats.mean)}, std ${fmtNumber(run.output.stats.std)}` },
            ...totalsFacts(s).filter(f => f.label === 'parameters' || f.label === 'MACs'),
        ],
        notes: [...[grad, act].flatMap(c => (c.note ? [`${c.title}: ${c.note}`] : []))],
        charts: [grad, act],
        tables: [{
            id: 'layers',
            caption: 'Layers: activation and gradient statistics',
            columns: [
                ...LAYER_COLUMNS,
                ...STATS.map(k => ({ label: k, numeric: true, group: 'activation' })),
                ...STATS.map(k => ({ label: k, numeric: true, group: 'gradient' })),
            ],
            rows: s.layers.map((l, i) => {
                const r = run.layers[i]!;
                const flagged = grad.flags[i] !== null;
                return { cells: [...layerCells(l), ...statCells(r.activation, false), ...statCells(r.gradient, flagged)], uri: l.uri, line: l.line, ...(flagged ? { tone: 'warn' as const } : {}) };
            }),
        }, {
            id: 'parameters',
            caption: 'Parameters: value and gradient statistics',
            columns: [{ label: 'tensor' }, { label: 'shape' }, ...STATS.map(k => ({ label: k, numeric: true, group: 'value' })), ...STATS.map(k => ({ label: k, numeric: true, group: 'gradient' }))],
            rows: run.layers.flatMap((l, i) => l.params.map(p => ({ cells: [{ text: `${s.layers[i]!.key}.${p.tensor}` }, { text: fmtShape(p.shape) }, ...statCells(p.value, false), ...statCells(p.gradient, false)], uri: s.layers[i]!.uri, line: s.layers[i]!.line }))),
        }],
    };
}

/** "All 33 checks passed" or "2 of 33 checks failed", with the failures. */
export function gradcheckVerdict(checks: readonly TensorCheck[], uriOf: (c: TensorCheck) => string): Verdict {
    const failed = checks.filter(c => c.status === 'failed');
    const skipped = checks.filter(c => c.status === 'skipped').length;
    const passed = checks.length - failed.length - skipped;
    const skippedText = skipped ? ` (${skipped} skipped: every sampled step crossed a kink)` : '';
    if (failed.length === 0) return { passed: true, text: `All ${passed} checks passed${skippedText}`, failures: [] };
    return {
        passed: false,
        text: `${failed.length} of ${checks.length} checks failed${skippedText}`,
        failures: failed.map(c => ({
            text: `${c.scope === 'layer' ? 'layer' : 'end to end'} ${c.layer} (line ${c.line}), ${c.tensor}: max abs error ${fmtNumber(c.maxAbsError)}, max rel error ${fmtNumber(c.maxRelError)}${c.worstIndex.length ? ` at [${c.worstIndex.join(', ')}]` : ''}${c.note ? ` — ${c.note}` : ''}`,
            uri: uriOf(c),
            line: c.line,
        })),
    };
}

export function gradcheckView(result: Extract<JobResult, { kind: 'gradcheck' }>): ReportView {
    const { summary: s, gradcheck: g } = result;
    const uriByKey = new Map(s.layers.map(l => [l.key, l.uri]));
    const uriOf = (c: TensorCheck) => uriByKey.get(c.layer) ?? s.uri;
    const verdict = gradcheckVerdict(g.checks, uriOf);
    const byLayer = new Map<string, TensorCheck[]>();
    for (const c of g.checks) {
        let list = byLayer.get(c.layer);
        if (!list) byLayer.set(c.layer, (list = []));
        list.push(c);
    }
    const tone = (status: string) => (status === 'passed' ? 'passed' : status === 'failed' ? 'failed' : 'skipped') as Cell['tone'];
    const statusCell = (list: readonly TensorCheck[] | undefined): Cell => {
        if (!list || list.length === 0) return { text: 'no checks' };
        const failed = list.filter(c => c.status === 'failed').length;
        const skipped = list.filter(c => c.status === 'skipped').length;
        if (failed) return { text: `✗ ${failed} of ${list.length} failed`, tone: 'failed' };
        if (skipped === list.length) return { text: `skipped (${skipped})`, tone: 'skipped' };
        return { text: `✓ ${list.length - skipped} passed${skipped ? `, ${skipped} skipped` : ''}`, tone: 'passed' };
    };
    const worst = (list: readonly TensorCheck[] | undefined) => (list && list.some(c => c.checked > 0) ? Math.max(...list.filter(c => c.checked > 0).map(c => c.maxRelError)) : null);
    const checkLabels = g.checks.map(c => `${c.scope === 'layer' ? '' : '⇢ '}${c.layer}.${c.tensor}`);
    const errors = series('check-errors', 'Largest relative error per check', 'max relative error', checkLabels, g.checks.map(c => (c.checked > 0 ? c.maxRelError : null)), true, false);
    return {
        kind: 'gradcheck',
        network: s.network,
        title: `Gradient check of ${s.network}`,
        subtitle: `${g.dtype} · seed ${g.seed} · eps ${g.eps} · atol ${g.atol} · rtol ${g.rtol} · ${result.seconds.toFixed(2)} s`,
        facts: [
            { label: 'criterion', value: '|analytic − numeric| ≤ atol + rtol·|numeric|, central differences (torch.autograd.gradcheck)' },
            { label: 'loss', value: g.loss },
            { label: 'checks', value: `${g.checks.length} tensors: each layer alone (its inputs and parameters), then end to end (the network input and every parameter)` },
        ],
        verdict,
        notes: g.dtype === 'float32' ? ['float32 finite differences are coarse: prefer float64 (convscope.gradcheck uses float64 unless told otherwise).'] : [],
        charts: [{ ...errors, reference: { value: g.rtol, label: `rtol ${g.rtol}` } }],
        tables: [{
            id: 'layers',
            caption: 'Layers',
            columns: [...LAYER_COLUMNS, { label: 'layer checks' }, { label: 'end-to-end checks' }, { label: 'max rel error', numeric: true }],
            rows: s.layers.map(l => {
                const own = byLayer.get(l.key)?.filter(c => c.scope === 'layer');
                const e2e = byLayer.get(l.key)?.filter(c => c.scope === 'network');
                const failed = [...(own ?? []), ...(e2e ?? [])].some(c => c.status === 'failed');
                return { cells: [...layerCells(l), statusCell(own), statusCell(e2e), { text: fmtNumber(worst([...(own ?? []), ...(e2e ?? [])])) }], uri: l.uri, line: l.line, ...(failed ? { tone: 'failed' as const } : {}) };
            }),
        }, {
            id: 'checks',
            caption: 'Checks, per tensor',
            columns: [{ label: 'scope' }, { label: 'layer' }, { label: 'line', numeric: true }, { label: 'tensor' }, { label: 'elements', numeric: true }, { label: 'checked', numeric: true }, { label: 'max abs err', numeric: true }, { label: 'max rel err', numeric: true }, { label: 'worst index' }, { label: 'status' }, { label: 'note' }],
            rows: g.checks.map(c => ({
                cells: [
                    { text: c.scope === 'layer' ? 'layer' : 'end to end' }, { text: c.layer }, { text: String(c.line) }, { text: c.tensor },
                    { text: fmtCount(c.elements) }, { text: fmtCount(c.checked) },
                    { text: fmtNumber(c.maxAbsError), title: String(c.maxAbsError) }, { text: fmtNumber(c.maxRelError), title: String(c.maxRelError) },
                    { text: c.worstIndex.length ? `[${c.worstIndex.join(', ')}]` : '' }, { text: c.status, tone: tone(c.status) }, { text: c.note ?? '' },
                ],
                uri: uriOf(c),
                line: c.line,
                ...(c.status === 'failed' ? { tone: 'failed' as const } : {}),
            })),
        }],
    };
}

export function viewOf(result: JobResult): ReportView | undefined {
    switch (result.kind) {
        case 'summary': return summaryView(result.summary);
        case 'run': return runView(result);
        case 'gradcheck': return gradcheckView(result);
        default: return undefined;
    }
}
