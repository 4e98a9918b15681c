import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { breakingChanges, type Json, type OpenApiDocument } from '../scripts/openapi-compat.ts';

/** A small v1 API: GET /v1/items/{id} (Item by $ref, a required header) and POST /v1/items (a body by $ref). */
function baseline(): OpenApiDocument & { paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, Json> } } {
  return {
    paths: {
      '/v1/items/{id}': {
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', maxLength: 64 } }],
        get: {
          parameters: [{ name: 'fields', in: 'query', required: false, schema: { type: 'string', enum: ['short', 'full'] } }],
          responses: {
            '200': {
              description: 'ok',
              headers: { ETag: { $ref: '#/components/headers/ETag' } },
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Item' } } },
            },
            '404': {
              description: 'missing',
              content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
            },
          },
        },
      },
      '/v1/items': {
        post: {
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/NewItem' } } } },
          responses: {
            '201': { description: 'created', content: { 'application/json': { schema: { $ref: '#/components/schemas/Item' } } } },
          },
        },
      },
    },
    components: {
      headers: { ETag: { required: true, schema: { type: 'string' } } },
      schemas: {
        Problem: { type: 'object', properties: { type: { type: 'string' }, status: { type: 'integer' } }, required: ['type', 'status'] },
        Item: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            count: { type: 'integer' },
            state: { type: 'string', enum: ['new', 'sold'] },
            created: { type: 'string', format: 'date-time' },
            tags: { type: 'array', items: { $ref: '#/components/schemas/Tag' } },
            note: { type: ['string', 'null'] },
          },
          required: ['id', 'count', 'state', 'tags'],
        },
        Tag: { type: 'object', properties: { name: { type: 'string' }, parent: { $ref: '#/components/schemas/Tag' } }, required: ['name'] },
        NewItem: {
          type: 'object',
          properties: { name: { type: 'string', maxLength: 40 }, count: { type: 'integer', minimum: 0 }, colour: { type: 'string' } },
          required: ['name'],
        },
      },
    },
  };
}

type Doc = ReturnType<typeof baseline>;
/** The findings after `change` is applied to a copy of the baseline. */
const after = (change: (doc: Doc) => void, now?: Date): string[] => {
  const doc = baseline();
  change(doc);
  return breakingChanges(baseline(), doc, now);
};
const item = (doc: Doc) => doc.components.schemas.Item as { properties: Record<string, Json>; required: string[] };
const newItem = (doc: Doc) => doc.components.schemas.NewItem as { properties: Record<string, Json>; required: string[] };
const getOp = (doc: Doc) => doc.paths['/v1/items/{id}'].get as { parameters: Json[]; responses: Record<string, Json> };

