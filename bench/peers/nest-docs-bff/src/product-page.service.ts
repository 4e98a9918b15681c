import { HttpService } from '@nestjs/axios';
import { BadGatewayException, GatewayTimeoutException, Injectable, NotFoundException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { isAxiosError } from 'axios';
import { firstValueFrom } from 'rxjs';

interface Product {
  id: string;
  thumbnailUrl: string;
  sku: string;
  name: string;
  description: string;
  brand: string;
  categoryId: string;
  images: { url: string; alt: string }[];
  attributes: Record<string, string>;
}
interface Price {
  productId?: string;
  currency: string;
  amount: number;
  listAmount: number;
  discountPct: number;
}
interface Stock {
  productId?: string;
  inStock: boolean;
  available: number;
  restockDate: string | null;
}
interface Rating {
  average: number;
  count: number;
  histogram: Record<string, number>;
}
interface Review {
  id: string;
  author: string;
  rating: number;
  title: string;
  body: string;
  createdAt: string;
}
interface ReviewPage {
  items: Review[];
  total: number;
  page: number;
  pageSize: number;
}
interface Recommendation {
  productId: string;
  score: number;
}
interface Card {
  id: string;
  name: string;
  thumbnail: string;
  price: Price | null;
  inStock: boolean | null;
}
interface DegradedSection {
  section: string;
  reason: string;
}

function reasonOf(error: unknown): string {
  if (!isAxiosError(error)) return 'error';
  if (error.response?.status === 404) return 'not_found';
  return error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT' ? 'timeout' : 'upstream_error';
}

/** The required product failed: the whole page fails with Nest's HTTP exception for it. */
function productFailure(id: string, error: unknown): Error {
  if (isAxiosError(error) && error.response?.status === 404) return new NotFoundException(`product ${id} not found`);
  if (reasonOf(error) === 'timeout') return new GatewayTimeoutException('catalog timed out');
  return new BadGatewayException('catalog failed');
}

/**
 * The product page as the NestJS docs teach a BFF: HttpService calls run together with Promise.all, the
 * optional ones caught to null. Same upstream calls and JSON as web-bff's ProductPageService, without its
 * resilience layer (no per-section budget, retry, breaker, bulkhead, deadline or header propagation).
 */
@Injectable()
export class ProductPageService {
  private readonly catalog: string;
  private readonly pricing: string;
  private readonly inventory: string;
  private readonly reviews: string;
  private readonly recommendations: string;

  constructor(
    private readonly http: HttpService,
    config: ConfigService,
  ) {
    this.catalog = config.getOrThrow<string>('UPSTREAM_CATALOG_URL');
    this.pricing = config.getOrThrow<string>('UPSTREAM_PRICING_URL');
    this.inventory = config.getOrThrow<string>('UPSTREAM_INVENTORY_URL');
    this.reviews = config.getOrThrow<string>('UPSTREAM_REVIEWS_URL');
    this.recommendations = config.getOrThrow<string>('UPSTREAM_RECOMMENDATIONS_URL');
  }

  private async fetch<T>(url: string, params?: Record<string, string | number>): Promise<T> {
    const response = await firstValueFrom(this.http.get<T>(url, { params }));
    return response.data;
  }

  /** Cards for ids: one bulk lookup, one bulk price and one bulk stock read, together; price and stock optional. */
  private async cards(ids: string[], optional: <T>(section: string, call: Promise<T>) => Promise<T | null>): Promise<Card[]> {
    if (ids.length === 0) return [];
    const joined = ids.join(',');
    const [products, prices, stock] = await Promise.all([
      this.fetch<{ items: Product[] }>(`${this.catalog}/products`, { ids: joined }),
      optional('recommendations-price', this.fetch<{ items: Price[] }>(`${this.pricing}/prices`, { ids: joined })),
      optional('recommendations-stock', this.fetch<{ items: Stock[] }>(`${this.inventory}/stock`, { ids: joined })),
    ]);
    const priceById = new Map((prices?.items ?? []).map((price) => [price.productId, price]));
    const stockById = new Map((stock?.items ?? []).map((level) => [level.productId, level]));
    return products.items.map((product) => {
      const price = priceById.get(product.id);
      return {
        id: product.id,
        name: product.name,
        thumbnail: product.thumbnailUrl,
        price: price
          ? { currency: price.currency, amount: price.amount, listAmount: price.listAmount, discountPct: price.discountPct }
          : null,
        inStock: stockById.get(product.id)?.inStock ?? null,
      };
    });
  }

  async get(id: string) {
    const path = encodeURIComponent(id);
    const degraded: DegradedSection[] = [];
    const optional = <T>(section: string, call: Promise<T>): Promise<T | null> =>
      call.catch((error: unknown) => {
        degraded.push({ section, reason: reasonOf(error) });
        return null;
      });

    const productCall = this.fetch<Product>(`${this.catalog}/products/${path}`);
    const [product, price, stock, rating, reviews, recommendations] = await Promise.all([
      productCall,
      optional('price', this.fetch<Price>(`${this.pricing}/prices/${path}`)),
      optional('stock', this.fetch<Stock>(`${this.inventory}/stock/${path}`)),
      optional('rating', this.fetch<Rating>(`${this.reviews}/products/${path}/rating`)),
      optional('reviews', this.fetch<ReviewPage>(`${this.reviews}/products/${path}/reviews`, { page: 1, pageSize: 5 })),
      optional(
        'recommendations',
        productCall.then(async (found) => {
          const related = await this.fetch<{ items: Recommendation[] }>(`${this.recommendations}/recommendations`, {
            productId: id,
            categoryId: found.categoryId,
            limit: 6,
          });
          return this.cards(
            related.items.map((item) => item.productId).filter((productId) => productId !== id),
            optional,
          );
        }),
      ),
    ]).catch((error: unknown) => {
      throw productFailure(id, error);
    });

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
      price: price && { currency: price.currency, amount: price.amount, listAmount: price.listAmount, discountPct: price.discountPct },
      availability: stock && { inStock: stock.inStock, available: stock.available, restockDate: stock.restockDate },
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
      recommendations,
      meta: { degraded },
    };
  }
}
