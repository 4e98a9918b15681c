import addFormats from 'ajv-formats';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

import { MOBILE_BFF } from '../../apps/mobile-bff/src/mobile-bff.definition.js';
import { MobileBffModule } from '../../apps/mobile-bff/src/mobile-bff.module.js';
import { PARTNER_BFF } from '../../apps/partner-bff/src/partner-bff.definition.js';
import { PartnerBffModule } from '../../apps/partner-bff/src/partner-bff.module.js';
import { CookieJar, KNOWN_IDS } from '../../sandbox/src/index.ts';
import { MOBILE_APP_SCOPES, mobileExchangeEnv } from './mobile-exchange.js';
import { nativeAppLogin } from './oauth.js';
import { partnerClientEnv, partnerKey, partnerKeysEnv } from './partner-keys.js';
import { isolatedRedisNamespaces, startStack } from './stack.js';
import { browserLogin, SPA_ORIGIN, startWebAuthStack } from './web-auth.js';

/**
 * What the OpenAPI-driven suites share (test/contract.e2e-spec.ts crawls each operation with chosen
 * inputs, test/fuzz.e2e-spec.ts with generated ones): the document's shapes, a checker of an answer
 * against its operation (status, headers, content type, body with ajv 2020), and each app booted
 * against the real sandbox with real credentials (a web session signed in through the IdP's forms, a
 * mobile access token from the code flow with PKCE, partner API keys).
 */

export type Schema = Record<string, unknown>;
export interface HeaderDoc {
  readonly $ref?: string;
  readonly required?: boolean;
  readonly schema?: Schema;
}
export interface ResponseDoc {
  readonly headers?: Record<string, HeaderDoc>;
  readonly content?: Record<string, { schema?: Schema }>;
}
export interface ParameterDoc {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header' | 'cookie';
  readonly required?: boolean;
  readonly schema?: Schema;
}
export interface OperationDoc {
  readonly security?: Record<string, string[]>[];
  readonly parameters?: ParameterDoc[];
  readonly requestBody?: { content?: Record<string, { schema?: Schema }> };
  readonly responses: Record<string, ResponseDoc>;
}
export interface OpenApiDoc {
  readonly paths: Record<string, Record<string, OperationDoc>>;
  readonly components?: { schemas?: Record<string, Schema>; headers?: Record<string, HeaderDoc> };
}

/** Credentials of one security scheme: what a real client sends, and a well-formed but wrong one. */
export interface Credential {
  readonly valid: Record<string, string>;
  readonly invalid: Record<string, string>;
  /** Real credentials holding only some scopes: an operation requiring another one must answer 403. */
  readonly limited?: readonly { readonly scopes: readonly string[]; readonly headers: Record<string, string> }[];
}

export interface AppUnderTest {
  readonly name: AppName;
  readonly url: string;
  /** By security scheme name of the document. Replaced by `renewCredentials`. */
  readonly credentials: Readonly<Record<string, Credential>>;
  /** Sent on every request, as the app's own browser front end does (exercises the CORS answer headers). */
  readonly origin?: string;
  /** Signs in again (new session / access token), for runs longer than the credentials live. */
  renewCredentials(): Promise<void>;
  close(): Promise<void>;
}

export const APP_NAMES = ['web-bff', 'mobile-bff', 'partner-bff'] as const;
export type AppName = (typeof APP_NAMES)[number];

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
/** Budgets high enough that a suite measures the contract, not the limiter (429 stays documented either way). */
export const GENEROUS_LIMITS: Readonly<Record<string, string>> = { RATE_LIMIT_MAX: '1000000', AUTH_FAILURE_MAX: '100000' };

export interface Operation {
  readonly method: string;
  readonly template: string;
  readonly doc: OperationDoc;
}

/** Every operation of a document, collections before items (the crawl harvests item ids from collections). */
export function operationsOf(document: OpenApiDoc): Operation[] {
  const paths = Object.entries(document.paths).sort(([a], [b]) => Number(a.includes('{')) - Number(b.includes('{')));
  return paths.flatMap(([template, item]) =>
    HTTP_METHODS.filter((method) => item[method]).map((method) => ({
      method: method.toUpperCase(),
      template,
      doc: item[method],
    })),
  );
}

