import addFormats from 'ajv-formats';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { MOBILE_BFF } from '../apps/mobile-bff/src/mobile-bff.definition.js';
import { MobileBffModule } from '../apps/mobile-bff/src/mobile-bff.module.js';
import { PARTNER_BFF } from '../apps/partner-bff/src/partner-bff.definition.js';
import { PartnerBffModule } from '../apps/partner-bff/src/partner-bff.module.js';
import { CookieJar, KNOWN_IDS, MOBILE_BFF_AUDIENCE } from '../sandbox/src/index.ts';
import { nativeAppLogin } from './support/oauth.js';
import { partnerClientEnv, partnerKey, partnerKeysEnv } from './support/partner-keys.js';
import { startStack } from './support/stack.js';
import { browserLogin, SPA_ORIGIN, startWebAuthStack } from './support/web-auth.js';

/**
 * Contract test: each app is crawled through its OWN OpenAPI document (GET /docs-json), every
 * operation with valid inputs (real credentials from the sandbox IdP / partner keys) and with a set
 * of invalid ones. Any answer whose status, content type, body or required headers the document
 * does not describe fails, naming the app, the request and the mismatch. New routes are covered as
 * soon as they are in the document.
 */

type Schema = Record<string, unknown>;
interface HeaderDoc {
  readonly $ref?: string;
  readonly required?: boolean;
  readonly schema?: Schema;
}
interface ResponseDoc {
  readonly headers?: Record<string, HeaderDoc>;
  readonly content?: Record<string, { schema?: Schema }>;
}
interface ParameterDoc {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header' | 'cookie';
  readonly required?: boolean;
  readonly schema?: Schema;
}
interface OperationDoc {
  readonly security?: Record<string, string[]>[];
  readonly parameters?: ParameterDoc[];
  readonly requestBody?: { content?: Record<string, { schema?: Schema }> };
  readonly responses: Record<string, ResponseDoc>;
}
interface OpenApiDoc {
  readonly paths: Record<string, Record<string, OperationDoc>>;
  readonly components?: { schemas?: Record<string, Schema>; headers?: Record<string, HeaderDoc> };
}

/** Credentials of one security scheme: what a real client sends, and a well-formed but wrong one. */
interface Credential {
  readonly valid: Record<string, string>;
  readonly invalid: Record<string, string>;
  /** Real credentials holding only some scopes: an operation requiring another one must answer 403. */
  readonly limited?: readonly { readonly scopes: readonly string[]; readonly headers: Record<string, string> }[];
}

interface AppUnderTest {
  readonly name: string;
  readonly url: string;
  readonly credentials: Readonly<Record<string, Credential>>;
  /** Sent on every request, as the app's own browser front end does (exercises the CORS answer headers). */
  readonly origin?: string;
  close(): Promise<void>;
}

/** A request of the crawl; described in failure messages. */
interface Probe {
  readonly label: string;
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'];
/** Budgets high enough that the crawl measures the contract, not the limiter (429 stays documented either way). */
const GENEROUS_LIMITS = { RATE_LIMIT_MAX: '100000', AUTH_FAILURE_MAX: '100000' };
/** Known-good values for path parameters the schema cannot give (real seed ids). */
const KNOWN_PATH_VALUES: Readonly<Record<string, string>> = { id: KNOWN_IDS.product };
const OVERLONG = 'a'.repeat(5_000);
/** A well-formed id that no sandbox service knows. */
const UNKNOWN_ID = 'zz-unknown-0';

// ---------- document helpers ----------

/** A value as it travels in a path, query or header. */
const asText = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

function resolve(document: OpenApiDoc, schema: Schema | undefined): Schema {
  let current = schema ?? {};
  while (typeof current.$ref === 'string') {
    const name = current.$ref.replace('#/components/schemas/', '');
    current = document.components?.schemas?.[name] ?? {};
  }
  return current;
}

const typeOf = (schema: Schema): string | undefined =>
  Array.isArray(schema.type) ? (schema.type as string[]).find((t) => t !== 'null') : (schema.type as string | undefined);

/** A valid value for a schema: its example, default or first enum value, else one built from its type. */
function validValue(document: OpenApiDoc, raw: Schema | undefined): unknown {
  const schema = resolve(document, raw);
  if (schema.example !== undefined) return schema.example;
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  switch (typeOf(schema) ?? 'any') {
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      const required = new Set((schema.required ?? []) as string[]);
      return Object.fromEntries(
        Object.entries(properties)
          .filter(([name]) => required.has(name))
          .map(([name, s]) => [name, validValue(document, s)]),
      );
    }
    case 'array':
      return [validValue(document, schema.items as Schema)];
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    default:
      return KNOWN_IDS.product;
  }
}

