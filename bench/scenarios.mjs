// The benchmark scenarios, as data. scripts/bench.mjs runs them; docs/performance.md explains how
// to add one (in short: add an entry below — env, nodeArgs and the prepare/setup hooks cover cache and
// auth variants).
//
// A scenario measures `target` and, when given, `baseline` under identical load, alternating
// them (A B, B A, A B ...) over the rounds, and reports baseline-relative ratios against `targets`.
//
// Scenario fields:
//   id            used by --only / --profile
//   title         one line for the report
//   profile       sandbox profile: 'bench' (no injected latency) or 'bench-20ms' (20 ms per upstream call)
//   path          request path (a target may override it with its own `path`)
//   method        optional, default 'GET'; a write scenario names its method and:
//   body          the JSON request body (sent with Content-Type: application/json)
//   uniqueHeader  a header given a fresh random UUID on every request (an Idempotency-Key: every request is new work)
//   status        the status every answer must have (default 200; e.g. 201 for a created order)
//   check         shape check of a 2xx body (bench/lib/checks.mjs); a target may override it
//   sameBody      true: the baseline must answer the same JSON as the target (compared before measuring);
//                 { except: [keys] }: the same but for these top-level keys (values every answer differs in, e.g. an order id)
//   connections   optional; default --connections (50)
//   targets       what must hold: { metric: 'rps'|'p50'|'p99'|'cpuUsPerReq', compare: 'ratio'|'absolute', op: '>='|'<=', value, label }
//                 ratio = target ÷ baseline (medians over the rounds); absolute = the target's own median (ms for latencies).
//                 Every scenario with a baseline reports the req/s, p50, p99 and CPU-per-request ratios anyway.
//
// Target fields (build them with the helpers below):
//   kind          'app' (node dist/apps/<app>/main.js, as production runs it), 'raw-aggregator', 'raw-static',
//                 'peer' (a small app under bench/peers/<name>/, compiled by the harness), 'upstream'
//   label         name in the report (unique within a scenario)
//   env           extra environment for the process, on top of appEnv() (feature switches: CACHE_ENABLED, keys, ...)
//   nodeArgs      extra node flags (apps only), e.g. AUTH_OFF: the unchanged build with its protected routes opened
//   prepare       async ({ sandbox, state }) => ({ env }?) — runs before the process is spawned; its env is added
//                 (e.g. generate an API key and register its hash). `state` is handed on to setup.
//   setup         async ({ baseUrl, path, sandbox, state, get, getJson, request, requestJson }) => ({ headers }?) — runs once the target
//                 is live, before the verification request; returns headers to send with every request (a bearer
//                 token, an API key), may prime a cache, and should assert that the feature under test is really
//                 on. `sandbox` is { profile, urls, idp: { issuer, url } }; `get`/`getJson` are the one-shot GETs
//                 of bench/lib/http.mjs (→ { status, headers, text, json }); `request`/`requestJson` take a method and body.
//   upstreamCalls expected sandbox calls per request, by service ({} = none at all). The harness counts
//                 them during every measured run and fails the scenario when they do not match — e.g. a cache
//                 that is on in a "cache off" scenario, or a cache hit that still calls upstream.
import {
  cartView,
  catalogFeed,
  catalogProduct,
  listingPage,
  partnerOrder,
  productCard,
  productDetail,
  productPage,
} from './lib/checks.mjs';
import { mobileAccessToken, partnerApiKey } from './lib/oauth.mjs';

export const PRODUCT_ID = 'p-00001';
const FEED_LIMIT = 20;
/** The listing scenario: a category browse, one full page of cards. */
export const LISTING_CATEGORY = 'cat-01';
const LISTING_LIMIT = 24;

