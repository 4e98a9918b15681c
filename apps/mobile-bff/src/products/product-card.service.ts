import { Injectable } from '@nestjs/common';
import { CatalogApi, InventoryApi, PricingApi, ReviewsApi } from '@bff/retail';
import { Aggregator } from '@bff/upstream';
import type { ProductCardDto } from './product-card.dto.js';

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
    const { product, price, stock, rating } = data;
    return {
      id: product.id,
      name: product.name,
      thumbnail: product.thumbnailUrl,
      price: price && { amount: price.amount, currency: price.currency },
      inStock: stock ? stock.inStock : null,
      rating: rating ? rating.average : null,
      meta: { degraded: [...degraded] },
    };
  }
}