/** Values a schema refuses, each with what makes it wrong. */
function invalidValues(document: OpenApiDoc, raw: Schema | undefined): { why: string; value: unknown }[] {
  const schema = resolve(document, raw);
  const out: { why: string; value: unknown }[] = [];
  switch (typeOf(schema) ?? 'any') {
    case 'integer':
    case 'number':
      out.push({ why: 'not a number', value: 'abc' });
      if (typeOf(schema) === 'integer') out.push({ why: 'not an integer', value: 1.5 });
      if (typeof schema.minimum === 'number') out.push({ why: 'below minimum', value: schema.minimum - 1 });
      if (typeof schema.maximum === 'number') out.push({ why: 'above maximum', value: schema.maximum + 1 });
      break;
    case 'string':
      out.push({ why: 'overlong', value: typeof schema.maxLength === 'number' ? 'a'.repeat(schema.maxLength + 1) : OVERLONG });
      if (typeof schema.pattern === 'string') out.push({ why: 'pattern violated', value: '-not valid!' });
      break;
    case 'array': {
      const item = validValue(document, schema.items as Schema);
      out.push({ why: 'not an array', value: 'abc' });
      if (typeof schema.minItems === 'number' && schema.minItems > 0) out.push({ why: 'too few items', value: [] });
      if (typeof schema.maxItems === 'number') {
        out.push({
          why: 'too many items',
          value: Array.from({ length: schema.maxItems + 1 }, (_, i) => `p-${String(i + 1).padStart(5, '0')}`),
        });
      }
      if (schema.uniqueItems) out.push({ why: 'duplicate items', value: [item, item] });
      for (const bad of invalidValues(document, schema.items as Schema)) out.push({ why: `item ${bad.why}`, value: [bad.value] });
      break;
    }
    case 'object': {
      out.push({ why: 'not an object', value: ['abc'] });
      const valid = validValue(document, schema) as Record<string, unknown>;
      for (const [name, property] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) {
        for (const bad of invalidValues(document, property))
          out.push({ why: `${name}: ${bad.why}`, value: { ...valid, [name]: bad.value } });
        if (((schema.required ?? []) as string[]).includes(name)) {
          const { [name]: _omitted, ...rest } = valid;
          out.push({ why: `${name} missing`, value: rest });
        }
      }
      break;
    }
    default:
      break;
  }
  return out;
}

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

// ---------- the crawl ----------

class ContractCrawler {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly validators = new Map<Schema, ValidateFunction>();
  private readonly harvested = new Map<string, string>();
  readonly failures: string[] = [];
  readonly statuses = new Map<string, Set<number>>();
  requests = 0;