/** Upstream calls per request of each composition (the apps' services and the raw baselines alike). */
// The product page's recommendation cards add one bulk lookup, one bulk price and one bulk stock read.
export const PRODUCT_PAGE_CALLS = { catalog: 2, pricing: 2, inventory: 2, reviews: 2, recommendations: 1 };
/** The listing page browsing a category: the page and the category, then one bulk price and one bulk stock read. */
export const LISTING_PAGE_CALLS = { catalog: 2, pricing: 1, inventory: 1 };
export const PRODUCT_CARD_CALLS = { catalog: 1, pricing: 1, inventory: 1, reviews: 1 };
export const CATALOG_FEED_CALLS = { catalog: 1, pricing: 1, inventory: 1 };
/** The mobile detail: the product page's fan-out (five sections, then the recommendation cards' lookup and price: its carousel shows no stock). */
export const PRODUCT_DETAIL_CALLS = { catalog: 2, pricing: 2, inventory: 1, reviews: 2, recommendations: 1 };
/** A partner order: one POST /orders (the app's client-credentials token is cached, so no IdP call per order). */
export const PARTNER_ORDER_CALLS = { orders: 1 };
/** The partner order scenario's body: two lines of seeded, priced products. */
const PARTNER_ORDER_ITEMS = [
  { productId: 'p-00001', quantity: 2 },
  { productId: 'p-00002', quantity: 1 },
];
/** The cart view: the cart, then one catalog lookup, one bulk price and one bulk stock read for its lines. */
export const CART_VIEW_CALLS = { carts: 1, catalog: 1, pricing: 1, inventory: 1 };
/** The seeded customer whose cart the cart scenario reads (alice@example.com, 2 lines), and web-bff's bench redirect URI. */
const CART_CUSTOMER = 'c-0001';
const CART_LINES = 2;
const WEB_REDIRECT_URI = 'http://127.0.0.1:3000/auth/callback';

/** libs/cache's master switch: every cache layer (routes, section fallback, upstream HTTP cache) off. */
export const CACHE_OFF = { CACHE_ENABLED: 'false' };
/** node flags of "the same route with auth off": bench/lib/auth-off.mjs, see there. */
export const AUTH_OFF = ['--import', new URL('./lib/auth-off.mjs', import.meta.url).href];

/**
 * node flags of web-bff with the product page's fan-out replaced by the raw aggregator's hand-written one
 * (bench/lib/hand-written-fanout.mjs, see there): the platform's pipeline around an upstream layer that costs
 * what hand-written code costs.
 */
export const HAND_WRITTEN_FANOUT = ['--import', new URL('./lib/hand-written-fanout.mjs', import.meta.url).href];
/**
 * node flags of web-bff answering a recorded public cache hit's exact response from its first hook, with no
 * platform work (bench/lib/hit-replay.mjs, see there): the ceiling of a cache hit inside the app.
 */
export const HIT_REPLAY = ['--import', new URL('./lib/hit-replay.mjs', import.meta.url).href];

/** The apps, in the order of the startup table. */
export const APPS = ['web-bff', 'mobile-bff', 'partner-bff'];

/**
 * What each app needs in its environment to boot at all, besides NODE_ENV/LOG_LEVEL/HOST/PORT and
 * UPSTREAM_<NAME>_URL (added by the harness). Used for the startup table and under every app target.
 * `sandbox` is { profile, urls, idp: { issuer, url } }.
 *
 * RATE_LIMIT_MAX: production limits each client to 600 requests a minute; a benchmark is one client
 * sending thousands a second. The limiter stays on (its cost is measured), with a limit no run reaches.
 */
export function appEnv(name, sandbox) {
  const issuer = sandbox.idp?.issuer ?? 'http://127.0.0.1:9';
  switch (name) {
    case 'web-bff':
      // The web session's OpenID client (the sandbox IdP's registered web-bff client); discovery is lazy,
      // and only the cart scenario signs in (once, in its setup: webSession).
      return {
        OIDC_ISSUER_URL: issuer,
        OIDC_CLIENT_ID: 'web-bff',
        OIDC_CLIENT_SECRET: 'web-bff-dev-secret',
        OIDC_REDIRECT_URI: WEB_REDIRECT_URI,
        RATE_LIMIT_MAX: '1000000',
      };
    case 'mobile-bff':
      return { JWT_ISSUER: issuer, JWT_AUDIENCE: 'mobile-bff', RATE_LIMIT_MAX: '1000000' };
    case 'partner-bff':
      // Its own OAuth client (client credentials for the orders service; the benchmarked feed does not use it).
      return {
        UPSTREAM_AUTH_ISSUER: issuer,
        UPSTREAM_AUTH_CLIENT_ID: 'partner-gateway',
        UPSTREAM_AUTH_CLIENT_SECRET: 'partner-gateway-dev-secret',
        RATE_LIMIT_MAX: '1000000',
      };
    default:
      return {};
  }
}

/**
 * An app started as production does: node dist/apps/<app>/main.js, NODE_ENV=production, env only. `root`: another
 * checkout whose build to start instead of this one's (scripts/bench-ab.mjs compares two commits that way).
 */
export const app = (name, { label = name, env = {}, nodeArgs, prepare, setup, upstreamCalls, path, check, root } = {}) => ({
  kind: 'app',
  app: name,
  root,
  label,
  env,
  nodeArgs,
  prepare,
  setup,
  upstreamCalls,
  path,
  check,
});

