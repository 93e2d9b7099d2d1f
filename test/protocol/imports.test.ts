/**
 * Imports resolve in a server started with no workspace folder (a single file opened from
 * anywhere, or a client that sends only the file): the imported file is read from disk.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureServerBundle, LspClient } from '../../scripts/bench/lsp-client.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let client: LspClient;

beforeAll(async () => {
    ensureServerBundle(ROOT);
    client = LspClient.start({ root: ROOT });
    await client.initialize(null);
}, 180_000);

afterAll(async () => {
    await client?.stop();
});

describe('a server without workspace folders', () => {
    it('reads an imported file from disk, and its blocks resolve', async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convscope-imports-'));
        fs.mkdirSync(path.join(dir, 'lib'));
        fs.writeFileSync(path.join(dir, 'lib', 'blocks.conv'), 'block Twice(c) {\n    conv2d(c, 3, padding=1) -> conv2d(c, 3, padding=1)\n}\n');
        const text = 'import "lib/blocks.conv"\nnetwork A {\n    input x: [N, 3, 8, 8]\n    Twice(4)\n}\n';
        const file = path.join(dir, 'net.conv');
        fs.writeFileSync(file, text);
        const uri = pathToFileURL(file).toString();
        await client.open(uri, text);
        const published = await client.waitForDiagnostics(uri, { timeoutMs: 20_000 });
        expect(published.diagnostics.map(d => d.message)).toEqual([]);
    });
});
