import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { CACHE_STALE_HEADER, CACHE_STATUS_HEADER } from '../cache.constants.js';
import { ifNoneMatchHits, mergeVary } from '../http/cache-control.js';

/** What the interceptor decided for a response; applied by the onSend hook (headers, 304). */
export interface CacheReplyMeta {
  readonly status: 'HIT' | 'MISS' | 'STALE' | 'BYPASS';
  readonly cacheControl?: string;
  /** Header names to merge into Vary. */
  readonly vary: readonly string[];
  /** Strong ETag of the JSON body; the payload is then the exact JSON text that was hashed. */
  readonly etag?: string;
  readonly ageSeconds?: number;
  readonly stale?: boolean;
}

const REPLY_META: unique symbol = Symbol('bff:cache-reply');
type WithMeta = { [REPLY_META]?: CacheReplyMeta };

export function setReplyMeta(request: unknown, meta: CacheReplyMeta): void {
  (request as WithMeta)[REPLY_META] = meta;
}

/** Content-Type of cached route responses (JSON text). */
export const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Applies the cache's HTTP semantics to successful responses of cached routes: X-Cache, ETag,
 * Cache-Control, Vary (merged with what CORS already set), Age, X-Cache-Stale, and turns a 200
 * into an empty 304 when If-None-Match matches the ETag (on hits too: nothing is hashed again).
 */
export function installCacheReplyHook(fastify: FastifyInstance): void {
  fastify.addHook(
    'onSend',
    (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: null, payload?: unknown) => void) => {
      const meta = (request as WithMeta)[REPLY_META];
      if (!meta) return done(null, payload);
      void reply.header(CACHE_STATUS_HEADER, meta.status);
      if (reply.statusCode !== 200) return done(null, payload);
      if (meta.cacheControl) void reply.header('cache-control', meta.cacheControl);
      if (meta.vary.length) void reply.header('vary', mergeVary(reply.getHeader('vary'), meta.vary));
      if (meta.ageSeconds !== undefined) void reply.header('age', String(meta.ageSeconds));
      if (meta.stale) void reply.header(CACHE_STALE_HEADER, '1');
      if (meta.etag) {
        void reply.header('etag', meta.etag);
        void reply.header('content-type', JSON_TYPE);
        if (ifNoneMatchHits(request.headers['if-none-match'], meta.etag)) {
          void reply.code(304);
          reply.removeHeader('content-type');
          reply.removeHeader('content-length');
          return done(null, null);
        }
      }
      done(null, payload);
    },
  );
}
