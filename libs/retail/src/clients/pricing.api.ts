import { Injectable } from '@nestjs/common';

import { InjectUpstream, UpstreamClient } from '@bff/upstream';

import type { Price, PriceList } from '../retail.types.js';
import { enc, type CallOptions } from './call-options.js';

/** Adapter for the pricing service. */
@Injectable()
export class PricingApi {
  constructor(@InjectUpstream('pricing') private readonly http: UpstreamClient) {}

  /** `GET /prices/{productId}`; a product without a price rejects with kind `not_found`. */
  getPrice(productId: string, options: CallOptions = {}): Promise<Price> {
    return this.http.getJson<Price>(`/prices/${enc(productId)}`, options);
  }

  /** `GET /prices?ids=`: prices of the known ids, in request order (ids without a price are omitted). */
  async getPrices(productIds: readonly string[], options: CallOptions = {}): Promise<Price[]> {
    if (productIds.length === 0) return [];
    const list = await this.http.getJson<PriceList>('/prices', { ...options, query: { ids: productIds.join(',') } });
    return list.items;
  }
}
