import type { FastifyInstance } from 'fastify';

import { PlatformError } from '../errors/platform-error.js';

export interface JsonBodyLimits {
  /** Deepest nesting of objects and arrays; the body itself is level 1. */
  readonly maxDepth: number;
  /** Object members counted over the whole body. */
  readonly maxKeys: number;
}

/**
 * The first limit `value` breaks, or undefined. Iterative (an explicit stack), so a hostile nesting
 * cannot overflow the stack here, and it stops at the first breach.
 */
export function jsonLimitBreached(value: unknown, limits: JsonBodyLimits): 'depth' | 'keys' | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const pending: object[] = [value];
  const depths: number[] = [1];
  let keys = 0;
  while (pending.length > 0) {
    const node = pending.pop()!;
    const depth = depths.pop()!;
    if (depth > limits.maxDepth) return 'depth';
    if (Array.isArray(node)) {
      for (const item of node as unknown[]) {
        if (item !== null && typeof item === 'object') {
          pending.push(item);
          depths.push(depth + 1);
        }
      }
      continue;
    }
    for (const key in node) {
      if (++keys > limits.maxKeys) return 'keys';
      const member = (node as Record<string, unknown>)[key];
      if (member !== null && typeof member === 'object') {
        pending.push(member);
        depths.push(depth + 1);
      }
    }
  }
  return undefined;
}

/**
 * Replaces Fastify's JSON parser with the same one (secure-json-parse: `__proto__` and `constructor`
 * poisoning refused as malformed JSON) followed by the depth and key-count limits, so a hostile shape
 * is a 400 problem before class-transformer and class-validator walk it (recursively: ~1,500 nested
 * arrays overflow their stack).
 */
export function installJsonBodyParser(fastify: FastifyInstance, limits: JsonBodyLimits): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    // parseAs 'string' hands a string; the parser type also admits a Buffer.
    void parse(request, typeof body === 'string' ? body : body.toString('utf8'), (error, value) => {
      if (error) return done(error, undefined);
      const breached = jsonLimitBreached(value, limits);
      if (breached === 'depth') {
        return done(
          new PlatformError('bad_request', 'JSON_TOO_DEEP', 'JSON body nested too deeply', {
            publicDetail: `The JSON body nests objects and arrays deeper than ${limits.maxDepth} levels.`,
          }),
          undefined,
        );
      }
      if (breached === 'keys') {
        return done(
          new PlatformError('bad_request', 'JSON_TOO_MANY_KEYS', 'JSON body has too many keys', {
            publicDetail: `The JSON body has more than ${limits.maxKeys} object keys in all.`,
          }),
          undefined,
        );
      }
      done(null, value);
    });
  });
}
