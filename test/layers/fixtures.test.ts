/**
 * Conformance against PyTorch 1.13: every case of test/fixtures/layers/<family>.json (made by
 * scripts/gen_layer_fixtures.py) goes through probeLayer, i.e. the analysis a written program
 * gets. When PyTorch raised, we must report at least one error; when it succeeded, no error and
 * exactly its shape, parameter count and MACs (warnings and information are allowed).
 */
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { probeLayer, type JsonArg } from '../../src/analysis/probe.js';
import { getLayer } from '../../src/layers/index.js';
import type { Shape } from '../../src/layers/types.js';

interface Case {
    readonly layer: string;
    readonly inputs: Shape[];
    readonly args: Record<string, JsonArg>;
    readonly expect: { shape: Shape; params: number; macs: number } | { error: string };
}

const dir = fileURLToPath(new URL('../fixtures/layers/', import.meta.url));
const families = readdirSync(dir).filter(f => f.endsWith('.json')).map(f => f.replace(/\.json$/, '')).sort();

function load(family: string): Case[] {
    return (JSON.parse(readFileSync(join(dir, `${family}.json`), 'utf8')) as { cases: Case[] }).cases;
}

/** Arguments our schema reads as floats: JSON writes 2.0 as 2, so mark them to stay floats. */
function floatArgs(layer: string): Set<string> {
    const def = getLayer(layer);
    return new Set((def?.args ?? []).filter(a => a.type.kind === 'float' || a.type.kind === 'floats').map(a => a.name));
}

function title(c: Case): string {
    const args = Object.entries(c.args).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
    const outcome = 'error' in c.expect ? `raises "${c.expect.error.slice(0, 60)}"` : `→ ${JSON.stringify(c.expect.shape)}`;
    return `${c.layer}(${args}) on ${c.inputs.map(s => JSON.stringify(s)).join(', ')} ${outcome}`;
}

describe.each(families)('%s fixtures match PyTorch', family => {
    const cases = load(family).map(c => [title(c), c] as const);
    it.each(cases)('%s', (_, c) => {
        const result = probeLayer(c.layer, c.inputs, c.args, floatArgs(c.layer));
        const errors = result.issues.filter(i => i.severity === 'error').map(i => `${i.code}: ${i.message}`);
        if ('error' in c.expect) {
            expect(errors.length, `PyTorch raises "${c.expect.error}" but we report no error (shape ${JSON.stringify(result.shape)})`).toBeGreaterThan(0);
            return;
        }
        expect(errors, 'PyTorch accepts this call').toEqual([]);
        expect({ shape: result.shape, params: result.params, macs: result.macs }).toEqual(c.expect);
    });
});
