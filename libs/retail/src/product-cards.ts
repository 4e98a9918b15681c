import { Injectable } from '@nestjs/common';

import { Aggregator, type DegradedSection, type SectionContext } from '@bff/upstream';

import type { CallOptions } from './clients/call-options.js';
import { CatalogApi, LOOKUP_MAX_IDS } from './clients/catalog.api.js';
import { InventoryApi } from './clients/inventory.api.js';
import { PricingApi } from './clients/pricing.api.js';
import { byProductId, mapPrice, type PriceFields } from './retail.mappers.js';
import type { Price, Product, Stock } from './retail.types.js';

/** The price fields a card shows (in response order). */
export const CARD_PRICE_FIELDS = ['currency', 'amount', 'listAmount', 'discountPct'] as const satisfies readonly (keyof PriceFields)[];

/** A product as list screens show it. `price` and `inStock` are null when unknown (see ProductCardList.degraded). */
export interface ProductCard {
  readonly id: string;
  readonly name: string;
  readonly thumbnail: string;
  readonly price: Pick<PriceFields, (typeof CARD_PRICE_FIELDS)[number]> | null;
  readonly inStock: boolean | null;
}

export interface ProductCardList {
  /** One card per known product, in the order asked for. */
  readonly cards: ProductCard[];
  /** Ids the catalog does not know (forIds only). */
  readonly missing: string[];
  /** `<section>-price` / `<section>-stock` when that enrichment failed: every card's price / inStock is then null. */
  readonly degraded: DegradedSection[];
}

export interface ProductCardOptions extends CallOptions {
  /**
   * Prefix of the enrichments' section names in `degraded` (`<section>-price`, `<section>-stock`), so a page
   * with several card lists tells them apart. Default `cards`.
   */
  readonly section?: string;
  /** Read stock too (default true). A list that shows no availability skips the bulk stock read; `inStock` is then null. */
  readonly stock?: boolean;
}

/** Most cards one call builds: the catalog, pricing and inventory bulk reads take at most this many ids. */
export const MAX_CARDS = LOOKUP_MAX_IDS;

const LOOKUP_BUDGET_MS = 1_000;
const ENRICHMENT_BUDGET_MS = 400;

/**
 * Product cards (id, name, thumbnail, price, in stock) for any list screen, in a fixed number of upstream
 * calls whatever the list's length: one catalog lookup (forIds), one bulk price read and one bulk stock read,
 * all concurrent. The products are required (a lookup failure rejects with its coded error); price and
 * stock are optional and degrade to null, reported in `degraded`.
 *
 * Provided by RetailModule when the app declares catalog, pricing and inventory.
 */
@Injectable()
export class ProductCards {
  constructor(
    private readonly aggregator: Aggregator,
    private readonly catalog: CatalogApi,
    private readonly pricing: PricingApi,
    private readonly inventory: InventoryApi,
  ) {}

  /** Cards for product ids (duplicates collapse; unknown ids are listed in `missing`). */
  async forIds(ids: readonly string[], options: ProductCardOptions = {}): Promise<ProductCardList> {
    const unique = [...new Set(ids)];
    checkSize(unique.length);
    if (unique.length === 0) return { cards: [], missing: [], degraded: [] };
    const section = options.section ?? 'cards';
    const { data, degraded } = await this.aggregator
      .plan()
      .required('products', (s) => this.catalog.lookupProducts(unique, within(s, options)), { budgetMs: LOOKUP_BUDGET_MS })
      .optional(`${section}-price`, (s) => this.pricing.getPrices(unique, within(s, options)), { budgetMs: ENRICHMENT_BUDGET_MS })
      .optional(`${section}-stock`, async (s) => (options.stock === false ? null : this.inventory.getStocks(unique, within(s, options))), {
        budgetMs: ENRICHMENT_BUDGET_MS,
      })
      .run();
    const prices = data[`${section}-price`];
    const stock = data[`${section}-stock`];
    return { cards: toCards(data.products.found, prices, stock), missing: data.products.missing, degraded: [...degraded] };
  }

  /** Cards for products the caller already has (e.g. a catalog listing page): only price and stock are fetched. */
  async forProducts(products: readonly Product[], options: ProductCardOptions = {}): Promise<ProductCardList> {
    const ids = [...new Set(products.map((product) => product.id))];
    checkSize(ids.length);
    if (ids.length === 0) return { cards: [], missing: [], degraded: [] };
    const section = options.section ?? 'cards';
    const { data, degraded } = await this.aggregator
      .plan()
      .optional(`${section}-price`, (s) => this.pricing.getPrices(ids, within(s, options)), { budgetMs: ENRICHMENT_BUDGET_MS })
      .optional(`${section}-stock`, async (s) => (options.stock === false ? null : this.inventory.getStocks(ids, within(s, options))), {
        budgetMs: ENRICHMENT_BUDGET_MS,
      })
      .run();
    return { cards: toCards(products, data[`${section}-price`], data[`${section}-stock`]), missing: [], degraded: [...degraded] };
  }
}

function checkSize(count: number): void {
  if (count > MAX_CARDS) throw new RangeError(`ProductCards builds at most ${MAX_CARDS} cards per call, got ${count}`);
}

function toCards(products: readonly Product[], prices: readonly Price[] | null, stock: readonly Stock[] | null): ProductCard[] {
  const priceById = byProductId(prices);
  const stockById = byProductId(stock);
  return products.map((product) => ({
    id: product.id,
    name: product.name,
    thumbnail: product.thumbnailUrl,
    price: mapPrice(priceById.get(product.id), CARD_PRICE_FIELDS),
    inStock: stockById.get(product.id)?.inStock ?? null,
  }));
}

/**
 * The call options of an inner section when the caller runs inside a section of its own (a page's fan-out):
 * aborted by either, bounded by the earlier deadline.
 */
function within(inner: SectionContext, outer: CallOptions): CallOptions {
  const signal = outer.signal ? AbortSignal.any([inner.signal, outer.signal]) : inner.signal;
  const deadlines = [inner.deadline, outer.deadline].filter((deadline): deadline is number => deadline !== undefined);
  return deadlines.length ? { signal, deadline: Math.min(...deadlines) } : { signal };
}
