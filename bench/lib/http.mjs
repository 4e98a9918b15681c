// Plain one-shot HTTP for the harness itself (verification, liveness polling, sandbox stats): a
// fresh connection per call with `Connection: close`, so the harness never holds keep-alive
// sockets that would delay a target's graceful shutdown.
import { request as httpRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/** GET url → { status, headers, text } (rejects on network errors and after timeoutMs). */
export function get(url, { headers = {}, timeoutMs = 5_000 } = {}) {
  return request(url, { method: 'GET', headers, timeoutMs });
}

/** One request → { status, headers, text }; `body` (a string) is sent as is, with its Content-Length. */
export function request(url, { method = 'GET', headers = {}, body, timeoutMs = 5_000 } = {}) {
  return new Promise((resolveRequest, reject) => {
    const sent = body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) };
    const req = httpRequest(
      url,
      { method, agent: false, headers: { connection: 'close', ...sent, ...headers }, timeout: timeoutMs },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolveRequest({ status: res.statusCode, headers: res.headers, text }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

export async function getJson(url, options) {
  return requestJson(url, { ...options, method: 'GET' });
}

/** request() with the body parsed as JSON (`json` undefined when it is not JSON). */
export async function requestJson(url, options) {
  const res = await request(url, options);
  let json;
  try {
    json = JSON.parse(res.text);
  } catch {
    json = undefined;
  }
  return { ...res, json };
}

/**
 * Polls GET <url>/health/live every `intervalMs` until it answers 200; resolves with the ms since
 * the child was spawned (its cold start). Rejects when the child exits or `timeoutMs` passes.
 */
export async function waitLive(child, baseUrl, { timeoutMs = 30_000, intervalMs = 5 } = {}) {
  let last = 'no answer';
  while (performance.now() - child.spawnedAt < timeoutMs) {
    if (!child.running) throw new Error(`${child.name} exited before /health/live answered (${child.describeExit()})\n${child.output()}`);
    try {
      const res = await get(`${baseUrl}/health/live`, { timeoutMs: 1_000 });
      if (res.status === 200) return performance.now() - child.spawnedAt;
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = error.code ?? error.message;
    }
    await sleep(intervalMs);
  }
  throw new Error(`${child.name}: /health/live not 200 within ${timeoutMs / 1000} s (last: ${last})\n${child.output()}`);
}
