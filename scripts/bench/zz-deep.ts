import { LspClient } from './lsp-client.js';
const client = LspClient.start({ root: '/work/main' });
await client.initialize();
for (const d of [100, 118, 119, 130, 150]) {
  const c2 = d === 100 ? client : LspClient.start({ root: '/work/main' });
  if (d !== 100) await c2.initialize();
  const deep = `network P {\n    input x: [N, 3, 8, 8]\n    conv2d(${'('.repeat(d)}8${')'.repeat(d)}, kernel_size=3)\n}\n`;
  const from = c2.received.length;
  await c2.open('file:///t/deep.conv', deep);
  const r = await c2.waitForDiagnostics('file:///t/deep.conv', { from, timeoutMs: 4000 }).then(x => `diagnostics ${x.diagnostics.length}`, () => 'no diagnostics');
  await new Promise(r => setTimeout(r, 300));
  console.log(d, r, 'exitCode', c2.child.exitCode, c2.stderr.split('\n').filter(l => /Error|at /.test(l)).slice(0, 4).join(' | '));
  c2.kill();
}
