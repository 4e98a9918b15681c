// Hand-written compositions of the retail upstreams, shared by the raw baselines.
//
// They make exactly the upstream calls the apps make (same paths, same query strings, same
// concurrency, same dependent call after the product) and shape the same JSON, with no
// framework around them: undici Pools with the pool sizes of libs/retail/src/retail.upstreams.ts,
// a per-call timeout (min of the upstream timeout and the section budget, as the apps do), and
// optional sections degrading to null + meta.degraded + X-Degraded-Sections.
//
// Keep these in step with the apps' services when they change the payload: the harness compares
// the baseline's JSON with the app's before measuring and reports a mismatch.
import { randomUUID } from 'node:crypto';

import { Pool } from 'undici';

/** name → [timeoutMs, connections], as declared in libs/retail/src/retail.upstreams.ts. */
const UPSTREAMS = {
  catalog: [1_500, 64],
  pricing: [800, 64],
  inventory: [800, 64],
  reviews: [1_000, 32],
  recommendations: [1_200, 32],
  carts: [1_000, 32],
  orders: [2_000, 32],
};

export class UpstreamFailure extends Error {
  constructor(service, status, reason, options) {
    super(`${service} ${status ?? reason}`, options);
    this.service = service;
    this.status = status;
    this.reason = reason;
  }
}

/** One undici Pool per upstream named in `env` as UPSTREAM_<NAME>_URL (only those present). */
export function createUpstreams(env = process.env) {
  const upstreams = {};
  for (const [name, [timeoutMs, connections]] of Object.entries(UPSTREAMS)) {
    const url = env[`UPSTREAM_${name.toUpperCase()}_URL`];
    if (!url) continue;
    upstreams[name] = {
      name,
      timeoutMs,
      pool: new Pool(new URL(url).origin, { connections, keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000 }),
    };
  }
  return upstreams;
}

export async function closeUpstreams(upstreams) {
  await Promise.allSettled(Object.values(upstreams).map((u) => u.pool.close()));
}

function need(upstreams, name) {
  const upstream = upstreams[name];
  if (!upstream) throw new Error(`UPSTREAM_${name.toUpperCase()}_URL is not set`);
  return upstream;
}

const enc = encodeURIComponent;

function query(params) {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) search.append(k, String(v));
  const s = search.toString();
  return s ? `?${s}` : '';
}

/** GET a JSON resource; every failure becomes an UpstreamFailure. */
async function getJson(upstream, path, budgetMs, requestId, headers = {}) {
  const signal = AbortSignal.timeout(Math.min(upstream.timeoutMs, budgetMs));
  let response;
  try {
    response = await upstream.pool.request({
      method: 'GET',
      path,
      headers: { accept: 'application/json', 'x-request-id': requestId, ...headers },
      signal,
    });
  } catch (error) {
    throw new UpstreamFailure(upstream.name, undefined, signal.aborted ? 'timeout' : 'unavailable', { cause: error });
  }
  let text;
  try {
    text = await response.body.text();
  } catch (error) {
    throw new UpstreamFailure(upstream.name, undefined, signal.aborted ? 'timeout' : 'connection_reset', { cause: error });
  }
  if (response.statusCode >= 400) {
    throw new UpstreamFailure(upstream.name, response.statusCode, response.statusCode === 404 ? 'not_found' : 'upstream_error');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new UpstreamFailure(upstream.name, response.statusCode, 'malformed_response');
  }
}

/**
 * POST a JSON body; every failure becomes an UpstreamFailure (a 422 keeps the upstream's problem in `problem`).
 * Returns { status, headers, json }.
 */
