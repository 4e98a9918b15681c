import { send, type components, type WebBffClient } from '@bff-clients/web-bff';

import { h, replace } from '../dom.ts';
import type { Session } from '../session.ts';
import { cardList, degradedNote, errorView, priceView, signInLink, stockView } from './common.ts';

type CategoryNode = components['schemas']['CategoryNodeDto'];
type Review = components['schemas']['PageReviewDto'];

const categoryLink = (node: CategoryNode): HTMLElement =>
  h(
    'li',
    {},
    h(
      'a',
      { href: `/search?${new URLSearchParams({ category: node.id }).toString()}`, 'data-link': '', 'data-category': node.id },
      node.name,
    ),
    node.children.length > 0 ? h('ul', {}, ...node.children.map(categoryLink)) : null,
  );

export async function homeView(api: WebBffClient): Promise<HTMLElement> {
  const { data, degraded } = await send(api.GET('/api/v1/pages/home'));
  return h(
    'section',
    { 'data-page': 'home' },
    h('h1', {}, 'Welcome'),
    degradedNote(degraded),
    h(
      'section',
      { 'data-section': 'featured' },
      h('h2', {}, 'Featured'),
      data.featured
        ? cardList(data.featured)
        : h('p', { class: 'degraded', 'data-degraded': 'featured' }, 'Featured products are unavailable right now.'),
    ),
    h(
      'nav',
      { 'data-section': 'categories', 'aria-label': 'Categories' },
      h('h2', {}, 'Categories'),
      h('ul', { class: 'categories' }, ...data.categories.map(categoryLink)),
    ),
  );
}

export async function listingView(api: WebBffClient, params: URLSearchParams): Promise<HTMLElement> {
  const q = params.get('q') || undefined;
  const category = params.get('category') || undefined;
  const cursor = params.get('cursor') || undefined;
  const { data, degraded } = await send(api.GET('/api/v1/pages/listing', { params: { query: { q, category, cursor } } }));
  const next = new URLSearchParams(params);
  if (data.nextCursor) next.set('cursor', data.nextCursor);
  const title = q ? `Results for “${q}”` : data.category ? data.category.name : 'All products';
  return h(
    'section',
    { 'data-page': 'listing' },
    h('h1', {}, title),
    h('p', { 'data-total': String(data.total) }, `${data.total} products`),
    degradedNote(degraded),
    data.items.length === 0 ? h('p', { 'data-empty': '' }, 'No products found.') : cardList(data.items),
    data.nextCursor ? h('a', { href: `/search?${next.toString()}`, 'data-link': '', rel: 'next' }, 'More results') : null,
  );
}

const reviewItem = (review: Review): HTMLElement =>
  h(
    'li',
    { 'data-review': review.id },
    h('strong', {}, `${review.rating}/5 ${review.title}`),
    h('p', {}, review.body),
    h('small', {}, review.author),
  );

/**
 * "More reviews": the product page carries the first `shown` reviews; GET /api/v1/products/{id}/reviews pages
 * on. Its cursors are issued for one page size, so the first click asks for that same first page (to get its
 * cursor) and then the next one.
 */
function moreReviews(api: WebBffClient, productId: string, list: HTMLElement, shown: number): HTMLElement {
  const slot = h('div', {});
  let cursor: string | null | undefined;
  const page = async (): Promise<void> => {
    if (cursor === undefined) {
      const first = await send(api.GET('/api/v1/products/{id}/reviews', { params: { path: { id: productId }, query: { limit: shown } } }));
      cursor = first.data.nextCursor;
    }
    if (cursor === null) return;
    const { data } = await send(api.GET('/api/v1/products/{id}/reviews', { params: { path: { id: productId }, query: { cursor } } }));
    list.append(...data.items.map(reviewItem));
    cursor = data.nextCursor;
  };
  const button = h(
    'button',
    {
      type: 'button',
      'data-more-reviews': '',
      onclick: () => {
        page().then(
          () => {
            if (cursor === null) button.remove();
          },
          (error: unknown) => replace(slot, errorView(error)),
        );
      },
    },
    'More reviews',
  );
  slot.append(button);
  return slot;
}

export async function productView(
  api: WebBffClient,
  id: string,
  session: Session,
  onAdd: (productId: string) => Promise<void>,
): Promise<HTMLElement> {
  const { data, degraded: headerDegraded } = await send(api.GET('/api/v1/pages/product/{id}', { params: { path: { id } } }));
  const { product, price, availability, rating, reviews, recommendations } = data;
  const degraded = [...new Set([...headerDegraded, ...data.meta.degraded.map((d) => d.section)])];
  const image = product.images[0];
  const status = h('p', { class: 'status', 'data-cart-status': '' });
  const buy = session.user
    ? h(
        'button',
        {
          type: 'button',
          'data-add-to-cart': '',
          disabled: availability?.inStock === false,
          onclick: () => {
            status.textContent = 'Adding…';
            onAdd(product.id).then(
              () => (status.textContent = 'Added to your cart.'),
              () => (status.textContent = ''),
            );
          },
        },
        'Add to cart',
      )
    : signInLink('Sign in to buy');
  let reviewsSection: HTMLElement;
  if (!reviews) {
    reviewsSection = h('p', { class: 'degraded', 'data-degraded': 'reviews' }, 'Reviews unavailable');
  } else if (reviews.items.length === 0) {
    reviewsSection = h('p', {}, 'No reviews yet.');
  } else {
    const list = h('ul', { class: 'reviews' }, ...reviews.items.map(reviewItem));
    // The page carries the first page; the reviews route pages on from its first cursor.
    reviewsSection = h(
      'div',
      {},
      list,
      reviews.total > reviews.items.length ? moreReviews(api, product.id, list, reviews.items.length) : null,
    );
  }
  return h(
    'article',
    { 'data-page': 'product', 'data-product-id': product.id },
    h('h1', {}, product.name),
    h('p', { class: 'brand' }, product.brand),
    image ? h('img', { src: image.url, alt: image.alt, width: '320', height: '320' }) : null,
    h(
      'div',
      { class: 'buy-box', 'data-section': 'price' },
      priceView(price),
      ' ',
      stockView(availability ? availability.inStock : null),
      buy,
      status,
    ),
    degradedNote(degraded),
    h('p', { class: 'description' }, product.description),
    h(
      'section',
      { 'data-section': 'reviews' },
      h('h2', {}, 'Reviews'),
      rating
        ? h('p', { 'data-rating': '' }, `${rating.average.toFixed(1)} / 5 (${rating.count} ratings)`)
        : h('p', { class: 'degraded', 'data-degraded': 'rating' }, 'Ratings unavailable'),
      reviewsSection,
    ),
    h(
      'section',
      { 'data-section': 'recommendations' },
      h('h2', {}, 'You may also like'),
      recommendations
        ? cardList(recommendations)
        : h('p', { class: 'degraded', 'data-degraded': 'recommendations' }, 'Recommendations unavailable'),
    ),
  );
}
