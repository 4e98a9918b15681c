import { Injectable } from '@nestjs/common';
import { InjectUpstream, isUpstreamError, type SectionContext, type UpstreamClient } from '@bff/upstream';
import type { Category, Customer, Price, Product, ProductPage, RatingSummary, Recommendation, ReviewPage, Stock } from './retail.types.js';

type CallOptions = Partial<SectionContext>;
const enc = encodeURIComponent;

/** Adapter for the catalog service. */
@Injectable()
export class CatalogApi {
  constructor(@InjectUpstream('catalog') private readonly http: UpstreamClient) {}

  getProduct(id: string, o: CallOptions = {}): Promise<Product> {
    return this.http.getJson(`/products/${enc(id)}`, o);
  }

  /**
   * Fetches several products concurrently (the catalog has no bulk read). Unknown ids are
   * reported in `missing`; any other failure rejects.
   */
  async getProducts(ids: readonly string[], o: CallOptions = {}): Promise<{ found: Product[]; missing: string[] }> {
    const results = await Promise.all(
      ids.map((id) =>
        this.getProduct(id, o).catch((error: unknown) => {
          if (isUpstreamError(error) && error.upstreamStatus === 404) return id;
          throw error;
        }),
      ),
    );
    const found: Product[] = [];
    const missing: string[] = [];
    for (const r of results) {
      if (typeof r === 'string') missing.push(r);
      else found.push(r);
    }
    return { found, missing };
  }

  listProducts(query: { cursor?: string; limit?: number; q?: string; category?: string }, o: CallOptions = {}): Promise<ProductPage> {
    return this.http.getJson('/products', { ...o, query });
  }

  getCategory(id: string, o: CallOptions = {}): Promise<Category> {
    return this.http.getJson(`/categories/${enc(id)}`, o);
  }
}

/** Adapter for the pricing service. */
@Injectable()
export class PricingApi {
  constructor(@InjectUpstream('pricing') private readonly http: UpstreamClient) {}

  getPrice(productId: string, o: CallOptions = {}): Promise<Price> {
    return this.http.getJson(`/prices/${enc(productId)}`, o);
  }

  async getPrices(productIds: readonly string[], o: CallOptions = {}): Promise<Price[]> {
    if (productIds.length === 0) return [];
    const page = await this.http.getJson<{ items: Price[] }>('/prices', { ...o, query: { ids: productIds.join(',') } });
    return page.items;
  }
}

/** Adapter for the inventory service. */
@Injectable()
export class InventoryApi {
  constructor(@InjectUpstream('inventory') private readonly http: UpstreamClient) {}

  getStock(productId: string, o: CallOptions = {}): Promise<Stock> {
    return this.http.getJson(`/stock/${enc(productId)}`, o);
  }

  async getStocks(productIds: readonly string[], o: CallOptions = {}): Promise<Stock[]> {
    if (productIds.length === 0) return [];
    const page = await this.http.getJson<{ items: Stock[] }>('/stock', { ...o, query: { ids: productIds.join(',') } });
    return page.items;
  }
}

/** Adapter for the reviews service. */
@Injectable()
export class ReviewsApi {
  constructor(@InjectUpstream('reviews') private readonly http: UpstreamClient) {}

  listReviews(productId: string, page = 1, pageSize = 10, o: CallOptions = {}): Promise<ReviewPage> {
    return this.http.getJson(`/products/${enc(productId)}/reviews`, { ...o, query: { page, pageSize } });
  }

  getRating(productId: string, o: CallOptions = {}): Promise<RatingSummary> {
    return this.http.getJson(`/products/${enc(productId)}/rating`, o);
  }
}

/** Adapter for the recommendations service. */
@Injectable()
export class RecommendationsApi {
  constructor(@InjectUpstream('recommendations') private readonly http: UpstreamClient) {}

  async forProduct(productId: string, categoryId: string, limit = 5, o: CallOptions = {}): Promise<Recommendation[]> {
    const page = await this.http.getJson<{ items: Recommendation[] }>('/recommendations', { ...o, query: { productId, categoryId, limit } });
    return page.items;
  }
}

/** Adapter for the customers service. */
@Injectable()
export class CustomersApi {
  constructor(@InjectUpstream('customers') private readonly http: UpstreamClient) {}

  getCustomer(id: string, o: CallOptions = {}): Promise<Customer> {
    return this.http.getJson(`/customers/${enc(id)}`, o);
  }
}
