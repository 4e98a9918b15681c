import { hash } from 'node:crypto';

import type { Identity } from '@bff/core';

import { CACHE_NAME_PATTERN } from '../cache.constants.js';
import type { CachePolicy, CacheScope, CacheTagContext } from './cache.decorators.js';

export type RawQuery = Readonly<Record<string, string | readonly string[] | undefined>>;
export type RawHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface RouteKeyInput {
  /** The app (cache namespace). */
  readonly namespace: string;
  /** Route pattern, e.g. '/api/v1/pages/product/:id'. */
  readonly route: string;
  readonly params: Readonly<Record<string, string>>;
  /** Already normalized query (see normalizeQuery). */
  readonly query: readonly (readonly [string, readonly string[]])[];
  /** Already normalized vary header values, by lowercased name. */
  readonly vary: readonly (readonly [string, string])[];
  /** Identity part of the key: undefined for public routes. */
  readonly principal: string | undefined;
}

/**
 * The cache key of a route response: app + route pattern + path params + normalized query + vary
 * header values + (non-public scopes) the verified principal, hashed so keys are bounded and
 * carry no raw user input or identifiers.
 */
export function routeCacheKey(input: RouteKeyInput): string {
  const names = Object.keys(input.params);
  if (names.length > 1) names.sort();
  const params = names.map((k) => [k, input.params[k]]);
  const material = JSON.stringify([input.namespace, input.route, params, input.query, input.vary, input.principal ?? null]);
  let key = recentKeys.get(material);
  if (key === undefined) {
    key = `rt:${input.namespace}:${hash('sha256', material, 'base64url')}`;
    // Hot keys are looked up on every hit: remember the latest ones rather than hashing again.
    if (recentKeys.size >= RECENT_KEYS_MAX) recentKeys.clear();
    recentKeys.set(material, key);
  }
  return key;
}

/** Key material → key, for the most recently computed keys (bounded; cleared when full). */
const recentKeys = new Map<string, string>();
const RECENT_KEYS_MAX = 4096;

/**
 * Keeps only allowlisted parameters, sorted by name, each with its values in request order
 * (`?a=2&a=1` differs from `?a=1&a=2` for most APIs). Returns the parameters that were dropped.
 */
export function normalizeQuery(
  query: RawQuery | undefined,
  allowed: readonly string[],
): { query: [string, string[]][]; undeclared: string[] } {
  const out: [string, string[]][] = [];
  const undeclared: string[] = [];
  for (const name of Object.keys(query ?? {}).sort()) {
    const raw = query?.[name];
    if (raw === undefined) continue;
    if (!allowed.includes(name)) {
      undeclared.push(name);
      continue;
    }
    out.push([name, (Array.isArray(raw) ? raw : [raw]).map(String)]);
  }
  return { query: out, undeclared };
}

/** Case-insensitive content negotiation headers compare case-insensitively; others as sent (whitespace normalized). */
const CASE_INSENSITIVE = new Set(['accept', 'accept-language', 'accept-encoding', 'accept-charset']);

export function normalizeVary(headers: RawHeaders, names: readonly string[]): [string, string][] {
  return names.map((name) => {
    const raw = headers[name];
    let value = (Array.isArray(raw) ? raw.join(',') : ((raw as string | undefined) ?? ''))
      .split(',')
      .map((part) => part.trim().replace(/\s+/g, ' '))
      .filter(Boolean)
      .join(',');
    if (CASE_INSENSITIVE.has(name)) value = value.toLowerCase();
    return [name, value];
  });
}

/** The principal a non-public response is keyed by, or undefined when there is none (never cached then). */
export function principalOf(scope: CacheScope, identity: Identity | undefined): string | undefined {
  if (scope === 'public') return undefined;
  if (!identity) return undefined;
  if (scope === 'user') return identity.subject ? `user:${identity.strategy}:${identity.subject}` : undefined;
  return identity.partnerId ? `partner:${identity.partnerId}` : undefined;
}

/** Renders the policy's tags for one request; tags that are empty or malformed are dropped. */
export function renderTags(policy: Pick<CachePolicy, 'tags'>, context: CacheTagContext): string[] {
  const { tags } = policy;
  if (!tags) return [];
  const rendered =
    typeof tags === 'function'
      ? tags(context)
      : tags.map((t) => t.replace(/\{([A-Za-z0-9_]+)\}/g, (_, name: string) => context.params[name] ?? ''));
  return [...new Set(rendered)].filter((t) => CACHE_NAME_PATTERN.test(t) && !/:$/.test(t));
}
