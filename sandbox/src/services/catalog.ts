import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { cachedBody, cacheJson, sendCached, sendCachedJson, sendJson, type CachedBody } from '../http/caching.ts';
import { negotiateLanguage } from '../http/language.ts';
import {
  ACCEPT_LANGUAGE,
  arrayOf,
  BAD_REQUEST,
  boolean,
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
import { booleanParam, idsParam, intParam, single, type Query } from '../http/params.ts';
import { badRequest, notFound } from '../http/problem.ts';
import type { ServiceModule } from '../http/server.ts';
import type { SeedData } from '../seed/data.ts';
import { localizeCategory, localizeProduct } from '../seed/localize.ts';
import type { Product } from '../seed/model.ts';
import { CATALOG_LANGUAGES, type CatalogLanguage } from '../seed/words.ts';

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

/** A place in the change feed: after every product whose (updatedAt, id) is not greater than (at, id). */
interface ChangePosition {
  at: number;
  id: string;
}

/** Before every change (the earliest date JavaScript represents). */
const FEED_START: ChangePosition = { at: -8_640_000_000_000_000, id: '' };
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;
const CHANGE_CURSOR = /^u:(-?\d{1,16}):([A-Za-z0-9_-]{0,64})$/;

function compareChange(a: ChangePosition, b: ChangePosition): number {
  return a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function encodeChangeCursor(position: ChangePosition): string {
  return Buffer.from(`u:${position.at}:${position.id}`).toString('base64url');
}

function decodeChangeCursor(cursor: string): ChangePosition {
  const decoded = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const match = CHANGE_CURSOR.exec(decoded);
  if (match?.[1] === undefined || match[2] === undefined) throw badRequest("'cursor' is not a valid change-feed cursor");
  return { at: Number(match[1]), id: match[2] };
}

function parseRfc3339(value: string): number {
  const at = RFC3339.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(at)) throw badRequest("'updatedSince' must be an RFC 3339 date-time, e.g. 2025-01-01T00:00:00Z");
  return at;
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
      updatedAt: dateTime({ description: 'Last change of the product; the change feed (`GET /products/changes`) orders by it.' }),
    }),
    DeletedProduct: object({
      id: string({ examples: ['p-00042'] }),
      deletedAt: dateTime({ description: 'When the product was removed from the catalogue; its position in the feed.' }),
    }),
    ProductChanges: object(
      {
        items: arrayOf(ref('Product'), { description: 'Changed products by (updatedAt, id), oldest first.' }),
        deleted: arrayOf(ref('DeletedProduct'), {
          description:
            'Only with `includeDeleted=true`: the products deleted within this page, by (deletedAt, id), oldest first. ' +
            'A product is listed once, at its latest change: in `items` while it exists, here once it is deleted.',
        }),
        nextCursor: string({
          description:
            'Position after the last entry (or the requested position when the page is empty): always present, so a client resumes or polls from it later.',
        }),
        hasMore: boolean({ description: 'More changes follow now; false means the client is in sync.' }),
      },
      ['deleted'],
    ),
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
          ACCEPT_LANGUAGE,
        ],
        responses: {
          '200': jsonResponse('A page of products', ref('ProductPage'), { cacheable: true, localized: true }),
          '304': NOT_MODIFIED,
          '400': BAD_REQUEST,
        },
      },
    },
    '/products/changes': {
      get: {
        operationId: 'listProductChanges',
        tags: ['catalog'],
        summary: 'Products changed since a date or a cursor, by (updatedAt, id)',
        description:
          'The change feed: every product whose `updatedAt` is at or after `updatedSince` (or after the position a `cursor` ' +
          'encodes), oldest first, ties by id. Without either, the feed starts at the beginning. A cursor encodes the last ' +
          '(updatedAt, id) returned, so it stays valid across later changes. With `includeDeleted=true` deleted products ' +
          'are part of the feed too, as tombstones in `deleted` at the position of their deletion (`limit` counts both ' +
          'lists); without it they are left out.',
        parameters: [
          queryParam('updatedSince', dateTime(), 'RFC 3339 date-time; products updated at or after it. Excludes `cursor`.'),
          queryParam('cursor', string(), 'Opaque `nextCursor` of an earlier answer. Excludes `updatedSince`.'),
          queryParam('limit', integer({ minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT }), 'Page size.'),
          queryParam(
            'includeDeleted',
            boolean({ default: false }),
            'true: deleted products are entries of the feed too (the `deleted` list); false: they are left out.',
          ),
          IF_NONE_MATCH,
          ACCEPT_LANGUAGE,
        ],
        responses: {
          '200': jsonResponse('A page of changes', ref('ProductChanges'), { cacheable: true, localized: true }),
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
        parameters: [pathParam('id', 'Product id', 'p-00001'), IF_NONE_MATCH, ACCEPT_LANGUAGE],
        responses: {
          '200': jsonResponse('The product', ref('Product'), { cacheable: true, localized: true }),
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
          ACCEPT_LANGUAGE,
        ],
        responses: {
          '200': jsonResponse('Featured products, in display order', ref('FeaturedList'), { cacheable: true, localized: true }),
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
        parameters: [IF_NONE_MATCH, ACCEPT_LANGUAGE],
        responses: {
          '200': jsonResponse('All categories', ref('CategoryList'), { cacheable: true, localized: true }),
          '304': NOT_MODIFIED,
        },
      },
    },
    '/categories/{id}': {
      get: {
        operationId: 'getCategory',
        tags: ['catalog'],
        summary: 'Get a category',
        parameters: [pathParam('id', 'Category id', 'cat-01'), IF_NONE_MATCH, ACCEPT_LANGUAGE],
        responses: {
          '200': jsonResponse('The category', ref('Category'), { cacheable: true, localized: true }),
          '304': NOT_MODIFIED,
          '404': NOT_FOUND,
        },
      },
    },
  },
});

