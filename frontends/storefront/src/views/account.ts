import { unwrap, type ApiClient } from '../api/client.ts';
import { IdempotentAttempt } from '../api/idempotency.ts';
import type { PendingCart, PendingOrder } from '../api/pending-routes.ts';
import { ApiError, degradedSections } from '../api/problem.ts';
import { h, replace } from '../dom.ts';
import { degradedNote, errorView, formatMoney, priceView, signInLink } from './common.ts';

/** One checkout attempt per tab; its key survives a reload (sessionStorage) so a retry is the same attempt. */
const checkoutAttempt = new IdempotentAttempt('storefront.checkout', sessionStorage);

const cartFingerprint = (cart: PendingCart): string =>
  cart.items
    .map((item) => `${item.productId}x${item.quantity}`)
    .sort()
    .join(',');

export function signedOutView(what: string): HTMLElement {
  return h('section', { 'data-page': 'signed-out', 'data-signed-out': '' }, h('p', {}, `Sign in to see your ${what}.`), signInLink());
}

export async function cartView(api: ApiClient, navigate: (path: string) => void): Promise<HTMLElement> {
  const { data: cart, response } = await unwrap(api.GET('/api/v1/cart'));
  const root = h('section', { 'data-page': 'cart' });
  const render = (current: PendingCart, degraded: string[]): void => {
    const status = h('div', { 'data-checkout-status': '' });
    const setQuantity = (productId: string, quantity: number): void => {
      const call =
        quantity === 0
          ? api.DELETE('/api/v1/cart/items/{productId}', { params: { path: { productId } } })
          : api.PUT('/api/v1/cart/items/{productId}', { params: { path: { productId } }, body: { quantity } });
      unwrap(call).then(
        ({ data, response: res }) => render(data, degradedSections(res.headers)),
        (error: unknown) => replace(status, errorView(error)),
      );
    };
    const placeOrder = (): void => {
      const key = checkoutAttempt.keyFor(cartFingerprint(current));
      replace(status, h('p', {}, 'Placing your order…'));
      unwrap(api.POST('/api/v1/checkout', { params: { header: { 'Idempotency-Key': key } } })).then(
        ({ data }) => {
          checkoutAttempt.settle();
          navigate(`/orders/${encodeURIComponent(data.id)}`);
        },
        (error: unknown) => {
          const status0 = error instanceof ApiError ? error.problem.status : 0;
          checkoutAttempt.settleUnlessRetryable(status0);
          replace(status, errorView(error), h('button', { type: 'button', 'data-retry-checkout': '', onclick: placeOrder }, 'Try again'));
        },
      );
    };
    replace(
      root,
      h('h1', {}, 'Your cart'),
      degradedNote(degraded),
      current.items.length === 0
        ? h('p', { 'data-empty': '' }, 'Your cart is empty.')
        : h(
            'ul',
            { class: 'cart-lines' },
            ...current.items.map((item) =>
              h(
                'li',
                { 'data-cart-line': item.productId },
                h('a', { href: `/products/${encodeURIComponent(item.productId)}`, 'data-link': '' }, item.name ?? item.productId),
                ' ',
                priceView(item.price),
                ` × ${item.quantity} `,
                h('button', { type: 'button', onclick: () => setQuantity(item.productId, item.quantity + 1) }, '+'),
                h('button', { type: 'button', onclick: () => setQuantity(item.productId, item.quantity - 1) }, '−'),
                h('button', { type: 'button', 'data-remove': '', onclick: () => setQuantity(item.productId, 0) }, 'Remove'),
              ),
            ),
          ),
      current.items.length > 0 ? h('button', { type: 'button', 'data-checkout': '', onclick: placeOrder }, 'Place order') : null,
      status,
    );
  };
  render(cart, degradedSections(response.headers));
  return root;
}

function orderSummary(order: PendingOrder): HTMLElement {
  return h(
    'li',
    { 'data-order': order.id },
    h('a', { href: `/orders/${encodeURIComponent(order.id)}`, 'data-link': '' }, order.id),
    ` ${order.status} · ${new Date(order.createdAt).toLocaleString()} `,
    order.total ? formatMoney(order.total.amount, order.total.currency) : null,
  );
}

export async function ordersView(api: ApiClient): Promise<HTMLElement> {
  const { data } = await unwrap(api.GET('/api/v1/orders'));
  return h(
    'section',
    { 'data-page': 'orders' },
    h('h1', {}, 'Your orders'),
    data.items.length === 0
      ? h('p', { 'data-empty': '' }, 'No orders yet.')
      : h('ul', { class: 'orders' }, ...data.items.map(orderSummary)),
  );
}

export async function orderView(api: ApiClient, id: string): Promise<HTMLElement> {
  const { data: order } = await unwrap(api.GET('/api/v1/orders/{id}', { params: { path: { id } } }));
  return h(
    'section',
    { 'data-page': 'order', 'data-order-id': order.id },
    h('h1', {}, `Order ${order.id}`),
    h('p', { 'data-order-status': order.status }, `Status: ${order.status}`),
    order.total ? h('p', {}, `Total: ${formatMoney(order.total.amount, order.total.currency)}`) : null,
    h('ul', {}, ...order.items.map((item) => h('li', {}, `${item.name ?? item.productId} × ${item.quantity}`))),
  );
}
