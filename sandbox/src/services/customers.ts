import type { FastifyInstance } from 'fastify';

import { AUTHZ_OFF, requireOwner, type Authorizer } from '../http/authz.ts';
import { cachedBody, sendCached, type CachedBody } from '../http/caching.ts';
import {
  bearer,
  buildDocument,
  dateTime,
  FORBIDDEN,
  IF_NONE_MATCH,
  jsonResponse,
  NOT_FOUND,
  NOT_MODIFIED,
  object,
  pathParam,
  ref,
  string,
  UNAUTHORIZED,
} from '../http/openapi.ts';
import { notFound } from '../http/problem.ts';
import type { ServiceModule } from '../http/server.ts';
import type { SeedData } from '../seed/data.ts';
import type { Customer } from '../seed/model.ts';

export const CUSTOMERS_CACHE_CONTROL = 'private, max-age=30';

export const CUSTOMERS_OPENAPI = buildDocument({
  service: 'customers',
  title: 'Sandbox Customers Service',
  description:
    'Customer profiles (200 seeded customers c-0001..c-0200). Needs a bearer token with `customers:read`; a token reads its own customer only (another customer is 403).',
  secured: true,
  schemas: {
    Customer: object({
      id: string({ examples: ['c-0001'] }),
      email: string({ format: 'email', examples: ['alice@example.com'] }),
      givenName: string(),
      familyName: string(),
      tier: string({ enum: ['standard', 'gold', 'platinum'] }),
      locale: string({ examples: ['en-GB'] }),
      createdAt: dateTime(),
    }),
  },
  paths: {
    '/customers/{id}': {
      get: {
        operationId: 'getCustomer',
        tags: ['customers'],
        summary: 'Get a customer',
        ...bearer('customers:read'),
        parameters: [pathParam('id', 'Customer id', 'c-0001'), IF_NONE_MATCH],
        responses: {
          '200': jsonResponse('The customer', ref('Customer'), { cacheable: true }),
          '304': NOT_MODIFIED,
          '401': UNAUTHORIZED,
          '403': FORBIDDEN,
          '404': NOT_FOUND,
        },
      },
    },
  },
});

export function createCustomersService(seed: SeedData, authz: Authorizer = AUTHZ_OFF): ServiceModule {
  const customers = new Map<string, CachedBody>(
    seed.customers.map(({ password: _password, ...customer }) => [customer.id, cachedBody(customer satisfies Customer)]),
  );
  return {
    name: 'customers',
    openapi: CUSTOMERS_OPENAPI,
    reset() {},
    register(app: FastifyInstance) {
      app.get<{ Params: { id: string } }>('/customers/:id', async (request, reply) => {
        requireOwner(await authz.require(request, 'customers:read'), request.params.id, `customer '${request.params.id}'`);
        const customer = customers.get(request.params.id);
        if (customer === undefined) throw notFound(`customer '${request.params.id}' not found`);
        return sendCached(request, reply, customer, CUSTOMERS_CACHE_CONTROL);
      });
    },
  };
}
