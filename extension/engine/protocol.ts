/**
 * Messages between the extension host and the engine worker (out/engine/worker.cjs). One worker
 * runs one job: the host posts a JobRequest, the worker posts progress messages, then one result
 * or error, and exits. Cancelling is terminating the worker. Types only: both sides import it.
 */
import type { JsonDiagnostic } from '../../cli/report.js';
import type { GradcheckReport } from '../../src/engine/gradcheck.js';
import type { RunReport } from '../../src/engine/run-report.js';

/** A document's text as the editor holds it (unsaved edits included). */
export interface DocumentText {
    readonly uri: string;
    readonly text: string;
}

interface JobBase {
    /** The file the network is declared in. */
    readonly root: string;
    /** The root and every file it imports (directly or not) that the host could read. */
    readonly documents: readonly DocumentText[];
}

export interface RunSettings {
    readonly seed: number;
    readonly dtype: 'float32' | 'float64';
    readonly mode: 'train' | 'eval';
    readonly batch: number;
    /** Bytes; undefined = the engine's default (2 GiB). */
    readonly memoryBudget?: number;
    /** Threads for large convolutions; 0 or undefined = automatic. */
    readonly threads?: number;
}

export interface GradcheckSettings extends RunSettings {
    readonly eps: number;
    readonly atol: number;
    readonly rtol: number;
    readonly maxElements: number;
    readonly fast: boolean;
}

/** A network input given as a .npy file's bytes. */
export interface NpyInput {
    readonly input: string;
    /** Where it came from, for messages. */
    readonly label: string;
    readonly bytes: Uint8Array;
}

export type JobRequest =
    | (JobBase & { readonly kind: 'networks' })
    | (JobBase & { readonly kind: 'summary'; readonly network: string })
    | (JobBase & { readonly kind: 'run'; readonly network: string; readonly settings: RunSettings; readonly inputs?: readonly NpyInput[] })
    | (JobBase & { readonly kind: 'gradcheck'; readonly network: string; readonly settings: GradcheckSettings })
    | (JobBase & { readonly kind: 'export'; readonly network: string; readonly source: string });

export interface NetworkInfo {
    readonly name: string;
    /** 0-based lines of the `network` keyword and of the closing brace. */
    readonly line: number;
    readonly endLine: number;
}

/** One primitive layer of the summary (blocks expanded), in evaluation order. */
export interface SummaryLayer {
    /** `07_conv2d`, `04_max_pool2d_stem`: the engine's key of the layer. */
    readonly key: string;
    readonly op: string;
    readonly name: string | null;
    /** Block calls from the network down to the layer (`BasicBlock@14`, `Up@16 › DoubleConv`); empty at the top. */
    readonly where: string;
    readonly uri: string;
    /** 1-based line of the layer's call. */
    readonly line: number;
    readonly shape: Array<number | string>;
    readonly params: number;
    readonly macs: number;
    /** Bytes of the output in float32. */
    readonly memory: number;
    readonly rf: { readonly size: number[]; readonly jump: number[]; readonly start: number[] } | null;
}

export interface SummaryReport {
    readonly network: string;
    readonly uri: string;
    readonly line: number;
    readonly inputs: ReadonlyArray<{ readonly name: string; readonly shape: Array<number | string> }>;
    readonly outputs: ReadonlyArray<{ readonly name: string | null; readonly shape: Array<number | string> }>;
    readonly layers: readonly SummaryLayer[];
    readonly totals: { readonly params: number; readonly macs: number; readonly memory: number };
    /** True when errors stopped part of the network from being analysed. */
    readonly incomplete: boolean;
    readonly symbolicBatch: boolean;
    readonly diagnostics: readonly JsonDiagnostic[];
}

export type JobResult =
    | { readonly kind: 'networks'; readonly networks: readonly NetworkInfo[] }
    | { readonly kind: 'summary'; readonly summary: SummaryReport }
    | { readonly kind: 'run'; readonly summary: SummaryReport; readonly run: RunReport; readonly seconds: number; readonly inputs: string }
    | { readonly kind: 'gradcheck'; readonly summary: SummaryReport; readonly gradcheck: Omit<GradcheckReport, 'cancelled'>; readonly seconds: number; readonly text: string }
    | { readonly kind: 'export'; readonly code: string; readonly classes: readonly string[] };

export type WorkerMessage =
    | { readonly type: 'progress'; readonly done: number; readonly total: number; readonly message: string }
    | { readonly type: 'result'; readonly result: JobResult }
    | { readonly type: 'error'; readonly message: string };
