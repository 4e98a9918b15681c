/**
 * Deterministic seed data. Every value is derived from a seeded PRNG and fixed epochs, so the
 * data is identical on every run. Generated once per process (see `getSeed()`).
 */
import { KNOWN_IDS } from './known-ids.ts';
import type {
  Cart,
  Category,
  Customer,
  CustomerTier,
  Order,
  OrderItem,
  OrderStatus,
  Price,
  Product,
  Review,
  SeedCustomer,
  Stock,
} from './model.ts';
import { chance, mixSeed, mulberry32, pick, randInt, type Rng } from './prng.ts';
import {
  ADJECTIVES,
  BRANDS,
  CATEGORY_TREE,
  DESCRIPTION_CLAIMS,
  FAMILY_NAMES,
  GIVEN_NAMES,
  LOCALES,
  REVIEW_BODIES,
  REVIEW_TITLES,
  WAREHOUSES,
  type LeafCategorySpec,
} from './words.ts';

/** "Now" of the seed: createdAt values lie before it. */
export const SEED_EPOCH_MS = Date.UTC(2025, 0, 1);
/** Base of future dates (price validity, restock dates). */
export const SEED_FUTURE_MS = Date.UTC(2030, 0, 1);
export const PRODUCT_COUNT = 1200;
export const CUSTOMER_COUNT = 200;
export const DEV_PASSWORD = 'password';
export const IMAGE_BASE_URL = 'https://img.sandbox.local';

const DAY_MS = 86_400_000;

const NO_PRICE = new Set<string>(KNOWN_IDS.productsWithoutPrice);
const NO_STOCK = new Set<string>(KNOWN_IDS.productsWithoutStock);

export interface ReviewPlan {
  count: number;
  /** Mean rating the reviews gravitate to (1..5). */
  quality: number;
}

/** The words a product's texts are built from, kept to render them in every catalog language. */
export interface ProductWords {
  readonly brand: string;
  readonly adjective: string;
  readonly noun: string;
  readonly model: string;
  readonly claims: readonly string[];
}

export interface SeedData {
  categories: Category[];
  categoriesById: Map<string, Category>;
  /** Category id → ids of the category itself and all of its descendants. */
  categorySubtree: Map<string, Set<string>>;
  products: Product[];
  productsById: Map<string, Product>;
  prices: Map<string, Price>;
  stock: Map<string, Stock>;
  reviewPlans: Map<string, ReviewPlan>;
  /** 0..1 popularity used by recommendations. */
  popularity: Map<string, number>;
  /** Product id → the seed words its name and description are made of (for the other catalog languages). */
  productWords: Map<string, ProductWords>;
  customers: SeedCustomer[];
  customersById: Map<string, SeedCustomer>;
  carts: Cart[];
  orders: Order[];
}

export function productId(n: number): string {
  return `p-${String(n).padStart(5, '0')}`;
}

export function customerId(n: number): string {
  return `c-${String(n).padStart(4, '0')}`;
}

export function orderId(n: number): string {
  return `o-${String(n).padStart(6, '0')}`;
}

function categoryId(n: number): string {
  return `cat-${String(n).padStart(2, '0')}`;
}

function isoAt(ms: number): string {
  return new Date(ms).toISOString();
}

function pastDate(rng: Rng, maxDays: number): string {
  return isoAt(SEED_EPOCH_MS - randInt(rng, 1, maxDays) * DAY_MS - randInt(rng, 0, DAY_MS / 1000 - 1) * 1000);
}

interface LeafRef {
  id: string;
  spec: LeafCategorySpec;
}

function buildCategories(): { categories: Category[]; leaves: LeafRef[] } {
  const categories: Category[] = [];
  const leaves: LeafRef[] = [];
  CATEGORY_TREE.forEach((top, i) => {
    categories.push({ id: categoryId(i + 1), name: top.name, parentId: null });
  });
  let next = CATEGORY_TREE.length + 1;
  CATEGORY_TREE.forEach((top, i) => {
    for (const leaf of top.leaves) {
      const id = categoryId(next++);
      categories.push({ id, name: leaf.name, parentId: categoryId(i + 1) });
      leaves.push({ id, spec: leaf });
    }
  });
  return { categories, leaves };
}

