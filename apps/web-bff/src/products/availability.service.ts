import { Injectable } from '@nestjs/common';

import { byProductId, InventoryApi, mapAvailability, mapPrice, PricingApi } from '@bff/retail';
import { Aggregator } from '@bff/upstream';

import { PAGE_AVAILABILITY_FIELDS, PAGE_PRICE_FIELDS } from '../pages/product-page.dto.js';
import type { AvailabilityDto } from './availability.dto.js';

/** Live price and stock for ids the SPA already knows, in two bulk calls. */
@Injectable()
export class AvailabilityService {
  constructor(
    private readonly aggregator: Aggregator,
    private readonly pricing: PricingApi,
    private readonly inventory: InventoryApi,
  ) {}

  async lookup(ids: readonly string[]): Promise<AvailabilityDto> {
    const { data, degraded } = await this.aggregator
      .plan()
      .optional('prices', (s) => this.pricing.getPrices(ids, s), { budgetMs: 500 })
      .optional('stock', (s) => this.inventory.getStocks(ids, s), { budgetMs: 500 })
      .run();
    const prices = byProductId(data.prices);
    const stock = byProductId(data.stock);
    return {
      items: ids.map((id) => ({
        id,
        price: mapPrice(prices.get(id), PAGE_PRICE_FIELDS),
        availability: mapAvailability(stock.get(id), PAGE_AVAILABILITY_FIELDS),
      })),
      meta: { degraded: [...degraded] },
    };
  }
}
