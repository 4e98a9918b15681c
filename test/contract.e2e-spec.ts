import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { KNOWN_IDS } from '../sandbox/src/index.ts';
import {
  APP_NAMES,
  asText,
  fetchDocument,
  operationsOf,
  redacted,
  resolve,
  ResponseChecker,
  schemesOf,
  startAppUnderTest,
  typeOf,
  type AppUnderTest,
  type Credential,
  type OpenApiDoc,
  type OperationDoc,
  type Schema,
} from './support/openapi-crawl.js';

/**
 * Contract test: each app is crawled through its OWN OpenAPI document (GET /docs-json), every
 * operation with valid inputs (real credentials from the sandbox IdP / partner keys) and with a set
 * of invalid ones. Any answer whose status, content type, body or required headers the document
 * does not describe fails, naming the app, the request and the mismatch. New routes are covered as
 * soon as they are in the document.
 */

/** A request of the crawl; described in failure messages. */
interface Probe {
  readonly label: string;
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

/** Known-good values for path parameters the schema cannot give (real seed ids). */
const KNOWN_PATH_VALUES: Readonly<Record<string, string>> = { id: KNOWN_IDS.product };
const OVERLONG = 'a'.repeat(5_000);
/** A well-formed id that no sandbox service knows. */
const UNKNOWN_ID = 'zz-unknown-0';

// ---------- document helpers ----------

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

// ---------- the crawl ----------

class ContractCrawler {
  private readonly checker: ResponseChecker;
  private readonly harvested = new Map<string, string>();
  readonly failures: string[] = [];
  readonly statuses = new Map<string, Set<number>>();
  requests = 0;

  constructor(
    private readonly app: AppUnderTest,
    private readonly document: OpenApiDoc,
  ) {
    this.checker = new ResponseChecker(document);
  }

  async crawl(): Promise<void> {
    // Collections first: the ids they list are the valid path values of their items (e.g. an order of this partner).
    for (const { method, template, doc } of operationsOf(this.document)) await this.crawlOperation(method, template, doc);
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
    const schemes = schemesOf(operation);
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
    const problems = this.checker.check(operation, { status: res.status, headers: res.headers, text });
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
}

describe.each(APP_NAMES)('%s answers as its own OpenAPI document says', (name) => {
  let app: AppUnderTest;
  beforeAll(async () => {
    app = await startAppUnderTest(name);
  }, 60_000);
  afterAll(() => app?.close());

  it('every operation, with valid and invalid inputs, answers only documented statuses, content types, bodies and headers', async () => {
    const document = await fetchDocument(app);
    const crawler = new ContractCrawler(app, document);
    await crawler.crawl();
    expect(crawler.failures, crawler.failures.join('\n\n')).toEqual([]);
    // The crawl reached every operation and got past the credentials check on protected ones.
    const operations = operationsOf(document);
    expect(operations.length).toBeGreaterThan(0);
    expect(crawler.requests).toBeGreaterThan(operations.length * 3);
    expect(
      [...crawler.statuses.values()].some((statuses) => statuses.has(200)),
      name,
    ).toBe(true);
  }, 120_000);
});
