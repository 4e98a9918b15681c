import { Injectable } from '@nestjs/common';

import { InjectUpstream, UpstreamClient } from '@bff/upstream';

import type { ListRecommendationsQuery, Recommendation, RecommendationList } from '../retail.types.js';
import type { CallOptions } from './call-options.js';

/** Adapter for the recommendations service. */
@Injectable()
export class RecommendationsApi {
  constructor(@InjectUpstream('recommendations') private readonly http: UpstreamClient) {}

  /**
   * `GET /recommendations`, best first: with `productId`, products similar to it (never itself); with
   * `categoryId`, popular products of that category subtree; with neither, popular products overall.
   * An unknown product or category rejects with kind `not_found`.
   */
  async listRecommendations(query: ListRecommendationsQuery = {}, options: CallOptions = {}): Promise<Recommendation[]> {
    const list = await this.http.getJson<RecommendationList>('/recommendations', { ...options, query });
    return list.items;
  }

  /** Recommendations for a product page: similar products within the product's category. */
  forProduct(productId: string, categoryId: string, limit = 5, options: CallOptions = {}): Promise<Recommendation[]> {
    return this.listRecommendations({ productId, categoryId, limit }, options);
  }
}
