/** Dependency injection: the Conv language's services on top of Langium's defaults. */
import { inject, type DeepPartial, type Module } from 'langium';
import { createDefaultModule, createDefaultSharedModule, type DefaultSharedModuleContext, type LangiumServices, type LangiumSharedServices, type PartialLangiumServices } from 'langium/lsp';
import { ConvGeneratedModule, ConvGeneratedSharedModule } from '../language/generated/module.js';
import { ConvAnalysisService } from './conv-analysis.js';
import { ConvCodeActionProvider } from './conv-code-actions.js';
import { ConvCodeLensProvider } from './conv-code-lens.js';
import { ConvDocumentBuilder } from './conv-document-builder.js';
import { ConvCompletionProvider } from './conv-completion.js';
import { ConvFoldingRangeProvider } from './conv-folding.js';
import { ConvFormatter } from './conv-formatter.js';
import { ConvHoverProvider } from './conv-hover.js';
import { ConvConfigurationProvider, ConvInlayHintProvider } from './conv-inlay-hints.js';
import { ConvRenameProvider } from './conv-rename.js';
import { ConvScopeProvider } from './conv-scope.js';
import { ConvSemanticTokenProvider } from './conv-semantic-tokens.js';
import { ConvDocumentSymbolProvider } from './conv-symbols.js';
import { ConvTokenBuilder } from './conv-tokens.js';
import { ConvLexer } from './conv-lexer.js';
import { registerValidationChecks } from './conv-validator.js';
import { ConvLinker, ConvReferenceDescriptionProvider, ConvScopeComputation, FastAstValidator } from './conv-traversal.js';

export interface ConvAddedServices {
    analysis: {
        Analyzer: ConvAnalysisService;
    };
}

export type ConvServices = LangiumServices & ConvAddedServices;

export const ConvModule: Module<ConvServices, PartialLangiumServices & ConvAddedServices> = {
    analysis: {
        Analyzer: services => new ConvAnalysisService(services.shared),
    },
    parser: {
        TokenBuilder: () => new ConvTokenBuilder(),
        Lexer: services => new ConvLexer(services),
    },
    references: {
        ScopeProvider: services => new ConvScopeProvider(services, () => services.analysis.Analyzer),
        ScopeComputation: services => new ConvScopeComputation(services),
        Linker: services => new ConvLinker(services),
    },
    workspace: {
        ReferenceDescriptionProvider: services => new ConvReferenceDescriptionProvider(services),
    },
    validation: {
        DocumentValidator: services => new FastAstValidator(services),
    },
    lsp: {
        InlayHintProvider: services => new ConvInlayHintProvider(services),
        HoverProvider: services => new ConvHoverProvider(services),
        CompletionProvider: services => new ConvCompletionProvider(services),
        DocumentSymbolProvider: services => new ConvDocumentSymbolProvider(services),
        FoldingRangeProvider: () => new ConvFoldingRangeProvider(),
        SemanticTokenProvider: services => new ConvSemanticTokenProvider(services),
        Formatter: () => new ConvFormatter(),
        CodeActionProvider: services => new ConvCodeActionProvider(services),
        CodeLensProvider: services => new ConvCodeLensProvider(services),
        RenameProvider: services => new ConvRenameProvider(services),
    },
};

/** Shared services: client settings arrive under `convscope`. */
export const ConvSharedModule: Module<LangiumSharedServices, DeepPartial<LangiumSharedServices>> = {
    workspace: {
        ConfigurationProvider: services => new ConvConfigurationProvider(services),
        DocumentBuilder: services => new ConvDocumentBuilder(services),
    },
};

export function createConvServices(context: DefaultSharedModuleContext): { shared: LangiumSharedServices; Conv: ConvServices } {
    const shared = inject(createDefaultSharedModule(context), ConvGeneratedSharedModule, ConvSharedModule);
    const Conv = inject(createDefaultModule({ shared }), ConvGeneratedModule, ConvModule);
    shared.ServiceRegistry.register(Conv);
    registerValidationChecks(Conv);
    if (!context.connection) {
        // Outside a language server (CLI, tests) documents still need the same configuration.
        shared.workspace.ConfigurationProvider.initialized({});
    }
    return { shared, Conv };
}