async function postJson(upstream, path, body, budgetMs, requestId, headers = {}) {
  const signal = AbortSignal.timeout(Math.min(upstream.timeoutMs, budgetMs));
  let response;
  let text;
  try {
    response = await upstream.pool.request({
      method: 'POST',
      path,
      headers: { accept: 'application/json', 'content-type': 'application/json', 'x-request-id': requestId, ...headers },
      body: JSON.stringify(body),
      signal,
    });
    text = await response.body.text();
  } catch (error) {
    throw new UpstreamFailure(upstream.name, undefined, signal.aborted ? 'timeout' : 'unavailable', { cause: error });
  }
  if (response.statusCode >= 400) {
    throw new UpstreamFailure(upstream.name, response.statusCode, response.statusCode === 422 ? 'rejected' : 'upstream_error');
  }
  try {
    return { status: response.statusCode, headers: response.headers, json: JSON.parse(text) };
  } catch {
    throw new UpstreamFailure(upstream.name, response.statusCode, 'malformed_response');
  }
}

/**
 * Awaits optional sections (name → promise) in declaration order: a failure becomes null and a
 * { section, reason } entry in `degraded`.
 */
async function settleOptional(sections) {
  const names = Object.keys(sections);
  const outcomes = await Promise.allSettled(Object.values(sections));
  const data = {};
  const degraded = [];
  outcomes.forEach((outcome, i) => {
    if (outcome.status === 'fulfilled') {
      data[names[i]] = outcome.value;
    } else {
      data[names[i]] = null;
      const reason = outcome.reason;
      degraded.push({ section: names[i], reason: reason instanceof UpstreamFailure ? reason.reason : 'error' });
    }
  });
  return { data, degraded };
}

/** A product card as libs/retail's ProductCards shapes it. */
function toCard(product, price, stock) {
  return {
    id: product.id,
    name: product.name,
    thumbnail: product.thumbnailUrl,
    price: price ? { currency: price.currency, amount: price.amount, listAmount: price.listAmount, discountPct: price.discountPct } : null,
    inStock: stock ? stock.inStock : null,
  };
}

/**
 * Cards for products already fetched: one bulk price and one bulk stock read, concurrently, each optional
 * (`<section>-price`, `<section>-stock`), as ProductCards.forProducts.
 */
async function enrich(upstreams, products, section, rid) {
  if (products.length === 0) return { cards: [], degraded: [] };
  const ids = products.map((p) => p.id).join(',');
  const { data, degraded } = await settleOptional({
    [`${section}-price`]: getJson(need(upstreams, 'pricing'), `/prices${query({ ids })}`, 400, rid).then((r) => r.items),
    [`${section}-stock`]: getJson(need(upstreams, 'inventory'), `/stock${query({ ids })}`, 400, rid).then((r) => r.items),
  });
  const prices = new Map((data[`${section}-price`] ?? []).map((p) => [p.productId, p]));
  const stock = new Map((data[`${section}-stock`] ?? []).map((s) => [s.productId, s]));
  return { cards: products.map((p) => toCard(p, prices.get(p.id), stock.get(p.id))), degraded };
}

/**
 * Cards for ids, as ProductCards.forIds: one bulk lookup (required) concurrent with the bulk price and (unless
 * `stock: false`, as for a carousel showing no availability) stock reads.
 */
async function cardsForIds(upstreams, ids, section, rid, { stock: withStock = true } = {}) {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return { cards: [], degraded: [] };
  const joined = unique.join(',');
  const lookup = getJson(need(upstreams, 'catalog'), `/products${query({ ids: joined })}`, 1_000, rid);
  const [page, { data, degraded }] = await Promise.all([
    lookup,
    settleOptional({
      [`${section}-price`]: getJson(need(upstreams, 'pricing'), `/prices${query({ ids: joined })}`, 400, rid).then((r) => r.items),
      ...(withStock && {
        [`${section}-stock`]: getJson(need(upstreams, 'inventory'), `/stock${query({ ids: joined })}`, 400, rid).then((r) => r.items),
      }),
    }),
  ]);
  const prices = new Map((data[`${section}-price`] ?? []).map((p) => [p.productId, p]));
  const stock = new Map((data[`${section}-stock`] ?? []).map((s) => [s.productId, s]));
  return { cards: page.items.map((p) => toCard(p, prices.get(p.id), stock.get(p.id))), degraded };
}

