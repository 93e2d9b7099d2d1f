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
  await wb.openFile('resnet18.conv');
  lap('file');
  console.log(await wb.languageStatus.innerText());
  await wb.poll('hint', async () => (await wb.editorText()).includes('[N, 64, 112, 112]'), 20000, () => wb.editorText());
  lap('hint');
  await wb.goToLine(9);
  await page.keyboard.press('End');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.type(', groups=5');
  console.log(await wb.editorText());
  const probs = await wb.poll('problem', async () => { const p = await wb.problems(); return p.some(x => x.includes('groups')) && p; }, 20000, async () => JSON.stringify(await wb.problems()));
  console.log(probs);
  lap('problems');
  await wb.openFile('lenet5.conv');
  await wb.runCommand('Convscope: Run Gradient Check');
  await page.waitForTimeout(3000);
  console.log(await page.locator('iframe.webview').evaluateAll(els => els.map(e => e.outerHTML.slice(0, 400))));
  await page.screenshot({ path: '/tmp/explore1.png' });
  lap('gradcheck');
} finally {
  await ctx.close();
  await cs.stop();
}
