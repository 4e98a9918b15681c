import { Injectable } from '@nestjs/common';

import { CatalogApi, ProductCards } from '@bff/retail';
import { Aggregator } from '@bff/upstream';

import { LISTING_DEFAULT_LIMIT, type ListingPageDto, type ListingQuery } from './listing-page.dto.js';

/** Composes a search / category listing page: one catalog page, its items enriched in two bulk calls. */
@Injectable()
export class ListingPageService {
  constructor(
    private readonly aggregator: Aggregator,
    private readonly catalog: CatalogApi,
    private readonly cards: ProductCards,
  ) {}

  async get(query: ListingQuery): Promise<ListingPageDto> {
    const category = query.category;
    const { data } = await this.aggregator
      .plan()
      // The page is the answer; an unknown category is a 404 rather than an empty listing, so it is required too.
      // Both run concurrently; the enrichment waits only for the page.
      .required(
        'page',
        (s) => this.catalog.browseProducts({ q: query.q, category, cursor: query.cursor, limit: query.limit ?? LISTING_DEFAULT_LIMIT }, s),
        { budgetMs: 1_500 },
      )
      .required('category', (s) => (category === undefined ? Promise.resolve(null) : this.catalog.getCategory(category, s)), {
        budgetMs: 1_000,
      })
      .required('cards', async (s, prior) => this.cards.forProducts((await prior.page).items, { ...s, section: 'items' }), {
        budgetMs: 1_500,
      })
      .run();
    return {
      category: data.category && { id: data.category.id, name: data.category.name, parentId: data.category.parentId },
      items: data.cards.cards,
      total: data.page.total,
      nextCursor: data.page.nextCursor,
      // Price and stock are optional inside ProductCards (items-price, items-stock): never fail the page.
      meta: { degraded: [...data.cards.degraded] },
    };
  }
}
