/**
 * The program the core analyses: a language-neutral view of a `.conv` file (networks, blocks,
 * statements, calls, expressions), each node carrying its source location. The language server
 * builds it from Langium's AST; the core never sees Langium, LSP or VS Code types.
 */

/** 0-based position, the same convention as LSP. */
export interface Pos {
    readonly line: number;
    readonly character: number;
}

export interface Loc {
    readonly file: string;
    readonly start: Pos;
    readonly end: Pos;
}

export type BinaryOp = '+' | '-' | '*' | '//';

export type Expr =
    | { readonly kind: 'number'; readonly value: number; readonly isInt: boolean; readonly loc: Loc }
    | { readonly kind: 'bool'; readonly value: boolean; readonly loc: Loc }
    | { readonly kind: 'string'; readonly value: string; readonly loc: Loc }
    | { readonly kind: 'none'; readonly loc: Loc }
    | { readonly kind: 'name'; readonly name: string; readonly loc: Loc }
    | { readonly kind: 'input'; readonly loc: Loc }
    | { readonly kind: 'tuple'; readonly items: readonly Expr[]; readonly loc: Loc }
    | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr; readonly loc: Loc }
    | { readonly kind: 'neg'; readonly operand: Expr; readonly loc: Loc };

export interface Arg {
    readonly name?: string;
    readonly nameLoc?: Loc;
    readonly value: Expr;
    readonly loc: Loc;
}

export interface Call {
    readonly callee: string;
    readonly calleeLoc: Loc;
    readonly args: readonly Arg[];
    readonly loc: Loc;
}

export interface InputStmt {
    readonly kind: 'input';
    readonly name: string;
    readonly nameLoc: Loc;
    readonly dims: readonly Expr[];
    readonly loc: Loc;
}

/** `[name =] [source ->] call (-> call)*` */
export interface ChainStmt {
    readonly kind: 'chain';
    readonly name?: string;
    readonly nameLoc?: Loc;
    readonly source?: Expr;
    readonly calls: readonly Call[];
    readonly loc: Loc;
}

export type Stmt = InputStmt | ChainStmt;

export interface ParamDecl {
    readonly name: string;
    readonly nameLoc: Loc;
    readonly default?: Expr;
}

export interface GraphDecl {
    readonly kind: 'network' | 'block';
    readonly name: string;
    readonly nameLoc: Loc;
    readonly params: readonly ParamDecl[];
    readonly body: readonly Stmt[];
    readonly loc: Loc;
}

export interface Program {
    /** The file the program was read from (diagnostics outside it are lifted to call sites). */
    readonly file: string;
    /** Networks and blocks declared in this file, in source order. */
    readonly graphs: readonly GraphDecl[];
    /** Every block visible from this file: its own and those of imported files. */
    readonly blocks: ReadonlyMap<string, GraphDecl>;
}

export function locContains(outer: Loc, inner: Loc): boolean {
    return outer.file === inner.file && comparePos(outer.start, inner.start) <= 0 && comparePos(inner.end, outer.end) <= 0;
}

export function comparePos(a: Pos, b: Pos): number {
    return a.line !== b.line ? a.line - b.line : a.character - b.character;
}