describe('breakingChanges', () => {
  it('finds nothing between identical documents, or when only adding', () => {
    expect(breakingChanges(baseline(), baseline())).toEqual([]);
    expect(
      after((doc) => {
        item(doc).properties.colour = { type: 'string' }; // new optional response property
        item(doc).required.push('colour'); // ... even required: clients ignore what they do not know
        newItem(doc).properties.size = { type: 'integer' }; // new optional request property
        newItem(doc).properties.count.minimum = -10; // a loosened request bound
        getOp(doc).parameters.push({ name: 'lang', in: 'query', required: false, schema: { type: 'string' } });
        getOp(doc).responses['429'] = { description: 'slow down' };
        doc.paths['/v2/items'] = { get: { responses: { '200': { description: 'ok' } } } };
        (doc.components.schemas.Problem as { properties: Json }).properties.detail = { type: 'string' };
      }),
    ).toEqual([]);
  });

  it('follows $refs into response schemas: a removed property, a required one made optional', () => {
    expect(
      after((doc) => {
        delete item(doc).properties.created;
        item(doc).required = item(doc).required.filter((name) => name !== 'count');
      }),
    ).toEqual([
      'GET /v1/items/{id} 200 body.count: required property became optional',
      'GET /v1/items/{id} 200 body.created: property removed',
      'POST /v1/items 201 body.count: required property became optional',
      'POST /v1/items 201 body.created: property removed',
    ]);
  });

  it('finds a response type changed or widened (integer to number, a new null), an enum value lost and a format changed', () => {
    const findings = after((doc) => {
      item(doc).properties.count = { type: 'number' };
      item(doc).properties.id = { type: ['string', 'null'] };
      item(doc).properties.state = { type: 'string', enum: ['new'] };
      item(doc).properties.created = { type: 'string', format: 'date' };
    }).filter((finding) => finding.startsWith('GET'));
    expect(findings).toEqual([
      'GET /v1/items/{id} 200 body.id: type string became null|string',
      'GET /v1/items/{id} 200 body.count: type integer became number',
      'GET /v1/items/{id} 200 body.state: enum lost "sold"',
      'GET /v1/items/{id} 200 body.created: format "date-time" became "date"',
    ]);
    // A response type narrowed (no more null) is fine: clients handled both.
    expect(after((doc) => void (item(doc).properties.note = { type: 'string' }))).toEqual([]);
  });

  it('follows nested and recursive $refs (array items, a schema referring to itself)', () => {
    expect(after((doc) => void ((doc.components.schemas.Tag as { properties: Json }).properties.name = { type: 'integer' }))).toEqual([
      'GET /v1/items/{id} 200 body.tags[].name: type string became integer',
      'POST /v1/items 201 body.tags[].name: type string became integer',
    ]);
    // The same comparison when the schema moves inline or behind another name: refs are resolved, not compared by name.
    const inlined = after((doc) => {
      doc.components.schemas.Item2 = structuredClone(doc.components.schemas.Item);
      (getOp(doc).responses['200'] as { content: Record<string, Json> }).content['application/json'] = {
        schema: { allOf: [{ $ref: '#/components/schemas/Item2' }], description: 'same item' },
      };
    });
    expect(inlined).toEqual([]);
  });

  it('finds removed operations, statuses, content types and required headers', () => {
    expect(
      after((doc) => {
        delete doc.paths['/v1/items'].post;
        delete getOp(doc).responses['404'];
        (getOp(doc).responses['200'] as { content: Json }).content = { 'application/xml': { schema: { type: 'string' } } };
        (getOp(doc).responses['200'] as { headers: Json }).headers = {};
      }),
    ).toEqual([
      'GET /v1/items/{id} 200 header ETag: required header removed',
      'GET /v1/items/{id} 200 application/json: response content type removed',
      'GET /v1/items/{id} 404: response status removed',
      'POST /v1/items: operation removed',
    ]);
  });

  it('allows removing a deprecated operation once its documented Sunset has passed, not before', () => {
    const deprecate = (doc: Doc) => {
      const post = doc.paths['/v1/items'].post as { deprecated?: boolean; responses: Record<string, { headers?: Json }> };
      post.deprecated = true;
      post.responses['201'].headers = { Sunset: { required: true, schema: { type: 'string', enum: ['Wed, 30 Jun 2027 00:00:00 GMT'] } } };
    };
    const published = baseline();
    deprecate(published);
    const removed = baseline();
    deprecate(removed);
    delete removed.paths['/v1/items'].post;
    expect(breakingChanges(published, removed, new Date('2027-06-29T12:00:00Z'))).toEqual([
      'POST /v1/items: operation removed before its sunset (Wed, 30 Jun 2027 00:00:00 GMT)',
    ]);
    expect(breakingChanges(published, removed, new Date('2027-07-01T00:00:00Z'))).toEqual([]);
  });

  it('finds narrowed requests: new required field or parameter, removed field, narrowed type, tightened bounds, lost enum value', () => {
    expect(
      after((doc) => {
        newItem(doc).properties.size = { type: 'integer' };
        newItem(doc).required.push('size', 'count');
        delete newItem(doc).properties.colour;
        newItem(doc).properties.name.maxLength = 20;
        newItem(doc).properties.name.pattern = '^[a-z]+$';
        newItem(doc).properties.count = { type: 'integer', minimum: 1 };
        getOp(doc).parameters = [
          { name: 'fields', in: 'query', required: true, schema: { type: 'string', enum: ['full'] } },
          { name: 'X-Tenant', in: 'header', required: true, schema: { type: 'string' } },
        ];
        (doc.paths['/v1/items/{id}'].parameters as Json[])[0] = { name: 'id', in: 'path', required: true, schema: { type: 'integer' } };
      }),
    ).toEqual([
      'GET /v1/items/{id} parameter path id: accepted type string narrowed to integer',
      'GET /v1/items/{id} parameter query fields: optional parameter became required',
      'GET /v1/items/{id} parameter query fields: enum lost "short"',
      'GET /v1/items/{id} parameter header x-tenant: new required parameter',
      'POST /v1/items request body.name: pattern null became "^[a-z]+$"',
      'POST /v1/items request body.name: maxLength tightened from 40 to 20',
      'POST /v1/items request body.count: optional property became required',
      'POST /v1/items request body.count: minimum tightened from 0 to 1',
      'POST /v1/items request body.colour: property removed',
      'POST /v1/items request body.size: new required property',
    ]);
  });

  it('fails loudly on a $ref that points at nothing', () => {
    expect(() => after((doc) => void delete doc.components.schemas.Tag)).toThrow('$ref #/components/schemas/Tag points at nothing');
  });
});

describe('the real partner-bff document', () => {
  const read = (file: string) => JSON.parse(readFileSync(new URL(`../openapi/${file}`, import.meta.url), 'utf8')) as OpenApiDocument;

  it('is compatible with the published v1 contract', () => {
    expect(breakingChanges(read('published/partner-bff.v1.json'), read('partner-bff.json'))).toEqual([]);
  });

  it('would fail if a v1 response field were dropped or its type changed', () => {
    const published = read('published/partner-bff.v1.json');
    const changed = structuredClone(published) as { components: { schemas: Record<string, { properties: Record<string, Json> }> } };
    const feed = changed.components.schemas.CatalogFeedDto;
    delete feed.properties.nextCursor;
    changed.components.schemas.FeedPriceDto.properties.amount = { type: 'string' };
    const findings = breakingChanges(published, changed);
    expect(findings).toContain('GET /v1/catalog 200 body.nextCursor: property removed');
    expect(findings.some((f) => /^GET \/v1\/catalog 200 body\.items\[\]\..*amount: type number became string$/.test(f))).toBe(true);
  });
});
