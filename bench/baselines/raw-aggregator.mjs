#!/usr/bin/env node
// Baseline "raw aggregator": a bare Fastify server + undici that makes the same upstream calls as
// the apps and merges them the same way (bench/baselines/retail.mjs), under the apps' own paths,
// so one scenario path serves both the app and its baseline. No Nest, no validation pipe, no
// guards, no request context, no access log, no security headers.
//
//   UPSTREAM_<NAME>_URL=... PORT=0 node bench/baselines/raw-aggregator.mjs
//
// The two authenticated routes do their own hand-written authentication, as a service without the
// platform would: the mobile detail verifies the bearer JWT with jose (RAW_JWT_ISSUER, RAW_JWT_AUDIENCE),
// the partner order checks the X-Api-Key against RAW_PARTNER_KEYS (SHA-256 records) and calls orders with
// the access token RAW_ORDERS_TOKEN (client credentials for the key's account, fetched by the harness).
//
// Prints {"listening":"http://127.0.0.1:<port>"} once listening; exits on SIGTERM/SIGINT or when
// its stdin closes (the harness went away).
import { createHash, timingSafeEqual } from 'node:crypto';

import Fastify from 'fastify';
import { createRemoteJWKSet, jwtVerify } from 'jose';

import {
  cartView,
  catalogFeed,
  closeUpstreams,
  createUpstreams,
  listen,
  listingPage,
  placePartnerOrder,
  productCard,
  productDetail,
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

// mobile-bff: the product detail screen, for a caller with a valid access token (JWT, `catalog:read`).
// A verified token is remembered until it expires (at most 60 s), as the apps' verifier does: a client sends the
// same token with every request, and re-checking its signature each time is not what either side does.
const jwtIssuer = process.env.RAW_JWT_ISSUER;
const jwtAudience = process.env.RAW_JWT_AUDIENCE;
let jwks;
const verifiedTokens = new Map();
async function bearerScopes(authorization) {
  if (!jwtIssuer || typeof authorization !== 'string' || !authorization.startsWith('Bearer ')) return undefined;
  const token = authorization.slice(7);
  const remembered = verifiedTokens.get(token);
  if (remembered && Date.now() < remembered.until) return remembered.scopes;
  try {
    if (!jwks) {
      const discovery = await (await fetch(`${jwtIssuer}/.well-known/openid-configuration`)).json();
      jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
    }
    const { payload } = await jwtVerify(token, jwks, {
      issuer: jwtIssuer,
      audience: jwtAudience,
      algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
      typ: 'at+jwt',
      requiredClaims: ['iss', 'aud', 'exp', 'sub'],
    });
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
    if (verifiedTokens.size >= 10_000) verifiedTokens.clear();
    verifiedTokens.set(token, { scopes, until: Math.min(payload.exp * 1000, Date.now() + 60_000) });
    return scopes;
  } catch {
    return undefined;
  }
}

function refused(reply, status) {
  return reply
    .code(status)
    .type('application/problem+json')
    .send(JSON.stringify({ type: 'about:blank', title: status === 401 ? 'Unauthorized' : 'Forbidden', status }));
}

app.get('/api/v1/products/:id/detail', async (request, reply) => {
  const scopes = await bearerScopes(request.headers.authorization);
  if (!scopes) return refused(reply, 401);
  if (!scopes.includes('catalog:read')) return refused(reply, 403);
  const { id } = request.params;
  if (!ID.test(id)) return invalid(reply, 'invalid id');
  try {
    return send(reply, await productDetail(upstreams, id));
  } catch (error) {
    return sendFailure(reply, error);
  }
});

// partner-bff: order placement with an API key (`orders:write`), idempotent by the partner's Idempotency-Key.
const partnerKeys = new Map(JSON.parse(process.env.RAW_PARTNER_KEYS ?? '[]').map((record) => [record.id, record]));
const ordersToken = process.env.RAW_ORDERS_TOKEN;
const API_KEY = /^bffpk_([a-z0-9]{12})_[A-Za-z0-9_-]{43}$/;
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,128}$/;
function partnerOf(apiKey) {
  const match = typeof apiKey === 'string' ? API_KEY.exec(apiKey) : null;
  const record = match ? partnerKeys.get(match[1]) : undefined;
  if (!record) return undefined;
  const digest = createHash('sha256').update(apiKey, 'utf8').digest();
  return timingSafeEqual(digest, Buffer.from(record.sha256, 'hex')) ? record : undefined;
}

app.post('/v1/orders', async (request, reply) => {
  const partner = partnerOf(request.headers['x-api-key']);
  if (!partner) return refused(reply, 401);
  if (!partner.scopes.includes('orders:write') || typeof partner.account !== 'string') return refused(reply, 403);
  const key = request.headers['idempotency-key'];
  if (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key)) return invalid(reply, 'invalid Idempotency-Key');
  const items = request.body?.items;
  if (!Array.isArray(items) || items.length < 1 || items.length > 50) return invalid(reply, 'invalid items');
  const lines = [];
  for (const item of items) {
    if (!ID.test(item?.productId) || !Number.isInteger(item?.quantity) || item.quantity < 1 || item.quantity > 99)
      return invalid(reply, 'invalid item');
    lines.push({ productId: item.productId, quantity: item.quantity });
  }
  try {
    const { order, replayed } = await placePartnerOrder(upstreams, {
      token: ordersToken,
      account: partner.account,
      partner: partner.partner,
      idempotencyKey: key,
      items: lines,
    });
    reply.code(replayed ? 200 : 201).header('location', `/v1/orders/${order.id}`);
    if (replayed) reply.header('idempotent-replayed', 'true');
    return reply.type('application/json; charset=utf-8').send(JSON.stringify(order));
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