/** The security scheme names an operation accepts. */
export const schemesOf = (operation: OperationDoc): string[] => [
  ...new Set((operation.security ?? []).flatMap((requirement) => Object.keys(requirement))),
];

/** A value as it travels in a path, query or header. */
export const asText = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

export function resolve(document: OpenApiDoc, schema: Schema | undefined): Schema {
  let current = schema ?? {};
  while (typeof current.$ref === 'string') {
    const name = current.$ref.replace('#/components/schemas/', '');
    current = document.components?.schemas?.[name] ?? {};
  }
  return current;
}

export const typeOf = (schema: Schema): string | undefined =>
  Array.isArray(schema.type) ? (schema.type as string[]).find((t) => t !== 'null') : (schema.type as string | undefined);

/** Each `$ref` made absolute, so ajv resolves it against the registered document. */
function absoluteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(absoluteRefs);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [
        key,
        key === '$ref' && typeof inner === 'string' && inner.startsWith('#/') ? `openapi.json${inner}` : absoluteRefs(inner),
      ]),
    );
  }
  return value;
}

/** Credential-carrying headers shortened, so a failure report never prints a usable secret. */
export const redacted = (headers: Record<string, string>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, /cookie|authorization|x-api-key/.test(name) ? `${value.slice(0, 12)}…` : value]),
  );

/** What is checked of an answer: its status, headers and body text. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/** Checks answers against the operations of one OpenAPI document. */
export class ResponseChecker {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly validators = new Map<Schema, ValidateFunction>();

  constructor(private readonly document: OpenApiDoc) {
    addFormats.default(this.ajv);
    // OpenAPI keywords that are not JSON Schema vocabulary.
    this.ajv.addVocabulary(['example', 'xml', 'externalDocs', 'discriminator']);
    this.ajv.addSchema({ $id: 'openapi.json', components: absoluteRefs(document.components ?? {}) });
  }

  private validator(schema: Schema): ValidateFunction {
    let validate = this.validators.get(schema);
    if (!validate) {
      validate = this.ajv.compile(absoluteRefs(schema) as Schema);
      this.validators.set(schema, validate);
    }
    return validate;
  }

  /** Every way the answer departs from what the operation documents (empty when it conforms). */
  check(operation: OperationDoc, answer: Answer): string[] {
    const { status, headers, text } = answer;
    const documented = operation.responses[String(status)] ?? operation.responses.default;
    if (!documented) return [`status ${status} is not documented (documented: ${Object.keys(operation.responses).join(', ')})`];
    const problems: string[] = [];
    for (const [name, reference] of Object.entries(documented.headers ?? {})) {
      const header = reference.$ref
        ? (this.document.components?.headers?.[reference.$ref.replace('#/components/headers/', '')] ?? {})
        : reference;
      const value = headers.get(name);
      if (value === null) {
        if (header.required) problems.push(`required header ${name} is missing`);
        continue;
      }
      if (header.schema && !this.validator(header.schema)(value))
        problems.push(`header ${name}: ${JSON.stringify(value)} does not match ${JSON.stringify(header.schema)}`);
    }
    const contentType = headers.get('content-type')?.split(';')[0]?.trim();
    const content = documented.content;
    if (!content) {
      if (text.length) problems.push(`a body (${contentType ?? 'no content type'}) where the document describes none`);
      return problems;
    }
    const media = contentType ? content[contentType] : undefined;
    if (!media)
      return [...problems, `content type ${contentType ?? '(none)'} is not documented (documented: ${Object.keys(content).join(', ')})`];
    if (!media.schema) return problems;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return [...problems, 'the body is not JSON'];
    }
    const validate = this.validator(media.schema);
    if (!validate(body)) problems.push(`body does not match the schema: ${this.ajv.errorsText(validate.errors)}`);
    return problems;
  }
}

// ---------- the apps, against the real sandbox ----------

