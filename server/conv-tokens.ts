/**
 * `//` is both floor division and the start of a line comment. It is floor division when it
 * stands between two operands inside parentheses or brackets — `channels // 2`, `(c + 1) // 2` —
 * and a comment everywhere else (`conv2d(64) // stem`, `(64,  // out channels`).
 */
import { DefaultTokenBuilder, type GrammarAST } from 'langium';
import type { CustomPatternMatcherFunc, IToken, TokenType } from 'chevrotain';

const OPERAND_AFTER = /[ \t]*(?:\(|(?:[A-Za-z_]\w*|\d+(?:\.\d*)?|\.\d+)[ \t]*(?:[,)\]+\-*/]|\r?\n|$))/y;

export function floorDivMatcher(): CustomPatternMatcherFunc {
    // Bracket depth of the tokens matched so far, updated incrementally per token array.
    let seenTokens: IToken[] | undefined;
    let seenCount = 0;
    let depth = 0;
    return (text, offset, tokens) => {
        if (text.charCodeAt(offset) !== 47 || text.charCodeAt(offset + 1) !== 47) return null;
        if (tokens !== seenTokens || tokens.length < seenCount) {
            seenTokens = tokens;
            seenCount = 0;
            depth = 0;
        }
        for (; seenCount < tokens.length; seenCount++) {
            const image = tokens[seenCount]!.image;
            if (image === '(' || image === '[') depth++;
            else if ((image === ')' || image === ']') && depth > 0) depth--;
        }
        if (depth === 0 || tokens.length === 0) return null;
        const previous = tokens[tokens.length - 1]!;
        const kind = previous.tokenType.name;
        if (kind !== 'ID' && kind !== 'NUMBER' && previous.image !== ')' && previous.image !== ']') return null;
        OPERAND_AFTER.lastIndex = offset + 2;
        if (!OPERAND_AFTER.test(text)) return null;
        const match = ['//'] as unknown as RegExpExecArray;
        match.index = offset;
        return match;
    };
}

export class ConvTokenBuilder extends DefaultTokenBuilder {
    protected override buildTerminalToken(terminal: GrammarAST.TerminalRule): TokenType {
        const token = super.buildTerminalToken(terminal);
        if (terminal.name === 'FLOOR_DIV') {
            return { ...token, PATTERN: floorDivMatcher(), LINE_BREAKS: false, START_CHARS_HINT: ['/'] } as TokenType;
        }
        return token;
    }
}
