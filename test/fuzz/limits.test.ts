/** Inputs deep enough to overflow a recursive parser get a diagnostic, not a crashed server. */
import { describe, expect, it } from 'vitest';
import { analyse } from '../helpers.js';

const wrap = (args: string) => `network P {\n    input x: [N, 3, 8, 8]\n    conv2d(${args}, kernel_size=3)\n}\n`;

describe('pathological nesting', () => {
    it.each([
        ['300 nested parentheses', wrap(`${'('.repeat(300)}8${')'.repeat(300)}`), 'brackets nested deeper than 64 levels'],
        ['a 30,000-term sum', wrap(Array(30000).fill('1').join(' + ')), 'an expression with more than 512 operators'],
        ['200 unary minus signs', wrap(`${'-'.repeat(200)}8`), 'more than 64 minus signs in a row'],
    ])('reports %s as a lexing error and still answers', async (_what, text, message) => {
        const { diagnostics } = await analyse(text);
        expect(diagnostics.some(d => typeof d.message === "string" && d.message.includes(message))).toBe(true);
        const next = await analyse(wrap('8'));
        expect(next.analysis.networks[0]!.layers[0]!.output.shape).toEqual(['N', 8, 6, 6]);
    });

    it('accepts nesting up to the limit', async () => {
        const { diagnostics, analysis } = await analyse(wrap(`${'('.repeat(60)}8${')'.repeat(60)}`));
        expect(diagnostics.filter(d => d.severity === 1)).toEqual([]);
        expect(analysis.networks[0]!.layers[0]!.output.shape).toEqual(['N', 8, 6, 6]);
    });
});