/**
 * web-bff GET /api/v1/pages/product/:id — product required; five optional sections, recommendations after
 * product, then its cards (bulk lookup, price and stock).
 */
export async function productPage(upstreams, id) {
  const rid = randomUUID();
  const productCall = getJson(need(upstreams, 'catalog'), `/products/${enc(id)}`, 1_500, rid);
  const dependent = productCall.then(
    async (p) => {
      const related = await getJson(
        need(upstreams, 'recommendations'),
        `/recommendations${query({ productId: id, categoryId: p.categoryId, limit: 6 })}`,
        1_000,
        rid,
      );
      const ids = related.items.map((r) => r.productId).filter((productId) => productId !== id);
      return cardsForIds(upstreams, ids, 'recommendations', rid);
    },
    () => Promise.reject(new UpstreamFailure('catalog', undefined, 'dependency_failed')),
  );
  const optional = settleOptional({
    price: getJson(need(upstreams, 'pricing'), `/prices/${enc(id)}`, 400, rid),
    stock: getJson(need(upstreams, 'inventory'), `/stock/${enc(id)}`, 400, rid),
    rating: getJson(need(upstreams, 'reviews'), `/products/${enc(id)}/rating`, 500, rid),
    reviews: getJson(need(upstreams, 'reviews'), `/products/${enc(id)}/reviews${query({ page: 1, pageSize: 5 })}`, 500, rid),
    recommendations: dependent,
  });
  const [product, { data, degraded: sections }] = await Promise.all([productCall, optional]);
  const { price, stock, rating, reviews, recommendations } = data;
  const degraded = [...sections, ...(recommendations?.degraded ?? [])];
  return {
    degraded,
    body: {
      product: {
        id: product.id,
        sku: product.sku,
        name: product.name,
        description: product.description,
        brand: product.brand,
        categoryId: product.categoryId,
        images: product.images,
        attributes: product.attributes,
      },
      price: price && { currency: price.currency, amount: price.amount, listAmount: price.listAmount, discountPct: price.discountPct },
      availability: stock && { inStock: stock.inStock, available: stock.available, restockDate: stock.restockDate },
      rating: rating && { average: rating.average, count: rating.count, histogram: rating.histogram },
      reviews: reviews && {
        items: reviews.items.map((r) => ({
          id: r.id,
          author: r.author,
          rating: r.rating,
          title: r.title,
          body: r.body,
          createdAt: r.createdAt,
        })),
        total: reviews.total,
        page: reviews.page,
        pageSize: reviews.pageSize,
      },
      recommendations: recommendations && recommendations.cards,
      meta: { degraded },
    },
  };
}

/**
 * web-bff GET /api/v1/pages/listing — the category (when browsing one) and the catalog page, concurrently and
 * required; then the page's cards from one bulk price and one bulk stock read.
 */
export async function listingPage(upstreams, { q, category, cursor, limit = 24 }) {
  const rid = randomUUID();
  const [page, found] = await Promise.all([
    getJson(need(upstreams, 'catalog'), `/products${query({ q, category, cursor, limit })}`, 1_500, rid),
    category === undefined ? null : getJson(need(upstreams, 'catalog'), `/categories/${enc(category)}`, 1_000, rid),
  ]);
  const { cards, degraded } = await enrich(upstreams, page.items, 'items', rid);
  return {
    degraded,
    body: {
      category: found && { id: found.id, name: found.name, parentId: found.parentId },
      items: cards,
      total: page.total,
      nextCursor: page.nextCursor,
      meta: { degraded },
    },
  };
}

