import type { FastifyInstance } from 'fastify';

import { cacheJson, sendCached, type CachedBody } from '../http/caching.ts';
import {
  BAD_REQUEST,
  buildDocument,
  IF_NONE_MATCH,
  integer,
  itemsOf,
  jsonResponse,
  NOT_FOUND,
  NOT_MODIFIED,
  number,
  object,
  queryParam,
  ref,
  string,
} from '../http/openapi.ts';
import { intParam, single, type Query } from '../http/params.ts';
import { notFound } from '../http/problem.ts';
import type { ServiceModule } from '../http/server.ts';
import type { SeedData } from '../seed/data.ts';
import type { Recommendation } from '../seed/model.ts';
import { mixSeed, mulberry32 } from '../seed/prng.ts';

export const RECOMMENDATIONS_CACHE_CONTROL = 'public, max-age=30';
const MAX_LIMIT = 50;
const DEFAULT_LIMIT = 5;
const CACHE_SIZE = 5000;

export const RECOMMENDATIONS_OPENAPI = buildDocument({
  service: 'recommendations',
  title: 'Sandbox Recommendations Service',
  description:
    'Product recommendations. Deliberately slower than the other services (extra latency per profile: 60 ms by default, none in the bench profile).',
  schemas: {
    Recommendation: object({
      productId: string({ examples: ['p-00042'] }),
      score: number({ minimum: 0, maximum: 1, description: 'Relevance, 3 decimals; items are sorted by descending score.' }),
    }),
    RecommendationList: itemsOf('Recommendation'),
  },
  paths: {
    '/recommendations': {
      get: {
        operationId: 'listRecommendations',
        tags: ['recommendations'],
        summary: 'Recommended products',
        description:
          'With `productId`: products similar to it (same category). With `categoryId`: popular products of that category (and sub-categories). Without both: globally popular products. The given product is never recommended.',
        parameters: [
          queryParam('productId', string({ examples: ['p-00001'] }), 'Seed product.'),
          queryParam('categoryId', string({ examples: ['cat-01'] }), 'Restrict to this category (and its sub-categories).'),
          queryParam('limit', integer({ minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT }), 'Number of items.'),
          IF_NONE_MATCH,
        ],
        responses: {
          '200': jsonResponse('Recommendations, best first', ref('RecommendationList'), { cacheable: true }),
          '304': NOT_MODIFIED,
          '400': BAD_REQUEST,
          '404': NOT_FOUND,
        },
      },
    },
  },
});

function affinity(a: string, b: string): number {
  return mulberry32(mixSeed(10, Number(a.slice(2)), Number(b.slice(2))))();
}

export function createRecommendationsService(seed: SeedData): ServiceModule {
  const ranked = new Map<string, Recommendation[]>();
  const bodies = new Map<string, CachedBody>();

  const rank = (productId: string | undefined, categoryId: string | undefined): Recommendation[] => {
    const key = `${productId ?? ''}|${categoryId ?? ''}`;
    const hit = ranked.get(key);
    if (hit !== undefined) return hit;
    const product = productId === undefined ? undefined : seed.productsById.get(productId);
    if (productId !== undefined && product === undefined) throw notFound(`product '${productId}' not found`);
    const subtree = categoryId === undefined ? undefined : seed.categorySubtree.get(categoryId);
    if (categoryId !== undefined && subtree === undefined) throw notFound(`category '${categoryId}' not found`);
    const candidates = seed.products.filter((candidate) => {
      if (candidate.id === productId) return false;
      if (subtree !== undefined) return subtree.has(candidate.categoryId);
      if (product !== undefined) return candidate.categoryId === product.categoryId;
      return true;
    });
    const scored = candidates.map((candidate) => {
      const popularity = seed.popularity.get(candidate.id) ?? 0;
      const raw = product === undefined ? popularity : 0.6 * popularity + 0.4 * affinity(product.id, candidate.id);
      return { productId: candidate.id, score: Math.round(raw * 1000) / 1000 };
    });
    scored.sort((a, b) => b.score - a.score || a.productId.localeCompare(b.productId));
    const top = scored.slice(0, MAX_LIMIT);
    if (ranked.size >= CACHE_SIZE) ranked.clear();
    ranked.set(key, top);
    return top;
  };

  return {
    name: 'recommendations',
    openapi: RECOMMENDATIONS_OPENAPI,
    reset() {},
    register(app: FastifyInstance) {
      app.get<{ Querystring: Query }>('/recommendations', (request, reply) => {
        const limit = intParam(request.query['limit'], 'limit', 1, MAX_LIMIT, DEFAULT_LIMIT);
        const productId = single(request.query['productId']) || undefined;
        const categoryId = single(request.query['categoryId']) || undefined;
        const key = `${productId ?? ''}|${categoryId ?? ''}|${limit}`;
        let cached = bodies.get(key);
        if (cached === undefined) {
          const body = JSON.stringify({ items: rank(productId, categoryId).slice(0, limit) });
          cached = cacheJson(body);
          if (bodies.size >= CACHE_SIZE) bodies.clear();
          bodies.set(key, cached);
        }
        return sendCached(request, reply, cached, RECOMMENDATIONS_CACHE_CONTROL);
      });
    },
  };
}
