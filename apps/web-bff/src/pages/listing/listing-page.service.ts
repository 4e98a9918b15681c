import { Injectable } from '@nestjs/common';

import { CatalogScreens } from '@bff/retail';

import { LISTING_DEFAULT_LIMIT, type ListingPageDto, type ListingQuery } from './listing-page.dto.js';

/** A search / category listing page: one catalog page, its items enriched in two bulk calls (CatalogScreens). */
@Injectable()
export class ListingPageService {
  constructor(private readonly screens: CatalogScreens) {}

  async get(query: ListingQuery): Promise<ListingPageDto> {
    const page = await this.screens.listing({ ...query, limit: query.limit ?? LISTING_DEFAULT_LIMIT });
    return {
      category: page.category && { id: page.category.id, name: page.category.name, parentId: page.category.parentId },
      items: page.cards,
      total: page.total,
      nextCursor: page.nextCursor,
      meta: { degraded: page.degraded },
    };
  }
}
