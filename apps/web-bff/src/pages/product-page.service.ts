import { Injectable } from '@nestjs/common';

import { CatalogApi, InventoryApi, mapAvailability, mapPrice, PricingApi, RecommendationsApi, ReviewsApi } from '@bff/retail';
import { Aggregator } from '@bff/upstream';

import { PAGE_AVAILABILITY_FIELDS, PAGE_PRICE_FIELDS, type ProductPageDto } from './product-page.dto.js';

const FIRST_REVIEWS_PAGE_SIZE = 5;

/** Composes the SPA's product page from five services in one concurrent fan-out. */
@Injectable()
export class ProductPageService {
  constructor(
    private readonly aggregator: Aggregator,
    private readonly catalog: CatalogApi,
    private readonly pricing: PricingApi,
    private readonly inventory: InventoryApi,
    private readonly reviews: ReviewsApi,
    private readonly recommendations: RecommendationsApi,
  ) {}

  async get(id: string): Promise<ProductPageDto> {
    const { data, degraded, stale } = await this.aggregator
      .plan()
      .required('product', (s) => this.catalog.getProduct(id, s), { budgetMs: 1_500, fallbackKey: `product:${id}` })
      .optional('price', (s) => this.pricing.getPrice(id, s), { budgetMs: 400 })
      .optional('stock', (s) => this.inventory.getStock(id, s), { budgetMs: 400 })
      .optional('rating', (s) => this.reviews.getRating(id, s), { budgetMs: 500 })
      .optional('reviews', (s) => this.reviews.listReviews(id, 1, FIRST_REVIEWS_PAGE_SIZE, s), { budgetMs: 500 })
      .optional('recommendations', async (s, prior) => this.recommendations.forProduct(id, (await prior.product).categoryId, 6, s), {
        budgetMs: 600,
      })
      .run();

    const { product, price, stock, rating, reviews, recommendations } = data;
    return {
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
      price: mapPrice(price, PAGE_PRICE_FIELDS),
      availability: mapAvailability(stock, PAGE_AVAILABILITY_FIELDS),
      rating: rating && { average: rating.average, count: rating.count, histogram: rating.histogram },
      reviews: reviews && {
        items: reviews.items.map((review) => ({
          id: review.id,
          author: review.author,
          rating: review.rating,
          title: review.title,
          body: review.body,
          createdAt: review.createdAt,
        })),
        total: reviews.total,
        page: reviews.page,
        pageSize: reviews.pageSize,
      },
      recommendations: recommendations && recommendations.filter((r) => r.productId !== id),
      meta: stale.length ? { degraded: [...degraded], stale: [...stale] } : { degraded: [...degraded] },
    };
  }
}
