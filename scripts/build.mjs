// Bundles with esbuild: the language server, the CLI and the engine worker (CommonJS for Node 20
// and VS Code), the VS Code extension (CommonJS, `vscode` external) and the report webview's
// script (an IIFE for the browser, chart.js inside). `--watch` rebuilds on change. First, the
// WebAssembly kernels are assembled into src/engine/kernels/wasm/generated/ (scripts/build-wasm.mjs).
import * as esbuild from 'esbuild';
import { buildWasm } from './build-wasm.mjs';
import { bundles } from './bundles.mjs';

await buildWasm();

const watch = process.argv.includes('--watch');
if (watch) {
    for (const options of bundles()) await (await esbuild.context(options)).watch();
} else {
    await Promise.all(bundles().map(options => esbuild.build(options)));
}
