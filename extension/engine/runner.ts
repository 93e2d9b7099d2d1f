/**
 * The host side of an engine job: starts the worker (out/engine/worker.cjs) in a worker thread,
 * hands it the request, relays its progress, and resolves with its result. `cancel()` terminates
 * the thread — V8 stops it between two instructions, so a cancelled job ends at once, mid-layer.
 * Plain Node (worker_threads): the extension wraps it in VS Code's progress and cancellation.
 */
import { Worker } from 'node:worker_threads';
import type { JobRequest, JobResult, WorkerMessage } from './protocol.js';

export class JobCancelled extends Error {
    constructor() {
        super('cancelled');
    }
}

/** The job's own failure (bad file, unknown network...), with a message for the user. */
export class JobFailed extends Error {}

export interface JobHandle<R extends JobResult = JobResult> {
    readonly result: Promise<R>;
    /** Terminates the worker; resolves once the thread has exited. */
    cancel(): Promise<void>;
}

export function startJob<R extends JobResult = JobResult>(
    workerFile: string,
    request: JobRequest,
    onProgress: (done: number, total: number, message: string) => void = () => undefined,
): JobHandle<R> {
    const worker = new Worker(workerFile, { stdout: false, stderr: false });
    let settled = false;
    let cancelled = false;
    let exited: Promise<void>;
    const result = new Promise<R>((resolve, reject) => {
        const settle = (f: () => void) => {
            if (settled) return;
            settled = true;
            f();
        };
        worker.on('message', (message: WorkerMessage) => {
            if (message.type === 'progress') {
                if (!settled) onProgress(message.done, message.total, message.message);
            } else if (message.type === 'result') settle(() => resolve(message.result as R));
            else settle(() => reject(new JobFailed(message.message)));
        });
        worker.on('error', err => settle(() => reject(err)));
        exited = new Promise(done => worker.once('exit', () => {
            settle(() => reject(cancelled ? new JobCancelled() : new Error('the engine worker stopped without a result')));
            done();
        }));
    });
    // Copied, not transferred: .npy bytes may be views into a shared buffer pool.
    worker.postMessage(request);
    return {
        result,
        async cancel() {
            if (!settled) cancelled = true;
            await worker.terminate();
            await exited;
        },
    };
}
