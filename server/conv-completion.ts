/**
 * Completion, on top of Langium's grammar-driven provider: where the grammar expects a callee
 * (start of a statement, after `->`) it offers the registry's layers (snippet with the required
 * arguments) and the visible blocks; where it expects a name, the names in scope at that point
 * (earlier statements, inputs, parameters); inside a call's parentheses the argument names not
 * given yet, and after `name=` the values that argument takes ('same', 'reflect', true, None).
 */
import { GrammarAST, type AstNodeDescription, type LangiumDocument, type MaybePromise, type ReferenceInfo } from 'langium';
import { DefaultCompletionProvider, type CompletionAcceptor, type CompletionContext, type CompletionProviderOptions, type CompletionValueItem, type NextFeature } from 'langium/lsp';
import type { IToken } from 'chevrotain';
import { CompletionItemKind, InsertTextFormat } from 'vscode-languageserver';
import * as ast from '../language/generated/ast.js';
import { getLayer, layers, type AnyLayer } from '../src/layers/index.js';
import type { ArgSpec } from '../src/layers/types.js';
import type { ConvServices } from './conv-module.js';
import { layerHeader } from './conv-hover.js';
import { declarationAt, ResultFinder } from './conv-nodes.js';
import { describeStatement } from './describe.js';

/** The call whose parentheses hold the cursor, read from the tokens (robust while the text does not parse). */
export interface CallSite {
    readonly callee: string;
    /** Keyword arguments written anywhere in the call, except the one at the cursor. */
    readonly named: ReadonlySet<string>;
    /** Positional arguments before the cursor's argument. */
    readonly positional: number;
    /** The argument being written when the cursor follows `name=`. */
    readonly valueOf?: string;
    /** Offset of the call's '('. */
    readonly open: number;
}

export class ConvCompletionProvider extends DefaultCompletionProvider {
    private readonly finder: ResultFinder;

    override readonly completionOptions: CompletionProviderOptions = { triggerCharacters: ['(', ',', '>', '='] };

    constructor(private readonly services: ConvServices) {
        super(services);
        this.finder = new ResultFinder(services);
    }

    protected override completionFor(context: CompletionContext, next: NextFeature, acceptor: CompletionAcceptor): MaybePromise<void> {
        const feature = next.feature;
        if (GrammarAST.isCrossReference(feature)) {
            const property = assignmentOf(feature);
            if (property === 'callee') return this.completeCallee(context, next as NextFeature<GrammarAST.CrossReference>, acceptor);
            if (property === 'binding') return this.completeExpression(context, acceptor);
            return undefined;
        }
        if (GrammarAST.isRuleCall(feature) && assignmentOf(feature) === 'name' && (next.type === 'Argument' || ruleOf(feature) === 'Argument')) {
            return this.completeArgumentNames(context, acceptor);
        }
        if (GrammarAST.isKeyword(feature)) {
            // After a comma the parser takes the optional trailing comma and only expects `)`; an argument may still follow.
            if (feature.value === ')' && ruleOf(feature) === 'Call' && !context.features.some(f => assignmentOf(f.feature) === 'name' && (f.type === 'Argument' || ruleOf(f.feature) === 'Argument'))) {
                this.completeArgumentNames(context, acceptor);
                this.completeExpression(context, acceptor);
                return undefined;
            }
            if (feature.value === 'none') return undefined;
            if (['true', 'false', 'None'].includes(feature.value)) {
                // Inside a layer call the argument at the cursor decides (its values come from completeExpression).
                const site = this.callSite(context);
                if (site && getLayer(site.callee)) return undefined;
            }
            // `input` as a tensor: offered by completeExpression, in blocks only.
            if (feature.value === 'input' && ruleOf(feature) === 'InputRef') return undefined;
        }
        return super.completionFor(context, next, acceptor);
    }

    // ---- callees ---------------------------------------------------------------------------

    private completeCallee(context: CompletionContext, next: NextFeature<GrammarAST.CrossReference>, acceptor: CompletionAcceptor): MaybePromise<void> {
        const parens = this.followedByParen(context);
        for (const layer of layers.values()) {
            acceptor(context, {
                label: layer.name,
                kind: CompletionItemKind.Function,
                detail: layer.torch,
                documentation: { kind: 'markdown', value: layerHeader(layer) },
                sortText: `1${layer.name}`,
                ...(parens ? {} : { insertText: layerSnippet(layer), insertTextFormat: InsertTextFormat.Snippet }),
            });
        }
        return super.completionForCrossReference(context, next, acceptor);
    }

