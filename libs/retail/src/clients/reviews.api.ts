import { Injectable } from '@nestjs/common';

import { InjectUpstream, UpstreamClient } from '@bff/upstream';

import type { ListReviewsQuery, RatingSummary, ReviewPage } from '../retail.types.js';
import { enc, type CallOptions } from './call-options.js';

/** Adapter for the reviews service. */
@Injectable()
export class ReviewsApi {
  constructor(@InjectUpstream('reviews') private readonly http: UpstreamClient) {}

  /** `GET /products/{productId}/reviews`: one page, newest first; an unknown product rejects with kind `not_found`. */
  listReviews(productId: string, page = 1, pageSize = 10, options: CallOptions = {}): Promise<ReviewPage> {
    const query: ListReviewsQuery = { page, pageSize };
    return this.http.getJson<ReviewPage>(`/products/${enc(productId)}/reviews`, { ...options, query });
  }

  /** `GET /products/{productId}/rating` (`average` 0 and `count` 0 when there are no reviews). */
  getRating(productId: string, options: CallOptions = {}): Promise<RatingSummary> {
    return this.http.getJson<RatingSummary>(`/products/${enc(productId)}/rating`, options);
  }
}
