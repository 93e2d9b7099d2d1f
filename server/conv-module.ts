/** Dependency injection: the Conv language's services on top of Langium's defaults. */
import { inject, type Module } from 'langium';
import { createDefaultModule, createDefaultSharedModule, type DefaultSharedModuleContext, type LangiumServices, type LangiumSharedServices, type PartialLangiumServices } from 'langium/lsp';
import { ConvGeneratedModule, ConvGeneratedSharedModule } from '../language/generated/module.js';
import { ConvAnalysisService } from './conv-analysis.js';
import { ConvInlayHintProvider } from './conv-inlay-hints.js';
import { ConvScopeProvider } from './conv-scope.js';
import { ConvTokenBuilder } from './conv-tokens.js';
import { ConvDocumentValidator, registerValidationChecks } from './conv-validator.js';

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
    },
    references: {
        ScopeProvider: services => new ConvScopeProvider(services, () => services.analysis.Analyzer),
    },
    validation: {
        DocumentValidator: services => new ConvDocumentValidator(services),
    },
    lsp: {
        InlayHintProvider: services => new ConvInlayHintProvider(services),
    },
};

export function createConvServices(context: DefaultSharedModuleContext): { shared: LangiumSharedServices; Conv: ConvServices } {
    const shared = inject(createDefaultSharedModule(context), ConvGeneratedSharedModule);
    const Conv = inject(createDefaultModule({ shared }), ConvGeneratedModule, ConvModule);
    shared.ServiceRegistry.register(Conv);
    registerValidationChecks(Conv);
    if (!context.connection) {
        // Outside a language server (CLI, tests) documents still need the same configuration.
        shared.workspace.ConfigurationProvider.initialized({});
    }
    return { shared, Conv };
}
