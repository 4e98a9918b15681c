import { Injectable } from '@nestjs/common';

import { InjectUpstream, UpstreamClient } from '@bff/upstream';

import type { Stock, StockList } from '../retail.types.js';
import { enc, type CallOptions } from './call-options.js';

/** Adapter for the inventory service. */
@Injectable()
export class InventoryApi {
  constructor(@InjectUpstream('inventory') private readonly http: UpstreamClient) {}

  /** `GET /stock/{productId}`; a product without a stock record rejects with kind `not_found`. */
  getStock(productId: string, options: CallOptions = {}): Promise<Stock> {
    return this.http.getJson<Stock>(`/stock/${enc(productId)}`, options);
  }

  /** `GET /stock?ids=`: stock of the known ids, in request order (ids without a record are omitted). */
  async getStocks(productIds: readonly string[], options: CallOptions = {}): Promise<Stock[]> {
    if (productIds.length === 0) return [];
    const list = await this.http.getJson<StockList>('/stock', { ...options, query: { ids: productIds.join(',') } });
    return list.items;
  }
}