/** The catalog as one language sees it: texts in that language, and everything derived from them. */
interface CatalogView {
  readonly products: { id: string; categoryId: string; lowerName: string; json: string }[];
  readonly productBodies: Map<string, CachedBody>;
  readonly featuredOrder: CatalogView['products'];
  /** Products by (updatedAt, id) and tombstones by (deletedAt, id): the change feed's order, one entry per product. */
  readonly changeOrder: { at: number; id: string; json: string; deleted: boolean }[];
  readonly featuredBodies: Map<number, CachedBody>;
  /** Listing pages are immutable between changes: memoize them (bounded) by their raw query. */
  readonly pageCache: Map<string, CachedBody>;
  readonly categoryBodies: Map<string, CachedBody>;
  readonly categoryList: CachedBody;
}

export function createCatalogService(seed: SeedData): ServiceModule {
  const productIndex = new Map(seed.products.map((p, index) => [p.id, index]));
  /** The products as they are now: the seed, plus admin touches (`POST /__admin/products/{id}/touch`). */
  let current: Product[] = [];
  /** Deleted products (`DELETE /__admin/products/{id}`): id → when. Their entries in `current` are kept but never served. */
  let deletedAt = new Map<string, number>();
  const views = new Map<CatalogLanguage, CatalogView>();

  function buildView(language: CatalogLanguage): CatalogView {
    const localized = current
      .filter((product) => !deletedAt.has(product.id))
      .map((product) => localizeProduct(product, seed.productWords.get(product.id), language));
    const products = localized.map((product) => ({
      id: product.id,
      categoryId: product.categoryId,
      lowerName: product.name.toLowerCase(),
      json: JSON.stringify(product),
    }));
    const categories = seed.categories.map((category) => localizeCategory(category, language));
    return {
      products,
      productBodies: new Map(localized.map((p) => [p.id, cachedBody(p)])),
      // Merchandising is simulated by popularity (the recommendations service's global ranking), ties by id.
      featuredOrder: [...products].sort(
        (a, b) => (seed.popularity.get(b.id) ?? 0) - (seed.popularity.get(a.id) ?? 0) || a.id.localeCompare(b.id),
      ),
      changeOrder: [
        ...localized.map((product, index) => ({
          at: Date.parse(product.updatedAt),
          id: product.id,
          json: products[index]?.json ?? '',
          deleted: false,
        })),
        ...[...deletedAt].map(([id, at]) => ({
          at,
          id,
          json: JSON.stringify({ id, deletedAt: new Date(at).toISOString() }),
          deleted: true,
        })),
      ].sort(compareChange),
      featuredBodies: new Map(),
      pageCache: new Map(),
      categoryBodies: new Map(categories.map((c) => [c.id, cachedBody(c)])),
      categoryList: cachedBody({ items: categories }),
    };
  }

  function rebuild(): void {
    for (const language of CATALOG_LANGUAGES) views.set(language, buildView(language));
  }

  /** The view of the request's language (negotiated from Accept-Language), announced on the reply. */
  function viewOf(request: FastifyRequest, reply: FastifyReply): CatalogView {
    const language = negotiateLanguage(request.headers['accept-language'], CATALOG_LANGUAGES);
    reply.header('content-language', language).header('vary', 'Accept-Language');
    return views.get(language) as CatalogView;
  }

  function restoreSeed(): void {
    current = seed.products.map((product) => ({ ...product }));
    deletedAt = new Map();
    rebuild();
  }
  restoreSeed();

  /** The index in `current` of a product that exists (not deleted); 404 otherwise. */
  function liveIndex(id: string): number {
    const index = productIndex.get(id);
    if (index === undefined || deletedAt.has(id)) throw notFound(`product '${id}' not found`);
    return index;
  }

  /** Now, but strictly after every other change, so the change sorts last in the feed. */
  function nextChangeAt(): number {
    return Math.max(Date.now(), ((views.get('en') as CatalogView).changeOrder.at(-1)?.at ?? 0) + 1);
  }

  /** Bumps a product's updatedAt to now (strictly after every other change, so it sorts last in the feed). */
  function touch(id: string): Product {
    const index = liveIndex(id);
    const touched = { ...current[index], updatedAt: new Date(nextChangeAt()).toISOString() };
    current[index] = touched;
    rebuild();
    return touched;
  }

  /** Removes a product from the catalogue (discontinued): it leaves every read, and the feed gets its tombstone. */
  function remove(id: string): { id: string; deletedAt: string } {
    liveIndex(id);
    const at = nextChangeAt();
    deletedAt.set(id, at);
    rebuild();
    return { id, deletedAt: new Date(at).toISOString() };
  }

  function changes(request: FastifyRequest, reply: FastifyReply, query: Query) {
    const { changeOrder } = viewOf(request, reply);
    const limit = intParam(query['limit'], 'limit', 1, MAX_LIMIT, DEFAULT_LIMIT);
    const cursor = single(query['cursor']);
    const since = single(query['updatedSince']);
    const includeDeleted = booleanParam(query['includeDeleted'], 'includeDeleted');
    if (cursor !== undefined && since !== undefined) throw badRequest("'cursor' and 'updatedSince' cannot be combined");
    const after: ChangePosition =
      cursor !== undefined ? decodeChangeCursor(cursor) : since !== undefined ? { at: parseRfc3339(since), id: '' } : FEED_START;
    const feed = includeDeleted ? changeOrder : changeOrder.filter((entry) => !entry.deleted);
    const start = feed.findIndex((entry) => compareChange(entry, after) > 0);
    const from = start === -1 ? feed.length : start;
    const page = feed.slice(from, from + limit);
    const last = page.at(-1) ?? after;
    const list = (entries: typeof page) => `[${entries.map((entry) => entry.json).join(',')}]`;
    const body =
      `{"items":${list(page.filter((entry) => !entry.deleted))},` +
      (includeDeleted ? `"deleted":${list(page.filter((entry) => entry.deleted))},` : '') +
      `"nextCursor":${JSON.stringify(encodeChangeCursor(last))},"hasMore":${from + limit < feed.length}}`;
    // The feed moves with every change: revalidate every time (the ETag still saves the body).
    return sendCachedJson(request, reply, body, 'no-cache');
  }

  function lookup(request: FastifyRequest, reply: FastifyReply, query: Query) {
    const combined = LISTING_PARAMS.filter((name) => query[name] !== undefined);
    if (combined.length) throw badRequest(`'ids' cannot be combined with ${combined.map((name) => `'${name}'`).join(', ')}`);
    const ids = idsParam(query['ids'], MAX_LOOKUP_IDS);
    const { productBodies } = viewOf(request, reply);
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
    reset: restoreSeed,
    register(app: FastifyInstance) {
      app.get<{ Querystring: Query }>('/products/changes', (request, reply) => changes(request, reply, request.query));

      // Admin (not in the OpenAPI document, like every /__admin route): simulates a catalogue edit.
      app.post<{ Params: { id: string } }>('/__admin/products/:id/touch', (request, reply) =>
        sendJson(reply, 200, touch(request.params.id)),
      );
      // Admin: simulates a discontinued product (undone by POST /__admin/reset).
      app.delete<{ Params: { id: string } }>('/__admin/products/:id', (request, reply) => sendJson(reply, 200, remove(request.params.id)));

      app.get<{ Querystring: Query }>('/products', (request, reply) => {
        const query = request.query;
        if (query['ids'] !== undefined) return lookup(request, reply, query);
        const { pageCache, products } = viewOf(request, reply);
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
        const body = viewOf(request, reply).productBodies.get(request.params.id);
        if (body === undefined) throw notFound(`product '${request.params.id}' not found`);
        return sendCached(request, reply, body, CATALOG_CACHE_CONTROL);
      });

      app.get<{ Querystring: Query }>('/featured', (request, reply) => {
        const limit = intParam(request.query['limit'], 'limit', 1, MAX_FEATURED, DEFAULT_FEATURED);
        const { featuredBodies, featuredOrder } = viewOf(request, reply);
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

      app.get('/categories', (request, reply) => sendCached(request, reply, viewOf(request, reply).categoryList, CATALOG_CACHE_CONTROL));

      app.get<{ Params: { id: string } }>('/categories/:id', (request, reply) => {
        const body = viewOf(request, reply).categoryBodies.get(request.params.id);
        if (body === undefined) throw notFound(`category '${request.params.id}' not found`);
        return sendCached(request, reply, body, CATALOG_CACHE_CONTROL);
      });
    },
  };
}
