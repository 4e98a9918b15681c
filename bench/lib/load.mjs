// One load run with autocannon (as a library): fixed connections, fixed duration, one request
// (GET by default; a write scenario sends its method and body, with a fresh value per request in
// its `uniqueHeader`, e.g. an Idempotency-Key, so that every request is new work, never a replay).
// Latencies of 2xx responses are kept exactly (every sample, float ms) for the percentiles;
// every Nth body is parsed and checked so a target that starts answering wrong under load is
// caught, and its share of degraded answers (meta.degraded non-empty) is estimated.
import { randomUUID } from 'node:crypto';

import autocannon from 'autocannon';

import { percentile } from './stats.mjs';

let current;

/** Stops a load run in progress (Ctrl-C). */
export function stopLoad() {
  current?.stop();
}

/**
 * @param {object} o
 * @param {string} o.url        base URL of the target
 * @param {string} o.path       request path (with query)
 * @param {string} [o.method]   default GET
 * @param {string} [o.body]     request body, sent as is (set its content-type in `headers`)
 * @param {string} [o.uniqueHeader]  header given a fresh random UUID on every request
 * @param {Record<string,string>} [o.headers]
 * @param {number} o.connections
 * @param {number} o.durationS
 * @param {(json: unknown) => string | undefined} [o.check]  returns a problem, or undefined when the body is right
 * @param {number} [o.sampleEvery]  check one body in this many (default 50)
 */
export async function runLoad(o) {
  const sampleEvery = o.sampleEvery ?? 50;
  const latencies = [];
  let seen = 0;
  let sampled = 0;
  let wrong = 0;
  let degraded = 0;
  let firstWrong;

  const verifyBody = (body) => {
    if (seen++ % sampleEvery !== 0) return true;
    sampled++;
    let json;
    try {
      json = JSON.parse(body);
    } catch {
      wrong++;
      firstWrong ??= `body is not JSON: ${String(body).slice(0, 120)}`;
      return false;
    }
    const problem = o.check ? o.check(json) : undefined;
    if (problem) {
      wrong++;
      firstWrong ??= problem;
      return false;
    }
    if (Array.isArray(json?.meta?.degraded) && json.meta.degraded.length > 0) degraded++;
    return true;
  };

  const instance = autocannon({
    url: o.url,
    connections: o.connections,
    duration: o.durationS,
    pipelining: 1,
    timeout: 10,
    headers: o.headers ?? {},
    requests: [
      {
        method: o.method ?? 'GET',
        path: o.path,
        ...(o.body === undefined ? {} : { body: o.body }),
        ...(o.uniqueHeader === undefined
          ? {}
          : { setupRequest: (req) => ({ ...req, headers: { ...req.headers, [o.uniqueHeader]: randomUUID() } }) }),
      },
    ],
    verifyBody,
  });
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
  });
  current = instance;
  let result;
  try {
    result = await instance;
  } finally {
    current = undefined;
  }

  const sorted = Float64Array.from(latencies).sort();
  const completed = result.requests.total;
  const durationS = result.duration > 0 ? result.duration : o.durationS;
  return {
    durationS,
    completed,
    ok2xx: result['2xx'],
    rps: completed / durationS,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count])),
    sampled,
    wrong,
    firstWrong,
    degradedSampled: degraded,
  };
}
