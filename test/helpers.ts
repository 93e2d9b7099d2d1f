/** Shared test helpers: Conv services over an in-memory file system, parsing and analysing text. */
import { EmptyFileSystem, URI, type LangiumDocument } from 'langium';
import { parseHelper } from 'langium/test';
import type * as ast from '../language/generated/ast.js';
import { createConvServices } from '../server/conv-module.js';

export const services = createConvServices(EmptyFileSystem);
export const Conv = services.Conv;
const parse = parseHelper<ast.Model>(Conv);

let counter = 0;

/** Parses, links and validates `text` as a fresh document (optionally at a given path). */
export async function document(text: string, path?: string): Promise<LangiumDocument<ast.Model>> {
    const uri = path ?? `file:///test/doc${counter++}.conv`;
    return parse(text, { documentUri: uri, validation: true });
}

export async function analyse(text: string) {
    const doc = await document(text);
    return { doc, ...Conv.analysis.Analyzer.analyze(doc), diagnostics: doc.diagnostics ?? [] };
}

export { URI };
