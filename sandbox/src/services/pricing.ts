import type { FastifyInstance } from 'fastify';

import { cachedBody, knownItemsEnvelope, sendCached, sendCachedJson, type CachedBody } from '../http/caching.ts';
import {
  BAD_REQUEST,
  buildDocument,
  dateTime,
  IF_NONE_MATCH,
  integer,
  itemsOf,
  jsonResponse,
  NOT_FOUND,
  NOT_MODIFIED,
  object,
  pathParam,
  queryParam,
  ref,
  string,
} from '../http/openapi.ts';
import { idsParam, type Query } from '../http/params.ts';
import { notFound } from '../http/problem.ts';
import type { ServiceModule } from '../http/server.ts';
import type { SeedData } from '../seed/data.ts';

export const PRICING_CACHE_CONTROL = 'public, max-age=5';
export const MAX_BULK_IDS = 100;

export const PRICING_OPENAPI = buildDocument({
  service: 'pricing',
  title: 'Sandbox Pricing Service',
  description: 'Current prices (integer minor units, EUR). Some catalog products deliberately have no price.',
  schemas: {
    Price: object({
      productId: string({ examples: ['p-00001'] }),
      currency: string({ enum: ['EUR'] }),
      amount: integer({ minimum: 0, description: 'Current price in minor units (cents).' }),
      listAmount: integer({ minimum: 0, description: 'List price (before discount) in minor units.' }),
      discountPct: integer({ minimum: 0, maximum: 100, description: 'Discount in percent (0 = none).' }),
      validUntil: dateTime(),
    }),
    PriceList: itemsOf('Price'),
  },
  paths: {
    '/prices': {
      get: {
        operationId: 'listPrices',
        tags: ['pricing'],
        summary: 'Bulk price lookup (unknown ids are omitted)',
        parameters: [
          queryParam('ids', string({ examples: ['p-00001,p-00002'] }), `Comma-separated product ids (1..${MAX_BULK_IDS}).`, true),
          IF_NONE_MATCH,
        ],
        responses: {
          '200': jsonResponse('Prices of the known ids, in request order', ref('PriceList'), { cacheable: true }),
          '304': NOT_MODIFIED,
          '400': BAD_REQUEST,
        },
      },
    },
    '/prices/{productId}': {
      get: {
        operationId: 'getPrice',
        tags: ['pricing'],
        summary: 'Price of one product',
        parameters: [pathParam('productId', 'Product id', 'p-00001'), IF_NONE_MATCH],
        responses: {
          '200': jsonResponse('The price', ref('Price'), { cacheable: true }),
          '304': NOT_MODIFIED,
          '404': NOT_FOUND,
        },
      },
    },
  },
});

export function createPricingService(seed: SeedData): ServiceModule {
  const prices = new Map<string, CachedBody>([...seed.prices].map(([id, price]) => [id, cachedBody(price)]));
  return {
    name: 'pricing',
    openapi: PRICING_OPENAPI,
    reset() {},
    register(app: FastifyInstance) {
      app.get<{ Querystring: Query }>('/prices', (request, reply) => {
        return sendCachedJson(
          request,
          reply,
          knownItemsEnvelope(idsParam(request.query['ids'], MAX_BULK_IDS), prices),
          PRICING_CACHE_CONTROL,
        );
      });
      app.get<{ Params: { productId: string } }>('/prices/:productId', (request, reply) => {
        const price = prices.get(request.params.productId);
        if (price === undefined) throw notFound(`no price for product '${request.params.productId}'`);
        return sendCached(request, reply, price, PRICING_CACHE_CONTROL);
      });
    },
  };
}
