/** The `convscope.*` settings the engine reads, checked and turned into job settings. */
import * as vscode from 'vscode';
import { parseSize } from '../src/util/size.js';
import type { GradcheckSettings, RunSettings } from './engine/protocol.js';

export class SettingsError extends Error {}

function integer(config: vscode.WorkspaceConfiguration, key: string, fallback: number, min: number): number {
    const v = config.get<number>(key, fallback);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new SettingsError(`convscope.${key} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
    return v;
}

function positive(config: vscode.WorkspaceConfiguration, key: string, fallback: number, allowZero: boolean): number {
    const v = config.get<number>(key, fallback);
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) throw new SettingsError(`convscope.${key} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${JSON.stringify(v)}`);
    return v;
}

function choice<T extends string>(config: vscode.WorkspaceConfiguration, key: string, allowed: readonly T[], fallback: T): T {
    const v = config.get<string>(key, fallback);
    if (!(allowed as readonly string[]).includes(v)) throw new SettingsError(`convscope.${key} must be ${allowed.map(a => `"${a}"`).join(' or ')}, got ${JSON.stringify(v)}`);
    return v as T;
}

export function runSettings(scope?: vscode.Uri): RunSettings {
    const config = vscode.workspace.getConfiguration('convscope', scope);
    const budget = config.get<string>('memoryBudget', '2GiB');
    const memoryBudget = typeof budget === 'string' && budget.trim() !== '' ? parseSize(budget) : undefined;
    if (typeof budget === 'string' && budget.trim() !== '' && memoryBudget === undefined) throw new SettingsError(`convscope.memoryBudget must be a size such as 2GiB, 512MiB or 1000000, got ${JSON.stringify(budget)}`);
    return {
        seed: integer(config, 'seed', 0, 0),
        dtype: choice(config, 'dtype', ['float32', 'float64'] as const, 'float32'),
        mode: choice(config, 'mode', ['train', 'eval'] as const, 'train'),
        batch: integer(config, 'batch', 1, 1),
        threads: integer(config, 'threads', 0, 0),
        ...(memoryBudget !== undefined ? { memoryBudget } : {}),
    };
}

/** Gradient checks run in float64, as torch.autograd.gradcheck requires. */
export function gradcheckSettings(scope?: vscode.Uri): GradcheckSettings {
    const config = vscode.workspace.getConfiguration('convscope', scope);
    return {
        ...runSettings(scope),
        dtype: 'float64',
        eps: positive(config, 'gradcheck.eps', 1e-6, false),
        atol: positive(config, 'gradcheck.atol', 1e-5, true),
        rtol: positive(config, 'gradcheck.rtol', 1e-3, true),
        maxElements: integer(config, 'gradcheck.maxElements', 4096, 1),
        fast: config.get<boolean>('gradcheck.fast', false) === true,
    };
}
