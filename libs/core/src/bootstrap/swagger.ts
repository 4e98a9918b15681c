import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { AppDefinition } from '../app-definition.js';
import { ProblemDto } from '../openapi/problem.dto.js';

/** Builds the app's OpenAPI 3 document: titled for its client type, with its security schemes. */
export function buildOpenApiDocument(app: INestApplication, definition: AppDefinition): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle(definition.title)
    .setDescription(definition.description)
    .setVersion(definition.version)
    .setOpenAPIVersion('3.1.0');
  for (const [name, scheme] of Object.entries(definition.securitySchemes ?? {})) builder.addSecurity(name, scheme);
  return SwaggerModule.createDocument(app, builder.build(), { extraModels: [ProblemDto] });
}

export function mountSwagger(app: INestApplication, definition: AppDefinition, document: OpenAPIObject): void {
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    yamlDocumentUrl: 'docs-yaml',
    customSiteTitle: `${definition.title} — API docs`,
    swaggerOptions: { persistAuthorization: false, displayRequestDuration: true },
  });
}
