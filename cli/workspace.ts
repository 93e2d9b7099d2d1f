/** Loads `.conv` files (and, transitively, what they import) into Langium documents for the CLI. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EmptyFileSystem, URI, type LangiumDocument } from 'langium';
import { NodeFileSystem } from 'langium/node';
import type * as ast from '../language/generated/ast.js';
import { createConvServices } from '../server/conv-module.js';
import { resolveImport } from '../server/conv-analysis.js';

export class CliError extends Error {}

export async function loadFiles(files: readonly string[]) {
    const { shared, Conv } = createConvServices(NodeFileSystem);
    const documents = shared.workspace.LangiumDocuments;
    const roots: Array<LangiumDocument<ast.Model>> = [];
    const all = new Map<string, LangiumDocument<ast.Model>>();
    const queue: URI[] = [];
    for (const file of files) {
        const abs = path.resolve(file);
        if (!fs.existsSync(abs)) throw new CliError(`${file}: no such file`);
        if (fs.statSync(abs).isDirectory()) throw new CliError(`${file}: is a directory, expected a .conv file`);
        const uri = URI.file(abs);
        const doc = (await documents.getOrCreateDocument(uri)) as LangiumDocument<ast.Model>;
        roots.push(doc);
        all.set(uri.toString(), doc);
        queue.push(uri);
    }
    while (queue.length > 0) {
        const uri = queue.shift()!;
        const doc = all.get(uri.toString())!;
        for (const imp of doc.parseResult.value.imports) {
            if (!imp.path) continue;
            const target = resolveImport(uri, imp.path);
            if (all.has(target.toString()) || !fs.existsSync(target.fsPath) || fs.statSync(target.fsPath).isDirectory()) continue;
            const imported = (await documents.getOrCreateDocument(target)) as LangiumDocument<ast.Model>;
            all.set(target.toString(), imported);
            queue.push(target);
        }
    }
    await shared.workspace.DocumentBuilder.build([...all.values()], { validation: true });
    return { Conv, roots };
}

/**
 * The same from texts held in memory (the editor's documents, unsaved edits included): `files`
 * are the roots and everything they import, by URI; imports of files not given stay missing.
 */
export async function loadTexts(files: ReadonlyArray<{ readonly uri: string; readonly text: string }>, roots: readonly string[]) {
    const { shared, Conv } = createConvServices(EmptyFileSystem);
    const factory = shared.workspace.LangiumDocumentFactory;
    const documents = shared.workspace.LangiumDocuments;
    const all = new Map<string, LangiumDocument<ast.Model>>();
    for (const file of files) {
        const uri = URI.parse(file.uri);
        if (all.has(uri.toString())) continue;
        const doc = factory.fromString<ast.Model>(file.text, uri);
        documents.addDocument(doc);
        all.set(uri.toString(), doc);
    }
    const found = roots.map(r => {
        const doc = all.get(URI.parse(r).toString());
        if (!doc) throw new CliError(`${r}: not among the documents given`);
        return doc;
    });
    await shared.workspace.DocumentBuilder.build([...all.values()], { validation: true });
    return { Conv, roots: found };
}

/** A path for messages: relative to the working directory when inside it. */
export function displayPath(uri: string): string {
    const fsPath = URI.parse(uri).fsPath;
    const rel = path.relative(process.cwd(), fsPath);
    return rel.startsWith('..') || path.isAbsolute(rel) ? fsPath : rel;
}
