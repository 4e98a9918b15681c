import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

import type { AppDefinition } from '../app-definition.js';
import { completeDocument, type DocumentContribution } from '../openapi/document-contract.js';
import { ProblemDto } from '../openapi/problem.dto.js';
import { documentDeprecations } from '../versioning/deprecation.js';

/**
 * Builds the app's OpenAPI 3 document: titled for its client type, with its security schemes, every
 * status and response header the platform adds (see completeDocument) and each lib's contribution.
 */
export function buildOpenApiDocument(app: INestApplication, definition: AppDefinition): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle(definition.title)
    .setDescription(definition.description)
    .setVersion(definition.version)
    .setOpenAPIVersion('3.1.0');
  for (const [name, scheme] of Object.entries(definition.securitySchemes ?? {})) builder.addSecurity(name, scheme);
  const document = SwaggerModule.createDocument(app, builder.build(), { extraModels: [ProblemDto] });
  // Behaviour of global guards and hooks (request id, body limits, auth, rate limits, caching) is
  // documented here once, for every route, rather than by each controller.
  const contributions = definition.env.flatMap((slice): DocumentContribution[] => (slice.openApi ? [slice.openApi] : []));
  // Last: @Deprecated routes document their headers on every response, including those libs added.
  return completeDocument(document, [...contributions, documentDeprecations]);
}

/**
 * Serves Swagger UI at /docs and the document at /docs-json and /docs-yaml. The document is built on
 * the first request for it (then kept), not at boot: nobody waits for it on a cold start, and an
 * instance that never serves its docs never holds them. `npm run openapi` builds the same document
 * (`--print-openapi`, see runApp) and CI fails on drift, so a broken document cannot ship unnoticed.
 */
export function mountSwagger(app: INestApplication, definition: AppDefinition, document: OpenAPIObject | (() => OpenAPIObject)): void {
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    yamlDocumentUrl: 'docs-yaml',
    customSiteTitle: `${definition.title} — API docs`,
    swaggerOptions: { persistAuthorization: false, displayRequestDuration: true },
  });
}

/**
 * Writes the document to stdout (`--print-openapi`) and resolves once it is flushed: stdout is a pipe
 * under `npm run openapi`, asynchronous in Node, and the process exits right after.
 */
export function printOpenApiDocument(app: INestApplication, definition: AppDefinition): Promise<void> {
  const text = `${JSON.stringify(buildOpenApiDocument(app, definition), null, 2)}\n`;
  return new Promise((resolve, reject) => process.stdout.write(text, (error) => (error ? reject(error) : resolve())));
}
