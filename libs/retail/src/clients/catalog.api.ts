import { Injectable } from '@nestjs/common';

import { InjectUpstream, isUpstreamError, UpstreamClient } from '@bff/upstream';

import type { Category, CategoryList, ListProductsQuery, Product, ProductPage } from '../retail.types.js';
import { enc, type CallOptions } from './call-options.js';

/** Adapter for the catalog service: products and categories. */
@Injectable()
export class CatalogApi {
  constructor(@InjectUpstream('catalog') private readonly http: UpstreamClient) {}

  /** `GET /products/{id}`; an unknown id rejects with an UpstreamError of kind `not_found`. */
  getProduct(id: string, options: CallOptions = {}): Promise<Product> {
    return this.http.getJson<Product>(`/products/${enc(id)}`, options);
  }

  /**
   * Fetches several products concurrently (the catalog has no bulk read). Unknown ids are
   * reported in `missing`; any other failure rejects.
   */
  async getProducts(ids: readonly string[], options: CallOptions = {}): Promise<{ found: Product[]; missing: string[] }> {
    const results = await Promise.all(
      ids.map((id) =>
        this.getProduct(id, options).catch((error: unknown) => {
          if (isUpstreamError(error) && error.upstreamStatus === 404) return id;
          throw error;
        }),
      ),
    );
    const found: Product[] = [];
    const missing: string[] = [];
    for (const result of results) {
      if (typeof result === 'string') missing.push(result);
      else found.push(result);
    }
    return { found, missing };
  }

  /** `GET /products`: one page (cursor pagination); an invalid cursor or limit rejects (upstream 400). */
  listProducts(query: ListProductsQuery = {}, options: CallOptions = {}): Promise<ProductPage> {
    return this.http.getJson<ProductPage>('/products', { ...options, query });
  }

  /** `GET /categories`: every category (top-level ones have `parentId: null`). */
  async listCategories(options: CallOptions = {}): Promise<Category[]> {
    const list = await this.http.getJson<CategoryList>('/categories', options);
    return list.items;
  }

  /** `GET /categories/{id}`. */
  getCategory(id: string, options: CallOptions = {}): Promise<Category> {
    return this.http.getJson<Category>(`/categories/${enc(id)}`, options);
  }
}
