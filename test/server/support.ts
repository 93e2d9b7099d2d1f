/** Helpers for the language-server tests: cursor and range markers, documents at given paths. */
import type { LangiumDocument } from 'langium';
import { replaceIndices } from 'langium/test';
import type { Diagnostic, Position, Range } from 'vscode-languageserver';
import type * as ast from '../../language/generated/ast.js';
import { Conv, document } from '../helpers.js';

export { Conv, document };

let counter = 0;

/** A fresh folder URI, so documents of one test never see another test's imports. */
export function folder(): string {
    return `file:///test/server${counter++}`;
}

/**
 * Parses `text` with markers: `<|>` marks a cursor, `<|…|>` a range (Langium's test markers).
 * Returns the document, the cursors as positions and the ranges.
 */
export async function marked(text: string, path?: string): Promise<{ doc: LangiumDocument<ast.Model>; cursors: Position[]; ranges: Range[]; offsets: number[] }> {
    const { output, indices, ranges } = replaceIndices({ text });
    const doc = await document(output, path);
    const td = doc.textDocument;
    return {
        doc,
        cursors: indices.map(i => td.positionAt(i)),
        offsets: indices,
        ranges: ranges.map(([s, e]) => ({ start: td.positionAt(s), end: td.positionAt(e) })),
    };
}

export function textAt(doc: LangiumDocument, range: Range): string {
    return doc.textDocument.getText(range);
}

/** The one diagnostic with `code`; fails listing what there is otherwise. */
export function only(doc: LangiumDocument, code: string): Diagnostic {
    const found = (doc.diagnostics ?? []).filter(d => d.code === code);
    if (found.length !== 1) throw new Error(`expected one '${code}' diagnostic, got ${found.length}: ${describeDiagnostics(doc)}`);
    return found[0]!;
}

export function withCode(doc: LangiumDocument, code: string): Diagnostic[] {
    return (doc.diagnostics ?? []).filter(d => d.code === code);
}

export function describeDiagnostics(doc: LangiumDocument): string {
    return JSON.stringify((doc.diagnostics ?? []).map(d => `${d.code} '${textAt(doc, d.range)}' ${d.message}`), null, 1);
}

export function escapeRegExp(text: string): RegExp {
    return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}

/** Applies text edits (LSP semantics: ranges refer to the original text). */
export function applyEdits(text: string, edits: ReadonlyArray<{ range: Range; newText: string }>): string {
    const lines = text.split('\n');
    const offset = (p: Position) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
    const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
    let out = text;
    for (const e of sorted) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
    return out;
}

/** `network T { input x: [N, C, H, W] … }` around a body, for short tests. */
export function net(body: string, input = '[N, 3, 32, 32]'): string {
    return `network T {\n    input x: ${input}\n${body}\n}\n`;
}