/** bench/baselines/raw-aggregator.mjs: bare Fastify + undici making the same upstream calls, same paths. */
export const rawAggregator = ({ upstreamCalls, label = 'raw aggregator' } = {}) => ({
  kind: 'raw-aggregator',
  label,
  env: {},
  upstreamCalls,
});

/**
 * bench/peers/nest-docs-bff: the product page built the way the NestJS docs teach a BFF (Express adapter,
 * @nestjs/axios HttpService, a global ValidationPipe, Promise.all with optional sections caught to null).
 * Same upstream calls and JSON as web-bff; started with the apps' production node flags.
 */
export const nestDocsPeer = ({ upstreamCalls, label = 'NestJS-docs peer' } = {}) => ({
  kind: 'peer',
  peer: 'nest-docs-bff',
  label,
  env: {},
  upstreamCalls,
});

/** bench/baselines/raw-static.mjs: bare Fastify answering the product page JSON from memory (plus `headers`, if given). */
export const rawStatic = ({ ids = [PRODUCT_ID], label = 'raw static', headers } = {}) => ({
  kind: 'raw-static',
  label,
  env: { RAW_STATIC_PRODUCT_IDS: ids.join(','), ...(headers ? { RAW_STATIC_HEADERS: JSON.stringify(headers) } : {}) },
  upstreamCalls: {},
});

/**
 * The headers web-bff sends on a public cache hit of the product page besides the ones raw static sends too
 * (content-type, content-length, date, connection, keep-alive), with the values of a real hit. The security set
 * (libs/core security-headers.ts), the request id, the rate-limit pair (auth), and the cache's six. Dynamic
 * values (request id, remaining quota, age) are fixed strings of the same length here.
 * 'product-page-cache-hit' checks that a real hit carries exactly these names, so the header floor
 * ('cache-hit-header-floor') cannot drift from the app.
 */
export const HIT_RESPONSE_HEADERS = {
  'content-security-policy': "default-src 'none';frame-ancestors 'none'",
  'cross-origin-resource-policy': 'same-site',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'x-request-id': '19372991-ad1a-4020-ac48-4bc53b54bf4b',
  'ratelimit-policy': '"default";q=1000000;w=60',
  ratelimit: '"default";r=999998;t=60',
  'x-cache': 'HIT',
  'cache-control': 'public, max-age=5, stale-while-revalidate=30, stale-if-error=300',
  vary: 'Accept-Language',
  'content-language': 'en',
  age: '0',
  etag: '"V0577SbzBbY0ulP89ZqKSQtSXzPTBuNP"',
};
/** Sent by Node/Fastify on every response, raw static's included. */
const COMMON_RESPONSE_HEADERS = new Set(['content-type', 'content-length', 'date', 'connection', 'keep-alive']);

/** setup helper: the names of a response's headers that raw static does not send anyway, sorted. */
function extraHeaderNames(headers) {
  return Object.keys(headers)
    .map((name) => name.toLowerCase())
    .filter((name) => !COMMON_RESPONSE_HEADERS.has(name))
    .sort();
}

/**
 * setup helper: fills the cache with a miss, then returns the next response, which must be a 200 hit. A page
 * computed on a loaded machine can come back degraded (a section over its budget), and degraded pages are not
 * stored: up to 5 tries.
 */
async function primeHit(get, url) {
  let hit;
  for (let attempt = 0; attempt < 5; attempt++) {
    await get(url);
    hit = await get(url);
    if (hit.status === 200 && hit.headers['x-cache'] === 'HIT') return hit;
  }
  throw new Error(`no cache hit after 5 tries (last: status ${hit.status}, x-cache ${hit.headers['x-cache']})`);
}

/** setup helper: a response must carry exactly the extra header names of HIT_RESPONSE_HEADERS. */
function assertHitHeaderNames(headers, what) {
  const [sent, floor] = [extraHeaderNames(headers), extraHeaderNames(HIT_RESPONSE_HEADERS)];
  if (sent.join() !== floor.join())
    throw new Error(`${what} (${sent.join(', ')}) are not HIT_RESPONSE_HEADERS (${floor.join(', ')}): update bench/scenarios.mjs`);
}

/** A sandbox service itself, called directly. */
export const upstream = (service, { path, check } = {}) => ({
  kind: 'upstream',
  service,
  label: `${service} (direct)`,
  env: {},
  upstreamCalls: { [service]: 1 },
  path,
  check,
});