  constructor(
    private readonly app: AppUnderTest,
    private readonly document: OpenApiDoc,
  ) {
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

  async crawl(): Promise<void> {
    // Collections first: the ids they list are the valid path values of their items (e.g. an order of this partner).
    const paths = Object.entries(this.document.paths).sort(([a], [b]) => Number(a.includes('{')) - Number(b.includes('{')));
    for (const [path, item] of paths) {
      for (const method of HTTP_METHODS) {
        const operation = item[method];
        if (operation) await this.crawlOperation(method.toUpperCase(), path, operation);
      }
    }
  }

  private async crawlOperation(method: string, template: string, operation: OperationDoc): Promise<void> {
    const parameters = operation.parameters ?? [];
    const pathValues: Record<string, string> = {};
    const query: Record<string, string> = {};
    const headers: Record<string, string> = { accept: 'application/json', ...(this.app.origin ? { origin: this.app.origin } : {}) };
    for (const parameter of parameters) {
      const schema = resolve(this.document, parameter.schema);
      if (parameter.in === 'path') {
        const parent = template.slice(0, template.indexOf(`/{${parameter.name}}`));
        pathValues[parameter.name] =
          this.harvested.get(parent) ?? asText(schema.example ?? KNOWN_PATH_VALUES[parameter.name] ?? validValue(this.document, schema));
      } else if (parameter.in === 'query' && (parameter.required || schema.example !== undefined || schema.default !== undefined)) {
        query[parameter.name] = asText(validValue(this.document, schema));
      } else if (parameter.in === 'header' && parameter.required) {
        headers[parameter.name.toLowerCase()] = asText(validValue(this.document, schema));
      }
    }
    const schemes = [...new Set((operation.security ?? []).flatMap((requirement) => Object.keys(requirement)))];
    for (const scheme of schemes) Object.assign(headers, this.credential(scheme).valid);
    const bodySchema = operation.requestBody?.content?.['application/json']?.schema;
    const validBody = bodySchema ? JSON.stringify(validValue(this.document, bodySchema)) : undefined;
    if (validBody !== undefined) headers['content-type'] = 'application/json';
    const pathOf = (values: Record<string, string>): string =>
      template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? ''));
    const base: Probe = { label: 'valid', method, path: pathOf(pathValues), query, headers, body: validBody };

