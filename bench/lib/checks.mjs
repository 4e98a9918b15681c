// Shape checks: before a target is measured its answer must pass its check (and during the load
// every 50th body is checked again), so a broken target cannot produce a fast-but-wrong number.
// A check returns undefined when the body is right, else a short description of what is wrong.

const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const has = (o, key) => isObject(o) && Object.hasOwn(o, key);

function first(...problems) {
  return problems.find(Boolean);
}

/** web-bff product page: the product with the expected id, every optional section present (null allowed), meta.degraded. */
export function productPage(id) {
  return (j) =>
    first(
      !isObject(j) && 'body is not an object',
      j?.product?.id !== id && `product.id is ${JSON.stringify(j?.product?.id)}, expected ${JSON.stringify(id)}`,
      typeof j?.product?.name !== 'string' && 'product.name missing',
      typeof j?.product?.categoryId !== 'string' && 'product.categoryId missing',
      ...['price', 'availability', 'rating', 'reviews', 'recommendations'].map((k) => !has(j, k) && `${k} missing`),
      j?.recommendations !== null && !Array.isArray(j?.recommendations) && 'recommendations is neither an array nor null',
      !Array.isArray(j?.meta?.degraded) && 'meta.degraded missing',
    ) || undefined;
}

/** web-bff listing page: `limit` cards, each with id, name, thumbnail, price and inStock keys, a total and a cursor. */
export function listingPage(limit) {
  return (j) =>
    first(
      !isObject(j) && 'body is not an object',
      !Array.isArray(j?.items) && 'items missing',
      Array.isArray(j?.items) && j.items.length !== limit && `${j.items.length} items, expected ${limit}`,
      Array.isArray(j?.items) &&
        j.items.some((i) => typeof i?.id !== 'string' || typeof i?.name !== 'string' || !has(i, 'price') || !has(i, 'inStock')) &&
        'an item lacks id, name, price or inStock',
      typeof j?.total !== 'number' && 'total missing',
      !has(j, 'nextCursor') && 'nextCursor missing',
      !has(j, 'category') && 'category missing',
      !Array.isArray(j?.meta?.degraded) && 'meta.degraded missing',
    ) || undefined;
}

/** mobile-bff product card. */
export function productCard(id) {
  return (j) =>
    first(
      !isObject(j) && 'body is not an object',
      j?.id !== id && `id is ${JSON.stringify(j?.id)}, expected ${JSON.stringify(id)}`,
      typeof j?.name !== 'string' && 'name missing',
      typeof j?.thumbnail !== 'string' && 'thumbnail missing',
      ...['price', 'inStock', 'rating'].map((k) => !has(j, k) && `${k} missing`),
      !Array.isArray(j?.meta?.degraded) && 'meta.degraded missing',
    ) || undefined;
}

/** mobile-bff product detail screen: the product, every optional section present (null allowed), meta.degraded. */
export function productDetail(id) {
  return (j) =>
    first(
      !isObject(j) && 'body is not an object',
      j?.product?.id !== id && `product.id is ${JSON.stringify(j?.product?.id)}, expected ${JSON.stringify(id)}`,
      typeof j?.product?.name !== 'string' && 'product.name missing',
      !Array.isArray(j?.product?.images) && 'product.images missing',
      ...['price', 'inStock', 'rating', 'reviews', 'recommendations'].map((k) => !has(j, k) && `${k} missing`),
      j?.recommendations !== null && !Array.isArray(j?.recommendations) && 'recommendations is neither an array nor null',
      !Array.isArray(j?.meta?.degraded) && 'meta.degraded missing',
    ) || undefined;
}

/** partner-bff placed order: an order id, status `created`, the ordered lines (with unit prices) and a total. */
export function partnerOrder(items) {
  return (j) =>
    first(
      !isObject(j) && 'body is not an object',
      (typeof j?.id !== 'string' || !/^o-\d+$/.test(j.id)) && `id is ${JSON.stringify(j?.id)}, expected an order id`,
      j?.status !== 'created' && `status is ${JSON.stringify(j?.status)}, expected "created"`,
      (!Array.isArray(j?.items) || j.items.length !== items.length) && `items is not an array of ${items.length}`,
      ...(Array.isArray(j?.items) ? j.items : []).map(
        (line, i) =>
          (line?.productId !== items[i]?.productId || line?.quantity !== items[i]?.quantity || typeof line?.unitAmount !== 'number') &&
          `items[${i}] is not ${JSON.stringify(items[i])} with a unitAmount`,
      ),
      typeof j?.totalAmount !== 'number' && 'totalAmount missing',
      typeof j?.createdAt !== 'string' && 'createdAt missing',
    ) || undefined;
}

/** partner-bff catalogue page: `limit` items, each with id, price and availability keys, and a cursor. */
export function catalogFeed(limit) {
  return (j) =>
    first(
      !isObject(j) && 'body is not an object',
      !Array.isArray(j?.items) && 'items missing',
      Array.isArray(j?.items) && j.items.length !== limit && `${j.items.length} items, expected ${limit}`,
      Array.isArray(j?.items) &&
        j.items.some((i) => typeof i?.id !== 'string' || !has(i, 'price') || !has(i, 'availability')) &&
        'an item lacks id, price or availability',
      !has(j, 'nextCursor') && 'nextCursor missing',
      !Array.isArray(j?.meta?.degraded) && 'meta.degraded missing',
    ) || undefined;
}

/** The catalog service's own product resource (direct upstream). */
export function catalogProduct(id) {
  return (j) =>
    first(
      !isObject(j) && 'body is not an object',
      j?.id !== id && `id is ${JSON.stringify(j?.id)}, expected ${JSON.stringify(id)}`,
      typeof j?.categoryId !== 'string' && 'categoryId missing',
    ) || undefined;
}

/** First path at which two JSON values differ ("$" when they are equal at the top: undefined). */
export function firstDifference(a, b, path = '$') {
  if (Object.is(a, b)) return undefined;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return path;
  if (Array.isArray(a) !== Array.isArray(b)) return path;
  if (Array.isArray(a)) {
    if (a.length !== b.length) return `${path}.length`;
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    if (!Object.hasOwn(a, k) || !Object.hasOwn(b, k)) return `${path}.${k}`;
    const d = firstDifference(a[k], b[k], `${path}.${k}`);
    if (d) return d;
  }
  return undefined;
}

/** web-bff cart view: `lines` lines, each named and with price/stock keys, and the estimated subtotal. */
export function cartView(lines) {
  return (j) =>
    first(
      !isObject(j) && 'body is not an object',
      (!Array.isArray(j?.lines) || j.lines.length !== lines) && `lines is not an array of ${lines}`,
      ...(Array.isArray(j?.lines) ? j.lines : []).map(
        (l, i) =>
          (typeof l?.name !== 'string' || !has(l, 'unitPrice') || !has(l, 'inStock')) && `lines[${i}] lacks name, unitPrice or inStock`,
      ),
      j?.estimatedSubtotal?.estimate !== true && 'estimatedSubtotal.estimate is not true',
      !Array.isArray(j?.meta?.degraded) && 'meta.degraded missing',
    ) || undefined;
}
