// Bundles the extension-host suite (extension/test/suite/index.ts) into out/test/suite/index.cjs,
// the module that VS Code's extensionTestsPath loads (CommonJS; `vscode` is provided by the host).
import * as esbuild from 'esbuild';

await esbuild.build({
    entryPoints: { index: 'extension/test/suite/index.ts' },
    outdir: 'out/test/suite',
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode'],
    sourcemap: 'inline',
    logLevel: 'warning',
});
