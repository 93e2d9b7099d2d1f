import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createProfile, installExtension, startCodeServer } from './lib/code-server.js';
import { launchBrowser } from './lib/browser.js';
import { installCleanupHandlers } from './lib/processes.js';
import { Workbench } from '../../test/e2e/workbench.js';

installCleanupHandlers();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cse2e-'));
const profile = createProfile(dir);
let t = Date.now();
const lap = (m: string) => { console.log(m, Date.now() - t); t = Date.now(); };
await installExtension(profile, process.argv[2]!);
lap('installed');
const cs = await startCodeServer(profile, '/tmp/e2ews', { logFile: path.join(dir, 'cs.log'), env: { CONVSCOPE_E2E_RESULTS: path.join(dir, 'r.json') } });
lap('started ' + cs.url);
const ctx = await launchBrowser(path.join(dir, 'chrome'));
try {
  const page = ctx.pages()[0] ?? await ctx.newPage();
  const wb = new Workbench(page);
  await wb.open(`${cs.url}/?folder=/tmp/e2ews`);
  lap('open');
  await wb.openFile('lenet5.conv');
  await wb.runCommand('Convscope: Run Gradient Check');
  await page.waitForTimeout(2000);
  await wb.runCommand('Testing: Focus on Test Explorer View');
  await page.waitForTimeout(1500);
  console.log(await page.locator('.monaco-list-row').evaluateAll(els => els.map(e => { const a = []; for (let p = e; p; p = p.parentElement) if (p.className && typeof p.className === 'string') a.push(p.className.split(' ')[0]); return a.slice(0, 12).join('<') + ' | ' + e.getAttribute('aria-label'); })));
} finally {
  await ctx.close();
  await cs.stop();
}
