/** The TypeScript port of the fixture generators' PRNG reproduces the Python one bit for bit. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FixtureRng, fixtureValues } from '../support/fixture-rng.js';

const dir = path.resolve(__dirname, '../fixtures/engine');

describe('the fixture PRNG port', () => {
    for (const file of fs.readdirSync(dir).filter(f => f.endsWith('.json'))) {
        it(`matches the prngCheck of ${file}`, () => {
            const check = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')).prngCheck as { seed: number; label: string; next: number[]; values: number[] };
            const rng = new FixtureRng(check.seed, check.label);
            expect(check.next.map(() => rng.next())).toEqual(check.next);
            expect([...fixtureValues(check.seed, check.label, check.values.length)]).toEqual(check.values.map(v => v));
        });
    }
});
