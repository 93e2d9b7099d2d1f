/**
 * What the extension reads from a `.conv` text without the language server: its imports (to hand
 * the engine worker every file it needs) and its networks (for the Test Explorer, and to pick a
 * network before the server has answered). Pure functions, no VS Code.
 */

export interface NetworkAt {
    readonly name: string;
    /** 0-based lines of the declaration. */
    readonly line: number;
    readonly endLine: number;
    readonly inputs: readonly string[];
}

const IMPORT = /\bimport\s+("(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*')/g;

/** The import paths written in a `.conv` text (comments ignored). */
export function importsOf(text: string): string[] {
    const code = text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|[^"'])\/\/[^\n]*/g, '$1');
    return [...code.matchAll(IMPORT)].map(m => m[1]!.slice(1, -1).replace(/\\(.)/g, '$1'));
}

/** The networks declared in a text, by their `network Name` lines. */
export function networksInText(text: string): NetworkAt[] {
    const lines = text.split(/\r?\n/);
    const starts: Array<{ name: string; line: number; kind: string }> = [];
    let inComment = false;
    lines.forEach((raw, line) => {
        let l = raw;
        if (inComment) {
            const end = l.indexOf('*/');
            if (end < 0) return;
            l = l.slice(end + 2);
            inComment = false;
        }
        l = l.replace(/\/\*.*?\*\//g, '');
        if (l.includes('/*')) {
            inComment = true;
            l = l.slice(0, l.indexOf('/*'));
        }
        const m = /^\s*(network|block)\s+([A-Za-z_]\w*)/.exec(l);
        if (m) starts.push({ kind: m[1]!, name: m[2]!, line });
    });
    return starts.flatMap((s, i) => {
        if (s.kind !== 'network') return [];
        const endLine = (starts[i + 1]?.line ?? lines.length) - 1;
        const body = lines.slice(s.line, endLine + 1).join('\n');
        const inputs = [...body.matchAll(/^\s*input\s+([A-Za-z_]\w*)\s*:/gm)].map(m => m[1]!);
        return [{ name: s.name, line: s.line, endLine, inputs }];
    });
}
