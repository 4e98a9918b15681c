/**
 * Ids with well-known properties in the deterministic seed. Tests of the BFF apps rely on them;
 * the sandbox's own tests assert every property listed here.
 */
export const KNOWN_IDS = {
  /** In stock, has a price (with a discount) and reviews. */
  product: 'p-00001',
  /** Another ordinary product (in stock, priced, reviewed). */
  productAlt: 'p-00002',
  /** Stock record with `available: 0`, `inStock: false`. */
  productOutOfStock: 'p-00003',
  /** Exists in catalog, 0 reviews (rating count 0). */
  productNoReviews: 'p-00004',
  /** Exists in catalog but pricing returns 404. */
  productNoPrice: 'p-00150',
  /** Exists in catalog but inventory returns 404. */
  productNoStock: 'p-00077',
  /** Does not exist anywhere. */
  productUnknown: 'p-99999',
  /** Every product without a price (pricing 404). */
  productsWithoutPrice: ['p-00150', 'p-00300', 'p-00450', 'p-00600', 'p-00750', 'p-00900', 'p-01050', 'p-01200'],
  /** Every product without a stock record (inventory 404). */
  productsWithoutStock: ['p-00077', 'p-00277', 'p-00477', 'p-00677', 'p-00877', 'p-01077'],
  firstProduct: 'p-00001',
  lastProduct: 'p-01200',
  productCount: 1200,
  /** Top-level category "Electronics" (has children cat-07..cat-09). */
  category: 'cat-01',
  /** Leaf category "Smartphones" (parent cat-01). */
  leafCategory: 'cat-07',
  categoryUnknown: 'cat-99',
  categoryCount: 24,
  /** Customer Alice Anderson, tier gold, alice@example.com / password. */
  customer: 'c-0001',
  customerEmail: 'alice@example.com',
  customerPassword: 'password',
  /** Platinum-tier customer (carol@example.com). */
  customerPlatinum: 'c-0003',
  customerUnknown: 'c-9999',
  customerCount: 200,
  /** Cart of c-0001 with items. */
  cart: 'cart-c-0001',
  /** Cart of c-0002, seeded empty. */
  emptyCart: 'cart-c-0002',
  /** Not seeded; POST /carts/cart-c-0050/items creates it (customer exists). */
  cartNotCreated: 'cart-c-0050',
  /** First seeded order, belongs to c-0001. */
  order: 'o-000001',
  orderUnknown: 'o-999999',
} as const;

export type KnownIds = typeof KNOWN_IDS;
