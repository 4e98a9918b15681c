import { Injectable } from '@nestjs/common';

import {
  byProductId,
  CatalogApi,
  InventoryApi,
  mapAvailability,
  mapPrice,
  PricingApi,
  ReviewsApi,
  type Price,
  type Product,
  type RatingSummary,
  type Stock,
} from '@bff/retail';
import { Aggregator } from '@bff/upstream';

import { CARD_PRICE_FIELDS, type ProductCardDto, type ProductCardListDto } from './product-card.dto.js';

/** Builds the compact mobile card: small payload, tight budgets. */
@Injectable()
export class ProductCardService {
  constructor(
    private readonly aggregator: Aggregator,
    private readonly catalog: CatalogApi,
    private readonly pricing: PricingApi,
    private readonly inventory: InventoryApi,
    private readonly reviews: ReviewsApi,
  ) {}

  async get(id: string): Promise<ProductCardDto> {
    const { data, degraded } = await this.aggregator
      .plan()
      .required('product', (s) => this.catalog.getProduct(id, s), { budgetMs: 1_000 })
      .optional('price', (s) => this.pricing.getPrice(id, s), { budgetMs: 300 })
      .optional('stock', (s) => this.inventory.getStock(id, s), { budgetMs: 300 })
      .optional('rating', (s) => this.reviews.getRating(id, s), { budgetMs: 300 })
      .run();
    return { ...toCard(data.product, data.price, data.stock, data.rating), meta: { degraded: [...degraded] } };
  }

  /** Cards for a list screen: one bulk product lookup, prices and stock in two bulk calls, all concurrent. */
  async list(ids: readonly string[]): Promise<ProductCardListDto> {
    const { data, degraded } = await this.aggregator
      .plan()
      // One bulk lookup for the whole list (never one call per id), concurrent with the bulk price and stock reads.
      .required('products', (s) => this.catalog.lookupProducts(ids, s), { budgetMs: 1_500 })
      .optional('prices', (s) => this.pricing.getPrices(ids, s), { budgetMs: 500 })
      .optional('stock', (s) => this.inventory.getStocks(ids, s), { budgetMs: 500 })
      .run();
    const prices = byProductId(data.prices);
    const stock = byProductId(data.stock);
    const items = data.products.found.map((product) => ({
      ...toCard(product, prices.get(product.id), stock.get(product.id), null),
      meta: { degraded: [] },
    }));
    return { items, notFound: data.products.missing, meta: { degraded: [...degraded] } };
  }
}

function toCard(
  product: Product,
  price: Price | null | undefined,
  stock: Stock | null | undefined,
  rating: RatingSummary | null,
): Omit<ProductCardDto, 'meta'> {
  return {
    id: product.id,
    name: product.name,
    thumbnail: product.thumbnailUrl,
    price: mapPrice(price, CARD_PRICE_FIELDS),
    inStock: mapAvailability(stock, ['inStock'])?.inStock ?? null,
    rating: rating ? rating.average : null,
  };
}
