import { ProblemError, send, type components, type WebBffClient } from '@bff-clients/web-bff';

import { IdempotentAttempt } from '../api/idempotency.ts';
import { h, replace } from '../dom.ts';
import { degradedNote, errorView, formatMoney, priceView, signInLink } from './common.ts';

type Cart = components['schemas']['CartDto'];
type Order = components['schemas']['OrderDto'];

/** One checkout attempt per tab; its key survives a reload (sessionStorage) so a retry is the same attempt. */
const checkoutAttempt = new IdempotentAttempt('storefront.checkout', sessionStorage);

const cartFingerprint = (cart: Cart): string =>
  cart.lines
    .map((item) => `${item.productId}x${item.quantity}`)
    .sort()
    .join(',');

export function signedOutView(what: string): HTMLElement {
  return h('section', { 'data-page': 'signed-out', 'data-signed-out': '' }, h('p', {}, `Sign in to see your ${what}.`), signInLink());
}

export async function cartView(api: WebBffClient, navigate: (path: string) => void): Promise<HTMLElement> {
  const { data: cart, degraded: headerDegraded } = await send(api.GET('/api/v1/cart'));
  const root = h('section', { 'data-page': 'cart' });
  const render = (current: Cart, degraded: string[]): void => {
    const status = h('div', { 'data-checkout-status': '' });
    const setQuantity = (productId: string, quantity: number): void => {
      const call =
        quantity === 0
          ? send(api.DELETE('/api/v1/cart/items/{productId}', { params: { path: { productId } } }))
          : send(api.PATCH('/api/v1/cart/items/{productId}', { params: { path: { productId } }, body: { quantity } }));
      call.then(
        ({ data, degraded }) => render(data, degraded),
        (error: unknown) => replace(status, errorView(error)),
      );
    };
    const placeOrder = (): void => {
      const key = checkoutAttempt.keyFor(cartFingerprint(current));
      replace(status, h('p', {}, 'Placing your order…'));
      send(api.POST('/api/v1/checkout', { params: { header: { 'Idempotency-Key': key } } })).then(
        ({ data }) => {
          checkoutAttempt.settle();
          navigate(`/orders/${encodeURIComponent(data.id)}`);
        },
        (error: unknown) => {
          const status0 = error instanceof ProblemError ? error.status : 0;
          checkoutAttempt.settleUnlessRetryable(status0);
          replace(status, errorView(error), h('button', { type: 'button', 'data-retry-checkout': '', onclick: placeOrder }, 'Try again'));
        },
      );
    };
    replace(
      root,
      h('h1', {}, 'Your cart'),
      degradedNote(degraded),
      current.lines.length === 0
        ? h('p', { 'data-empty': '' }, 'Your cart is empty.')
        : h(
            'ul',
            { class: 'cart-lines' },
            ...current.lines.map((item) =>
              h(
                'li',
                { 'data-cart-line': item.productId },
                h('a', { href: `/products/${encodeURIComponent(item.productId)}`, 'data-link': '' }, item.name ?? item.productId),
                ' ',
                priceView(item.unitPrice),
                ` × ${item.quantity} `,
                h('button', { type: 'button', onclick: () => setQuantity(item.productId, item.quantity + 1) }, '+'),
                h('button', { type: 'button', onclick: () => setQuantity(item.productId, item.quantity - 1) }, '−'),
                h('button', { type: 'button', 'data-remove': '', onclick: () => setQuantity(item.productId, 0) }, 'Remove'),
              ),
            ),
          ),
      current.lines.length > 0 ? subtotalView(current.estimatedSubtotal) : null,
      current.lines.length > 0 ? h('button', { type: 'button', 'data-checkout': '', onclick: placeOrder }, 'Place order') : null,
      status,
    );
  };
  render(cart, [...new Set([...headerDegraded, ...cart.meta.degraded.map((d) => d.section)])]);
  return root;
}

/** The cart's subtotal is an estimate (the order states the final total); unpriced lines are said, not hidden. */
function subtotalView(subtotal: Cart['estimatedSubtotal']): HTMLElement {
  return h(
    'p',
    { 'data-subtotal': '' },
    `${subtotal.label}: `,
    subtotal.currency === null
      ? h('span', { class: 'degraded', 'data-degraded': 'price' }, 'Price unavailable')
      : formatMoney(subtotal.amount, subtotal.currency),
    subtotal.complete
      ? null
      : h('span', { class: 'degraded', 'data-degraded': 'subtotal' }, ' (some prices are unavailable and not included)'),
  );
}

function orderSummary(order: Order): HTMLElement {
  return h(
    'li',
    { 'data-order': order.id },
    h('a', { href: `/orders/${encodeURIComponent(order.id)}`, 'data-link': '' }, order.id),
    ` ${order.status} · ${new Date(order.createdAt).toLocaleString()} `,
    formatMoney(order.totalAmount, order.currency),
  );
}

export async function ordersView(api: WebBffClient, params: URLSearchParams): Promise<HTMLElement> {
  const cursor = params.get('cursor') || undefined;
  const { data } = await send(api.GET('/api/v1/orders', { params: { query: { cursor } } }));
  return h(
    'section',
    { 'data-page': 'orders' },
    h('h1', {}, 'Your orders'),
    data.items.length === 0
      ? h('p', { 'data-empty': '' }, 'No orders yet.')
      : h('ul', { class: 'orders' }, ...data.items.map(orderSummary)),
    data.nextCursor
      ? h(
          'a',
          { href: `/orders?${new URLSearchParams({ cursor: data.nextCursor }).toString()}`, 'data-link': '', rel: 'next' },
          'Older orders',
        )
      : null,
  );
}

export async function orderView(api: WebBffClient, id: string): Promise<HTMLElement> {
  const { data: order } = await send(api.GET('/api/v1/orders/{id}', { params: { path: { id } } }));
  return h(
    'section',
    { 'data-page': 'order', 'data-order-id': order.id },
    h('h1', {}, `Order ${order.id}`),
    h('p', { 'data-order-status': order.status }, `Status: ${order.status}`),
    h('p', { 'data-order-total': '' }, `Total: ${formatMoney(order.totalAmount, order.currency)}`),
    h(
      'ul',
      {},
      ...order.items.map((item) =>
        h(
          'li',
          { 'data-order-item': item.productId },
          h('a', { href: `/products/${encodeURIComponent(item.productId)}`, 'data-link': '' }, item.productId),
          ` × ${item.quantity} · ${formatMoney(item.lineAmount, order.currency)}`,
        ),
      ),
    ),
  );
}
