/**
 * The reference storefront: a framework-free SPA on web-bff. History-API routes, one render per
 * navigation; every render re-reads the session so a page restored by the back button after sign-out
 * shows the user signed out.
 */
import { createWebBffClient, send } from '@bff-clients/web-bff';

import { h, replace } from './dom.ts';
import { loadSession, signOut, type Session } from './session.ts';
import { cartView, ordersView, orderView, signedOutView } from './views/account.ts';
import { homeView, listingView, productView } from './views/catalog.ts';
import { errorView, isUnauthorized, signInLink } from './views/common.ts';

const api = createWebBffClient();
const header = document.getElementById('header') as HTMLElement;
const main = document.getElementById('main') as HTMLElement;

function navigate(path: string): void {
  history.pushState(null, '', path);
  void render();
}

function headerView(session: Session): HTMLElement {
  const search = h(
    'form',
    {
      role: 'search',
      'data-search': '',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const q = new FormData(event.target as HTMLFormElement).get('q');
        navigate(`/search?${new URLSearchParams({ q: typeof q === 'string' ? q : '' }).toString()}`);
      },
    },
    h('input', { type: 'search', name: 'q', placeholder: 'Search products', 'aria-label': 'Search products' }),
    h('button', { type: 'submit' }, 'Search'),
  );
  const user = session.user;
  const account = user
    ? h(
        'span',
        { 'data-signed-in': user.sub },
        h('span', { 'data-user': '' }, user.givenName ?? user.name ?? user.email ?? user.sub),
        ' ',
        h(
          'button',
          {
            type: 'button',
            'data-sign-out': '',
            onclick: () => {
              signOut(api).then(
                (next) => location.assign(next),
                (error: unknown) => replace(main, errorView(error)),
              );
            },
          },
          'Sign out',
        ),
      )
    : h('span', { 'data-signed-out': '' }, signInLink());
  return h(
    'nav',
    {},
    h('a', { href: '/', 'data-link': '', class: 'brand' }, 'Storefront'),
    search,
    h('a', { href: '/cart', 'data-link': '' }, 'Cart'),
    h('a', { href: '/orders', 'data-link': '' }, 'Orders'),
    account,
  );
}

async function page(session: Session): Promise<HTMLElement> {
  const { pathname, search } = location;
  const segments = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const addToCart = async (productId: string): Promise<void> => {
    try {
      await send(api.POST('/api/v1/cart/items', { body: { productId, quantity: 1 } }));
    } catch (error) {
      main.append(errorView(error));
      throw error;
    }
  };
  switch (segments[0]) {
    case undefined:
      return homeView(api);
    case 'search':
      return listingView(api, new URLSearchParams(search));
    case 'products':
      if (segments[1]) return productView(api, segments[1], session, addToCart);
      break;
    case 'cart':
      return session.user ? cartView(api, navigate) : signedOutView('cart');
    case 'orders':
      if (!session.user) return signedOutView('orders');
      return segments[1] ? orderView(api, segments[1]) : ordersView(api, new URLSearchParams(search));
    default:
      break;
  }
  return h('section', { 'data-page': 'not-found' }, h('h1', {}, 'Page not found'), h('a', { href: '/', 'data-link': '' }, 'Home'));
}

let generation = 0;
async function render(): Promise<void> {
  const mine = ++generation;
  main.setAttribute('aria-busy', 'true');
  let content: HTMLElement;
  let session: Session = { user: null };
  try {
    session = await loadSession(api);
    content = await page(session);
  } catch (error) {
    content = isUnauthorized(error)
      ? h('section', { 'data-signed-out': '' }, h('p', {}, 'Your session has ended.'), signInLink())
      : errorView(error);
  }
  if (mine !== generation) return;
  replace(header, headerView(session));
  replace(main, content);
  main.removeAttribute('aria-busy');
  document.body.dataset.ready = location.pathname + location.search;
}

// In-app links navigate without a reload; everything else (sign-in, external) is a normal navigation.
document.addEventListener('click', (event) => {
  const link = (event.target as Element | null)?.closest('a[data-link]');
  if (
    !(link instanceof HTMLAnchorElement) ||
    event.defaultPrevented ||
    event.button !== 0 ||
    event.metaKey ||
    event.ctrlKey ||
    event.shiftKey
  )
    return;
  event.preventDefault();
  navigate(link.pathname + link.search);
});
window.addEventListener('popstate', () => void render());
// A page restored from the back-forward cache keeps its old DOM: re-check the session.
window.addEventListener('pageshow', (event) => {
  if (event.persisted) void render();
});
void render();
