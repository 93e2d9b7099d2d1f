/**
 * The lexer, with one guard: brackets nested deeper than MAX_NESTING, runs of unary minus as
 * long, and expressions of more than MAX_OPERATORS operators are cut off with a lexing error —
 * the parser and the syntax tree recurse that deep and would overflow the stack, taking the whole
 * server down.
 */
import { DefaultLexer, type LexerResult, type TokenizeOptions } from 'langium';

export const MAX_NESTING = 64;
export const MAX_OPERATORS = 512;
const OPERATORS = new Set(['+', '-', '*', '//']);
const SEPARATORS = new Set([',', '(', ')', '[', ']', '{', '}', '=', '->', ':']);

export class ConvLexer extends DefaultLexer {
    override tokenize(text: string, options?: TokenizeOptions): LexerResult {
        const result = super.tokenize(text, options);
        let depth = 0;
        let minuses = 0;
        let operators = 0;
        for (let i = 0; i < result.tokens.length; i++) {
            const token = result.tokens[i]!;
            const image = token.image;
            if (image === '(' || image === '[') depth++;
            else if ((image === ')' || image === ']') && depth > 0) depth--;
            minuses = image === '-' ? minuses + 1 : 0;
            if (OPERATORS.has(image)) operators++;
            else if (SEPARATORS.has(image)) operators = 0;
            if (depth > MAX_NESTING || minuses > MAX_NESTING || operators > MAX_OPERATORS) {
                result.errors.push({
                    offset: token.startOffset,
                    length: token.image.length,
                    line: token.startLine,
                    column: token.startColumn,
                    message: depth > MAX_NESTING
                        ? `brackets nested deeper than ${MAX_NESTING} levels: the rest of the file is not read`
                        : minuses > MAX_NESTING
                            ? `more than ${MAX_NESTING} minus signs in a row: the rest of the file is not read`
                            : `an expression with more than ${MAX_OPERATORS} operators: the rest of the file is not read`,
                });
                result.tokens.length = i;
                break;
            }
        }
        return result;
    }
}
