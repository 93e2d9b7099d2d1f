// The workspace the end-to-end tests open: a fresh copy of examples/ and test/e2e/workspace/, so
// edits made by the tests never touch the repository.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './code-server.js';

export function prepareWorkspace(dest: string): string {
    fs.mkdirSync(dest, { recursive: true });
    for (const from of ['examples', 'test/e2e/workspace']) {
        for (const name of fs.readdirSync(path.join(ROOT, from))) {
            if (name.endsWith('.conv')) fs.copyFileSync(path.join(ROOT, from, name), path.join(dest, name));
        }
    }
    return dest;
}
