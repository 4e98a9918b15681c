import { PlatformError } from '@bff/core';

import type { CallOptions } from './clients/call-options.js';
import { ReviewsApi } from './clients/reviews.api.js';
import type { Review } from './retail.types.js';

/** Bounds of one page of reviews (the reviews service's own page size limit). */
export const REVIEWS_MAX_LIMIT = 50;
/** The reviews service's highest page number. */
const MAX_PAGE = 1_000_000;
const CURSOR_FORMAT = /^r1:(\d{1,7}):(\d{1,2})$/;

export interface ReviewCursorPage {
  readonly items: Review[];
  readonly total: number;
  /** Opaque cursor of the next page; null on the last page. */
  readonly nextCursor: string | null;
}

/**
 * Cursor paging over the reviews service's numbered pages. The cursor carries the page number and the
 * page size it was issued for, so a client cannot land between pages; a cursor the BFF did not issue, or
 * a `limit` that differs from the cursor's page size, is the caller's mistake: a 400 `invalid-cursor`.
 */
export async function pageOfReviews(
  reviews: ReviewsApi,
  productId: string,
  request: { readonly cursor?: string; readonly limit?: number; readonly defaultLimit: number },
  options: CallOptions = {},
): Promise<ReviewCursorPage> {
  const { page, size } = request.cursor === undefined ? { page: 1, size: request.limit ?? request.defaultLimit } : decode(request.cursor);
  if (request.limit !== undefined && request.limit !== size) {
    throw invalidCursor(`the cursor was issued for limit ${size}; pass the same limit or none`);
  }
  const result = await reviews.listReviews(productId, page, size, options);
  const hasNext = page * size < result.total && page < MAX_PAGE;
  return { items: result.items, total: result.total, nextCursor: hasNext ? encode(page + 1, size) : null };
}

function encode(page: number, size: number): string {
  return Buffer.from(`r1:${page}:${size}`).toString('base64url');
}

function decode(cursor: string): { page: number; size: number } {
  const match = CURSOR_FORMAT.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  const page = Number(match?.[1]);
  const size = Number(match?.[2]);
  if (!match || page < 1 || page > MAX_PAGE || size < 1 || size > REVIEWS_MAX_LIMIT) {
    throw invalidCursor('the cursor is invalid; restart from the first page');
  }
  return { page, size };
}

function invalidCursor(detail: string): PlatformError {
  return new PlatformError('bad_request', 'INVALID_CURSOR', `invalid reviews cursor: ${detail}`, {
    publicDetail: `The cursor is not usable: ${detail}.`,
  });
}
