// Debian's Chromium driven by playwright-core (never `playwright install`: it downloads).
import * as fs from 'node:fs';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.CONVSCOPE_E2E_CHROMIUM ?? '/usr/bin/chromium';

export async function launchBrowser(profileDir: string): Promise<BrowserContext> {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: run scripts/e2e/install.sh (or set CONVSCOPE_E2E_CHROMIUM)`);
    fs.mkdirSync(profileDir, { recursive: true });
    return chromium.launchPersistentContext(profileDir, {
        executablePath: CHROMIUM,
        headless: process.env.CONVSCOPE_E2E_HEADED ? false : true,
        timeout: 60_000,
        viewport: { width: 1600, height: 1000 },
        // Without the networking flags Chromium keeps trying hosts this machine cannot reach.
        args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
        ],
    });
}
