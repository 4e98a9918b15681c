import { Injectable } from '@nestjs/common';

import { InjectUpstream, isUpstreamError, UpstreamClient } from '@bff/upstream';

import type {
  Category,
  CategoryList,
  FeaturedList,
  ListProductsQuery,
  Product,
  ProductChanges,
  ProductChangesQuery,
  ProductPage,
} from '../retail.types.js';
import { enc, type CallOptions } from './call-options.js';

/** Most ids the catalog's bulk lookup accepts (and the pricing and inventory bulk reads). */
export const LOOKUP_MAX_IDS = 100;

/** Adapter for the catalog service: products and categories. */
@Injectable()
export class CatalogApi {
  constructor(@InjectUpstream('catalog') private readonly http: UpstreamClient) {}

  /** `GET /products/{id}`; an unknown id rejects with an UpstreamError of kind `not_found`. */
  getProduct(id: string, options: CallOptions = {}): Promise<Product> {
    return this.http.getJson<Product>(`/products/${enc(id)}`, options);
  }

  /**
   * Fetches several products concurrently, one `GET /products/{id}` each (lookupProducts is the single
   * bulk call). Unknown ids are reported in `missing`; any other failure rejects.
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

  /**
   * `GET /products?ids=`: one bulk lookup of at most LOOKUP_MAX_IDS distinct ids. The known products come
   * back in request order; unknown ids are reported in `missing`.
   */
  async lookupProducts(ids: readonly string[], options: CallOptions = {}): Promise<{ found: Product[]; missing: string[] }> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return { found: [], missing: [] };
    if (unique.length > LOOKUP_MAX_IDS) throw new RangeError(`lookupProducts takes at most ${LOOKUP_MAX_IDS} ids, got ${unique.length}`);
    const page = await this.http.getJson<ProductPage>('/products', { ...options, query: { ids: unique.join(',') } });
    const known = new Set(page.items.map((product) => product.id));
    return { found: page.items, missing: unique.filter((id) => !known.has(id)) };
  }

  /** `GET /products`: one page (cursor pagination); an invalid cursor or limit rejects (upstream 400). */
  listProducts(query: ListProductsQuery = {}, options: CallOptions = {}): Promise<ProductPage> {
    return this.http.getJson<ProductPage>('/products', { ...options, query });
  }

  /**
   * `GET /products` for a client's listing or feed: the same page, but a cursor or limit the catalog rejects
   * (upstream 400) is the client's input, so it rejects with kind `bad_request` and code INVALID_CURSOR, not a 502.
   */
  async browseProducts(query: ListProductsQuery, options: CallOptions = {}): Promise<ProductPage> {
    try {
      return await this.listProducts(query, options);
    } catch (error) {
      if (isUpstreamError(error) && error.upstreamStatus === 400) {
        throw error.remap('bad_request', 'INVALID_CURSOR', 'The cursor is invalid or has expired; restart from the first page.');
      }
      throw error;
    }
  }

  /**
   * `GET /products/changes`: one page of the change feed, products by (updatedAt, id) from `updatedSince` or after
   * `cursor`; with `includeDeleted: true` also the deleted products, as tombstones (`deleted`: `{ id, deletedAt }`) at
   * their position. `nextCursor` is always set (the position after the page), so a caller resumes or polls from it. A
   * cursor or date the catalog rejects (upstream 400) is the caller's input: kind `bad_request`, code INVALID_CURSOR.
   */
  async listProductChanges(query: ProductChangesQuery, options: CallOptions = {}): Promise<ProductChanges> {
    try {
      return await this.http.getJson<ProductChanges>('/products/changes', { ...options, query });
    } catch (error) {
      if (isUpstreamError(error) && error.upstreamStatus === 400) {
        throw error.remap('bad_request', 'INVALID_CURSOR', 'The cursor is invalid; resume from a nextCursor this API returned.');
      }
      throw error;
    }
  }

  /** `GET /featured`: the merchandised products of the home page, in display order (limit 1..48). */
  async listFeatured(limit: number, options: CallOptions = {}): Promise<Product[]> {
    const list = await this.http.getJson<FeaturedList>('/featured', { ...options, query: { limit } });
    return list.items;
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
