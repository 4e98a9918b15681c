import { Injectable } from '@nestjs/common';

import {
  CatalogApi,
  InventoryApi,
  pageOfReviews,
  PricingApi,
  ProductCards,
  RecommendationsApi,
  ReviewsApi,
  type ProductCardList,
} from '@bff/retail';
import { Aggregator, type SectionContext } from '@bff/upstream';

import { excerpt, imageRefs } from './image-refs.js';
import { REVIEW_EXCERPT_MAX, type ProductDetailDto } from './product-detail.dto.js';
import { REVIEWS_DEFAULT_LIMIT, type ProductReviewsPageDto, type ProductReviewsQuery } from './product-reviews.dto.js';

const FIRST_REVIEWS = 2;
// A phone shows about two and a half cards of the carousel: three, and "more" on the web or a listing.
const RECOMMENDATIONS_COUNT = 3;

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
    const cards = recommendations?.cards ?? [];
    const images = imageRefs([...product.images.map((image) => image.url), ...cards.map((card) => card.thumbnail)]);
    // Amounts are sent bare, in the answer's one currency; a card priced otherwise names its own.
    const currency = price?.currency ?? cards.find((card) => card.price)?.price?.currency;
    return {
      ...(images.base ? { imageBase: images.base } : {}),
      ...(currency ? { currency } : {}),
      product: {
        id: product.id,
        name: product.name,
        brand: product.brand,
        images: product.images.map((image) => images.ref(image.url)),
        ...(options.description ? { description: product.description } : {}),
      },
      price: price ? price.amount : null,
      inStock: stock ? stock.inStock : null,
      rating: rating && { average: rating.average, count: rating.count },
      reviews: reviews && {
        items: reviews.items.slice(0, FIRST_REVIEWS).map((review) => ({
          author: review.author,
          rating: review.rating,
          title: review.title,
          excerpt: excerpt(review.body, REVIEW_EXCERPT_MAX),
          date: review.createdAt.slice(0, 10),
        })),
        total: reviews.total,
      },
      recommendations:
        recommendations &&
        cards.map((card) => ({
          id: card.id,
          name: card.name,
          thumbnail: images.ref(card.thumbnail),
          price: card.price ? card.price.amount : null,
          ...(card.price && card.price.currency !== currency ? { currency: card.price.currency } : {}),
        })),
      meta: stale.length ? { degraded: allDegraded, stale: [...stale] } : { degraded: allDegraded },
    };
  }

  /** Whole reviews, cursor-paged (the detail sends excerpts of the first ones). */
  async reviewsPage(id: string, query: ProductReviewsQuery): Promise<ProductReviewsPageDto> {
    const { data } = await this.aggregator
      .plan()
      .required('reviews', (s) => pageOfReviews(this.reviews, id, { ...query, defaultLimit: REVIEWS_DEFAULT_LIMIT }, s), {
        budgetMs: 1_000,
      })
      .run();
    return {
      items: data.reviews.items.map((review) => ({
        id: review.id,
        author: review.author,
        rating: review.rating,
        title: review.title,
        body: review.body,
        date: review.createdAt.slice(0, 10),
      })),
      total: data.reviews.total,
      nextCursor: data.reviews.nextCursor,
    };
  }

  private async recommendationCards(id: string, categoryId: string, section: SectionContext): Promise<ProductCardList> {
    const related = await this.recommendations.forProduct(id, categoryId, RECOMMENDATIONS_COUNT, section);
    const ids = related.map((r) => r.productId).filter((productId) => productId !== id);
    // The carousel shows no availability: no stock read for it.
    return this.cards.forIds(ids, { ...section, section: 'recommendations', stock: false });
  }
}
