import type { Socket } from 'node:net';
import { Readable } from 'node:stream';

import { mulberry32, type Rng } from '../seed/prng.ts';
import type { FaultRule } from '../types.ts';

const FAULT_SEED = 0x5eed;
const MAX_LATENCY_MS = 120_000;
const MAX_OVERSIZE_BYTES = 256 * 1024 * 1024;
const MAX_HEADER_BYTES = 8 * 1024 * 1024;
/** Size of each `x-sandbox-padding-<n>` header value. */
const HEADER_PADDING_CHUNK = 4_000;

interface ActiveRule {
  rule: FaultRule;
  method: string | undefined;
  remaining: number;
}

/** A rule as reported by `GET /__admin/faults`. */
export interface FaultRuleState extends FaultRule {
  remaining: number | null;
}

/** Holds the fault rules of one service and decides which rule (if any) applies to a request. */
export class FaultEngine {
  #rules: ActiveRule[] = [];
  #rng: Rng = mulberry32(FAULT_SEED);

  set(rules: readonly FaultRule[]): void {
    this.#rng = mulberry32(FAULT_SEED);
    this.#rules = rules.map((rule) => ({
      rule: { ...rule },
      method: rule.method?.toUpperCase(),
      remaining: rule.times ?? Number.POSITIVE_INFINITY,
    }));
  }

  clear(): void {
    this.set([]);
  }

  get active(): boolean {
    return this.#rules.length > 0;
  }

  list(): FaultRuleState[] {
    return this.#rules.map(({ rule, remaining }) => ({
      ...rule,
      remaining: Number.isFinite(remaining) ? remaining : null,
    }));
  }

  /** First rule matching the request; consumes one of its `times`. */
  match(method: string, path: string): FaultRule | undefined {
    for (const active of this.#rules) {
      if (active.remaining <= 0) continue;
      if (active.method !== undefined && active.method !== method) continue;
      if (active.rule.path !== undefined && !path.startsWith(active.rule.path)) continue;
      const probability = active.rule.probability ?? 1;
      if (probability < 1 && this.#rng() >= probability) continue;
      active.remaining -= 1;
      return active.rule;
    }
    return undefined;
  }
}

function optionalNumber(rule: Record<string, unknown>, key: string, min: number, max: number, integer: boolean): string | undefined {
  const value = rule[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    return `'${key}' must be ${integer ? 'an integer' : 'a number'} between ${min} and ${max}`;
  }
  return undefined;
}

const RULE_KEYS = new Set([
  'path',
  'method',
  'times',
  'latencyMs',
  'status',
  'retryAfter',
  'body',
  'probability',
  'reset',
  'resetMidBody',
  'malformed',
  'stallMs',
  'oversizeBytes',
  'headerBytes',
  'headerStallMs',
  'commitThenHangMs',
]);

/** Effects that replace or cut the response: a header stall delays the real one, so it combines with none of them. */
const RESPONSE_REPLACING_KEYS = ['reset', 'resetMidBody', 'malformed', 'status', 'stallMs', 'oversizeBytes'] as const;

/** Validates a `POST /__admin/faults` body; returns the rules or an error message. */
export function parseFaultRules(input: unknown): FaultRule[] | string {
  if (typeof input !== 'object' || input === null || !('rules' in input) || !Array.isArray(input.rules)) {
    return "body must be an object with a 'rules' array";
  }
  const rules: FaultRule[] = [];
  for (const [index, candidate] of input.rules.entries()) {
    if (typeof candidate !== 'object' || candidate === null || Array.isArray(candidate)) {
      return `rules[${index}] must be an object`;
    }
    const rule = candidate as Record<string, unknown>;
    const unknownKey = Object.keys(rule).find((key) => !RULE_KEYS.has(key));
    if (unknownKey !== undefined) return `rules[${index}]: unknown property '${unknownKey}'`;
    for (const key of ['path', 'method'] as const) {
      if (rule[key] !== undefined && typeof rule[key] !== 'string') return `rules[${index}]: '${key}' must be a string`;
    }
    if (typeof rule['path'] === 'string' && !rule['path'].startsWith('/')) {
      return `rules[${index}]: 'path' must start with '/'`;
    }
    for (const key of ['reset', 'resetMidBody', 'malformed'] as const) {
      if (rule[key] !== undefined && typeof rule[key] !== 'boolean') return `rules[${index}]: '${key}' must be a boolean`;
    }
    const numberError =
      optionalNumber(rule, 'times', 0, Number.MAX_SAFE_INTEGER, true) ??
      optionalNumber(rule, 'latencyMs', 0, MAX_LATENCY_MS, false) ??
      optionalNumber(rule, 'status', 100, 599, true) ??
      optionalNumber(rule, 'retryAfter', 0, 86_400, true) ??
      optionalNumber(rule, 'probability', 0, 1, false) ??
      optionalNumber(rule, 'stallMs', 0, MAX_LATENCY_MS, false) ??
      optionalNumber(rule, 'oversizeBytes', 0, MAX_OVERSIZE_BYTES, true) ??
      optionalNumber(rule, 'headerBytes', 0, MAX_HEADER_BYTES, true) ??
      optionalNumber(rule, 'headerStallMs', 0, MAX_LATENCY_MS, false) ??
      optionalNumber(rule, 'commitThenHangMs', 0, MAX_LATENCY_MS, false);
    if (numberError !== undefined) return `rules[${index}]: ${numberError}`;
    if (rule['headerStallMs'] !== undefined) {
      const clash = RESPONSE_REPLACING_KEYS.find((key) => rule[key] !== undefined && rule[key] !== false);
      if (clash !== undefined) return `rules[${index}]: 'headerStallMs' cannot be combined with '${clash}'`;
    }
    if (rule['commitThenHangMs'] !== undefined) {
      const clash = [...RESPONSE_REPLACING_KEYS, 'headerStallMs', 'headerBytes'].find(
        (key) => rule[key] !== undefined && rule[key] !== false,
      );
      if (clash !== undefined) return `rules[${index}]: 'commitThenHangMs' cannot be combined with '${clash}'`;
    }
    rules.push(rule);
  }
  return rules;
}

