import { Injectable } from '@nestjs/common';

import {
  CatalogApi,
  InventoryApi,
  mapAvailability,
  mapPrice,
  pageOfReviews,
  PricingApi,
  ProductCards,
  RecommendationsApi,
  ReviewsApi,
  type ProductCardList,
  type Review,
} from '@bff/retail';
import { Aggregator, type SectionContext } from '@bff/upstream';

import {
  PAGE_AVAILABILITY_FIELDS,
  PAGE_PRICE_FIELDS,
  type PageReviewDto,
  type ProductPageDto,
  type ReviewsPageDto,
  type ReviewsQuery,
} from './product-page.dto.js';

const FIRST_REVIEWS_PAGE_SIZE = 5;
const RECOMMENDATIONS_COUNT = 6;
const DEFAULT_REVIEWS_LIMIT = 10;

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
    private readonly cards: ProductCards,
  ) {}

  async get(id: string): Promise<ProductPageDto> {
    const { data, degraded, stale } = await this.aggregator
      .plan()
      .required('product', (s) => this.catalog.getProduct(id, s), { budgetMs: 1_500, fallbackKey: `product:${id}` })
      .optional('price', (s) => this.pricing.getPrice(id, s), { budgetMs: 400 })
      .optional('stock', (s) => this.inventory.getStock(id, s), { budgetMs: 400 })
      .optional('rating', (s) => this.reviews.getRating(id, s), { budgetMs: 500 })
      .optional('reviews', (s) => this.reviews.listReviews(id, 1, FIRST_REVIEWS_PAGE_SIZE, s), { budgetMs: 500 })
      // Ids, then cards for all of them in one lookup + one bulk price + one bulk stock read (never one call per item).
      .optional('recommendations', async (s, prior) => this.recommendationCards(id, (await prior.product).categoryId, s), {
        budgetMs: 1_000,
      })
      .run();

    const { product, price, stock, rating, reviews, recommendations } = data;
    const allDegraded = [...degraded, ...(recommendations?.degraded ?? [])];
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
        items: reviews.items.map(toReview),
        total: reviews.total,
        page: reviews.page,
        pageSize: reviews.pageSize,
      },
      recommendations: recommendations && recommendations.cards,
      meta: stale.length ? { degraded: allDegraded, stale: [...stale] } : { degraded: allDegraded },
    };
  }

  /** One page of a product's reviews; an unknown product is a 404, a foreign cursor a 400. */
  async reviewsPage(id: string, query: ReviewsQuery): Promise<ReviewsPageDto> {
    const { data } = await this.aggregator
      .plan()
      .required('reviews', (s) => pageOfReviews(this.reviews, id, { ...query, defaultLimit: DEFAULT_REVIEWS_LIMIT }, s), {
        budgetMs: 1_000,
      })
      .run();
    return { items: data.reviews.items.map(toReview), total: data.reviews.total, nextCursor: data.reviews.nextCursor };
  }

  private async recommendationCards(id: string, categoryId: string, section: SectionContext): Promise<ProductCardList> {
    const related = await this.recommendations.forProduct(id, categoryId, RECOMMENDATIONS_COUNT, section);
    const ids = related.map((r) => r.productId).filter((productId) => productId !== id);
    return this.cards.forIds(ids, { ...section, section: 'recommendations' });
  }
}

function toReview(review: Review): PageReviewDto {
  return {
    id: review.id,
    author: review.author,
    rating: review.rating,
    title: review.title,
    body: review.body,
    createdAt: review.createdAt,
  };
}
