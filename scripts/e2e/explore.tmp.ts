import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createProfile, installExtension, startCodeServer } from './lib/code-server.js';
import { launchBrowser } from './lib/browser.js';
import { installCleanupHandlers } from './lib/processes.js';
import { prepareWorkspace } from './lib/workspace.js';
import { processGroup } from '../../test/e2e/procfs.js';
import { Workbench } from '../../test/e2e/workbench.js';

installCleanupHandlers();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cse2e-'));
const profile = createProfile(dir);
const ws = prepareWorkspace(path.join(dir, 'ws'));
await installExtension(profile, process.argv[2]!);
const cs = await startCodeServer(profile, ws, { logFile: path.join(dir, 'cs.log') });
const ctx = await launchBrowser(path.join(dir, 'chrome'));
const disk = () => fs.readFileSync(path.join(ws, 'resnet18.conv'), 'utf8').split('\n')[8];
try {
  const page = ctx.pages()[0] ?? await ctx.newPage();
  const wb = new Workbench(page);
  await wb.open(`${cs.url}/?folder=${ws}`);
  await wb.openFile('resnet18.conv');
  await wb.goToLine(9);
  await page.keyboard.press('End');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.type(', groups=5');
  await page.waitForTimeout(1000);
  console.log('after type: disk', disk(), 'dirty tabs', await page.locator('.tab.dirty').count());
  await page.waitForTimeout(3000);
  console.log('after 3s: disk', disk(), 'dirty tabs', await page.locator('.tab.dirty').count());
  await wb.problems();
  console.log('after problems: disk', disk(), 'dirty tabs', await page.locator('.tab.dirty').count());
  await page.keyboard.press('F1');
  await wb.quickInput.locator('.quick-input-box input').fill('>File: Revert File');
  await page.waitForTimeout(1000);
  console.log(await wb.quickInput.locator('.monaco-list-row').evaluateAll(els => els.map(e => e.getAttribute('aria-label'))));
  await page.keyboard.press('Escape');
  for (const p of processGroup(cs.child.pid!)) console.log(p.pid, p.cpuSeconds, p.cmdline.slice(0, 200));
  await wb.openFile('resnet50.conv');
  await wb.runCommand('Convscope: Run Gradient Check');
  for (let i = 0; i < 8; i++) { await page.waitForTimeout(500); console.log(processGroup(cs.child.pid!).map(p => p.pid + ':' + p.cpuSeconds).join(' ')); }
} finally {
  await ctx.close();
  await cs.stop();
}
