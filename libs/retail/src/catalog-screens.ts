import { Injectable } from '@nestjs/common';

import { Aggregator, type DegradedSection } from '@bff/upstream';

import { CatalogApi } from './clients/catalog.api.js';
import { ProductCards, type ProductCard, type ProductCardList } from './product-cards.js';
import type { Category } from './retail.types.js';

/** A category with its sub-categories, in catalogue order. */
export interface CategoryNode {
  readonly id: string;
  readonly name: string;
  readonly children: CategoryNode[];
}

export interface HomeScreen {
  readonly categories: CategoryNode[];
  /** Null when the catalog cannot list the featured products. */
  readonly featured: ProductCard[] | null;
  readonly degraded: DegradedSection[];
  readonly stale: DegradedSection[];
}

export interface ListingScreenQuery {
  readonly q?: string;
  readonly category?: string;
  readonly cursor?: string;
  readonly limit: number;
}

export interface ListingScreen {
  readonly category: Category | null;
  readonly cards: ProductCard[];
  readonly total: number;
  readonly nextCursor: string | null;
  readonly degraded: DegradedSection[];
}

/**
 * The home and listing screens every storefront client shows (web pages, mobile screens), composed once;
 * the apps only shape the answer. Provided by RetailModule with ProductCards.
 */
@Injectable()
export class CatalogScreens {
  constructor(
    private readonly aggregator: Aggregator,
    private readonly catalog: CatalogApi,
    private readonly cards: ProductCards,
  ) {}

  /** The category tree (required) and the featured products as cards (optional; price/stock as `featured-*`). */
  async home(featuredCount: number): Promise<HomeScreen> {
    const { data, degraded, stale } = await this.aggregator
      .plan()
      // Navigation is the screen's skeleton: required, and served from its last good value when the catalog fails.
      .required('categories', (s) => this.catalog.listCategories(s), { budgetMs: 1_000, fallbackKey: 'home:categories' })
      // Merchandising is optional: without it the screen still navigates. Its price and stock degrade on their own.
      .optional(
        'featured',
        // The featured products come whole from the catalog, so the cards need only the bulk price and stock reads.
        async (s) => this.cards.forProducts(await this.catalog.listFeatured(featuredCount, s), { ...s, section: 'featured' }),
        { budgetMs: 1_200 },
      )
      .run();
    const featured: ProductCardList | null = data.featured;
    return {
      categories: categoryTree(data.categories),
      featured: featured && featured.cards,
      degraded: [...degraded, ...(featured?.degraded ?? [])],
      stale: [...stale],
    };
  }

  /** One catalog page (search and/or category; an unknown category is a 404), its items as cards (`items-*`). */
  async listing(query: ListingScreenQuery): Promise<ListingScreen> {
    const category = query.category;
    const { data } = await this.aggregator
      .plan()
      // The page is the answer; an unknown category is a 404 rather than an empty listing, so it is required too.
      // Both run concurrently; the enrichment waits only for the page.
      .required('page', (s) => this.catalog.browseProducts({ q: query.q, category, cursor: query.cursor, limit: query.limit }, s), {
        budgetMs: 1_500,
      })
      .required('category', (s) => (category === undefined ? Promise.resolve(null) : this.catalog.getCategory(category, s)), {
        budgetMs: 1_000,
      })
      .required('cards', async (s, prior) => this.cards.forProducts((await prior.page).items, { ...s, section: 'items' }), {
        budgetMs: 1_500,
      })
      .run();
    return {
      category: data.category,
      cards: data.cards.cards,
      total: data.page.total,
      nextCursor: data.page.nextCursor,
      // Price and stock are optional inside ProductCards (items-price, items-stock): never fail the page.
      degraded: [...data.cards.degraded],
    };
  }
}

/** Nests a flat category list by parentId; an orphan (parent unknown) is shown at the top rather than dropped. */
export function categoryTree(categories: readonly Category[]): CategoryNode[] {
  const nodes = new Map<string, { id: string; name: string; children: CategoryNode[] }>(
    categories.map((c) => [c.id, { id: c.id, name: c.name, children: [] }]),
  );
  const roots: CategoryNode[] = [];
  for (const category of categories) {
    const node = nodes.get(category.id);
    if (node === undefined) continue;
    const parent = category.parentId === null ? undefined : nodes.get(category.parentId);
    (parent ? parent.children : roots).push(node);
  }
  return roots;
}