    protected override createReferenceCompletionItem(description: AstNodeDescription, refInfo: ReferenceInfo, context: CompletionContext): CompletionValueItem {
        const node = description.node;
        if (refInfo.property !== 'callee' || !ast.isBlock(node)) return super.createReferenceCompletionItem(description, refInfo, context);
        const required = node.params.filter(p => !p.default).map(p => p.name);
        const params = node.params.map(p => (p.default ? `${p.name} = ${p.default.$cstNode?.text ?? ''}` : p.name)).join(', ');
        const snippet = `${node.name}(${required.map((p, i) => `\${${i + 1}:${p}}`).join(', ')})$0`;
        return {
            nodeDescription: description,
            kind: CompletionItemKind.Class,
            detail: `block ${node.name}(${params})`,
            documentation: { kind: 'markdown', value: `\`\`\`conv\nblock ${node.name}(${params})\n\`\`\`${node.$document && node.$document !== context.document ? `\n\nfrom \`${node.$document.uri.path.split('/').pop()}\`` : ''}` },
            sortText: `0${node.name}`,
            ...(this.followedByParen(context) ? {} : { insertText: snippet, insertTextFormat: InsertTextFormat.Snippet }),
        };
    }

    private followedByParen(context: CompletionContext): boolean {
        const text = context.textDocument.getText();
        return /^\s*\(/.test(text.slice(context.tokenEndOffset, context.tokenEndOffset + 64));
    }

    // ---- names and values ------------------------------------------------------------------

    /** Names readable at the cursor, and, after `name=`, the values that argument takes. */
    private completeExpression(context: CompletionContext, acceptor: CompletionAcceptor): void {
        const site = this.callSite(context);
        const spec = site ? (site.valueOf !== undefined ? argSpec(site.callee, site.valueOf) : positionalSpec(site)) : undefined;
        if (spec) for (const value of valuesOf(spec)) acceptor(context, { label: value, kind: CompletionItemKind.Value, detail: `${spec.name}${spec.default === value ? ' (default)' : ''}`, sortText: `0${value}` });
        const model = context.document.parseResult.value as ast.Model;
        const decl = declarationAt(model, context.offset);
        if (!decl) return;
        if (ast.isBlock(decl)) acceptor(context, { label: 'input', kind: CompletionItemKind.Keyword, detail: `the tensor ${decl.name} is called with`, sortText: '1input' });
        for (const p of decl.params) {
            if (!p.name) continue;
            acceptor(context, { label: p.name, kind: CompletionItemKind.Constant, detail: `parameter${p.default ? ` = ${p.default.$cstNode?.text ?? ''}` : ''}`, sortText: `2${p.name}` });
        }
        const analysis = this.finder.analysis(context.document).analysis;
        const text = context.textDocument.getText();
        for (const stmt of decl.body) {
            const cst = stmt.$cstNode;
            if (!stmt.name || !cst || cst.end > context.tokenOffset) continue;
            // The statement being written (as far as it parsed) is not in scope yet.
            if (!/[\r\n]/.test(text.slice(cst.end, context.tokenOffset)) || (site && cst.end > site.open)) continue;
            const ir = this.finder.stmtOf(context.document, stmt);
            const shape = ir ? describeStatement(analysis, ir, { shape: true, rf: false }) : undefined;
            acceptor(context, { label: stmt.name, kind: CompletionItemKind.Variable, detail: shape ?? (ast.isInputDecl(stmt) ? 'input' : 'tensor'), sortText: `1${String(cst.offset).padStart(8, '0')}` });
        }
    }

    private completeArgumentNames(context: CompletionContext, acceptor: CompletionAcceptor): void {
        const site = this.callSite(context);
        if (!site || site.valueOf !== undefined) return;
        const layer = getLayer(site.callee);
        if (layer) {
            const specs = layer.args.filter(a => a.type.kind !== 'tensors');
            const positional = layer.args.some(a => a.type.kind === 'tensors') ? 0 : site.positional;
            specs.forEach((spec, i) => {
                if (i < positional || site.named.has(spec.name) || spec.ignored) return;
                acceptor(context, {
                    label: `${spec.name}=`,
                    filterText: spec.name,
                    kind: CompletionItemKind.Property,
                    detail: spec.default === undefined ? 'required' : `default ${spec.default}`,
                    documentation: { kind: 'markdown', value: spec.doc },
                    sortText: `0${spec.default === undefined ? 0 : 1}${String(i).padStart(2, '0')}`,
                    command: { title: 'Suggest values', command: 'editor.action.triggerSuggest' },
                });
            });
            return;
        }
        const model = context.document.parseResult.value as ast.Model;
        const blocks = this.visibleBlocks(context.document, model);
        const block = blocks.find(b => b.name === site.callee);
        if (!block) return;
        block.params.forEach((p, i) => {
            if (i < site.positional || site.named.has(p.name)) return;
            acceptor(context, { label: `${p.name}=`, filterText: p.name, kind: CompletionItemKind.Property, detail: p.default ? `default ${p.default.$cstNode?.text ?? ''}` : 'required', sortText: `0${p.default ? 1 : 0}${String(i).padStart(2, '0')}` });
        });
    }

    private visibleBlocks(document: LangiumDocument, model: ast.Model): ast.Block[] {
        const own = model.declarations.filter(ast.isBlock);
        const imported = this.services.analysis.Analyzer.importClosure(document as LangiumDocument<ast.Model>).found.flatMap(d => d.parseResult.value.declarations.filter(ast.isBlock));
        return [...own, ...imported];
    }

    /** The innermost call around the cursor, from the tokens of the whole text. */
    callSite(context: CompletionContext): CallSite | undefined {
        const text = context.textDocument.getText();
        return findCallSite(this.lexer.tokenize(text).tokens, context.tokenOffset);
    }
}

/** Reads the call around `offset` from tokens: callee, keyword arguments given, positional count, `name=` at the cursor. */
export function findCallSite(tokens: readonly IToken[], offset: number): CallSite | undefined {
    let index = tokens.findIndex(t => t.startOffset >= offset);
    if (index < 0) index = tokens.length;
    // Walk back to the unclosed '(' of a call.
    let depth = 0;
    let open = -1;
    for (let i = index - 1; i >= 0; i--) {
        const image = tokens[i]!.image;
        if (image === ')' || image === ']') depth++;
        else if (image === '(' || image === '[') {
            if (depth === 0) {
                open = i;
                break;
            }
            depth--;
        } else if (depth === 0 && (image === '{' || image === '}' || image === '->')) return undefined;
    }
    if (open < 1 || tokens[open]!.image !== '(') return undefined;
    const calleeToken = tokens[open - 1]!;
    if (calleeToken.tokenType.name !== 'ID') return undefined;
    const before = tokens[open - 2];
    if (before && (before.image === 'network' || before.image === 'block')) return undefined;
    // Split the arguments at depth 0, up to the matching ')' (or where the text stops making sense).
    const args: Array<[number, number]> = [];
    let argStart = open + 1;
    depth = 0;
    let i = open + 1;
    for (; i < tokens.length; i++) {
        const image = tokens[i]!.image;
        if (image === '(' || image === '[') depth++;
        else if ((image === ')' || image === ']') && depth > 0) depth--;
        else if (depth === 0 && (image === ')' || image === ',' || image === '->' || image === '{' || image === '}')) {
            args.push([argStart, i]);
            argStart = i + 1;
            if (image !== ',') break;
        }
    }
    if (i === tokens.length) args.push([argStart, tokens.length]);
    const cursorArg = args.findIndex(([, end]) => end >= index);
    const named = new Set<string>();
    let positional = 0;
    args.forEach(([start, end], k) => {
        if (k === cursorArg || start >= end) return;
        const isNamed = tokens[start]!.tokenType.name === 'ID' && tokens[start + 1]?.image === '=';
        if (isNamed) named.add(tokens[start]!.image);
        else if (cursorArg < 0 || k < cursorArg) positional++;
    });
    // `name=` right before the cursor (nothing else typed of the value yet, or one word).
    let valueOf: string | undefined;
    const prev = tokens[index - 1];
    const prev2 = tokens[index - 2];
    if (prev?.image === '=' && prev2?.tokenType.name === 'ID' && index - 2 > open) valueOf = prev2.image;
    return { callee: calleeToken.image, named, positional, valueOf, open: tokens[open]!.startOffset };
}

function assignmentOf(feature: GrammarAST.AbstractElement): string | undefined {
    let node: GrammarAST.AbstractElement | undefined = feature;
    while (node && !GrammarAST.isAssignment(node)) node = node.$container as GrammarAST.AbstractElement | undefined;
    return node && GrammarAST.isAssignment(node) ? node.feature : undefined;
}

function ruleOf(feature: GrammarAST.AbstractElement): string | undefined {
    let node: unknown = feature;
    while (node && typeof node === 'object' && !GrammarAST.isParserRule(node)) node = (node as { $container?: unknown }).$container;
    return node && GrammarAST.isParserRule(node) ? node.name : undefined;
}

function argSpec(callee: string, name: string): ArgSpec | undefined {
    return getLayer(callee)?.args.find(a => a.name === name);
}

/** The schema entry a positional argument at the cursor binds to (none for a merge's tensors). */
function positionalSpec(site: CallSite): ArgSpec | undefined {
    const layer = getLayer(site.callee);
    if (!layer || layer.args.some(a => a.type.kind === 'tensors')) return undefined;
    return layer.args.filter(a => a.type.kind !== 'tensors')[site.positional];
}

/** The literal values an argument takes, when there are few: enum strings, 'same'/'valid', booleans, None. */
export function valuesOf(spec: ArgSpec): string[] {
    const values: string[] = [];
    const type = spec.type;
    if (type.kind === 'enum') values.push(...type.values.map(v => `'${v}'`));
    if (type.kind === 'padding' && type.strings) values.push("'same'", "'valid'");
    if (type.kind === 'bool') values.push('true', 'false');
    if ('nullable' in type && type.nullable) values.push('None');
    return values;
}

/** `conv2d(${1:out_channels}, kernel_size=${2:kernel_size})`: the required arguments as placeholders. */
export function layerSnippet(layer: AnyLayer): string {
    const required = layer.args.filter(a => a.default === undefined && !a.check);
    const parts = required.map((a, i) => {
        if (a.type.kind === 'tensors') return `\${${i + 1}}`;
        return i === 0 ? `\${${i + 1}:${a.name}}` : `${a.name}=\${${i + 1}:${a.name}}`;
    });
    return `${layer.name}(${parts.join(', ')})$0`;
}