/** setup helper: the route must refuse a caller without credentials (proves auth is really on). */
async function assertRefusedWithout(get, url) {
  const res = await get(url);
  if (res.status !== 401) throw new Error(`without credentials ${url} answered ${res.status}, expected 401: auth is not on`);
}

/** setup helper: a POST without credentials (with a valid Idempotency-Key and body) must be refused with 401. */
async function assertWriteRefusedWithout(request, url) {
  const res = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': `bench-${Date.now()}` },
    body: JSON.stringify({ items: PARTNER_ORDER_ITEMS }),
  });
  if (res.status !== 401) throw new Error(`without credentials POST ${url} answered ${res.status}, expected 401: auth is not on`);
}

/**
 * setup helper: a real web-bff session, obtained as a browser obtains one: GET <app>/auth/login, the seed customer
 * through the IdP's login and consent forms, then the IdP's redirect to the callback. The app runs on an ephemeral
 * port while its registered redirect URI names port 3000, so the redirect is not followed: its code and state are
 * delivered to <app>/auth/callback instead (the app exchanges the code with the registered URI, as it must).
 * Returns the headers of every signed-in SPA call: the session cookie and X-CSRF.
 */
async function webSession(baseUrl) {
  const { CookieJar, KNOWN_IDS, loginViaForms } = await import('../sandbox/src/index.ts');
  const jar = new CookieJar();
  const login = await loginViaForms({
    authorizeUrl: `${baseUrl}/auth/login`,
    email: KNOWN_IDS.customerEmail,
    password: KNOWN_IDS.customerPassword,
    cookieJar: jar,
    redirectUri: WEB_REDIRECT_URI,
  });
  if (!login.code) throw new Error(`IdP authorization failed: ${login.error ?? 'no code'}`);
  const callback = new URL(`/auth/callback${login.url.search}`, baseUrl);
  const res = await fetch(callback, {
    redirect: 'manual',
    headers: { cookie: jar.header(callback.href, { crossSite: true, topLevel: true, method: 'GET' }) },
  });
  const session = res.headers.getSetCookie().find((line) => line.startsWith('__Host-bff-session='));
  if (res.status !== 302 || !session) throw new Error(`the callback answered ${res.status} without a session cookie`);
  return { cookie: session.split(';')[0], 'x-csrf': '1' };
}

