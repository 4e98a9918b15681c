import { Injectable } from '@nestjs/common';

import {
  CatalogApi,
  InventoryApi,
  mapPrice,
  PricingApi,
  ProductCards,
  RecommendationsApi,
  ReviewsApi,
  type ProductCardList,
} from '@bff/retail';
import { Aggregator, type SectionContext } from '@bff/upstream';

import { CARD_PRICE_FIELDS } from '../products/product-card.dto.js';
import type { ProductDetailDto } from './product-detail.dto.js';
import { toScreenCard } from './screen-cards.js';

const FIRST_REVIEWS = 3;
// A phone shows a short carousel; fewer cards keep the answer small.
const RECOMMENDATIONS_COUNT = 4;

/** The mobile product detail: the web product page's fan-out, with tighter budgets and a smaller answer. */
@Injectable()
export class ProductDetailService {
  constructor(
    private readonly aggregator: Aggregator,
    private readonly catalog: CatalogApi,
    private readonly pricing: PricingApi,
    private readonly inventory: InventoryApi,
    private readonly reviews: ReviewsApi,
    private readonly recommendations: RecommendationsApi,
    private readonly cards: ProductCards,
  ) {}

  async get(id: string, options: { readonly description: boolean }): Promise<ProductDetailDto> {
    const { data, degraded, stale } = await this.aggregator
      .plan()
      .required('product', (s) => this.catalog.getProduct(id, s), { budgetMs: 1_000, fallbackKey: `product:${id}` })
      .optional('price', (s) => this.pricing.getPrice(id, s), { budgetMs: 300 })
      .optional('stock', (s) => this.inventory.getStock(id, s), { budgetMs: 300 })
      .optional('rating', (s) => this.reviews.getRating(id, s), { budgetMs: 400 })
      .optional('reviews', (s) => this.reviews.listReviews(id, 1, FIRST_REVIEWS, s), { budgetMs: 400 })
      // Ids, then cards for all of them in one lookup + one bulk price + one bulk stock read (never one call per item).
      .optional('recommendations', async (s, prior) => this.recommendationCards(id, (await prior.product).categoryId, s), {
        budgetMs: 800,
      })
      .run();

    const { product, price, stock, rating, reviews, recommendations } = data;
    const allDegraded = [...degraded, ...(recommendations?.degraded ?? [])];
    return {
      product: {
        id: product.id,
        name: product.name,
        brand: product.brand,
        categoryId: product.categoryId,
        thumbnail: product.thumbnailUrl,
        images: product.images.map((image) => image.url),
        ...(options.description ? { description: product.description } : {}),
      },
      price: mapPrice(price, CARD_PRICE_FIELDS),
      inStock: stock ? stock.inStock : null,
      rating: rating && { average: rating.average, count: rating.count },
      reviews: reviews && {
        items: reviews.items.slice(0, FIRST_REVIEWS).map((review) => ({
          id: review.id,
          author: review.author,
          rating: review.rating,
          title: review.title,
          body: review.body,
          createdAt: review.createdAt,
        })),
        total: reviews.total,
      },
      recommendations: recommendations && recommendations.cards.map(toScreenCard),
      meta: stale.length ? { degraded: allDegraded, stale: [...stale] } : { degraded: allDegraded },
    };
  }

  private async recommendationCards(id: string, categoryId: string, section: SectionContext): Promise<ProductCardList> {
    const related = await this.recommendations.forProduct(id, categoryId, RECOMMENDATIONS_COUNT, section);
    const ids = related.map((r) => r.productId).filter((productId) => productId !== id);
    return this.cards.forIds(ids, { ...section, section: 'recommendations' });
  }
}