function buildProduct(n: number, leaves: readonly LeafRef[]): { product: Product; leaf: LeafRef; words: ProductWords } {
  const rng = mulberry32(mixSeed(1, n));
  const id = productId(n);
  const leaf = pick(rng, leaves);
  const brand = pick(rng, BRANDS);
  const noun = pick(rng, leaf.spec.nouns);
  const adjective = pick(rng, ADJECTIVES);
  const model = `${String.fromCharCode(65 + randInt(rng, 0, 25))}${randInt(rng, 1, 9) * 100}`;
  const name = `${brand} ${adjective} ${noun} ${model}`;
  const attributes: Record<string, string> = {};
  for (const [key, values] of Object.entries(leaf.spec.attributes)) {
    attributes[key] = pick(rng, values);
  }
  const imageCount = randInt(rng, 1, 4);
  const images = Array.from({ length: imageCount }, (_, k) => ({
    url: `${IMAGE_BASE_URL}/products/${id}/${k + 1}.jpg`,
    alt: `${name} – view ${k + 1}`,
  }));
  const claims = [pick(rng, DESCRIPTION_CLAIMS), pick(rng, DESCRIPTION_CLAIMS)];
  const description = `The ${name} by ${brand}. ${claims[0]}${claims[1] === claims[0] ? '' : ` ${claims[1]}`}`;
  const product: Product = {
    id,
    sku: `SB-${leaf.id.slice(4)}-${String(n).padStart(5, '0')}`,
    name,
    description,
    categoryId: leaf.id,
    brand,
    thumbnailUrl: `${IMAGE_BASE_URL}/products/${id}/thumb.jpg`,
    images,
    attributes,
    createdAt: pastDate(rng, 730),
    updatedAt: '',
  };
  product.updatedAt = lastUpdate(n, product.createdAt);
  const words = { brand, adjective, noun, model, claims: claims[1] === claims[0] ? [claims[0]] : claims };
  return { product, leaf, words };
}

/**
 * The seed's last change of product n: between its creation and the seed epoch, whole seconds. Drawn from its
 * own stream (mixSeed 11) so the other product fields keep their values.
 */
function lastUpdate(n: number, createdAt: string): string {
  const rng = mulberry32(mixSeed(11, n));
  const created = Date.parse(createdAt);
  const spanSeconds = Math.floor((SEED_EPOCH_MS - created) / 1000) - 1;
  return isoAt(created + randInt(rng, 0, spanSeconds) * 1000);
}

function buildPrice(n: number, leaf: LeafRef): Price {
  const rng = mulberry32(mixSeed(2, n));
  const id = productId(n);
  const listAmount = randInt(rng, leaf.spec.priceRange[0], leaf.spec.priceRange[1]) * 100 - 1;
  const forcedDiscount = id === KNOWN_IDS.product;
  const discountPct = forcedDiscount || chance(rng, 0.35) ? pick(rng, [5, 10, 15, 20, 25, 30, 40]) : 0;
  const amount = Math.round((listAmount * (100 - discountPct)) / 100);
  return {
    productId: id,
    currency: 'EUR',
    amount,
    listAmount,
    discountPct,
    validUntil: isoAt(SEED_FUTURE_MS + randInt(rng, 0, 364) * DAY_MS + DAY_MS - 1000),
  };
}

function buildStock(n: number): Stock {
  const rng = mulberry32(mixSeed(3, n));
  const id = productId(n);
  let outOfStock = chance(rng, 0.08);
  if (id === KNOWN_IDS.productOutOfStock) outOfStock = true;
  if (id === KNOWN_IDS.product || id === KNOWN_IDS.productAlt || id === KNOWN_IDS.productNoReviews) outOfStock = false;
  const available = outOfStock ? 0 : chance(rng, 0.1) ? randInt(rng, 1, 5) : randInt(rng, 6, 500);
  const reserved = outOfStock ? randInt(rng, 0, 3) : randInt(rng, 0, Math.min(20, available));
  const hasRestock = outOfStock && (id === KNOWN_IDS.productOutOfStock || chance(rng, 0.7));
  return {
    productId: id,
    available,
    reserved,
    inStock: available > 0,
    warehouse: pick(rng, WAREHOUSES),
    restockDate: hasRestock ? isoAt(SEED_FUTURE_MS + randInt(rng, 3, 60) * DAY_MS).slice(0, 10) : null,
  };
}

