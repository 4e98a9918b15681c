/**
 * Routes web-bff is gaining on another branch (cart, checkout, orders) that are not yet in
 * openapi/web-bff.json, typed by hand from their documented shapes so the SPA stays type-safe meanwhile.
 *
 * DELETE THIS FILE once those routes are merged: run `npm run build && npm run openapi && npm run client:gen`,
 * then drop `PendingPaths` from `ApiPaths` in client.ts and point the few `Pending*` imports at
 * `components['schemas']` of schema.gen.ts (the compiler lists every place).
 */
import type { components } from './schema.gen.ts';

type Problem = components['schemas']['ProblemDto'];
type Price = components['schemas']['PagePriceDto'];
type Degraded = components['schemas']['DegradedSectionDto'];

export interface PendingPageMeta {
  degraded: Degraded[];
}

export interface PendingCartLine {
  productId: string;
  quantity: number;
  name?: string;
  price: Price | null;
}

export interface PendingCart {
  items: PendingCartLine[];
  meta?: PendingPageMeta;
}

export interface PendingOrder {
  id: string;
  status: string;
  createdAt: string;
  total?: { amount: number; currency: string } | null;
  items: { productId: string; quantity: number; name?: string }[];
}

export interface PendingOrderList {
  items: PendingOrder[];
  nextCursor?: string | null;
}

interface Json<T> {
  headers: { [name: string]: unknown };
  content: { 'application/json': T };
}
interface Failure {
  headers: { [name: string]: unknown };
  content: { 'application/problem+json': Problem };
}
type Params<Q = never, P = never, H = never> = { query?: Q; cookie?: never } & ([P] extends [never] ? { path?: never } : { path: P }) &
  ([H] extends [never] ? { header?: never } : { header: H });
type Op<Par, Res, Req = never> = {
  parameters: Par;
  responses: Res & { default: Failure };
} & ([Req] extends [never] ? { requestBody?: never } : { requestBody: { content: { 'application/json': Req } } });
interface PathItem {
  parameters: { query?: never; header?: never; path?: never; cookie?: never };
  get?: never;
  put?: never;
  post?: never;
  delete?: never;
  options?: never;
  head?: never;
  patch?: never;
  trace?: never;
}

export interface PendingPaths {
  '/api/v1/cart': Omit<PathItem, 'get'> & { get: Op<Params<never, never>, { 200: Json<PendingCart> }> };
  '/api/v1/cart/items': Omit<PathItem, 'post'> & {
    post: Op<Params<never, never>, { 200: Json<PendingCart> }, { productId: string; quantity: number }>;
  };
  '/api/v1/cart/items/{productId}': Omit<PathItem, 'put' | 'delete'> & {
    put: Op<Params<never, { productId: string }>, { 200: Json<PendingCart> }, { quantity: number }>;
    delete: Op<Params<never, { productId: string }>, { 200: Json<PendingCart> }>;
  };
  '/api/v1/checkout': Omit<PathItem, 'post'> & {
    post: Op<Params<never, never, { 'Idempotency-Key': string }>, { 201: Json<PendingOrder>; 200: Json<PendingOrder> }>;
  };
  '/api/v1/orders': Omit<PathItem, 'get'> & { get: Op<Params<{ cursor?: string }, never>, { 200: Json<PendingOrderList> }> };
  '/api/v1/orders/{id}': Omit<PathItem, 'get'> & { get: Op<Params<never, { id: string }>, { 200: Json<PendingOrder> }> };
}
