// Page object for VS Code 1.100's web workbench (code-server), with selectors that held in
// every run on these machines. Every wait has a time limit and says what it waited for.
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { TimeoutError } from './harness.js';

const nbsp = /\u00a0/g;

export class Workbench {
    constructor(readonly page: Page) {
        page.setDefaultTimeout(15_000);
    }

    /** Waits until `locator` reaches `state`; the error names `what`. */
    async waitFor(locator: Locator, what: string, timeoutMs = 30_000, state: 'visible' | 'hidden' | 'attached' = 'visible'): Promise<Locator> {
        try {
            await locator.first().waitFor({ state, timeout: timeoutMs });
        } catch {
            throw new TimeoutError(`timed out after ${timeoutMs / 1000} s waiting for ${what} (${state})`);
        }
        return locator;
    }

    /** Polls `probe` until it returns a value other than undefined/false; the error names `what` and the last value seen. */
    async poll<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000, describe?: () => Promise<string>): Promise<T> {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            const value = await probe().catch(() => undefined);
            if (value !== undefined && value !== false) return value;
            if (Date.now() > deadline) {
                const seen = describe ? `\nlast seen: ${await describe().catch((e) => String(e))}` : '';
                throw new TimeoutError(`timed out after ${timeoutMs / 1000} s waiting for ${what}${seen}`);
            }
            await this.page.waitForTimeout(250);
        }
    }

    async open(url: string): Promise<void> {
        await this.page.goto(url, { timeout: 60_000 });
        await this.waitFor(this.page.locator('.monaco-workbench'), 'the workbench', 60_000);
        await this.waitFor(this.page.locator('.explorer-folders-view .monaco-list-row'), 'the explorer to list the workspace', 60_000);
    }

    /** Closes whatever quick input, widget or notification has focus. */
    async escape(times = 2): Promise<void> {
        for (let i = 0; i < times; i++) await this.page.keyboard.press('Escape');
    }

    get quickInput(): Locator {
        return this.page.locator('.quick-input-widget');
    }

    private async pickQuickInputRow(label: string, what: string, timeoutMs: number): Promise<void> {
        const row = this.quickInput.locator('.monaco-list-row', { hasText: label });
        await this.waitFor(row, what, timeoutMs);
        await row.first().click();
    }

    /** Opens a workspace file through Quick Open (Ctrl+P). */
    async openFile(name: string): Promise<void> {
        await this.escape();
        await this.page.keyboard.press('Control+P');
        const input = this.quickInput.locator('.quick-input-box input');
        await this.waitFor(input, 'the Quick Open box');
        await input.fill(name);
        await this.pickQuickInputRow(name, `Quick Open to list ${name}`, 30_000);
        await this.waitFor(this.page.locator('.tabs-container .tab.active', { hasText: name }), `the editor tab of ${name}`);
        await this.waitFor(this.editorLines, `the text of ${name}`);
    }

    /** Runs a command by its title through the command palette (F1). */
    async runCommand(title: string): Promise<void> {
        await this.escape();
        // Focus the workbench (not a webview) first; there may be no text editor to click.
        await this.editorLines.first().click({ timeout: 2_000 }).catch(() => undefined);
        await this.page.keyboard.press('F1');
        const input = this.quickInput.locator('.quick-input-box input');
        await this.waitFor(input, 'the command palette');
        await input.fill(`>${title}`);
        // The row of exactly this command (its aria-label: the title, then any keybinding), not the first match.
        const quoted = title.replace(/["\\]/g, '\\$&');
        const row = this.quickInput.locator(`.monaco-list-row[aria-label="${quoted}"], .monaco-list-row[aria-label^="${quoted}, "]`);
        await this.waitFor(row, `the command palette to offer "${title}"`);
        await row.first().click();
    }

    /** Moves the cursor to a 1-based line (Quick Open's `:line`). */
    async goToLine(line: number, column?: number): Promise<void> {
        await this.escape();
        await this.page.keyboard.press('Control+P');
        const input = this.quickInput.locator('.quick-input-box input');
        await this.waitFor(input, 'the Quick Open box');
        await input.fill(column ? `:${line}:${column}` : `:${line}`);
        await this.page.keyboard.press('Enter');
        await this.waitFor(this.quickInput, 'Quick Open to close', 10_000, 'hidden');
    }

    get editorLines(): Locator {
        return this.page.locator('.editor-group-container.active .monaco-editor .view-lines');
    }

    /** The rendered text (inlay hints included, plain spaces) of the active editor's first visible line containing `text`. */
    async editorLine(text: string): Promise<string | undefined> {
        const lines = await this.editorLines.locator('.view-line').evaluateAll((els) => els.map((e) => e.textContent ?? ''));
        return lines.map((l) => l.replace(nbsp, ' ')).find((l) => l.includes(text));
    }

    get languageStatus(): Locator {
        return this.page.locator('#status\\.editor\\.mode');
    }

    /** Opens the Problems panel and returns its rows' aria-labels (severity, message, line). */
    async problems(): Promise<string[]> {
        const rows = this.page.locator('.markers-panel .monaco-list-row');
        if (!(await this.page.locator('.markers-panel').isVisible())) {
            await this.page.keyboard.press('Control+Shift+M');
            await this.waitFor(this.page.locator('.markers-panel'), 'the Problems panel');
        }
        return (await rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''))).map((s) => s.replace(nbsp, ' '));
    }

    get notifications(): Locator {
        return this.page.locator('.notifications-toasts .notification-toast');
    }

    notification(text: string | RegExp): Locator {
        return this.notifications.filter({ hasText: text });
    }

    /**
     * The webview whose document has an element matching `selector`: its content (the outer
     * iframe.webview, then its #active-frame) and the outer iframe element (for screenshots).
     */
    async webview(selector: string, what: string, timeoutMs = 30_000): Promise<{ content: FrameLocator; element: Locator }> {
        return this.poll(what, async () => {
            const frames = this.page.locator('iframe.webview');
            for (let i = (await frames.count()) - 1; i >= 0; i--) {
                const element = frames.nth(i);
                const content = element.contentFrame().frameLocator('#active-frame');
                if ((await content.locator(selector).count()) > 0) return { content, element };
            }
            return undefined;
        }, timeoutMs);
    }

    async screenshot(file: string): Promise<string> {
        await this.page.screenshot({ path: file, timeout: 10_000 });
        return file;
    }
}
