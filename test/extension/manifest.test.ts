/**
 * The extension's declarative side, without VS Code: package.json's contributions (command titles
 * the end-to-end tests type, menus, settings the server and the engine read, trust), the
 * snippets (each one expands to a file the analysis accepts), the text helpers the extension uses
 * before the server answers, and that nothing in the extension reaches for the network.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importsOf, networksInText } from '../../extension/text.js';
import { ConvInlayHintProvider, SETTINGS_SECTION } from '../../server/conv-inlay-hints.js';
import { GRADCHECK_DEFAULTS } from '../../src/engine/gradcheck.js';
import { analyse, Conv } from '../helpers.js';

const root = path.resolve(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const contributes = pkg.contributes;

describe('package.json', () => {
    it('contributes the four commands with the titles people (and the end-to-end tests) type', () => {
        expect(contributes.commands.map((c: { category: string; title: string; command: string }) => [c.command, `${c.category}: ${c.title}`])).toEqual([
            ['convscope.run', 'Convscope: Run Forward and Backward Pass'],
            ['convscope.gradcheck', 'Convscope: Run Gradient Check'],
            ['convscope.showSummary', 'Convscope: Show Network Summary'],
            ['convscope.exportPyTorch', 'Convscope: Export to PyTorch'],
        ]);
        const ids = new Set(contributes.commands.map((c: { command: string }) => c.command));
        for (const [menu, items] of Object.entries(contributes.menus as Record<string, Array<{ command: string; when: string }>>)) {
            for (const item of items) {
                expect(ids.has(item.command), `${menu}: ${item.command}`).toBe(true);
                expect(item.when, `${menu}: ${item.command}`).toMatch(/LangId == conv/);
            }
        }
    });

    it('activates on .conv files and starts from the bundled client', () => {
        expect(pkg.main).toBe('./out/extension/main.cjs');
        expect(pkg.activationEvents).toEqual(['onLanguage:conv', 'workspaceContains:**/*.conv']);
        expect(pkg.engines.vscode).toBe('^1.90.0');
        expect(pkg.devDependencies['@types/vscode']).toMatch(/^~?1\.90\./);
    });

    it('declares the language with its configuration, grammar, snippets and icon, all shipped', () => {
        const [language] = contributes.languages;
        expect(language).toMatchObject({ id: 'conv', extensions: ['.conv'], configuration: './language-configuration.json' });
        const files = [language.configuration, language.icon.light, language.icon.dark, contributes.grammars[0].path, contributes.snippets[0].path, pkg.icon];
        for (const f of files) expect(fs.existsSync(path.join(root, f)), f).toBe(true);
        expect(JSON.parse(fs.readFileSync(path.join(root, contributes.grammars[0].path), 'utf8')).scopeName).toBe(contributes.grammars[0].scopeName);
    });

    it('says it is safe in untrusted workspaces because it runs no workspace code', () => {
        expect(pkg.capabilities.untrustedWorkspaces.supported).toBe(true);
        expect(pkg.capabilities.untrustedWorkspaces.description).toMatch(/executes no code from the workspace/);
    });

    it('describes every setting, with the engine\'s defaults and the names the language server reads', () => {
        const props = contributes.configuration.properties as Record<string, { default: unknown; description?: string; markdownDescription?: string }>;
        for (const [key, p] of Object.entries(props)) {
            expect(key.startsWith(`${SETTINGS_SECTION}.`), key).toBe(true);
            expect((p.description ?? p.markdownDescription ?? '').length, key).toBeGreaterThan(20);
        }
        const hints = new ConvInlayHintProvider(Conv).options;
        for (const [k, v] of Object.entries(hints)) expect(props[`convscope.inlayHints.${k}`]?.default, k).toBe(v);
        expect(Object.keys(props).filter(k => k.startsWith('convscope.inlayHints.')).sort()).toEqual(Object.keys(hints).map(k => `convscope.inlayHints.${k}`).sort());
        expect(props['convscope.gradcheck.eps']!.default).toBe(GRADCHECK_DEFAULTS.eps);
        expect(props['convscope.gradcheck.atol']!.default).toBe(GRADCHECK_DEFAULTS.atol);
        expect(props['convscope.gradcheck.rtol']!.default).toBe(GRADCHECK_DEFAULTS.rtol);
        expect(props['convscope.gradcheck.maxElements']!.default).toBe(GRADCHECK_DEFAULTS.maxElements);
        expect(props['convscope.seed']!.default).toBe(GRADCHECK_DEFAULTS.seed);
        for (const key of ['seed', 'dtype', 'mode', 'memoryBudget', 'threads']) expect(props[`convscope.${key}`], key).toBeDefined();
    });

    it('ships only the bundles and the declarative files', () => {
        const ignore = fs.readFileSync(path.join(root, '.vscodeignore'), 'utf8').split('\n').filter(l => l && !l.startsWith('#'));
        expect(ignore[0]).toBe('**');
        expect(ignore.filter(l => l.startsWith('!out/'))).toEqual(['!out/extension/main.cjs', '!out/server/main.cjs', '!out/engine/worker.cjs', '!out/webview/report.js']);
    });
});

