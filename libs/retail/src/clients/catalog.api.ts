import { Injectable } from '@nestjs/common';
import { InjectUpstream, isUpstreamError, UpstreamClient } from '@bff/upstream';
import type { Category, CategoryList, ListProductsQuery, Product, ProductPage } from '../retail.types.js';
import { enc, type CallOptions } from './call-options.js';

/** Adapter for the catalog service: products and categories. */
@Injectable()
export class CatalogApi {
  constructor(@InjectUpstream('catalog') private readonly http: UpstreamClient) {}

  /** `GET /products/{id}`; an unknown id rejects with an UpstreamError of kind `not_found`. */
  getProduct(id: string, o: CallOptions = {}): Promise<Product> {
    return this.http.getJson<Product>(`/products/${enc(id)}`, o);
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

  /** `GET /products`: one page (cursor pagination); an invalid cursor or limit rejects (upstream 400). */
  listProducts(query: ListProductsQuery = {}, o: CallOptions = {}): Promise<ProductPage> {
    return this.http.getJson<ProductPage>('/products', { ...o, query });
  }

  /** `GET /categories`: every category (top-level ones have `parentId: null`). */
  async listCategories(o: CallOptions = {}): Promise<Category[]> {
    const list = await this.http.getJson<CategoryList>('/categories', o);
    return list.items;
  }

  /** `GET /categories/{id}`. */
  getCategory(id: string, o: CallOptions = {}): Promise<Category> {
    return this.http.getJson<Category>(`/categories/${enc(id)}`, o);
  }
}
