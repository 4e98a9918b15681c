import { Injectable } from '@nestjs/common';
import { InventoryApi, PricingApi } from '@bff/retail';
import { Aggregator } from '@bff/upstream';
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
    const prices = new Map((data.prices ?? []).map((p) => [p.productId, p]));
    const stock = new Map((data.stock ?? []).map((s) => [s.productId, s]));
    return {
      items: ids.map((id) => {
        const price = prices.get(id);
        const level = stock.get(id);
        return {
          id,
          price: price
            ? { currency: price.currency, amount: price.amount, listAmount: price.listAmount, discountPct: price.discountPct }
            : null,
          availability: level ? { inStock: level.inStock, available: level.available, restockDate: level.restockDate } : null,
        };
      }),
      meta: { degraded: [...degraded] },
    };
  }
}