    const valid = await this.send(base, operation);
    if (method === 'GET' && valid.status === 200) this.harvest(template, JSON.parse(valid.text));
    const probes: Probe[] = [];
    const etag = valid.headers.get('etag');
    if (etag && operation.responses['304']) {
      probes.push({ ...base, label: 'conditional (If-None-Match: current ETag)', headers: { ...headers, 'if-none-match': etag } });
    }
    for (const scheme of schemes) {
      const { valid: validHeaders, invalid, limited = [] } = this.credential(scheme);
      const without = Object.fromEntries(Object.entries(headers).filter(([name]) => !(name in validHeaders)));
      probes.push({ ...base, label: `no ${scheme} credentials`, headers: without });
      probes.push({ ...base, label: `invalid ${scheme} credentials`, headers: { ...without, ...invalid } });
      const required = (operation.security ?? []).flatMap((requirement) => requirement[scheme] ?? []);
      const lacking = limited.find((identity) => required.some((scope) => !identity.scopes.includes(scope)));
      if (lacking) {
        probes.push({
          ...base,
          label: `${scheme} credentials without scope ${required.join(' ')}`,
          headers: { ...without, ...lacking.headers },
        });
      }
    }
    probes.push({ ...base, label: 'unknown query parameter', query: { ...query, unexpectedParameter: '1' } });
    for (const parameter of parameters) {
      const name = parameter.name.toLowerCase();
      if (parameter.in === 'header' && parameter.required) {
        const { [name]: _omitted, ...rest } = headers;
        probes.push({ ...base, label: `header ${parameter.name} missing`, headers: rest });
        probes.push({ ...base, label: `header ${parameter.name} wrong`, headers: { ...headers, [name]: 'wrong' } });
      }
      if (parameter.in === 'path') {
        probes.push({
          ...base,
          label: `path ${parameter.name} well-formed but unknown`,
          path: pathOf({ ...pathValues, [parameter.name]: UNKNOWN_ID }),
        });
      }
      for (const bad of invalidValues(this.document, parameter.schema)) {
        const value = asText(bad.value);
        if (parameter.in === 'query')
          probes.push({ ...base, label: `query ${parameter.name} ${bad.why}`, query: { ...query, [parameter.name]: value } });
        if (parameter.in === 'path') {
          probes.push({ ...base, label: `path ${parameter.name} ${bad.why}`, path: pathOf({ ...pathValues, [parameter.name]: value }) });
        }
      }
    }
    if (['POST', 'PUT', 'PATCH'].includes(method)) {
      const jsonHeaders = { ...headers, 'content-type': 'application/json' };
      probes.push({ ...base, label: 'malformed JSON', headers: jsonHeaders, body: '{"ids": [' });
      probes.push({ ...base, label: 'wrong content type', headers: { ...headers, 'content-type': 'text/plain' }, body: 'ids=p-00001' });
      probes.push({ ...base, label: 'oversized body', headers: jsonHeaders, body: JSON.stringify({ ids: [OVERLONG.repeat(100)] }) });
      for (const bad of bodySchema ? invalidValues(this.document, bodySchema) : []) {
        probes.push({ ...base, label: `body ${bad.why}`, headers: jsonHeaders, body: JSON.stringify(bad.value) });
      }
    }
    for (const probe of probes) await this.send(probe, operation);
  }

  /** Remembers the first `items[].id` a collection answered, as a known-good id of its items. */
  private harvest(path: string, body: unknown): void {
    const items = (body as { items?: unknown } | null)?.items;
    const first = Array.isArray(items) ? (items[0] as { id?: unknown } | undefined) : undefined;
    if (typeof first?.id === 'string') this.harvested.set(path, first.id);
  }

  private credential(scheme: string): Credential {
    const credential = this.app.credentials[scheme];
    if (!credential)
      throw new Error(`${this.app.name}: the document names security scheme '${scheme}', the test has no credentials for it`);
    return credential;
  }

  /** Sends one probe and checks the answer against the operation; returns the answer. */
  private async send(probe: Probe, operation: OperationDoc): Promise<{ status: number; headers: Headers; text: string }> {
    const search = new URLSearchParams(probe.query).toString();
    const url = `${this.app.url}${probe.path}${search ? `?${search}` : ''}`;
    const res = await fetch(url, { method: probe.method, headers: probe.headers, body: probe.body, redirect: 'manual' });
    this.requests++;
    const text = await res.text();
    const key = `${probe.method} ${probe.path.replace(/\/[^/]*$/, '/…')}`;
    if (!this.statuses.has(key)) this.statuses.set(key, new Set());
    this.statuses.get(key)?.add(res.status);
    const problems = this.check(operation, res, text);
    if (problems.length) {
      const shown = probe.body && probe.body.length > 200 ? `${probe.body.slice(0, 200)}… (${probe.body.length} bytes)` : probe.body;
      this.failures.push(
        `${this.app.name} ${probe.method} ${probe.path} [${probe.label}]\n` +
          `  sent: ${probe.method} ${url.replace(this.app.url, '').slice(0, 300)} headers=${JSON.stringify(redacted(probe.headers))}${shown ? ` body=${shown}` : ''}\n` +
          `  got: ${res.status} ${res.headers.get('content-type') ?? '(no content type)'} ${text.slice(0, 300)}\n` +
          problems.map((problem) => `  - ${problem}`).join('\n'),
      );
    }
    return { status: res.status, headers: res.headers, text };
  }

  private check(operation: OperationDoc, res: Response, text: string): string[] {
    const documented = operation.responses[String(res.status)] ?? operation.responses.default;
    if (!documented) return [`status ${res.status} is not documented (documented: ${Object.keys(operation.responses).join(', ')})`];
    const problems: string[] = [];
    for (const [name, reference] of Object.entries(documented.headers ?? {})) {
      const header = reference.$ref
        ? (this.document.components?.headers?.[reference.$ref.replace('#/components/headers/', '')] ?? {})
        : reference;
      const value = res.headers.get(name);
      if (value === null) {
        if (header.required) problems.push(`required header ${name} is missing`);
        continue;
      }
      if (header.schema && !this.validator(header.schema)(value))
        problems.push(`header ${name}: ${JSON.stringify(value)} does not match ${JSON.stringify(header.schema)}`);
    }
    const contentType = res.headers.get('content-type')?.split(';')[0]?.trim();
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

const redacted = (headers: Record<string, string>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, /cookie|authorization|x-api-key/.test(name) ? `${value.slice(0, 12)}…` : value]),
  );

