import type { ProductCard } from '@bff/retail';

import type { ScreenCardDto } from './screen.dto.js';

/** The retail card cut to what a phone list shows: the price to pay and its currency only. */
export function toScreenCard(card: ProductCard): ScreenCardDto {
  return {
    id: card.id,
    name: card.name,
    thumbnail: card.thumbnail,
    price: card.price && { amount: card.price.amount, currency: card.price.currency },
    inStock: card.inStock,
  };
}