function buildReviewPlan(n: number): ReviewPlan {
  const rng = mulberry32(mixSeed(4, n));
  const id = productId(n);
  let count = chance(rng, 0.06) ? 0 : randInt(rng, 1, 40);
  if (id === KNOWN_IDS.productNoReviews) count = 0;
  if (id === KNOWN_IDS.product) count = 23;
  if (id === KNOWN_IDS.productAlt && count === 0) count = 7;
  return { count, quality: 2.5 + rng() * 2.5 };
}

/** Reviews of a product, newest first. Deterministic per product, independent of call order. */
export function generateReviews(product: Product, plan: ReviewPlan): Review[] {
  const n = Number(product.id.slice(2));
  const rng = mulberry32(mixSeed(5, n));
  const createdAfter = Date.parse(product.createdAt);
  const span = Math.max(1, Math.floor((SEED_EPOCH_MS - createdAfter) / 1000));
  const reviews: Review[] = [];
  for (let k = 1; k <= plan.count; k++) {
    const noisy = plan.quality + (rng() - 0.5) * 3;
    const rating = Math.min(5, Math.max(1, Math.round(noisy)));
    const given = pick(rng, GIVEN_NAMES);
    const family = pick(rng, FAMILY_NAMES);
    reviews.push({
      id: `r-${product.id.slice(2)}-${String(k).padStart(3, '0')}`,
      productId: product.id,
      author: `${given} ${family.charAt(0)}.`,
      rating,
      title: pick(rng, REVIEW_TITLES[rating] ?? []),
      body: pick(rng, REVIEW_BODIES[rating] ?? []),
      createdAt: isoAt(createdAfter + randInt(rng, 0, span - 1) * 1000),
    });
  }
  reviews.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id.localeCompare(b.id)));
  return reviews;
}

function emailPart(value: string): string {
  return value
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z]/g, '');
}

function buildCustomers(): SeedCustomer[] {
  const fixed: Array<Pick<Customer, 'givenName' | 'familyName' | 'email' | 'tier' | 'locale'>> = [
    { givenName: 'Alice', familyName: 'Anderson', email: KNOWN_IDS.customerEmail, tier: 'gold', locale: 'en-GB' },
    { givenName: 'Bob', familyName: 'Brown', email: 'bob@example.com', tier: 'standard', locale: 'de-DE' },
    { givenName: 'Carol', familyName: 'Clarke', email: 'carol@example.com', tier: 'platinum', locale: 'nl-NL' },
  ];
  const customers: SeedCustomer[] = [];
  for (let i = 1; i <= CUSTOMER_COUNT; i++) {
    const rng = mulberry32(mixSeed(6, i));
    const id = customerId(i);
    const createdAt = pastDate(rng, 1500);
    const preset = fixed[i - 1];
    if (preset) {
      customers.push({ id, ...preset, createdAt, password: DEV_PASSWORD });
      continue;
    }
    const givenName = pick(rng, GIVEN_NAMES);
    const familyName = pick(rng, FAMILY_NAMES);
    const roll = rng();
    const tier: CustomerTier = roll < 0.7 ? 'standard' : roll < 0.92 ? 'gold' : 'platinum';
    customers.push({
      id,
      email: `${emailPart(givenName)}.${emailPart(familyName)}.${String(i).padStart(4, '0')}@example.com`,
      givenName,
      familyName,
      tier,
      locale: pick(rng, LOCALES),
      createdAt,
      password: DEV_PASSWORD,
    });
  }
  return customers;
}

function randomPricedProductId(rng: Rng, prices: Map<string, Price>): string {
  for (;;) {
    const id = productId(randInt(rng, 1, PRODUCT_COUNT));
    if (prices.has(id)) return id;
  }
}

