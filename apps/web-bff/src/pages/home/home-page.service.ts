import { Injectable } from '@nestjs/common';

import { CatalogScreens } from '@bff/retail';

import type { HomePageDto } from './home-page.dto.js';

const FEATURED_COUNT = 12;

/** The SPA's home page: the category tree and the featured products as cards (composed by CatalogScreens). */
@Injectable()
export class HomePageService {
  constructor(private readonly screens: CatalogScreens) {}

  async get(): Promise<HomePageDto> {
    const { categories, featured, degraded, stale } = await this.screens.home(FEATURED_COUNT);
    return { categories, featured, meta: stale.length ? { degraded, stale } : { degraded } };
  }
}
