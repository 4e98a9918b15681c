#!/usr/bin/env node
// Baseline "raw aggregator": a bare Fastify server + undici that makes the same upstream calls as
// the apps and merges them the same way (bench/baselines/retail.mjs), under the apps' own paths,
// so one scenario path serves both the app and its baseline. No Nest, no validation pipe, no
// guards, no request context, no access log, no security headers.
//
//   UPSTREAM_<NAME>_URL=... PORT=0 node bench/baselines/raw-aggregator.mjs
//
// Prints {"listening":"http://127.0.0.1:<port>"} once listening; exits on SIGTERM/SIGINT or when
// its stdin closes (the harness went away).
import Fastify from 'fastify';

import {
  cartView,
  catalogFeed,
  closeUpstreams,
  createUpstreams,
  listen,
  listingPage,
  productCard,
  productPage,
  send,
  sendFailure,
} from './retail.mjs';

const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const CURSOR = /^[A-Za-z0-9_-]{1,200}$/;

const upstreams = createUpstreams();
const app = Fastify({ logger: false });
app.addHook('onClose', () => closeUpstreams(upstreams));

app.get('/health/live', (_request, reply) => reply.send({ status: 'ok' }));

function invalid(reply, detail) {
  return reply
    .code(400)
    .type('application/problem+json')
    .send(JSON.stringify({ type: 'about:blank', title: 'Bad Request', status: 400, detail }));
}

// web-bff: the product page
app.get('/api/v1/pages/product/:id', async (request, reply) => {
  const { id } = request.params;
  if (!ID.test(id)) return invalid(reply, 'invalid id');
  try {
    return send(reply, await productPage(upstreams, id));
  } catch (error) {
    return sendFailure(reply, error);
  }
});

// web-bff: the listing page (search and category browse)
app.get('/api/v1/pages/listing', async (request, reply) => {
  const { q, category, cursor, limit } = request.query;
  const term = q?.trim();
  if (q !== undefined && (!term || term.length > 100)) return invalid(reply, 'invalid q');
  if (category !== undefined && !ID.test(category)) return invalid(reply, 'invalid category');
  if (cursor !== undefined && !CURSOR.test(cursor)) return invalid(reply, 'invalid cursor');
  const n = limit === undefined ? 24 : Number(limit);
  if (!Number.isInteger(n) || n < 1 || n > 48) return invalid(reply, 'invalid limit');
  try {
    return send(reply, await listingPage(upstreams, { q: term, category, cursor, limit: n }));
  } catch (error) {
    return sendFailure(reply, error);
  }
});

// mobile-bff: the product card
app.get('/api/v1/products/:id', async (request, reply) => {
  const { id } = request.params;
  if (!ID.test(id)) return invalid(reply, 'invalid id');
  try {
    return send(reply, await productCard(upstreams, id));
  } catch (error) {
    return sendFailure(reply, error);
  }
});

// partner-bff: the catalogue feed
app.get('/v1/catalog', async (request, reply) => {
  const { cursor, limit } = request.query;
  if (cursor !== undefined && !CURSOR.test(cursor)) return invalid(reply, 'invalid cursor');
  const n = limit === undefined ? 20 : Number(limit);
  if (!Number.isInteger(n) || n < 1 || n > 100) return invalid(reply, 'invalid limit');
  try {
    return send(reply, await catalogFeed(upstreams, { cursor, limit: n }));
  } catch (error) {
    return sendFailure(reply, error);
  }
});

// web-bff: the cart view. The raw baseline has no session store: the caller sends the customer's access token
// itself (Authorization) and names the customer (X-Customer-Id); the token is relayed to carts as web-bff relays
// the session's. Its cost is the same upstream work without the session lookup and CSRF check.
app.get('/api/v1/cart', async (request, reply) => {
  const authorization = request.headers.authorization;
  const customerId = request.headers['x-customer-id'];
  if (typeof authorization !== 'string' || typeof customerId !== 'string' || !ID.test(customerId)) {
    return reply
      .code(401)
      .type('application/problem+json')
      .send(JSON.stringify({ type: 'about:blank', title: 'Unauthorized', status: 401 }));
  }
  try {
    return send(reply, await cartView(upstreams, { customerId, authorization }));
  } catch (error) {
    return sendFailure(reply, error);
  }
});

await listen(app, 'raw-aggregator');