describe('snippets', () => {
    const snippets = JSON.parse(fs.readFileSync(path.join(root, 'snippets/conv.json'), 'utf8')) as Record<string, { prefix: string | string[]; body: string[] }>;
    /** The snippet as inserted when every placeholder keeps its default. */
    const expand = (body: string[]) => body.join('\n').replace(/\$\{\d+:([^}]*)\}/g, '$1').replace(/\$\d+/g, '');

    it.each(Object.keys(snippets).filter(k => !['input', 'import'].includes(k)))('"%s" expands to a file the analysis accepts', async name => {
        const text = expand(snippets[name]!.body);
        const block = /^block (\w+)\((\w+)/.exec(text);
        const program = block ? `${text}\nnetwork Use {\n    input x: [N, 16, 32, 32]\n    ${block[1]}(16)\n}\n` : text;
        const { diagnostics, analysis } = await analyse(program);
        expect(diagnostics.filter(d => d.severity === 1 || d.severity === 2).map(d => d.message)).toEqual([]);
        expect(analysis.networks.every(n => !n.incomplete)).toBe(true);
    });
});

describe('reading .conv text without the server', () => {
    it('finds imports in either quote style and ignores commented-out ones', () => {
        expect(importsOf('import "a.conv"\n// import "b.conv"\n/* import "c.conv" */\nimport \'lib/d.conv\';\nnetwork N { input x: [N, 3] }')).toEqual(['a.conv', 'lib/d.conv']);
    });

    it('finds networks with their lines and inputs, skipping blocks and comments', () => {
        const text = 'import "x.conv"\n/* network Old {\n} */\nnetwork A(c = 3) {\n    input image: [N, 3, 8, 8]\n    relu()\n}\n\nblock B(c) {\n    relu()\n}\n// network C {\nnetwork D {\n    input a: [N, 4]\n    input b: [N, 4]\n    add(a, b)\n}\n';
        expect(networksInText(text)).toEqual([
            { name: 'A', line: 3, endLine: 7, inputs: ['image'] },
            { name: 'D', line: 12, endLine: 17, inputs: ['a', 'b'] },
        ]);
    });
});

describe('no network access', () => {
    it('the extension and its webview use no remote URL and no networking API', () => {
        const files = [...walk(path.join(root, 'extension')), path.join(root, 'media/report.css')].filter(f => /\.(ts|css|html)$/.test(f));
        expect(files.length).toBeGreaterThan(10);
        for (const f of files) {
            const text = fs.readFileSync(f, 'utf8');
            expect(text, f).not.toMatch(/https?:\/\/|\bfetch\(|XMLHttpRequest|WebSocket|node:https?\b|from 'https?'|node:net\b|node:dgram/);
        }
    });
});

function walk(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}