// ---------- the apps ----------

async function startWeb(): Promise<AppUnderTest> {
  const stack = await startWebAuthStack({ env: GENEROUS_LIMITS });
  const jar = new CookieJar();
  const login = await browserLogin(stack.url, jar);
  if (!login.sessionId) throw new Error('web-bff: the sign-in through the sandbox IdP set no session cookie');
  const cookie = jar.header(`${stack.url}/api/v1/me`, { crossSite: false, topLevel: false, method: 'GET' });
  if (!cookie) throw new Error('web-bff: no cookie to send after sign-in');
  const cookieName = cookie.split('=')[0] ?? '';
  return {
    name: 'web-bff',
    url: stack.url,
    origin: SPA_ORIGIN,
    credentials: { session: { valid: { cookie }, invalid: { cookie: `${cookieName}=${'x'.repeat(43)}` } } },
    close: () => stack.close(),
  };
}

async function startMobile(): Promise<AppUnderTest> {
  const stack = await startStack(MobileBffModule, MOBILE_BFF, (sandbox) => ({
    ...GENEROUS_LIMITS,
    JWT_ISSUER: sandbox.idp!.issuer,
    JWT_AUDIENCE: MOBILE_BFF_AUDIENCE,
  }));
  const tokens = await nativeAppLogin(stack.sandbox.idp!, { scope: 'catalog:read' });
  const ordersOnly = await nativeAppLogin(stack.sandbox.idp!, { scope: 'orders:read' });
  const [header = '', payload = ''] = tokens.accessToken.split('.');
  return {
    name: 'mobile-bff',
    url: stack.url,
    credentials: {
      jwt: {
        valid: { authorization: `Bearer ${tokens.accessToken}` },
        invalid: { authorization: `Bearer ${header}.${payload}.invalidsignature` },
        limited: [{ scopes: ['orders:read'], headers: { authorization: `Bearer ${ordersOnly.accessToken}` } }],
      },
    },
    close: () => stack.close(),
  };
}

async function startPartner(): Promise<AppUnderTest> {
  const key = partnerKey('acme', ['catalog:read', 'orders:read', 'orders:write'], { account: KNOWN_IDS.customer });
  const feedOnly = partnerKey('feed-only', ['catalog:read']);
  const ordersOnly = partnerKey('orders-only', ['orders:read'], { account: KNOWN_IDS.customer });
  const stack = await startStack(PartnerBffModule, PARTNER_BFF, (sandbox) => ({
    ...GENEROUS_LIMITS,
    PARTNER_API_KEYS: partnerKeysEnv(key, feedOnly, ordersOnly),
    ...partnerClientEnv(sandbox.idp!.issuer),
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
    close: () => stack.close(),
  };
}

describe.each([
  ['web-bff', startWeb],
  ['mobile-bff', startMobile],
  ['partner-bff', startPartner],
])('%s answers as its own OpenAPI document says', (name, start) => {
  let app: AppUnderTest;
  beforeAll(async () => {
    app = await start();
  }, 60_000);
  afterAll(() => app?.close());

  it('every operation, with valid and invalid inputs, answers only documented statuses, content types, bodies and headers', async () => {
    const res = await fetch(`${app.url}/docs-json`);
    expect(res.status).toBe(200);
    const document = (await res.json()) as OpenApiDoc;
    const crawler = new ContractCrawler(app, document);
    await crawler.crawl();
    expect(crawler.failures, crawler.failures.join('\n\n')).toEqual([]);
    // The crawl reached every operation and got past the credentials check on protected ones.
    const operations = Object.values(document.paths).flatMap((item) => HTTP_METHODS.filter((method) => item[method]));
    expect(operations.length).toBeGreaterThan(0);
    expect(crawler.requests).toBeGreaterThan(operations.length * 3);
    expect(
      [...crawler.statuses.values()].some((statuses) => statuses.has(200)),
      name,
    ).toBe(true);
  }, 120_000);
});