/** mobile-bff GET /api/v1/products/:id — the compact card: product required; price, stock, rating optional. */
export async function productCard(upstreams, id) {
  const rid = randomUUID();
  const productCall = getJson(need(upstreams, 'catalog'), `/products/${enc(id)}`, 1_000, rid);
  const optional = settleOptional({
    price: getJson(need(upstreams, 'pricing'), `/prices/${enc(id)}`, 300, rid),
    stock: getJson(need(upstreams, 'inventory'), `/stock/${enc(id)}`, 300, rid),
    rating: getJson(need(upstreams, 'reviews'), `/products/${enc(id)}/rating`, 300, rid),
  });
  const [product, { data, degraded }] = await Promise.all([productCall, optional]);
  const { price, stock, rating } = data;
  return {
    degraded,
    body: {
      id: product.id,
      name: product.name,
      thumbnail: product.thumbnailUrl,
      price: price && { amount: price.amount, currency: price.currency },
      inStock: stock ? stock.inStock : null,
      rating: rating ? rating.average : null,
      meta: { degraded },
    },
  };
}

/** The longest prefix ending in '/' that every URL shares beyond its origin ('' when none), and URLs relative to it. */
function imageRefs(urls) {
  const valid = urls.filter((url) => URL.canParse(url));
  let base = '';
  if (valid.length > 0) {
    base = valid[0].slice(0, valid[0].lastIndexOf('/') + 1);
    for (const url of valid) while (base && !url.startsWith(base)) base = base.slice(0, base.lastIndexOf('/', base.length - 2) + 1);
    if (base.length <= new URL(valid[0]).origin.length) base = '';
  }
  const ref = (url) => {
    if (!base || !url.startsWith(base)) return url;
    const rest = url.slice(base.length);
    return /^[^/?#]*:/.test(rest) ? `./${rest}` : rest;
  };
  return { base, ref };
}

/** Text cut to at most `max` characters at a word boundary, ending in "…" when anything was cut. */
function excerpt(text, max) {
  const trimmed = text.trim();
  if (trimmed.length <= max) return trimmed;
  const cut = trimmed.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,.;:!?-]+$/, '')}…`;
}

/**
 * mobile-bff GET /api/v1/products/:id/detail — the web product page's fan-out with the mobile budgets and a compact
 * answer: product required; price, stock, rating, the first 2 reviews (48-character excerpts) optional;
 * recommendations (3) after the product, then their cards (bulk lookup and price, no stock). Image URLs relative to
 * one `imageBase`, amounts bare in one `currency`.
 */
export async function productDetail(upstreams, id) {
  const rid = randomUUID();
  const productCall = getJson(need(upstreams, 'catalog'), `/products/${enc(id)}`, 1_000, rid);
  const dependent = productCall.then(
    async (p) => {
      const related = await getJson(
        need(upstreams, 'recommendations'),
        `/recommendations${query({ productId: id, categoryId: p.categoryId, limit: 3 })}`,
        800,
        rid,
      );
      const ids = related.items.map((r) => r.productId).filter((productId) => productId !== id);
      return cardsForIds(upstreams, ids, 'recommendations', rid, { stock: false });
    },
    () => Promise.reject(new UpstreamFailure('catalog', undefined, 'dependency_failed')),
  );
  const optional = settleOptional({
    price: getJson(need(upstreams, 'pricing'), `/prices/${enc(id)}`, 300, rid),
    stock: getJson(need(upstreams, 'inventory'), `/stock/${enc(id)}`, 300, rid),
    rating: getJson(need(upstreams, 'reviews'), `/products/${enc(id)}/rating`, 400, rid),
    reviews: getJson(need(upstreams, 'reviews'), `/products/${enc(id)}/reviews${query({ page: 1, pageSize: 2 })}`, 400, rid),
    recommendations: dependent,
  });
  const [product, { data, degraded: sections }] = await Promise.all([productCall, optional]);
  const { price, stock, rating, reviews, recommendations } = data;
  const degraded = [...sections, ...(recommendations?.degraded ?? [])];
  const cards = recommendations?.cards ?? [];
  const images = imageRefs([...product.images.map((image) => image.url), ...cards.map((card) => card.thumbnail)]);
  const currency = price?.currency ?? cards.find((card) => card.price)?.price?.currency;
  return {
    degraded,
    body: {
      ...(images.base ? { imageBase: images.base } : {}),
      ...(currency ? { currency } : {}),
      product: {
        id: product.id,
        name: product.name,
        brand: product.brand,
        images: product.images.map((image) => images.ref(image.url)),
      },
      price: price ? price.amount : null,
      inStock: stock ? stock.inStock : null,
      rating: rating && { average: rating.average, count: rating.count },
      reviews: reviews && {
        items: reviews.items.slice(0, 2).map((r) => ({
          author: r.author,
          rating: r.rating,
          title: r.title,
          excerpt: excerpt(r.body, 48),
          date: r.createdAt.slice(0, 10),
        })),
        total: reviews.total,
      },
      recommendations:
        recommendations &&
        cards.map((c) => ({
          id: c.id,
          name: c.name,
          thumbnail: images.ref(c.thumbnail),
          price: c.price ? c.price.amount : null,
          ...(c.price && c.price.currency !== currency ? { currency: c.price.currency } : {}),
        })),
      meta: { degraded },
    },
  };
}

/**
 * partner-bff POST /v1/orders — one POST /orders for the partner's account with the app's own access token (client
 * credentials, fetched once), the partner's Idempotency-Key namespaced by partner; the order in the partner API's shape.
 */
export async function placePartnerOrder(upstreams, { token, account, partner, idempotencyKey, items }) {
  const rid = randomUUID();
  const placed = await postJson(need(upstreams, 'orders'), '/orders', { customerId: account, items }, 2_000, rid, {
    authorization: `Bearer ${token}`,
    'idempotency-key': `partner:${partner}:${idempotencyKey}`,
  });
  const order = placed.json;
  return {
    replayed: placed.headers['idempotent-replayed'] === 'true',
    order: {
      id: order.id,
      status: order.status,
      items: order.items.map((i) => ({ productId: i.productId, quantity: i.quantity, unitAmount: i.unitAmount })),
      totalAmount: order.totalAmount,
      currency: order.currency,
      createdAt: order.createdAt,
    },
  };
}

/** partner-bff GET /v1/catalog — a catalogue page (required), then bulk prices and stock for its ids, concurrently. */
export async function catalogFeed(upstreams, { cursor, limit = 20 }) {
  const rid = randomUUID();
  const page = await getJson(need(upstreams, 'catalog'), `/products${query({ cursor, limit })}`, 1_500, rid);
  const ids = page.items.map((p) => p.id);
  const { data, degraded } = await settleOptional({
    prices: ids.length ? getJson(need(upstreams, 'pricing'), `/prices${query({ ids: ids.join(',') })}`, 600, rid).then((r) => r.items) : [],
    stock: ids.length ? getJson(need(upstreams, 'inventory'), `/stock${query({ ids: ids.join(',') })}`, 600, rid).then((r) => r.items) : [],
  });
  const priceById = new Map((data.prices ?? []).map((p) => [p.productId, p]));
  const stockById = new Map((data.stock ?? []).map((s) => [s.productId, s]));
  return {
    degraded,
    body: {
      items: page.items.map((p) => {
        const price = priceById.get(p.id);
        const level = stockById.get(p.id);
        return {
          id: p.id,
          sku: p.sku,
          name: p.name,
          brand: p.brand,
          categoryId: p.categoryId,
          price: price ? { amount: price.amount, listAmount: price.listAmount, currency: price.currency } : null,
          availability: level ? { inStock: level.inStock, available: level.available } : null,
        };
      }),
      nextCursor: page.nextCursor,
      meta: { degraded },
    },
  };
}

/**
 * web-bff GET /api/v1/cart — the customer's cart (its token relayed to carts), then one catalog lookup (required)
 * and bulk prices and stock (optional, 400 ms each) for its product ids, concurrently; an estimated subtotal.
 */
export async function cartView(upstreams, { customerId, authorization }) {
  const rid = randomUUID();
  const cart = await getJson(need(upstreams, 'carts'), `/carts/${enc(`cart-${customerId}`)}`, 1_000, rid, { authorization });
  const ids = [...new Set(cart.items.map((item) => item.productId))];
  const list = ids.join(',');
  const lookup = ids.length ? getJson(need(upstreams, 'catalog'), `/products${query({ ids: list })}`, 1_000, rid) : { items: [] };
  const optional = settleOptional({
    'cart-price': ids.length ? getJson(need(upstreams, 'pricing'), `/prices${query({ ids: list })}`, 400, rid).then((r) => r.items) : [],
    'cart-stock': ids.length ? getJson(need(upstreams, 'inventory'), `/stock${query({ ids: list })}`, 400, rid).then((r) => r.items) : [],
  });
  const [products, { data, degraded }] = await Promise.all([lookup, optional]);
  const productById = new Map(products.items.map((p) => [p.id, p]));
  const priceById = new Map((data['cart-price'] ?? []).map((p) => [p.productId, p]));
  const stockById = new Map((data['cart-stock'] ?? []).map((s) => [s.productId, s]));
  const lines = cart.items.map(({ productId, quantity }) => {
    const product = productById.get(productId);
    const price = product ? priceById.get(productId) : undefined;
    const stock = product ? stockById.get(productId) : undefined;
    const unitPrice = price
      ? { currency: price.currency, amount: price.amount, listAmount: price.listAmount, discountPct: price.discountPct }
      : null;
    return {
      productId,
      quantity,
      name: product?.name ?? null,
      thumbnail: product?.thumbnailUrl ?? null,
      unitPrice,
      inStock: stock ? stock.inStock : null,
      lineAmount: unitPrice ? unitPrice.amount * quantity : null,
    };
  });
  const currency = lines.find((l) => l.unitPrice)?.unitPrice.currency ?? null;
  let amount = 0;
  const unpriced = [];
  for (const line of lines) {
    if (!line.unitPrice || line.unitPrice.currency !== currency) unpriced.push(line.productId);
    else amount += line.lineAmount;
  }
  degraded.sort((a, b) => a.section.localeCompare(b.section));
  return {
    degraded,
    body: {
      lines,
      itemCount: lines.reduce((n, l) => n + l.quantity, 0),
      estimatedSubtotal: {
        amount,
        currency,
        estimate: true,
        complete: unpriced.length === 0,
        unpricedProductIds: unpriced,
        label: unpriced.length === 0 ? 'Estimated subtotal' : 'Estimated subtotal (some prices unavailable)',
      },
      updatedAt: cart.updatedAt,
      meta: { degraded },
    },
  };
}

/** Sends an aggregation result, or the error a failed required call maps to (404 / 502 / 503 / 504). */
export function send(reply, result) {
  if (result.degraded.length) reply.header('x-degraded-sections', result.degraded.map((d) => d.section).join(','));
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(result.body));
}

export function sendFailure(reply, error) {
  const status =
    error instanceof UpstreamFailure
      ? error.status === 404 || error.status === 422
        ? error.status
        : error.reason === 'timeout'
          ? 504
          : error.reason === 'unavailable'
            ? 503
            : 502
      : 500;
  return reply
    .code(status)
    .type('application/problem+json')
    .send(JSON.stringify({ type: 'about:blank', title: 'raw baseline failure', status, detail: String(error?.message ?? error) }));
}

/** Listens on HOST:PORT (0 = ephemeral) and prints one JSON line the harness reads: {"listening":"http://..."}. */
export async function listen(app, name) {
  const host = process.env.HOST ?? '127.0.0.1';
  const port = Number(process.env.PORT ?? 0);
  const address = await app.listen({ host, port });
  process.stdout.write(`${JSON.stringify({ listening: address, name })}\n`);
  let closing = false;
  const close = () => {
    if (closing) return;
    closing = true;
    const force = setTimeout(() => process.exit(0), 3_000);
    force.unref();
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', close);
  process.on('SIGINT', close);
  // The harness holds our stdin open; when it goes away (even SIGKILLed), so do we.
  process.stdin.on('end', close);
  process.stdin.on('error', close);
  process.stdin.resume();
}
