import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { customerAccessToken, KNOWN_IDS, OPENAPI_DOCUMENTS, SERVICE_NAMES, type Sandbox, type ServiceName } from '../src/index.ts';
import { getJson, resolveRef, start, validate, type Schema } from './support.ts';

let sandbox: Sandbox;
/** KNOWN_IDS.customer's token, sent to the services that hold customer data. */
let token: string;
const docs = new Map<ServiceName, Schema>();
const SECURED: ReadonlySet<ServiceName> = new Set(['customers', 'carts', 'orders']);

beforeAll(async () => {
  sandbox = await start();
  token = await customerAccessToken(sandbox.idp!, KNOWN_IDS.customer);
  for (const name of SERVICE_NAMES) {
    const { status, headers, body } = await getJson<Schema>(`${sandbox.urls[name]}/openapi.json`);
    expect(status).toBe(200);
    expect(headers.get('content-type')).toMatch(/^application\/json/);
    docs.set(name, body);
  }
});
afterAll(() => sandbox.close());

const doc = (name: ServiceName): Schema => {
  const value = docs.get(name);
  if (value === undefined) throw new Error(`no document for ${name}`);
  return value;
};

function* walk(node: unknown, path: string): Generator<[string, Schema]> {
  if (typeof node !== 'object' || node === null) return;
  if (!Array.isArray(node)) yield [path, node as Schema];
  for (const [key, child] of Object.entries(node)) yield* walk(child, `${path}/${key}`);
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

describe('OpenAPI documents', () => {
  it.each(SERVICE_NAMES)('%s: is a consistent OpenAPI 3.1 document', (name) => {
    const d = doc(name);
    expect(d['openapi']).toBe('3.1.0');
    const operationIds = new Set<string>();
    for (const [path, node] of walk(d, '#')) {
      if (typeof node['$ref'] === 'string') expect(() => resolveRef(d, node['$ref'] as string), path).not.toThrow();
      if (node['type'] === 'object' && Array.isArray(node['required'])) {
        const properties = Object.keys((node['properties'] as Schema | undefined) ?? {});
        for (const key of node['required'] as string[]) expect(properties, `${path} requires ${key}`).toContain(key);
      }
    }
    expect(d).toEqual(JSON.parse(JSON.stringify(OPENAPI_DOCUMENTS[name])));
    const paths = d['paths'] as Record<string, Record<string, Schema>>;
    expect(Object.keys(paths)).toContain('/health');
    for (const [template, item] of Object.entries(paths)) {
      for (const method of METHODS) {
        const operation = item[method];
        if (operation === undefined) continue;
        const id = operation['operationId'] as string;
        expect(id, `${method} ${template}`).toMatch(/^[a-z][A-Za-z]+$/);
        expect(operationIds.has(id)).toBe(false);
        operationIds.add(id);
        expect(Object.keys(operation['responses'] as Schema).length).toBeGreaterThan(0);
        const pathParams = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
        const declared = ((operation['parameters'] as Schema[] | undefined) ?? [])
          .map((p) => (typeof p['$ref'] === 'string' ? resolveRef(d, p['$ref']) : p))
          .filter((p) => p['in'] === 'path')
          .map((p) => p['name']);
        expect(declared.sort(), `${method} ${template}`).toEqual(pathParams.sort());
      }
    }
  });
});

/** Response object documented for `status` of `method template` ($ref resolved). */
function documentedResponse(name: ServiceName, method: string, template: string, status: number): Schema {
  const d = doc(name);
  const operation = (d['paths'] as Record<string, Record<string, Schema>>)[template]?.[method];
  if (operation === undefined) throw new Error(`${name}: ${method} ${template} not documented`);
  const response = (operation['responses'] as Record<string, Schema>)[String(status)];
  if (response === undefined) throw new Error(`${name}: ${method} ${template} has no ${status} response`);
  return typeof response['$ref'] === 'string' ? resolveRef(d, response['$ref']) : response;
}

/** Schema documented for `status` of `method template` (first content type). */
function documentedSchema(name: ServiceName, method: string, template: string, status: number): Schema {
  const response = documentedResponse(name, method, template, status);
  const content = Object.values((response['content'] as Record<string, Schema> | undefined) ?? {})[0];
  if (content === undefined) throw new Error(`${name}: ${method} ${template} ${status} has no content`);
  return content['schema'] as Schema;
}

/** Names of the response headers documented as `required: true` for `status` of `method template`. */
function requiredHeaders(name: ServiceName, method: string, template: string, status: number): string[] {
  const headers = (documentedResponse(name, method, template, status)['headers'] as Record<string, Schema> | undefined) ?? {};
  return Object.entries(headers)
    .filter(([, header]) => (typeof header['$ref'] === 'string' ? resolveRef(doc(name), header['$ref']) : header)['required'] === true)
    .map(([headerName]) => headerName);
}

interface Sample {
  service: ServiceName;
  method?: string;
  template: string;
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Send no bearer token to a secured service. */
  anonymous?: boolean;
}

const samples: Sample[] = [
  { service: 'catalog', template: '/products', url: '/products?limit=25' },
  { service: 'catalog', template: '/products', url: '/products?limit=1000' },
  { service: 'catalog', template: '/products/{id}', url: `/products/${KNOWN_IDS.product}` },
  { service: 'catalog', template: '/products/{id}', url: `/products/${KNOWN_IDS.productUnknown}` },
  { service: 'catalog', template: '/categories', url: '/categories' },
  { service: 'catalog', template: '/categories/{id}', url: `/categories/${KNOWN_IDS.category}` },
  { service: 'pricing', template: '/prices', url: '/prices?ids=p-00001,p-00002,p-00003,p-00150' },
  { service: 'pricing', template: '/prices/{productId}', url: `/prices/${KNOWN_IDS.product}` },
  { service: 'pricing', template: '/prices/{productId}', url: `/prices/${KNOWN_IDS.productNoPrice}` },
  { service: 'inventory', template: '/stock', url: '/stock?ids=p-00001,p-00003,p-00077' },
  { service: 'inventory', template: '/stock/{productId}', url: `/stock/${KNOWN_IDS.productOutOfStock}` },
  { service: 'reviews', template: '/products/{productId}/reviews', url: `/products/${KNOWN_IDS.product}/reviews?pageSize=50` },
  { service: 'reviews', template: '/products/{productId}/rating', url: `/products/${KNOWN_IDS.product}/rating` },
  { service: 'reviews', template: '/products/{productId}/rating', url: `/products/${KNOWN_IDS.productNoReviews}/rating` },
  { service: 'recommendations', template: '/recommendations', url: `/recommendations?productId=${KNOWN_IDS.product}&limit=50` },
  { service: 'customers', template: '/customers/{id}', url: `/customers/${KNOWN_IDS.customer}` },
  { service: 'customers', template: '/customers/{id}', url: '/customers/c-0150' },
  { service: 'customers', template: '/customers/{id}', url: `/customers/${KNOWN_IDS.customer}`, anonymous: true },
  { service: 'carts', template: '/carts/{id}', url: '/carts/cart-c-0002' },
  { service: 'orders', template: '/orders', url: '/orders', anonymous: true },
  { service: 'carts', template: '/carts/{id}', url: `/carts/${KNOWN_IDS.cart}` },
  {
    service: 'carts',
    method: 'post',
    template: '/carts/{id}/items',
    url: `/carts/${KNOWN_IDS.cart}/items`,
    body: { productId: 'p-00009', quantity: 1 },
  },
  { service: 'carts', method: 'post', template: '/carts/{id}/items', url: `/carts/${KNOWN_IDS.cart}/items`, body: { quantity: 1 } },
  {
    service: 'carts',
    method: 'patch',
    template: '/carts/{id}/items/{productId}',
    url: `/carts/${KNOWN_IDS.cart}/items/p-00009`,
    body: { quantity: 4 },
  },
  { service: 'carts', method: 'delete', template: '/carts/{id}/items/{productId}', url: `/carts/${KNOWN_IDS.cart}/items/p-00009` },
  { service: 'orders', template: '/orders', url: '/orders' },
  { service: 'orders', template: '/orders/{id}', url: `/orders/${KNOWN_IDS.order}` },
  {
    service: 'orders',
    method: 'post',
    template: '/orders',
    url: '/orders',
    body: { customerId: KNOWN_IDS.customer, items: [{ productId: 'p-00001', quantity: 1 }] },
    headers: { 'idempotency-key': 'openapi-spec' },
  },
  {
    service: 'orders',
    method: 'post',
    template: '/orders',
    url: '/orders',
    body: { customerId: KNOWN_IDS.customer, items: [{ productId: 'p-00001', quantity: 1 }] },
    headers: { 'idempotency-key': 'openapi-spec' },
  },
  {
    service: 'orders',
    method: 'post',
    template: '/orders',
    url: '/orders',
    body: { customerId: KNOWN_IDS.customer, items: [{ productId: 'p-00002', quantity: 1 }] },
    headers: { 'idempotency-key': 'openapi-spec' },
  },
  ...SERVICE_NAMES.map((service): Sample => ({ service, template: '/health', url: '/health' })),
  ...SERVICE_NAMES.map((service): Sample => ({ service, template: '/openapi.json', url: '/openapi.json' })),
];

describe('live responses match the documented schemas', () => {
  it('validates every sample response (status and body) against its OpenAPI schema', async () => {
    const seenStatuses: string[] = [];
    for (const sample of samples) {
      const method = sample.method ?? 'get';
      const { status, headers, body } = await getJson(`${sandbox.urls[sample.service]}${sample.url}`, {
        method: method.toUpperCase(),
        headers: {
          ...(sample.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(SECURED.has(sample.service) && sample.anonymous !== true ? { authorization: `Bearer ${token}` } : {}),
          ...sample.headers,
        },
        ...(sample.body === undefined ? {} : { body: JSON.stringify(sample.body) }),
      });
      const label = `${sample.service} ${method.toUpperCase()} ${sample.url} -> ${status}`;
      seenStatuses.push(`${sample.service}:${status}`);
      const schema = documentedSchema(sample.service, method, sample.template, status);
      expect(validate(doc(sample.service), schema, body), label).toEqual([]);
      for (const header of requiredHeaders(sample.service, method, sample.template, status)) {
        expect(headers.has(header), `${label}: required header ${header}`).toBe(true);
      }
    }
    for (const expected of [
      'catalog:400',
      'catalog:404',
      'pricing:404',
      'carts:400',
      'carts:403',
      'customers:401',
      'customers:403',
      'orders:401',
      'orders:201',
      'orders:200',
      'orders:422',
    ]) {
      expect(seenStatuses).toContain(expected);
    }
  });

  it('the validator itself rejects wrong shapes', () => {
    const d = doc('catalog');
    const productSchema = { $ref: '#/components/schemas/Product' };
    expect(validate(d, productSchema, { id: 'p-1' }).length).toBeGreaterThan(0);
    expect(validate(d, { $ref: '#/components/schemas/Category' }, { id: 'x', name: 'y', parentId: null })).toEqual([]);
    expect(validate(d, { $ref: '#/components/schemas/Category' }, { id: 'x', name: 'y', parentId: 3 })).not.toEqual([]);
    expect(validate(d, { $ref: '#/components/schemas/Category' }, { id: 'x', name: 'y', parentId: null, extra: 1 })).not.toEqual([]);
  });
});
