import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { cachedBody, cacheJson, sendCached, sendCachedJson, type CachedBody } from '../http/caching.ts';
import {
  arrayOf,
  BAD_REQUEST,
  buildDocument,
  dateTime,
  IF_NONE_MATCH,
  integer,
  itemsOf,
  jsonResponse,
  NOT_FOUND,
  NOT_MODIFIED,
  nullable,
  object,
  pathParam,
  queryParam,
  ref,
  string,
} from '../http/openapi.ts';
import { idsParam, intParam, single, type Query } from '../http/params.ts';
import { badRequest, notFound } from '../http/problem.ts';
import type { ServiceModule } from '../http/server.ts';
import type { SeedData } from '../seed/data.ts';

export const CATALOG_CACHE_CONTROL = 'public, max-age=60';
const MAX_LIMIT = 100;
const DEFAULT_LIMIT = 20;
const CURSOR_PREFIX = 'o:';
const PAGE_CACHE_SIZE = 2000;
/** Most ids one bulk lookup (`GET /products?ids=`) accepts, like the pricing and inventory bulk reads. */
export const MAX_LOOKUP_IDS = 100;
const LISTING_PARAMS = ['cursor', 'limit', 'q', 'category'] as const;
/** Size bounds of the merchandised featured list (`GET /featured`). */
const MAX_FEATURED = 48;
const DEFAULT_FEATURED = 12;

export function encodeCursor(offset: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${offset}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const decoded = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const match = /^o:(\d{1,9})$/.exec(decoded);
  if (match?.[1] === undefined) throw badRequest("'cursor' is not a valid cursor");
  return Number(match[1]);
}

export const CATALOG_OPENAPI = buildDocument({
  service: 'catalog',
  title: 'Sandbox Catalog Service',
  description: 'Products and categories of the retail sandbox.',
  schemas: {
    ProductImage: object({ url: string({ format: 'uri' }), alt: string() }),
    Product: object({
      id: string({ examples: ['p-00001'] }),
      sku: string(),
      name: string(),
      description: string(),
      categoryId: string({ examples: ['cat-07'] }),
      brand: string(),
      thumbnailUrl: string({ format: 'uri' }),
      images: arrayOf(ref('ProductImage')),
      attributes: { type: 'object', additionalProperties: string(), description: 'Free-form string attributes (color, size, ...).' },
      createdAt: dateTime(),
    }),
    ProductPage: object({
      items: arrayOf(ref('Product')),
      nextCursor: nullable(string({ description: 'Opaque cursor of the next page; null on the last page.' })),
      total: integer({ minimum: 0, description: 'Number of products matching the filters.' }),
    }),
    Category: object({
      id: string({ examples: ['cat-01'] }),
      name: string(),
      parentId: nullable(string()),
    }),
    CategoryList: itemsOf('Category'),
    FeaturedList: itemsOf('Product', { description: 'Merchandised products, in display order.' }),
  },
  paths: {
    '/products': {
      get: {
        operationId: 'listProducts',
        tags: ['catalog'],
        summary: 'List products (cursor pagination), or look several up by id',
        description:
          'With `ids`, a bulk lookup: the known products among the ids, in request order (unknown ids are omitted), ' +
          'as one page with `nextCursor` null and `total` the number found; `ids` cannot be combined with the listing parameters.',
        parameters: [
          queryParam(
            'ids',
            string({ examples: ['p-00001,p-00002'] }),
            `Comma-separated product ids (1..${MAX_LOOKUP_IDS}) to look up; excludes cursor, limit, q and category.`,
          ),
          queryParam('cursor', string(), 'Opaque cursor from a previous page (`nextCursor`).'),
          queryParam('limit', integer({ minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT }), 'Page size.'),
          queryParam('q', string(), 'Case-insensitive substring match on the product name.'),
          queryParam('category', string(), 'Category id; includes products of its sub-categories.'),
          IF_NONE_MATCH,
        ],
        responses: {
          '200': jsonResponse('A page of products', ref('ProductPage'), { cacheable: true }),
          '304': NOT_MODIFIED,
          '400': BAD_REQUEST,
        },
      },
    },
    '/products/{id}': {
      get: {
        operationId: 'getProduct',
        tags: ['catalog'],
        summary: 'Get a product',
        parameters: [pathParam('id', 'Product id', 'p-00001'), IF_NONE_MATCH],
        responses: {
          '200': jsonResponse('The product', ref('Product'), { cacheable: true }),
          '304': NOT_MODIFIED,
          '404': NOT_FOUND,
        },
      },
    },
    '/featured': {
      get: {
        operationId: 'listFeatured',
        tags: ['catalog'],
        summary: 'Featured products (home page merchandising)',
        description: 'The most popular products of the catalogue, best first; the same list for every caller.',
        parameters: [
          queryParam('limit', integer({ minimum: 1, maximum: MAX_FEATURED, default: DEFAULT_FEATURED }), 'Number of products.'),
          IF_NONE_MATCH,
        ],
        responses: {
          '200': jsonResponse('Featured products, in display order', ref('FeaturedList'), { cacheable: true }),
          '304': NOT_MODIFIED,
          '400': BAD_REQUEST,
        },
      },
    },
    '/categories': {
      get: {
        operationId: 'listCategories',
        tags: ['catalog'],
        summary: 'List all categories',
        parameters: [IF_NONE_MATCH],
        responses: {
          '200': jsonResponse('All categories', ref('CategoryList'), { cacheable: true }),
          '304': NOT_MODIFIED,
        },
      },
    },
    '/categories/{id}': {
      get: {
        operationId: 'getCategory',
        tags: ['catalog'],
        summary: 'Get a category',
        parameters: [pathParam('id', 'Category id', 'cat-01'), IF_NONE_MATCH],
        responses: {
          '200': jsonResponse('The category', ref('Category'), { cacheable: true }),
          '304': NOT_MODIFIED,
          '404': NOT_FOUND,
        },
      },
    },
  },
});

