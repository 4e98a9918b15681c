// Benchmark-only preload: `node --import <this file> dist/apps/web-bff/main.js` starts the unchanged
// production build of web-bff with one change: the product page's fan-out (ProductPageService.get)
// is replaced by the raw aggregator's hand-written composition (bench/baselines/retail.mjs: bare
// undici Pools, no breaker, bulkhead, retry, deadline budget or header propagation), returning the
// same JSON.
//
// Everything around it stays the platform's: Fastify and Nest's router, the global guards (access,
// CSRF, rate limit), the validation pipe, the interceptors, the request context, the security and
// request-id headers and the problem+json filter. So 'product-page-raw-fanout' measures the
// app with an upstream layer that costs what hand-written code costs; set beside 'product-page' it
// splits the gap to the raw aggregator into the upstream layer's share (libs/upstream, the retail
// clients, the aggregation toolkit) and the per-request pipeline's share.
//
// The class is found as its decorators are applied (Reflect.decorate, as `tsc` emits it). GET
// /__bench/hand-written-fanout answers {"patched":<n>,"calls":<n>} (from an onRequest hook added
// when Fastify is created), so the scenario's setup can verify that the replacement is in place
// and is what answers.
import 'reflect-metadata';

import { subscribe } from 'node:diagnostics_channel';

import { createUpstreams, productPage } from '../baselines/retail.mjs';

const PROBE = '/__bench/hand-written-fanout';
let patched = 0;
let calls = 0;
let upstreams;

const decorate = Reflect.decorate;
Reflect.decorate = function patchedDecorate(decorators, target, key, descriptor) {
  const result = decorate.call(this, decorators, target, key, descriptor);
  if (key === undefined && typeof target === 'function' && target.name === 'ProductPageService') {
    const service = typeof result === 'function' ? result : target;
    service.prototype.get = async function handWrittenFanout(id) {
      calls++;
      upstreams ??= createUpstreams(process.env);
      return (await productPage(upstreams, id)).body;
    };
    patched++;
  }
  return result;
};

subscribe('fastify.initialization', ({ fastify }) => {
  fastify.addHook('onRequest', (request, reply, done) => {
    if (request.method === 'GET' && request.url === PROBE) {
      void reply.type('application/json').send(JSON.stringify({ patched, calls }));
      return;
    }
    done();
  });
});
