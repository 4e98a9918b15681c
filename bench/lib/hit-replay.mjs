// Benchmark-only preload: `node --import <this file> dist/apps/web-bff/main.js` starts the unchanged
// production build, plus one Fastify onRequest hook that runs before any of the app's own (it is
// added when Fastify is created). Once the app has answered a GET with a public cache hit (200,
// X-Cache: HIT), the hook answers every later plain GET of the same URL with that response's exact
// status, headers and body bytes (a fresh X-Request-Id, as the app would send), and nothing else runs:
// no guards or rate-limit counter, no request context, no cache lookup, no Nest.
//
// So 'cache-hit-replay' measures what answering a hit costs inside this app when all of the platform's
// own work on it is free: Fastify's request and reply handling, Node's HTTP layer and these headers.
// It is the ceiling of 'product-page-cache-hit' for any implementation of the cache inside the app.
//
// Requests with conditional or cache-control request headers pass through to the app. GET
// /__bench/hit-replay answers {"recorded":<urls>,"replayed":<n>} so the scenario's setup can verify
// that the replay is on.
import { subscribe } from 'node:diagnostics_channel';

const PROBE = '/__bench/hit-replay';
/** Headers Node writes itself, or that differ per response. */
const NOT_REPLAYED = new Set(['date', 'connection', 'keep-alive', 'content-length', 'x-request-id']);
/** url → { status, headers, body } of a recorded hit. */
const recorded = new Map();
let replayed = 0;
const BODY = Symbol('bench:hit-replay-body');

subscribe('fastify.initialization', ({ fastify }) => {
  fastify.addHook('onRequest', (request, reply, done) => {
    if (request.method !== 'GET') return done();
    if (request.url === PROBE) {
      void reply.type('application/json').send(JSON.stringify({ recorded: [...recorded.keys()], replayed }));
      return;
    }
    const hit = recorded.get(request.url);
    if (hit === undefined || request.headers['if-none-match'] !== undefined || request.headers['cache-control'] !== undefined)
      return done();
    replayed++;
    void reply.code(hit.status).headers(hit.headers).header('x-request-id', request.id).send(hit.body);
  });
  // The first onSend hook sees the body the route sent (the app's later hooks add headers only).
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (request.method === 'GET' && !recorded.has(request.url)) request[BODY] = payload;
    done(null, payload);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const body = request[BODY];
    if (body !== undefined && reply.statusCode === 200 && reply.getHeader('x-cache') === 'HIT' && !recorded.has(request.url)) {
      const headers = {};
      for (const [name, value] of Object.entries(reply.getHeaders())) if (!NOT_REPLAYED.has(name)) headers[name] = value;
      recorded.set(request.url, { status: 200, headers, body: Buffer.isBuffer(body) ? body : Buffer.from(String(body)) });
    }
    done();
  });
});
