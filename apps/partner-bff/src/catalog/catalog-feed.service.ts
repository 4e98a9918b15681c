import { Injectable } from '@nestjs/common';

import {
  byProductId,
  CatalogApi,
  InventoryApi,
  mapAvailability,
  mapPrice,
  PricingApi,
  type Price,
  type Product,
  type Stock,
} from '@bff/retail';
import { Aggregator } from '@bff/upstream';

import {
  FEED_AVAILABILITY_FIELDS,
  FEED_PRICE_FIELDS,
  type CatalogChangesDto,
  type CatalogChangesQuery,
  type CatalogFeedDto,
  type CatalogFeedQuery,
  type CatalogLookupDto,
  type FeedItemDto,
} from './catalog-feed.dto.js';

const DEFAULT_LIMIT = 20;

/** The partner feed: a catalogue page, then bulk prices and stock for exactly those items. */
@Injectable()
export class CatalogFeedService {
  constructor(
    private readonly aggregator: Aggregator,
    private readonly catalog: CatalogApi,
    private readonly pricing: PricingApi,
    private readonly inventory: InventoryApi,
  ) {}

  async page(query: CatalogFeedQuery): Promise<CatalogFeedDto> {
    const ids = async (prior: { page: Promise<{ items: { id: string }[] }> }) => (await prior.page).items.map((p) => p.id);
    const { data, degraded } = await this.aggregator
      .plan()
      // A cursor the catalog did not issue is the partner's input: browseProducts makes it a 400 invalid-cursor, not a 502.
      .required('page', (s) => this.catalog.browseProducts({ cursor: query.cursor, limit: query.limit ?? DEFAULT_LIMIT }, s), {
        budgetMs: 1_500,
      })
      .optional('prices', async (s, prior) => this.pricing.getPrices(await ids(prior), s), { budgetMs: 600 })
      .optional('stock', async (s, prior) => this.inventory.getStocks(await ids(prior), s), { budgetMs: 600 })
      .run();

    return {
      items: toFeedItems(data.page.items, data.prices, data.stock),
      nextCursor: data.page.nextCursor,
      meta: { degraded: [...degraded] },
    };
  }

  /**
   * The delta feed: products changed since a date or after a cursor, enriched like the feed (bulk prices and stock
   * for exactly the page's products, degraded to null when those services fail), and the products deleted in the
   * same range (the catalog's tombstones, asked for with includeDeleted). The cursor is the catalog's (updatedAt, id)
   * position, passed through untouched, so it stays valid across later changes.
   */
  async changes(query: CatalogChangesQuery): Promise<CatalogChangesDto> {
    const ids = async (prior: { page: Promise<{ items: { id: string }[] }> }) => (await prior.page).items.map((p) => p.id);
    const { data, degraded } = await this.aggregator
      .plan()
      .required(
        'page',
        (s) =>
          this.catalog.listProductChanges(
            { updatedSince: query.since, cursor: query.cursor, limit: query.limit ?? DEFAULT_LIMIT, includeDeleted: true },
            s,
          ),
        { budgetMs: 1_500 },
      )
      .optional('prices', async (s, prior) => this.pricing.getPrices(await ids(prior), s), { budgetMs: 600 })
      .optional('stock', async (s, prior) => this.inventory.getStocks(await ids(prior), s), { budgetMs: 600 })
      .run();
    const priceById = byProductId(data.prices);
    const stockById = byProductId(data.stock);
    return {
      items: data.page.items.map((product) => ({ ...toFeedItem(product, priceById, stockById), updatedAt: product.updatedAt })),
      deleted: (data.page.deleted ?? []).map((tombstone) => ({ id: tombstone.id, deletedAt: tombstone.deletedAt })),
      nextCursor: data.page.nextCursor,
      hasMore: data.page.hasMore,
      meta: { degraded: [...degraded] },
    };
  }

  /** Feed entries for known ids (a partner re-syncing specific products). */
  async lookup(ids: readonly string[]): Promise<CatalogLookupDto> {
    const { data, degraded } = await this.aggregator
      .plan()
      // One bulk lookup for the whole list (never one call per id), concurrent with the bulk price and stock reads.
      .required('products', (s) => this.catalog.lookupProducts(ids, s), { budgetMs: 1_500 })
      .optional('prices', (s) => this.pricing.getPrices(ids, s), { budgetMs: 600 })
      .optional('stock', (s) => this.inventory.getStocks(ids, s), { budgetMs: 600 })
      .run();
    return {
      items: toFeedItems(data.products.found, data.prices, data.stock),
      notFound: data.products.missing,
      meta: { degraded: [...degraded] },
    };
  }
}

function toFeedItems(products: readonly Product[], prices: readonly Price[] | null, stock: readonly Stock[] | null): FeedItemDto[] {
  const priceById = byProductId(prices);
  const stockById = byProductId(stock);
  return products.map((product) => toFeedItem(product, priceById, stockById));
}

function toFeedItem(product: Product, priceById: ReadonlyMap<string, Price>, stockById: ReadonlyMap<string, Stock>): FeedItemDto {
  return {
    id: product.id,
    sku: product.sku,
    name: product.name,
    brand: product.brand,
    categoryId: product.categoryId,
    price: mapPrice(priceById.get(product.id), FEED_PRICE_FIELDS),
    availability: mapAvailability(stockById.get(product.id), FEED_AVAILABILITY_FIELDS),
  };
}
