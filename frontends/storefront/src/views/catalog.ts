import { unwrap, type ApiClient } from '../api/client.ts';
import { degradedSections } from '../api/problem.ts';
import { h } from '../dom.ts';
import type { Session } from '../session.ts';
import { cardView, degradedNote, priceView, signInLink, stockView } from './common.ts';

export async function homeView(api: ApiClient): Promise<HTMLElement> {
  const { data, response } = await unwrap(api.GET('/api/v1/pages/home'));
  return h(
    'section',
    { 'data-page': 'home' },
    h('h1', {}, 'Welcome'),
    degradedNote(degradedSections(response.headers)),
    ...data.sections.map((section) =>
      h(
        'section',
        { class: 'cards-section', 'data-section': section.id },
        h('h2', {}, section.title),
        h('ul', { class: 'cards' }, ...section.cards.map(cardView)),
      ),
    ),
  );
}

export async function listingView(api: ApiClient, params: URLSearchParams): Promise<HTMLElement> {
  const q = params.get('q') ?? undefined;
  const category = params.get('category') ?? undefined;
  const cursor = params.get('cursor') ?? undefined;
  const { data, response } = await unwrap(api.GET('/api/v1/pages/listing', { params: { query: { q, category, cursor, limit: 20 } } }));
  const next = new URLSearchParams(params);
  if (data.nextCursor) next.set('cursor', data.nextCursor);
  return h(
    'section',
    { 'data-page': 'listing' },
    h('h1', {}, q ? `Results for “${q}”` : 'All products'),
    degradedNote(degradedSections(response.headers)),
    data.items.length === 0 ? h('p', { 'data-empty': '' }, 'No products found.') : h('ul', { class: 'cards' }, ...data.items.map(cardView)),
    data.nextCursor ? h('a', { href: `/search?${next.toString()}`, 'data-link': '', rel: 'next' }, 'More results') : null,
  );
}

export async function productView(
  api: ApiClient,
  id: string,
  session: Session,
  onAdd: (productId: string) => Promise<void>,
): Promise<HTMLElement> {
  const { data, response } = await unwrap(api.GET('/api/v1/pages/product/{id}', { params: { path: { id } } }));
  const { product, price, availability, rating, reviews, recommendations } = data;
  const degraded = [...new Set([...degradedSections(response.headers), ...data.meta.degraded.map((d) => d.section)])];
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
      availability ? stockView(availability.inStock) : stockView(null),
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
      reviews
        ? reviews.items.length === 0
          ? h('p', {}, 'No reviews yet.')
          : h(
              'ul',
              { class: 'reviews' },
              ...reviews.items.map((review) =>
                h('li', {}, h('strong', {}, `${review.rating}/5 ${review.title}`), h('p', {}, review.body), h('small', {}, review.author)),
              ),
            )
        : h('p', { class: 'degraded', 'data-degraded': 'reviews' }, 'Reviews unavailable'),
    ),
    h(
      'section',
      { 'data-section': 'recommendations' },
      h('h2', {}, 'You may also like'),
      recommendations
        ? h(
            'ul',
            { class: 'links' },
            ...recommendations.map((rec) =>
              h('li', {}, h('a', { href: `/products/${encodeURIComponent(rec.productId)}`, 'data-link': '' }, rec.productId)),
            ),
          )
        : h('p', { class: 'degraded', 'data-degraded': 'recommendations' }, 'Recommendations unavailable'),
    ),
  );
}