export const SCENARIOS = [
  {
    id: 'product-page',
    title: 'web product page, cache off, vs raw aggregator',
    profile: 'bench',
    path: `/api/v1/pages/product/${PRODUCT_ID}`,
    check: productPage(PRODUCT_ID),
    sameBody: true,
    target: app('web-bff', { label: 'web-bff (cache off)', env: CACHE_OFF, upstreamCalls: PRODUCT_PAGE_CALLS }),
    baseline: rawAggregator({ upstreamCalls: PRODUCT_PAGE_CALLS }),
    targets: [
      { metric: 'rps', compare: 'ratio', op: '>=', value: 0.8, label: 'product page req/s ≥ 0.8× raw aggregator' },
      { metric: 'p99', compare: 'ratio', op: '<=', value: 1.5, label: 'p99 ≤ 1.5× raw aggregator p99' },
    ],
  },
  {
    id: 'listing-page',
    title: `web listing page (category browse, ${LISTING_LIMIT} cards), cache off, vs raw aggregator`,
    profile: 'bench',
    path: `/api/v1/pages/listing?category=${LISTING_CATEGORY}&limit=${LISTING_LIMIT}`,
    check: listingPage(LISTING_LIMIT),
    sameBody: true,
    target: app('web-bff', { label: 'web-bff (cache off)', env: CACHE_OFF, upstreamCalls: LISTING_PAGE_CALLS }),
    baseline: rawAggregator({ upstreamCalls: LISTING_PAGE_CALLS }),
    // Informational: the list screen's cost next to the product page's (docs/performance.md).
    targets: [],
  },
  {
    id: 'product-page-vs-peer',
    title: 'web product page, cache off, vs the same page built the way the NestJS docs teach a BFF (Express, HttpService)',
    profile: 'bench',
    path: `/api/v1/pages/product/${PRODUCT_ID}`,
    check: productPage(PRODUCT_ID),
    sameBody: true,
    target: app('web-bff', { label: 'web-bff (cache off)', env: CACHE_OFF, upstreamCalls: PRODUCT_PAGE_CALLS }),
    baseline: nestDocsPeer({ upstreamCalls: PRODUCT_PAGE_CALLS }),
    // Informational: what the platform is worth against the usual way of writing the same page in Nest. The
    // report's ratio line gives req/s and p99 with their intervals.
    targets: [],
  },
  {
    id: 'product-page-raw-fanout',
    title: "web product page, cache off, with the raw aggregator's hand-written fan-out inside the app, vs raw aggregator",
    profile: 'bench',
    path: `/api/v1/pages/product/${PRODUCT_ID}`,
    check: productPage(PRODUCT_ID),
    sameBody: true,
    target: app('web-bff', {
      label: 'web-bff, hand-written fan-out (cache off)',
      env: CACHE_OFF,
      nodeArgs: HAND_WRITTEN_FANOUT,
      upstreamCalls: PRODUCT_PAGE_CALLS,
      setup: async ({ baseUrl, path, getJson }) => {
        const before = (await getJson(`${baseUrl}/__bench/hand-written-fanout`)).json;
        if (before?.patched !== 1) throw new Error(`the hand-written fan-out is not in place (probe: ${JSON.stringify(before)})`);
        await getJson(`${baseUrl}${path}`);
        const after = (await getJson(`${baseUrl}/__bench/hand-written-fanout`)).json;
        if (!(after.calls > before.calls)) throw new Error('the product page was not answered by the hand-written fan-out');
      },
    }),
    baseline: rawAggregator({ upstreamCalls: PRODUCT_PAGE_CALLS }),
    // Informational: set beside 'product-page', it splits that scenario's gap into the upstream layer's share
    // and the per-request pipeline's share (docs/performance.md).
    targets: [],
  },
  {
    id: 'product-page-axios',
    title: 'web product page, cache off, on the @nestjs/axios transport (UPSTREAM_TRANSPORT=axios), vs raw aggregator',
    profile: 'bench',
    path: `/api/v1/pages/product/${PRODUCT_ID}`,
    check: productPage(PRODUCT_ID),
    sameBody: true,
    target: app('web-bff', {
      label: 'web-bff (cache off, axios)',
      env: { ...CACHE_OFF, UPSTREAM_TRANSPORT: 'axios' },
      upstreamCalls: PRODUCT_PAGE_CALLS,
    }),
    baseline: rawAggregator({ upstreamCalls: PRODUCT_PAGE_CALLS }),
    // Informational: the opt-in transport's documented cost (docs/upstreams.md); no target.
    targets: [],
  },
  {
    id: 'product-page-cache-hit',
    title: 'web product page, public cache hit, vs raw static',
    profile: 'bench',
    path: `/api/v1/pages/product/${PRODUCT_ID}`,
    check: productPage(PRODUCT_ID),
    sameBody: true,
    target: app('web-bff', {
      label: 'web-bff (cache hit)',
      // libs/cache on, as production runs it (in memory: no REDIS_URL). A hit calls no upstream; the background
      // refresh after the page's 5 s TTL adds a few calls per run, far inside the tolerance.
      upstreamCalls: {},
      setup: async ({ baseUrl, path, get }) => {
        const hit = await primeHit(get, `${baseUrl}${path}`);
        assertHitHeaderNames(hit.headers, "a hit's headers");
      },
    }),
    baseline: rawStatic(),
    targets: [{ metric: 'rps', compare: 'ratio', op: '>=', value: 0.7, label: 'public cache hit req/s ≥ 0.7× raw static' }],
  },
  {
    id: 'cache-hit-header-floor',
    title: "raw static sending a cache hit's response headers vs raw static: what the headers alone cost, with no framework",
    profile: 'bench',
    path: `/api/v1/pages/product/${PRODUCT_ID}`,
    check: productPage(PRODUCT_ID),
    sameBody: true,
    target: rawStatic({ label: 'raw static + hit headers', headers: HIT_RESPONSE_HEADERS }),
    baseline: rawStatic(),
    // Informational: the ceiling of 'product-page-cache-hit' for any implementation that sends these headers.
    targets: [],
  },
  {
    id: 'cache-hit-replay',
    title: "web-bff answering a public cache hit's exact response from its first hook (no platform work) vs raw static",
    profile: 'bench',
    path: `/api/v1/pages/product/${PRODUCT_ID}`,
    check: productPage(PRODUCT_ID),
    sameBody: true,
    target: app('web-bff', {
      label: 'web-bff replaying a hit',
      nodeArgs: HIT_REPLAY,
      upstreamCalls: {},
      setup: async ({ baseUrl, path, get, getJson }) => {
        await primeHit(get, `${baseUrl}${path}`); // the preload records this hit
        const replay = await get(`${baseUrl}${path}`);
        const probe = (await getJson(`${baseUrl}/__bench/hit-replay`)).json;
        if (!(probe?.replayed >= 1)) throw new Error(`the hit is not replayed (probe: ${JSON.stringify(probe)})`);
        assertHitHeaderNames(replay.headers, 'the replayed headers');
      },
    }),
    baseline: rawStatic(),
    // Informational: the ceiling of 'product-page-cache-hit' inside the app (docs/performance.md).
    targets: [],
  },
  {
    id: 'product-page-20ms',
    title: 'web product page, cache off, 20 ms per upstream call, vs raw aggregator (fan-out concurrency)',
    profile: 'bench-20ms',
    // Few connections on purpose: this scenario is about latency structure (how many 20 ms levels a page
    // waits for), so the machine must not be CPU-saturated; 10 connections ≈ 250 pages/s at most.
    connections: 10,
    path: `/api/v1/pages/product/${PRODUCT_ID}`,
    check: productPage(PRODUCT_ID),
    sameBody: true,
    target: app('web-bff', { label: 'web-bff (cache off)', env: CACHE_OFF, upstreamCalls: PRODUCT_PAGE_CALLS }),
    baseline: rawAggregator({ upstreamCalls: PRODUCT_PAGE_CALLS }),
    targets: [
      {
        metric: 'p50',
        compare: 'absolute',
        op: '<=',
        value: 80,
        label:
          'p50 ≤ 80 ms: 3 dependency levels × 20 ms (product → recommendations → their cards) (+20 ms slack); nine sequential calls would take ≥ 180 ms',
      },
      { metric: 'p50', compare: 'ratio', op: '<=', value: 1.25, label: 'p50 ≤ 1.25× raw aggregator p50 (same profile)' },
    ],
  },
  {
    id: 'mobile-card-jwt',
    title: 'mobile product card, cache off, with JWT verification on vs the same route with auth off',
    profile: 'bench',
    path: `/api/v1/products/${PRODUCT_ID}`,
    check: productCard(PRODUCT_ID),
    sameBody: true,
    target: app('mobile-bff', {
      label: 'mobile-bff (JWT)',
      // The card is route-cached (ETag/304); what is measured is the work of building it.
      env: CACHE_OFF,
      upstreamCalls: PRODUCT_CARD_CALLS,
      // One real access token from the sandbox IdP (authorization code + PKCE), sent with every request:
      // what is measured is verifying it (signature, claims, scope) on each call, not issuing it.
      setup: async ({ baseUrl, path, sandbox, get }) => {
        if (!sandbox.idp) throw new Error('the sandbox has no IdP to issue a token');
        await assertRefusedWithout(get, `${baseUrl}${path}`);
        return { headers: { authorization: `Bearer ${await mobileAccessToken(sandbox.idp.issuer)}` } };
      },
    }),
    baseline: app('mobile-bff', { label: 'mobile-bff (auth off)', nodeArgs: AUTH_OFF, env: CACHE_OFF, upstreamCalls: PRODUCT_CARD_CALLS }),
    targets: [{ metric: 'rps', compare: 'ratio', op: '>=', value: 0.8, label: 'JWT mobile req/s ≥ 0.8× auth off' }],
  },
  {
    id: 'mobile-card',
    title: 'mobile product card, auth off, cache off, vs raw aggregator (the same work without the framework)',
    profile: 'bench',
    path: `/api/v1/products/${PRODUCT_ID}`,
    check: productCard(PRODUCT_ID),
    sameBody: true,
    target: app('mobile-bff', { label: 'mobile-bff (auth off)', nodeArgs: AUTH_OFF, env: CACHE_OFF, upstreamCalls: PRODUCT_CARD_CALLS }),
    baseline: rawAggregator({ upstreamCalls: PRODUCT_CARD_CALLS }),
    targets: [],
  },
  {
    id: 'mobile-product-detail',
    title: 'mobile product detail screen with a real access token, cache off, vs a hand-written raw handler (jose + undici)',
    profile: 'bench',
    path: `/api/v1/products/${PRODUCT_ID}/detail`,
    check: productDetail(PRODUCT_ID),
    sameBody: true,
    target: app('mobile-bff', {
      label: 'mobile-bff (JWT, cache off)',
      // The detail is route-cached (ETag/304, shared across callers); with the cache off every request builds it
      // and no ETag is computed, and the requests carry no If-None-Match: both sides do the whole fan-out each time.
      env: CACHE_OFF,
      upstreamCalls: PRODUCT_DETAIL_CALLS,
      setup: async ({ baseUrl, path, sandbox, get }) => {
        if (!sandbox.idp) throw new Error('the sandbox has no IdP to issue a token');
        await assertRefusedWithout(get, `${baseUrl}${path}`);
        return { headers: { authorization: `Bearer ${await mobileAccessToken(sandbox.idp.issuer)}` } };
      },
    }),
    baseline: {
      ...rawAggregator({ upstreamCalls: PRODUCT_DETAIL_CALLS }),
      label: 'raw handler (JWT)',
      // The raw route verifies the same kind of token itself (jose against the IdP's key set, issuer, audience,
      // typ, scope), remembering a verified token as the app does.
      prepare: async ({ sandbox }) => {
        if (!sandbox.idp) throw new Error('the sandbox has no IdP to issue a token');
        return { env: { RAW_JWT_ISSUER: sandbox.idp.issuer, RAW_JWT_AUDIENCE: 'mobile-bff' } };
      },
      setup: async ({ baseUrl, path, sandbox, get }) => {
        await assertRefusedWithout(get, `${baseUrl}${path}`);
        return { headers: { authorization: `Bearer ${await mobileAccessToken(sandbox.idp.issuer)}` } };
      },
    },
    // Informational: the platform on the mobile app's heaviest screen, authentication included on both sides.
    targets: [],
  },
  {
    id: 'partner-catalog-api-key',
    title: `partner catalogue page (limit ${FEED_LIMIT}), cache off, with an API key vs the same route with auth off`,
    profile: 'bench',
    path: `/v1/catalog?limit=${FEED_LIMIT}`,
    check: catalogFeed(FEED_LIMIT),
    sameBody: true,
    target: app('partner-bff', {
      label: 'partner-bff (API key)',
      env: CACHE_OFF,
      upstreamCalls: CATALOG_FEED_CALLS,
      // A fresh key for this run: the app gets its SHA-256 record, the requests the key itself.
      prepare: async ({ state }) => {
        const { key, record } = partnerApiKey({ scopes: ['catalog:read'] });
        state.key = key;
        return { env: { PARTNER_API_KEYS: JSON.stringify([record]) } };
      },
      setup: async ({ baseUrl, path, state, get }) => {
        await assertRefusedWithout(get, `${baseUrl}${path}`);
        return { headers: { 'x-api-key': state.key } };
      },
    }),
    baseline: app('partner-bff', {
      label: 'partner-bff (auth off)',
      env: CACHE_OFF,
      nodeArgs: AUTH_OFF,
      upstreamCalls: CATALOG_FEED_CALLS,
    }),
    targets: [], // no target set: the API-key cost is reported as the ratio
  },
  {
    id: 'partner-catalog',
    title: `partner catalogue page (limit ${FEED_LIMIT}), auth off, cache off, vs raw aggregator`,
    profile: 'bench',
    path: `/v1/catalog?limit=${FEED_LIMIT}`,
    check: catalogFeed(FEED_LIMIT),
    sameBody: true,
    target: app('partner-bff', { label: 'partner-bff (auth off)', env: CACHE_OFF, nodeArgs: AUTH_OFF, upstreamCalls: CATALOG_FEED_CALLS }),
    baseline: rawAggregator({ upstreamCalls: CATALOG_FEED_CALLS }),
    targets: [],
  },
  {
    id: 'partner-order-placement',
    title: 'partner order placement (POST, a new Idempotency-Key per request) with an API key vs a hand-written raw handler',
    profile: 'bench',
    path: '/v1/orders',
    method: 'POST',
    body: { items: PARTNER_ORDER_ITEMS },
    uniqueHeader: 'idempotency-key',
    status: 201,
    check: partnerOrder(PARTNER_ORDER_ITEMS),
    // Every answer is a new order: its id and creation time differ between the two sides, nothing else may.
    sameBody: { except: ['id', 'createdAt'] },
    target: app('partner-bff', {
      label: 'partner-bff (API key)',
      // The cache stays on, as production runs: a POST is never cached, so both sides place every order.
      upstreamCalls: PARTNER_ORDER_CALLS,
      // A fresh key bound to the seed customer's account; the app gets its SHA-256 record, the requests the key.
      prepare: async ({ state }) => {
        const { KNOWN_IDS } = await import('../sandbox/src/index.ts');
        const { key, record } = partnerApiKey({ scopes: ['orders:write'], account: KNOWN_IDS.customer });
        state.key = key;
        return { env: { PARTNER_API_KEYS: JSON.stringify([record]) } };
      },
      setup: async ({ baseUrl, path, state, request }) => {
        await assertWriteRefusedWithout(request, `${baseUrl}${path}`);
        return { headers: { 'x-api-key': state.key } };
      },
    }),
    baseline: {
      ...rawAggregator({ upstreamCalls: PARTNER_ORDER_CALLS }),
      label: 'raw handler (API key)',
      // The raw route checks a key the same way (SHA-256 record, constant-time compare, scope, account) and calls
      // orders with an access token for that account from the IdP's client-credentials grant (as the app's own,
      // fetched once: the app caches its token too).
      prepare: async ({ sandbox, state }) => {
        if (!sandbox.idp) throw new Error('the sandbox has no IdP to issue a token');
        const { KNOWN_IDS, partnerAccessToken } = await import('../sandbox/src/index.ts');
        const { key, record } = partnerApiKey({ scopes: ['orders:write'], account: KNOWN_IDS.customer });
        state.key = key;
        const token = await partnerAccessToken(sandbox.idp, { account: KNOWN_IDS.customer, scope: 'orders:read orders:write' });
        return { env: { RAW_PARTNER_KEYS: JSON.stringify([record]), RAW_ORDERS_TOKEN: token } };
      },
      setup: async ({ baseUrl, path, state, request }) => {
        await assertWriteRefusedWithout(request, `${baseUrl}${path}`);
        return { headers: { 'x-api-key': state.key } };
      },
    },
    // Informational: the platform on a write (validation, API key, idempotency, the upstream token, a 201).
    targets: [],
  },
  {
    id: 'cart-view',
    title: 'web cart view (signed-in session, cache off) vs raw aggregator making the same upstream calls with a bearer token',
    profile: 'bench',
    path: '/api/v1/cart',
    check: cartView(CART_LINES),
    sameBody: true,
    target: app('web-bff', {
      label: 'web-bff (session, cache off)',
      env: CACHE_OFF,
      upstreamCalls: CART_VIEW_CALLS,
      // Every request carries the session cookie and X-CSRF: what is measured includes the session lookup
      // (in memory: no REDIS_URL), the CSRF check, the token relay to carts and the enrichment.
      setup: async ({ baseUrl, path, get }) => {
        // Without a session (X-CSRF sent, so the CSRF check does not answer first): 401.
        const anonymous = await get(`${baseUrl}${path}`, { headers: { 'x-csrf': '1' } });
        if (anonymous.status !== 401) throw new Error(`without a session ${path} answered ${anonymous.status}, expected 401`);
        return { headers: await webSession(baseUrl) };
      },
    }),
    baseline: {
      ...rawAggregator({ upstreamCalls: CART_VIEW_CALLS }),
      // The raw route has no sessions: it is handed the customer's access token (same audience and scope as the
      // session's, from the IdP's own code flow) and relays it to carts.
      setup: async ({ sandbox }) => {
        if (!sandbox.idp) throw new Error('the sandbox has no IdP to issue a token');
        const { customerAccessToken } = await import('../sandbox/src/index.ts');
        const token = await customerAccessToken(sandbox.idp, CART_CUSTOMER, { scope: 'cart:write' });
        return { headers: { authorization: `Bearer ${token}`, 'x-customer-id': CART_CUSTOMER } };
      },
    },
    // Informational: what the session, CSRF and platform pipeline cost on a signed-in read (docs/performance.md).
    targets: [],
  },
  {
    id: 'direct-upstream',
    title: 'the catalog service itself (GET /products/:id): the upstream ceiling',
    profile: 'bench',
    path: `/products/${PRODUCT_ID}`,
    check: catalogProduct(PRODUCT_ID),
    target: upstream('catalog'),
    targets: [],
  },
  {
    id: 'raw-static',
    title: 'raw static alone: the product page JSON from memory (the ceiling for a cache hit)',
    profile: 'bench',
    path: `/api/v1/pages/product/${PRODUCT_ID}`,
    check: productPage(PRODUCT_ID),
    target: rawStatic(),
    targets: [],
  },
];

/**
 * Scenarios whose feature does not exist yet: listed in every report as "not measured", never faked.
 * Move an entry to SCENARIOS (with its env / hooks) once it can run.
 */
export const PENDING = [];

/** Per-app startup targets (every app the selected scenarios use). */
export const STARTUP_TARGETS = {
  coldStartMs: { op: '<=', value: 1_200, label: 'cold start ≤ 1.2 s (spawn → /health/live 200)' },
  idleRssMb: { op: '<=', value: 130, label: 'idle RSS ≤ 130 MB' },
};
