/**
 * Runs engine jobs for the commands: one worker thread per job (out/engine/worker.cjs), VS Code's
 * cancellable progress notification with per-layer increments, and cancellation (the button or a
 * caller's token) terminating the worker at once.
 */
import * as vscode from 'vscode';
import type { JobRequest, JobResult } from './engine/protocol.js';
import { JobCancelled, startJob, type JobHandle } from './engine/runner.js';

export class EngineService implements vscode.Disposable {
    private readonly running = new Set<JobHandle>();

    constructor(private readonly workerFile: string) {}

    /** Stops every running job (the extension is deactivated). */
    dispose(): void {
        for (const job of this.running) void job.cancel();
        this.running.clear();
    }

    /**
     * The job's result, or undefined when it was cancelled. Failures reject (JobFailed for the
     * user's own problems). Runs and checks show a cancellable notification; the quick jobs
     * (summary, export) only the status bar's progress.
     */
    async run<K extends JobResult['kind']>(title: string, request: JobRequest & { kind: K }, token?: vscode.CancellationToken): Promise<Extract<JobResult, { kind: K }> | undefined> {
        const long = request.kind === 'run' || request.kind === 'gradcheck';
        const location = long ? vscode.ProgressLocation.Notification : vscode.ProgressLocation.Window;
        return vscode.window.withProgress({ location, title, cancellable: long }, async (progress, own) => {
            let reported = 0;
            const job = startJob<Extract<JobResult, { kind: K }>>(this.workerFile, request, (done, total, message) => {
                const fraction = total > 0 ? Math.min(1, (done + 1) / total) : 0;
                const increment = Math.max(0, fraction * 100 - reported);
                reported += increment;
                progress.report({ increment, message });
            });
            this.running.add(job);
            const cancel = () => void job.cancel();
            const subscriptions = [own.onCancellationRequested(cancel), ...(token ? [token.onCancellationRequested(cancel)] : [])];
            if (token?.isCancellationRequested) cancel();
            try {
                return await job.result;
            } catch (err) {
                if (err instanceof JobCancelled) return undefined;
                throw err;
            } finally {
                this.running.delete(job);
                subscriptions.forEach(s => s.dispose());
            }
        });
    }
}