/** Names of the effects of a rule, for the `x-sandbox-fault` response header. */
export function faultKinds(rule: FaultRule): string {
  const kinds: string[] = [];
  if (rule.latencyMs !== undefined) kinds.push('latency');
  if (rule.reset === true) kinds.push('reset');
  if (rule.malformed === true) kinds.push('malformed');
  if (rule.oversizeBytes !== undefined) kinds.push('oversize');
  if (rule.status !== undefined) kinds.push('status');
  if (rule.stallMs !== undefined) kinds.push('stall');
  if (rule.resetMidBody === true) kinds.push('reset-mid-body');
  if (rule.headerBytes !== undefined) kinds.push('header-bytes');
  if (rule.headerStallMs !== undefined) kinds.push('header-stall');
  if (rule.commitThenHangMs !== undefined) kinds.push('commit-then-hang');
  return kinds.join(',');
}

/** `x-sandbox-padding-<n>` headers adding up to about `bytes` bytes (names, values and separators). */
export function paddingHeaders(bytes: number): Array<[string, string]> {
  const headers: Array<[string, string]> = [];
  let left = bytes;
  for (let n = 1; left > 0; n++) {
    const name = `x-sandbox-padding-${n}`;
    const overhead = name.length + 4; // ": " and CRLF
    const value = 'x'.repeat(Math.max(1, Math.min(HEADER_PADDING_CHUNK, left - overhead)));
    headers.push([name, value]);
    left -= overhead + value.length;
  }
  return headers;
}

/** A syntactically invalid JSON document. */
export const MALFORMED_BODY = '{"items":[{"id":"p-00001","name":"Truncated <html>';

const oversizeCache = new Map<number, string>();

/** A valid JSON document of (about, at least 32 bytes) `bytes` bytes. */
export function oversizeBody(bytes: number): string {
  let body = oversizeCache.get(bytes);
  if (body === undefined) {
    const prefix = '{"items":[],"padding":"';
    const suffix = '"}';
    body = prefix + 'x'.repeat(Math.max(0, bytes - prefix.length - suffix.length)) + suffix;
    if (oversizeCache.size > 16) oversizeCache.clear();
    oversizeCache.set(bytes, body);
  }
  return body;
}

function halfOf(length: number): number {
  return Math.max(1, Math.floor(length / 2));
}

/** Streams the first half of `body`, waits `stallMs`, then streams the rest. */
export function stalledStream(body: Buffer, stallMs: number): Readable {
  const half = halfOf(body.length);
  let started = false;
  let timer: NodeJS.Timeout | undefined;
  return new Readable({
    read() {
      if (started) return;
      started = true;
      this.push(body.subarray(0, half));
      timer = setTimeout(() => {
        timer = undefined;
        if (half < body.length) this.push(body.subarray(half));
        this.push(null);
      }, stallMs);
    },
    destroy(error, callback) {
      if (timer !== undefined) clearTimeout(timer);
      callback(error);
    },
  });
}

/**
 * Streams the first half of `body`, then closes the socket once that part has been flushed
 * (the client sees a body shorter than its Content-Length).
 */
export function truncatedStream(body: Buffer, socket: Socket): Readable {
  let pushed = false;
  let closing = false;
  const close = (): void => {
    if (closing) return;
    closing = true;
    // Let the HTTP layer flush the chunk written for the first push, then FIN + destroy.
    setImmediate(() => socket.end(() => socket.destroy()));
  };
  return new Readable({
    read() {
      if (!pushed) {
        pushed = true;
        this.push(body.subarray(0, halfOf(body.length)));
        // Fallback in case the consumer never asks for more (it normally does right away).
        setTimeout(close, 200).unref();
        return;
      }
      close();
    },
  });
}
