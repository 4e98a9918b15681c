#!/usr/bin/env node
// Baseline "raw static": a bare Fastify route answering the product page JSON from memory — the
// ceiling a cache hit can approach. At startup it builds each page once from the upstreams (the
// same composition as the raw aggregator, bench/baselines/retail.mjs), serialises it, and from
// then on never calls an upstream.
//
//   UPSTREAM_<NAME>_URL=... RAW_STATIC_PRODUCT_IDS=p-00001,p-00002 PORT=0 node bench/baselines/raw-static.mjs
//
// RAW_STATIC_HEADERS (a JSON object of name → value) adds those response headers to every page: the
// 'cache-hit-header-floor' scenario sends a cache hit's headers this way, with no framework at all.
//
// Unknown ids → 404. Prints {"listening":"http://127.0.0.1:<port>"} once listening.
import Fastify from 'fastify';

import { closeUpstreams, createUpstreams, listen, productPage } from './retail.mjs';

const ids = (process.env.RAW_STATIC_PRODUCT_IDS ?? 'p-00001')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);

/** id → { body: string, degradedHeader?: string } */
const pages = new Map();
/** Extra response headers for every page (RAW_STATIC_HEADERS), or undefined. */
const extraHeaders = process.env.RAW_STATIC_HEADERS ? JSON.parse(process.env.RAW_STATIC_HEADERS) : undefined;
const upstreams = createUpstreams();
try {
  for (const id of ids) {
    const { body, degraded } = await productPage(upstreams, id);
    pages.set(id, { body: JSON.stringify(body), degradedHeader: degraded.length ? degraded.map((d) => d.section).join(',') : undefined });
  }
} catch (error) {
  process.stderr.write(`raw-static: could not build the pages from the upstreams: ${error?.stack ?? error}\n`);
  process.exit(1);
} finally {
  await closeUpstreams(upstreams);
}

const app = Fastify({ logger: false });
app.get('/health/live', (_request, reply) => reply.send({ status: 'ok' }));
app.get('/api/v1/pages/product/:id', (request, reply) => {
  const page = pages.get(request.params.id);
  if (page === undefined) {
    return reply.code(404).type('application/problem+json').send('{"type":"about:blank","title":"Not Found","status":404}');
  }
  if (page.degradedHeader) reply.header('x-degraded-sections', page.degradedHeader);
  if (extraHeaders) reply.headers(extraHeaders);
  return reply.type('application/json; charset=utf-8').send(page.body);
});

await listen(app, 'raw-static');
