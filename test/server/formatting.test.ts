/** Formatting: indentation, continuation lines, spacing rules, comments kept, idempotent. */
import { describe, expect, it } from 'vitest';
import { expectFormatting } from 'langium/test';
import { applyEdits, Conv, document } from './support.js';

async function format(text: string): Promise<string> {
    const doc = await document(text);
    const edits = await Conv.lsp.Formatter!.formatDocument(doc, { textDocument: { uri: doc.uri.toString() }, options: { tabSize: 4, insertSpaces: true } });
    return applyEdits(text, edits);
}

const messy = `// ResNet-ish
import "blocks.conv"
network   Net( classes=1000 ,width = 64 ){
input image:[ N,3 , 224,224 ]
      // stem
  conv2d( width,kernel_size = 7,stride=2 , padding=3, bias=false )
  -> batch_norm2d()->relu()
    stem = max_pool2d(kernel_size=3, stride=2, padding=1)    // [N, 64, 56, 56]


  x=stem->conv2d(width*2 , kernel_size=(3,3),padding=( 1, 1 ))
  y = x -> conv2d(width // 2, kernel_size=1) // halve the channels
  z = conv2d(64,   // out channels
        kernel_size=3,
             padding=-1+2)
  /* a block
     comment */
  add( x,z ,dim=1)->adaptive_avg_pool2d(1)->flatten()->linear(classes)
}
block Down( channels ){
main=conv2d(channels,3,stride=2,padding=1)
skip=input->conv2d(channels,1,stride=2)
add(main,skip)
}
`;

const tidy = `// ResNet-ish
import "blocks.conv"
network Net(classes = 1000, width = 64) {
    input image: [N, 3, 224, 224]
    // stem
    conv2d(width, kernel_size=7, stride=2, padding=3, bias=false)
        -> batch_norm2d() -> relu()
    stem = max_pool2d(kernel_size=3, stride=2, padding=1)    // [N, 64, 56, 56]

    x = stem -> conv2d(width * 2, kernel_size=(3, 3), padding=(1, 1))
    y = x -> conv2d(width // 2, kernel_size=1) // halve the channels
    z = conv2d(64,   // out channels
        kernel_size=3,
        padding=-1 + 2)
    /* a block
       comment */
    add(x, z, dim=1) -> adaptive_avg_pool2d(1) -> flatten() -> linear(classes)
}

block Down(channels) {
    main = conv2d(channels, 3, stride=2, padding=1)
    skip = input -> conv2d(channels, 1, stride=2)
    add(main, skip)
}
`;

describe('formatting', () => {
    it('indents bodies by 4 spaces, continuation lines one more, and spaces = , and operators', async () => {
        await expectFormatting(Conv)({ before: messy, after: tidy, disposeAfterCheck: true });
    });

    it('is idempotent', async () => {
        expect(await format(tidy)).toBe(tidy);
        expect(await format(await format(messy))).toBe(await format(messy));
    });

    it('puts one blank line between declarations and keeps a comment attached to the declaration below it', async () => {
        const before = 'block A { relu() }\nblock B {\n    relu()\n}\n\n\n\n// about C\nblock C { relu() }\n';
        const after = 'block A {\n    relu()\n}\n\nblock B {\n    relu()\n}\n\n// about C\nblock C {\n    relu()\n}\n';
        expect(await format(before)).toBe(after);
    });

    it('keeps an empty body on one line', async () => {
        expect(await format('network   Empty   {}')).toBe('network Empty {}');
    });

    it('keeps at most one blank line between statements', async () => {
        expect(await format('network T {\n    input x: [N, 3, 8, 8]\n\n\n\n    relu()\n}')).toBe('network T {\n    input x: [N, 3, 8, 8]\n\n    relu()\n}');
        expect(await format('network T {\n    input x: [N, 3, 8, 8]\n\n\n\n    // head\n    relu()\n}')).toBe('network T {\n    input x: [N, 3, 8, 8]\n\n    // head\n    relu()\n}');
    });

    it('formats tuples, one-element tuples, negatives, None and strings without spaces inside brackets', async () => {
        expect(await format("network T {\n    input x: [N, 3, 8, 8]\n    conv2d( 8 , kernel_size=( 3 , 5 ) , stride=( 1, ) , padding= 'same' , in_channels = None )\n    flatten( end_dim = - 1 )\n}"))
            .toBe("network T {\n    input x: [N, 3, 8, 8]\n    conv2d(8, kernel_size=(3, 5), stride=(1,), padding='same', in_channels=None)\n    flatten(end_dim=-1)\n}");
    });

    it('puts a chain that arrives on one line with a source on one line', async () => {
        expect(await format('network T {\n    input x: [N, 3, 8, 8]\n    y   =   x->relu()   ->   relu();\n}')).toBe('network T {\n    input x: [N, 3, 8, 8]\n    y = x -> relu() -> relu();\n}');
    });

    it('re-indents the continuation lines of a block comment', async () => {
        expect(await format('network T {\n        /* one\n           two */\n    input x: [N, 3, 8, 8]\n}')).toBe('network T {\n    /* one\n       two */\n    input x: [N, 3, 8, 8]\n}');
    });
});
