import type { DocumentBuilder } from '@nestjs/swagger';

import type { EnvSchema } from './config/env-schema.js';

/** An OpenAPI security scheme (the type @nestjs/swagger does not export from its root). */
export type SecurityScheme = Parameters<DocumentBuilder['addSecurity']>[1];

/** Everything core needs to know about one BFF app; declared once per app and shared by its module and main.ts. */
export interface AppDefinition {
  /** Project name, e.g. 'web-bff'. Appears on every log line and in cache keys. */
  readonly name: string;
  /** OpenAPI title, e.g. 'Web BFF (browser SPA)'. */
  readonly title: string;
  readonly description: string;
  readonly version: string;
  readonly defaultPort: number;
  /** Typed env slices of the app and of the libs it uses; validated together at boot. */
  readonly env: readonly EnvSchema[];
  /** OpenAPI security schemes the app's routes refer to. */
  readonly securitySchemes?: Readonly<Record<string, SecurityScheme>>;
  /**
   * Languages the app serves (lowercase primary subtags, the default first). Each request's `Accept-Language` is
   * negotiated against them; only the result is forwarded upstream and keys language-varying caches. Default `['en']`.
   */
  readonly languages?: readonly string[];
}

export function defineApp(definition: AppDefinition): AppDefinition {
  return definition;
}
