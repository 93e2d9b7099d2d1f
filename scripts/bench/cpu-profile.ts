import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof` or the inspector): self time per function
 * and per source area (Chevrotain, Langium, our server, our core, Node), so the benchmark can say
 * where the time goes without opening DevTools.
 */

interface CallFrame {
    functionName: string;
    url: string;
    lineNumber: number;
    columnNumber: number;
}

/**
 * Maps positions in bundled scripts (out/**.cjs) back to their sources through the bundle's
 * source map, so self time is attributed to langium, chevrotain, server/ or src/.
 */
class SourceResolver {
    private readonly maps = new Map<string, SourceMap | null>();

    resolve(frame: CallFrame): { file: string; line: number } {
        const map = this.mapFor(frame.url);
        if (map) {
            const entry = map.findEntry(frame.lineNumber, frame.columnNumber) as { originalSource?: string; originalLine?: number };
            if (entry.originalSource) return { file: entry.originalSource.replace(/^file:\/\//, ''), line: (entry.originalLine ?? 0) + 1 };
        }
        return { file: frame.url.replace(/^file:\/\//, ''), line: frame.lineNumber + 1 };
    }

    private mapFor(url: string): SourceMap | null {
        if (!url.endsWith('.cjs') && !url.endsWith('.js')) return null;
        let map = this.maps.get(url);
        if (map === undefined) {
            const path = `${url.startsWith('file://') ? fileURLToPath(url) : url}.map`;
            map = existsSync(path) ? new SourceMap(JSON.parse(readFileSync(path, 'utf8'))) : null;
            this.maps.set(url, map);
        }
        return map;
    }
}

interface ProfileNode {
    id: number;
    callFrame: CallFrame;
    children?: number[];
}

export interface CpuProfile {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
    startTime: number;
    endTime: number;
}

/** Which part of the code a script URL belongs to. */
export function area(url: string): string {
    if (!url) return '(native / GC / idle)';
    if (url.includes('chevrotain')) return 'chevrotain (lexer, parser)';
    if (url.includes('langium')) return 'langium';
    if (url.includes('vscode-jsonrpc') || url.includes('vscode-languageserver')) return 'vscode-languageserver / jsonrpc';
    if (/[/\\]server[/\\]/.test(url)) return 'server/ (Convscope LSP services)';
    if (/[/\\]src[/\\]/.test(url)) return 'src/ (Convscope core)';
    if (url.startsWith('node:')) return 'node internals';
    return url.replace(/^.*[/\\]node_modules[/\\]/, '').split(/[/\\]/)[0] ?? url;
}

export function summarizeProfile(profile: CpuProfile, top = 15): string {
    const byId = new Map(profile.nodes.map(n => [n.id, n]));
    const self = new Map<number, number>();
    for (let i = 0; i < profile.samples.length; i++) {
        const id = profile.samples[i]!;
        self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
    }
    const total = [...self.values()].reduce((a, b) => a + b, 0);
    const functions = new Map<string, number>();
    const areas = new Map<string, number>();
    const sources = new SourceResolver();
    for (const [id, us] of self) {
        const frame = byId.get(id)!.callFrame;
        if (frame.functionName === '(idle)' || frame.functionName === '(program)') continue;
        if (frame.functionName === 'dispatch' && !frame.url) continue; // the inspector's own Profiler.stop
        const where = sources.resolve(frame);
        const file = where.file.replace(/^.*[/\\]node_modules[/\\]/, '').replace(/^(\.\.\/)+/, '');
        const key = `${frame.functionName || '(anonymous)'}  ${file}:${where.line}`;
        functions.set(key, (functions.get(key) ?? 0) + us);
        const a = frame.functionName === '(garbage collector)' ? 'garbage collector' : area(where.file);
        areas.set(a, (areas.get(a) ?? 0) + us);
    }
    const busy = [...areas.values()].reduce((a, b) => a + b, 0);
    const pct = (us: number): string => `${((100 * us) / Math.max(1, busy)).toFixed(1)}%`;
    const lines: string[] = [`busy ${(busy / 1000).toFixed(0)} ms of ${(total / 1000).toFixed(0)} ms sampled`, '', '| area | self ms | share |', '|---|---:|---:|'];
    for (const [a, us] of [...areas].sort((x, y) => y[1] - x[1])) lines.push(`| ${a} | ${(us / 1000).toFixed(0)} | ${pct(us)} |`);
    lines.push('', '| function | self ms | share |', '|---|---:|---:|');
    for (const [f, us] of [...functions].sort((x, y) => y[1] - x[1]).slice(0, top)) lines.push(`| ${f.replace(/\|/g, '\\|')} | ${(us / 1000).toFixed(0)} | ${pct(us)} |`);

    // Inclusive time: each function's own time plus everything it called (counted once per stack).
    const inclusive = new Map<string, number>();
    const children = new Map<number, number[]>(profile.nodes.map(n => [n.id, n.children ?? []]));
    const keyOf = new Map<number, string>();
    for (const n of profile.nodes) {
        const where = sources.resolve(n.callFrame);
        const file = where.file.replace(/^.*[/\\]node_modules[/\\]/, '').replace(/^(\.\.\/)+/, '');
        keyOf.set(n.id, `${n.callFrame.functionName || '(anonymous)'}  ${file}:${where.line}`);
    }
    const isChild = new Set(profile.nodes.flatMap(n => n.children ?? []));
    const visit = (id: number, active: Set<string>): number => {
        let total = self.get(id) ?? 0;
        const key = keyOf.get(id)!;
        const fresh = !active.has(key);
        if (fresh) active.add(key);
        for (const child of children.get(id) ?? []) total += visit(child, active);
        if (fresh) {
            active.delete(key);
            inclusive.set(key, (inclusive.get(key) ?? 0) + total);
        }
        return total;
    };
    for (const n of profile.nodes) if (!isChild.has(n.id)) visit(n.id, new Set());
    const ours = [...inclusive].filter(([k]) => /\s(server|src)\//.test(k) || /(buildDocuments|parse|computeLocalScopes|link|updateReferences|validateDocument|getInlayHints|collectExportedSymbols)\s/.test(k.split('  ')[0] + ' '));
    lines.push('', '| our functions and Langium build phases | inclusive ms | share |', '|---|---:|---:|');
    for (const [f, us] of ours.sort((x, y) => y[1] - x[1]).slice(0, top)) lines.push(`| ${f.replace(/\|/g, '\\|')} | ${(us / 1000).toFixed(0)} | ${pct(us)} |`);
    return lines.join('\n');
}