export function createCatalogService(seed: SeedData): ServiceModule {
  const products = seed.products.map((product) => ({
    id: product.id,
    categoryId: product.categoryId,
    lowerName: product.name.toLowerCase(),
    json: JSON.stringify(product),
  }));
  const productBodies = new Map<string, CachedBody>(seed.products.map((p) => [p.id, cachedBody(p)]));
  const categoryBodies = new Map<string, CachedBody>(seed.categories.map((c) => [c.id, cachedBody(c)]));
  const categoryList = cachedBody({ items: seed.categories });
  // Merchandising is simulated by popularity (the recommendations service's global ranking), ties by id.
  const featuredOrder = [...products].sort(
    (a, b) => (seed.popularity.get(b.id) ?? 0) - (seed.popularity.get(a.id) ?? 0) || a.id.localeCompare(b.id),
  );
  const featuredBodies = new Map<number, CachedBody>();
  /** Listing pages are immutable too: memoize them (bounded) by their raw query. */
  const pageCache = new Map<string, CachedBody>();

  function lookup(request: FastifyRequest, reply: FastifyReply, query: Query) {
    const combined = LISTING_PARAMS.filter((name) => query[name] !== undefined);
    if (combined.length) throw badRequest(`'ids' cannot be combined with ${combined.map((name) => `'${name}'`).join(', ')}`);
    const ids = idsParam(query['ids'], MAX_LOOKUP_IDS);
    const found = ids.flatMap((id) => productBodies.get(id)?.json ?? []);
    return sendCachedJson(
      request,
      reply,
      `{"items":[${found.join(',')}],"nextCursor":null,"total":${found.length}}`,
      CATALOG_CACHE_CONTROL,
    );
  }

  return {
    name: 'catalog',
    openapi: CATALOG_OPENAPI,
    reset() {},
    register(app: FastifyInstance) {
      app.get<{ Querystring: Query }>('/products', (request, reply) => {
        const query = request.query;
        if (query['ids'] !== undefined) return lookup(request, reply, query);
        const cacheKey = `${single(query['limit']) ?? ''}|${single(query['cursor']) ?? ''}|${single(query['q']) ?? ''}|${single(query['category']) ?? ''}`;
        const hit = pageCache.get(cacheKey);
        if (hit !== undefined) return sendCached(request, reply, hit, CATALOG_CACHE_CONTROL);
        const limit = intParam(query['limit'], 'limit', 1, MAX_LIMIT, DEFAULT_LIMIT);
        const cursor = single(query['cursor']);
        const offset = cursor === undefined || cursor === '' ? 0 : decodeCursor(cursor);
        const q = single(query['q'])?.trim().toLowerCase() ?? '';
        const category = single(query['category']) ?? '';
        let matching = products;
        if (category !== '') {
          const subtree = seed.categorySubtree.get(category);
          matching = subtree === undefined ? [] : matching.filter((p) => subtree.has(p.categoryId));
        }
        if (q !== '') matching = matching.filter((p) => p.lowerName.includes(q));
        const page = matching.slice(offset, offset + limit);
        const next = offset + limit < matching.length ? JSON.stringify(encodeCursor(offset + limit)) : 'null';
        const body = `{"items":[${page.map((p) => p.json).join(',')}],"nextCursor":${next},"total":${matching.length}}`;
        const cached = cacheJson(body);
        if (pageCache.size >= PAGE_CACHE_SIZE) pageCache.clear();
        pageCache.set(cacheKey, cached);
        return sendCached(request, reply, cached, CATALOG_CACHE_CONTROL);
      });

      app.get<{ Params: { id: string } }>('/products/:id', (request, reply) => {
        const body = productBodies.get(request.params.id);
        if (body === undefined) throw notFound(`product '${request.params.id}' not found`);
        return sendCached(request, reply, body, CATALOG_CACHE_CONTROL);
      });

      app.get<{ Querystring: Query }>('/featured', (request, reply) => {
        const limit = intParam(request.query['limit'], 'limit', 1, MAX_FEATURED, DEFAULT_FEATURED);
        let body = featuredBodies.get(limit);
        if (body === undefined) {
          body = cacheJson(
            `{"items":[${featuredOrder
              .slice(0, limit)
              .map((p) => p.json)
              .join(',')}]}`,
          );
          featuredBodies.set(limit, body);
        }
        return sendCached(request, reply, body, CATALOG_CACHE_CONTROL);
      });

      app.get('/categories', (request, reply) => sendCached(request, reply, categoryList, CATALOG_CACHE_CONTROL));

      app.get<{ Params: { id: string } }>('/categories/:id', (request, reply) => {
        const body = categoryBodies.get(request.params.id);
        if (body === undefined) throw notFound(`category '${request.params.id}' not found`);
        return sendCached(request, reply, body, CATALOG_CACHE_CONTROL);
      });
    },
  };
}
