// LSP benchmark runner (`npm run bench:lsp [-- --edits 30 --warmup 5 --only residual-1000 --cpu-prof --json out/bench/lsp.json]`).
// Bundles scripts/bench/lsp-bench.ts with esbuild (the same way scripts/build.mjs bundles the server, so
// the in-process numbers are for the same code the server runs) and runs it; lsp-bench.ts builds the
// server bundle when it is missing or stale, starts it over stdio and prints a markdown table.
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'out/bench/lsp-bench.cjs');

await esbuild.build({
    entryPoints: [join(root, 'scripts/bench/lsp-bench.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    logLevel: 'warning',
    define: { 'import.meta.url': 'importMetaUrl' },
    banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
});

const result = spawnSync(process.execPath, ['--enable-source-maps', outfile, ...process.argv.slice(2)], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, BENCH_ROOT: root },
});
process.exit(result.status ?? 1);
