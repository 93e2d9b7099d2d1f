/** The engine worker's entry point (bundled to out/engine/worker.cjs): one job per worker thread. */
import '../../polyfill.cjs';
import { parentPort } from 'node:worker_threads';
import { JobError, runJob } from './jobs.js';
import type { JobRequest, WorkerMessage } from './protocol.js';

const port = parentPort!;
const post = (message: WorkerMessage): void => {
    port.postMessage(message);
};

port.once('message', (request: JobRequest) => {
    runJob(request, (done, total, message) => post({ type: 'progress', done, total, message }))
        .then(result => post({ type: 'result', result }))
        .catch(err => post({ type: 'error', message: err instanceof JobError ? err.message : `internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}` }))
        .finally(() => port.close());
});
