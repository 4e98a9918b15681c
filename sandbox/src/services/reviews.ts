import type { FastifyInstance } from 'fastify';

import { cachedBody, cacheJson, sendCached, type CachedBody } from '../http/caching.ts';
import {
  arrayOf,
  BAD_REQUEST,
  buildDocument,
  dateTime,
  IF_NONE_MATCH,
  integer,
  jsonResponse,
  NOT_FOUND,
  NOT_MODIFIED,
  number,
  object,
  pathParam,
  queryParam,
  ref,
  string,
} from '../http/openapi.ts';
import { intParam, type Query } from '../http/params.ts';
import { notFound } from '../http/problem.ts';
import type { ServiceModule } from '../http/server.ts';
import { generateReviews, type SeedData } from '../seed/data.ts';
import type { Rating } from '../seed/model.ts';

export const REVIEWS_CACHE_CONTROL = 'public, max-age=30';
const MAX_PAGE = 1_000_000;
const MAX_PAGE_SIZE = 50;
const DEFAULT_PAGE_SIZE = 10;
const PAGE_CACHE_SIZE = 5000;

export const REVIEWS_OPENAPI = buildDocument({
  service: 'reviews',
  title: 'Sandbox Reviews Service',
  description: 'Customer reviews and rating summaries per product (0–40 reviews per product).',
  schemas: {
    Review: object({
      id: string({ examples: ['r-00001-001'] }),
      productId: string(),
      author: string(),
      rating: integer({ minimum: 1, maximum: 5 }),
      title: string(),
      body: string(),
      createdAt: dateTime(),
    }),
    ReviewPage: object({
      items: arrayOf(ref('Review')),
      page: integer({ minimum: 1 }),
      pageSize: integer({ minimum: 1, maximum: MAX_PAGE_SIZE }),
      total: integer({ minimum: 0 }),
    }),
    RatingHistogram: object({
      '1': integer({ minimum: 0 }),
      '2': integer({ minimum: 0 }),
      '3': integer({ minimum: 0 }),
      '4': integer({ minimum: 0 }),
      '5': integer({ minimum: 0 }),
    }),
    Rating: object({
      productId: string(),
      average: number({ minimum: 0, maximum: 5, description: 'Mean rating rounded to 1 decimal; 0 when there are no reviews.' }),
      count: integer({ minimum: 0 }),
      histogram: ref('RatingHistogram'),
    }),
  },
  paths: {
    '/products/{productId}/reviews': {
      get: {
        operationId: 'listReviews',
        tags: ['reviews'],
        summary: 'Reviews of a product, newest first',
        parameters: [
          pathParam('productId', 'Product id', 'p-00001'),
          queryParam('page', integer({ minimum: 1, maximum: MAX_PAGE, default: 1 }), '1-based page number.'),
          queryParam('pageSize', integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE }), 'Page size.'),
          IF_NONE_MATCH,
        ],
        responses: {
          '200': jsonResponse('A page of reviews', ref('ReviewPage'), { cacheable: true }),
          '304': NOT_MODIFIED,
          '400': BAD_REQUEST,
          '404': NOT_FOUND,
        },
      },
    },
    '/products/{productId}/rating': {
      get: {
        operationId: 'getRating',
        tags: ['reviews'],
        summary: 'Rating summary of a product',
        parameters: [pathParam('productId', 'Product id', 'p-00001'), IF_NONE_MATCH],
        responses: {
          '200': jsonResponse('The rating summary', ref('Rating'), { cacheable: true }),
          '304': NOT_MODIFIED,
          '404': NOT_FOUND,
        },
      },
    },
  },
});

interface ProductReviews {
  /** Serialized reviews, newest first. */
  items: string[];
  rating: CachedBody;
}

export function createReviewsService(seed: SeedData): ServiceModule {
  const byProduct = new Map<string, ProductReviews>();
  const pageCache = new Map<string, CachedBody>();

  const reviewsOf = (productId: string): ProductReviews => {
    const cached = byProduct.get(productId);
    if (cached !== undefined) return cached;
    const product = seed.productsById.get(productId);
    const plan = seed.reviewPlans.get(productId);
    if (product === undefined || plan === undefined) throw notFound(`product '${productId}' not found`);
    const reviews = generateReviews(product, plan);
    const histogram: Rating['histogram'] = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 };
    let sum = 0;
    for (const review of reviews) {
      histogram[String(review.rating) as keyof Rating['histogram']] += 1;
      sum += review.rating;
    }
    const rating: Rating = {
      productId,
      average: reviews.length === 0 ? 0 : Math.round((sum / reviews.length) * 10) / 10,
      count: reviews.length,
      histogram,
    };
    const entry = { items: reviews.map((review) => JSON.stringify(review)), rating: cachedBody(rating) };
    byProduct.set(productId, entry);
    return entry;
  };

  return {
    name: 'reviews',
    openapi: REVIEWS_OPENAPI,
    reset() {},
    register(app: FastifyInstance) {
      app.get<{ Params: { productId: string }; Querystring: Query }>('/products/:productId/reviews', (request, reply) => {
        const page = intParam(request.query['page'], 'page', 1, MAX_PAGE, 1);
        const pageSize = intParam(request.query['pageSize'], 'pageSize', 1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE);
        const { productId } = request.params;
        const key = `${productId}|${page}|${pageSize}`;
        let cached = pageCache.get(key);
        if (cached === undefined) {
          const { items } = reviewsOf(productId);
          const start = (page - 1) * pageSize;
          const body = `{"items":[${items.slice(start, start + pageSize).join(',')}],"page":${page},"pageSize":${pageSize},"total":${items.length}}`;
          cached = cacheJson(body);
          if (pageCache.size >= PAGE_CACHE_SIZE) pageCache.clear();
          pageCache.set(key, cached);
        }
        return sendCached(request, reply, cached, REVIEWS_CACHE_CONTROL);
      });
      app.get<{ Params: { productId: string } }>('/products/:productId/rating', (request, reply) => {
        return sendCached(request, reply, reviewsOf(request.params.productId).rating, REVIEWS_CACHE_CONTROL);
      });
    },
  };
}
