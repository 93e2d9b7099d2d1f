// The esbuild configurations of scripts/build.mjs, shared with tests that bundle one entry point
// on their own (test/extension/worker.test.ts builds the engine worker into a scratch folder).
import * as path from 'node:path';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;

/** Node bundles: Langium's ESM uses import.meta.url in a few places; map it for CommonJS. */
export function nodeBundle(entryPoints, outdir = path.join(root, 'out')) {
    return {
        absWorkingDir: root,
        entryPoints,
        outdir,
        outExtension: { '.js': '.cjs' },
        bundle: true,
        platform: 'node',
        target: 'node20',
        format: 'cjs',
        sourcemap: true,
        logLevel: 'warning',
        define: { 'import.meta.url': 'importMetaUrl', __CONVSCOPE_VERSION__: JSON.stringify(version) },
        banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
    };
}

export function bundles() {
    return [
        nodeBundle({ 'server/main': 'server/main.ts', 'cli/main': 'cli/main.ts', 'engine/worker': 'extension/engine/worker.ts' }),
        {
            // The extension host loads this; it must not pull in Langium or the engine (the worker has them).
            absWorkingDir: root,
            entryPoints: { 'extension/main': 'extension/main.ts' },
            outdir: path.join(root, 'out'),
            outExtension: { '.js': '.cjs' },
            bundle: true,
            platform: 'node',
            target: 'node20',
            format: 'cjs',
            external: ['vscode'],
            sourcemap: true,
            logLevel: 'warning',
        },
        {
            absWorkingDir: root,
            entryPoints: { 'webview/report': 'extension/webview/report.ts' },
            outdir: path.join(root, 'out'),
            bundle: true,
            platform: 'browser',
            target: 'es2022',
            format: 'iife',
            minify: true,
            sourcemap: false,
            logLevel: 'warning',
        },
    ];
}
