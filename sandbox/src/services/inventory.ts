import type { FastifyInstance } from 'fastify';

import { cachedBody, knownItemsEnvelope, sendCached, sendCachedJson, type CachedBody } from '../http/caching.ts';
import {
  BAD_REQUEST,
  boolean,
  buildDocument,
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
import { idsParam, type Query } from '../http/params.ts';
import { notFound } from '../http/problem.ts';
import type { ServiceModule } from '../http/server.ts';
import type { SeedData } from '../seed/data.ts';
import { MAX_BULK_IDS } from './pricing.ts';

export const INVENTORY_CACHE_CONTROL = 'no-cache';

export const INVENTORY_OPENAPI = buildDocument({
  service: 'inventory',
  title: 'Sandbox Inventory Service',
  description: 'Stock levels per product. Some catalog products deliberately have no stock record.',
  schemas: {
    Stock: object({
      productId: string({ examples: ['p-00001'] }),
      available: integer({ minimum: 0 }),
      reserved: integer({ minimum: 0 }),
      inStock: boolean({ description: 'available > 0' }),
      warehouse: string({ examples: ['AMS-1'] }),
      restockDate: nullable(string({ format: 'date', description: 'Expected restock date (out-of-stock items only).' })),
    }),
    StockList: itemsOf('Stock'),
  },
  paths: {
    '/stock': {
      get: {
        operationId: 'listStock',
        tags: ['inventory'],
        summary: 'Bulk stock lookup (unknown ids are omitted)',
        parameters: [
          queryParam('ids', string({ examples: ['p-00001,p-00003'] }), `Comma-separated product ids (1..${MAX_BULK_IDS}).`, true),
          IF_NONE_MATCH,
        ],
        responses: {
          '200': jsonResponse('Stock of the known ids, in request order', ref('StockList'), { cacheable: true }),
          '304': NOT_MODIFIED,
          '400': BAD_REQUEST,
        },
      },
    },
    '/stock/{productId}': {
      get: {
        operationId: 'getStock',
        tags: ['inventory'],
        summary: 'Stock of one product',
        parameters: [pathParam('productId', 'Product id', 'p-00001'), IF_NONE_MATCH],
        responses: {
          '200': jsonResponse('The stock record', ref('Stock'), { cacheable: true }),
          '304': NOT_MODIFIED,
          '404': NOT_FOUND,
        },
      },
    },
  },
});

export function createInventoryService(seed: SeedData): ServiceModule {
  const stock = new Map<string, CachedBody>([...seed.stock].map(([id, record]) => [id, cachedBody(record)]));
  return {
    name: 'inventory',
    openapi: INVENTORY_OPENAPI,
    reset() {},
    register(app: FastifyInstance) {
      app.get<{ Querystring: Query }>('/stock', (request, reply) => {
        return sendCachedJson(
          request,
          reply,
          knownItemsEnvelope(idsParam(request.query['ids'], MAX_BULK_IDS), stock),
          INVENTORY_CACHE_CONTROL,
        );
      });
      app.get<{ Params: { productId: string } }>('/stock/:productId', (request, reply) => {
        const record = stock.get(request.params.productId);
        if (record === undefined) throw notFound(`no stock record for product '${request.params.productId}'`);
        return sendCached(request, reply, record, INVENTORY_CACHE_CONTROL);
      });
    },
  };
}
