/**
 * Runs engine jobs for the commands: one worker thread per job (out/engine/worker.cjs), VS Code's
 * cancellable progress notification with per-layer increments, and cancellation (the button or a
 * caller's token) terminating the worker at once.
 */
import * as vscode from 'vscode';
import type { JobRequest, JobResult } from './engine/protocol.js';
import { JobCancelled, startJob } from './engine/runner.js';

export class EngineService {
    constructor(private readonly workerFile: string) {}

    /** The job's result, or undefined when it was cancelled. Failures reject (JobFailed for the user's own problems). */
    async run<K extends JobResult['kind']>(title: string, request: JobRequest & { kind: K }, token?: vscode.CancellationToken): Promise<Extract<JobResult, { kind: K }> | undefined> {
        return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, own) => {
            let reported = 0;
            const job = startJob<Extract<JobResult, { kind: K }>>(this.workerFile, request, (done, total, message) => {
                const fraction = total > 0 ? Math.min(1, (done + 1) / total) : 0;
                const increment = Math.max(0, fraction * 100 - reported);
                reported += increment;
                progress.report({ increment, message });
            });
            const cancel = () => void job.cancel();
            const subscriptions = [own.onCancellationRequested(cancel), ...(token ? [token.onCancellationRequested(cancel)] : [])];
            if (token?.isCancellationRequested) cancel();
            try {
                return await job.result;
            } catch (err) {
                if (err instanceof JobCancelled) return undefined;
                throw err;
            } finally {
                subscriptions.forEach(s => s.dispose());
            }
        });
    }
}