async function startWeb(env: Readonly<Record<string, string>>): Promise<AppUnderTest> {
  // Own Redis key prefixes (sessions, rate-limit counters) when CI's REDIS_URL points every suite at one Redis.
  const stack = await startWebAuthStack({ env: { ...isolatedRedisNamespaces(), ...GENEROUS_LIMITS, ...env } });
  const signIn = async (): Promise<Record<string, Credential>> => {
    const jar = new CookieJar();
    const login = await browserLogin(stack.url, jar);
    if (!login.sessionId) throw new Error('web-bff: the sign-in through the sandbox IdP set no session cookie');
    const cookie = jar.header(`${stack.url}/api/v1/me`, { crossSite: false, topLevel: false, method: 'GET' });
    if (!cookie) throw new Error('web-bff: no cookie to send after sign-in');
    const cookieName = cookie.split('=')[0] ?? '';
    return { session: { valid: { cookie }, invalid: { cookie: `${cookieName}=${'x'.repeat(43)}` } } };
  };
  let credentials = await signIn();
  return {
    name: 'web-bff',
    url: stack.url,
    origin: SPA_ORIGIN,
    get credentials() {
      return credentials;
    },
    async renewCredentials() {
      credentials = await signIn();
    },
    close: () => stack.close(),
  };
}

async function startMobile(env: Readonly<Record<string, string>>): Promise<AppUnderTest> {
  const stack = await startStack(MobileBffModule, MOBILE_BFF, (sandbox) => ({
    ...GENEROUS_LIMITS,
    ...mobileExchangeEnv(sandbox),
    ...env,
  }));
  const signIn = async (): Promise<Record<string, Credential>> => {
    const tokens = await nativeAppLogin(stack.sandbox.idp!, { scope: MOBILE_APP_SCOPES });
    const ordersOnly = await nativeAppLogin(stack.sandbox.idp!, { scope: 'orders:read' });
    const [header = '', payload = ''] = tokens.accessToken.split('.');
    return {
      jwt: {
        valid: { authorization: `Bearer ${tokens.accessToken}` },
        invalid: { authorization: `Bearer ${header}.${payload}.invalidsignature` },
        limited: [{ scopes: ['orders:read'], headers: { authorization: `Bearer ${ordersOnly.accessToken}` } }],
      },
    };
  };
  let credentials = await signIn();
  return {
    name: 'mobile-bff',
    url: stack.url,
    get credentials() {
      return credentials;
    },
    async renewCredentials() {
      credentials = await signIn();
    },
    close: () => stack.close(),
  };
}

async function startPartner(env: Readonly<Record<string, string>>): Promise<AppUnderTest> {
  const key = partnerKey('acme', ['catalog:read', 'orders:read', 'orders:write'], { account: KNOWN_IDS.customer });
  const feedOnly = partnerKey('feed-only', ['catalog:read']);
  const ordersOnly = partnerKey('orders-only', ['orders:read'], { account: KNOWN_IDS.customer });
  const stack = await startStack(PartnerBffModule, PARTNER_BFF, (sandbox) => ({
    ...GENEROUS_LIMITS,
    // A daily quota the crawl never reaches, so every partner answer carries its "daily" items.
    PARTNER_DAILY_QUOTA: '10000000',
    PARTNER_API_KEYS: partnerKeysEnv(key, feedOnly, ordersOnly),
    ...partnerClientEnv(sandbox.idp!.issuer),
    ...env,
  }));
  const unknown = partnerKey('acme', ['catalog:read']);
  return {
    name: 'partner-bff',
    url: stack.url,
    credentials: {
      'api-key': {
        valid: { 'x-api-key': key.key },
        invalid: { 'x-api-key': unknown.key },
        limited: [
          { scopes: ['catalog:read'], headers: { 'x-api-key': feedOnly.key } },
          { scopes: ['orders:read'], headers: { 'x-api-key': ordersOnly.key } },
        ],
      },
    },
    // API keys do not expire (the registry entries carry no `expires`).
    renewCredentials: () => Promise.resolve(),
    close: () => stack.close(),
  };
}

/** Boots one app against its own sandbox (generous rate limits, then `env`) and signs in. */
export function startAppUnderTest(name: AppName, env: Readonly<Record<string, string>> = {}): Promise<AppUnderTest> {
  switch (name) {
    case 'web-bff':
      return startWeb(env);
    case 'mobile-bff':
      return startMobile(env);
    case 'partner-bff':
      return startPartner(env);
  }
}

/** The app's own OpenAPI document, as it serves it. */
export async function fetchDocument(app: AppUnderTest): Promise<OpenApiDoc> {
  const res = await fetch(`${app.url}/docs-json`);
  if (res.status !== 200) throw new Error(`${app.name}: GET /docs-json answered ${res.status}`);
  return (await res.json()) as OpenApiDoc;
}