function buildCarts(prices: Map<string, Price>): Cart[] {
  const carts: Cart[] = [
    {
      id: KNOWN_IDS.cart,
      customerId: KNOWN_IDS.customer,
      items: [
        { productId: KNOWN_IDS.product, quantity: 1 },
        { productId: KNOWN_IDS.productAlt, quantity: 2 },
      ],
      updatedAt: isoAt(SEED_EPOCH_MS - 2 * 3600_000),
    },
    { id: KNOWN_IDS.emptyCart, customerId: customerId(2), items: [], updatedAt: isoAt(SEED_EPOCH_MS - DAY_MS) },
  ];
  for (let i = 3; i <= 10; i++) {
    const rng = mulberry32(mixSeed(7, i));
    const items = new Map<string, number>();
    const count = randInt(rng, 1, 4);
    while (items.size < count) items.set(randomPricedProductId(rng, prices), randInt(rng, 1, 3));
    carts.push({
      id: `cart-${customerId(i)}`,
      customerId: customerId(i),
      items: [...items].map(([productId, quantity]) => ({ productId, quantity })),
      updatedAt: pastDate(rng, 30),
    });
  }
  return carts;
}

function buildOrders(prices: Map<string, Price>): Order[] {
  const orders: Order[] = [];
  const statuses: OrderStatus[] = ['delivered', 'delivered', 'delivered', 'shipped', 'paid', 'cancelled'];
  for (let i = 1; i <= CUSTOMER_COUNT; i++) {
    const rng = mulberry32(mixSeed(8, i));
    const count = i === 1 ? 3 : randInt(rng, 0, 4);
    for (let k = 0; k < count; k++) {
      const picked = new Map<string, number>();
      const itemCount = randInt(rng, 1, 4);
      while (picked.size < itemCount) picked.set(randomPricedProductId(rng, prices), randInt(rng, 1, 3));
      const items: OrderItem[] = [...picked].map(([productId, quantity]) => ({
        productId,
        quantity,
        unitAmount: prices.get(productId)?.amount ?? 0,
      }));
      orders.push({
        id: orderId(orders.length + 1),
        customerId: customerId(i),
        items,
        status: pick(rng, statuses),
        totalAmount: items.reduce((sum, item) => sum + item.unitAmount * item.quantity, 0),
        currency: 'EUR',
        createdAt: pastDate(rng, 400),
      });
    }
  }
  return orders;
}

function generateSeed(): SeedData {
  const { categories, leaves } = buildCategories();
  const categoriesById = new Map(categories.map((c) => [c.id, c]));
  const categorySubtree = new Map<string, Set<string>>();
  for (const category of categories) {
    categorySubtree.set(category.id, new Set([category.id]));
  }
  for (const category of categories) {
    let parentId = category.parentId;
    while (parentId !== null) {
      categorySubtree.get(parentId)?.add(category.id);
      parentId = categoriesById.get(parentId)?.parentId ?? null;
    }
  }

  const products: Product[] = [];
  const prices = new Map<string, Price>();
  const stock = new Map<string, Stock>();
  const reviewPlans = new Map<string, ReviewPlan>();
  const popularity = new Map<string, number>();
  const productWords = new Map<string, ProductWords>();
  for (let n = 1; n <= PRODUCT_COUNT; n++) {
    const { product, leaf, words } = buildProduct(n, leaves);
    products.push(product);
    productWords.set(product.id, words);
    if (!NO_PRICE.has(product.id)) prices.set(product.id, buildPrice(n, leaf));
    if (!NO_STOCK.has(product.id)) stock.set(product.id, buildStock(n));
    reviewPlans.set(product.id, buildReviewPlan(n));
    popularity.set(product.id, mulberry32(mixSeed(9, n))());
  }

  const customers = buildCustomers();
  return {
    categories,
    categoriesById,
    categorySubtree,
    products,
    productsById: new Map(products.map((p) => [p.id, p])),
    prices,
    stock,
    reviewPlans,
    popularity,
    productWords,
    customers,
    customersById: new Map(customers.map((c) => [c.id, c])),
    carts: buildCarts(prices),
    orders: buildOrders(prices),
  };
}

let cached: SeedData | undefined;

/** The (immutable, memoized) seed. Services clone what they mutate. */
export function getSeed(): SeedData {
  cached ??= generateSeed();
  return cached;
}

/** Seed customers including their dev password (`"password"`), e.g. for an OIDC provider. */
export function getSeedCustomers(): SeedCustomer[] {
  return getSeed().customers.map((c) => ({ ...c }));
}
