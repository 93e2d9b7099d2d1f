/** Builds the core's language-neutral Program from Langium's AST, remembering which node made which. */
import { AstUtils, GrammarAST, isCompositeCstNode, type AstNode, type CstNode, type LangiumDocument } from 'langium';
import type { Range } from 'vscode-languageserver-types';
import type * as ast from '../language/generated/ast.js';
import type { Arg, Call, Expr, GraphDecl, Loc, ParamDecl, Stmt } from '../src/program.js';
import { assertNever } from '../src/util/assert.js';

export interface Converted {
    readonly graphs: readonly GraphDecl[];
    /** IR node for each statement and call AST node of this document. */
    readonly stmtOf: ReadonlyMap<AstNode, Stmt>;
    readonly callOf: ReadonlyMap<AstNode, Call>;
    readonly graphOf: ReadonlyMap<AstNode, GraphDecl>;
}

const EMPTY: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** The feature of the assignment each grammar element belongs to (null: none), cached per element. */
const features = new WeakMap<GrammarAST.AbstractElement, string | null>();

function featureOf(element: GrammarAST.AbstractElement | undefined): string | null {
    if (!element) return null;
    let feature = features.get(element);
    if (feature === undefined) {
        feature = AstUtils.getContainerOfType(element, GrammarAST.isAssignment)?.feature ?? null;
        features.set(element, feature);
    }
    return feature;
}

/**
 * The first CST node of `element` assigned to `property`: what GrammarUtils.findNodeForProperty
 * finds (the node's own children, depth first, not entering other AST nodes), without building
 * the list of every match.
 */
function findNodeForProperty(node: CstNode, property: string, element: AstNode): CstNode | undefined {
    if (!isCompositeCstNode(node) || node.astNode !== element) return undefined;
    for (const child of node.content) {
        if (featureOf(child.grammarSource) === property) return child;
        const found = findNodeForProperty(child, property, element);
        if (found) return found;
    }
    return undefined;
}

/** A node's text, read from its one visible token when it has one (a composite node's `text` walks the tree twice). */
function tokenText(cst: CstNode | undefined): string | undefined {
    if (!cst) return undefined;
    if (!isCompositeCstNode(cst)) return cst.text;
    let token: CstNode | undefined;
    for (const child of cst.content) {
        if (child.hidden) continue;
        if (token || isCompositeCstNode(child)) return cst.text;
        token = child;
    }
    return token ? token.text : cst.text;
}

export function convertDocument(document: LangiumDocument<ast.Model>): Converted {
    const file = document.uri.toString();
    const stmtOf = new Map<AstNode, Stmt>();
    const callOf = new Map<AstNode, Call>();
    const graphOf = new Map<AstNode, GraphDecl>();
    const loc = (node: AstNode | undefined): Loc => {
        const range = node?.$cstNode?.range ?? EMPTY;
        return { file, start: range.start, end: range.end };
    };
    const propLoc = (node: AstNode, property: string): Loc => {
        const cst = node.$cstNode ? findNodeForProperty(node.$cstNode, property, node) : undefined;
        return cst ? { file, start: cst.range.start, end: cst.range.end } : loc(node);
    };
    const expr = (e: ast.Expression | undefined): Expr => {
        if (!e || (e.$type as string) === 'Expression') return { kind: 'none', loc: loc(e) }; // an operand lost to a syntax error (missing, or an empty node from recovery)
        switch (e.$type) {
            case 'NumberLit': {
                const text = tokenText(e.$cstNode) ?? String(e.value);
                return { kind: 'number', value: e.value, isInt: /^\d+$/.test(text), loc: loc(e) };
            }
            case 'BoolLit':
                return { kind: 'bool', value: e.value === true, loc: loc(e) };
            case 'StringLit':
                return { kind: 'string', value: e.value, loc: loc(e) };
            case 'NoneLit':
                return { kind: 'none', loc: loc(e) };
            case 'InputRef':
                return { kind: 'input', loc: loc(e) };
            case 'SymbolRef':
                return { kind: 'name', name: e.binding.$refText, loc: loc(e) };
            case 'ParenExpr':
                if (!e.comma && e.items.length === 1) return expr(e.items[0]!);
                return { kind: 'tuple', items: e.items.map(expr), loc: loc(e) };
            case 'ListExpr':
                return { kind: 'tuple', items: e.items.map(expr), loc: loc(e) };
            case 'BinaryExpr':
                return { kind: 'binary', op: e.op as '+' | '-' | '*' | '//', left: expr(e.left), right: expr(e.right), loc: loc(e) };
            case 'NegExpr':
                return { kind: 'neg', operand: expr(e.operand), loc: loc(e) };
            default:
                return assertNever(e, 'expression');
        }
    };
    const arg = (a: ast.Argument): Arg => ({
        name: a.name,
        nameLoc: a.name !== undefined ? propLoc(a, 'name') : undefined,
        value: expr(a.value),
        loc: loc(a),
    });
    const call = (c: ast.Call): Call => {
        const ir: Call = { callee: c.callee.$refText, calleeLoc: c.callee.$refNode ? { file, start: c.callee.$refNode.range.start, end: c.callee.$refNode.range.end } : loc(c), args: c.args.map(arg), loc: loc(c) };
        callOf.set(c, ir);
        return ir;
    };
    const stmt = (s: ast.Statement): Stmt => {
        let ir: Stmt;
        if (s.$type === 'InputDecl') {
            ir = { kind: 'input', name: s.name, nameLoc: propLoc(s, 'name'), dims: s.dims.map(expr), loc: loc(s) };
        } else {
            ir = {
                kind: 'chain',
                name: s.name,
                nameLoc: s.name !== undefined ? propLoc(s, 'name') : undefined,
                source: s.source ? expr(s.source) : undefined,
                calls: s.calls.filter(c => c.callee !== undefined).map(call), // recovery can leave a call without its name
                loc: loc(s),
            };
        }
        stmtOf.set(s, ir);
        return ir;
    };
    const param = (p: ast.Param): ParamDecl => ({ name: p.name, nameLoc: propLoc(p, 'name'), default: p.default ? expr(p.default) : undefined });
    const graphs: GraphDecl[] = [];
    for (const d of document.parseResult.value.declarations) {
        if (!d.name) continue;
        const g: GraphDecl = {
            kind: d.$type === 'Network' ? 'network' : 'block',
            name: d.name,
            nameLoc: propLoc(d, 'name'),
            params: d.params.filter(p => p.name).map(param),
            body: d.body.map(stmt),
            loc: loc(d),
        };
        graphOf.set(d, g);
        graphs.push(g);
    }
    return { graphs, stmtOf, callOf, graphOf };
}

export function containerGraph(node: AstNode): ast.Declaration | undefined {
    return AstUtils.getContainerOfType(node, (n): n is ast.Declaration => n.$type === 'Network' || n.$type === 'Block');
}
