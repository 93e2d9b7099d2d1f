/** The summary table's layer and line columns for layers inside blocks (cli/report.ts). */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { summaryTable } from '../../cli/report.js';
import { loadFiles } from '../../cli/workspace.js';

const root = path.resolve(__dirname, '../..');

async function table(file: string): Promise<string[]> {
    const { Conv, roots } = await loadFiles([path.join(root, file)]);
    const { analysis } = Conv.analysis.Analyzer.analyze(roots[0]!);
    return summaryTable(analysis.networks[0]!, file).split('\n');
}

describe('summary table', () => {
    it('shows file:line for layers of blocks imported from another file, and the name of a named block call', async () => {
        const lines = await table('examples/resnet18.conv');
        const row = (n: number) => lines.find(l => l.trimStart().startsWith(`${n} `))!;
        // 5: the first conv of `BasicBlock(64)` (line 14, unnamed), in resnet_blocks.conv line 8
        expect(row(5)).toMatch(/^\s*5\s+BasicBlock@14\s+conv2d\s+resnet_blocks\.conv:8\s+\[N, 64, 56, 56\]/);
        // 12: the first conv of `layer1 = BasicBlock(64)` on line 15
        expect(row(12)).toMatch(/^\s*12\s+layer1 = BasicBlock@15\s+conv2d\s+resnet_blocks\.conv:8\s/);
        expect(row(16)).toMatch(/^\s*16\s+layer1 = BasicBlock@15 › main\s+batch_norm2d\s+resnet_blocks\.conv:11\s/);
        // layers of the summarised file keep a bare line number
        expect(row(1)).toMatch(/^\s*1\s+conv2d\s+9\s+\[N, 64, 112, 112\]/);
    });
});
