import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { DEV_PASSWORD, getSeedCustomers, KNOWN_IDS, SERVICE_NAMES } from '../src/index.ts';
import { getSeed } from '../src/seed/data.ts';

const dataModule = fileURLToPath(new URL('../src/seed/data.ts', import.meta.url));

function digest(value: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(value, (_key, v: unknown) => (v instanceof Map ? [...v] : v instanceof Set ? [...v] : v)))
    .digest('hex');
}

describe('deterministic seed', () => {
  it('is identical in a fresh process', () => {
    const script = `
      import { createHash } from 'node:crypto';
      import { getSeed } from ${JSON.stringify(dataModule)};
      const replacer = (_k, v) => (v instanceof Map ? [...v] : v instanceof Set ? [...v] : v);
      process.stdout.write(createHash('sha256').update(JSON.stringify(getSeed(), replacer)).digest('hex'));
    `;
    const other = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(other).toBe(digest(getSeed()));
  });

  it('has the documented volume', () => {
    const seed = getSeed();
    expect(seed.products).toHaveLength(1200);
    expect(seed.products[0]?.id).toBe('p-00001');
    expect(seed.products.at(-1)?.id).toBe('p-01200');
    expect(seed.categories).toHaveLength(24);
    expect(seed.customers).toHaveLength(200);
    const reviewCounts = [...seed.reviewPlans.values()].map((p) => p.count);
    expect(Math.min(...reviewCounts)).toBe(0);
    expect(Math.max(...reviewCounts)).toBeLessThanOrEqual(40);
    expect(reviewCounts.filter((c) => c === 0).length).toBeGreaterThan(10);
    expect([...seed.stock.values()].filter((s) => !s.inStock).length).toBeGreaterThan(20);
    expect(seed.orders.length).toBeGreaterThan(100);
    const leaves = new Set(seed.products.map((p) => p.categoryId));
    expect(leaves.size).toBe(18);
  });

  it('matches KNOWN_IDS', () => {
    const seed = getSeed();
    expect([...seed.productsById.keys()].filter((id) => !seed.prices.has(id)).sort()).toEqual([...KNOWN_IDS.productsWithoutPrice]);
    expect([...seed.productsById.keys()].filter((id) => !seed.stock.has(id)).sort()).toEqual([...KNOWN_IDS.productsWithoutStock]);
    expect(seed.stock.get(KNOWN_IDS.productOutOfStock)?.inStock).toBe(false);
    expect(seed.stock.get(KNOWN_IDS.product)?.inStock).toBe(true);
    expect(seed.reviewPlans.get(KNOWN_IDS.productNoReviews)?.count).toBe(0);
    expect(seed.reviewPlans.get(KNOWN_IDS.product)?.count).toBeGreaterThan(0);
    expect(seed.productsById.has(KNOWN_IDS.productUnknown)).toBe(false);
    expect(seed.categoriesById.get(KNOWN_IDS.leafCategory)?.parentId).toBe(KNOWN_IDS.category);
    expect(seed.customersById.get(KNOWN_IDS.customerPlatinum)?.tier).toBe('platinum');
    expect(seed.carts.map((c) => c.id)).toContain(KNOWN_IDS.cart);
    expect(seed.carts.map((c) => c.id)).not.toContain(KNOWN_IDS.cartNotCreated);
    expect(seed.orders[0]).toMatchObject({ id: KNOWN_IDS.order, customerId: KNOWN_IDS.customer });
    expect(SERVICE_NAMES).toEqual(['catalog', 'pricing', 'inventory', 'reviews', 'recommendations', 'customers', 'carts', 'orders']);
  });

  it('exports seed customers with the dev password (for an OIDC provider)', () => {
    const customers = getSeedCustomers();
    expect(customers).toHaveLength(200);
    expect(customers[0]).toMatchObject({ id: 'c-0001', email: 'alice@example.com', password: 'password' });
    expect(customers.every((c) => c.password === DEV_PASSWORD)).toBe(true);
    expect(new Set(customers.map((c) => c.email)).size).toBe(200);
    // Returns copies: callers cannot corrupt the seed.
    const [first] = customers;
    if (first === undefined) throw new Error('no customers');
    first.email = 'mallory@example.com';
    expect(getSeedCustomers()[0]?.email).toBe('alice@example.com');
  });
});
