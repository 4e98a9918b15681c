import { Injectable } from '@nestjs/common';

import { CatalogApi, ProductCards, type Category, type ProductCardList } from '@bff/retail';
import { Aggregator } from '@bff/upstream';

import type { CategoryNodeDto, HomePageDto } from './home-page.dto.js';

const FEATURED_COUNT = 12;

/** Composes the SPA's home page: the category tree and the featured products as cards. */
@Injectable()
export class HomePageService {
  constructor(
    private readonly aggregator: Aggregator,
    private readonly catalog: CatalogApi,
    private readonly cards: ProductCards,
  ) {}

  async get(): Promise<HomePageDto> {
    const { data, degraded, stale } = await this.aggregator
      .plan()
      // Navigation is the page's skeleton: required, and served from its last good value when the catalog fails.
      .required('categories', (s) => this.catalog.listCategories(s), { budgetMs: 1_000, fallbackKey: 'home:categories' })
      // Merchandising is optional: without it the page still navigates. Its price and stock degrade on their own.
      .optional('featured', (s) => this.featured(s), { budgetMs: 1_200 })
      .run();
    const featured: ProductCardList | null = data.featured;
    const allDegraded = [...degraded, ...(featured?.degraded ?? [])];
    return {
      categories: toTree(data.categories),
      featured: featured && featured.cards,
      meta: stale.length ? { degraded: allDegraded, stale: [...stale] } : { degraded: allDegraded },
    };
  }

  /** The featured products come whole from the catalog, so the cards need only the bulk price and stock reads. */
  private async featured(section: { signal: AbortSignal; deadline?: number }): Promise<ProductCardList> {
    const products = await this.catalog.listFeatured(FEATURED_COUNT, section);
    return this.cards.forProducts(products, { ...section, section: 'featured' });
  }
}

function toTree(categories: readonly Category[]): CategoryNodeDto[] {
  const nodes = new Map<string, CategoryNodeDto>(categories.map((c) => [c.id, { id: c.id, name: c.name, children: [] }]));
  const roots: CategoryNodeDto[] = [];
  for (const category of categories) {
    const node = nodes.get(category.id);
    if (node === undefined) continue;
    const parent = category.parentId === null ? undefined : nodes.get(category.parentId);
    // An orphan (parent unknown) is shown at the top rather than dropped.
    (parent ? parent.children : roots).push(node);
  }
  return roots;
}
