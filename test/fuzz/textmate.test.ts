/**
 * The TextMate grammar (syntaxes/conv.tmLanguage.json) and the language configuration
 * (language-configuration.json): both load, every regex compiles as a JavaScript RegExp with the
 * `u` flag and avoids Oniguruma-only syntax (so what VS Code's Oniguruma reads is what we test),
 * and a small TextMate tokenizer written here gives the expected scopes on typical lines —
 * including `//` as floor division inside parentheses and as a comment elsewhere, the rule of
 * server/conv-tokens.ts.
 *
 * The tokenizer is a subset of TextMate's: match, begin/end with captures, patterns, include
 * (#name and $self), earliest match wins and the end pattern wins ties. Lines are tokenized one
 * at a time with the region stack carried over, as VS Code does.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const grammar = JSON.parse(readFileSync(`${ROOT}/syntaxes/conv.tmLanguage.json`, 'utf8')) as Grammar;
const configuration = JSON.parse(readFileSync(`${ROOT}/language-configuration.json`, 'utf8')) as LanguageConfiguration;
const langiumConfig = JSON.parse(readFileSync(`${ROOT}/langium-config.json`, 'utf8')) as { languages: Array<{ textMate?: unknown }> };

interface Captures {
    [index: string]: { name?: string };
}

interface Rule {
    name?: string;
    match?: string;
    begin?: string;
    end?: string;
    while?: string;
    captures?: Captures;
    beginCaptures?: Captures;
    endCaptures?: Captures;
    contentName?: string;
    include?: string;
    patterns?: Rule[];
    comment?: string;
}

interface Grammar {
    scopeName: string;
    patterns: Rule[];
    repository: Record<string, Rule>;
}

interface LanguageConfiguration {
    comments: { lineComment: string; blockComment: [string, string] };
    brackets: Array<[string, string]>;
    autoClosingPairs: Array<{ open: string; close: string }>;
    surroundingPairs: Array<[string, string]>;
    wordPattern: string;
    indentationRules: { increaseIndentPattern: string; decreaseIndentPattern: string };
    onEnterRules: Array<{ beforeText: string; afterText?: string; previousLineText?: string; action: { indent: string; appendText?: string } }>;
}

/** Constructs Oniguruma reads differently from JavaScript, or JavaScript cannot read at all. */
const ONIGURUMA_ONLY: Array<[RegExp, string]> = [
    [/\(\?>/, 'atomic group (?>...)'],
    [/\(\?[imx-]+[:)]/, 'inline flags (?i)'],
    [/\\[AzZGhHKRX]/, 'Oniguruma-only escape (\\A \\z \\Z \\G \\h \\K \\R \\X)'],
    [/[*+?}][+]/, 'possessive quantifier'],
    [/\\[pP]\{/, 'Unicode property escape (different names in Oniguruma)'],
    [/\(\?<[=!][^)]*[*+{]/, 'variable-length lookbehind (Oniguruma needs fixed length)'],
    [/\(\?~/, 'absent operator'],
    [/\\[0-9]/, 'back-reference (end patterns back-referencing begin need \\1 handling)'],
];

function* rules(rule: Rule, path: string): Generator<[string, Rule]> {
    yield [path, rule];
    for (const [i, child] of (rule.patterns ?? []).entries()) yield* rules(child, `${path}.patterns[${i}]`);
}

function allRules(): Array<[string, Rule]> {
    const out: Array<[string, Rule]> = [];
    for (const [i, r] of grammar.patterns.entries()) out.push(...rules(r, `patterns[${i}]`));
    for (const [name, r] of Object.entries(grammar.repository)) out.push(...rules(r, `repository.${name}`));
    return out;
}

// ---- a small TextMate tokenizer over JavaScript regexes ---------------------------------------

interface Token {
    readonly text: string;
    readonly scopes: readonly string[];
}

interface Frame {
    readonly rule: Rule;
    readonly end: RegExp;
    readonly scopes: readonly string[];
}

const compiled = new Map<string, RegExp>();
function regex(source: string): RegExp {
    let r = compiled.get(source);
    if (!r) compiled.set(source, (r = new RegExp(source, 'dgu')));
    return r;
}

function resolve(rule: Rule, seen = new Set<Rule>()): Rule[] {
    if (rule.include) {
        const target = rule.include === '$self' ? { patterns: grammar.patterns } : grammar.repository[rule.include.slice(1)];
        if (!target) throw new Error(`unknown include ${rule.include}`);
        if (seen.has(target)) return [];
        seen.add(target);
        return resolve(target, seen);
    }
    if (!rule.match && !rule.begin && rule.patterns) return rule.patterns.flatMap(p => resolve(p, seen));
    return [rule];
}

function pushCaptures(tokens: Token[], match: RegExpExecArray, captures: Captures | undefined, scopes: readonly string[]): void {
    const text = match[0];
    const start = match.index;
    const byChar: string[][] = Array.from({ length: text.length }, () => []);
    for (const [key, value] of Object.entries(captures ?? {})) {
        const span = match.indices?.[Number(key)];
        if (!value.name || !span) continue;
        for (let i = span[0]; i < span[1]; i++) byChar[i - start]!.push(value.name);
    }
    let i = 0;
    while (i < text.length) {
        let j = i + 1;
        while (j < text.length && byChar[j]!.join() === byChar[i]!.join()) j++;
        tokens.push({ text: text.slice(i, j), scopes: [...scopes, ...byChar[i]!] });
        i = j;
    }
}

function tokenizeLine(line: string, stack: Frame[]): Token[] {
    const tokens: Token[] = [];
    let pos = 0;
    for (let guard = 0; guard < 10_000; guard++) {
        const top = stack[stack.length - 1];
        const scopes = top ? top.scopes : [grammar.scopeName];
        let best: { rule: Rule | null; match: RegExpExecArray } | undefined;
        if (top) {
            top.end.lastIndex = pos;
            const m = top.end.exec(line);
            if (m) best = { rule: null, match: m };
        }
        for (const rule of resolve({ patterns: top ? top.rule.patterns ?? [] : grammar.patterns })) {
            const r = regex((rule.match ?? rule.begin)!);
            r.lastIndex = pos;
            const m = r.exec(line);
            // Earliest match wins; on a tie the end pattern, then the earlier rule.
            if (m && (!best || m.index < best.match.index)) best = { rule, match: m };
        }
        if (!best) {
            if (pos < line.length) tokens.push({ text: line.slice(pos), scopes });
            return tokens;
        }
        const { rule, match } = best;
        if (match.index > pos) tokens.push({ text: line.slice(pos, match.index), scopes });
        if (rule === null) {
            pushCaptures(tokens, match, top!.rule.endCaptures ?? top!.rule.captures, scopes);
            stack.pop();
        } else {
            const inner = rule.name ? [...scopes, rule.name] : scopes;
            pushCaptures(tokens, match, rule.match ? rule.captures : rule.beginCaptures ?? rule.captures, inner);
            if (rule.begin) stack.push({ rule, end: regex(rule.end!), scopes: inner });
            else if (match[0].length === 0) throw new Error(`rule matches the empty string: ${rule.match}`);
        }
        pos = match.index + match[0].length;
    }
    throw new Error(`tokenizer loops on ${JSON.stringify(line)}`);
}

function tokenize(text: string): Token[][] {
    const stack: Frame[] = [];
    return text.split('\n').map(line => tokenizeLine(line, stack));
}

/** The scopes of the first token whose text is `text` (after `from` tokens with that text). */
function scopesOf(line: string, text: string, occurrence = 0): string[] {
    const tokens = tokenize(line).flat();
    const hits = tokens.filter(t => t.text.trim() === text);
    const hit = hits[occurrence];
    if (!hit) throw new Error(`no token '${text}' in ${JSON.stringify(tokens.map(t => t.text))}`);
    return [...hit.scopes];
}

const innermost = (line: string, text: string, occurrence = 0): string => scopesOf(line, text, occurrence).at(-1)!;

// ---- the tests -----------------------------------------------------------------------------

describe('the TextMate grammar', () => {
    it('is source.conv and is no longer generated by langium (langium-config.json has no textMate entry)', () => {
        expect(grammar.scopeName).toBe('source.conv');
        expect(langiumConfig.languages.every(l => l.textMate === undefined)).toBe(true);
    });

    it('compiles every regex as a JavaScript RegExp with the u flag', () => {
        const failures: string[] = [];
        let count = 0;
        for (const [path, rule] of allRules()) {
            for (const key of ['match', 'begin', 'end', 'while'] as const) {
                const source = rule[key];
                if (source === undefined) continue;
                count++;
                try {
                    new RegExp(source, 'u');
                } catch (error) {
                    failures.push(`${path}.${key}: ${(error as Error).message}`);
                }
            }
        }
        expect(failures).toEqual([]);
        expect(count).toBeGreaterThan(20);
    });

    it('uses no Oniguruma-only syntax', () => {
        const found: string[] = [];
        for (const [path, rule] of allRules()) {
            for (const key of ['match', 'begin', 'end', 'while'] as const) {
                const source = rule[key];
                if (source === undefined) continue;
                for (const [pattern, what] of ONIGURUMA_ONLY) if (pattern.test(source)) found.push(`${path}.${key}: ${what} in ${source}`);
            }
        }
        expect(found).toEqual([]);
    });

    it('resolves every include and every capture has a scope name', () => {
        for (const [path, rule] of allRules()) {
            if (rule.include && rule.include !== '$self') expect(grammar.repository[rule.include.slice(1)], `${path} includes ${rule.include}`).toBeDefined();
            for (const caps of [rule.captures, rule.beginCaptures, rule.endCaptures]) for (const c of Object.values(caps ?? {})) expect(c.name, path).toMatch(/\.conv$/);
            if (rule.name) expect(rule.name, path).toMatch(/\.conv$/);
            if (rule.begin) expect(rule.end, `${path} has begin without end`).toBeDefined();
        }
    });

    it('scopes declarations, keywords, constants and comments', () => {
        const line = 'network ResNet18(classes = 1000) { // head';
        expect(innermost(line, 'network')).toBe('storage.type.network.conv');
        expect(innermost(line, 'ResNet18')).toBe('entity.name.type.network.conv');
        expect(innermost(line, 'classes')).toBe('variable.parameter.conv');
        expect(innermost(line, '1000')).toBe('constant.numeric.integer.conv');
        expect(scopesOf(line, 'head')).toContain('comment.line.double-slash.conv');
        expect(innermost('block BasicBlock(channels) {', 'BasicBlock')).toBe('entity.name.type.block.conv');
        expect(innermost('block DownBlock(channels, stride = 2) {', 'channels')).toBe('variable.parameter.conv');
        expect(innermost('block DownBlock(channels, stride = 2) {', 'stride')).toBe('variable.parameter.conv');
        expect(innermost('block B(c, k = c) {', 'c', 1)).toBe('variable.other.conv');
        expect(innermost('block Stem {', 'Stem')).toBe('entity.name.type.block.conv');
        expect(innermost('network LeNet5 {', 'LeNet5')).toBe('entity.name.type.network.conv');
        expect(innermost('import "resnet_blocks.conv"', 'import')).toBe('keyword.control.import.conv');
        expect(scopesOf('import "resnet_blocks.conv"', 'resnet_blocks.conv')).toContain('string.quoted.double.conv');
        expect(innermost('conv2d(64, bias=false, groups=None)', 'false')).toBe('constant.language.boolean.conv');
        expect(innermost('conv2d(64, bias=true)', 'true')).toBe('constant.language.boolean.conv');
        expect(innermost('x(a=None)', 'None')).toBe('constant.language.null.conv');
        expect(scopesOf('/* a block\n   comment */ relu()', 'comment')).toContain('comment.block.conv');
    });

    it('scopes inputs, definitions, calls, keyword arguments and arrows', () => {
        const input = '    input image: [N, 3, 224, 224]';
        expect(innermost(input, 'input')).toBe('keyword.other.input.conv');
        expect(innermost(input, 'image')).toBe('variable.other.definition.conv');
        expect(innermost(input, '224')).toBe('constant.numeric.integer.conv');
        const chain = '    main = conv2d(channels, kernel_size=3, padding=\'same\') -> batch_norm2d()';
        expect(innermost(chain, 'main')).toBe('variable.other.definition.conv');
        expect(innermost(chain, '=')).toBe('keyword.operator.assignment.conv');
        expect(innermost(chain, 'conv2d')).toBe('entity.name.function.conv');
        expect(innermost(chain, 'channels')).toBe('variable.other.conv');
        expect(innermost(chain, 'kernel_size')).toBe('variable.parameter.conv');
        expect(scopesOf(chain, 'same')).toContain('string.quoted.single.conv');
        expect(innermost(chain, '->')).toBe('keyword.operator.arrow.conv');
        expect(innermost(chain, 'batch_norm2d')).toBe('entity.name.function.conv');
        expect(innermost('    add(main, input) -> relu()', 'input')).toBe('variable.language.input.conv');
        expect(innermost('    skip = input -> conv2d(8, kernel_size=1)', 'input')).toBe('variable.language.input.conv');
    });

    it('scopes integers, floats and exponents', () => {
        for (const f of ['0.5', '.5', '3.', '1e-3', '2E+2', '1.5e10']) expect(innermost(`dropout(p=${f})`, f), f).toBe('constant.numeric.float.conv');
        for (const i of ['0', '7', '224']) expect(innermost(`linear(${i})`, i), i).toBe('constant.numeric.integer.conv');
        expect(innermost('linear(3x)', '3x')).toBe('invalid.illegal.numeric.conv');
        expect(innermost('conv2d(c1, kernel_size=3)', 'c1')).toBe('variable.other.conv');
    });

    it('reads // between operands inside parentheses as floor division, elsewhere as a comment', () => {
        expect(innermost('conv2d(channels // 2, kernel_size=3)', '//')).toBe('keyword.operator.arithmetic.floor-division.conv');
        expect(innermost('conv2d((c + 1) // 2)', '//')).toBe('keyword.operator.arithmetic.floor-division.conv');
        expect(innermost('conv2d(c//2)', '//')).toBe('keyword.operator.arithmetic.floor-division.conv');
        expect(innermost('input x: [N, c // 2, 8, 8]', '//')).toBe('keyword.operator.arithmetic.floor-division.conv');
        expect(innermost('conv2d(c // (d + 1))', '//')).toBe('keyword.operator.arithmetic.floor-division.conv');
        // After a call, at statement level, or after a comma: a comment.
        expect(scopesOf('conv2d(64) // stem', '//')).toContain('comment.line.double-slash.conv');
        expect(scopesOf('    // layer1 .. layer4', '//')).toContain('comment.line.double-slash.conv');
        expect(scopesOf('conv2d(64,  // out channels', '//')).toContain('comment.line.double-slash.conv');
        expect(scopesOf('conv2d(64,  // out channels', 'out channels')).toContain('comment.line.double-slash.conv');
        // A comment after floor division on the same line.
        expect(scopesOf('conv2d(c // 2) // half', '//', 1)).toContain('comment.line.double-slash.conv');
        // Inside parentheses but not followed by an operand and a delimiter: a comment.
        expect(scopesOf('conv2d(c // half the channels', '//')).toContain('comment.line.double-slash.conv');
    });

    it('keeps multi-line calls and bodies in their regions', () => {
        const lines = tokenize('network N {\n    conv2d(64,\n        kernel_size=3) // done\n}');
        const kernel = lines[2]!.find(t => t.text === 'kernel_size')!;
        expect(kernel.scopes.at(-1)).toBe('variable.parameter.conv');
        const comment = lines[2]!.find(t => t.text.includes('done'))!;
        expect(comment.scopes).toContain('comment.line.double-slash.conv');
        expect(lines[3]![0]!.scopes.at(-1)).toBe('punctuation.section.block.end.conv');
    });

    it('tokenizes every example without leaving a region open at the end', async () => {
        const { readdirSync } = await import('node:fs');
        for (const name of readdirSync(`${ROOT}/examples`).filter(f => f.endsWith('.conv'))) {
            const text = readFileSync(`${ROOT}/examples/${name}`, 'utf8');
            const stack: Frame[] = [];
            for (const line of text.split('\n')) tokenizeLine(line, stack);
            expect(stack.map(f => f.rule.begin), name).toEqual([]);
        }
    });
});

describe('the language configuration', () => {
    it('declares comments, brackets, auto-closing and surrounding pairs', () => {
        expect(configuration.comments).toEqual({ lineComment: '//', blockComment: ['/*', '*/'] });
        expect(configuration.brackets).toEqual(expect.arrayContaining([['(', ')'], ['[', ']'], ['{', '}']]));
        const closing = configuration.autoClosingPairs.map(p => p.open + p.close);
        for (const pair of ['()', '[]', '{}', "''", '""']) expect(closing).toContain(pair);
        const surrounding = configuration.surroundingPairs.map(p => p.join(''));
        for (const pair of ['()', '[]', '{}', "''", '""']) expect(surrounding).toContain(pair);
    });

    it('compiles its regexes', () => {
        const sources = [configuration.wordPattern, configuration.indentationRules.increaseIndentPattern, configuration.indentationRules.decreaseIndentPattern, ...configuration.onEnterRules.flatMap(r => [r.beforeText, r.afterText, r.previousLineText].filter((s): s is string => s !== undefined))];
        for (const s of sources) expect(() => new RegExp(s, 'u'), s).not.toThrow();
    });

    it('takes identifiers and numbers as words', () => {
        const word = new RegExp(configuration.wordPattern, 'g');
        expect('conv2d(kernel_size=1e-3, x_1)'.match(word)).toEqual(['conv2d', 'kernel_size', '1e-3', 'x_1']);
    });

    it('indents after an open brace or parenthesis and outdents on the closing one', () => {
        const increase = new RegExp(configuration.indentationRules.increaseIndentPattern);
        const decrease = new RegExp(configuration.indentationRules.decreaseIndentPattern);
        expect(increase.test('network ResNet18(classes = 1000) {')).toBe(true);
        expect(increase.test('    conv2d(64,')).toBe(true);
        expect(increase.test('    conv2d(64) // {')).toBe(false);
        expect(increase.test('    conv2d(64)')).toBe(false);
        expect(decrease.test('}')).toBe(true);
        expect(decrease.test('    )')).toBe(true);
        expect(decrease.test('    conv2d(64)')).toBe(false);
    });

    it('continues -> chains on Enter', () => {
        /** The action of the first rule that applies, as VS Code picks it. */
        const onEnter = (before: string, after = ''): string | undefined =>
            configuration.onEnterRules.find(r => new RegExp(r.beforeText).test(before) && (r.afterText === undefined || new RegExp(r.afterText).test(after)))?.action.indent;
        expect(onEnter('    main = conv2d(64, kernel_size=3) ->')).toBe('indent');
        expect(onEnter('    main = conv2d(64) -> // next')).toBe('indent');
        expect(onEnter('        -> batch_norm2d() -> relu() ->')).toBe('none');
        expect(onEnter('    main = conv2d(64)', ' -> relu()')).toBe('indent');
        expect(onEnter('        -> batch_norm2d()', ' -> relu()')).toBe('none');
        expect(onEnter('    conv2d(64)')).toBeUndefined();
        expect(onEnter('/* note')).toBe('none');
    });
});
