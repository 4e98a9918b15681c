import { describe, expect, it } from 'vitest';

import { categoryTree } from './catalog-screens.js';

describe('categoryTree', () => {
  it('nests categories by parentId in catalogue order and keeps orphans at the top', () => {
    const tree = categoryTree([
      { id: 'cat-01', name: 'Electronics', parentId: null },
      { id: 'cat-07', name: 'Smartphones', parentId: 'cat-01' },
      { id: 'cat-02', name: 'Outdoor', parentId: null },
      { id: 'cat-08', name: 'Laptops', parentId: 'cat-01' },
      { id: 'cat-30', name: 'Lost', parentId: 'cat-99' },
    ]);
    expect(tree).toEqual([
      {
        id: 'cat-01',
        name: 'Electronics',
        children: [
          { id: 'cat-07', name: 'Smartphones', children: [] },
          { id: 'cat-08', name: 'Laptops', children: [] },
        ],
      },
      { id: 'cat-02', name: 'Outdoor', children: [] },
      { id: 'cat-30', name: 'Lost', children: [] },
    ]);
  });
});
