import { failureError, ProblemError, type components } from '@bff-clients/web-bff';

import { h } from '../dom.ts';

type Price = components['schemas']['PagePriceDto'] | components['schemas']['CardPriceDto'];
type Card = components['schemas']['ProductCardDto'];

/** The visible error state: the problem's title, its detail and the request id to quote. */
export function errorView(error: unknown): HTMLElement {
  const problem = error instanceof ProblemError ? error : failureError(error);
  return h(
    'div',
    { class: 'error', role: 'alert', 'data-error': problem.type, 'data-status': String(problem.status) },
    h('h2', {}, problem.title),
    problem.detail ? h('p', {}, problem.detail) : null,
    problem.requestId ? h('p', { class: 'request-id' }, 'Request id: ', h('code', { 'data-request-id': '' }, problem.requestId)) : null,
  );
}

export function isUnauthorized(error: unknown): boolean {
  return error instanceof ProblemError && error.status === 401;
}

/** web-bff sends amounts in minor units (1999 EUR = €19.99); the currency says how many decimals. */
export function formatMoney(minorUnits: number, currency: string): string {
  try {
    const format = new Intl.NumberFormat(undefined, { style: 'currency', currency });
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(minorUnits / 10 ** digits);
  } catch {
    return `${(minorUnits / 100).toFixed(2)} ${currency}`;
  }
}

/** A price, or the degraded placeholder when the pricing section is missing (never breaks the page). */
export function priceView(price: Price | null | undefined): HTMLElement {
  if (!price) return h('span', { class: 'price degraded', 'data-degraded': 'price' }, 'Price unavailable');
  return h(
    'span',
    { class: 'price', 'data-price': '' },
    formatMoney(price.amount, price.currency),
    price.discountPct > 0 ? h('s', { class: 'list-price' }, formatMoney(price.listAmount, price.currency)) : null,
  );
}

export function stockView(inStock: boolean | null | undefined): HTMLElement {
  if (inStock === null || inStock === undefined)
    return h('span', { class: 'stock degraded', 'data-degraded': 'stock' }, 'Availability unknown');
  return h('span', { class: inStock ? 'stock in' : 'stock out' }, inStock ? 'In stock' : 'Out of stock');
}

export function cardList(cards: readonly Card[]): HTMLElement {
  return h('ul', { class: 'cards' }, ...cards.map(cardView));
}

export function cardView(card: Card): HTMLElement {
  return h(
    'li',
    { class: 'card', 'data-product-id': card.id },
    h('img', { src: card.thumbnail, alt: '', loading: 'lazy', width: '120', height: '120' }),
    h('a', { href: `/products/${encodeURIComponent(card.id)}`, 'data-link': '' }, card.name),
    priceView(card.price),
    stockView(card.inStock),
  );
}

/** A note listing the sections the BFF could not fill (X-Degraded-Sections / meta.degraded). */
export function degradedNote(sections: readonly string[]): HTMLElement | null {
  if (sections.length === 0) return null;
  return h('p', { class: 'degraded-note', 'data-degraded-sections': sections.join(',') }, 'Some information is temporarily unavailable.');
}

export function signInLink(label = 'Sign in'): HTMLElement {
  return h('a', { href: loginUrl(), class: 'button', 'data-sign-in': '' }, label);
}

/**
 * /auth/login with returnTo = where the user is. Hosted by web-bff it is a same-origin path; on the Vite dev
 * server the callback lands on web-bff's origin, so the return is the dev server's absolute URL (allowed by
 * web-bff's SESSION_RETURN_ORIGINS).
 */
export function loginUrl(): string {
  const here = `${location.pathname}${location.search}`;
  const returnTo = __STOREFRONT_DEV_SERVER__ ? `${location.origin}${here}` : here;
  return `/auth/login?returnTo=${encodeURIComponent(returnTo)}`;
}
