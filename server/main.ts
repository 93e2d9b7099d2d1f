/** The language server's entry point (bundled to out/server/main.cjs; `--stdio` for other editors). */
import '../polyfill.cjs';
import { startLanguageServer } from 'langium/lsp';
import { NodeFileSystem } from 'langium/node';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { createConvServices } from './conv-module.js';

const connection = createConnection(ProposedFeatures.all);
const { shared } = createConvServices({ connection, ...NodeFileSystem });
startLanguageServer(shared);
