import { hash } from 'node:crypto';

import type { FastifyReply, FastifyRequest } from 'fastify';

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** A serialized JSON body (as text and as ready-to-send bytes) with its strong ETag. */
export interface CachedBody {
  readonly json: string;
  readonly payload: Buffer;
  readonly etag: string;
}

export function etagOf(body: string | Buffer): string {
  return `"${hash('sha1', body, 'base64url')}"`;
}

/** Pre-serialized JSON text → CachedBody. */
export function cacheJson(json: string): CachedBody {
  const payload = Buffer.from(json, 'utf8');
  return { json, payload, etag: etagOf(payload) };
}

export function cachedBody(value: unknown): CachedBody {
  return cacheJson(JSON.stringify(value));
}

/** `If-None-Match` evaluation (weak comparison, as RFC 9110 prescribes for this header). */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined || header === '') return false;
  if (header.trim() === '*') return true;
  for (const raw of header.split(',')) {
    let candidate = raw.trim();
    if (candidate.startsWith('W/')) candidate = candidate.slice(2);
    if (candidate === etag) return true;
  }
  return false;
}

/** Sends a cacheable JSON body with ETag + Cache-Control, answering 304 when `If-None-Match` matches. */
export function sendCached(request: FastifyRequest, reply: FastifyReply, cached: CachedBody, cacheControl: string): FastifyReply {
  reply.header('etag', cached.etag).header('cache-control', cacheControl);
  if (ifNoneMatchHits(request.headers['if-none-match'], cached.etag)) {
    return reply.code(304).send();
  }
  return reply.type(JSON_CONTENT_TYPE).send(cached.payload);
}

/** Like `sendCached`, for a body serialized per request. */
export function sendCachedJson(request: FastifyRequest, reply: FastifyReply, body: string, cacheControl: string): FastifyReply {
  return sendCached(request, reply, cacheJson(body), cacheControl);
}

/** Sends an uncacheable JSON body. */
export function sendJson(reply: FastifyReply, status: number, value: unknown): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').type(JSON_CONTENT_TYPE).send(JSON.stringify(value));
}

/** `{"items":[...]}` of the bodies of the ids `byId` knows, in request order (unknown ids are left out). */
export function knownItemsEnvelope(ids: readonly string[], byId: ReadonlyMap<string, CachedBody>): string {
  const items: string[] = [];
  for (const id of ids) {
    const body = byId.get(id);
    if (body !== undefined) items.push(body.json);
  }
  return `{"items":[${items.join(',')}]}`;
}
