import type { BuildOptions } from 'esbuild';
/** Node bundle options (CommonJS, node20) for `entryPoints`, written to `outdir` (default out/). */
export function nodeBundle(entryPoints: Record<string, string>, outdir?: string): BuildOptions;
/** Every bundle scripts/build.mjs builds. */
export function bundles(): BuildOptions[];
